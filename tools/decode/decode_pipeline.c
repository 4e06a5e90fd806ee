/* Frame -> UDP -> NBT datagram (reassembled) -> mailslot write -> payload. */
#include <string.h>

#include "nbt/byteorder.h"
#include "nbt/nbt_frag.h"
#include "decode_payload.h"

#define NBNS_PORT 137
#define SMB_HEADER_LEN 32

struct decode_ctx {
	struct decode_opts o;
	struct capture *cap;
	struct nbt_reasm *reasm;
	TALLOC_CTX *whole_ctx;	/* the last reassembled datagram */
	void *msg;		/* payload message, reused */
	struct decode_dgram r;
	uint64_t nbt_fragments;
};

void decode_opts_default(struct decode_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ports[0] = NBT_DGRAM_PORT;
	o->nports = 1;
	o->payloads = true;
}

const char *decode_status_name(enum decode_status s)
{
	switch (s) {
	case DECODE_OK: return "ok";
	case DECODE_MALFORMED: return "malformed";
	case DECODE_TRUNCATED: return "truncated";
	case DECODE_FRAGMENT: return "fragment";
	}
	return "unknown";
}

struct decode_ctx *decode_ctx_create(TALLOC_CTX *mem_ctx,
				     const struct decode_opts *o, int dlt)
{
	struct decode_ctx *c = talloc_zero(mem_ctx, struct decode_ctx);
	size_t msg = decode_payload_max_msg();

	if (c == NULL)
		return NULL;
	c->o = *o;
	c->cap = capture_create(c, dlt, NULL);
	c->reasm = nbt_reasm_create(c, NULL);
	c->msg = talloc_zero_size(c, msg ? msg : 1);
	if (c->cap == NULL || c->reasm == NULL || c->msg == NULL) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

void decode_ctx_set_dlt(struct decode_ctx *c, int dlt)
{
	capture_set_dlt(c->cap, dlt);
}

static bool is_port(const struct decode_ctx *c, uint16_t port)
{
	for (size_t i = 0; i < c->o.nports; i++) {
		if (c->o.ports[i] == port)
			return true;
	}
	return false;
}

/* Ours when a datagram port is on either side, unless NBNS claims it
 * (tshark tries the lower port first). */
static bool wanted(const struct decode_ctx *c, const struct capture_udp *u)
{
	uint16_t low = u->src_port < u->dst_port ? u->src_port : u->dst_port;

	if (!is_port(c, u->src_port) && !is_port(c, u->dst_port))
		return false;
	return low != NBNS_PORT || is_port(c, NBNS_PORT);
}

/* What a datagram that nbt_dgram_decode() refused still shows. */
static void partial_header(struct decode_dgram *r, const uint8_t *p,
			   size_t len)
{
	size_t off = NBT_DGRAM_HEADER_LEN, used;

	if (len < NBT_DGRAM_PREFIX_LEN)
		return;
	r->have_header = true;
	r->d.type = p[0];
	r->d.flags = p[1];
	r->d.id = get_be16(p + 2);
	r->d.src_ip = get_be32(p + 4);
	r->d.src_port = get_be16(p + 8);
	if (!nbt_dgram_type_is_data(p[0]) || len < NBT_DGRAM_HEADER_LEN)
		return;
	r->have_lengths = true;
	r->d.dgm_length = get_be16(p + 10);
	r->d.packet_offset = get_be16(p + 12);
	if (nbt_name_decode(p + off, len - off, &r->d.source, &used) !=
	    CODEC_OK)
		return;
	r->have_source = true;
	off += used;
	r->have_dest = nbt_name_decode(p + off, len - off, &r->d.dest,
				       &used) == CODEC_OK;
}

static void decode_payload(struct decode_ctx *c, struct decode_dgram *r)
{
	const struct decode_payload_hook *h;

	h = decode_payload_find(r->w.name, r->w.name_len);
	r->hook = h;
	if (h == NULL || h->decode == NULL || !c->o.payloads)
		return;
	/* no memset here: every codec zeroes its message itself */
	r->payload_err = h->decode(r->w.data, r->w.data_len, r->w.name,
				   r->w.name_len, c->msg);
	r->payload_ok = r->payload_err == CODEC_OK;
	r->msg = r->payload_ok ? c->msg : NULL;
}

static void decode_smb(struct decode_ctx *c, struct decode_dgram *r)
{
	const struct nbt_dgram *d = decode_dgram_whole(r);
	enum codec_error err;

	if (!nbt_dgram_type_is_data(d->type))
		return;
	err = smb_mailslot_decode(d->user_data, d->user_data_len, &r->w);
	/* an SMB that is not a valid mailslot write still shows its header */
	if (d->user_data_len >= SMB_HEADER_LEN &&
	    memcmp(d->user_data, "\xffSMB", 4) == 0) {
		r->smb = d->user_data;
		r->smb_len = d->user_data_len;
	}
	if (err != CODEC_OK) {
		r->err = err;
		r->status = r->udp.truncated ? DECODE_TRUNCATED
					     : DECODE_MALFORMED;
		return;
	}
	r->has_smb = true;
	decode_payload(c, r);
}

static void decode_nbt(struct decode_ctx *c, struct decode_dgram *r)
{
	const uint8_t *p = r->udp.payload;
	struct nbt_dgram *whole = NULL;
	enum codec_error err;

	err = nbt_dgram_decode(p, r->udp.len, &r->d);
	if (err != CODEC_OK) {
		r->err = err;
		r->status = r->udp.truncated ? DECODE_TRUNCATED
					     : DECODE_MALFORMED;
		memset(&r->d, 0, sizeof(r->d));
		partial_header(r, p, r->udp.len);
		return;
	}
	r->have_header = r->have_lengths = true;
	r->have_source = r->have_dest = nbt_dgram_type_is_data(r->d.type);
	r->have_dest |= r->d.type > NBT_DGRAM_ERROR;
	r->have_lengths = nbt_dgram_type_is_data(r->d.type);
	if (nbt_dgram_type_is_data(r->d.type) && nbt_dgram_is_fragment(&r->d)) {
		uint64_t now_ms = (uint64_t)r->ts.tv_sec * 1000 +
				  (uint64_t)r->ts.tv_usec /
					  (r->ts_nsec ? 1000000 : 1000);
		r->nbt_fragment = true;
		c->nbt_fragments++;
		if (r->udp.truncated) {
			r->status = DECODE_TRUNCATED;
			return;
		}
		talloc_free(c->whole_ctx);
		c->whole_ctx = talloc_new(c);
		nbt_reasm_expire(c->reasm, now_ms);
		err = nbt_reasm_add(c->reasm, &r->d, now_ms, c->whole_ctx,
				    &whole);
		if (err != CODEC_OK || whole == NULL) {
			r->err = err;
			r->status = DECODE_FRAGMENT;
			return;
		}
		r->whole = whole;
	}
	decode_smb(c, r);
	if (r->status == DECODE_OK && r->udp.truncated)
		r->status = DECODE_TRUNCATED;
	if (r->status == DECODE_OK && r->udp.bad_length)
		r->status = DECODE_MALFORMED;
}

bool decode_frame(struct decode_ctx *c, uint64_t frame_no,
		  const struct timeval *ts, bool ts_nsec,
		  const uint8_t *data, size_t caplen,
		  const struct decode_dgram **out)
{
	struct decode_dgram *r = &c->r;
	uint64_t ms = (uint64_t)ts->tv_sec * 1000 +
		      (uint64_t)ts->tv_usec / (ts_nsec ? 1000000 : 1000);
	enum capture_status st;

	r->frame = frame_no;
	st = capture_frame(c->cap, data, caplen, ms, &r->udp);
	if (st != CAPTURE_UDP || !wanted(c, &r->udp))
		return false;
	/* reset all but the UDP view just filled in */
	r->ts = *ts;
	r->ts_nsec = ts_nsec;
	r->status = DECODE_OK;
	r->err = CODEC_OK;
	r->have_header = r->have_lengths = false;
	r->have_source = r->have_dest = false;
	r->nbt_fragment = false;
	r->whole = NULL;
	r->has_smb = false;
	r->smb = NULL;
	r->smb_len = 0;
	r->hook = NULL;
	r->payload_ok = false;
	r->payload_err = CODEC_OK;
	r->msg = NULL;
	decode_nbt(c, r);
	*out = r;
	return true;
}

void decode_get_counts(const struct decode_ctx *c, struct decode_counts *n)
{
	struct nbt_reasm_stats rs;

	capture_get_stats(c->cap, &n->capture);
	nbt_reasm_get_stats(c->reasm, &rs);
	n->nbt_fragments = c->nbt_fragments;
	n->nbt_reassembled = rs.completed;
	n->nbt_frag_dropped = rs.expired + rs.dropped_full +
			      rs.dropped_conflict + rs.dropped_too_large;
}
