/*
 * NBT datagram packets: all seven types, round trips, zero-copy user data,
 * DGM_LENGTH as found, header errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "nbt/nbt_dgram.h"
#include "torture_frames.h"
#include "torture_util.h"

static uint32_t rng_state = 0x2468ace1;

static uint32_t rng(void)
{
	return torture_rng(&rng_state);
}

static enum codec_error decode_exact(TALLOC_CTX *mem_ctx, const uint8_t *b,
				     size_t len, struct nbt_dgram *d,
				     uint8_t **copy_out)
{
	uint8_t *copy = talloc_memdup(mem_ctx, b, len);

	assert_non_null(copy);
	if (copy_out != NULL)
		*copy_out = copy;
	return nbt_dgram_decode(copy, len, d);
}

static uint8_t *encode(TALLOC_CTX *mem_ctx, const struct nbt_dgram *d,
		       size_t *len)
{
	size_t need = nbt_dgram_encoded_len(d), used = 0;
	uint8_t *buf = talloc_size(mem_ctx, need ? need : 1);

	assert_non_null(buf);
	assert_codec(nbt_dgram_encode(d, buf, need, &used), CODEC_OK);
	assert_int_equal(used, need);
	*len = need;
	return buf;
}

static void assert_dgram_equal(const struct nbt_dgram *a,
			       const struct nbt_dgram *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->src_ip, b->src_ip);
	assert_int_equal(a->src_port, b->src_port);
	if (nbt_dgram_type_is_data(a->type)) {
		assert_int_equal(a->packet_offset, b->packet_offset);
		assert_true(nbt_name_equal(&a->source, &b->source));
		assert_string_equal(a->source.scope, b->source.scope);
		assert_int_equal(a->user_data_len, b->user_data_len);
		if (a->user_data_len > 0)
			assert_memory_equal(a->user_data, b->user_data,
					    a->user_data_len);
	}
	if (a->type == NBT_DGRAM_ERROR)
		assert_int_equal(a->error_code, b->error_code);
	else {
		assert_true(nbt_name_equal(&a->dest, &b->dest));
		assert_string_equal(a->dest.scope, b->dest.scope);
	}
}

/* ------------------------------------------------------------------ */

static void test_decode_host_announcement(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d;
	struct nbt_name want;
	uint8_t *copy, *enc;
	size_t len;

	assert_codec(decode_exact(tmp, torture_host_announcement,
				  sizeof(torture_host_announcement), &d, &copy),
		     CODEC_OK);
	assert_int_equal(d.type, NBT_DGRAM_DIRECT_GROUP);
	assert_int_equal(d.flags, 0x02);
	assert_int_equal(d.id, 0x8001);
	assert_int_equal(d.src_ip, 0xc0a8010a);
	assert_int_equal(d.src_port, 138);
	assert_int_equal(d.dgm_length, 187);
	assert_int_equal(d.packet_offset, 0);
	assert_int_equal(nbt_dgram_computed_length(&d), 187);
	assert_codec(nbt_name_make(&want, "MYHOST", 0x00, NULL), CODEC_OK);
	assert_true(nbt_name_equal(&d.source, &want));
	assert_codec(nbt_name_make(&want, "WORKGROUP", 0x1d, NULL), CODEC_OK);
	assert_true(nbt_name_equal(&d.dest, &want));
	/* zero-copy: user data is a view into the input */
	assert_ptr_equal(d.user_data, copy + 82);
	assert_int_equal(d.user_data_len, 201 - 82);
	assert_false(nbt_dgram_is_fragment(&d));

	/* and encoding it again gives the same bytes */
	enc = encode(tmp, &d, &len);
	assert_int_equal(len, sizeof(torture_host_announcement));
	assert_memory_equal(enc, torture_host_announcement, len);
	talloc_free(tmp);
}

static void fill_names(struct nbt_dgram *d, const char *scope)
{
	assert_codec(nbt_name_make(&d->source, "MYHOST", 0x00, scope),
		     CODEC_OK);
	assert_codec(nbt_name_make(&d->dest, "TARGET", 0x03, scope),
		     CODEC_OK);
}

