/* Reader and writer shared by the NETLOGON codec's files. */
#ifndef MAILSLOT_NETLOGON_PRIVATE_H
#define MAILSLOT_NETLOGON_PRIVATE_H

#include "netlogon.h"

/* Invariant: pos <= len. */
struct nl_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

enum codec_error nl_get_u8(struct nl_reader *r, uint8_t *v);
enum codec_error nl_get_u16(struct nl_reader *r, uint16_t *v);
enum codec_error nl_get_u32(struct nl_reader *r, uint32_t *v);
enum codec_error nl_get_u32_be(struct nl_reader *r, uint32_t *v);
enum codec_error nl_get_bytes(struct nl_reader *r, size_t n,
			      const uint8_t **p);
enum codec_error nl_get_ascii(struct nl_reader *r, struct netlogon_str *s);
enum codec_error nl_get_utf16(struct nl_reader *r, struct netlogon_str *s);
/* Skip pad so that pos % n == 0 (pos counts from the message start). */
enum codec_error nl_align(struct nl_reader *r, size_t n);
enum codec_error nl_get_dns(struct nl_reader *r, struct netlogon_dns_name *n);
enum codec_error nl_get_sid(struct nl_reader *r, uint32_t size,
			    struct netlogon_str *sid);
/* NtVersion, LmNt, Lm20 as the form asks; then nothing may follow. */
enum codec_error nl_get_trailer(struct nl_reader *r, enum netlogon_trailer t,
				struct netlogon_msg *m);
static inline size_t nl_left(const struct nl_reader *r)
{
	return r->len - r->pos;
}

/*
 * Writer: with buf NULL it only counts (for encoded_len).  Past cap it
 * keeps counting and sets overflow; err records the first bad argument.
 */
#define NL_DNS_TABLE_MAX 64
#define NL_DNS_NAMES_MAX 12
struct nl_writer {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	bool overflow;
	enum codec_error err;
	/* compression targets: label starts already written */
	size_t ntable;
	struct {
		size_t offset;
		const char *suffix;	/* into names[] */
	} table[NL_DNS_TABLE_MAX];
	size_t nnames;
	char names[NL_DNS_NAMES_MAX][NETLOGON_DNS_TEXT_MAX];
};

void nl_put_bytes(struct nl_writer *w, const void *p, size_t n);
void nl_put_u8(struct nl_writer *w, uint8_t v);
void nl_put_u16(struct nl_writer *w, uint16_t v);
void nl_put_u32(struct nl_writer *w, uint32_t v);
void nl_put_u32_be(struct nl_writer *w, uint32_t v);
void nl_put_u64(struct nl_writer *w, uint64_t v);
void nl_put_ascii(struct nl_writer *w, struct netlogon_str s);
void nl_put_utf16(struct nl_writer *w, struct netlogon_str s);
void nl_put_align(struct nl_writer *w, size_t n);
void nl_put_dns(struct nl_writer *w, const struct netlogon_dns_name *n);
void nl_put_trailer(struct nl_writer *w, enum netlogon_trailer t,
		    const struct netlogon_msg *m);

/* Bodies, after the 2-byte opcode. */
enum codec_error nl_decode_request(struct nl_reader *r, struct netlogon_msg *m);
enum codec_error nl_decode_response(struct nl_reader *r,
				    struct netlogon_msg *m);
void nl_encode_request(struct nl_writer *w, const struct netlogon_msg *m);
void nl_encode_response(struct nl_writer *w, const struct netlogon_msg *m);

/* Walk a DNS name at offset; text may be NULL.  consumed: bytes at offset. */
enum codec_error nl_dns_walk(const uint8_t *msg, size_t len, size_t offset,
			     char *text, size_t textlen, size_t *text_used,
			     size_t *consumed);

#endif
