/*
 * What mailslotd's receive path does (tools/mailslotd/recv.c), for one
 * process without the daemon: socket -> datagram -> fragments -> one of
 * our names -> SMB mailslot write -> one of our mailslots.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot_dgram.h"
#include "standalone_recv.h"

#define RECV_BUF 65536	/* no UDP payload is larger */
#define RECV_BATCH 64	/* datagrams per wake-up before looking at the time */

struct standalone_recv {
	int fd;			/* ip:port; we also send from it */
	int bcast_fd;		/* broadcast:port, or -1 */
	uint32_t ip, bcast;
	uint16_t port;
	uint16_t next_id;
	struct nbt_reasm *reasm;
	struct nbt_name names[STANDALONE_MAX_NAMES];
	size_t nnames;
	const char *slots[STANDALONE_MAX_SLOTS];
	size_t nslots;
	uint8_t *buf;
	char where[64];
};

static int standalone_recv_destructor(struct standalone_recv *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->bcast_fd >= 0)
		close(s->bcast_fd);
	return 0;
}

static void bind_error(const char *tool, uint32_t ip, uint16_t port, int e)
{
	struct in_addr a = { .s_addr = htonl(ip) };
	const char *why = "";

	if (e == EACCES)
		why = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
	else if (e == EADDRINUSE)
		why = " (another program holds it and does not share it)";
	else if (e == EADDRNOTAVAIL)
		why = " (is it an address of this host?)";
	fprintf(stderr, "mailslot %s: cannot bind %s:%u: %s%s; use --port N "
		"for a free port, or run mailslotd and leave out "
		"--standalone\n", tool, inet_ntoa(a), port, strerror(e), why);
}

/* As mailslotd's udp_bind: shared, broadcast-capable. */
static int udp_bind(const char *tool, uint32_t ip, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(ip),
	};
	int one = 1, fd, e;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "mailslot %s: socket: %s\n", tool,
			strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return fd;
	e = errno;
	close(fd);
	bind_error(tool, ip, port, e);
	return -1;
}

struct standalone_recv *standalone_recv_open(TALLOC_CTX *mem_ctx,
					     const char *tool, uint32_t ip,
					     uint32_t mask, uint16_t port)
{
	struct standalone_recv *s = talloc_zero(mem_ctx,
						struct standalone_recv);
	struct in_addr a, b;
	char as[INET_ADDRSTRLEN], bs[INET_ADDRSTRLEN];

	if (s == NULL)
		return NULL;
	s->fd = s->bcast_fd = -1;
	talloc_set_destructor(s, standalone_recv_destructor);
	s->ip = ip;
	s->bcast = ip | ~mask;
	s->port = port ? port : NBT_DGRAM_PORT;
	s->next_id = (uint16_t)(getpid() * 40503u);
	s->buf = talloc_size(s, RECV_BUF);
	s->reasm = nbt_reasm_create(s, NULL);
	if (s->buf == NULL || s->reasm == NULL) {
		talloc_free(s);
		return NULL;
	}
	s->fd = udp_bind(tool, s->ip, s->port);
	/* a /32 has no broadcast address of its own */
	if (s->fd >= 0 && s->bcast != s->ip)
		s->bcast_fd = udp_bind(tool, s->bcast, s->port);
	if (s->fd < 0 || (s->bcast != s->ip && s->bcast_fd < 0)) {
		talloc_free(s);
		return NULL;
	}
	a.s_addr = htonl(s->ip);
	b.s_addr = htonl(s->bcast);
	inet_ntop(AF_INET, &a, as, sizeof(as));
	inet_ntop(AF_INET, &b, bs, sizeof(bs));
	if (s->bcast_fd >= 0)
		snprintf(s->where, sizeof(s->where), "%s:%u and %s:%u", as,
			 s->port, bs, s->port);
	else
		snprintf(s->where, sizeof(s->where), "%s:%u", as, s->port);
	return s;
}

bool standalone_recv_add_name(struct standalone_recv *s,
			      const struct nbt_name *n)
{
	if (s->nnames == STANDALONE_MAX_NAMES)
		return false;
	s->names[s->nnames++] = *n;
	return true;
}

bool standalone_recv_add_slot(struct standalone_recv *s, const char *slot)
{
	if (s->nslots == STANDALONE_MAX_SLOTS)
		return false;
	s->slots[s->nslots++] = slot;
	return true;
}

const char *standalone_recv_where(const struct standalone_recv *s)
{
	return s->where;
}

