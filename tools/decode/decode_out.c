#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode_out.h"

void decode_out_init(struct decode_out *o, int fd)
{
	o->fd = fd;
	o->failed = false;
	o->len = 0;
}

void decode_out_flush(struct decode_out *o)
{
	size_t off = 0;

	while (off < o->len && !o->failed) {
		ssize_t n = write(o->fd, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->failed = true;
			break;
		}
		off += (size_t)n;
	}
	o->len = 0;
}

void decode_out_put_slow(struct decode_out *o, const char *s, size_t len)
{
	while (len > 0) {
		size_t room = sizeof(o->buf) - o->len;
		size_t n = len < room ? len : room;
		memcpy(o->buf + o->len, s, n);
		o->len += n;
		s += n;
		len -= n;
		if (o->len == sizeof(o->buf))
			decode_out_flush(o);
	}
}

void decode_out_str(struct decode_out *o, const char *s)
{
	decode_out_put(o, s, strlen(s));
}

void decode_out_printf(struct decode_out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	decode_out_put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
						       : sizeof(tmp) - 1);
}

/* Bytes that go into a JSON string as they are: printable ASCII but the
 * quote (0x22) and the backslash (0x5c). */
static const bool json_plain[256] = {
	[0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7e] = true,
};

/* A byte json_plain refuses, escaped at o; returns the bytes written. */
static size_t json_escape_byte(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	o[0] = '\\';
	if (c == '"' || c == '\\') {
		o[1] = (char)c;
		return 2;
	}
	/* control bytes and (rare: fields are escaped ASCII) high bytes as
	 * their Latin-1 code point: always valid JSON */
	o[1] = 'u';
	o[2] = '0';
	o[3] = '0';
	o[4] = hex[c >> 4];
	o[5] = hex[c & 15];
	return 6;
}

/* No byte of x needs escaping: none below 0x20, none from 0x7f, no
 * quote, no backslash (each test exact for "any byte", as a carry only
 * starts at a byte that is flagged already). */
static inline bool json_plain8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	const uint64_t high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | (x + ones) | x |
		((q - ones) & ~q) | ((b - ones) & ~b)) & high ? false : true;
}

/* s escaped, without the quotes, at dst (room for 6 * len bytes); eight
 * bytes at a time while none needs escaping. */
static size_t json_body(char *dst, const char *s, size_t len)
{
	char *o = dst;
	size_t i = 0;

	while (i < len) {
		if (len - i >= 8) {
			uint64_t x;

			memcpy(&x, s + i, 8);
			if (json_plain8(x)) {
				memcpy(o, &x, 8);
				o += 8;
				i += 8;
				continue;
			}
		}
		for (size_t end = i + 8 < len ? i + 8 : len; i < end; i++) {
			unsigned char c = (unsigned char)s[i];
			if (json_plain[c])
				*o++ = (char)c;
			else
				o += json_escape_byte(o, c);
		}
	}
	return (size_t)(o - dst);
}

size_t decode_json_escape_cstr(char *dst, const char *s, size_t max,
			       size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o = dst;
	size_t i;

	/* one pass: no strlen first */
	*o++ = '"';
	for (i = 0; i < max && p[i] != '\0'; i++) {
		if (json_plain[p[i]])
			*o++ = (char)p[i];
		else
			o += json_escape_byte(o, p[i]);
	}
	*o++ = '"';
	*len = i;
	return p[i] == '\0' ? (size_t)(o - dst) : 0;
}

size_t decode_json_escape(char *dst, const char *s, size_t len)
{
	size_t n = 1;

	dst[0] = '"';
	n += json_body(dst + 1, s, len);
	dst[n++] = '"';
	return n;
}

/* Escapes straight into the buffer, a piece at a time. */
void decode_out_json_str(struct decode_out *o, const char *s)
{
	size_t len = strlen(s);
	const size_t piece = sizeof(o->buf) / 8;

	decode_out_put(o, "\"", 1);
	while (len > 0) {
		size_t n = len < piece ? len : piece;
		if (sizeof(o->buf) - o->len < decode_json_max(n))
			decode_out_flush(o);
		o->len += json_body(o->buf + o->len, s, n);
		s += n;
		len -= n;
	}
	decode_out_put(o, "\"", 1);
}
