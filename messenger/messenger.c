/* The Messenger mailslot message (see messenger.h). */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "messenger/messenger.h"
#include "smb/smb_mailslot.h"

size_t messenger_max_payload(void)
{
	return smb_mailslot_max_payload(MESSENGER_MAILSLOT,
					SMB_MAILSLOT_LAYOUT_MAIL);
}

size_t messenger_max_text(size_t from_len, size_t to_len)
{
	size_t max = messenger_max_payload();

	/* three NULs */
	if (from_len > max || to_len > max - from_len ||
	    max - from_len - to_len < 3)
		return 0;
	return max - from_len - to_len - 3;
}

size_t messenger_encoded_len(const struct messenger_msg *m)
{
	return m->from_len + m->to_len + m->text_len + 3;
}

enum codec_error messenger_encode(const struct messenger_msg *m,
				  uint8_t *buf, size_t buflen, size_t *used)
{
	uint8_t *p = buf;
	size_t need;

	if (m == NULL || used == NULL || (m->from == NULL && m->from_len) ||
	    (m->to == NULL && m->to_len) || (m->text == NULL && m->text_len))
		return CODEC_ERR_INVALID_ARGUMENT;
	if (m->from_len == 0 || m->from_len > MESSENGER_NAME_MAX ||
	    m->to_len == 0 || m->to_len > MESSENGER_NAME_MAX ||
	    m->text_len > messenger_max_text(m->from_len, m->to_len))
		return CODEC_ERR_PAYLOAD_BAD_FIELD;
	/* an embedded NUL would end the string early on the receiver */
	if (memchr(m->from, 0, m->from_len) != NULL ||
	    memchr(m->to, 0, m->to_len) != NULL ||
	    (m->text_len && memchr(m->text, 0, m->text_len) != NULL))
		return CODEC_ERR_PAYLOAD_BAD_STRING;
	need = messenger_encoded_len(m);
	if (buf == NULL || buflen < need)
		return CODEC_ERR_BUFFER_TOO_SMALL;
	memcpy(p, m->from, m->from_len);
	p += m->from_len;
	*p++ = 0;
	memcpy(p, m->to, m->to_len);
	p += m->to_len;
	*p++ = 0;
	if (m->text_len)
		memcpy(p, m->text, m->text_len);
	p += m->text_len;
	*p++ = 0;
	*used = need;
	return CODEC_OK;
}

/* One NUL-terminated name at buf[*off]; *off moves past the NUL. */
static enum codec_error take_name(const uint8_t *buf, size_t len,
				  size_t *off, const char **s, size_t *slen)
{
	const uint8_t *nul;

	if (*off >= len)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	nul = memchr(buf + *off, 0, len - *off);
	if (nul == NULL)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	*s = (const char *)buf + *off;
	*slen = (size_t)(nul - (buf + *off));
	if (*slen > MESSENGER_NAME_MAX)
		return CODEC_ERR_PAYLOAD_BAD_STRING;
	*off += *slen + 1;
	return CODEC_OK;
}

enum codec_error messenger_decode(const uint8_t *buf, size_t len,
				  struct messenger_msg *m)
{
	const uint8_t *nul;
	size_t off = 0;
	enum codec_error err;

	if (m == NULL || (buf == NULL && len != 0))
		return CODEC_ERR_INVALID_ARGUMENT;
	memset(m, 0, sizeof(*m));
	err = take_name(buf, len, &off, &m->from, &m->from_len);
	if (err != CODEC_OK)
		return err;
	err = take_name(buf, len, &off, &m->to, &m->to_len);
	if (err != CODEC_OK)
		return err;
	m->text = (const char *)buf + off;
	nul = off < len ? memchr(buf + off, 0, len - off) : NULL;
	if (nul == NULL) {
		/* senders that count the text without its NUL */
		m->text_len = len - off;
		m->text_unterminated = true;
		return CODEC_OK;
	}
	m->text_len = (size_t)(nul - (buf + off));
	m->trailing_len = len - off - m->text_len - 1;
	return CODEC_OK;
}

char *messenger_linebreaks(TALLOC_CTX *mem_ctx, const char *text,
			   size_t len, enum messenger_linebreak lb,
			   size_t *out_len)
{
	/* CR -> CR LF at most doubles the text */
	char *out = talloc_size(mem_ctx, 2 * len + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool brk = c == '\r' || c == '\n' ||
			   (lb == MESSENGER_LB_LF && c == 0x14);

		if (lb == MESSENGER_LB_KEEP || !brk) {
			out[o++] = c;
			continue;
		}
		/* CRLF and LFCR are one break, as MS-MSRP §2.2.3.1.1 says */
		if ((c == '\r' || c == '\n') && i + 1 < len &&
		    (text[i + 1] == '\r' || text[i + 1] == '\n') &&
		    text[i + 1] != c)
			i++;
		switch (lb) {
		case MESSENGER_LB_CRLF:
			out[o++] = '\r';
			out[o++] = '\n';
			break;
		case MESSENGER_LB_0X14:
			out[o++] = 0x14;
			break;
		default:
			out[o++] = '\n';
			break;
		}
	}
	out[o] = '\0';
	if (out_len != NULL)
		*out_len = o;
	return out;
}