static void test_roundtrip_data_types(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint8_t payload[] = "some user data \x00\xff\x01";

	for (uint8_t type = 0x10; type <= 0x12; type++) {
		struct nbt_dgram d, back;
		uint8_t *enc, *copy;
		size_t len;

		nbt_dgram_init(&d, type, NBT_NODE_H, 0xbeef, 0x0a000001, 1138);
		assert_int_equal(d.flags, 0x0e);
		fill_names(&d, NULL);
		/* reserved bits and M are carried as given */
		d.flags = 0xf7;
		d.packet_offset = 0x1234;
		d.dgm_length = 7; /* ignored by encode */
		d.user_data = payload;
		d.user_data_len = sizeof(payload);
		enc = encode(tmp, &d, &len);
		assert_int_equal(len, 14 + 68 + sizeof(payload));
		assert_int_equal(enc[0], type);
		assert_int_equal(enc[1], 0xf7);
		assert_int_equal(enc[2], 0xbe);
		assert_int_equal(enc[3], 0xef);
		assert_memory_equal(enc + 4, "\x0a\x00\x00\x01\x04\x72", 6);
		/* DGM_LENGTH = names + data, header excluded */
		assert_int_equal(enc[10] << 8 | enc[11], 68 + sizeof(payload));
		assert_int_equal(enc[12] << 8 | enc[13], 0x1234);

		assert_codec(decode_exact(tmp, enc, len, &back, &copy),
			     CODEC_OK);
		assert_dgram_equal(&d, &back);
		assert_int_equal(back.dgm_length, 68 + sizeof(payload));
		assert_ptr_equal(back.user_data, copy + 82);
	}
	talloc_free(tmp);
}

static void test_roundtrip_error(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint8_t codes[] = { 0x82, 0x83, 0x84, 0x00, 0xff };

	for (size_t i = 0; i < sizeof(codes); i++) {
		struct nbt_dgram d, back;
		uint8_t *enc;
		size_t len;

		nbt_dgram_init(&d, NBT_DGRAM_ERROR, NBT_NODE_B, 0x8002,
			       0xc0a80114, 138);
		d.flags = 0x00;
		d.error_code = codes[i];
		/* names and data are not part of an error packet */
		fill_names(&d, "x");
		d.user_data = (const uint8_t *)"junk";
		d.user_data_len = 4;
		enc = encode(tmp, &d, &len);
		assert_int_equal(len, NBT_DGRAM_ERROR_LEN);
		assert_memory_equal(enc, "\x13\x00\x80\x02\xc0\xa8\x01\x14\x00\x8a",
				    10);
		assert_int_equal(enc[10], codes[i]);
		assert_codec(decode_exact(tmp, enc, len, &back, NULL),
			     CODEC_OK);
		assert_int_equal(back.type, NBT_DGRAM_ERROR);
		assert_int_equal(back.error_code, codes[i]);
		assert_int_equal(back.id, 0x8002);
		assert_int_equal(back.user_data_len, 0);
	}
	talloc_free(tmp);
}

static void test_roundtrip_query(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);

	for (uint8_t type = 0x14; type <= 0x16; type++) {
		for (int sc = 0; sc < 2; sc++) {
			struct nbt_dgram d, back;
			uint8_t *enc;
			size_t len;

			nbt_dgram_init(&d, type, NBT_NODE_P, 0x0102,
				       0x01020304, 138);
			fill_names(&d, sc ? "corp.example" : NULL);
			d.user_data = (const uint8_t *)"ignored";
			d.user_data_len = 7;
			enc = encode(tmp, &d, &len);
			assert_int_equal(len, 10 + nbt_name_encoded_len(&d.dest));
			assert_int_equal(enc[0], type);
			assert_int_equal(enc[1], 0x06);
			assert_int_equal(enc[10], 0x20);
			assert_codec(decode_exact(tmp, enc, len, &back, NULL),
				     CODEC_OK);
			assert_int_equal(back.type, type);
			assert_int_equal(back.flags, 0x06);
			assert_true(nbt_name_equal(&d.dest, &back.dest));
			assert_int_equal(back.user_data_len, 0);

			/* trailing bytes */
			{
				uint8_t *more = talloc_size(tmp, len + 1);
				memcpy(more, enc, len);
				more[len] = 0;
				assert_codec(decode_exact(tmp, more, len + 1,
							  &back, NULL),
					     CODEC_ERR_DGRAM_TRAILING_BYTES);
			}
			/* truncated name */
			for (size_t l = 10; l < len; l++)
				assert_codec(decode_exact(tmp, enc, l, &back,
							  NULL),
					     CODEC_ERR_NAME_TRUNCATED);
		}
	}
	talloc_free(tmp);
}

