/*
 * The Browser protocol codec: the [MS-BRWS] vectors 01 and 07 byte for
 * byte, every opcode round trip, what real senders get wrong, every
 * truncation and many corruptions in exactly sized buffers (ASan), the
 * flag names and the summary line.  Captures and tshark: test_browser_wire.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "smb/smb_mailslot.h"
#include "tools/browser_fields.h"
#include "test_browser.h"
#include "torture_util.h"

/* ---- generated samples ---- */

static const char *const names[] = {
	"", "A", "MYHOST", "WORKGROUP", "FIFTEEN-CHARS-X", "PC-01",
	"lowercase", "LMB1", "BACKUP2", "X Y",
};
static const char *const comments[] = {
	"", "Samba 4.19.5-Debian", "QNX Samba Server",
	"a comment of exactly forty-three characters",
	"ishraq-thinkpad server (Samba, LinuxMint)", "x",
};
static const uint8_t os_versions[][2] = {
	{ 10, 0 }, { 6, 1 }, { 6, 0 }, { 5, 2 }, { 5, 1 }, { 5, 0 },
	{ 4, 9 }, { 4, 0 }, { 3, 10 }, { 1, 51 },
};

static struct browser_sample *add(TALLOC_CTX *mem_ctx,
				  struct browser_sample **s, size_t *n)
{
	*s = talloc_realloc(mem_ctx, *s, struct browser_sample, *n + 1);
	assert_non_null(*s);
	memset(&(*s)[*n], 0, sizeof((*s)[0]));
	return &(*s)[(*n)++];
}

static void gen_announcements(TALLOC_CTX *mem_ctx, struct browser_sample **s,
			      size_t *n)
{
	static const uint8_t ops[] = { BROWSER_HOST_ANNOUNCEMENT,
				       BROWSER_DOMAIN_ANNOUNCEMENT,
				       BROWSER_LOCAL_MASTER_ANNOUNCEMENT };

	for (size_t i = 0; i < 60; i++) {
		struct browser_sample *x = add(mem_ctx, s, n);
		struct browser_announcement *a = &x->msg.ann;
		uint8_t op = ops[i % 3];
		enum browser_layout layout = i % 5 == 4 ?
			BROWSER_LAYOUT_LANMAN : BROWSER_LAYOUT_BROWSE;

		browser_msg_init(&x->msg, layout, op);
		a->update_count = (uint8_t)(i % 7 == 0 ? i : 0);
		a->periodicity_ms = layout == BROWSER_LAYOUT_LANMAN ?
			(uint32_t)(60 + i) * 1000u : 60000u * (uint32_t)(i + 1);
		a->server_name = browser_str(names[1 + i % 9]);
		a->os_major = os_versions[i % 10][0];
		a->os_minor = os_versions[i % 10][1];
		a->server_type = (uint32_t)(0x00011003u * (i + 1)) ^
				 (uint32_t)(i << 24);
		if (op == BROWSER_DOMAIN_ANNOUNCEMENT) {
			a->comment = browser_str(names[(i + 4) % 10]);
			if (i % 2) {
				/* Windows leaves these uninitialised */
				a->browser_major = (uint8_t)(0x30 + i);
				a->browser_minor = 0x80;
				a->signature = (uint16_t)(0x1234 + i);
			}
		} else {
			a->comment = browser_str(comments[i % 6]);
		}
	}
}

