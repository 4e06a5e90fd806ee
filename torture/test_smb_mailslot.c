/*
 * The SMB_COM_TRANSACTION mailslot write: the [MS-MAIL] §4 example byte for
 * byte, both layouts, every receiver rule with a crafted input, the
 * 512-byte Windows limit, round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "smb/smb_mailslot.h"
#include "torture_util.h"

static uint32_t rng_state = 0x51f15eed;

static uint32_t rng(void)
{
	return torture_rng(&rng_state);
}

/* [MS-MAIL] §4: \MAILSLOT\test1\sample_mailslot, 36 x 0xCA, 140 bytes */
static const uint8_t ms_mail_example[140] = {
	0xff, 0x53, 0x4d, 0x42, 0x25, 0x00, 0x00, 0x00, 0x00, 0x18, 0x04, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x24,
	0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00, 0x24, 0x00, 0x68, 0x00, 0x03,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x47, 0x00, 0x5c, 0x4d, 0x41,
	0x49, 0x4c, 0x53, 0x4c, 0x4f, 0x54, 0x5c, 0x74, 0x65, 0x73, 0x74, 0x31,
	0x5c, 0x73, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x5f, 0x6d, 0x61, 0x69, 0x6c,
	0x73, 0x6c, 0x6f, 0x74, 0x00, 0x00, 0x00, 0x00, 0xca, 0xca, 0xca, 0xca,
	0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca,
	0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca,
	0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca, 0xca,
};
#define MS_MAIL_NAME "\\MAILSLOT\\test1\\sample_mailslot"

/* vectors/01's SMB ([MS-BRWS] §4.1 layout): \MAILSLOT\BROWSE, 33 bytes */
static const uint8_t browse_example[119] = {
	0xff, 0x53, 0x4d, 0x42, 0x25, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x21,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe8, 0x03, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x56, 0x00, 0x21, 0x00, 0x56, 0x00, 0x03,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x32, 0x00, 0x5c, 0x4d, 0x41,
	0x49, 0x4c, 0x53, 0x4c, 0x4f, 0x54, 0x5c, 0x42, 0x52, 0x4f, 0x57, 0x53,
	0x45, 0x00, 0x01, 0x00, 0x80, 0xfc, 0x0a, 0x00, 0x4d, 0x59, 0x48, 0x4f,
	0x53, 0x54, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x03, 0x10, 0x01, 0x00, 0x0f, 0x01, 0x55, 0xaa, 0x00,
};

static enum codec_error decode_exact(TALLOC_CTX *mem_ctx, const uint8_t *b,
				     size_t len,
				     struct smb_mailslot_write *w,
				     uint8_t **copy_out)
{
	uint8_t *copy = talloc_memdup(mem_ctx, b, len);

	assert_non_null(copy);
	if (copy_out != NULL)
		*copy_out = copy;
	return smb_mailslot_decode(copy, len, w);
}

static uint8_t *encode(TALLOC_CTX *mem_ctx,
		       const struct smb_mailslot_write *w, size_t *len)
{
	size_t need = smb_mailslot_encoded_len(w), used = 0;
	uint8_t *buf = talloc_size(mem_ctx, need);

	assert_non_null(buf);
	assert_codec(smb_mailslot_encode(w, buf, need, &used), CODEC_OK);
	assert_int_equal(used, need);
	*len = need;
	return buf;
}

static void set_name(struct smb_mailslot_write *w, const char *name)
{
	w->name = name;
	w->name_len = strlen(name);
}

/* A copy of the MS-MAIL example with a little-endian word changed. */
static uint8_t *example_with16(TALLOC_CTX *mem_ctx, size_t off, uint16_t v)
{
	uint8_t *b = talloc_memdup(mem_ctx, ms_mail_example,
				   sizeof(ms_mail_example));
	assert_non_null(b);
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
	return b;
}

/* ------------------------------------------------------------------ */

static void test_encode_ms_mail_example(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t data[36], *enc;
	size_t len;

	memset(data, 0xca, sizeof(data));
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	set_name(&w, MS_MAIL_NAME);
	w.data = data;
	w.data_len = sizeof(data);
	assert_int_equal(smb_mailslot_encoded_len(&w), 140);
	enc = encode(tmp, &w, &len);
	assert_int_equal(len, sizeof(ms_mail_example));
	assert_memory_equal(enc, ms_mail_example, len);
	talloc_free(tmp);
}

