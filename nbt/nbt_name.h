/*
 * NetBIOS names (RFC 1001/1002 §4.1, [MS-NBTE] §2.2.1): the 16-byte raw
 * name, its first- and second-level encodings, scope IDs, and a printable
 * form (`NAME<1d>.scope`, the one Wireshark uses).
 */
#ifndef MAILSLOT_NBT_NAME_H
#define MAILSLOT_NBT_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec_error.h"

#define NBT_NAME_LEN 16		/* 15 characters + suffix byte */
#define NBT_NAME_ENCODED_MAX 255	/* whole second-level name */
#define NBT_NAME_ENCODED_MIN 34		/* 0x20, 32 characters, 0x00 */
#define NBT_SCOPE_MAX 220	/* dotted scope text, without NUL */
#define NBT_SCOPE_MAX_LABELS 16	/* far above real scopes; bounds work */
#define NBT_NAME_TEXT_MAX 1024	/* printable form, every byte escaped */

/* Suffixes (service types) that matter for mailslots. */
#define NBT_SUFFIX_WORKSTATION 0x00
#define NBT_SUFFIX_MESSENGER 0x03
#define NBT_SUFFIX_DOMAIN_MASTER 0x1b
#define NBT_SUFFIX_DOMAIN_CONTROLLERS 0x1c
#define NBT_SUFFIX_MASTER_BROWSER 0x1d
#define NBT_SUFFIX_BROWSER_ELECTION 0x1e

struct nbt_name {
	uint8_t raw[NBT_NAME_LEN];	/* bytes as on the wire */
	char scope[NBT_SCOPE_MAX + 1];	/* "corp.example", "" for none */
};

/*
 * Build a name the way Windows and Samba send it: upper-cased, space-padded
 * to 15, suffix in byte 15.  "*" is the wildcard, padded with NULs.
 * Fails with CODEC_ERR_NAME_TOO_LONG for more than 15 characters and
 * CODEC_ERR_NAME_BAD_SCOPE for an invalid scope (NULL or "" for none).
 */
enum codec_error nbt_name_make(struct nbt_name *n, const char *name,
			       uint8_t suffix, const char *scope);

/* The browser's __MSBROWSE__<01> name (bytes 01 02 "__MSBROWSE__" 02 01). */
void nbt_name_make_msbrowse(struct nbt_name *n, const char *scope);

static inline uint8_t nbt_name_suffix(const struct nbt_name *n)
{
	return n->raw[NBT_NAME_LEN - 1];
}

/* Exact over all 16 bytes ([MS-NBTE] §2.2.1); scope case-insensitive. */
bool nbt_name_equal(const struct nbt_name *a, const struct nbt_name *b);

/* "*" padded with NULs: the wildcard a BROADCAST datagram goes to. */
bool nbt_name_is_wildcard(const struct nbt_name *n);

/* Second-level encoded length: 34 + scope labels. */
size_t nbt_name_encoded_len(const struct nbt_name *n);

enum codec_error nbt_name_encode(const struct nbt_name *n, uint8_t *buf,
				 size_t buflen, size_t *used);

/*
 * Strict decode of a second-level name starting at buf[0], reading at most
 * len bytes: first length 0x20, 32 characters A-P, scope labels of 1-63
 * bytes, at most NBT_SCOPE_MAX_LABELS labels and 255 bytes in all.  Label
 * pointers and reserved length bits are rejected with their own errors.
 */
enum codec_error nbt_name_decode(const uint8_t *buf, size_t len,
				 struct nbt_name *n, size_t *consumed);

/*
 * Printable form, Wireshark's: bytes 0-14 without trailing spaces (a name
 * of spaces only keeps all 15), every byte that is not printable ASCII as
 * <xx>, then <suffix>, then ".scope".
 * To stay parseable, '<' and a '.' right after an escape are escaped too.
 * Always NUL-terminates; returns the length it wanted.
 */
size_t nbt_name_format(const struct nbt_name *n, char *buf, size_t buflen);

/*
 * Inverse of nbt_name_format: the name ends at the first <xx> followed by
 * '.' or the end of the text; that <xx> is the suffix (missing: <00>).
 */
enum codec_error nbt_name_parse(struct nbt_name *n, const char *text);

#endif
