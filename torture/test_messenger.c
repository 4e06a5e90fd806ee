/* The Messenger codec (messenger/messenger.h): vector 05, limits, text. */
#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "messenger/messenger.h"
#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "torture/torture_util.h"

/* vectors/05_messenger_net_send.pcap, both UDP payloads (vectors_dump.txt) */
static const char vec05_directed[] =
	"10 02 80 05 c0 a8 01 0a 00 8a 00 bd 00 00 20 45 4e 46 4a 45 49 45 50 46 44 46 45 43 41 43 41 43 "
	"41 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00 20 46 45 45 42 46 43 45 48 45 46 46 45 43 41 43 "
	"41 43 41 43 41 43 41 43 41 43 41 43 41 43 41 41 44 00 ff 53 4d 42 25 00 00 00 00 00 00 00 00 00 "
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 11 00 00 22 00 00 00 00 00 00 00 00 00 e8 "
	"03 00 00 00 00 00 00 57 00 22 00 57 00 03 00 01 00 00 00 02 00 34 00 5c 4d 41 49 4c 53 4c 4f 54 "
	"5c 4d 45 53 53 4e 47 52 00 4d 59 48 4f 53 54 00 54 41 52 47 45 54 00 48 65 6c 6c 6f 20 66 72 6f "
	"6d 20 4e 45 54 20 53 45 4e 44 00";
static const char vec05_domain[] =
	"11 02 80 06 c0 a8 01 0a 00 8a 00 c1 00 00 20 45 4e 46 4a 45 49 45 50 46 44 46 45 43 41 43 41 43 "
	"41 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00 20 46 48 45 50 46 43 45 4c 45 48 46 43 45 50 46 "
	"46 46 41 43 41 43 41 43 41 43 41 43 41 43 41 41 41 00 ff 53 4d 42 25 00 00 00 00 00 00 00 00 00 "
	"00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 11 00 00 26 00 00 00 00 00 00 00 00 00 e8 "
	"03 00 00 00 00 00 00 57 00 26 00 57 00 03 00 01 00 00 00 02 00 38 00 5c 4d 41 49 4c 53 4c 4f 54 "
	"5c 4d 45 53 53 4e 47 52 00 4d 59 48 4f 53 54 00 57 4f 52 4b 47 52 4f 55 50 00 4d 65 65 74 69 6e "
	"67 20 69 6e 20 35 20 6d 69 6e 75 74 65 73 00";

static void assert_view(const char *p, size_t len, const char *want)
{
	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
}

static void check_vector(const char *hex, uint8_t type, const char *from,
			 const char *to, const char *text, size_t data_len)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct nbt_dgram d;
	struct smb_mailslot_write w;
	struct messenger_msg m;
	uint8_t *pkt, *body, *smb, *out;
	size_t len, used, smb_len, out_len;

	pkt = torture_hex_decode(mem, hex, &len);
	assert_non_null(pkt);
	assert_int_equal(nbt_dgram_decode(pkt, len, &d), CODEC_OK);
	assert_int_equal(d.type, type);
	assert_int_equal(d.dest.raw[15], type == NBT_DGRAM_DIRECT_UNIQUE
					  ? MESSENGER_NAME_SUFFIX : 0x00);
	assert_int_equal(smb_mailslot_decode(d.user_data, d.user_data_len, &w),
			 CODEC_OK);
	assert_true(smb_mailslot_name_equal(w.name, w.name_len,
					    MESSENGER_MAILSLOT,
					    strlen(MESSENGER_MAILSLOT)));
	assert_int_equal(w.data_len, data_len);
	assert_int_equal(messenger_decode(w.data, w.data_len, &m), CODEC_OK);
	assert_view(m.from, m.from_len, from);
	assert_view(m.to, m.to_len, to);
	assert_view(m.text, m.text_len, text);
	assert_false(m.text_unterminated);
	assert_int_equal(m.trailing_len, 0);

	/* re-encode every layer: the same bytes */
	body = talloc_size(mem, messenger_encoded_len(&m));
	assert_int_equal(messenger_encode(&m, body, messenger_encoded_len(&m),
					  &used), CODEC_OK);
	assert_int_equal(used, w.data_len);
	assert_memory_equal(body, w.data, used);
	w.data = body;
	smb_len = smb_mailslot_encoded_len(&w);
	smb = talloc_size(mem, smb_len);
	assert_int_equal(smb_mailslot_encode(&w, smb, smb_len, &used),
			 CODEC_OK);
	d.user_data = smb;
	d.user_data_len = used;
	out_len = nbt_dgram_encoded_len(&d);
	out = talloc_size(mem, out_len);
	assert_int_equal(nbt_dgram_encode(&d, out, out_len, &used), CODEC_OK);
	assert_int_equal(used, len);
	assert_memory_equal(out, pkt, len);
	talloc_free(mem);
}

