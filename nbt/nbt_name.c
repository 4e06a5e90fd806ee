#include <string.h>
#include <strings.h>

#include "nbt_name.h"

static bool scope_label_byte_ok(uint8_t c)
{
	/* '.' separates labels in our text form; NUL would end it. */
	return c != '.' && c != 0;
}

/* Check a dotted scope: labels of 1..63 bytes, bounded count and size. */
static enum codec_error scope_check(const char *scope)
{
	size_t len = strlen(scope), label = 0, labels = 0;

	if (len == 0)
		return CODEC_OK;
	/* labels cost their length + 1 byte; 34 + that must stay <= 255 */
	if (len > NBT_SCOPE_MAX)
		return CODEC_ERR_NAME_BAD_SCOPE;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || scope[i] == '.') {
			if (label == 0 || label > 63)
				return CODEC_ERR_NAME_BAD_SCOPE;
			if (++labels > NBT_SCOPE_MAX_LABELS)
				return CODEC_ERR_NAME_BAD_SCOPE;
			label = 0;
			continue;
		}
		label++;
	}
	return CODEC_OK;
}

enum codec_error nbt_name_make(struct nbt_name *n, const char *name,
			       uint8_t suffix, const char *scope)
{
	size_t len;
	enum codec_error err;

	if (n == NULL || name == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	len = strlen(name);
	if (len > NBT_NAME_LEN - 1)
		return CODEC_ERR_NAME_TOO_LONG;
	if (scope == NULL)
		scope = "";
	err = scope_check(scope);
	if (err != CODEC_OK)
		return err;

	/* The wildcard is padded with NULs, every other name with spaces. */
	memset(n->raw, strcmp(name, "*") == 0 ? 0x00 : ' ', NBT_NAME_LEN - 1);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)name[i];
		/* ASCII-only upper-casing: OEM bytes pass through unchanged. */
		n->raw[i] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 32) : c;
	}
	n->raw[NBT_NAME_LEN - 1] = suffix;
	memcpy(n->scope, scope, strlen(scope) + 1);
	return CODEC_OK;
}

void nbt_name_make_msbrowse(struct nbt_name *n, const char *scope)
{
	static const uint8_t msbrowse[NBT_NAME_LEN] = {
		0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R',
		'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01,
	};
	memcpy(n->raw, msbrowse, sizeof(msbrowse));
	n->scope[0] = '\0';
	if (scope != NULL && scope_check(scope) == CODEC_OK)
		memcpy(n->scope, scope, strlen(scope) + 1);
}

bool nbt_name_equal(const struct nbt_name *a, const struct nbt_name *b)
{
	return memcmp(a->raw, b->raw, NBT_NAME_LEN) == 0 &&
	       strcasecmp(a->scope, b->scope) == 0;
}

bool nbt_name_is_wildcard(const struct nbt_name *n)
{
	static const uint8_t star[NBT_NAME_LEN] = { '*' };

	return memcmp(n->raw, star, NBT_NAME_LEN) == 0;
}

size_t nbt_name_encoded_len(const struct nbt_name *n)
{
	size_t scope = strlen(n->scope);
	/* each label adds its length byte: "a.b" -> 1a1b = len + 1 */
	return NBT_NAME_ENCODED_MIN + (scope ? scope + 1 : 0);
}

enum codec_error nbt_name_encode(const struct nbt_name *n, uint8_t *buf,
				 size_t buflen, size_t *used)
{
	size_t need = nbt_name_encoded_len(n), pos = 0;
	const char *s = n->scope;

	if (need > NBT_NAME_ENCODED_MAX || scope_check(n->scope) != CODEC_OK)
		return CODEC_ERR_NAME_BAD_SCOPE;
	if (buflen < need)
		return CODEC_ERR_BUFFER_TOO_SMALL;

	buf[pos++] = 0x20;
	for (size_t i = 0; i < NBT_NAME_LEN; i++) {
		buf[pos++] = (uint8_t)('A' + (n->raw[i] >> 4));
		buf[pos++] = (uint8_t)('A' + (n->raw[i] & 0x0f));
	}
	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		buf[pos++] = (uint8_t)l;
		memcpy(buf + pos, s, l);
		pos += l;
		s += l + (dot ? 1 : 0);
	}
	buf[pos++] = 0x00;
	if (used != NULL)
		*used = pos;
	return CODEC_OK;
}

