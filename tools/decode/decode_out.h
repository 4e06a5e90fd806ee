/* Buffered output: one write(2) per 64 KiB, not one stdio call per field. */
#ifndef MAILSLOT_DECODE_OUT_H
#define MAILSLOT_DECODE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define DECODE_OUT_SIZE 65536

struct decode_out {
	int fd;
	bool failed;		/* a write failed (EPIPE, ENOSPC) */
	size_t len;
	char buf[DECODE_OUT_SIZE];
};

void decode_out_init(struct decode_out *o, int fd);
/* decode_out_put when the piece does not fit the buffer's room */
void decode_out_put_slow(struct decode_out *o, const char *s, size_t len);

/* Inline: most pieces are short and fit, and a constant length makes
 * the copy a few moves. */
static inline void decode_out_put(struct decode_out *o, const char *s,
				  size_t len)
{
	if (len < sizeof(o->buf) - o->len) {
		memcpy(o->buf + o->len, s, len);
		o->len += len;
		return;
	}
	decode_out_put_slow(o, s, len);
}

/* A string literal, its length known at compile time. */
#define decode_out_lit(o, lit) decode_out_put((o), (lit), sizeof(lit) - 1)

void decode_out_str(struct decode_out *o, const char *s);
void decode_out_printf(struct decode_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included */
void decode_out_json_str(struct decode_out *o, const char *s);

/* The most bytes len bytes take as a JSON string: each may become
 * \u00XX, plus the quotes. */
static inline size_t decode_json_max(size_t len)
{
	return 6 * len + 2;
}

/* s[0..len) as a JSON string, quotes included, at dst (room for
 * decode_json_max(len) bytes); returns the bytes written. */
size_t decode_json_escape(char *dst, const char *s, size_t len);

/* The C string s as a JSON string at dst (room for decode_json_max(max)
 * bytes), *len its length; returns the bytes written, 0 when s is longer
 * than max (dst then holds junk). */
size_t decode_json_escape_cstr(char *dst, const char *s, size_t max,
			       size_t *len);
void decode_out_flush(struct decode_out *o);

#endif