static void test_vector05(void **state)
{
	check_vector(vec05_directed, NBT_DGRAM_DIRECT_UNIQUE, "MYHOST",
		     "TARGET", "Hello from NET SEND", 34);
	check_vector(vec05_domain, NBT_DGRAM_DIRECT_GROUP, "MYHOST",
		     "WORKGROUP", "Meeting in 5 minutes", 38);
}

static void roundtrip(const char *from, const char *to, const char *text,
		      size_t text_len)
{
	struct messenger_msg m = {
		.from = from, .from_len = strlen(from),
		.to = to, .to_len = strlen(to),
		.text = text, .text_len = text_len,
	}, back;
	size_t need = messenger_encoded_len(&m), used = 0;
	uint8_t *buf = talloc_size(NULL, need);

	assert_int_equal(need, m.from_len + m.to_len + text_len + 3);
	/* one byte short: refused, not overrun */
	assert_int_equal(messenger_encode(&m, buf, need - 1, &used),
			 CODEC_ERR_BUFFER_TOO_SMALL);
	assert_int_equal(messenger_encode(&m, buf, need, &used), CODEC_OK);
	assert_int_equal(used, need);
	assert_int_equal(buf[need - 1], 0);
	assert_int_equal(messenger_decode(buf, used, &back), CODEC_OK);
	assert_view(back.from, back.from_len, from);
	assert_view(back.to, back.to_len, to);
	assert_int_equal(back.text_len, text_len);
	assert_memory_equal(back.text, text, text_len);
	assert_false(back.text_unterminated);
	/* views point into the packet */
	assert_ptr_equal(back.from, (const char *)buf);
	talloc_free(buf);
}

static void test_roundtrip(void **state)
{
	roundtrip("MYHOST", "TARGET", "hi", 2);
	roundtrip("A", "B", "", 0);
	roundtrip("FIFTEENCHARSXYZ", "FIFTEENCHARSXYZ", "x", 1);
	roundtrip("WIN98USER", "WORKGROUP", "HELLO WORLD", 11);
	roundtrip("PC1", "BOB", "line 1\r\nline 2\x14\x01\x7f\xff", 17);
}

static void test_missing_final_nul(void **state)
{
	static const uint8_t a[] = "MYHOST\0TARGET\0no nul";
	static const uint8_t b[] = "MYHOST\0TARGET\0";
	struct messenger_msg m;
	/* exactly sized copies, so ASan sees a read past the end */
	uint8_t *p = talloc_memdup(NULL, a, sizeof(a) - 1);

	assert_int_equal(messenger_decode(p, sizeof(a) - 1, &m), CODEC_OK);
	assert_view(m.text, m.text_len, "no nul");
	assert_true(m.text_unterminated);
	talloc_free(p);
	p = talloc_memdup(NULL, b, sizeof(b) - 1);
	assert_int_equal(messenger_decode(p, sizeof(b) - 1, &m), CODEC_OK);
	assert_int_equal(m.text_len, 0);
	assert_true(m.text_unterminated);
	assert_view(m.to, m.to_len, "TARGET");
	talloc_free(p);
}