static size_t put_hex(char *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

char *messenger_oem_to_utf8(TALLOC_CTX *mem_ctx, const char *oem,
			    size_t len, const char *codepage)
{
	/* a code point takes at most 3 UTF-8 bytes, an escape 4 */
	char *out = talloc_size(mem_ctx, 4 * len + 1);
	iconv_t cd;
	size_t o = 0;

	if (out == NULL)
		return NULL;
	cd = iconv_open("UTF-8", codepage ? codepage : MESSENGER_CODEPAGE);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)oem[i];
		char *in = (char *)&oem[i], *op = out + o;
		size_t inleft = 1, outleft = 4;

		if (c < 0x80) {
			out[o++] = (char)c;
			continue;
		}
		/* a single-byte code page: one byte is one character */
		if (cd != (iconv_t)-1 &&
		    iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1 &&
		    inleft == 0) {
			o = (size_t)(op - out);
			continue;
		}
		o += put_hex(out + o, c);
	}
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	out[o] = '\0';
	return out;
}

char *messenger_utf8_to_oem(TALLOC_CTX *mem_ctx, const char *utf8,
			    size_t len, const char *codepage,
			    size_t *out_len)
{
	/* every UTF-8 character is at least one byte: never grows */
	char *out = talloc_size(mem_ctx, len + 1);
	char *in = (char *)utf8, *op = out;
	size_t inleft = len, outleft = len;
	iconv_t cd;
	size_t r;

	if (out == NULL)
		return NULL;
	cd = iconv_open(codepage ? codepage : MESSENGER_CODEPAGE, "UTF-8");
	if (cd == (iconv_t)-1) {
		talloc_free(out);
		return NULL;
	}
	r = iconv(cd, &in, &inleft, &op, &outleft);
	iconv_close(cd);
	if (r == (size_t)-1 || inleft != 0 || r != 0) {
		/* r > 0: glibc replaced characters it could not map */
		if (r != (size_t)-1)
			errno = EILSEQ;
		talloc_free(out);
		return NULL;
	}
	*op = '\0';
	if (out_len != NULL)
		*out_len = (size_t)(op - out);
	return out;
}

char *messenger_escape(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		       bool keep_newline)
{
	char *out = talloc_size(mem_ctx, 4 * len + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' && keep_newline) {
			out[o++] = '\n';
		} else if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
			out[o++] = '\\';
			out[o++] = c == '\\' ? '\\' : c == '\n' ? 'n'
				   : c == '\r' ? 'r' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			o += put_hex(out + o, c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return out;
}

char *messenger_summary(TALLOC_CTX *mem_ctx, const struct messenger_msg *m,
			const char *codepage)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	char *from, *to, *text, *s = NULL;

	if (tmp == NULL)
		return NULL;
	from = messenger_oem_to_utf8(tmp, m->from, m->from_len, codepage);
	to = messenger_oem_to_utf8(tmp, m->to, m->to_len, codepage);
	text = messenger_oem_to_utf8(tmp, m->text, m->text_len, codepage);
	if (from && to && text) {
		from = messenger_escape(tmp, from, strlen(from), false);
		to = messenger_escape(tmp, to, strlen(to), false);
		text = messenger_escape(tmp, text, strlen(text), false);
	}
	if (from && to && text)
		s = talloc_asprintf(mem_ctx, "MESSNGR from \"%s\" to \"%s\": "
				    "\"%s\"%s", from, to, text,
				    m->text_unterminated ? " (no final NUL)"
							 : "");
	talloc_free(tmp);
	return s;
}

struct messenger_json *messenger_to_json_struct(TALLOC_CTX *mem_ctx,
						const struct messenger_msg *m,
						const char *codepage)
{
	struct messenger_json *j = talloc_zero(mem_ctx, struct messenger_json);
	char *lf;
	size_t lf_len;

	if (j == NULL)
		return NULL;
	lf = messenger_linebreaks(j, m->text, m->text_len, MESSENGER_LB_LF,
				  &lf_len);
	j->from = messenger_oem_to_utf8(j, m->from, m->from_len, codepage);
	j->to = messenger_oem_to_utf8(j, m->to, m->to_len, codepage);
	j->text = lf ? messenger_oem_to_utf8(j, lf, lf_len, codepage) : NULL;
	if (j->from == NULL || j->to == NULL || j->text == NULL) {
		talloc_free(j);
		return NULL;
	}
	j->text_unterminated = m->text_unterminated;
	j->trailing_len = m->trailing_len;
	return j;
}

/* s as a JSON string body (UTF-8 kept, controls as \u00XX). */
static char *json_quote(TALLOC_CTX *mem_ctx, const char *s)
{
	size_t len = strlen(s), o = 0;
	char *out = talloc_size(mem_ctx, 6 * len + 3);

	if (out == NULL)
		return NULL;
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

char *messenger_json_object(TALLOC_CTX *mem_ctx,
			    const struct messenger_json *j)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	char *from = json_quote(tmp, j->from), *to = json_quote(tmp, j->to);
	char *text = json_quote(tmp, j->text), *s = NULL;

	if (from && to && text)
		s = talloc_asprintf(mem_ctx, "{\"from\":%s,\"to\":%s,"
				    "\"text\":%s,\"text_unterminated\":%s,"
				    "\"trailing_bytes\":%zu}", from, to, text,
				    j->text_unterminated ? "true" : "false",
				    j->trailing_len);
	talloc_free(tmp);
	return s;
}