static void test_encode_browse_example(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t *enc;
	size_t len;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	set_name(&w, "\\MAILSLOT\\BROWSE");
	w.data = browse_example + 86;
	w.data_len = 33;
	/* the layout's default is ParameterOffset 0 (protocol.md §3.2);
	 * vectors/01 carries ParameterOffset = DataOffset (86) */
	enc = encode(tmp, &w, &len);
	assert_int_equal(enc[53], 0);
	assert_int_equal(enc[54], 0);
	w.param_offset_is_data_offset = true;
	enc = encode(tmp, &w, &len);
	assert_int_equal(len, sizeof(browse_example));
	assert_memory_equal(enc, browse_example, len);
	talloc_free(tmp);
}

static void test_layout_defaults(void **state)
{
	struct smb_mailslot_write w;

	memset(&w, 0x77, sizeof(w));
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	assert_int_equal(w.flags, 0x18);
	assert_int_equal(w.flags2, 0x0004);
	assert_int_equal(w.pid, 0xfeff);
	assert_int_equal(w.pid_high, 0);
	assert_int_equal(w.tid, 0);
	assert_int_equal(w.uid, 0);
	assert_int_equal(w.mid, 0);
	assert_int_equal(w.max_param_count, 2);
	assert_int_equal(w.trans_flags, 0x0002);
	assert_int_equal(w.timeout_ms, 0);
	assert_int_equal(w.priority, 0);
	assert_int_equal(w.mailslot_class, SMB_MAILSLOT_CLASS_UNRELIABLE);
	assert_true(w.align_data);
	assert_true(w.param_offset_is_data_offset);
	assert_int_equal(w.pad_byte, 0);
	assert_null(w.name);
	assert_int_equal(w.name_len, 0);
	assert_null(w.data);
	assert_int_equal(w.data_len, 0);

	memset(&w, 0x77, sizeof(w));
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	assert_int_equal(w.flags, 0);
	assert_int_equal(w.flags2, 0);
	assert_int_equal(w.pid, 0);
	assert_int_equal(w.max_param_count, 0);
	assert_int_equal(w.trans_flags, 0);
	assert_int_equal(w.timeout_ms, 1000);
	assert_int_equal(w.mailslot_class, SMB_MAILSLOT_CLASS_UNRELIABLE);
	assert_false(w.align_data);
	assert_false(w.param_offset_is_data_offset);
	assert_null(w.name);
	assert_null(w.data);
}

static void test_data_offset(void **state)
{
	/* 70 + len unpadded; rounded up to 4 when aligned */
	for (size_t len = 0; len < 100; len++) {
		size_t plain = smb_mailslot_data_offset(len, false);
		size_t al = smb_mailslot_data_offset(len, true);
		assert_int_equal(plain, 70 + len);
		assert_int_equal(al % 4, 0);
		assert_true(al >= plain && al < plain + 4);
	}
	assert_int_equal(smb_mailslot_data_offset(31, true), 104);
	assert_int_equal(smb_mailslot_data_offset(16, false), 86);
	assert_int_equal(smb_mailslot_data_offset(14, true), 84);
	assert_int_equal(smb_mailslot_data_offset(15, true), 88);
}

static void test_layouts_param_offset(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w, back;
	uint8_t *enc;
	size_t len;

	for (int layout = 0; layout < 2; layout++) {
		smb_mailslot_write_init(&w, layout ? SMB_MAILSLOT_LAYOUT_BROWSE
						   : SMB_MAILSLOT_LAYOUT_MAIL);
		set_name(&w, "\\MAILSLOT\\ABCDE"); /* NUL at 84: 85 */
		w.data = (const uint8_t *)"PING";
		w.data_len = 4;
		enc = encode(tmp, &w, &len);
		if (layout == 0) {
			assert_int_equal(len, 92);
			assert_int_equal(enc[57], 88); /* DataOffset */
			assert_int_equal(enc[53], 88); /* ParameterOffset */
			assert_memory_equal(enc + 85, "\0\0\0", 3);
			assert_int_equal(enc[67], 92 - 69); /* BCC */
		} else {
			assert_int_equal(len, 89);
			assert_int_equal(enc[57], 85);
			assert_int_equal(enc[53], 0);
			assert_int_equal(enc[67], 89 - 69);
			assert_int_equal(enc[45] | enc[46] << 8, 1000);
		}
		assert_int_equal(enc[58], 0);
		assert_int_equal(enc[54], 0);
		assert_codec(decode_exact(tmp, enc, len, &back, NULL),
			     CODEC_OK);
		assert_int_equal(back.align_data, layout == 0);
		assert_int_equal(back.param_offset_is_data_offset,
				 layout == 0);
		assert_int_equal(back.wire.pad_len, layout == 0 ? 3 : 0);
		assert_int_equal(back.data_len, 4);
		assert_memory_equal(back.data, "PING", 4);
	}
	talloc_free(tmp);
}