static void gen_others(TALLOC_CTX *mem_ctx, struct browser_sample **s,
		       size_t *n)
{
	for (size_t i = 0; i < 10; i++) {
		struct browser_sample *x = add(mem_ctx, s, n);

		browser_msg_init(&x->msg, BROWSER_LAYOUT_BROWSE,
				 BROWSER_ANNOUNCEMENT_REQUEST);
		x->msg.name = browser_str(names[i]);
		x->msg.reserved = (uint8_t)(i % 3 ? 0 : i);

		x = add(mem_ctx, s, n);
		browser_msg_init(&x->msg, BROWSER_LAYOUT_BROWSE,
				 BROWSER_REQUEST_ELECTION);
		x->msg.election.version = i % 4 ? 1 : 0;
		x->msg.election.criteria = i % 4 ? 0x20010f0cu ^
			(uint32_t)(i * 0x01000011u) : 0;
		x->msg.election.uptime_ms = (uint32_t)(i * 3600000u);
		x->msg.election.server_name = browser_str(names[i]);

		x = add(mem_ctx, s, n);
		browser_msg_init(&x->msg, BROWSER_LAYOUT_BROWSE,
				 BROWSER_GET_BACKUP_LIST_REQUEST);
		x->msg.backup.count = (uint8_t)(i % 5 == 0 ? 255 : 4);
		x->msg.backup.token = (uint32_t)(i * 0x10001u + 1);

		x = add(mem_ctx, s, n);
		browser_msg_init(&x->msg, BROWSER_LAYOUT_BROWSE,
				 BROWSER_GET_BACKUP_LIST_RESPONSE);
		x->msg.backup.count = (uint8_t)(i + i / 3);
		x->msg.backup.token = (uint32_t)i;
		for (size_t k = 0; k < x->msg.backup.count; k++)
			x->msg.backup.servers[k] =
				browser_str(names[1 + (i + k) % 9]);

		x = add(mem_ctx, s, n);
		browser_msg_init(&x->msg, BROWSER_LAYOUT_BROWSE,
				 i % 2 ? BROWSER_BECOME_BACKUP
				       : BROWSER_MASTER_ANNOUNCEMENT);
		x->msg.name = browser_str(names[1 + i % 9]);

		x = add(mem_ctx, s, n);
		browser_msg_init(&x->msg, BROWSER_LAYOUT_BROWSE,
				 BROWSER_RESET_STATE_REQUEST);
		x->msg.reset_flags = (uint8_t)(1u << (i % 8)) | (i > 7 ? 7 : 0);
	}
}

struct browser_sample *browser_samples(TALLOC_CTX *mem_ctx, size_t *count)
{
	struct browser_sample *s = talloc_array(mem_ctx,
						struct browser_sample, 0);
	size_t n = 0;

	gen_announcements(mem_ctx, &s, &n);
	gen_others(mem_ctx, &s, &n);
	for (size_t i = 0; i < n; i++) {
		s[i].len = browser_encoded_len(&s[i].msg);
		assert_true(s[i].len > 0);
		s[i].bytes = talloc_size(s, s[i].len);
		assert_int_equal(browser_encode(&s[i].msg, s[i].bytes,
						s[i].len, NULL), CODEC_OK);
	}
	*count = n;
	return s;
}

static void assert_str_equal(const struct browser_string *a,
			     const struct browser_string *b)
{
	assert_int_equal(a->len, b->len);
	if (a->len)
		assert_memory_equal(a->ptr, b->ptr, a->len);
}

void browser_assert_msg_equal(const struct browser_msg *a,
			      const struct browser_msg *b)
{
	assert_int_equal(a->opcode, b->opcode);
	assert_int_equal(a->layout, b->layout);
	assert_int_equal(a->reserved, b->reserved);
	assert_int_equal(a->ann.update_count, b->ann.update_count);
	assert_int_equal(a->ann.periodicity_ms, b->ann.periodicity_ms);
	assert_str_equal(&a->ann.server_name, &b->ann.server_name);
	assert_int_equal(a->ann.os_major, b->ann.os_major);
	assert_int_equal(a->ann.os_minor, b->ann.os_minor);
	assert_int_equal(a->ann.server_type, b->ann.server_type);
	/* only the BROWSE announcements carry these */
	if (a->layout == BROWSER_LAYOUT_BROWSE && a->ann.server_name.ptr) {
		assert_int_equal(a->ann.browser_major, b->ann.browser_major);
		assert_int_equal(a->ann.browser_minor, b->ann.browser_minor);
		assert_int_equal(a->ann.signature, b->ann.signature);
	}
	assert_str_equal(&a->ann.comment, &b->ann.comment);
	assert_int_equal(a->election.version, b->election.version);
	assert_int_equal(a->election.criteria, b->election.criteria);
	assert_int_equal(a->election.uptime_ms, b->election.uptime_ms);
	assert_str_equal(&a->election.server_name, &b->election.server_name);
	assert_int_equal(a->backup.count, b->backup.count);
	assert_int_equal(a->backup.token, b->backup.token);
	for (size_t i = 0; a->opcode == BROWSER_GET_BACKUP_LIST_RESPONSE &&
	     i < a->backup.count; i++)
		assert_str_equal(&a->backup.servers[i], &b->backup.servers[i]);
	assert_str_equal(&a->name, &b->name);
	assert_int_equal(a->reset_flags, b->reset_flags);
}