static void test_missing_two_nuls(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		enum codec_error want;
	} cases[] = {
		{ "MYHOST\0TARGETtext", 17, CODEC_ERR_PAYLOAD_TRUNCATED },
		{ "MYHOST\0TARGET", 13, CODEC_ERR_PAYLOAD_TRUNCATED },
		{ "MYHOST\0", 7, CODEC_ERR_PAYLOAD_TRUNCATED },
		{ "MYHOST", 6, CODEC_ERR_PAYLOAD_TRUNCATED },
		{ "", 0, CODEC_ERR_PAYLOAD_TRUNCATED },
		{ "SIXTEENCHARSXYZW\0B\0t", 21, CODEC_ERR_PAYLOAD_BAD_STRING },
		{ "A\0SIXTEENCHARSXYZW\0t", 21, CODEC_ERR_PAYLOAD_BAD_STRING },
		/* empty names are tolerated on receipt */
		{ "\0\0t", 3, CODEC_OK },
	};
	struct messenger_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *p = talloc_memdup(NULL, cases[i].s,
					   cases[i].len ? cases[i].len : 1);

		if (messenger_decode(p, cases[i].len, &m) != cases[i].want)
			fail_msg("case %zu: %s", i, codec_error_name(
				messenger_decode(p, cases[i].len, &m)));
		talloc_free(p);
	}
	assert_int_equal(messenger_decode(NULL, 0, &m),
			 CODEC_ERR_PAYLOAD_TRUNCATED);
	assert_int_equal(messenger_decode(NULL, 1, &m),
			 CODEC_ERR_INVALID_ARGUMENT);
}

static void test_trailing_bytes(void **state)
{
	static const uint8_t a[] = "A\0B\0text\0junk";
	struct messenger_msg m;

	assert_int_equal(messenger_decode(a, sizeof(a) - 1, &m), CODEC_OK);
	assert_view(m.text, m.text_len, "text");
	assert_int_equal(m.trailing_len, 4);
	assert_false(m.text_unterminated);
}

static void test_encode_fields(void **state)
{
	uint8_t buf[512];
	size_t used;
	struct messenger_msg m = {
		.from = "A", .from_len = 1, .to = "B", .to_len = 1,
		.text = "t", .text_len = 1,
	};

	m.from_len = 0;
	assert_int_equal(messenger_encode(&m, buf, sizeof(buf), &used),
			 CODEC_ERR_PAYLOAD_BAD_FIELD);
	m.from = "SIXTEENCHARSXYZW";
	m.from_len = 16;
	assert_int_equal(messenger_encode(&m, buf, sizeof(buf), &used),
			 CODEC_ERR_PAYLOAD_BAD_FIELD);
	m.from_len = 15;
	assert_int_equal(messenger_encode(&m, buf, sizeof(buf), &used),
			 CODEC_OK);
	m.to = "SIXTEENCHARSXYZW";
	m.to_len = 16;
	assert_int_equal(messenger_encode(&m, buf, sizeof(buf), &used),
			 CODEC_ERR_PAYLOAD_BAD_FIELD);
	m.to_len = 1;
	m.text = "a\0b";
	m.text_len = 3;
	assert_int_equal(messenger_encode(&m, buf, sizeof(buf), &used),
			 CODEC_ERR_PAYLOAD_BAD_STRING);
	m.text = NULL;
	assert_int_equal(messenger_encode(&m, buf, sizeof(buf), &used),
			 CODEC_ERR_INVALID_ARGUMENT);
	assert_int_equal(messenger_encode(NULL, buf, sizeof(buf), &used),
			 CODEC_ERR_INVALID_ARGUMENT);
}

static void test_size_limit(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct smb_mailslot_write w;
	char *text;
	uint8_t *buf;
	size_t max, used;
	struct messenger_msg m = {
		.from = "MYHOST", .from_len = 6, .to = "TARGET", .to_len = 6,
	};

	assert_int_equal(messenger_max_payload(), 424);
	assert_int_equal(messenger_max_payload(),
			 smb_mailslot_max_payload(MESSENGER_MAILSLOT,
						  SMB_MAILSLOT_LAYOUT_MAIL));
	max = messenger_max_text(6, 6);
	assert_int_equal(max, 424 - 6 - 6 - 3);
	assert_int_equal(messenger_max_text(15, 15), 424 - 33);
	assert_int_equal(messenger_max_text(424, 0), 0);
	assert_int_equal(messenger_max_text(SIZE_MAX, SIZE_MAX), 0);

	text = talloc_size(mem, max + 1);
	memset(text, 'x', max + 1);
	buf = talloc_size(mem, 1024);
	m.text = text;
	m.text_len = max;
	assert_int_equal(messenger_encode(&m, buf, 1024, &used), CODEC_OK);
	assert_int_equal(used, 424);
	/* the largest message makes exactly Windows' 512-byte SMB */
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = MESSENGER_MAILSLOT;
	w.name_len = strlen(MESSENGER_MAILSLOT);
	w.data = buf;
	w.data_len = used;
	assert_int_equal(smb_mailslot_encoded_len(&w), SMB_MAILSLOT_SMB_LIMIT);
	m.text_len = max + 1;
	memset(buf, 0xee, 1024);
	assert_int_equal(messenger_encode(&m, buf, 1024, &used),
			 CODEC_ERR_PAYLOAD_BAD_FIELD);
	/* nothing written */
	assert_int_equal(buf[0], 0xee);
	talloc_free(mem);
}

