#include <errno.h>
#include <stdarg.h>
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

void decode_out_put(struct decode_out *o, const char *s, size_t len)
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

/* s escaped, without the quotes, at dst (room for 6 * len bytes). */
static size_t json_body(char *dst, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *o = dst;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (json_plain[c]) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		if (c == '"' || c == '\\') {
			*o++ = (char)c;
			continue;
		}
		/* control bytes and (rare: fields are escaped ASCII) high
		 * bytes as their Latin-1 code point: always valid JSON */
		o[0] = 'u';
		o[1] = '0';
		o[2] = '0';
		o[3] = hex[c >> 4];
		o[4] = hex[c & 15];
		o += 5;
	}
	return (size_t)(o - dst);
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