/* ---- vectors 01 and 07 (mailslot data; test_browser_wire checks these
 * are the bytes inside ../shared/vectors when it is there) ---- */

static const char vec01[] =
	"01 00 80fc0a00 4d59484f5354 00000000000000000000 0a00 03100100"
	"0f01 55aa 00";
static const char *const vec07[] = {
	"02 00 4d59484f535400",
	"08 01 0c0f0120 80ee3600 00000000 4d59484f535400",
	"09 04 01000000",
	"0a 02 01000000 4c4d423100 4241434b55503200",
	"0b 4d59484f535400",
	"0c 00 80fc0a00 574f524b47524f5550 00000000000000 030a 00100080"
	"0f01 55aa 4c4d423100",
	"0d 4c4d423100",
	"0e 01",
	"0f 00 80fc0a00 4c4d4231 000000000000000000000000 0a00 03100500"
	"0f01 55aa 00",
};

static void decode_hex(TALLOC_CTX *mem_ctx, const char *hex,
		       struct browser_msg *m, uint8_t **bytes, size_t *len)
{
	uint8_t *re;
	size_t used;

	*bytes = torture_hex_decode(mem_ctx, hex, len);
	assert_non_null(*bytes);
	assert_int_equal(browser_decode(*bytes, *len, BROWSER_LAYOUT_BROWSE,
					m), CODEC_OK);
	assert_int_equal(m->quirks, 0);
	/* byte for byte */
	re = talloc_size(mem_ctx, *len);
	assert_int_equal(browser_encoded_len(m), *len);
	assert_int_equal(browser_encode(m, re, *len, &used), CODEC_OK);
	assert_int_equal(used, *len);
	assert_memory_equal(re, *bytes, *len);
}

static bool str_is(const struct browser_string *s, const char *text)
{
	return s->len == strlen(text) && memcmp(s->ptr, text, s->len) == 0;
}

static void test_vectors(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct browser_msg m;
	uint8_t *b;
	size_t len;

	/* 01: HostAnnouncement as [MS-BRWS] §4.1 */
	decode_hex(mem_ctx, vec01, &m, &b, &len);
	assert_int_equal(len, 33);
	assert_int_equal(m.opcode, BROWSER_HOST_ANNOUNCEMENT);
	assert_int_equal(m.ann.periodicity_ms, 720000);
	assert_true(str_is(&m.ann.server_name, "MYHOST"));
	assert_int_equal(m.ann.os_major, 10);
	assert_int_equal(m.ann.os_minor, 0);
	assert_int_equal(m.ann.server_type, 0x00011003);
	assert_int_equal(m.ann.browser_major, 15);
	assert_int_equal(m.ann.browser_minor, 1);
	assert_int_equal(m.ann.signature, 0xaa55);
	assert_true(str_is(&m.ann.comment, "") && m.ann.comment.terminated);

	decode_hex(mem_ctx, vec07[0], &m, &b, &len);
	assert_int_equal(m.opcode, BROWSER_ANNOUNCEMENT_REQUEST);
	assert_true(str_is(&m.name, "MYHOST"));

	decode_hex(mem_ctx, vec07[1], &m, &b, &len);
	assert_int_equal(m.election.version, 1);
	assert_int_equal(m.election.criteria, 0x20010f0c);
	assert_int_equal(m.election.uptime_ms, 3600000);
	assert_true(str_is(&m.election.server_name, "MYHOST"));

	decode_hex(mem_ctx, vec07[2], &m, &b, &len);
	assert_int_equal(m.backup.count, 4);
	assert_int_equal(m.backup.token, 1);

	decode_hex(mem_ctx, vec07[3], &m, &b, &len);
	assert_int_equal(m.backup.count, 2);
	assert_int_equal(m.backup.token, 1);
	assert_true(str_is(&m.backup.servers[0], "LMB1"));
	assert_true(str_is(&m.backup.servers[1], "BACKUP2"));

	decode_hex(mem_ctx, vec07[4], &m, &b, &len);
	assert_int_equal(m.opcode, BROWSER_BECOME_BACKUP);
	assert_true(str_is(&m.name, "MYHOST"));

	decode_hex(mem_ctx, vec07[5], &m, &b, &len);
	assert_int_equal(m.opcode, BROWSER_DOMAIN_ANNOUNCEMENT);
	assert_true(str_is(&m.ann.server_name, "WORKGROUP"));
	assert_int_equal(m.ann.os_major, 3);
	assert_int_equal(m.ann.os_minor, 10);
	assert_int_equal(m.ann.server_type, 0x80001000);
	assert_true(str_is(&m.ann.comment, "LMB1"));

	decode_hex(mem_ctx, vec07[6], &m, &b, &len);
	assert_int_equal(m.opcode, BROWSER_MASTER_ANNOUNCEMENT);
	assert_true(str_is(&m.name, "LMB1"));

	decode_hex(mem_ctx, vec07[7], &m, &b, &len);
	assert_int_equal(m.reset_flags, BROWSER_RESET_STOP_MASTER);

	decode_hex(mem_ctx, vec07[8], &m, &b, &len);
	assert_int_equal(m.opcode, BROWSER_LOCAL_MASTER_ANNOUNCEMENT);
	assert_true(str_is(&m.ann.server_name, "LMB1"));
	assert_int_equal(m.ann.server_type, 0x00051003);
	talloc_free(mem_ctx);
}

