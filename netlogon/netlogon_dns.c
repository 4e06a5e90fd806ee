/*
 * RFC 1035 names as NETLOGON EX replies carry them ([MS-ADTS] §6.3.7):
 * labels, a 0x00 end, or a pointer 0xC0|hi lo to an offset from the start
 * of the message.  A pointer must point before the start of the run of
 * labels that holds it, so every jump goes strictly backwards and a loop
 * is impossible; the jump count is bounded as well.
 */
#include <string.h>

#include "netlogon_private.h"

enum codec_error nl_dns_walk(const uint8_t *msg, size_t len, size_t offset,
			     char *text, size_t textlen, size_t *text_used,
			     size_t *consumed)
{
	size_t pos = offset, run_start = offset, out = 0, jumps = 0;
	bool jumped = false;

	*consumed = 0;
	/* each step consumes a byte or a jump: len + jumps bounds it */
	for (size_t step = 0; step <= len + NETLOGON_DNS_MAX_JUMPS; step++) {
		uint8_t b;

		if (pos >= len)
			return CODEC_ERR_PAYLOAD_TRUNCATED;
		b = msg[pos];
		if (b == 0) {
			if (!jumped)
				*consumed = pos + 1 - offset;
			if (text_used != NULL)
				*text_used = out;
			if (text != NULL && textlen > 0)
				text[out < textlen ? out : textlen - 1] = '\0';
			return CODEC_OK;
		}
		if ((b & 0xc0) == 0xc0) {
			size_t target;

			if (len - pos < 2)
				return CODEC_ERR_PAYLOAD_TRUNCATED;
			target = (size_t)(b & 0x3f) << 8 | msg[pos + 1];
			if (target >= run_start ||
			    ++jumps > NETLOGON_DNS_MAX_JUMPS)
				return CODEC_ERR_PAYLOAD_POINTER_LOOP;
			if (!jumped)
				*consumed = pos + 2 - offset;
			jumped = true;
			pos = run_start = target;
			continue;
		}
		if ((b & 0xc0) != 0)
			return CODEC_ERR_PAYLOAD_BAD_STRING;
		if (len - pos - 1 < b)
			return CODEC_ERR_PAYLOAD_TRUNCATED;
		/* 255 characters at most, dots included */
		if (out + (out > 0) + b > NETLOGON_DNS_TEXT_MAX - 1)
			return CODEC_ERR_PAYLOAD_BAD_STRING;
		if (out > 0) {
			if (text != NULL && out < textlen)
				text[out] = '.';
			out++;
		}
		for (size_t i = 0; i < b; i++, out++) {
			if (text != NULL && out < textlen)
				text[out] = (char)msg[pos + 1 + i];
		}
		pos += 1 + (size_t)b;
	}
	return CODEC_ERR_PAYLOAD_POINTER_LOOP;
}

size_t netlogon_dns_name_text(const struct netlogon_dns_name *n, char *buf,
			      size_t buflen)
{
	size_t used = 0, consumed;

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	if (n->text != NULL) {
		used = strlen(n->text);
		if (used >= buflen)
			used = buflen - 1;
		memcpy(buf, n->text, used);
		buf[used] = '\0';
		return used;
	}
	if (n->msg == NULL)
		return 0;
	if (nl_dns_walk(n->msg, n->msg_len, n->offset, buf, buflen, &used,
			&consumed) != CODEC_OK) {
		buf[0] = '\0';
		return 0;
	}
	return used < buflen ? used : buflen - 1;
}

static void table_add(struct nl_writer *w, size_t offset, const char *suffix)
{
	/* pointers reach 14 bits; a full table just compresses less */
	if (w->ntable >= NL_DNS_TABLE_MAX || offset > 0x3fff)
		return;
	w->table[w->ntable].offset = offset;
	w->table[w->ntable].suffix = suffix;
	w->ntable++;
}

static bool table_find(const struct nl_writer *w, const char *suffix,
		       size_t *offset)
{
	for (size_t i = 0; i < w->ntable; i++) {
		if (strcmp(w->table[i].suffix, suffix) == 0) {
			*offset = w->table[i].offset;
			return true;
		}
	}
	return false;
}

/* Labels of 1-63 bytes; compressed against every earlier suffix, exactly. */
void nl_put_dns(struct nl_writer *w, const struct netlogon_dns_name *n)
{
	char *t;
	size_t len, i = 0;

	if (w->nnames >= NL_DNS_NAMES_MAX) {
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	t = w->names[w->nnames++];
	if (n->text != NULL) {
		len = strlen(n->text);
		if (len >= NETLOGON_DNS_TEXT_MAX) {
			w->err = CODEC_ERR_INVALID_ARGUMENT;
			return;
		}
		memcpy(t, n->text, len + 1);
	} else {
		size_t consumed;
		if (n->msg == NULL || nl_dns_walk(n->msg, n->msg_len,
						  n->offset, t,
						  NETLOGON_DNS_TEXT_MAX, &len,
						  &consumed) != CODEC_OK) {
			w->err = CODEC_ERR_INVALID_ARGUMENT;
			return;
		}
	}
	/* a NUL inside a label cannot be matched or written back as text */
	if (memchr(t, 0, len) != NULL) {
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	while (i < len) {
		const char *dot = memchr(t + i, '.', len - i);
		size_t llen = dot ? (size_t)(dot - (t + i)) : len - i;
		size_t target;

		if (table_find(w, t + i, &target)) {
			nl_put_u8(w, (uint8_t)(0xc0 | target >> 8));
			nl_put_u8(w, (uint8_t)target);
			return;
		}
		if (llen == 0 || llen > 63 || (dot != NULL && i + llen + 1 ==
						len)) {
			w->err = CODEC_ERR_INVALID_ARGUMENT;
			return;
		}
		table_add(w, w->pos, t + i);
		nl_put_u8(w, (uint8_t)llen);
		nl_put_bytes(w, t + i, llen);
		i += llen + (dot != NULL);
	}
	nl_put_u8(w, 0);
}