static void test_settable_fields(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w, back;
	uint8_t *enc;
	size_t len;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	set_name(&w, "\\MAILSLOT\\MESSNGR"); /* NUL at 86: pad 1 to 88 */
	w.data = (const uint8_t *)"hello";
	w.data_len = 5;
	w.priority = 9;
	w.mailslot_class = SMB_MAILSLOT_CLASS_RELIABLE;
	w.pad_byte = 0x42;
	w.flags = 0xa5;
	w.flags2 = 0x8001;
	w.pid_high = 0x1122;
	w.tid = 0xffff;
	w.pid = 0x3344;
	w.uid = 0xfffe;
	w.mid = 0x5566;
	w.max_param_count = 7;
	w.trans_flags = 0x0003;
	w.timeout_ms = 0xdeadbeef;
	enc = encode(tmp, &w, &len);
	assert_int_equal(len, 88 + 5);
	assert_int_equal(enc[63], 9);
	assert_int_equal(enc[65], 1);
	assert_int_equal(enc[85], 'R');
	assert_int_equal(enc[86], 0x00); /* the name's NUL */
	assert_int_equal(enc[87], 0x42); /* the pad */
	assert_int_equal(enc[9], 0xa5);
	assert_memory_equal(enc + 10, "\x01\x80\x22\x11", 4);
	assert_memory_equal(enc + 24, "\xff\xff\x44\x33\xfe\xff\x66\x55", 8);
	assert_memory_equal(enc + 45, "\xef\xbe\xad\xde", 4);

	assert_codec(decode_exact(tmp, enc, len, &back, NULL), CODEC_OK);
	assert_int_equal(back.priority, 9);
	assert_int_equal(back.mailslot_class, 1);
	assert_int_equal(back.pad_byte, 0x42);
	assert_int_equal(back.wire.pad_len, 1);
	assert_int_equal(back.flags, 0xa5);
	assert_int_equal(back.flags2, 0x8001);
	assert_int_equal(back.pid_high, 0x1122);
	assert_int_equal(back.tid, 0xffff);
	assert_int_equal(back.pid, 0x3344);
	assert_int_equal(back.uid, 0xfffe);
	assert_int_equal(back.mid, 0x5566);
	assert_int_equal(back.max_param_count, 7);
	assert_int_equal(back.trans_flags, 3);
	assert_int_equal(back.timeout_ms, 0xdeadbeef);
	talloc_free(tmp);
}

