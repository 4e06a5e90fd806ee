/*
 * dcping without mailslotd: send the datagrams from our own UDP socket
 * (an ephemeral port on --interface) and read the replies on it.  nmbd
 * answers to the UDP source port of the request, so this works
 * unprivileged; a DC that answers to port 138 is not heard (see
 * docs/dcping.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dcping.h"
#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot_dgram.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One NETLOGON message as a datagram to NAME<suffix>, Samba's layout. */
static int send_one(int fd, const struct dcping_opts *o, uint16_t port_src,
		    const char *dest, uint8_t suffix, bool group,
		    const uint8_t *msg, size_t mlen)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint8_t pkt[1400];	/* a long --user may pass Windows' 512 */
	size_t plen;
	uint32_t bcast = o->interface_ip | ~o->interface_mask;
	static uint16_t id = 0x7100;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	w.name = NETLOGON_MAILSLOT;
	w.name_len = strlen(NETLOGON_MAILSLOT);
	w.data = msg;
	w.data_len = mlen;
	nbt_dgram_init(&d, group ? NBT_DGRAM_DIRECT_GROUP
				 : NBT_DGRAM_DIRECT_UNIQUE,
		       NBT_NODE_B, id++, o->interface_ip, port_src);
	if (nbt_name_make(&d.source, o->computer, 0x00, "") != CODEC_OK ||
	    nbt_name_make(&d.dest, dest, suffix, "") != CODEC_OK ||
	    smb_mailslot_dgram_encode(&d, &w, pkt, sizeof(pkt), &plen) !=
	    CODEC_OK)
		return -1;
	to.sin_port = htons(o->port ? o->port : NBT_DGRAM_PORT);
	to.sin_addr.s_addr = htonl(o->dc_ip ? o->dc_ip : bcast);
	return sendto(fd, pkt, plen, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)plen ? 0 : -1;
}

static int open_socket(const struct dcping_opts *o, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* bind the interface address so replies to it reach us */
	a.sin_addr.s_addr = htonl(o->interface_ip);
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Replies: a datagram whose mailslot is our reply slot. */
static bool reply_of(const uint8_t *pkt, size_t len,
		     const struct dcping_requests *r, const uint8_t **msg,
		     size_t *mlen)
{
	struct nbt_dgram d;
	struct smb_mailslot_write w;

	if (nbt_dgram_decode(pkt, len, &d) != CODEC_OK ||
	    !nbt_dgram_type_is_data(d.type) || nbt_dgram_is_fragment(&d) ||
	    smb_mailslot_decode(d.user_data, d.user_data_len, &w) != CODEC_OK ||
	    !smb_mailslot_name_equal(w.name, w.name_len, r->reply_slot,
				     strlen(r->reply_slot)))
		return false;
	*msg = w.data;
	*mlen = w.data_len;
	return true;
}

int dcping_standalone(TALLOC_CTX *ctx, const struct dcping_opts *o,
		      const struct dcping_requests *r)
{
	uint16_t port = 0;
	uint64_t end;
	int fd, n = 0, rc = 0;
	const char *dest = o->dc_name ? o->dc_name : o->domain;
	bool direct = o->dc_ip != 0;

	(void)ctx;
	fd = open_socket(o, &port);
	if (fd < 0) {
		fprintf(stderr, "mailslot dcping: socket: %s\n",
			strerror(errno));
		return -1;
	}
	/* --dc IP: DIRECT_UNIQUE to the host's <00>; else the domain names */
	if (direct)
		rc = send_one(fd, o, port, dest, 0x00, false, r->query,
			      r->query_len) |
		     send_one(fd, o, port, dest, 0x00, false, r->sam,
			      r->sam_len);
	else
		rc = send_one(fd, o, port, dest, 0x1b, false, r->query,
			      r->query_len) |
		     send_one(fd, o, port, dest, 0x1c, true, r->query,
			      r->query_len) |
		     send_one(fd, o, port, dest, 0x1c, true, r->sam,
			      r->sam_len);
	if (rc != 0) {
		fprintf(stderr, "mailslot dcping: send: %s\n",
			strerror(errno));
		close(fd);
		return -1;
	}
	end = now_ms() + o->wait_ms;
	/* bounded by the wait: each pass either reads or times out */
	for (uint64_t t = now_ms(); t < end; t = now_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		uint8_t pkt[2048];
		const uint8_t *msg;
		size_t mlen;
		ssize_t got;

		if (poll(&p, 1, (int)(end - t)) <= 0)
			continue;
		got = recvfrom(fd, pkt, sizeof(pkt), 0,
			       (struct sockaddr *)&from, &flen);
		if (got <= 0 || !reply_of(pkt, (size_t)got, r, &msg, &mlen))
			continue;
		if (dcping_print_reply(o, msg, mlen,
				       ntohl(from.sin_addr.s_addr), n == 0))
			n++;
	}
	close(fd);
	return n;
}