/* The embedded bytes are the ones in ../shared/vectors. */
static void test_vectors_shared(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = torture_shared_vectors(mem_ctx);
	const char *files[] = { "01_host_announcement_browse.pcap",
				"07_browser_all_opcodes.pcap" };
	size_t checked = 0;

	if (dir == NULL) {
		print_message("SKIPPED: ../shared/vectors not present "
			      "(MAILSLOT_SHARED_DIR); the embedded copies "
			      "were tested\n");
		talloc_free(mem_ctx);
		skip();
	}
	for (size_t f = 0; f < 2; f++) {
		size_t n;
		struct pcap_udp_packet *p = torture_pcap_load(mem_ctx,
			talloc_asprintf(mem_ctx, "%s/%s", dir, files[f]), &n);

		assert_int_equal(n, f == 0 ? 1 : 9);
		for (size_t i = 0; i < n; i++) {
			struct nbt_dgram d;
			struct smb_mailslot_write w;
			uint8_t *want;
			size_t want_len;

			assert_int_equal(nbt_dgram_decode(p[i].data, p[i].len,
							  &d), CODEC_OK);
			assert_int_equal(smb_mailslot_decode(d.user_data,
					 d.user_data_len, &w), CODEC_OK);
			want = torture_hex_decode(mem_ctx,
						  f == 0 ? vec01 : vec07[i],
						  &want_len);
			assert_int_equal(w.data_len, want_len);
			assert_memory_equal(w.data, want, want_len);
			checked++;
		}
	}
	assert_int_equal(checked, 10);
	talloc_free(mem_ctx);
}

static void test_round_trip(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	size_t n, seen[16] = { 0 }, lanman = 0;
	struct browser_sample *s = browser_samples(mem_ctx, &n);

	for (size_t i = 0; i < n; i++) {
		struct browser_msg m;
		uint8_t *re = talloc_size(mem_ctx, s[i].len);

		assert_int_equal(browser_decode(s[i].bytes, s[i].len,
						s[i].msg.layout, &m), CODEC_OK);
		assert_int_equal(m.quirks & ~BROWSER_QUIRK_BAD_SIGNATURE, 0);
		browser_assert_msg_equal(&m, &s[i].msg);
		assert_int_equal(browser_encode(&m, re, s[i].len, NULL),
				 CODEC_OK);
		assert_memory_equal(re, s[i].bytes, s[i].len);
		seen[m.opcode & 15]++;
		lanman += m.layout == BROWSER_LAYOUT_LANMAN;
	}
	for (size_t op = 1; op < 16; op++) {
		if (op >= 3 && op <= 7)
			continue;
		assert_true(seen[op] > 0);
	}
	assert_true(lanman > 0);
	print_message("round trip: %zu messages, all ten opcodes, %zu in "
		      "the LANMAN layout\n", n, lanman);
	talloc_free(mem_ctx);
}

