/*
 * NetBIOS names: building, first/second-level encoding, strict decoding
 * (one crafted input per error), equality, the printable form and its
 * parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "nbt/nbt_name.h"
#include "torture_util.h"

static uint32_t rng_state = 0x12345678;

static uint32_t rng(void)
{
	return torture_rng(&rng_state);
}

/* Encode n into a fresh exactly-sized talloc buffer. */
static uint8_t *encode_name(TALLOC_CTX *mem_ctx, const struct nbt_name *n,
			    size_t *len)
{
	size_t need = nbt_name_encoded_len(n), used = 0;
	uint8_t *buf = talloc_size(mem_ctx, need);

	assert_non_null(buf);
	assert_codec(nbt_name_encode(n, buf, need, &used), CODEC_OK);
	assert_int_equal(used, need);
	*len = need;
	return buf;
}

/* Decode exactly len bytes copied to the heap, so ASan sees over-reads. */
static enum codec_error decode_exact(const uint8_t *bytes, size_t len,
				     struct nbt_name *n, size_t *consumed)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *copy = talloc_memdup(tmp, bytes, len);
	enum codec_error err;

	assert_non_null(copy);
	err = nbt_name_decode(copy, len, n, consumed);
	talloc_free(tmp);
	return err;
}

/* 0x20 + first-level "MYHOST<00>" */
static size_t put_myhost(uint8_t *buf)
{
	static const char enc[] = "ENFJEIEPFDFECACACACACACACACACAAA";
	buf[0] = 0x20;
	memcpy(buf + 1, enc, 32);
	return 33;
}

/* ------------------------------------------------------------------ */

static void test_make_upper_pad(void **state)
{
	struct nbt_name n;
	static const uint8_t want[16] = "FRED           ";

	assert_codec(nbt_name_make(&n, "fReD", 0x00, NULL), CODEC_OK);
	assert_memory_equal(n.raw, want, 15);
	assert_int_equal(n.raw[15], 0x00);
	assert_string_equal(n.scope, "");
	assert_int_equal(nbt_name_suffix(&n), 0x00);

	/* ASCII-only upper-casing: OEM bytes pass through */
	assert_codec(nbt_name_make(&n, "a\xe4z", 0x20, ""), CODEC_OK);
	assert_int_equal(n.raw[0], 'A');
	assert_int_equal(n.raw[1], 0xe4);
	assert_int_equal(n.raw[2], 'Z');
	assert_int_equal(n.raw[3], ' ');
	assert_int_equal(n.raw[14], ' ');
	assert_int_equal(n.raw[15], 0x20);
}

static void test_make_suffix_not_uppercased(void **state)
{
	struct nbt_name n;

	for (unsigned s = 0; s < 256; s++) {
		assert_codec(nbt_name_make(&n, "host", (uint8_t)s, NULL),
			     CODEC_OK);
		assert_int_equal(nbt_name_suffix(&n), s);
		assert_int_equal(n.raw[0], 'H');
	}
	/* 'a'..'z' as suffixes in particular */
	assert_codec(nbt_name_make(&n, "x", 'a', NULL), CODEC_OK);
	assert_int_equal(n.raw[15], 'a');
}

