/*
 * The Messenger hook.  tshark has no Messenger dissector and shows the
 * payload as data.data, so we emit that too, beside messenger.* fields
 * of our own.
 */
#include <stdio.h>

#include "messenger/messenger.h"
#include "tools/field_text.h"
#include "decode_payload.h"

static enum codec_error m_decode(const uint8_t *buf, size_t len,
				 const char *slot, size_t slot_len, void *msg)
{
	(void)slot;
	(void)slot_len;
	return messenger_decode(buf, len, msg);
}

/* OEM bytes as printable ASCII, others (and '\\') \xNN, cut to fit. */
static void escape(const char *s, size_t len, char *buf, size_t n)
{
	field_text_escape(buf, n, s, len, FIELD_TEXT_ESC_BACKSLASH);
}

static void m_emit(const void *msg, dgram_field_fn fn, void *priv)
{
	const struct messenger_msg *m = msg;
	char buf[2048];

	escape(m->from, m->from_len, buf, sizeof(buf));
	fn(priv, "messenger.from", buf);
	escape(m->to, m->to_len, buf, sizeof(buf));
	fn(priv, "messenger.to", buf);
	escape(m->text, m->text_len, buf, sizeof(buf));
	fn(priv, "messenger.text", buf);
}

static size_t m_summary(const void *msg, char *buf, size_t buflen)
{
	const struct messenger_msg *m = msg;
	char from[64], to[64], text[256];
	size_t n;

	escape(m->from, m->from_len, from, sizeof(from));
	escape(m->to, m->to_len, to, sizeof(to));
	escape(m->text, m->text_len, text, sizeof(text));
	n = codec_text_str(buf, buflen, 0, "NET SEND from ");
	n = codec_text_str(buf, buflen, n, from);
	n = codec_text_str(buf, buflen, n, " to ");
	n = codec_text_str(buf, buflen, n, to);
	n = codec_text_str(buf, buflen, n, ": \"");
	n = codec_text_str(buf, buflen, n, text);
	return codec_text_str(buf, buflen, n, "\"");
}

static int m_opcode(const void *msg)
{
	(void)msg;
	return -1;
}

const struct decode_payload_hook decode_hook_messenger = {
	.proto = "messenger",
	.msg_size = sizeof(struct messenger_msg),
	.decode = m_decode,
	.emit = m_emit,
	.emit_data = true,
	.summary = m_summary,
	.opcode = m_opcode,
};