static void test_encode_refuses(void **state)
{
	struct browser_msg m;
	uint8_t buf[128];
	char comment[BROWSER_COMMENT_MAX + 2];

	browser_msg_init(&m, BROWSER_LAYOUT_BROWSE, BROWSER_HOST_ANNOUNCEMENT);
	m.ann.server_name = browser_str("SIXTEEN-CHARS-XY");
	assert_int_equal(browser_encoded_len(&m), 0);
	assert_int_equal(browser_encode(&m, buf, sizeof(buf), NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	m.ann.server_name = browser_str("OK");
	memset(comment, 'c', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	m.ann.comment = browser_str(comment);
	assert_int_equal(browser_encoded_len(&m), 0);	/* 44 */
	comment[BROWSER_COMMENT_MAX] = '\0';
	m.ann.comment = browser_str(comment);
	assert_int_equal(browser_encoded_len(&m), 32 + 44);
	m.ann.comment = browser_str("");
	assert_int_equal(browser_encode(&m, buf, 32, NULL),
			 CODEC_ERR_BUFFER_TOO_SMALL);
	/* LANMAN counts seconds in 16 bits */
	m.layout = BROWSER_LAYOUT_LANMAN;
	m.ann.periodicity_ms = 1500;
	assert_int_equal(browser_encoded_len(&m), 0);
	m.ann.periodicity_ms = 65536000;
	assert_int_equal(browser_encoded_len(&m), 0);
	m.ann.periodicity_ms = 65535000;
	assert_int_equal(browser_encoded_len(&m), 10 + 3 + 1);
	browser_msg_init(&m, BROWSER_LAYOUT_BROWSE, 0x03);
	assert_int_equal(browser_encoded_len(&m), 0);
}

static void test_quirks(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct browser_msg m;
	uint8_t *b;
	size_t len;

	/* nmbd's AnnouncementRequest: token, a stray NUL, no final NUL */
	b = torture_hex_decode(mem_ctx, "02 07 00 4e4d4244", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_OK);
	assert_true(m.quirks & BROWSER_QUIRK_NMBD_REQUEST);
	assert_true(m.quirks & BROWSER_QUIRK_UNTERMINATED);
	assert_int_equal(m.reserved, 7);
	assert_true(str_is(&m.name, "NMBD") && !m.name.terminated);

	/* a HostAnnouncement with no NUL after the comment, OEM bytes */
	b = torture_hex_decode(mem_ctx, "01 00 60ea0000 4d59484f5354"
			       "00000000000000000000 0500 03100000 0f01 55aa"
			       "43 8e 81", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_OK);
	assert_int_equal(m.quirks, BROWSER_QUIRK_UNTERMINATED |
			 BROWSER_QUIRK_NON_ASCII);
	assert_true(str_is(&m.ann.comment, "C\x8e\x81"));
	/* and with none at all */
	assert_int_equal(browser_decode(b, 32, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_OK);
	assert_true(m.ann.comment.len == 0 && !m.ann.comment.terminated);

	/* a full 16-byte name field, junk DomainAnnouncement versions */
	b = torture_hex_decode(mem_ctx, "0c 00 60ea0000 "
			       "41424344454647484950515253545556 030a 00100080"
			       "cc cc cccc 4c4d423100 0000", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_OK);
	assert_int_equal(m.quirks, BROWSER_QUIRK_NAME_FIELD_FULL |
			 BROWSER_QUIRK_TRAILING);
	assert_int_equal(m.ann.server_name.len, 16);
	assert_int_equal(m.ann.signature, 0xcccc);
	assert_int_equal(m.trailing_len, 2);
	assert_ptr_equal(m.trailing, b + len - 2);

	/* the count must be backed by names */
	b = torture_hex_decode(mem_ctx, "0a 03 01000000 4c4d423100 42", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_ERR_PAYLOAD_TRUNCATED);
	assert_int_equal(browser_decode(b, len - 1, BROWSER_LAYOUT_BROWSE,
					&m), CODEC_ERR_PAYLOAD_TRUNCATED);
	b[1] = 2;	/* the last name may lack its NUL */
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_OK);
	assert_true(str_is(&m.backup.servers[1], "B"));

	/* a name over 16 bytes is garbage, not a name */
	b = torture_hex_decode(mem_ctx, "0b 4142434445464748494a4b4c4d4e4f5051"
			       "00", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_ERR_PAYLOAD_BAD_STRING);
	b = torture_hex_decode(mem_ctx, "03 00", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE);
	assert_int_equal(browser_decode(b, 0, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_ERR_PAYLOAD_TRUNCATED);

	/* LANMAN: the LM layout, unless it carries the BROWSE signature */
	b = torture_hex_decode(mem_ctx, "01 00 03980c00 0402 7800 "
			       "5241494431363600 72616964736572766572 00",
			       &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_LANMAN, &m),
			 CODEC_OK);
	assert_int_equal(m.layout, BROWSER_LAYOUT_LANMAN);
	assert_int_equal(m.ann.periodicity_ms, 120000);
	assert_int_equal(m.ann.server_type, 0x000c9803);
	assert_true(str_is(&m.ann.server_name, "RAID166"));
	assert_true(str_is(&m.ann.comment, "raidserver"));
	b = torture_hex_decode(mem_ctx, vec01, &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_LANMAN, &m),
			 CODEC_OK);
	assert_int_equal(m.layout, BROWSER_LAYOUT_BROWSE);
	assert_true(str_is(&m.ann.server_name, "MYHOST"));
	talloc_free(mem_ctx);
}

static bool view_inside(const struct browser_string *s, const uint8_t *b,
			size_t len)
{
	const char *lo = (const char *)b, *hi = lo + len;

	return s->len == 0 || (s->ptr >= lo && s->ptr + s->len <= hi);
}

static void check_views(const struct browser_msg *m, const uint8_t *b,
			size_t len)
{
	assert_true(view_inside(&m->ann.server_name, b, len));
	assert_true(view_inside(&m->ann.comment, b, len));
	assert_true(view_inside(&m->election.server_name, b, len));
	assert_true(view_inside(&m->name, b, len));
	for (size_t i = 0; m->opcode == BROWSER_GET_BACKUP_LIST_RESPONSE &&
	     i < m->backup.count; i++)
		assert_true(view_inside(&m->backup.servers[i], b, len));
	assert_true(m->trailing_len == 0 ||
		    (m->trailing >= b && m->trailing + m->trailing_len ==
		     b + len));
}

/* Every prefix of every sample, copied into an exactly sized buffer. */
static void test_truncation(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	size_t n, ok = 0, refused = 0;
	struct browser_sample *s = browser_samples(mem_ctx, &n);

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < s[i].len; k++) {
			uint8_t *b = talloc_memdup(mem_ctx, s[i].bytes,
						   k ? k : 1);
			struct browser_msg m;
			enum codec_error err;

			err = browser_decode(b, k, s[i].msg.layout, &m);
			if (err == CODEC_OK) {
				check_views(&m, b, k);
				ok++;
			} else {
				assert_true(err == CODEC_ERR_PAYLOAD_TRUNCATED ||
					    err == CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE);
				refused++;
			}
			talloc_free(b);
		}
	}
	assert_true(ok > 0 && refused > 0);
	print_message("truncation: %zu prefixes decoded in bounds, %zu "
		      "refused\n", ok, refused);
	talloc_free(mem_ctx);
}

