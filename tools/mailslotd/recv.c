/*
 * The datagram receive path: socket -> decode -> reassemble -> is it for
 * us -> SMB mailslot write -> local mailslot.  Anything else is dropped
 * silently, as [MS-MAIL] §3.2.5.1 requires, and counted by reason.  No
 * DATAGRAM ERROR is ever sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "daemon.h"
#include "smb/smb_mailslot.h"

#define RECV_BUF 65536
#define RECV_BATCH 64	/* datagrams per wake-up, so no socket starves */

struct recv_source {
	struct mailslotd *d;
	struct mailslotd_iface *iface;	/* NULL: the wildcard socket */
	int fd;
	uint32_t local_ip;		/* what the socket is bound to */
};

bool mailslotd_source_allowed(const struct mailslotd *d, uint32_t ip)
{
	if (d->cfg->num_allow == 0)
		return true;
	for (size_t i = 0; i < d->cfg->num_allow; i++) {
		const struct mailslotd_network *n = &d->cfg->allow[i];
		if ((ip & n->mask) == (n->ip & n->mask))
			return true;
	}
	return false;
}

static void drop(struct mailslotd *d, enum mailslotd_drop why)
{
	d->stats.dropped[why]++;
}

/* A complete datagram: is it for us, and is it a mailslot write? */
static void dgram_deliver(struct mailslotd *d, const struct nbt_dgram *dg)
{
	struct smb_mailslot_write w;
	enum codec_error err;
	enum mailslotd_drop why;
	bool delivered = false;

	if (!mailslotd_name_is_ours(d, &dg->dest, dg->type)) {
		drop(d, DROP_NOT_OUR_NAME);
		return;
	}
	err = smb_mailslot_decode(dg->user_data, dg->user_data_len, &w);
	if (err != CODEC_OK) {
		drop(d, DROP_MALFORMED_SMB);
		if ((unsigned)err < 64)
			d->stats.malformed[err]++;
		return;
	}
	why = mailslotd_deliver(d->deliver, w.name, w.name_len, w.data,
				w.data_len, &delivered);
	if (!delivered) {
		drop(d, why);
		return;
	}
	d->stats.delivered++;
	if (d->debug_level >= 3) {
		char src[NBT_NAME_TEXT_MAX], dst[NBT_NAME_TEXT_MAX];
		char *slot = mailslotd_escape(NULL, w.name, w.name_len);
		nbt_name_format(&dg->source, src, sizeof(src));
		nbt_name_format(&dg->dest, dst, sizeof(dst));
		mailslotd_log(d, 3, "delivered %zu bytes from %s to %s for %s",
			      w.data_len, src, dst, slot ? slot : "?");
		talloc_free(slot);
	}
}

void mailslotd_dgram_process(struct mailslotd *d,
			     struct mailslotd_iface *iface,
			     const uint8_t *buf, size_t len,
			     uint32_t src_ip, uint16_t src_port,
			     uint32_t dst_ip)
{
	struct nbt_dgram dg, *whole = NULL;
	enum codec_error err;
	TALLOC_CTX *pkt;

	d->stats.received++;
	if (!mailslotd_source_allowed(d, src_ip)) {
		drop(d, DROP_SOURCE_NOT_ALLOWED);
		return;
	}
	err = nbt_dgram_decode(buf, len, &dg);
	if (err != CODEC_OK) {
		drop(d, DROP_MALFORMED_DATAGRAM);
		if ((unsigned)err < 64)
			d->stats.malformed[err]++;
		return;
	}
	if (dg.type == NBT_DGRAM_ERROR) {
		mailslotd_log(d, 2, "DATAGRAM ERROR 0x%02x (%s) from %s",
			      dg.error_code,
			      nbt_dgram_error_code_name(dg.error_code),
			      inet_ntoa((struct in_addr){ htonl(src_ip) }));
		drop(d, DROP_DATAGRAM_ERROR);
		return;
	}
	if (!nbt_dgram_type_is_data(dg.type)) {
		drop(d, DROP_DATAGRAM_QUERY);
		return;
	}
	if (!nbt_dgram_is_fragment(&dg)) {
		dgram_deliver(d, &dg);
		return;
	}

	d->stats.fragments++;
	/* one pool per reassembled packet, freed when it is delivered */
	pkt = talloc_pool(d, 4096);
	if (pkt == NULL) {
		drop(d, DROP_FRAGMENT);
		return;
	}
	err = nbt_reasm_add(d->reasm, &dg, nbt_reasm_now_ms(), pkt, &whole);
	if (err != CODEC_OK) {
		drop(d, DROP_FRAGMENT);
		if ((unsigned)err < 64)
			d->stats.malformed[err]++;
	} else if (whole != NULL) {
		dgram_deliver(d, whole);
	}
	talloc_free(pkt);
}