static void test_dgm_length_lies(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint16_t lies[] = { 0, 1, 186, 188, 0xffff };
	uint8_t buf[sizeof(torture_host_announcement)];

	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		struct nbt_dgram d;
		uint8_t *copy;

		memcpy(buf, torture_host_announcement, sizeof(buf));
		buf[10] = (uint8_t)(lies[i] >> 8);
		buf[11] = (uint8_t)lies[i];
		assert_codec(decode_exact(tmp, buf, sizeof(buf), &d, &copy),
			     CODEC_OK);
		assert_int_equal(d.dgm_length, lies[i]);
		assert_int_equal(nbt_dgram_computed_length(&d), 187);
		assert_ptr_equal(d.user_data, copy + 82);
		assert_int_equal(d.user_data_len, 119);
	}
	/* no user data at all is fine: just the names */
	{
		struct nbt_dgram d;
		uint8_t *copy;
		assert_codec(decode_exact(tmp, torture_host_announcement, 82, &d,
					  &copy), CODEC_OK);
		assert_int_equal(d.user_data_len, 0);
		assert_int_equal(d.dgm_length, 187);
		assert_int_equal(nbt_dgram_computed_length(&d), 68);
	}
	talloc_free(tmp);
}

static void test_decode_truncated(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d;
	uint8_t buf[16];

	for (size_t l = 0; l < NBT_DGRAM_PREFIX_LEN; l++)
		assert_codec(decode_exact(tmp, torture_host_announcement, l, &d, NULL),
			     CODEC_ERR_DGRAM_TRUNCATED_HEADER);
	/* a data type needs 14 */
	for (uint8_t t = 0x10; t <= 0x12; t++) {
		memcpy(buf, torture_host_announcement, sizeof(buf));
		buf[0] = t;
		for (size_t l = 10; l < 14; l++)
			assert_codec(decode_exact(tmp, buf, l, &d, NULL),
				     CODEC_ERR_DGRAM_TRUNCATED_HEADER);
		/* 14 bytes: the header is there, the source name is not */
		assert_codec(decode_exact(tmp, buf, 14, &d, NULL),
			     CODEC_ERR_NAME_TRUNCATED);
	}
	/* error packet: 10 bytes is short */
	memcpy(buf, "\x13\x00\x80\x02\xc0\xa8\x01\x14\x00\x8a\x82", 11);
	assert_codec(decode_exact(tmp, buf, 10, &d, NULL),
		     CODEC_ERR_DGRAM_TRUNCATED_HEADER);
	/* query: no name at all */
	buf[0] = 0x14;
	assert_codec(decode_exact(tmp, buf, 10, &d, NULL),
		     CODEC_ERR_NAME_TRUNCATED);
	/* names cut anywhere */
	for (size_t l = 14; l < 82; l++)
		assert_codec(decode_exact(tmp, torture_host_announcement, l, &d, NULL),
			     CODEC_ERR_NAME_TRUNCATED);
	talloc_free(tmp);
}

static void test_decode_unknown_type(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint8_t types[] = { 0x00, 0x01, 0x0f, 0x17, 0x20, 0x80,
					 0xff };
	uint8_t buf[sizeof(torture_host_announcement)];
	struct nbt_dgram d;

	memcpy(buf, torture_host_announcement, sizeof(buf));
	for (size_t i = 0; i < sizeof(types); i++) {
		buf[0] = types[i];
		assert_codec(decode_exact(tmp, buf, sizeof(buf), &d, NULL),
			     CODEC_ERR_DGRAM_UNKNOWN_TYPE);
		assert_codec(decode_exact(tmp, buf, 10, &d, NULL),
			     CODEC_ERR_DGRAM_UNKNOWN_TYPE);
		/* encode refuses them too */
		nbt_dgram_init(&d, types[i], 0, 0, 0, 138);
		assert_codec(nbt_dgram_encode(&d, buf, sizeof(buf), NULL),
			     CODEC_ERR_DGRAM_UNKNOWN_TYPE);
		memcpy(buf, torture_host_announcement, sizeof(buf));
	}
	talloc_free(tmp);
}

static void test_decode_trailing(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint8_t err[11] = { 0x13, 0x00, 0x80, 0x02, 0xc0, 0xa8,
					 0x01, 0x14, 0x00, 0x8a, 0x82 };
	uint8_t buf[64];
	struct nbt_dgram d;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, err, sizeof(err));
	assert_codec(decode_exact(tmp, buf, 11, &d, NULL), CODEC_OK);
	for (size_t l = 12; l < sizeof(buf); l++) {
		assert_codec(decode_exact(tmp, buf, l, &d, NULL),
			     CODEC_ERR_DGRAM_TRAILING_BYTES);
		/* the fields were still read */
		assert_int_equal(d.error_code, 0x82);
	}
	talloc_free(tmp);
}

