/*
 * Numbers as field values, formatted by hand: snprintf per field was
 * most of `mailslot decode --json`'s time.  Each writes a NUL-terminated
 * string at b and returns its length.
 */
#ifndef MAILSLOT_FIELD_TEXT_H
#define MAILSLOT_FIELD_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define FIELD_TEXT_NUM_MAX 24	/* the longest: 0x + 16 digits, NUL */

/* As "%llu" (b: FIELD_TEXT_NUM_MAX bytes). */
static inline size_t field_text_u(char *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		b[i] = tmp[n - 1 - i];
	b[n] = '\0';
	return n;
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
		if (x >= 100)
			b[o++] = (char)('0' + x / 100);
		if (x >= 10)
			b[o++] = (char)('0' + x / 10 % 10);
		b[o++] = (char)('0' + x % 10);
		b[o++] = shift ? '.' : '\0';
	}
	return o - 1;
}

#endif
