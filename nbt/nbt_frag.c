#include <string.h>
#include <time.h>

#include "nbt_frag.h"

enum codec_error nbt_dgram_fragment(TALLOC_CTX *mem_ctx,
				    const struct nbt_dgram *d,
				    size_t max_payload,
				    struct nbt_packet **packets,
				    size_t *count)
{
	size_t overhead, per, n, off = 0;
	struct nbt_packet *p;
	struct nbt_dgram f;

	if (d == NULL || packets == NULL || count == NULL ||
	    !nbt_dgram_type_is_data(d->type))
		return CODEC_ERR_INVALID_ARGUMENT;
	overhead = NBT_DGRAM_HEADER_LEN + nbt_name_encoded_len(&d->source) +
		   nbt_name_encoded_len(&d->dest);
	if (max_payload <= overhead)
		return CODEC_ERR_INVALID_ARGUMENT;
	if (d->user_data_len > UINT16_MAX)
		return CODEC_ERR_DGRAM_TOO_LARGE;
	per = max_payload - overhead;
	n = d->user_data_len == 0 ? 1 : (d->user_data_len + per - 1) / per;

	p = talloc_zero_array(mem_ctx, struct nbt_packet, n);
	if (p == NULL)
		return CODEC_ERR_NO_MEMORY;
	for (size_t i = 0; i < n; i++) {
		size_t chunk = d->user_data_len - off < per ?
			       d->user_data_len - off : per;
		enum codec_error err;
		uint8_t fm = 0;

		if (i == 0)
			fm |= NBT_DGRAM_FLAG_FIRST;
		if (i + 1 < n)
			fm |= NBT_DGRAM_FLAG_MORE;
		f = *d;
		f.flags = (uint8_t)((d->flags & ~(NBT_DGRAM_FLAG_FIRST |
						  NBT_DGRAM_FLAG_MORE)) | fm);
		f.packet_offset = (uint16_t)off;
		f.user_data = d->user_data ? d->user_data + off : NULL;
		f.user_data_len = chunk;
		p[i].len = nbt_dgram_encoded_len(&f);
		p[i].data = talloc_size(p, p[i].len);
		if (p[i].data == NULL) {
			talloc_free(p);
			return CODEC_ERR_NO_MEMORY;
		}
		err = nbt_dgram_encode(&f, p[i].data, p[i].len, NULL);
		if (err != CODEC_OK) {
			talloc_free(p);
			return err;
		}
		off += chunk;
	}
	*packets = p;
	*count = n;
	return CODEC_OK;
}

void nbt_reasm_limits_default(struct nbt_reasm_limits *lim)
{
	lim->max_pending = 64;
	/* exactly max_pending entries of max_user_data + bitmap */
	lim->max_bytes = 64 * (2048 + 2048 / 8);
	lim->max_user_data = 2048;
	lim->timeout_ms = 2000;
}

struct reasm_entry {
	struct reasm_entry *prev, *next; /* oldest first */
	struct nbt_reasm *owner;
	uint32_t src_ip;
	uint16_t id;
	uint64_t deadline_ms;
	struct nbt_dgram head;	/* header fields and names; no data */
	bool have_first;
	bool have_last;
	size_t total;		/* valid once have_last */
	size_t high;		/* one past the highest byte received */
	uint8_t *data;		/* max_user_data bytes */
	uint8_t *seen;		/* one bit per byte of data */
};

struct nbt_reasm {
	struct nbt_reasm_limits lim;
	struct reasm_entry *oldest, *newest;
	struct nbt_reasm_stats stats;
};

static size_t entry_cost(const struct nbt_reasm *r)
{
	return r->lim.max_user_data + (r->lim.max_user_data + 7) / 8;
}

/* Unlinking in the destructor keeps the table right however it is freed. */
static int reasm_entry_destructor(struct reasm_entry *e)
{
	struct nbt_reasm *r = e->owner;

	if (e->prev)
		e->prev->next = e->next;
	else
		r->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		r->newest = e->prev;
	r->stats.pending--;
	r->stats.bytes -= entry_cost(r);
	return 0;
}

struct nbt_reasm *nbt_reasm_create(TALLOC_CTX *mem_ctx,
				   const struct nbt_reasm_limits *lim)
{
	struct nbt_reasm *r = talloc_zero(mem_ctx, struct nbt_reasm);

	if (r == NULL)
		return NULL;
	if (lim != NULL)
		r->lim = *lim;
	else
		nbt_reasm_limits_default(&r->lim);
	if (r->lim.max_user_data > UINT16_MAX)
		r->lim.max_user_data = UINT16_MAX;
	return r;
}

size_t nbt_reasm_expire(struct nbt_reasm *r, uint64_t now_ms)
{
	size_t n = 0;

	/* Entries are in arrival order, so deadlines are ascending. */
	while (r->oldest != NULL && r->oldest->deadline_ms <= now_ms) {
		talloc_free(r->oldest);
		r->stats.expired++;
		n++;
	}
	return n;
}

static struct reasm_entry *entry_find(struct nbt_reasm *r, uint32_t ip,
				      uint16_t id)
{
	for (struct reasm_entry *e = r->oldest; e != NULL; e = e->next) {
		if (e->src_ip == ip && e->id == id)
			return e;
	}
	return NULL;
}

