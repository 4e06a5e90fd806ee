/*
 * IPv4 fragment reassembly for capture analysis, bounded in datagrams,
 * bytes and capture time.  Fragments may arrive in any order; overlaps
 * take the newest bytes (captures rarely hold conflicting overlaps, and
 * we only need a faithful view, not a defence).
 */
#include <string.h>

#include "nbt/byteorder.h"
#include "capture.h"

#define IP_MAX 65535
#define BLOCKS ((IP_MAX + 7) / 8)	/* 8-byte fragment units */

struct ipfrag_entry {
	bool used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint64_t first_ms;
	size_t total;		/* payload length; 0 until the last arrives */
	uint16_t nfrags;
	uint8_t *buf;		/* talloc; cap bytes */
	size_t cap;
	uint8_t have[BLOCKS / 8 + 1];	/* bitmap of 8-byte blocks */
};

struct capture_ipfrag {
	struct capture_limits lim;
	struct ipfrag_entry *e;	/* lim.max_pending entries */
	size_t bytes;
	uint64_t expired, dropped;
	uint8_t *done;		/* last completed datagram's bytes */
};

struct capture_ipfrag *capture_ipfrag_create(TALLOC_CTX *mem_ctx,
					     const struct capture_limits *lim)
{
	struct capture_ipfrag *r = talloc_zero(mem_ctx, struct capture_ipfrag);

	if (r == NULL)
		return NULL;
	r->lim = *lim;
	r->e = talloc_zero_array(r, struct ipfrag_entry, lim->max_pending);
	if (r->e == NULL && lim->max_pending > 0) {
		talloc_free(r);
		return NULL;
	}
	return r;
}

static void entry_free(struct capture_ipfrag *r, struct ipfrag_entry *e)
{
	r->bytes -= e->cap;
	talloc_free(e->buf);
	memset(e, 0, sizeof(*e));
}

static void expire(struct capture_ipfrag *r, uint64_t now_ms)
{
	for (size_t i = 0; i < r->lim.max_pending; i++) {
		struct ipfrag_entry *e = &r->e[i];
		/* a clock going backwards (merged files) expires nothing */
		if (e->used && now_ms > e->first_ms &&
		    now_ms - e->first_ms > r->lim.timeout_ms) {
			entry_free(r, e);
			r->expired++;
		}
	}
}

static struct ipfrag_entry *lookup(struct capture_ipfrag *r,
				   const uint8_t *ip, uint64_t now_ms)
{
	uint32_t src = get_be32(ip + 12), dst = get_be32(ip + 16);
	uint16_t id = get_be16(ip + 4);
	struct ipfrag_entry *free_e = NULL, *oldest = NULL;

	for (size_t i = 0; i < r->lim.max_pending; i++) {
		struct ipfrag_entry *e = &r->e[i];
		if (!e->used) {
			if (free_e == NULL)
				free_e = e;
			continue;
		}
		if (e->src == src && e->dst == dst && e->id == id &&
		    e->proto == ip[9])
			return e;
		if (oldest == NULL || e->first_ms < oldest->first_ms)
			oldest = e;
	}
	if (free_e == NULL) {
		if (oldest == NULL)
			return NULL;
		entry_free(r, oldest);	/* table full: the oldest goes */
		r->dropped++;
		free_e = oldest;
	}
	free_e->used = true;
	free_e->src = src;
	free_e->dst = dst;
	free_e->id = id;
	free_e->proto = ip[9];
	free_e->first_ms = now_ms;
	return free_e;
}

static bool complete(const struct ipfrag_entry *e)
{
	size_t blocks = (e->total + 7) / 8;

	if (e->total == 0)
		return false;
	for (size_t b = 0; b < blocks; b++) {
		if (!(e->have[b / 8] & (1u << (b % 8))))
			return false;
	}
	return true;
}

bool capture_ipfrag_add(struct capture_ipfrag *r, const uint8_t *ip,
			size_t off, bool more, const uint8_t *data, size_t len,
			uint64_t now_ms, const uint8_t **payload, size_t *plen,
			uint16_t *nfrags)
{
	struct ipfrag_entry *e;
	size_t end = off + len;

	talloc_free(r->done);
	r->done = NULL;
	expire(r, now_ms);
	/* a middle fragment must fill whole 8-byte units */
	if (end > IP_MAX || (more && len % 8 != 0) || len == 0) {
		r->dropped++;
		return false;
	}
	e = lookup(r, ip, now_ms);
	if (e == NULL)
		return false;
	if (end > e->cap) {
		size_t grow = end - e->cap;
		uint8_t *nb;
		if (r->bytes + grow > r->lim.max_bytes)
			goto drop;
		nb = talloc_realloc(r, e->buf, uint8_t, end);
		if (nb == NULL)
			goto drop;
		e->buf = nb;
		r->bytes += grow;
		e->cap = end;
	}
	if (!more) {
		/* a second, different end contradicts the first */
		if (e->total != 0 && e->total != end)
			goto drop;
		e->total = end;
	}
	memcpy(e->buf + off, data, len);
	for (size_t b = off / 8; b < (end + 7) / 8; b++)
		e->have[b / 8] |= (uint8_t)(1u << (b % 8));
	e->nfrags++;
	if (!complete(e) || e->cap < e->total)
		return false;
	/* hand the buffer over; it lives until the next call */
	r->done = e->buf;
	*payload = e->buf;
	*plen = e->total;
	*nfrags = e->nfrags;
	r->bytes -= e->cap;
	memset(e, 0, sizeof(*e));
	return true;
drop:
	entry_free(r, e);
	r->dropped++;
	return false;
}

void capture_ipfrag_counts(const struct capture_ipfrag *r,
			   uint64_t *expired, uint64_t *dropped,
			   size_t *pending, size_t *bytes)
{
	size_t n = 0;

	for (size_t i = 0; i < r->lim.max_pending; i++)
		n += r->e[i].used;
	*expired = r->expired;
	*dropped = r->dropped;
	*pending = n;
	*bytes = r->bytes;
}
