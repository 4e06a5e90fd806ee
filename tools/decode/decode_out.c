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

void decode_out_json_str(struct decode_out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	decode_out_put(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			continue;
		decode_out_put(o, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			decode_out_put(o, esc, 2);
			continue;
		}
		/* control bytes and (rare: fields are escaped ASCII) high
		 * bytes as their Latin-1 code point: always valid JSON */
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		decode_out_put(o, esc, 6);
	}
	decode_out_put(o, run, (size_t)(s - run));
	decode_out_put(o, "\"", 1);
}