static void test_decode_ms_mail_example(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t *copy;

	assert_codec(decode_exact(tmp, ms_mail_example, 140, &w, &copy),
		     CODEC_OK);
	assert_int_equal(w.flags, 0x18);
	assert_int_equal(w.flags2, 0x0004);
	assert_int_equal(w.pid_high, 0);
	assert_int_equal(w.tid, 0);
	assert_int_equal(w.pid, 0xfeff);
	assert_int_equal(w.uid, 0);
	assert_int_equal(w.mid, 0);
	assert_int_equal(w.max_param_count, 2);
	assert_int_equal(w.trans_flags, 2);
	assert_int_equal(w.timeout_ms, 0);
	assert_int_equal(w.priority, 0);
	assert_int_equal(w.mailslot_class, 2);
	assert_true(w.align_data);
	assert_true(w.param_offset_is_data_offset);
	assert_int_equal(w.pad_byte, 0);
	/* views into the input */
	assert_ptr_equal(w.name, (const char *)copy + 69);
	assert_int_equal(w.name_len, 31);
	assert_memory_equal(w.name, MS_MAIL_NAME, 31);
	assert_int_equal(w.name[31], '\0');
	assert_ptr_equal(w.data, copy + 104);
	assert_int_equal(w.data_len, 36);
	/* as found on the wire */
	assert_int_equal(w.wire.total_param_count, 0);
	assert_int_equal(w.wire.total_data_count, 36);
	assert_int_equal(w.wire.max_data_count, 0);
	assert_int_equal(w.wire.max_setup_count, 0);
	assert_int_equal(w.wire.param_count, 0);
	assert_int_equal(w.wire.param_offset, 104);
	assert_int_equal(w.wire.data_count, 36);
	assert_int_equal(w.wire.data_offset, 104);
	assert_int_equal(w.wire.byte_count, 71);
	assert_int_equal(w.wire.pad_len, 3);
	assert_int_equal(w.wire.smb_len, 140);

	/* the browse one */
	assert_codec(decode_exact(tmp, browse_example, 119, &w, &copy),
		     CODEC_OK);
	assert_int_equal(w.timeout_ms, 1000);
	assert_int_equal(w.wire.param_offset, 86);
	assert_int_equal(w.wire.data_offset, 86);
	assert_int_equal(w.wire.byte_count, 50);
	assert_int_equal(w.wire.pad_len, 0);
	assert_int_equal(w.wire.smb_len, 119);
	assert_false(w.align_data);
	assert_int_equal(w.name_len, 16);
	assert_ptr_equal(w.data, copy + 86);
	assert_int_equal(w.data_len, 33);
	talloc_free(tmp);
}

static void test_decode_trailing_bytes(void **state)
{
	/* bytes after DataOffset+DataCount (e.g. UDP padding) are not data */
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t buf[150];

	memcpy(buf, ms_mail_example, 140);
	memset(buf + 140, 0xee, 10);
	assert_codec(decode_exact(tmp, buf, 150, &w, NULL), CODEC_OK);
	assert_int_equal(w.data_len, 36);
	assert_int_equal(w.wire.smb_len, 140);
	talloc_free(tmp);
}