static struct reasm_entry *entry_create(struct nbt_reasm *r,
					const struct nbt_dgram *frag,
					uint64_t now_ms)
{
	struct reasm_entry *e;

	if (r->stats.pending >= r->lim.max_pending ||
	    r->stats.bytes + entry_cost(r) > r->lim.max_bytes)
		return NULL;
	e = talloc_zero(r, struct reasm_entry);
	if (e == NULL)
		return NULL;
	e->data = talloc_zero_size(e, r->lim.max_user_data);
	e->seen = talloc_zero_size(e, (r->lim.max_user_data + 7) / 8);
	if (e->data == NULL || e->seen == NULL) {
		talloc_free(e);
		return NULL;
	}
	e->owner = r;
	e->src_ip = frag->src_ip;
	e->id = frag->id;
	e->deadline_ms = now_ms + r->lim.timeout_ms;
	e->head = *frag;
	e->head.user_data = NULL;
	e->head.user_data_len = 0;
	e->prev = r->newest;
	if (r->newest)
		r->newest->next = e;
	else
		r->oldest = e;
	r->newest = e;
	r->stats.pending++;
	r->stats.bytes += entry_cost(r);
	talloc_set_destructor(e, reasm_entry_destructor);
	return e;
}

static bool bit_get(const uint8_t *bits, size_t i)
{
	return bits[i / 8] & (1u << (i % 8));
}

static void bit_set(uint8_t *bits, size_t i)
{
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static bool entry_complete(const struct reasm_entry *e)
{
	if (!e->have_first || !e->have_last)
		return false;
	for (size_t i = 0; i < e->total; i++) {
		if (!bit_get(e->seen, i))
			return false;
	}
	return true;
}

/* Store a fragment's bytes; identical overlap is fine, different is not. */
static enum codec_error entry_store(struct reasm_entry *e,
				    const struct nbt_dgram *frag)
{
	size_t off = frag->packet_offset, len = frag->user_data_len;
	bool first = frag->flags & NBT_DGRAM_FLAG_FIRST;
	bool last = !(frag->flags & NBT_DGRAM_FLAG_MORE);

	if (first && off != 0)
		return CODEC_ERR_FRAG_BAD_FIRST;
	if (!nbt_name_equal(&frag->source, &e->head.source) ||
	    !nbt_name_equal(&frag->dest, &e->head.dest))
		return CODEC_ERR_FRAG_NAME_MISMATCH;
	for (size_t i = 0; i < len; i++) {
		if (bit_get(e->seen, off + i) &&
		    e->data[off + i] != frag->user_data[i])
			return CODEC_ERR_FRAG_CONFLICT;
	}
	if (last) {
		if (e->have_last && e->total != off + len)
			return CODEC_ERR_FRAG_CONFLICT;
		if (e->high > off + len)
			return CODEC_ERR_FRAG_CONFLICT;
		e->have_last = true;
		e->total = off + len;
	} else if (e->have_last && off + len > e->total) {
		return CODEC_ERR_FRAG_CONFLICT;
	}
	if (first) {
		e->have_first = true;
		e->head.flags = frag->flags; /* node type of the first */
		e->head.src_port = frag->src_port;
		e->head.type = frag->type;
	}
	memcpy(e->data + off, frag->user_data, len);
	for (size_t i = 0; i < len; i++)
		bit_set(e->seen, off + i);
	if (off + len > e->high)
		e->high = off + len;
	return CODEC_OK;
}

static enum codec_error entry_finish(struct nbt_reasm *r,
				     struct reasm_entry *e,
				     TALLOC_CTX *mem_ctx,
				     struct nbt_dgram **complete)
{
	struct nbt_dgram *d = talloc(mem_ctx, struct nbt_dgram);

	if (d == NULL)
		return CODEC_ERR_NO_MEMORY;
	*d = e->head;
	d->flags = (uint8_t)((e->head.flags & ~NBT_DGRAM_FLAG_MORE) |
			     NBT_DGRAM_FLAG_FIRST);
	d->packet_offset = 0;
	d->user_data_len = e->total;
	d->user_data = talloc_memdup(d, e->data, e->total ? e->total : 1);
	if (d->user_data == NULL) {
		talloc_free(d);
		return CODEC_ERR_NO_MEMORY;
	}
	d->dgm_length = (uint16_t)nbt_dgram_computed_length(d);
	talloc_free(e);
	r->stats.completed++;
	*complete = d;
	return CODEC_OK;
}

enum codec_error nbt_reasm_add(struct nbt_reasm *r,
			       const struct nbt_dgram *frag, uint64_t now_ms,
			       TALLOC_CTX *mem_ctx,
			       struct nbt_dgram **complete)
{
	struct reasm_entry *e;
	enum codec_error err;

	if (r == NULL || frag == NULL || complete == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	*complete = NULL;
	if (!nbt_dgram_type_is_data(frag->type) || !nbt_dgram_is_fragment(frag))
		return CODEC_ERR_FRAG_NOT_A_FRAGMENT;
	nbt_reasm_expire(r, now_ms);
	if ((size_t)frag->packet_offset + frag->user_data_len >
	    r->lim.max_user_data) {
		r->stats.dropped_too_large++;
		return CODEC_ERR_FRAG_TOO_LARGE;
	}
	e = entry_find(r, frag->src_ip, frag->id);
	if (e == NULL) {
		e = entry_create(r, frag, now_ms);
		if (e == NULL) {
			r->stats.dropped_full++;
			return CODEC_ERR_FRAG_TABLE_FULL;
		}
	}
	err = entry_store(e, frag);
	if (err != CODEC_OK) {
		/* A datagram with inconsistent parts cannot be trusted. */
		talloc_free(e);
		r->stats.dropped_conflict++;
		return err;
	}
	if (!entry_complete(e))
		return CODEC_OK;
	return entry_finish(r, e, mem_ctx, complete);
}

void nbt_reasm_get_stats(const struct nbt_reasm *r,
			 struct nbt_reasm_stats *stats)
{
	*stats = r->stats;
}

uint64_t nbt_reasm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