/*
 * Linux gives a broadcast to every socket that matches it, so the
 * wildcard socket leaves whatever an interface's own sockets also get.
 */
static bool wildcard_duplicate(const struct mailslotd *d, uint32_t dst)
{
	for (size_t i = 0; i < d->num_ifaces; i++)
		if (dst == d->ifaces[i].ip || dst == d->ifaces[i].bcast)
			return true;
	return false;
}

static void recv_handler(struct tevent_context *ev, struct tevent_fd *fde,
			 uint16_t flags, void *priv)
{
	struct recv_source *s = priv;
	static uint8_t buf[RECV_BUF];

	for (int i = 0; i < RECV_BATCH; i++) {
		struct sockaddr_in from;
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} cbuf;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t n = recvmsg(s->fd, &msg, 0);
		uint32_t src, dst = s->local_ip;
		struct mailslotd_iface *iface;

		if (n < 0)
			return; /* EAGAIN: drained */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
		     c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				dst = ntohl(pi.ipi_addr.s_addr);
			}
		}
		if (s->iface == NULL && wildcard_duplicate(s->d, dst))
			continue;
		src = ntohl(from.sin_addr.s_addr);
		iface = s->iface ? s->iface : mailslotd_iface_for(s->d, src);
		mailslotd_record(s->d, src, ntohs(from.sin_port), dst,
				 s->d->cfg->dgram_port, buf, (size_t)n);
		mailslotd_dgram_process(s->d, iface, buf, (size_t)n, src,
					ntohs(from.sin_port), dst);
	}
}

static int recv_add(struct mailslotd *d, struct mailslotd_iface *iface,
		    int fd, uint32_t local_ip)
{
	struct recv_source *s;

	if (fd < 0)
		return 0;
	s = talloc_zero(d, struct recv_source);
	if (s == NULL)
		return -1;
	s->d = d;
	s->iface = iface;
	s->fd = fd;
	s->local_ip = local_ip;
	if (iface == NULL) {
		int one = 1;
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	return tevent_add_fd(d->ev, s, fd, TEVENT_FD_READ, recv_handler, s)
		       ? 0 : -1;
}

int mailslotd_recv_start(struct mailslotd *d)
{
	struct nbt_reasm_limits lim;

	nbt_reasm_limits_default(&lim);
	lim.max_pending = d->cfg->reasm_max_pending;
	lim.max_bytes = d->cfg->reasm_max_bytes;
	lim.timeout_ms = d->cfg->reasm_timeout_ms;
	d->reasm = nbt_reasm_create(d, &lim);
	if (d->reasm == NULL)
		return -1;
	for (size_t i = 0; i < d->num_ifaces; i++) {
		struct mailslotd_iface *f = &d->ifaces[i];
		if (recv_add(d, f, f->dgram_fd, f->ip) != 0 ||
		    recv_add(d, f, f->dgram_bcast_fd, f->bcast) != 0)
			return -1;
	}
	return recv_add(d, NULL, d->wildcard_dgram_fd, 0);
}
