/*
 * Numbers as field values, formatted by hand: snprintf per field was
 * most of `mailslot decode --json`'s time.  Each writes a NUL-terminated
 * string at b and returns its length.
 */
#ifndef MAILSLOT_FIELD_TEXT_H
#define MAILSLOT_FIELD_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FIELD_TEXT_NUM_MAX 24	/* the longest: 0x + 16 digits, NUL */

/* v (below 100) as two digits at o */
static inline void field_text_put2(char *o, unsigned v)
{
	static const char two[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";

	memcpy(o, two + 2 * v, 2);
}

/* v as "%llu" at o, no NUL; returns its end.  Two digits at a time:
 * most values are a digit or two. */
static inline char *field_text_put_u(char *o, uint64_t v)
{
	size_t n = 3;
	char *e;

	if (v < 10) {
		*o = (char)('0' + v);
		return o + 1;
	}
	if (v < 100) {
		field_text_put2(o, (unsigned)v);
		return o + 2;
	}
	for (uint64_t x = v / 1000; x != 0; x /= 10)
		n++;
	e = o + n;
	for (; v >= 100; v /= 100) {
		e -= 2;
		field_text_put2(e, (unsigned)(v % 100));
	}
	if (v >= 10) {
		field_text_put2(e - 2, (unsigned)v);
	} else {
		e[-1] = (char)('0' + v);
	}
	return o + n;
}

/* As "%llu" (b: FIELD_TEXT_NUM_MAX bytes). */
static inline size_t field_text_u(char *b, uint64_t v)
{
	char *e = field_text_put_u(b, v);

	*e = '\0';
	return (size_t)(e - b);
}

/* As "0x%0*llx" with digits (b: FIELD_TEXT_NUM_MAX bytes): a wider value
 * keeps all its digits. */
static inline size_t field_text_hex(char *b, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	int n = digits < 1 ? 1 : digits > 16 ? 16 : digits;

	while (n < 16 && (v >> (4 * n)) != 0)
		n++;
	b[0] = '0';
	b[1] = 'x';
	for (int i = 0; i < n; i++)
		b[2 + i] = hex[(v >> (4 * (n - 1 - i))) & 15];
	b[2 + n] = '\0';
	return (size_t)n + 2;
}

/* A host-order IPv4 address as "a.b.c.d" (b: 16 bytes). */
static inline size_t field_text_ipv4(char *b, uint32_t a)
{
	size_t o = 0;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned x = (a >> shift) & 0xff;
		if (x >= 100) {
			b[o++] = (char)('0' + x / 100);
			field_text_put2(b + o, x % 100);
			o += 2;
		} else if (x >= 10) {
			field_text_put2(b + o, x);
			o += 2;
		} else {
			b[o++] = (char)('0' + x);
		}
		b[o++] = shift ? '.' : '\0';
	}
	return o - 1;
}

/* field_text_escape: '\\' as \x5c too (its text then reads back) */
#define FIELD_TEXT_ESC_BACKSLASH 1u
/* field_text_escape: bytes from 0x80 as they are (only control bytes
 * and DEL escaped) */
#define FIELD_TEXT_ESC_HIGH_RAW 2u
/* field_text_escape: a NUL byte ends the input */
#define FIELD_TEXT_ESC_TO_NUL 4u

/*
 * Bytes from the network as text for terminals and logs: printable
 * ASCII (0x20-0x7e) as it is, every other byte as \xNN.  A byte is
 * taken only while more than 5 bytes of dst are left (its escape and
 * the NUL fit), so a cut falls between bytes; dst (dstlen >= 1) is
 * always NUL-terminated.  Returns the text's length.
 */
static inline size_t field_text_escape(char *dst, size_t dstlen,
				       const char *s, size_t len,
				       unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < dstlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0' && (flags & FIELD_TEXT_ESC_TO_NUL))
			break;
		if ((c >= 0x20 && c < 0x7f &&
		     !(c == '\\' && (flags & FIELD_TEXT_ESC_BACKSLASH))) ||
		    (c >= 0x80 && (flags & FIELD_TEXT_ESC_HIGH_RAW))) {
			dst[o++] = (char)c;
			continue;
		}
		dst[o] = '\\';
		dst[o + 1] = 'x';
		dst[o + 2] = hex[c >> 4];
		dst[o + 3] = hex[c & 15];
		o += 4;
	}
	dst[o] = '\0';
	return o;
}

#endif