static void test_decode_bad_names(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t buf[sizeof(torture_host_announcement)];
	struct nbt_dgram d;

	/* source name pointer */
	memcpy(buf, torture_host_announcement, sizeof(buf));
	buf[14] = 0xc0;
	assert_codec(decode_exact(tmp, buf, sizeof(buf), &d, NULL),
		     CODEC_ERR_NAME_POINTER);
	/* destination name pointer to the source name (vectors/90) */
	memcpy(buf, torture_host_announcement, sizeof(buf));
	buf[48] = 0xc0;
	buf[49] = 0x0e;
	assert_codec(decode_exact(tmp, buf, sizeof(buf), &d, NULL),
		     CODEC_ERR_NAME_POINTER);
	/* bad character in the destination */
	memcpy(buf, torture_host_announcement, sizeof(buf));
	buf[60] = 'Z';
	assert_codec(decode_exact(tmp, buf, sizeof(buf), &d, NULL),
		     CODEC_ERR_NAME_BAD_CHARACTER);
	talloc_free(tmp);
}

static void test_encode_buffer_too_small(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d;
	uint8_t payload[50];
	size_t need;

	memset(payload, 0x5a, sizeof(payload));
	for (uint8_t type = 0x10; type <= 0x16; type++) {
		nbt_dgram_init(&d, type, NBT_NODE_B, 1, 2, 138);
		fill_names(&d, type & 1 ? "a.b" : NULL);
		d.user_data = payload;
		d.user_data_len = sizeof(payload);
		need = nbt_dgram_encoded_len(&d);
		for (size_t l = 0; l < need; l++) {
			/* exactly l bytes: ASan catches a write beyond */
			uint8_t *buf = talloc_size(tmp, l ? l : 1);
			size_t used = 12345;
			assert_codec(nbt_dgram_encode(&d, buf, l, &used),
				     CODEC_ERR_BUFFER_TOO_SMALL);
			talloc_free(buf);
		}
		{
			uint8_t *buf = talloc_size(tmp, need);
			size_t used = 0;
			assert_codec(nbt_dgram_encode(&d, buf, need, &used),
				     CODEC_OK);
			assert_int_equal(used, need);
		}
	}
	talloc_free(tmp);
}