static void test_decode_truncated(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;

	for (size_t len = 0; len < SMB_MAILSLOT_FIXED_LEN; len++)
		assert_codec(decode_exact(tmp, ms_mail_example, len, &w, NULL),
			     CODEC_ERR_SMB_TRUNCATED);
	assert_codec(smb_mailslot_decode(NULL, 10, &w),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(smb_mailslot_decode(ms_mail_example, 140, NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	talloc_free(tmp);
}

static void test_decode_bad_signature(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t buf[140];
	static const char *const sigs[] = {
		"\xfeSMB", "\xffsmb", "\x00SMB", "\xffSMC", "\xffXMB",
		"\xffSNB",
	};

	for (size_t i = 0; i < 6; i++) {
		memcpy(buf, ms_mail_example, sizeof(buf));
		memcpy(buf, sigs[i], 4);
		assert_codec(decode_exact(tmp, buf, sizeof(buf), &w, NULL),
			     CODEC_ERR_SMB_BAD_SIGNATURE);
		/* checked as soon as 4 bytes are there */
		assert_codec(decode_exact(tmp, buf, 4, &w, NULL),
			     CODEC_ERR_SMB_BAD_SIGNATURE);
	}
	talloc_free(tmp);
}

static void test_decode_bad_fixed_fields(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t *b;
	static const uint8_t commands[] = { 0x00, 0x24, 0x26, 0x32, 0xa0, 0xff };
	static const uint8_t wcts[] = { 0, 14, 16, 18, 0xff };
	static const uint8_t setups[] = { 0, 2, 4, 0xff };
	static const uint16_t opcodes[] = { 0, 2, 0x0101, 0xffff };

	for (size_t i = 0; i < sizeof(commands); i++) {
		b = talloc_memdup(tmp, ms_mail_example, 140);
		b[4] = commands[i];
		assert_codec(decode_exact(tmp, b, 140, &w, NULL),
			     CODEC_ERR_SMB_BAD_COMMAND);
	}
	for (size_t i = 0; i < sizeof(wcts); i++) {
		b = talloc_memdup(tmp, ms_mail_example, 140);
		b[32] = wcts[i];
		assert_codec(decode_exact(tmp, b, 140, &w, NULL),
			     CODEC_ERR_SMB_BAD_WORD_COUNT);
	}
	for (size_t i = 0; i < sizeof(setups); i++) {
		b = talloc_memdup(tmp, ms_mail_example, 140);
		b[59] = setups[i];
		assert_codec(decode_exact(tmp, b, 140, &w, NULL),
			     CODEC_ERR_SMB_BAD_SETUP_COUNT);
	}
	for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		b = example_with16(tmp, 61, opcodes[i]);
		assert_codec(decode_exact(tmp, b, 140, &w, NULL),
			     CODEC_ERR_SMB_BAD_OPCODE);
	}
	talloc_free(tmp);
}

static void test_decode_name_unterminated(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t *b;

	/* packet ends inside the name, or right before its NUL */
	for (size_t len = 69; len <= 100; len++)
		assert_codec(decode_exact(tmp, ms_mail_example, len, &w, NULL),
			     CODEC_ERR_SMB_NAME_UNTERMINATED);
	assert_codec(decode_exact(tmp, ms_mail_example, 101, &w, NULL),
		     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	/* no NUL anywhere after 69 */
	b = talloc_memdup(tmp, ms_mail_example, 140);
	memset(b + 100, 'x', 40);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL),
		     CODEC_ERR_SMB_NAME_UNTERMINATED);
	talloc_free(tmp);
}

static void test_decode_not_mailslot(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const char *const bad[] = {
		"\\PIPE\\LANMAN", "\\MAILSLOT", "\\MAILSLO", "MAILSLOT\\X",
		"\\MAILSLOTX\\X", "/MAILSLOT/X", "", "\\MAILSLOT/BROWSE",
	};
	static const char *const good[] = {
		"\\MAILSLOT\\BROWSE", "\\mailslot\\browse", "\\MaIlSlOt\\x",
		"\\MAILSLOT\\",
	};
	struct smb_mailslot_write w, back;
	uint8_t *enc;
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
		set_name(&w, bad[i]);
		w.data = (const uint8_t *)"x";
		w.data_len = 1;
		enc = encode(tmp, &w, &len);
		assert_codec(decode_exact(tmp, enc, len, &back, NULL),
			     CODEC_ERR_SMB_NOT_MAILSLOT);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
		set_name(&w, good[i]);
		enc = encode(tmp, &w, &len);
		assert_codec(decode_exact(tmp, enc, len, &back, NULL),
			     CODEC_OK);
		assert_int_equal(back.name_len, strlen(good[i]));
		assert_memory_equal(back.name, good[i], back.name_len);
		assert_int_equal(back.data_len, 0);
	}
	talloc_free(tmp);
}

static void test_decode_data_bounds(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	uint8_t *b;

	/* DataCount one past the end */
	b = example_with16(tmp, 55, 37);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL),
		     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	b = example_with16(tmp, 55, 0xffff);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL),
		     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	/* DataOffset one too far */
	b = example_with16(tmp, 57, 105);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL),
		     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	b = example_with16(tmp, 57, 0xffff);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL),
		     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	/* the packet cut anywhere in the data */
	for (size_t len = 101; len < 140; len++)
		assert_codec(decode_exact(tmp, ms_mail_example, len, &w, NULL),
			     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	/* empty data: offset up to the end is fine, past it is not */
	b = example_with16(tmp, 55, 0);
	b[57] = 140;
	assert_codec(decode_exact(tmp, b, 140, &w, NULL), CODEC_OK);
	assert_int_equal(w.data_len, 0);
	b[57] = 141;
	assert_codec(decode_exact(tmp, b, 140, &w, NULL),
		     CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
	/* DataOffset 101 (right after the NUL, over the pad): allowed */
	b = example_with16(tmp, 57, 101);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL), CODEC_OK);
	assert_int_equal(w.data_len, 36);
	assert_int_equal(w.data[0], 0);
	assert_int_equal(w.wire.pad_len, 0);
	talloc_free(tmp);
}