/* Each byte of each sample set to 8 values: error or in-bounds views. */
static void test_corruption(void **state)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x0a, 0x0c, 0x20,
					  0x7f, 0x80, 0xff };
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	size_t n, tries = 0;
	struct browser_sample *s = browser_samples(mem_ctx, &n);

	for (size_t i = 0; i < n; i++) {
		uint8_t *b = talloc_memdup(mem_ctx, s[i].bytes, s[i].len);

		for (size_t k = 0; k < s[i].len; k++) {
			for (size_t v = 0; v < sizeof(values); v++) {
				struct browser_msg m;
				uint8_t saved = b[k];

				b[k] = values[v];
				if (browser_decode(b, s[i].len, BROWSER_LAYOUT_LANMAN,
						   &m) == CODEC_OK)
					check_views(&m, b, s[i].len);
				if (browser_decode(b, s[i].len, BROWSER_LAYOUT_BROWSE,
						   &m) == CODEC_OK)
					check_views(&m, b, s[i].len);
				b[k] = saved;
				tries++;
			}
		}
		talloc_free(b);
	}
	print_message("corruption: %zu variants, no read outside\n", tries);
	talloc_free(mem_ctx);
}

/* Names compare as NetBIOS does: ASCII case ignored, length exact. */
static void test_string_is(void **state)
{
	struct browser_string wire = { .ptr = "hostc\0junk", .len = 5 };
	struct browser_string empty = { .ptr = NULL, .len = 0 };

	(void)state;
	assert_true(browser_string_is(&wire, "HOSTC"));
	assert_true(browser_string_is(&wire, "hostc"));
	assert_false(browser_string_is(&wire, "HOST"));
	assert_false(browser_string_is(&wire, "HOSTCX"));
	assert_false(browser_string_is(&wire, NULL));
	assert_true(browser_string_is(&empty, ""));
	assert_false(browser_string_is(&empty, "A"));
}