static void test_make_lengths(void **state)
{
	struct nbt_name n;

	assert_codec(nbt_name_make(&n, "ABCDEFGHIJKLMNO", 0x1d, NULL),
		     CODEC_OK);
	assert_memory_equal(n.raw, "ABCDEFGHIJKLMNO", 15);
	assert_int_equal(n.raw[15], 0x1d);
	assert_codec(nbt_name_make(&n, "ABCDEFGHIJKLMNOP", 0x1d, NULL),
		     CODEC_ERR_NAME_TOO_LONG);
	assert_codec(nbt_name_make(&n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 0, NULL),
		     CODEC_ERR_NAME_TOO_LONG);
	assert_codec(nbt_name_make(&n, "", 0x00, NULL), CODEC_OK);
	for (int i = 0; i < 15; i++)
		assert_int_equal(n.raw[i], ' ');
	assert_codec(nbt_name_make(NULL, "A", 0, NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_name_make(&n, NULL, 0, NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
}

static void test_make_wildcard(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n;
	uint8_t *enc;
	size_t len;

	assert_codec(nbt_name_make(&n, "*", 0x00, NULL), CODEC_OK);
	assert_int_equal(n.raw[0], '*');
	for (int i = 1; i < 16; i++)
		assert_int_equal(n.raw[i], 0x00);
	enc = encode_name(tmp, &n, &len);
	assert_int_equal(len, 34);
	assert_int_equal(enc[0], 0x20);
	assert_memory_equal(enc + 1, "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 32);
	assert_int_equal(enc[33], 0x00);

	/* only exactly "*" is the wildcard */
	assert_codec(nbt_name_make(&n, "**", 0x00, NULL), CODEC_OK);
	assert_int_equal(n.raw[2], ' ');
	assert_codec(nbt_name_make(&n, "*A", 0x00, NULL), CODEC_OK);
	assert_int_equal(n.raw[14], ' ');
	talloc_free(tmp);
}

static void test_make_scope(void **state)
{
	struct nbt_name n;
	char buf[300];

	assert_codec(nbt_name_make(&n, "a", 0, "corp.example"), CODEC_OK);
	assert_string_equal(n.scope, "corp.example");
	assert_codec(nbt_name_make(&n, "a", 0, ""), CODEC_OK);
	assert_string_equal(n.scope, "");

	assert_codec(nbt_name_make(&n, "a", 0, "a..b"),
		     CODEC_ERR_NAME_BAD_SCOPE);
	assert_codec(nbt_name_make(&n, "a", 0, ".a"), CODEC_ERR_NAME_BAD_SCOPE);
	assert_codec(nbt_name_make(&n, "a", 0, "a."), CODEC_ERR_NAME_BAD_SCOPE);
	assert_codec(nbt_name_make(&n, "a", 0, "."), CODEC_ERR_NAME_BAD_SCOPE);

	/* labels of 63 ok, 64 not */
	memset(buf, 'x', 63);
	buf[63] = '\0';
	assert_codec(nbt_name_make(&n, "a", 0, buf), CODEC_OK);
	memset(buf, 'x', 64);
	buf[64] = '\0';
	assert_codec(nbt_name_make(&n, "a", 0, buf), CODEC_ERR_NAME_BAD_SCOPE);

	/* 16 labels ok, 17 not */
	strcpy(buf, "a");
	for (int i = 1; i < 16; i++)
		strcat(buf, ".a");
	assert_codec(nbt_name_make(&n, "a", 0, buf), CODEC_OK);
	strcat(buf, ".a");
	assert_codec(nbt_name_make(&n, "a", 0, buf), CODEC_ERR_NAME_BAD_SCOPE);

	/* 220 characters (encodes to exactly 255) ok, 221 not */
	memset(buf, 'y', sizeof(buf));
	buf[63] = buf[127] = buf[191] = '.';
	buf[220] = '\0';
	assert_codec(nbt_name_make(&n, "a", 0, buf), CODEC_OK);
	assert_int_equal(nbt_name_encoded_len(&n), 255);
	buf[220] = 'y';
	buf[221] = '\0';
	assert_codec(nbt_name_make(&n, "a", 0, buf), CODEC_ERR_NAME_BAD_SCOPE);
}

static void test_make_msbrowse(void **state)
{
	static const uint8_t want[16] = {
		0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R',
		'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01,
	};
	struct nbt_name n;

	memset(&n, 0x55, sizeof(n));
	nbt_name_make_msbrowse(&n, NULL);
	assert_memory_equal(n.raw, want, 16);
	assert_string_equal(n.scope, "");
	assert_int_equal(nbt_name_suffix(&n), 0x01);
	nbt_name_make_msbrowse(&n, "corp");
	assert_memory_equal(n.raw, want, 16);
	assert_string_equal(n.scope, "corp");
}

static void test_first_level_examples(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n;
	uint8_t *enc;
	size_t len;

	assert_codec(nbt_name_make(&n, "FRED", 0x20, NULL), CODEC_OK);
	enc = encode_name(tmp, &n, &len);
	assert_int_equal(len, NBT_NAME_ENCODED_MIN);
	assert_int_equal(enc[0], 0x20);
	assert_memory_equal(enc + 1, "EGFCEFEECACACACACACACACACACACACA", 32);
	assert_int_equal(enc[33], 0);

	assert_codec(nbt_name_make(&n, "MYHOST", 0x00, NULL), CODEC_OK);
	enc = encode_name(tmp, &n, &len);
	assert_int_equal(len, 34);
	assert_memory_equal(enc + 1, "ENFJEIEPFDFECACACACACACACACACAAA", 32);

	/* every byte value maps to 'A' + nibble */
	for (unsigned v = 0; v < 256; v++) {
		n.raw[3] = (uint8_t)v;
		enc = encode_name(tmp, &n, &len);
		assert_int_equal(enc[7], 'A' + (v >> 4));
		assert_int_equal(enc[8], 'A' + (v & 15));
	}
	talloc_free(tmp);
}

static void test_scope_labels(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n, d;
	uint8_t *enc, want[47];
	size_t len, consumed = 0;

	put_myhost(want);
	memcpy(want + 33, "\x04" "corp" "\x07" "example" "\x00", 14);
	assert_codec(nbt_name_make(&n, "myhost", 0x00, "corp.example"),
		     CODEC_OK);
	assert_int_equal(nbt_name_encoded_len(&n), 47);
	enc = encode_name(tmp, &n, &len);
	assert_int_equal(len, 47);
	assert_memory_equal(enc, want, 47);

	assert_codec(decode_exact(want, 47, &d, &consumed), CODEC_OK);
	assert_int_equal(consumed, 47);
	assert_string_equal(d.scope, "corp.example");
	assert_true(nbt_name_equal(&n, &d));

	/* decode stops at the terminating 0: trailing bytes not consumed */
	{
		uint8_t more[50];
		memcpy(more, want, 47);
		memset(more + 47, 0xee, 3);
		assert_codec(decode_exact(more, 50, &d, &consumed), CODEC_OK);
		assert_int_equal(consumed, 47);
	}

	/* single label, and a label of 63 */
	assert_codec(nbt_name_make(&n, "A", 0x1d, "x"), CODEC_OK);
	assert_int_equal(nbt_name_encoded_len(&n), 36);
	enc = encode_name(tmp, &n, &len);
	assert_memory_equal(enc + 33, "\x01x\x00", 3);
	talloc_free(tmp);
}

static void test_encode_small_buffer(void **state)
{
	struct nbt_name n;
	uint8_t buf[64];
	size_t used = 999;

	assert_codec(nbt_name_make(&n, "A", 0, NULL), CODEC_OK);
	assert_codec(nbt_name_encode(&n, buf, 33, &used),
		     CODEC_ERR_BUFFER_TOO_SMALL);
	assert_codec(nbt_name_encode(&n, buf, 34, &used), CODEC_OK);
	assert_int_equal(used, 34);
	assert_codec(nbt_name_make(&n, "A", 0, "ab"), CODEC_OK);
	assert_codec(nbt_name_encode(&n, buf, 36, &used),
		     CODEC_ERR_BUFFER_TOO_SMALL);
	assert_codec(nbt_name_encode(&n, buf, 37, NULL), CODEC_OK);

	/* a scope set by hand that is not valid is refused on encode */
	strcpy(n.scope, "a..b");
	assert_codec(nbt_name_encode(&n, buf, sizeof(buf), &used),
		     CODEC_ERR_NAME_BAD_SCOPE);
}

/* ------------------------------------------------------------------ */
/* strict decode */

static void test_decode_bad_first_length(void **state)
{
	static const uint8_t firsts[] = { 0x00, 0x01, 0x1f, 0x21, 0x3f, 0x10 };
	uint8_t buf[34];
	struct nbt_name n;

	put_myhost(buf);
	buf[33] = 0;
	for (size_t i = 0; i < sizeof(firsts); i++) {
		buf[0] = firsts[i];
		assert_codec(decode_exact(buf, 34, &n, NULL),
			     CODEC_ERR_NAME_BAD_FIRST_LENGTH);
	}
	/* checked before the length of the rest */
	assert_codec(decode_exact(buf, 1, &n, NULL),
		     CODEC_ERR_NAME_BAD_FIRST_LENGTH);
}

static void test_decode_bad_character(void **state)
{
	static const uint8_t bad[] = { 'Q', '@', 'Z', 'a', 'p', 0x00, 0xc1,
				       ' ', '0' };
	uint8_t buf[34];
	struct nbt_name n;

	for (size_t pos = 1; pos <= 32; pos++) {
		for (size_t b = 0; b < sizeof(bad); b++) {
			put_myhost(buf);
			buf[33] = 0;
			buf[pos] = bad[b];
			assert_codec(decode_exact(buf, 34, &n, NULL),
				     CODEC_ERR_NAME_BAD_CHARACTER);
		}
	}
	/* 'A' and 'P' are the bounds and are fine */
	put_myhost(buf);
	buf[33] = 0;
	buf[1] = 'P';
	buf[2] = 'P';
	buf[3] = 'A';
	buf[4] = 'A';
	assert_codec(decode_exact(buf, 34, &n, NULL), CODEC_OK);
	assert_int_equal(n.raw[0], 0xff);
	assert_int_equal(n.raw[1], 0x00);
}

static void test_decode_pointer(void **state)
{
	uint8_t buf[40];
	struct nbt_name n;

	/* first byte a pointer: C0 0C, C0 00 (to itself), FF FF */
	buf[0] = 0xc0; buf[1] = 0x0c;
	assert_codec(decode_exact(buf, 2, &n, NULL), CODEC_ERR_NAME_POINTER);
	buf[0] = 0xc0; buf[1] = 0x00;
	assert_codec(decode_exact(buf, 2, &n, NULL), CODEC_ERR_NAME_POINTER);
	buf[0] = 0xff; buf[1] = 0xff;
	assert_codec(decode_exact(buf, 2, &n, NULL), CODEC_ERR_NAME_POINTER);
	/* even when the pointer byte is all there is */
	buf[0] = 0xc0;
	assert_codec(decode_exact(buf, 1, &n, NULL), CODEC_ERR_NAME_POINTER);

	/* in the scope: first label a pointer, and after a real label */
	put_myhost(buf);
	buf[33] = 0xc0; buf[34] = 0x0e;
	assert_codec(decode_exact(buf, 35, &n, NULL), CODEC_ERR_NAME_POINTER);
	put_myhost(buf);
	memcpy(buf + 33, "\x02" "ab" "\xc0\x00", 5);
	assert_codec(decode_exact(buf, 38, &n, NULL), CODEC_ERR_NAME_POINTER);
}

static void test_decode_pointer_loop(void **state)
{
	/* Name at offset 0 whose scope label at 33 points at itself
	 * (C0 21): a follower would loop forever; strict decode refuses. */
	uint8_t buf[35];
	struct nbt_name n;

	put_myhost(buf);
	buf[33] = 0xc0;
	buf[34] = 33;
	assert_codec(decode_exact(buf, 35, &n, NULL), CODEC_ERR_NAME_POINTER);
	/* and a whole name that is a pointer to itself */
	buf[0] = 0xc0;
	buf[1] = 0x00;
	assert_codec(decode_exact(buf, 2, &n, NULL), CODEC_ERR_NAME_POINTER);
}

static void test_decode_reserved_bits(void **state)
{
	static const uint8_t lens[] = { 0x40, 0x80, 0x60, 0xa0, 0x41, 0xbf };
	uint8_t buf[40];
	struct nbt_name n;

	for (size_t i = 0; i < sizeof(lens); i++) {
		memset(buf, 'A', sizeof(buf));
		buf[0] = lens[i];
		assert_codec(decode_exact(buf, 40, &n, NULL),
			     CODEC_ERR_NAME_RESERVED_LENGTH_BITS);
		put_myhost(buf);
		buf[33] = lens[i];
		assert_codec(decode_exact(buf, 40, &n, NULL),
			     CODEC_ERR_NAME_RESERVED_LENGTH_BITS);
	}
}

static void test_decode_truncated_everywhere(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n, d;
	uint8_t *enc;
	size_t len, consumed;

	assert_codec(nbt_name_make(&n, "WORKGROUP", 0x1d, "ab.corp.example"),
		     CODEC_OK);
	enc = encode_name(tmp, &n, &len);
	assert_int_equal(len, 34 + 16);
	for (size_t l = 0; l < len; l++)
		assert_codec(decode_exact(enc, l, &d, &consumed),
			     CODEC_ERR_NAME_TRUNCATED);
	assert_codec(decode_exact(enc, len, &d, &consumed), CODEC_OK);
	assert_int_equal(consumed, len);
	assert_true(nbt_name_equal(&n, &d));

	/* without scope too */
	assert_codec(nbt_name_make(&n, "WORKGROUP", 0x1d, NULL), CODEC_OK);
	enc = encode_name(tmp, &n, &len);
	for (size_t l = 0; l < len; l++)
		assert_codec(decode_exact(enc, l, &d, &consumed),
			     CODEC_ERR_NAME_TRUNCATED);
	talloc_free(tmp);
}

/* 0x20 + MYHOST, then `labels` labels of `each` bytes of 'a', then 0 */
static uint8_t *build_labels(TALLOC_CTX *mem_ctx, size_t labels, size_t each,
			     size_t *len)
{
	size_t n = 33 + labels * (1 + each) + 1, pos;
	uint8_t *buf = talloc_size(mem_ctx, n);

	assert_non_null(buf);
	pos = put_myhost(buf);
	for (size_t i = 0; i < labels; i++) {
		buf[pos++] = (uint8_t)each;
		memset(buf + pos, 'a', each);
		pos += each;
	}
	buf[pos++] = 0;
	assert_int_equal(pos, n);
	*len = n;
	return buf;
}

static void test_decode_label_count(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n;
	uint8_t *buf;
	size_t len, consumed;

	buf = build_labels(tmp, NBT_SCOPE_MAX_LABELS, 1, &len);
	assert_codec(decode_exact(buf, len, &n, &consumed), CODEC_OK);
	assert_int_equal(consumed, len);
	assert_int_equal(strlen(n.scope), 2 * NBT_SCOPE_MAX_LABELS - 1);

	buf = build_labels(tmp, NBT_SCOPE_MAX_LABELS + 1, 1, &len);
	assert_codec(decode_exact(buf, len, &n, NULL),
		     CODEC_ERR_NAME_TOO_MANY_LABELS);
	talloc_free(tmp);
}

static void test_decode_pathological_127_labels(void **state)
{
	/* 127 one-byte labels: 288 bytes, beyond both the label cap and
	 * 255 bytes.  Must be refused, and early (at label 17). */
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n;
	uint8_t *buf;
	size_t len;

	buf = build_labels(tmp, 127, 1, &len);
	assert_int_equal(len, 288);
	assert_codec(decode_exact(buf, len, &n, NULL),
		     CODEC_ERR_NAME_TOO_MANY_LABELS);
	/* also when the packet is cut anywhere after the 17th label */
	for (size_t l = 33 + 17 * 2; l < len; l += 7)
		assert_codec(decode_exact(buf, l, &n, NULL),
			     CODEC_ERR_NAME_TOO_MANY_LABELS);
	talloc_free(tmp);
}

static void test_decode_too_long(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_name n;
	uint8_t buf[300];
	size_t pos, consumed;
	static const uint8_t ok_labels[] = { 63, 63, 63, 28 };

	/* exactly 255 bytes: accepted, 220-character scope */
	pos = put_myhost(buf);
	for (size_t i = 0; i < 4; i++) {
		buf[pos++] = ok_labels[i];
		memset(buf + pos, 'z', ok_labels[i]);
		pos += ok_labels[i];
	}
	buf[pos++] = 0;
	assert_int_equal(pos, 255);
	assert_codec(decode_exact(buf, pos, &n, &consumed), CODEC_OK);
	assert_int_equal(consumed, 255);
	assert_int_equal(strlen(n.scope), NBT_SCOPE_MAX);

	/* one more byte in the last label: 256 */
	pos = put_myhost(buf);
	for (size_t i = 0; i < 4; i++) {
		uint8_t l = (uint8_t)(ok_labels[i] + (i == 3));
		buf[pos++] = l;
		memset(buf + pos, 'z', l);
		pos += l;
	}
	buf[pos++] = 0;
	assert_int_equal(pos, 256);
	assert_codec(decode_exact(buf, pos, &n, NULL), CODEC_ERR_NAME_TOO_LONG);

	/* five labels of 63 (and a packet big enough to hold them) */
	{
		uint8_t *big;
		size_t len;
		big = build_labels(tmp, 5, 63, &len);
		assert_codec(decode_exact(big, len, &n, NULL),
			     CODEC_ERR_NAME_TOO_LONG);
	}
	talloc_free(tmp);
}

static void test_decode_bad_scope(void **state)
{
	uint8_t buf[40];
	struct nbt_name n;

	put_myhost(buf);
	memcpy(buf + 33, "\x03" "a.b" "\x00", 5);
	assert_codec(decode_exact(buf, 38, &n, NULL), CODEC_ERR_NAME_BAD_SCOPE);
	memcpy(buf + 33, "\x03" "a\0b" "\x00", 5);
	assert_codec(decode_exact(buf, 38, &n, NULL), CODEC_ERR_NAME_BAD_SCOPE);
	memcpy(buf + 33, "\x01" "." "\x00", 3);
	assert_codec(decode_exact(buf, 36, &n, NULL), CODEC_ERR_NAME_BAD_SCOPE);
	/* any other byte, even non-ASCII, is allowed in a label */
	memcpy(buf + 33, "\x03" "\xe4-\x7f" "\x00", 5);
	assert_codec(decode_exact(buf, 38, &n, NULL), CODEC_OK);
	assert_string_equal(n.scope, "\xe4-\x7f");
}

static void test_decode_null_args_and_consumed_optional(void **state)
{
	uint8_t buf[34];
	struct nbt_name n;

	put_myhost(buf);
	buf[33] = 0;
	assert_codec(decode_exact(buf, 34, &n, NULL), CODEC_OK);
	assert_int_equal(n.raw[15], 0x00);
	assert_memory_equal(n.raw, "MYHOST         ", 15);
	assert_string_equal(n.scope, "");
}

/* ------------------------------------------------------------------ */

static void test_equal(void **state)
{
	struct nbt_name a, b;

	assert_codec(nbt_name_make(&a, "HOST", 0x20, "Corp.Example"), CODEC_OK);
	b = a;
	assert_true(nbt_name_equal(&a, &b));
	for (int i = 0; i < 16; i++) {
		b = a;
		b.raw[i] ^= 0x01;
		assert_false(nbt_name_equal(&a, &b));
		b.raw[i] ^= 0x01;
		assert_true(nbt_name_equal(&a, &b));
	}
	/* byte-exact: lower case in the raw bytes differs */
	b = a;
	b.raw[0] = 'h';
	assert_false(nbt_name_equal(&a, &b));
	/* scope case-insensitive */
	strcpy(b.scope, "cORP.eXAMPLE");
	b.raw[0] = 'H';
	assert_true(nbt_name_equal(&a, &b));
	strcpy(b.scope, "corp.exampl");
	assert_false(nbt_name_equal(&a, &b));
	strcpy(b.scope, "");
	assert_false(nbt_name_equal(&a, &b));
	/* suffix matters */
	assert_codec(nbt_name_make(&a, "WG", 0x1d, NULL), CODEC_OK);
	assert_codec(nbt_name_make(&b, "WG", 0x1e, NULL), CODEC_OK);
	assert_false(nbt_name_equal(&a, &b));
	/* wildcard vs "*" padded with spaces */
	assert_codec(nbt_name_make(&a, "*", 0x00, NULL), CODEC_OK);
	b = a;
	memset(b.raw + 1, ' ', 14);
	assert_false(nbt_name_equal(&a, &b));
}

/* ------------------------------------------------------------------ */
/* printable form */

static void check_format(const struct nbt_name *n, const char *want)
{
	char buf[NBT_NAME_TEXT_MAX];
	size_t got = nbt_name_format(n, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(got, strlen(want));
}

static void test_format(void **state)
{
	struct nbt_name n;

	assert_codec(nbt_name_make(&n, "FRED", 0x00, NULL), CODEC_OK);
	check_format(&n, "FRED<00>");
	assert_codec(nbt_name_make(&n, "WORKGROUP", 0x1d, NULL), CODEC_OK);
	check_format(&n, "WORKGROUP<1d>");
	assert_codec(nbt_name_make(&n, "MYHOST", 0xff, "corp.example"),
		     CODEC_OK);
	check_format(&n, "MYHOST<ff>.corp.example");
	/* suffix always escaped, even when printable */
	assert_codec(nbt_name_make(&n, "ABCDEFGHIJKLMNO", 'A', NULL), CODEC_OK);
	check_format(&n, "ABCDEFGHIJKLMNO<41>");
	/* the wildcard: 14 NULs then the suffix, as tshark prints it */
	assert_codec(nbt_name_make(&n, "*", 0x00, NULL), CODEC_OK);
	check_format(&n, "*<00><00><00><00><00><00><00><00><00><00><00><00>"
			 "<00><00><00>");
	nbt_name_make_msbrowse(&n, NULL);
	check_format(&n, "<01><02>__MSBROWSE__<02><01>");
	/* inner and leading spaces stay, trailing ones go */
	assert_codec(nbt_name_make(&n, " A B", 0x03, NULL), CODEC_OK);
	check_format(&n, " A B<03>");
	/* all spaces: kept, as tshark shows them (not a bare suffix) */
	assert_codec(nbt_name_make(&n, "", 0x20, NULL), CODEC_OK);
	check_format(&n, "               <20>");
	assert_codec(nbt_name_make(&n, "", 0x1d, "corp"), CODEC_OK);
	check_format(&n, "               <1d>.corp");
	/* '<' is escaped; '.' is printed as tshark does, except right
	 * after an escape, where it would read as the start of the scope */
	assert_codec(nbt_name_make(&n, "A<B.C", 0x00, NULL), CODEC_OK);
	check_format(&n, "A<3c>B.C<00>");
	assert_codec(nbt_name_make(&n, "A<.", 0x00, NULL), CODEC_OK);
	check_format(&n, "A<3c><2e><00>");
	assert_codec(nbt_name_make(&n, "\x01..B", 0x00, NULL), CODEC_OK);
	check_format(&n, "<01><2e><2e>B<00>");
	assert_codec(nbt_name_make(&n, ".", 0x00, "s"), CODEC_OK);
	check_format(&n, ".<00>.s");
	/* '\\' is printable and stays as it is, as in tshark */
	assert_codec(nbt_name_make(&n, "A\\B", 0x00, NULL), CODEC_OK);
	check_format(&n, "A\\B<00>");
	/* control, DEL, OEM bytes */
	assert_codec(nbt_name_make(&n, "\x01\x1f\x7f\x80\xe4~", 0x00, NULL),
		     CODEC_OK);
	check_format(&n, "<01><1f><7f><80><e4>~<00>");
	/* scope bytes: non-printable and '<' escaped, '.' separates */
	assert_codec(nbt_name_make(&n, "A", 0x00, "\xe4<x.y"), CODEC_OK);
	check_format(&n, "A<00>.<e4><3c>x.y");
}

static void test_format_truncation(void **state)
{
	struct nbt_name n;
	char full[NBT_NAME_TEXT_MAX];
	size_t want;

	assert_codec(nbt_name_make(&n, "\x01ORKGROUP", 0x1d, "corp.example"),
		     CODEC_OK);
	want = nbt_name_format(&n, full, sizeof(full));
	assert_string_equal(full, "<01>ORKGROUP<1d>.corp.example");
	assert_int_equal(want, strlen(full));

	/* buflen 0: nothing written (NULL buffer allowed) */
	assert_int_equal(nbt_name_format(&n, NULL, 0), want);

	for (size_t len = 1; len <= want + 2; len++) {
		TALLOC_CTX *tmp = talloc_new(NULL);
		/* exactly len bytes: ASan sees any write past the end */
		char *buf = talloc_size(tmp, len);
		size_t expect_len = len - 1 < want ? len - 1 : want;

		assert_non_null(buf);
		memset(buf, 'Q', len);
		assert_int_equal(nbt_name_format(&n, buf, len), want);
		assert_int_equal(strlen(buf), expect_len);
		assert_memory_equal(buf, full, expect_len);
		talloc_free(tmp);
	}
}

static void test_format_longest(void **state)
{
	/* every byte escaped, longest scope escaped: fits the maximum */
	struct nbt_name n;
	char buf[NBT_NAME_TEXT_MAX];
	size_t want;

	memset(n.raw, 0x01, sizeof(n.raw));
	memset(n.scope, 0x02, NBT_SCOPE_MAX);
	n.scope[63] = n.scope[127] = n.scope[191] = '.';
	n.scope[NBT_SCOPE_MAX] = '\0';
	want = nbt_name_format(&n, buf, sizeof(buf));
	assert_int_equal(want, 16 * 4 + 1 + (NBT_SCOPE_MAX - 3) * 4 + 3);
	assert_true(want < NBT_NAME_TEXT_MAX);
	assert_int_equal(strlen(buf), want);
}

static void check_parse(const char *text, const struct nbt_name *want)
{
	struct nbt_name n;

	memset(&n, 0x5a, sizeof(n));
	assert_codec(nbt_name_parse(&n, text), CODEC_OK);
	if (!nbt_name_equal(&n, want))
		print_error("parse(\"%s\") differs\n", text);
	assert_memory_equal(n.raw, want->raw, 16);
	assert_string_equal(n.scope, want->scope);
}

static void test_parse(void **state)
{
	struct nbt_name want;

	assert_codec(nbt_name_make(&want, "FRED", 0x00, NULL), CODEC_OK);
	check_parse("FRED<00>", &want);
	check_parse("FRED", &want); /* missing suffix means <00> */
	assert_codec(nbt_name_make(&want, "WORKGROUP", 0x1d, "corp.example"),
		     CODEC_OK);
	check_parse("WORKGROUP<1d>.corp.example", &want);
	check_parse("WORKGROUP<1D>.corp.example", &want); /* hex any case */
	nbt_name_make_msbrowse(&want, NULL);
	check_parse("<01><02>__MSBROWSE__<02><01>", &want);
	/* "*" alone is the wildcard, NUL padded, like nbt_name_make */
	assert_codec(nbt_name_make(&want, "*", 0x00, NULL), CODEC_OK);
	check_parse("*<00>", &want);
	check_parse("*", &want);
	check_parse("*<00><00><00><00><00><00><00><00><00><00><00><00><00>"
		    "<00><00>", &want);
	/* escapes inside the name */
	assert_codec(nbt_name_make(&want, "A<B.C", 0x20, NULL), CODEC_OK);
	check_parse("A<3c>B<2e>C<20>", &want);
	check_parse("A<3c>B.C<20>", &want);
	/* '.' only starts the scope right after an escape */
	assert_codec(nbt_name_make(&want, ".CORP", 0x00, NULL), CODEC_OK);
	check_parse(".CORP", &want);
	assert_codec(nbt_name_make(&want, "FRED.CORP", 0x00, NULL), CODEC_OK);
	check_parse("FRED.CORP", &want);
	assert_codec(nbt_name_make(&want, "FRED", 0x00, "CORP"), CODEC_OK);
	check_parse("FRED<00>.CORP", &want);
	/* a name of spaces only: what format prints for it, and the bare
	 * suffix it printed before */
	assert_codec(nbt_name_make(&want, "", 0x1b, NULL), CODEC_OK);
	check_parse("               <1b>", &want);
	check_parse("<1b>", &want);
	assert_codec(nbt_name_make(&want, "", 0x1b, "corp"), CODEC_OK);
	check_parse("               <1b>.corp", &want);
	check_parse("<1b>.corp", &want);
	/* 15 characters */
	assert_codec(nbt_name_make(&want, "ABCDEFGHIJKLMNO", 0x03, NULL),
		     CODEC_OK);
	check_parse("ABCDEFGHIJKLMNO<03>", &want);
}

static void test_parse_errors(void **state)
{
	struct nbt_name n;
	char buf[400];

	assert_codec(nbt_name_parse(NULL, "A"), CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_name_parse(&n, NULL), CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_name_parse(&n, ""), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "."), CODEC_OK); /* the name "." */
	assert_codec(nbt_name_parse(&n, "A<"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<1"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<1d"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<1>"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<zz>"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<1g>"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<123>"), CODEC_ERR_NAME_BAD_TEXT);
	assert_codec(nbt_name_parse(&n, "A<00>.x<"), CODEC_ERR_NAME_BAD_TEXT);
	/* NUL would end the scope */
	assert_codec(nbt_name_parse(&n, "A<00>.x<00>y"),
		     CODEC_ERR_NAME_BAD_TEXT);
	/* 16 name bytes */
	assert_codec(nbt_name_parse(&n, "ABCDEFGHIJKLMNOP<00>"),
		     CODEC_ERR_NAME_TOO_LONG);
	assert_codec(nbt_name_parse(&n, "ABCDEFGHIJKLMNOP"),
		     CODEC_ERR_NAME_TOO_LONG);
	/* very long input stops early */
	memset(buf, 'A', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	assert_codec(nbt_name_parse(&n, buf), CODEC_ERR_NAME_TOO_LONG);
	/* scopes */
	assert_codec(nbt_name_parse(&n, "A<00>.a..b"), CODEC_ERR_NAME_BAD_SCOPE);
	assert_codec(nbt_name_parse(&n, "A<00>.a."), CODEC_ERR_NAME_BAD_SCOPE);
	snprintf(buf, sizeof(buf), "A<00>.%064d", 0);
	assert_codec(nbt_name_parse(&n, buf), CODEC_ERR_NAME_BAD_SCOPE);
	memset(buf, 'y', sizeof(buf));
	memcpy(buf, "A<00>.", 6);
	buf[6 + 63] = buf[6 + 127] = buf[6 + 191] = '.';
	buf[6 + 221] = '\0'; /* 221 > NBT_SCOPE_MAX */
	assert_codec(nbt_name_parse(&n, buf), CODEC_ERR_NAME_BAD_SCOPE);
	buf[6 + 220] = '\0';
	assert_codec(nbt_name_parse(&n, buf), CODEC_OK);
	assert_int_equal(strlen(n.scope), NBT_SCOPE_MAX);
	buf[6 + 350] = '\0';
	memset(buf + 6 + 220, 'y', 130);
	assert_codec(nbt_name_parse(&n, buf), CODEC_ERR_NAME_BAD_SCOPE);
}

/* format -> parse -> same name, encode -> decode -> same name */
static void roundtrip_one(const struct nbt_name *n)
{
	char text[NBT_NAME_TEXT_MAX];
	uint8_t enc[NBT_NAME_ENCODED_MAX];
	struct nbt_name back;
	size_t used, consumed, want;

	want = nbt_name_format(n, text, sizeof(text));
	assert_true(want < sizeof(text));
	memset(&back, 0x77, sizeof(back));
	if (nbt_name_parse(&back, text) != CODEC_OK ||
	    memcmp(back.raw, n->raw, 16) != 0 ||
	    strcmp(back.scope, n->scope) != 0) {
		print_error("text round trip failed for \"%s\"\n", text);
		fail();
	}
	assert_codec(nbt_name_encode(n, enc, sizeof(enc), &used), CODEC_OK);
	assert_int_equal(used, nbt_name_encoded_len(n));
	assert_codec(decode_exact(enc, used, &back, &consumed), CODEC_OK);
	assert_int_equal(consumed, used);
	assert_memory_equal(back.raw, n->raw, 16);
	assert_string_equal(back.scope, n->scope);
}

static void random_scope(char *scope)
{
	size_t labels = 1 + rng() % 4, pos = 0;

	for (size_t l = 0; l < labels; l++) {
		size_t len = 1 + rng() % 20;
		if (l > 0)
			scope[pos++] = '.';
		for (size_t i = 0; i < len; i++) {
			uint8_t c;
			do {
				c = (uint8_t)rng();
			} while (c == '.' || c == 0);
			scope[pos++] = (char)c;
		}
	}
	scope[pos] = '\0';
}

/* "*" followed by spaces only: text form "*<xx>" means the wildcard. */
static bool is_star_spaces(const struct nbt_name *n)
{
	if (n->raw[0] != '*')
		return false;
	for (int i = 1; i < 15; i++) {
		if (n->raw[i] != ' ')
			return false;
	}
	return true;
}

static void test_roundtrip_generated(void **state)
{
	struct nbt_name n;
	size_t count = 0;

	for (int with_scope = 0; with_scope < 2; with_scope++) {
		/* every byte value at every position of the name */
		for (size_t pos = 0; pos < 15; pos++) {
			for (unsigned v = 0; v < 256; v++) {
				size_t len = 1 + rng() % 15;
				memset(n.raw, ' ', 15);
				for (size_t i = 0; i < len; i++)
					n.raw[i] = (uint8_t)rng();
				n.raw[pos] = (uint8_t)v;
				n.raw[15] = (uint8_t)rng();
				if (with_scope)
					random_scope(n.scope);
				else
					n.scope[0] = '\0';
				if (is_star_spaces(&n))
					continue;
				roundtrip_one(&n);
				count++;
			}
		}
		/* every suffix with ordinary names, from nbt_name_make */
		for (unsigned s = 0; s < 256; s++) {
			static const char *const names[] = {
				"A", "MYHOST", "WORKGROUP", "ABCDEFGHIJKLMNO",
				"*", "", "x y", "a.b<c",
			};
			for (size_t i = 0; i < 8; i++) {
				assert_codec(nbt_name_make(&n, names[i],
							   (uint8_t)s,
							   with_scope ?
							   "corp.example" :
							   NULL), CODEC_OK);
				roundtrip_one(&n);
				count++;
			}
			nbt_name_make_msbrowse(&n, with_scope ? "s" : NULL);
			n.raw[15] = (uint8_t)s;
			roundtrip_one(&n);
			count++;
		}
	}
	/* the longest scope */
	memset(n.raw, 0x8f, 16);
	memset(n.scope, 'q', NBT_SCOPE_MAX);
	n.scope[63] = n.scope[127] = n.scope[191] = '.';
	n.scope[NBT_SCOPE_MAX] = '\0';
	roundtrip_one(&n);
	assert_true(count > 8000);
}

static void test_star_spaces_is_wildcard_text(void **state)
{
	/* Documented ambiguity: "*" + 14 spaces formats as "*<xx>", which
	 * parses as the NUL-padded wildcard, not back to spaces. */
	struct nbt_name n, w;
	char text[64];

	assert_codec(nbt_name_make(&n, "*", 0x00, NULL), CODEC_OK);
	memset(n.raw + 1, ' ', 14);
	nbt_name_format(&n, text, sizeof(text));
	assert_string_equal(text, "*<00>");
	assert_codec(nbt_name_parse(&w, text), CODEC_OK);
	assert_int_equal(w.raw[1], 0x00);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_upper_pad),
		cmocka_unit_test(test_make_suffix_not_uppercased),
		cmocka_unit_test(test_make_lengths),
		cmocka_unit_test(test_make_wildcard),
		cmocka_unit_test(test_make_scope),
		cmocka_unit_test(test_make_msbrowse),
		cmocka_unit_test(test_first_level_examples),
		cmocka_unit_test(test_scope_labels),
		cmocka_unit_test(test_encode_small_buffer),
		cmocka_unit_test(test_decode_bad_first_length),
		cmocka_unit_test(test_decode_bad_character),
		cmocka_unit_test(test_decode_pointer),
		cmocka_unit_test(test_decode_pointer_loop),
		cmocka_unit_test(test_decode_reserved_bits),
		cmocka_unit_test(test_decode_truncated_everywhere),
		cmocka_unit_test(test_decode_label_count),
		cmocka_unit_test(test_decode_pathological_127_labels),
		cmocka_unit_test(test_decode_too_long),
		cmocka_unit_test(test_decode_bad_scope),
		cmocka_unit_test(test_decode_null_args_and_consumed_optional),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_truncation),
		cmocka_unit_test(test_format_longest),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_roundtrip_generated),
		cmocka_unit_test(test_star_spaces_is_wildcard_text),
	};

	return cmocka_run_group_tests_name("nbt_name", tests, NULL, NULL);
}