static void test_decode_data_overlaps_header(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint16_t offs[] = { 0, 4, 32, 68, 69, 80, 99, 100 };
	struct smb_mailslot_write w;
	uint8_t *b;

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		b = example_with16(tmp, 57, offs[i]);
		assert_codec(decode_exact(tmp, b, 140, &w, NULL),
			     CODEC_ERR_SMB_DATA_OVERLAPS_HEADER);
		/* with DataCount 0 there is nothing to overlap */
		b[55] = 0;
		assert_codec(decode_exact(tmp, b, 140, &w, NULL), CODEC_OK);
		assert_int_equal(w.data_len, 0);
	}
	talloc_free(tmp);
}

static void test_decode_ignores(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const uint16_t bccs[] = { 0, 1, 70, 72, 0xffff };
	struct smb_mailslot_write w;
	uint8_t *b;

	/* ByteCount lying changes nothing but what is reported */
	for (size_t i = 0; i < sizeof(bccs) / sizeof(bccs[0]); i++) {
		b = example_with16(tmp, 67, bccs[i]);
		assert_codec(decode_exact(tmp, b, 140, &w, NULL), CODEC_OK);
		assert_int_equal(w.wire.byte_count, bccs[i]);
		assert_int_equal(w.name_len, 31);
		assert_int_equal(w.data_len, 36);
		assert_memory_equal(w.data, ms_mail_example + 104, 36);
	}
	/* Flags2 Unicode: the name is still single-byte */
	b = example_with16(tmp, 10, 0x8004);
	assert_codec(decode_exact(tmp, b, 140, &w, NULL), CODEC_OK);
	assert_int_equal(w.flags2, 0x8004);
	assert_int_equal(w.name_len, 31);
	assert_memory_equal(w.name, MS_MAIL_NAME, 31);
	assert_int_equal(w.data_len, 36);
	/* TotalDataCount, MaxDataCount, ParameterCount/Offset, class,
	 * priority, status: reported, not relied on */
	b = example_with16(tmp, 35, 9999);
	b[37] = 0x55; b[39] = 0x66; b[41] = 9; b[51] = 3; b[53] = 0x11;
	b[5] = 0xc0; b[63] = 0xff; b[65] = 0xee;
	assert_codec(decode_exact(tmp, b, 140, &w, NULL), CODEC_OK);
	assert_int_equal(w.wire.total_data_count, 9999);
	assert_int_equal(w.wire.max_data_count, 0x66);
	assert_int_equal(w.wire.max_setup_count, 9);
	assert_int_equal(w.wire.param_count, 3);
	assert_int_equal(w.wire.param_offset, 0x11);
	assert_false(w.param_offset_is_data_offset);
	assert_int_equal(w.max_param_count, 0x55);
	assert_int_equal(w.priority, 0xff);
	assert_int_equal(w.mailslot_class, 0xee);
	assert_int_equal(w.data_len, 36);
	talloc_free(tmp);
}