static bool have_cp850(void)
{
	iconv_t cd = iconv_open("UTF-8", MESSENGER_CODEPAGE);

	if (cd == (iconv_t)-1)
		return false;
	iconv_close(cd);
	return true;
}

static void test_non_ascii(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	/* "Grüße, café" in CP850: ü 0x81, ß 0xe1, é 0x82 */
	static const char oem[] = "Gr\x81\xe1" "e, caf\x82";
	char *s;
	size_t len;

	roundtrip("PC\x8e", "BOB", oem, strlen(oem));
	if (!have_cp850()) {
		print_message("SKIPPED: iconv has no %s; only the escape "
			      "fallback is checked\n", MESSENGER_CODEPAGE);
		s = messenger_oem_to_utf8(mem, oem, strlen(oem), NULL);
		assert_string_equal(s, "Gr\\x81\\xe1e, caf\\x82");
		talloc_free(mem);
		return;
	}
	s = messenger_oem_to_utf8(mem, oem, strlen(oem), NULL);
	assert_string_equal(s, "Grüße, café");
	s = messenger_utf8_to_oem(mem, "Grüße, café", strlen("Grüße, café"),
				  NULL, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(oem));
	assert_memory_equal(s, oem, len);
	/* CP437 differs from CP850 at 0x9b (¢ vs ø) */
	assert_string_equal(messenger_oem_to_utf8(mem, "\x9b", 1, "CP437"),
			    "¢");
	assert_string_equal(messenger_oem_to_utf8(mem, "\x9b", 1, NULL), "ø");
	/* no euro sign in CP850: refused, not replaced */
	errno = 0;
	assert_null(messenger_utf8_to_oem(mem, "5 €", strlen("5 €"), NULL,
					  &len));
	assert_int_equal(errno, EILSEQ);
	/* invalid UTF-8 */
	assert_null(messenger_utf8_to_oem(mem, "\xc3", 1, NULL, &len));
	/* an unknown code page: escapes, never fails */
	assert_string_equal(messenger_oem_to_utf8(mem, "a\x81", 2,
						  "NO-SUCH-CODEPAGE"),
			    "a\\x81");
	talloc_free(mem);
}

static void lb(enum messenger_linebreak mode, const char *in, size_t in_len,
	       const char *want, size_t want_len)
{
	size_t len = 0;
	char *s = messenger_linebreaks(NULL, in, in_len, mode, &len);

	assert_non_null(s);
	assert_int_equal(len, want_len);
	assert_memory_equal(s, want, len);
	assert_int_equal(s[len], '\0');
	talloc_free(s);
}

#define LB(mode, in, want) lb(mode, in, sizeof(in) - 1, want, sizeof(want) - 1)

static void test_linebreaks(void **state)
{
	/* CR, LF, CRLF, LFCR: one break each; CRCR and LFLF are two */
	LB(MESSENGER_LB_CRLF, "a\rb\nc\r\nd\n\re\r\rf\n\ng",
	   "a\r\nb\r\nc\r\nd\r\ne\r\n\r\nf\r\n\r\ng");
	LB(MESSENGER_LB_0X14, "a\rb\nc\r\nd\n\re\r\r",
	   "a\x14" "b\x14" "c\x14" "d\x14" "e\x14\x14");
	LB(MESSENGER_LB_LF, "a\x14" "b\r\nc\n\rd\re", "a\nb\nc\nd\ne");
	LB(MESSENGER_LB_KEEP, "a\r\nb\x14", "a\r\nb\x14");
	/* a break at either end, and alone */
	LB(MESSENGER_LB_CRLF, "\n", "\r\n");
	LB(MESSENGER_LB_CRLF, "\r\n\r\n", "\r\n\r\n");
	LB(MESSENGER_LB_CRLF, "\n\r\n", "\r\n\r\n");
	LB(MESSENGER_LB_CRLF, "", "");
}