/* Classify a label length byte: top bits 11 = pointer, 01/10 reserved. */
static enum codec_error label_length_check(uint8_t b)
{
	if ((b & 0xc0) == 0xc0)
		return CODEC_ERR_NAME_POINTER;
	if ((b & 0xc0) != 0)
		return CODEC_ERR_NAME_RESERVED_LENGTH_BITS;
	return CODEC_OK;
}

enum codec_error nbt_name_decode(const uint8_t *buf, size_t len,
				 struct nbt_name *n, size_t *consumed)
{
	size_t pos, labels = 0, scope_len = 0;
	enum codec_error err;

	if (len < 1)
		return CODEC_ERR_NAME_TRUNCATED;
	err = label_length_check(buf[0]);
	if (err != CODEC_OK)
		return err;
	if (buf[0] != 0x20)
		return CODEC_ERR_NAME_BAD_FIRST_LENGTH;
	if (len < 1 + 32)
		return CODEC_ERR_NAME_TRUNCATED;
	for (size_t i = 0; i < NBT_NAME_LEN; i++) {
		uint8_t hi = buf[1 + 2 * i], lo = buf[2 + 2 * i];
		if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
			return CODEC_ERR_NAME_BAD_CHARACTER;
		n->raw[i] = (uint8_t)((hi - 'A') << 4 | (lo - 'A'));
	}

	pos = 33;
	for (;;) {
		uint8_t l;

		if (pos >= len)
			return CODEC_ERR_NAME_TRUNCATED;
		l = buf[pos];
		if (l == 0)
			break;
		err = label_length_check(l);
		if (err != CODEC_OK)
			return err;
		if (++labels > NBT_SCOPE_MAX_LABELS)
			return CODEC_ERR_NAME_TOO_MANY_LABELS;
		/* label, its length byte and the final 0 must fit in 255 */
		if (pos + 1 + l + 1 > NBT_NAME_ENCODED_MAX)
			return CODEC_ERR_NAME_TOO_LONG;
		if (pos + 1 + l > len)
			return CODEC_ERR_NAME_TRUNCATED;
		if (scope_len != 0)
			n->scope[scope_len++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = buf[pos + 1 + i];
			if (!scope_label_byte_ok(c))
				return CODEC_ERR_NAME_BAD_SCOPE;
			n->scope[scope_len++] = (char)c;
		}
		pos += 1 + l;
	}
	n->scope[scope_len] = '\0';
	if (consumed != NULL)
		*consumed = pos + 1;
	return CODEC_OK;
}

/* Bounded writer for the printable form: counts what it wanted. */
struct text_out {
	char *buf;
	size_t len;
	size_t pos;
};