static void test_names_and_summary(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	char buf[512];
	struct browser_msg m;
	uint8_t *b;
	size_t len;

	browser_server_type_string(0x00011003, buf, sizeof(buf));
	assert_string_equal(buf, "WORKSTATION SERVER NT POTENTIAL_BROWSER");
	browser_server_type_string(0, buf, sizeof(buf));
	assert_string_equal(buf, "NONE");
	browser_server_type_string(0x08000000 | SV_TYPE_DOMAIN_ENUM, buf,
				   sizeof(buf));
	assert_string_equal(buf, "DOMAIN_ENUM 0x08000000");
	/* cut, but the would-be length is returned */
	assert_int_equal(browser_server_type_string(0x00011003, buf, 5), 39);
	assert_string_equal(buf, "WORK");
	browser_criteria_string(0x20010f0c, buf, sizeof(buf));
	assert_string_equal(buf, "MASTER PREFERRED_MASTER OS_NTS browser 15.1");

	decode_hex(mem_ctx, vec01, &m, &b, &len);
	browser_summary(&m, buf, sizeof(buf));
	assert_string_equal(buf, "HostAnnouncement MYHOST 10.0 WORKSTATION "
			    "SERVER NT POTENTIAL_BROWSER period 720000 ms \"\"");
	decode_hex(mem_ctx, vec07[3], &m, &b, &len);
	browser_summary(&m, buf, sizeof(buf));
	assert_string_equal(buf, "GetBackupListResponse token 1: LMB1 BACKUP2");
	decode_hex(mem_ctx, vec07[1], &m, &b, &len);
	browser_summary(&m, buf, sizeof(buf));
	assert_string_equal(buf, "RequestElection version 1 criteria "
			    "0x20010f0c (MASTER PREFERRED_MASTER OS_NTS "
			    "browser 15.1) uptime 3600000 ms MYHOST");
	/* control characters and quotes never reach a terminal raw */
	b = torture_hex_decode(mem_ctx, "0d 411b5b326a220a00", &len);
	assert_int_equal(browser_decode(b, len, BROWSER_LAYOUT_BROWSE, &m),
			 CODEC_OK);
	browser_summary(&m, buf, sizeof(buf));
	assert_string_equal(buf, "MasterAnnouncement A\\x1b[2j\\x22\\x0a");
	assert_int_equal(browser_summary(&m, buf, 4), strlen(
			 "MasterAnnouncement A\\x1b[2j\\x22\\x0a"));
	assert_string_equal(buf, "Mas");
	talloc_free(mem_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_vectors_shared),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_string_is),
		cmocka_unit_test(test_names_and_summary),
		cmocka_unit_test(test_browser_captures),
		cmocka_unit_test(test_browser_tshark),
	};
	return cmocka_run_group_tests_name("browser", tests, NULL, NULL);
}