/* As mailslotd_name_is_ours(): one of ours, or "*" in a BROADCAST. */
static bool name_heard(const struct standalone_recv *s,
		       const struct nbt_name *n, uint8_t type)
{
	if (type == NBT_DGRAM_BROADCAST && nbt_name_is_wildcard(n))
		return true;
	for (size_t i = 0; i < s->nnames; i++) {
		if (nbt_name_equal(&s->names[i], n))
			return true;
	}
	return false;
}

/* A whole datagram: is it for us, and a write to one of our slots? */
static bool hand_over(struct standalone_recv *s, const struct nbt_dgram *dg,
		      standalone_recv_fn fn, void *priv)
{
	struct smb_mailslot_write w;
	struct standalone_dgram m;

	if (!name_heard(s, &dg->dest, dg->type) ||
	    smb_mailslot_decode(dg->user_data, dg->user_data_len, &w) !=
	    CODEC_OK) {
		return false;
	}
	for (size_t i = 0; i < s->nslots; i++) {
		if (!smb_mailslot_name_equal(w.name, w.name_len, s->slots[i],
					     strlen(s->slots[i])))
			continue;
		m.slot = w.name;
		m.slot_len = w.name_len;
		m.data = w.data;
		m.data_len = w.data_len;
		fn(&m, priv);
		return true;
	}
	return false;
}

static bool recv_one(struct standalone_recv *s, size_t len,
		     standalone_recv_fn fn, void *priv)
{
	struct nbt_dgram dg, *whole = NULL;
	TALLOC_CTX *pool;
	bool handed;

	if (nbt_dgram_decode(s->buf, len, &dg) != CODEC_OK ||
	    !nbt_dgram_type_is_data(dg.type)) {
		return false;
	}
	if (!nbt_dgram_is_fragment(&dg))
		return hand_over(s, &dg, fn, priv);
	/* the reassembled datagram lives until it is handed over */
	pool = talloc_pool(s, 4096);
	if (pool == NULL) {
		return false;
	}
	/* a refused fragment is dropped like any other stranger */
	(void)nbt_reasm_add(s->reasm, &dg, nbt_reasm_now_ms(), pool, &whole);
	handed = whole != NULL &&
		 hand_over(s, whole, fn, priv);
	talloc_free(pool);
	return handed;
}

int standalone_recv_poll(struct standalone_recv *s, uint32_t timeout_ms,
			 standalone_recv_fn fn, void *priv)
{
	uint64_t now = nbt_reasm_now_ms(), end = now + timeout_ms;

	do {
		struct pollfd p[2] = {
			{ .fd = s->fd, .events = POLLIN },
			{ .fd = s->bcast_fd, .events = POLLIN },
		};
		int r = poll(p, s->bcast_fd >= 0 ? 2 : 1,
			     end - now > INT_MAX ? INT_MAX : (int)(end - now));

		if (r < 0)
			return errno == EINTR ? 0 : -1;
		for (int i = 0; i < 2 && r > 0; i++) {
			if (p[i].revents == 0)
				continue;
			/* bounded: a flood cannot keep us from the clock */
			for (int k = 0; k < RECV_BATCH; k++) {
				ssize_t n = recv(p[i].fd, s->buf, RECV_BUF,
						 MSG_DONTWAIT);

				if (n < 0)
					break;
				if (recv_one(s, (size_t)n, fn, priv))
					return 1;
			}
		}
		now = nbt_reasm_now_ms();
	} while (now < end);
	return 0;
}

int standalone_recv_send(struct standalone_recv *s, const char *src,
			 const char *dest, uint8_t suffix, bool group,
			 const char *slot, enum smb_mailslot_layout layout,
			 const uint8_t *data, size_t len)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(s->port),
		.sin_addr.s_addr = htonl(s->bcast),
	};
	uint8_t pkt[SMB_MAILSLOT_DGRAM_MAX];
	size_t plen;

	smb_mailslot_write_init(&w, layout);
	w.name = slot;
	w.name_len = strlen(slot);
	w.data = data;
	w.data_len = len;
	nbt_dgram_init(&d, group ? NBT_DGRAM_DIRECT_GROUP
				 : NBT_DGRAM_DIRECT_UNIQUE,
		       NBT_NODE_B, s->next_id++, s->ip, s->port);
	if (nbt_name_make(&d.source, src, 0x00, NULL) != CODEC_OK ||
	    nbt_name_make(&d.dest, dest, suffix, NULL) != CODEC_OK ||
	    smb_mailslot_dgram_encode(&d, &w, pkt, sizeof(pkt), &plen) !=
	    CODEC_OK) {
		errno = EINVAL;
		return -1;
	}
	return sendto(s->fd, pkt, plen, 0, (struct sockaddr *)&to,
		      sizeof(to)) == (ssize_t)plen ? 0 : -1;
}
