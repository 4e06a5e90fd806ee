/* Bounds-checked reads and counting writes for the NETLOGON codec. */
#include <string.h>

#include "netlogon_private.h"

enum codec_error nl_get_bytes(struct nl_reader *r, size_t n,
			      const uint8_t **p)
{
	if (nl_left(r) < n)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	*p = r->buf + r->pos;
	r->pos += n;
	return CODEC_OK;
}

enum codec_error nl_get_u8(struct nl_reader *r, uint8_t *v)
{
	const uint8_t *p;
	enum codec_error e = nl_get_bytes(r, 1, &p);

	if (e == CODEC_OK)
		*v = p[0];
	return e;
}

enum codec_error nl_get_u16(struct nl_reader *r, uint16_t *v)
{
	const uint8_t *p;
	enum codec_error e = nl_get_bytes(r, 2, &p);

	if (e == CODEC_OK)
		*v = (uint16_t)(p[0] | p[1] << 8);
	return e;
}

enum codec_error nl_get_u32(struct nl_reader *r, uint32_t *v)
{
	const uint8_t *p;
	enum codec_error e = nl_get_bytes(r, 4, &p);

	if (e == CODEC_OK)
		*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return e;
}

enum codec_error nl_get_u32_be(struct nl_reader *r, uint32_t *v)
{
	const uint8_t *p;
	enum codec_error e = nl_get_bytes(r, 4, &p);

	if (e == CODEC_OK)
		*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return e;
}

enum codec_error nl_get_ascii(struct nl_reader *r, struct netlogon_str *s)
{
	const uint8_t *start = r->buf + r->pos;
	const uint8_t *nul = memchr(start, 0, nl_left(r));

	if (nul == NULL)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	s->p = start;
	s->len = (size_t)(nul - start);
	r->pos += s->len + 1;
	return CODEC_OK;
}

/* UTF-16LE up to a 0x0000 unit; units counted from the string's start. */
enum codec_error nl_get_utf16(struct nl_reader *r, struct netlogon_str *s)
{
	size_t n = nl_left(r) / 2;
	const uint8_t *start = r->buf + r->pos;

	for (size_t i = 0; i < n; i++) {
		if (start[2 * i] == 0 && start[2 * i + 1] == 0) {
			s->p = start;
			s->len = 2 * i;
			r->pos += 2 * i + 2;
			return CODEC_OK;
		}
	}
	return CODEC_ERR_PAYLOAD_TRUNCATED;
}

enum codec_error nl_align(struct nl_reader *r, size_t n)
{
	size_t pad = (n - r->pos % n) % n;
	const uint8_t *p;

	return nl_get_bytes(r, pad, &p);
}

enum codec_error nl_get_dns(struct nl_reader *r, struct netlogon_dns_name *n)
{
	size_t consumed = 0;
	enum codec_error e = nl_dns_walk(r->buf, r->len, r->pos, NULL, 0,
					 NULL, &consumed);

	if (e != CODEC_OK)
		return e;
	n->msg = r->buf;
	n->msg_len = r->len;
	n->offset = r->pos;
	n->text = NULL;
	r->pos += consumed;
	return CODEC_OK;
}

/* Revision 1, at most 15 sub-authorities, exactly 8 + 4 * count bytes. */
enum codec_error nl_get_sid(struct nl_reader *r, uint32_t size,
			    struct netlogon_str *sid)
{
	const uint8_t *p;

	if (size > nl_left(r))
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	if (size < 8)
		return CODEC_ERR_PAYLOAD_BAD_SID;
	p = r->buf + r->pos;
	if (p[0] != 1 || p[1] > NETLOGON_SID_MAX_SUBAUTH ||
	    8 + 4 * (size_t)p[1] != size)
		return CODEC_ERR_PAYLOAD_BAD_SID;
	sid->p = p;
	sid->len = size;
	r->pos += size;
	return CODEC_OK;
}

enum codec_error nl_get_trailer(struct nl_reader *r, enum netlogon_trailer t,
				struct netlogon_msg *m)
{
	enum codec_error e = CODEC_OK;

	m->nt_version = 0;
	m->lmnt_token = 0;
	if (t == NETLOGON_TRAILER_NT)
		e = nl_get_u32(r, &m->nt_version);
	if (e == CODEC_OK && t != NETLOGON_TRAILER_LM20)
		e = nl_get_u16(r, &m->lmnt_token);
	if (e == CODEC_OK)
		e = nl_get_u16(r, &m->lm20_token);
	if (e == CODEC_OK && nl_left(r) != 0)
		e = CODEC_ERR_PAYLOAD_TRAILING_BYTES;
	return e;
}

void nl_put_bytes(struct nl_writer *w, const void *p, size_t n)
{
	if (w->buf != NULL && !w->overflow) {
		if (n > w->cap - w->pos)
			w->overflow = true;
		else if (n > 0)
			memcpy(w->buf + w->pos, p, n);
	}
	w->pos += n;
}

void nl_put_u8(struct nl_writer *w, uint8_t v)
{
	nl_put_bytes(w, &v, 1);
}

void nl_put_u16(struct nl_writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	nl_put_bytes(w, b, 2);
}

void nl_put_u32(struct nl_writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	nl_put_bytes(w, b, 4);
}

void nl_put_u32_be(struct nl_writer *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	nl_put_bytes(w, b, 4);
}

void nl_put_u64(struct nl_writer *w, uint64_t v)
{
	nl_put_u32(w, (uint32_t)v);
	nl_put_u32(w, (uint32_t)(v >> 32));
}

/* A terminator inside the string would change the message's shape. */
void nl_put_ascii(struct nl_writer *w, struct netlogon_str s)
{
	if (s.len > 0 && (s.p == NULL || memchr(s.p, 0, s.len) != NULL)) {
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	nl_put_bytes(w, s.p, s.len);
	nl_put_u8(w, 0);
}

void nl_put_utf16(struct nl_writer *w, struct netlogon_str s)
{
	if (s.len % 2 != 0 || (s.len > 0 && s.p == NULL)) {
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	for (size_t i = 0; i < s.len; i += 2) {
		if (s.p[i] == 0 && s.p[i + 1] == 0) {
			w->err = CODEC_ERR_INVALID_ARGUMENT;
			return;
		}
	}
	nl_put_bytes(w, s.p, s.len);
	nl_put_u16(w, 0);
}

void nl_put_align(struct nl_writer *w, size_t n)
{
	static const uint8_t zero[8];

	nl_put_bytes(w, zero, (n - w->pos % n) % n);
}

void nl_put_trailer(struct nl_writer *w, enum netlogon_trailer t,
		    const struct netlogon_msg *m)
{
	if (t == NETLOGON_TRAILER_NT)
		nl_put_u32(w, m->nt_version);
	if (t != NETLOGON_TRAILER_LM20)
		nl_put_u16(w, m->lmnt_token);
	nl_put_u16(w, m->lm20_token);
}
