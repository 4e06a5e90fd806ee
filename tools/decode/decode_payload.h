/*
 * The payload hook: which codec decodes the message on a mailslot, keyed
 * by mailslot name.  Each protocol supplies decode, field emission (tshark
 * names), a summary and its --stats contribution; decode_payload.c holds
 * the table.
 */
#ifndef MAILSLOT_DECODE_PAYLOAD_H
#define MAILSLOT_DECODE_PAYLOAD_H

#include <string.h>

#include "decode.h"

struct decode_stats;

struct decode_payload_hook {
	const char *proto;	/* "browser", "netlogon", "messenger" */
	size_t msg_size;	/* bytes decode writes at msg */
	/* NULL: no codec yet; the payload is shown as data.data */
	enum codec_error (*decode)(const uint8_t *buf, size_t len,
				   const char *slot, size_t slot_len,
				   void *msg);
	void (*emit)(const void *msg, dgram_field_fn fn, void *priv);
	/* also show the payload as data.data, as tshark does */
	bool emit_data;
	size_t (*summary)(const void *msg, char *buf, size_t buflen);
	/* -1 when the message has no opcode */
	int (*opcode)(const void *msg);
	const char *(*opcode_name)(int opcode);
	void (*stats)(struct decode_stats *s, const struct decode_dgram *r,
		      const void *msg);
};

/*
 * s[0..len) appended at buf + n as snprintf would go on there: the text
 * cut to buflen - 1 bytes in all and NUL-terminated (buflen > 0).
 * Returns n + len, the length the whole text would have.  Summaries are
 * built with it, not snprintf, as they are made once per datagram.
 */
static inline size_t decode_text_put(char *buf, size_t buflen, size_t n,
				     const char *s, size_t len)
{
	if (n + 1 < buflen) {
		size_t k = buflen - 1 - n;

		if (k > len)
			k = len;
		memcpy(buf + n, s, k);
		buf[n + k] = '\0';
	}
	return n + len;
}

static inline size_t decode_text_str(char *buf, size_t buflen, size_t n,
				     const char *s)
{
	return decode_text_put(buf, buflen, n, s, strlen(s));
}

extern const struct decode_payload_hook decode_hook_browser;
extern const struct decode_payload_hook decode_hook_netlogon;
extern const struct decode_payload_hook decode_hook_messenger;

/* The hook for a "\MAILSLOT\..." name (any case), or NULL. */
const struct decode_payload_hook *decode_payload_find(const char *slot,
						      size_t len);

/* The largest msg_size in the table (the context allocates it once). */
size_t decode_payload_max_msg(void);

#endif