static void test_summary_and_json(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	static const uint8_t pkt[] = "PC1\0BOB\0a\\b\x01\r\n\"q\"\x14z\x1b[2J";
	struct messenger_msg m;
	struct messenger_json *j;
	char *s;

	assert_int_equal(messenger_decode(pkt, sizeof(pkt) - 1, &m), CODEC_OK);
	s = messenger_summary(mem, &m, NULL);
	assert_string_equal(s, "MESSNGR from \"PC1\" to \"BOB\": "
			       "\"a\\\\b\\x01\\r\\n\"q\"\\x14z\\x1b[2J\" "
			       "(no final NUL)");
	j = messenger_to_json_struct(mem, &m, NULL);
	assert_non_null(j);
	assert_string_equal(j->from, "PC1");
	assert_string_equal(j->text, "a\\b\x01\n\"q\"\nz\x1b[2J");
	assert_true(j->text_unterminated);
	s = messenger_json_object(mem, j);
	assert_string_equal(s, "{\"from\":\"PC1\",\"to\":\"BOB\",\"text\":"
			       "\"a\\\\b\\u0001\\n\\\"q\\\"\\nz\\u001b[2J\","
			       "\"text_unterminated\":true,"
			       "\"trailing_bytes\":0}");
	s = messenger_escape(mem, "l1\nl2\x07", 6, true);
	assert_string_equal(s, "l1\nl2\\x07");
	talloc_free(mem);
}

/* Every prefix and every single-byte change: no crash, sane views. */
static void fuzz_one(const uint8_t *src, size_t len)
{
	static const uint8_t values[] = { 0x00, 0xff, 'A', 0x14, '\r', 0x80 };
	struct messenger_msg m;

	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *p = talloc_memdup(NULL, src, cut ? cut : 1);
		enum codec_error err = messenger_decode(p, cut, &m);

		if (err == CODEC_OK) {
			char *s = messenger_summary(p, &m, NULL);
			struct messenger_json *j =
				messenger_to_json_struct(p, &m, NULL);

			assert_non_null(s);
			assert_non_null(j);
			assert_non_null(messenger_json_object(p, j));
			assert_true(m.from_len + m.to_len + m.text_len + 2 +
				    (m.text_unterminated ? 0 : 1) +
				    m.trailing_len == cut);
		}
		talloc_free(p);
	}
	for (size_t i = 0; i < len; i++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			uint8_t *p = talloc_memdup(NULL, src, len);

			p[i] = values[v];
			if (messenger_decode(p, len, &m) == CODEC_OK) {
				assert_true((const uint8_t *)m.text >= p);
				assert_true((const uint8_t *)m.text +
					    m.text_len <= p + len);
				assert_non_null(messenger_summary(p, &m,
								  NULL));
			}
			talloc_free(p);
		}
	}
}

static void test_truncation_and_changes(void **state)
{
	static const uint8_t a[] = "MYHOST\0TARGET\0Hello from NET SEND";
	static const uint8_t b[] = "FIFTEENCHARSXYZ\0FIFTEENCHARSXYZ\0\x81\xff\r";
	struct messenger_msg m;

	fuzz_one(a, sizeof(a));	/* with the final NUL */
	fuzz_one(b, sizeof(b) - 1);
	/* where the answer changes: up to To's NUL an error, then OK */
	for (size_t cut = 0; cut <= sizeof(a); cut++) {
		enum codec_error want = cut < 14 ? CODEC_ERR_PAYLOAD_TRUNCATED
						 : CODEC_OK;
		assert_int_equal(messenger_decode(a, cut, &m), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector05),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_missing_final_nul),
		cmocka_unit_test(test_missing_two_nuls),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_encode_fields),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_linebreaks),
		cmocka_unit_test(test_summary_and_json),
		cmocka_unit_test(test_truncation_and_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