static void test_max_payload(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	char name[96], bare[64];

	for (size_t k = 1; k <= 16; k++) {
		size_t want = 432 - ((k + 3) & ~(size_t)3);

		memset(bare, 'N', k);
		bare[k] = '\0';
		snprintf(name, sizeof(name), "\\MAILSLOT\\%s", bare);
		assert_int_equal(smb_mailslot_max_payload(
					 name, SMB_MAILSLOT_LAYOUT_MAIL), want);
		assert_int_equal(smb_mailslot_max_payload(
					 bare, SMB_MAILSLOT_LAYOUT_MAIL), want);
		name[1] = 'm'; /* "\mAILSLOT\..." still has the prefix */
		assert_int_equal(smb_mailslot_max_payload(
					 name, SMB_MAILSLOT_LAYOUT_MAIL), want);
		name[1] = 'M';
		assert_int_equal(smb_mailslot_max_payload(
					 name, SMB_MAILSLOT_LAYOUT_BROWSE),
				 512 - 80 - k);
		assert_int_equal(smb_mailslot_max_payload(
					 bare, SMB_MAILSLOT_LAYOUT_BROWSE),
				 512 - 80 - k);
		if (k <= 4)
			assert_int_equal(want, 428);
		else if (k <= 8)
			assert_int_equal(want, 424);
		else if (k <= 12)
			assert_int_equal(want, 420);
		else
			assert_int_equal(want, 416);

		/* exactly the limit is a 512-byte SMB; one more is 513 */
		for (int layout = 0; layout < 2; layout++) {
			static uint8_t data[600];
			struct smb_mailslot_write w;
			enum smb_mailslot_layout lay = layout ?
				SMB_MAILSLOT_LAYOUT_BROWSE :
				SMB_MAILSLOT_LAYOUT_MAIL;
			size_t max = smb_mailslot_max_payload(name, lay), len;

			smb_mailslot_write_init(&w, lay);
			set_name(&w, name);
			w.data = data;
			w.data_len = max;
			encode(tmp, &w, &len);
			assert_int_equal(len, SMB_MAILSLOT_SMB_LIMIT);
			w.data_len = max + 1;
			encode(tmp, &w, &len);
			assert_int_equal(len, SMB_MAILSLOT_SMB_LIMIT + 1);
		}
	}
	assert_int_equal(smb_mailslot_max_payload("\\MAILSLOT\\ABCDE",
						  SMB_MAILSLOT_LAYOUT_MAIL),
			 424);
	assert_int_equal(smb_mailslot_max_payload("\\MAILSLOT\\BROWSE",
						  SMB_MAILSLOT_LAYOUT_BROWSE),
			 512 - 86);
	/* a name too long for anything */
	{
		char *huge = talloc_size(tmp, 501);
		memset(huge, 'x', 500);
		huge[500] = '\0';
		assert_int_equal(smb_mailslot_max_payload(
					 huge, SMB_MAILSLOT_LAYOUT_MAIL), 0);
		assert_int_equal(smb_mailslot_max_payload(
					 huge, SMB_MAILSLOT_LAYOUT_BROWSE), 0);
	}
	talloc_free(tmp);
}

