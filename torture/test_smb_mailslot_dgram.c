/*
 * smb_mailslot_dgram_encode(): the in-place encoding every sender uses
 * gives the same bytes as encoding the SMB and the datagram apart, decodes
 * back to the write, and never writes past a short buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "smb/smb_mailslot_dgram.h"
#include "torture_util.h"

static uint32_t rng_state = 0xd6a3b10c;

static uint32_t rng(void)
{
	return torture_rng(&rng_state);
}

struct case_frame {
	struct nbt_dgram d;
	struct smb_mailslot_write w;
	char name[64];
	uint8_t data[SMB_MAILSLOT_SMB_LIMIT];
};

/* A random write to a random name, as one of the three data types. */
static void case_make(struct case_frame *c)
{
	static const uint8_t types[] = { NBT_DGRAM_DIRECT_UNIQUE,
					 NBT_DGRAM_DIRECT_GROUP,
					 NBT_DGRAM_BROADCAST };
	static const char *const dests[] = { "WORKGROUP", "A", "SERVER15CHARSX" };
	size_t slot_len = 1 + rng() % 40, max;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "\\MAILSLOT\\%.*s", (int)slot_len,
		 "browse_net_netlogon_messngr_test_slot_name_");
	smb_mailslot_write_init(&c->w, rng() % 2 ? SMB_MAILSLOT_LAYOUT_MAIL
						 : SMB_MAILSLOT_LAYOUT_BROWSE);
	max = smb_mailslot_max_payload(c->name, c->w.align_data ?
				       SMB_MAILSLOT_LAYOUT_MAIL :
				       SMB_MAILSLOT_LAYOUT_BROWSE);
	for (size_t i = 0; i < sizeof(c->data); i++)
		c->data[i] = (uint8_t)rng();
	c->w.name = c->name;
	c->w.name_len = strlen(c->name);
	c->w.data = c->data;
	c->w.data_len = max ? rng() % (max + 1) : 0;
	nbt_dgram_init(&c->d, types[rng() % 3], NBT_NODE_B, (uint16_t)rng(),
		       0x0a000000 | (rng() & 0xffffff), 138);
	assert_int_equal(nbt_name_make(&c->d.source, "SENDER", 0x00,
				       rng() % 2 ? NULL : "example.test"),
			 CODEC_OK);
	assert_int_equal(nbt_name_make(&c->d.dest, dests[rng() % 3],
				       (uint8_t)rng(), NULL), CODEC_OK);
}

static void test_same_bytes_as_two_steps(void **state)
{
	(void)state;
	for (int i = 0; i < 500; i++) {
		struct case_frame c;
		struct nbt_dgram two;
		uint8_t smb[SMB_MAILSLOT_SMB_LIMIT];
		uint8_t a[SMB_MAILSLOT_DGRAM_MAX], b[SMB_MAILSLOT_DGRAM_MAX];
		size_t smb_len, alen, blen;

		case_make(&c);
		assert_int_equal(smb_mailslot_encode(&c.w, smb, sizeof(smb),
						     &smb_len), CODEC_OK);
		two = c.d;
		two.user_data = smb;
		two.user_data_len = smb_len;
		assert_int_equal(nbt_dgram_encode(&two, a, sizeof(a), &alen),
				 CODEC_OK);
		assert_int_equal(smb_mailslot_dgram_encode(&c.d, &c.w, b,
							   sizeof(b), &blen),
				 CODEC_OK);
		assert_int_equal(blen, alen);
		assert_int_equal(blen, smb_mailslot_dgram_encoded_len(&c.d,
								      &c.w));
		assert_memory_equal(a, b, alen);
		/* USER_DATA is left a view of the SMB inside the packet */
		assert_ptr_equal(c.d.user_data, b + blen - smb_len);
		assert_int_equal(c.d.user_data_len, smb_len);
	}
}

static void test_decodes_back(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		struct case_frame c;
		struct nbt_dgram d;
		struct smb_mailslot_write w;
		uint8_t pkt[SMB_MAILSLOT_DGRAM_MAX];
		size_t len;

		case_make(&c);
		assert_int_equal(smb_mailslot_dgram_encode(&c.d, &c.w, pkt,
							   sizeof(pkt), &len),
				 CODEC_OK);
		assert_int_equal(nbt_dgram_decode(pkt, len, &d), CODEC_OK);
		assert_int_equal(d.type, c.d.type);
		assert_int_equal(d.id, c.d.id);
		assert_int_equal(d.dgm_length, nbt_dgram_computed_length(&d));
		assert_int_equal(smb_mailslot_decode(d.user_data,
						     d.user_data_len, &w),
				 CODEC_OK);
		assert_int_equal(w.name_len, c.w.name_len);
		assert_memory_equal(w.name, c.w.name, w.name_len);
		assert_int_equal(w.data_len, c.w.data_len);
		if (w.data_len > 0)
			assert_memory_equal(w.data, c.data, w.data_len);
	}
}

/* Every length short of the whole packet fails and writes nothing past it. */
static void test_short_buffer(void **state)
{
	struct case_frame c;
	uint8_t buf[SMB_MAILSLOT_DGRAM_MAX + 16];
	size_t need, used;

	(void)state;
	case_make(&c);
	c.w.data_len = 100;
	need = smb_mailslot_dgram_encoded_len(&c.d, &c.w);
	for (size_t n = 0; n < need; n++) {
		struct nbt_dgram d = c.d;

		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(smb_mailslot_dgram_encode(&d, &c.w, buf, n,
							   &used),
				 CODEC_ERR_BUFFER_TOO_SMALL);
		for (size_t j = n; j < sizeof(buf); j++)
			assert_int_equal(buf[j], 0xa5);
	}
	assert_int_equal(smb_mailslot_dgram_encode(&c.d, &c.w, buf, need,
						   &used), CODEC_OK);
	assert_int_equal(used, need);
}

static void test_bad_arguments(void **state)
{
	struct case_frame c;
	uint8_t buf[SMB_MAILSLOT_DGRAM_MAX];

	(void)state;
	case_make(&c);
	assert_int_equal(smb_mailslot_dgram_encode(NULL, &c.w, buf,
						   sizeof(buf), NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	assert_int_equal(smb_mailslot_dgram_encode(&c.d, NULL, buf,
						   sizeof(buf), NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	assert_int_equal(smb_mailslot_dgram_encode(&c.d, &c.w, NULL,
						   sizeof(buf), NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	/* a query carries no USER_DATA, so no mailslot write */
	c.d.type = NBT_DGRAM_QUERY_REQUEST;
	assert_int_equal(smb_mailslot_dgram_encode(&c.d, &c.w, buf,
						   sizeof(buf), NULL),
			 CODEC_ERR_DGRAM_UNKNOWN_TYPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_as_two_steps),
		cmocka_unit_test(test_decodes_back),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
