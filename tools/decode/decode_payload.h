/*
 * The payload hook: which codec decodes the message on a mailslot, keyed
 * by mailslot name.  Each protocol supplies decode, field emission (tshark
 * names), a summary and its --stats contribution; decode_payload.c holds
 * the table.
 */
#ifndef MAILSLOT_DECODE_PAYLOAD_H
#define MAILSLOT_DECODE_PAYLOAD_H

#include <string.h>

#include "nbt/codec_text.h"
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

extern const struct decode_payload_hook decode_hook_browser;
extern const struct decode_payload_hook decode_hook_netlogon;
extern const struct decode_payload_hook decode_hook_messenger;

/* The hook for a "\MAILSLOT\..." name (any case), or NULL. */
const struct decode_payload_hook *decode_payload_find(const char *slot,
						      size_t len);

/* The largest msg_size in the table (the context allocates it once). */
size_t decode_payload_max_msg(void);

#endif