static void test_encode_errors(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct smb_mailslot_write w;
	static uint8_t big[65536];
	uint8_t buf[200];
	size_t need;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	set_name(&w, MS_MAIL_NAME);
	w.data = big;
	w.data_len = 36;
	need = smb_mailslot_encoded_len(&w);
	assert_int_equal(need, 140);
	for (size_t l = 0; l < need; l++) {
		uint8_t *b = talloc_size(tmp, l ? l : 1);
		assert_codec(smb_mailslot_encode(&w, b, l, NULL),
			     CODEC_ERR_BUFFER_TOO_SMALL);
		talloc_free(b);
	}
	assert_codec(smb_mailslot_encode(NULL, buf, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(smb_mailslot_encode(&w, NULL, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	w.data = NULL;
	assert_codec(smb_mailslot_encode(&w, buf, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	w.data = big;
	w.name = NULL;
	assert_codec(smb_mailslot_encode(&w, buf, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	/* a NUL inside the name would end it early */
	w.name = "\\MAILSLOT\\A\0B";
	w.name_len = 13;
	assert_codec(smb_mailslot_encode(&w, buf, sizeof(buf), NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	/* over 65535 in all */
	set_name(&w, "\\MAILSLOT\\A");
	w.data_len = 65535 - 84 + 1;
	assert_codec(smb_mailslot_encode(&w, buf, sizeof(buf), NULL),
		     CODEC_ERR_SMB_TOO_LARGE);
	w.data_len = 65535 - 84;
	assert_codec(smb_mailslot_encode(&w, buf, sizeof(buf), NULL),
		     CODEC_ERR_BUFFER_TOO_SMALL);
	talloc_free(tmp);
}

static void test_name_equal(void **state)
{
	assert_true(smb_mailslot_name_equal("\\MAILSLOT\\BROWSE", 16,
					    "\\mailslot\\browse", 16));
	assert_true(smb_mailslot_name_equal("\\MAILSLOT\\x", 11,
					    "\\MAILSLOT\\X", 11));
	assert_false(smb_mailslot_name_equal("\\MAILSLOT\\BROWSE", 16,
					     "\\MAILSLOT\\BROWSER", 17));
	assert_false(smb_mailslot_name_equal("\\MAILSLOT\\BROWSE", 16,
					     "\\MAILSLOT\\BROWSF", 16));
	assert_false(smb_mailslot_name_equal("\\MAILSLOT\\A", 11,
					     "\\MAILSLOT\\B", 11));
	/* only the given lengths count: no NUL needed */
	assert_true(smb_mailslot_name_equal("\\MAILSLOT\\ABCxyz", 13,
					    "\\mailslot\\abcQRS", 13));
	assert_true(smb_mailslot_name_equal("", 0, "x", 0));
	/* ASCII-only folding: OEM bytes must match exactly */
	assert_false(smb_mailslot_name_equal("\xe4", 1, "\xc4", 1));
}

static void test_roundtrip_generated(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789_-$\\.\x80\xe4";
	static uint8_t data[600];
	char name[80];
	size_t count = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rng();
	for (size_t nl = 1; nl <= 60; nl++) {
		memcpy(name, SMB_MAILSLOT_PREFIX, SMB_MAILSLOT_PREFIX_LEN);
		for (size_t i = 0; i < nl; i++)
			name[10 + i] = chars[rng() % (sizeof(chars) - 1)];
		name[10 + nl] = '\0';
		for (int layout = 0; layout < 2; layout++) {
			enum smb_mailslot_layout lay = layout ?
				SMB_MAILSLOT_LAYOUT_BROWSE :
				SMB_MAILSLOT_LAYOUT_MAIL;
			size_t limit = smb_mailslot_max_payload(name, lay);
			struct smb_mailslot_write w, back;

			assert_true(limit > 300);
			smb_mailslot_write_init(&w, lay);
			set_name(&w, name);
			for (size_t dl = 0; dl <= limit; dl++) {
				uint8_t *enc, *copy;
				size_t len, doff;

				w.data = data + (dl % 3);
				w.data_len = dl;
				w.priority = (uint16_t)(dl % 10);
				w.pad_byte = (uint8_t)dl;
				w.mid = (uint16_t)rng();
				enc = encode(tmp, &w, &len);
				doff = smb_mailslot_data_offset(10 + nl,
								!layout);
				assert_int_equal(len, doff + dl);
				assert_true(len <= SMB_MAILSLOT_SMB_LIMIT);
				assert_codec(decode_exact(tmp, enc, len, &back,
							  &copy), CODEC_OK);
				assert_int_equal(back.name_len, 10 + nl);
				assert_memory_equal(back.name, name, 10 + nl);
				assert_int_equal(back.data_len, dl);
				assert_ptr_equal(back.data, copy + doff);
				if (dl > 0)
					assert_memory_equal(back.data, w.data,
							    dl);
				assert_int_equal(back.priority, w.priority);
				assert_int_equal(back.mailslot_class, 2);
				assert_int_equal(back.mid, w.mid);
				assert_int_equal(back.flags, w.flags);
				assert_int_equal(back.timeout_ms, w.timeout_ms);
				assert_int_equal(back.wire.data_offset, doff);
				assert_int_equal(back.wire.total_data_count, dl);
				assert_int_equal(back.wire.byte_count,
						 len - 69);
				assert_int_equal(back.wire.smb_len, len);
				assert_int_equal(back.wire.pad_len,
						 doff - (80 + nl));
				assert_int_equal(back.param_offset_is_data_offset,
						 !layout);
				if (back.wire.pad_len > 0)
					assert_int_equal(back.pad_byte,
							 (uint8_t)dl);
				talloc_free(enc);
				talloc_free(copy);
				count++;
			}
		}
	}
	assert_true(count > 40000);
	talloc_free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_ms_mail_example),
		cmocka_unit_test(test_encode_browse_example),
		cmocka_unit_test(test_layout_defaults),
		cmocka_unit_test(test_data_offset),
		cmocka_unit_test(test_layouts_param_offset),
		cmocka_unit_test(test_settable_fields),
		cmocka_unit_test(test_decode_ms_mail_example),
		cmocka_unit_test(test_decode_trailing_bytes),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_decode_bad_signature),
		cmocka_unit_test(test_decode_bad_fixed_fields),
		cmocka_unit_test(test_decode_name_unterminated),
		cmocka_unit_test(test_decode_not_mailslot),
		cmocka_unit_test(test_decode_data_bounds),
		cmocka_unit_test(test_decode_data_overlaps_header),
		cmocka_unit_test(test_decode_ignores),
		cmocka_unit_test(test_max_payload),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_name_equal),
		cmocka_unit_test(test_roundtrip_generated),
	};

	return cmocka_run_group_tests_name("smb_mailslot", tests, NULL, NULL);
}
