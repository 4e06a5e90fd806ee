/*
 * Remote mailslot writes for local programs ([MS-MAIL] §3.1.4.1): group
 * names as DIRECT_GROUP to each interface's subnet broadcast, unique names
 * as DIRECT_UNIQUE to the address name resolution found.  Always from our
 * datagram port with SOURCE_IP/SOURCE_PORT of the sending interface, so
 * replies from every implementation reach us.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "daemon.h"
#include "libmailslot/mailslot.h"
#include "smb/smb_mailslot_dgram.h"

#define ERROR_BAD_NETPATH 53

void mailslotd_send_raw(struct mailslotd *d, struct mailslotd_iface *iface,
			int fd, uint32_t dst_ip, uint16_t dst_port,
			const uint8_t *buf, size_t len)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(dst_port),
		.sin_addr.s_addr = htonl(dst_ip),
	};

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		mailslotd_log(d, 1, "send to %s:%u failed: %s",
			      inet_ntoa(to.sin_addr), dst_port,
			      strerror(errno));
		return;
	}
	mailslotd_record(d, iface->ip, (uint16_t)(fd == iface->name_fd ?
				d->cfg->name_port : d->cfg->dgram_port),
			 dst_ip, dst_port, buf, len);
}

/* Encode one write for one interface; NULL on failure. */
static uint8_t *write_encode(TALLOC_CTX *mem_ctx, struct mailslotd *d,
			     struct mailslotd_iface *iface,
			     const struct nbt_name *dest, uint8_t type,
			     const char *slot, const uint8_t *data,
			     size_t len, size_t *out_len)
{
	struct smb_mailslot_write w;
	struct nbt_dgram dg;
	uint8_t *out;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = slot;
	w.name_len = strlen(slot);
	w.data = data;
	w.data_len = len;
	/* B-node, or H-node when a WINS server is configured */
	nbt_dgram_init(&dg, type, d->cfg->wins_server ? NBT_NODE_H : NBT_NODE_B,
		       d->next_dgram_id++, iface->ip, d->cfg->dgram_port);
	if (nbt_name_make(&dg.source, d->cfg->netbios_name, 0x00, NULL) !=
	    CODEC_OK)
		return NULL;
	dg.dest = *dest;
	*out_len = smb_mailslot_dgram_encoded_len(&dg, &w);
	out = talloc_size(mem_ctx, *out_len);
	if (out == NULL ||
	    smb_mailslot_dgram_encode(&dg, &w, out, *out_len, NULL) != CODEC_OK)
		return NULL;
	return out;
}

uint32_t mailslotd_send_check(const char *slot, size_t len)
{
	size_t slen = strlen(slot);

	if (slen <= SMB_MAILSLOT_PREFIX_LEN ||
	    strncasecmp(slot, SMB_MAILSLOT_PREFIX, SMB_MAILSLOT_PREFIX_LEN) != 0)
		return MAILSLOT_ERROR_INVALID_NAME;
	/* Windows' 512-byte SMB budget: more fails, nothing is sent */
	if (len > smb_mailslot_max_payload(slot, SMB_MAILSLOT_LAYOUT_MAIL))
		return ERROR_BAD_NETPATH;
	return MAILSLOT_OK;
}

uint32_t mailslotd_send_to(struct mailslotd *d, const struct nbt_name *dest,
			   uint8_t type, uint32_t unicast_ip,
			   const char *slot, const uint8_t *data, size_t len)
{
	TALLOC_CTX *tmp = talloc_new(d);
	uint32_t status = MAILSLOT_OK;
	size_t sent = 0;

	for (size_t i = 0; i < d->num_ifaces; i++) {
		struct mailslotd_iface *f = &d->ifaces[i];
		uint32_t to = unicast_ip ? unicast_ip : f->bcast;
		uint8_t *buf;
		size_t blen;

		/* unicast: only from the interface on the peer's subnet */
		if (unicast_ip && mailslotd_iface_for(d, unicast_ip) != f)
			continue;
		buf = write_encode(tmp, d, f, dest, type, slot, data, len,
				   &blen);
		if (buf == NULL) {
			status = MAILSLOT_ERROR_INTERNAL_ERROR;
			break;
		}
		mailslotd_send_raw(d, f, f->dgram_fd, to, d->cfg->dgram_port,
				   buf, blen);
		sent++;
	}
	d->stats.sent += sent;
	talloc_free(tmp);
	return status;
}