static void text_char(struct text_out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void text_escape(struct text_out *o, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	text_char(o, '<');
	text_char(o, hex[c >> 4]);
	text_char(o, hex[c & 0xf]);
	text_char(o, '>');
}

/*
 * Printed as Wireshark does, except that '<' (which starts an escape) is
 * escaped, and so is a '.' right after an escape, which would otherwise
 * read as the start of the scope.
 */
static bool text_byte(struct text_out *o, uint8_t c, bool after_escape)
{
	if (c < 0x20 || c >= 0x7f || c == '<' || (after_escape && c == '.')) {
		text_escape(o, c);
		return true;
	}
	text_char(o, (char)c);
	return false;
}

size_t nbt_name_format(const struct nbt_name *n, char *buf, size_t buflen)
{
	struct text_out o = { .buf = buf, .len = buflen, .pos = 0 };
	size_t end = NBT_NAME_LEN - 1;
	bool escaped = false;

	while (end > 0 && n->raw[end - 1] == ' ')
		end--;
	/* A name of spaces only keeps them, as Wireshark prints it: a bare
	 * "<1d>" hid the name, and read as an empty field. */
	if (end == 0)
		end = NBT_NAME_LEN - 1;
	for (size_t i = 0; i < end; i++)
		escaped = text_byte(&o, n->raw[i], escaped);
	text_escape(&o, nbt_name_suffix(n));
	if (n->scope[0] != '\0') {
		text_char(&o, '.');
		for (const char *s = n->scope; *s != '\0'; s++)
			text_byte(&o, (uint8_t)*s, false);
	}
	if (buflen > 0)
		buf[o.pos < buflen ? o.pos : buflen - 1] = '\0';
	return o.pos;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read one byte of text form at *s: a plain char or a <xx> escape. */
static bool text_get(const char **s, uint8_t *out, bool *escaped)
{
	const char *p = *s;
	int hi, lo;

	if (p[0] == '<') {
		hi = hex_value(p[1]);
		lo = hi < 0 ? -1 : hex_value(p[2]);
		if (lo < 0 || p[3] != '>')
			return false;
		*out = (uint8_t)(hi << 4 | lo);
		*escaped = true;
		*s = p + 4;
		return true;
	}
	*out = (uint8_t)p[0];
	*escaped = false;
	*s = p + 1;
	return true;
}

enum codec_error nbt_name_parse(struct nbt_name *n, const char *text)
{
	uint8_t bytes[NBT_NAME_LEN + 1];
	bool escaped[NBT_NAME_LEN + 1];
	size_t count = 0;
	const char *s = text, *scope = "";
	uint8_t suffix = 0x00;
	bool wildcard, have_suffix;

	if (n == NULL || text == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	/* The name ends at an escape followed by '.' (the scope) or the end. */
	while (*s != '\0' &&
	       !(*s == '.' && count > 0 && escaped[count - 1])) {
		if (count == NBT_NAME_LEN + 1)
			return CODEC_ERR_NAME_TOO_LONG;
		if (!text_get(&s, &bytes[count], &escaped[count]))
			return CODEC_ERR_NAME_BAD_TEXT;
		count++;
	}
	if (*s == '.')
		scope = s + 1;
	/* The last escaped byte is the suffix. */
	have_suffix = count > 0 && escaped[count - 1];
	if (have_suffix) {
		suffix = bytes[count - 1];
		count--;
	}
	/* A suffix alone ("<1b>") is a name of 15 spaces, as format printed
	 * it once; padding makes it the same name as 15 spaces typed. */
	if ((count == 0 && !have_suffix) || count > NBT_NAME_LEN - 1)
		return count == 0 ? CODEC_ERR_NAME_BAD_TEXT
				  : CODEC_ERR_NAME_TOO_LONG;

	wildcard = count == 1 && bytes[0] == '*';
	memset(n->raw, wildcard ? 0x00 : ' ', NBT_NAME_LEN - 1);
	memcpy(n->raw, bytes, count);
	n->raw[NBT_NAME_LEN - 1] = suffix;

	/* Scope: unescape into n->scope, then validate. */
	{
		size_t sl = 0;
		const char *p = scope;
		while (*p != '\0') {
			uint8_t c;
			bool esc;
			if (sl == NBT_SCOPE_MAX)
				return CODEC_ERR_NAME_BAD_SCOPE;
			if (!text_get(&p, &c, &esc) || (esc && c == 0))
				return CODEC_ERR_NAME_BAD_TEXT;
			n->scope[sl++] = (char)c;
		}
		n->scope[sl] = '\0';
	}
	return scope_check(n->scope);
}