static void test_encode_invalid(void **state)
{
	struct nbt_dgram d;
	uint8_t buf[200];
	static uint8_t big[65536];

	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_UNIQUE, 0, 1, 2, 138);
	fill_names(&d, NULL);
	assert_codec(nbt_dgram_encode(NULL, buf, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_dgram_encode(&d, NULL, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	d.user_data = NULL;
	d.user_data_len = 3;
	assert_codec(nbt_dgram_encode(&d, buf, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	/* DGM_LENGTH would not fit in 16 bits */
	d.user_data = big;
	d.user_data_len = 65535 - 68 + 1;
	assert_codec(nbt_dgram_encode(&d, buf, sizeof(buf), NULL),
		     CODEC_ERR_DGRAM_TOO_LARGE);
	d.user_data_len = 65535 - 68;
	assert_codec(nbt_dgram_encode(&d, buf, sizeof(buf), NULL),
		     CODEC_ERR_BUFFER_TOO_SMALL);
	assert_codec(nbt_dgram_decode(NULL, 10, &d),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_dgram_decode(buf, 10, NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
}

static void test_is_fragment(void **state)
{
	struct nbt_dgram d;

	memset(&d, 0, sizeof(d));
	for (unsigned hi = 0; hi < 0x100; hi += 4) {
		/* node type and reserved bits never matter */
		d.flags = (uint8_t)(hi | NBT_DGRAM_FLAG_FIRST);
		assert_false(nbt_dgram_is_fragment(&d)); /* F, !M: whole */
		d.flags = (uint8_t)(hi | NBT_DGRAM_FLAG_FIRST |
				    NBT_DGRAM_FLAG_MORE);
		assert_true(nbt_dgram_is_fragment(&d)); /* first of many */
		d.flags = (uint8_t)(hi | NBT_DGRAM_FLAG_MORE);
		assert_true(nbt_dgram_is_fragment(&d)); /* middle */
		d.flags = (uint8_t)hi;
		assert_true(nbt_dgram_is_fragment(&d)); /* last */
	}
}

static void test_names_of_things(void **state)
{
	static const char *const want[] = {
		"DIRECT_UNIQUE", "DIRECT_GROUP", "BROADCAST", "ERROR",
		"QUERY_REQUEST", "POSITIVE_QUERY_RESPONSE",
		"NEGATIVE_QUERY_RESPONSE",
	};

	for (unsigned t = 0; t < 256; t++) {
		const char *n = nbt_dgram_type_name((uint8_t)t);
		assert_non_null(n);
		if (t >= 0x10 && t <= 0x16)
			assert_string_equal(n, want[t - 0x10]);
		else
			assert_string_equal(n, "UNKNOWN");
		assert_int_equal(nbt_dgram_type_is_data((uint8_t)t),
				 t >= 0x10 && t <= 0x12);
	}
	assert_string_equal(nbt_dgram_error_code_name(0x82),
			    "DESTINATION_NAME_NOT_PRESENT");
	assert_string_equal(nbt_dgram_error_code_name(0x83),
			    "INVALID_SOURCE_NAME_FORMAT");
	assert_string_equal(nbt_dgram_error_code_name(0x84),
			    "INVALID_DESTINATION_NAME_FORMAT");
	assert_string_equal(nbt_dgram_error_code_name(0x00), "UNKNOWN");
	assert_string_equal(nbt_dgram_error_code_name(0x85), "UNKNOWN");

	/* every codec error has its own name and text */
	for (int e = 0; e < CODEC_ERR_COUNT; e++) {
		assert_non_null(codec_error_name(e));
		assert_string_not_equal(codec_error_name(e),
					"CODEC_ERR_UNKNOWN");
		assert_string_not_equal(codec_error_string(e),
					"unknown codec error");
		for (int f = 0; f < e; f++)
			assert_string_not_equal(codec_error_name(e),
						codec_error_name(f));
	}
	assert_string_equal(codec_error_name(CODEC_ERR_DGRAM_UNKNOWN_TYPE),
			    "CODEC_ERR_DGRAM_UNKNOWN_TYPE");
	assert_string_equal(codec_error_name(CODEC_ERR_COUNT),
			    "CODEC_ERR_UNKNOWN");
	assert_string_equal(codec_error_name((enum codec_error)-1),
			    "CODEC_ERR_UNKNOWN");
}

static void random_name(struct nbt_name *n, bool scoped)
{
	static const char *const scopes[] = {
		"corp.example", "a", "x.y.z", "NETBIOS.COM",
	};
	char name[16];
	size_t len = rng() % 16;

	for (size_t i = 0; i < len; i++)
		name[i] = (char)('A' + rng() % 26);
	name[len] = '\0';
	assert_codec(nbt_name_make(n, name, (uint8_t)rng(),
				   scoped ? scopes[rng() % 4] : NULL),
		     CODEC_OK);
}

static void test_roundtrip_generated(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static uint8_t payload[601];
	size_t count = 0;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)rng();
	for (size_t size = 0; size <= 600; size++) {
		for (uint8_t type = 0x10; type <= 0x16; type++) {
			struct nbt_dgram d, back;
			uint8_t *enc, *copy;
			size_t len, names;
			bool scoped = (size + type) % 3 == 0;

			nbt_dgram_init(&d, type, (uint8_t)(rng() & 0x0c),
				       (uint16_t)rng(), rng(),
				       (uint16_t)rng());
			d.flags = (uint8_t)rng();
			d.packet_offset = (uint16_t)rng();
			d.error_code = (uint8_t)rng();
			random_name(&d.source, scoped);
			random_name(&d.dest, scoped);
			d.user_data = payload + (size % 2);
			d.user_data_len = size;
			enc = encode(tmp, &d, &len);
			names = nbt_name_encoded_len(&d.source) +
				nbt_name_encoded_len(&d.dest);
			if (nbt_dgram_type_is_data(type)) {
				assert_int_equal(len, 14 + names + size);
				assert_int_equal(enc[10] << 8 | enc[11],
						 names + size);
			}
			assert_codec(decode_exact(tmp, enc, len, &back, &copy),
				     CODEC_OK);
			assert_dgram_equal(&d, &back);
			if (nbt_dgram_type_is_data(type)) {
				assert_int_equal(back.dgm_length, names + size);
				assert_ptr_equal(back.user_data,
						 copy + 14 + names);
			}
			talloc_free(enc);
			talloc_free(copy);
			count++;
		}
	}
	assert_int_equal(count, 601 * 7);
	talloc_free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_host_announcement),
		cmocka_unit_test(test_roundtrip_data_types),
		cmocka_unit_test(test_roundtrip_error),
		cmocka_unit_test(test_roundtrip_query),
		cmocka_unit_test(test_dgm_length_lies),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_unknown_type),
		cmocka_unit_test(test_decode_trailing),
		cmocka_unit_test(test_decode_bad_names),
		cmocka_unit_test(test_encode_buffer_too_small),
		cmocka_unit_test(test_encode_invalid),
		cmocka_unit_test(test_is_fragment),
		cmocka_unit_test(test_names_of_things),
		cmocka_unit_test(test_roundtrip_generated),
	};

	return cmocka_run_group_tests_name("nbt_dgram", tests, NULL, NULL);
}
