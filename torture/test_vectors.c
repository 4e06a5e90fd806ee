/*
 * Golden vectors.  Every frame of ../shared/vectors (tshark-verified,
 * built from the specs) decodes to the values its README lists, and our
 * encoders re-create it byte for byte from those values.  The project's
 * own vectors (the demo's datagrams) are checked the same way, so the
 * suite has vectors even without ../shared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot.h"
#include "tools/demo_frames.h"
#include "torture_util.h"

#define IP_10 0xc0a8010a	/* 192.168.1.10, MYHOST */
#define IP_20 0xc0a80114	/* 192.168.1.20, the peer */

/* SMB header/trans styles of vectors/README.md */
enum style {
	STYLE_NONE,	/* no SMB: 0x13, or not checked */
	STYLE_MAIL,	/* [MS-MAIL] §4 values, 4-byte aligned */
	STYLE_BRWS,	/* [MS-BRWS] §4.1 values, unpadded, PO = DO */
	STYLE_FFFF,	/* MAIL trans values, header 0, TID = UID = 0xFFFF */
};

enum data_kind { DATA_HEX, DATA_TEXT, DATA_FILL, DATA_SEQ, DATA_ALPHA };

struct golden {
	const char *file;
	int frame;		/* 1-based within the file */
	uint8_t type, flags;
	uint16_t id;
	uint32_t src_ip;
	const char *src, *dst;	/* printable names, as tshark shows them */
	uint16_t dgm_len;
	uint8_t error_code;
	enum style style;
	uint8_t pad_byte;
	const char *slot;
	enum data_kind kind;
	const char *data;	/* DATA_HEX / DATA_TEXT */
	size_t data_len;
	uint8_t fill;		/* DATA_FILL */
	uint16_t data_offset, bcc;	/* expected wire values */
	/* fragments: this packet carries USER_DATA[frag_off, +frag_len) */
	bool fragment;
	uint16_t frag_off, frag_len;
};

#define WG "WORKGROUP"
static const struct golden goldens[] = {
	{ "00_ms_mail_example.pcap", 1, 0x10, 0x0e, 0x8000, IP_10,
	  "MYHOST<00>", "TARGET<00>", 208, 0, STYLE_MAIL, 0,
	  "\\MAILSLOT\\test1\\sample_mailslot", DATA_FILL, NULL, 36, 0xca,
	  104, 71 },
	{ "01_host_announcement_browse.pcap", 1, 0x11, 0x02, 0x8001, IP_10,
	  "MYHOST<00>", WG "<1d>", 187, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "01 00 80fc0a00 4d59484f5354 00000000000000000000 0a 00"
		    " 03100100 0f 01 55aa 00", 33, 0, 86, 50 },
	{ "02_direct_unique_test_300.pcap", 1, 0x10, 0x02, 0x8002, IP_10,
	  "MYHOST<00>", "TARGET<00>", 452, 0, STYLE_MAIL, 0, "\\MAILSLOT\\TEST",
	  DATA_SEQ, NULL, 300, 0, 84, 315 },
	{ "03_two_fragment_datagram.pcap", 1, 0x10, 0x03, 0x8003, IP_10,
	  "MYHOST<00>", "TARGET<00>", 308, 0, STYLE_MAIL, 0, "\\MAILSLOT\\TEST",
	  DATA_ALPHA, NULL, 400, 0, 84, 415, true, 0, 240 },
	{ "03_two_fragment_datagram.pcap", 2, 0x10, 0x00, 0x8003, IP_10,
	  "MYHOST<00>", "TARGET<00>", 312, 0, STYLE_MAIL, 0, "\\MAILSLOT\\TEST",
	  DATA_ALPHA, NULL, 400, 0, 84, 415, true, 240, 244 },
	{ "03b_two_fragment_reassembled.pcap", 1, 0x10, 0x02, 0x8003, IP_10,
	  "MYHOST<00>", "TARGET<00>", 552, 0, STYLE_MAIL, 0, "\\MAILSLOT\\TEST",
	  DATA_ALPHA, NULL, 400, 0, 84, 415 },
	{ "04_netlogon_primary_query.pcap", 1, 0x11, 0x02, 0x8004, IP_10,
	  "MYHOST<00>", "MYDOMAIN<1c>", 220, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\NET\\NETLOGON", DATA_HEX,
	  "07 00 4d 59 48 4f 53 54 00 5c 4d 41 49 4c 53 4c 4f 54 5c 4e 45 54"
	  " 5c 47 45 54 44 43 30 41 30 31 41 38 43 30 00 00 4d 00 59 00 48 00"
	  " 4f 00 53 00 54 00 00 00 01 00 00 00 ff ff ff ff", 60, 0, 92, 83 },
	{ "05_messenger_net_send.pcap", 1, 0x10, 0x02, 0x8005, IP_10,
	  "MYHOST<00>", "TARGET<03>", 189, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\MESSNGR", DATA_TEXT,
	  "MYHOST\0TARGET\0Hello from NET SEND", 34, 0, 87, 52 },
	{ "05_messenger_net_send.pcap", 2, 0x11, 0x02, 0x8006, IP_10,
	  "MYHOST<00>", WG "<00>", 193, 0, STYLE_BRWS, 0, "\\MAILSLOT\\MESSNGR",
	  DATA_TEXT, "MYHOST\0WORKGROUP\0Meeting in 5 minutes", 38, 0, 87, 56 },
	{ "06_netlogon_replies.pcap", 1, 0x10, 0x0e, 0x9001, IP_20,
	  "PDC1<00>", "MYHOST<00>", 209, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\NET\\GETDC0A01A8C0", DATA_HEX,
	  "0c 00 50 44 43 31 00 00 50 00 44 00 43 00 31 00 00 00 4d 00 59 00"
	  " 44 00 4f 00 4d 00 41 00 49 00 4e 00 00 00 01 00 00 00 ff ff ff ff",
	  44, 0, 97, 72 },
	{ "06_netlogon_replies.pcap", 2, 0x10, 0x02, 0x8007, IP_10,
	  "MYHOST<00>", "MYDOMAIN<1c>", 244, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\NET\\NETLOGON", DATA_HEX,
	  "12 00 00 00 4d 00 59 00 48 00 4f 00 53 00 54 00 00 00 00 00 5c 4d"
	  " 41 49 4c 53 4c 4f 54 5c 4e 45 54 5c 47 45 54 44 43 34 35 36 00 80"
	  " 00 00 00 18 00 00 00 00 01 04 00 00 00 00 00 05 15 00 00 00 01 00"
	  " 00 00 02 00 00 00 03 00 00 00 0b 00 00 00 ff ff ff ff",
	  84, 0, 92, 107 },
	{ "06_netlogon_replies.pcap", 3, 0x10, 0x0e, 0x9002, IP_20,
	  "PDC1<00>", "MYHOST<00>", 204, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\NET\\GETDC456", DATA_HEX,
	  "13 00 5c 00 5c 00 50 00 44 00 43 00 31 00 00 00 00 00 4d 00 59 00"
	  " 44 00 4f 00 4d 00 41 00 49 00 4e 00 00 00 01 00 00 00 ff ff ff ff",
	  44, 0, 92, 67 },
	{ "06_netlogon_replies.pcap", 4, 0x10, 0x0e, 0x9003, IP_20,
	  "PDC1<00>", "MYHOST<00>", 280, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\NET\\GETDC456", DATA_HEX,
	  "17 00 00 00 fd 03 00 00 00 11 22 33 44 55 66 77 88 99 aa bb cc dd"
	  " ee ff 04 63 6f 72 70 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 c0 18"
	  " 04 70 64 63 31 c0 18 08 4d 59 44 4f 4d 41 49 4e 00 04 50 44 43 31"
	  " 00 00 17 44 65 66 61 75 6c 74 2d 46 69 72 73 74 2d 53 69 74 65 2d"
	  " 4e 61 6d 65 00 c0 44 10 02 00 00 00 c0 a8 01 14 00 00 00 00 00 00"
	  " 00 00 0d 00 00 00 ff ff ff ff", 120, 0, 92, 143 },
	{ "07_browser_all_opcodes.pcap", 1, 0x11, 0x02, 0x8100, IP_10,
	  "MYHOST<00>", WG "<00>", 163, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "02 00 4d 59 48 4f 53 54 00", 9, 0, 86, 26 },
	{ "07_browser_all_opcodes.pcap", 2, 0x11, 0x02, 0x8101, IP_10,
	  "MYHOST<00>", WG "<1e>", 175, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "08 01 0c 0f 01 20 80 ee 36 00 00 00 00 00 4d 59 48 4f 53"
		    " 54 00", 21, 0, 86, 38 },
	{ "07_browser_all_opcodes.pcap", 3, 0x11, 0x02, 0x8102, IP_10,
	  "MYHOST<00>", WG "<1d>", 160, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "09 04 01 00 00 00", 6, 0, 86, 23 },
	{ "07_browser_all_opcodes.pcap", 4, 0x10, 0x02, 0x8103, IP_20,
	  "LMB1<00>", "MYHOST<00>", 173, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "0a 02 01 00 00 00 4c 4d 42 31 00 42 41 43 4b 55 50 32 00",
	  19, 0, 86, 36 },
	{ "07_browser_all_opcodes.pcap", 5, 0x11, 0x02, 0x8104, IP_10,
	  "MYHOST<00>", WG "<1e>", 162, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "0b 4d 59 48 4f 53 54 00", 8, 0, 86, 25 },
	{ "07_browser_all_opcodes.pcap", 6, 0x11, 0x02, 0x8105, IP_10,
	  "MYHOST<00>", "<01><02>__MSBROWSE__<02><01>", 191, 0, STYLE_BRWS, 0,
	  "\\MAILSLOT\\BROWSE", DATA_HEX,
	  "0c 00 80 fc 0a 00 57 4f 52 4b 47 52 4f 55 50 00 00 00 00 00 00 00"
	  " 03 0a 00 10 00 80 0f 01 55 aa 4c 4d 42 31 00", 37, 0, 86, 54 },
	{ "07_browser_all_opcodes.pcap", 7, 0x10, 0x02, 0x8106, IP_10,
	  "MYHOST<00>", "PDC1<00>", 160, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "0d 4c 4d 42 31 00", 6, 0, 86, 23 },
	{ "07_browser_all_opcodes.pcap", 8, 0x11, 0x02, 0x8107, IP_10,
	  "MYHOST<00>", WG "<1e>", 156, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "0e 01", 2, 0, 86, 19 },
	{ "07_browser_all_opcodes.pcap", 9, 0x11, 0x02, 0x8108, IP_10,
	  "MYHOST<00>", WG "<1e>", 187, 0, STYLE_BRWS, 0, "\\MAILSLOT\\BROWSE",
	  DATA_HEX, "0f 00 80 fc 0a 00 4c 4d 42 31 00 00 00 00 00 00 00 00 00"
		    " 00 00 00 0a 00 03 10 05 00 0f 01 55 aa 00", 33, 0, 86, 50 },
	{ "08_nbt_corner_cases.pcap", 1, 0x12, 0x02, 0x8201, IP_10,
	  "MYHOST<00>", "*<00><00><00><00><00><00><00><00><00><00><00><00>"
			"<00><00><00>", 166, 0, STYLE_BRWS, 0, "\\MAILSLOT\\TEST",
	  DATA_TEXT, "broadcast to *", 14, 0, 84, 29 },
	{ "08_nbt_corner_cases.pcap", 2, 0x10, 0x02, 0x8202, IP_10,
	  "MYHOST<00>.corp.example", "TARGET<00>.corp.example", 184, 0,
	  STYLE_BRWS, 0, "\\MAILSLOT\\TEST", DATA_TEXT, "scoped", 6, 0, 84, 21 },
	{ "08_nbt_corner_cases.pcap", 3, 0x13, 0x00, 0x8002, IP_20,
	  NULL, NULL, 0, 0x82, STYLE_NONE },
	{ "09_padding_variants.pcap", 1, 0x10, 0x02, 0x8300, IP_10,
	  "MYHOST<00>", "TARGET<00>", 157, 0, STYLE_BRWS, 0, "\\MAILSLOT\\ABCDE",
	  DATA_TEXT, "PING", 4, 0, 85, 20 },
	{ "09_padding_variants.pcap", 2, 0x10, 0x02, 0x8301, IP_10,
	  "MYHOST<00>", "TARGET<00>", 160, 0, STYLE_MAIL, 0, "\\MAILSLOT\\ABCDE",
	  DATA_TEXT, "PING", 4, 0, 88, 23 },
	{ "09_padding_variants.pcap", 3, 0x10, 0x02, 0x8302, IP_10,
	  "MYHOST<00>", "TARGET<00>", 160, 0, STYLE_MAIL, 0x42,
	  "\\MAILSLOT\\ABCDE", DATA_TEXT, "PING", 4, 0, 88, 23 },
	{ "09_padding_variants.pcap", 4, 0x10, 0x02, 0x8303, IP_10,
	  "MYHOST<00>", "TARGET<00>", 160, 0, STYLE_FFFF, 0, "\\MAILSLOT\\ABCDE",
	  DATA_TEXT, "PING", 4, 0, 88, 23 },
	{ "10_size_limit.pcap", 1, 0x11, 0x02, 0x8400, IP_10,
	  "MYHOST<00>", WG "<00>", 580, 0, STYLE_MAIL, 0, "\\MAILSLOT\\ABCDE",
	  DATA_FILL, NULL, 424, 'Z', 88, 443 },
	{ "10_size_limit.pcap", 2, 0x11, 0x02, 0x8401, IP_10,
	  "MYHOST<00>", WG "<00>", 581, 0, STYLE_MAIL, 0, "\\MAILSLOT\\ABCDE",
	  DATA_FILL, NULL, 425, 'Z', 88, 444 },
};

static uint8_t *golden_data(TALLOC_CTX *mem_ctx, const struct golden *g)
{
	uint8_t *d = talloc_zero_array(mem_ctx, uint8_t, g->data_len + 1);
	size_t len = 0;

	assert_non_null(d);
	switch (g->kind) {
	case DATA_HEX:
		talloc_free(d);
		d = torture_hex_decode(mem_ctx, g->data, &len);
		assert_non_null(d);
		assert_int_equal(len, g->data_len);
		break;
	case DATA_TEXT:
		memcpy(d, g->data, g->data_len);
		break;
	case DATA_FILL:
		memset(d, g->fill, g->data_len);
		break;
	case DATA_SEQ:
		for (size_t i = 0; i < g->data_len; i++)
			d[i] = (uint8_t)i;
		break;
	case DATA_ALPHA:
		for (size_t i = 0; i < g->data_len; i++)
			d[i] = (uint8_t)('A' + i % 26);
		break;
	}
	return d;
}

/* The SMB write a golden frame describes. */
static void golden_smb(const struct golden *g, const uint8_t *data,
		       struct smb_mailslot_write *w)
{
	smb_mailslot_write_init(w, g->style == STYLE_BRWS
					   ? SMB_MAILSLOT_LAYOUT_BROWSE
					   : SMB_MAILSLOT_LAYOUT_MAIL);
	if (g->style == STYLE_BRWS)
		w->param_offset_is_data_offset = true;
	if (g->style == STYLE_FFFF) {
		w->flags = 0;
		w->flags2 = 0;
		w->pid = 0;
		w->tid = 0xffff;
		w->uid = 0xffff;
	}
	w->pad_byte = g->pad_byte;
	w->name = g->slot;
	w->name_len = strlen(g->slot);
	w->data = data;
	w->data_len = g->data_len;
}

/* Encode the frame from the golden values alone. */
static uint8_t *golden_encode(TALLOC_CTX *mem_ctx, const struct golden *g,
			      size_t *len)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	uint8_t *smb = NULL, *out;
	size_t smb_len = 0;

	nbt_dgram_init(&d, g->type, 0, g->id, g->src_ip, 138);
	d.flags = g->flags;
	if (g->type == NBT_DGRAM_ERROR) {
		d.error_code = g->error_code;
	} else {
		uint8_t *data = golden_data(mem_ctx, g);
		assert_int_equal(nbt_name_parse(&d.source, g->src), CODEC_OK);
		assert_int_equal(nbt_name_parse(&d.dest, g->dst), CODEC_OK);
		golden_smb(g, data, &w);
		smb_len = smb_mailslot_encoded_len(&w);
		smb = talloc_size(mem_ctx, smb_len);
		assert_int_equal(smb_mailslot_encode(&w, smb, smb_len, NULL),
				 CODEC_OK);
		d.user_data = smb;
		d.user_data_len = smb_len;
		if (g->fragment) {
			d.packet_offset = g->frag_off;
			d.user_data = smb + g->frag_off;
			d.user_data_len = g->frag_len;
			assert_true(g->frag_off + g->frag_len <= smb_len);
		}
	}
	*len = nbt_dgram_encoded_len(&d);
	out = talloc_size(mem_ctx, *len);
	assert_int_equal(nbt_dgram_encode(&d, out, *len, NULL), CODEC_OK);
	return out;
}

static void name_assert(const struct nbt_name *n, const char *want)
{
	char text[NBT_NAME_TEXT_MAX];
	nbt_name_format(n, text, sizeof(text));
	assert_string_equal(text, want);
}

/* Decode a frame and check every value the README lists. */
static void golden_check_decode(TALLOC_CTX *mem_ctx, const struct golden *g,
				const uint8_t *buf, size_t len)
{
	struct smb_mailslot_write w, want;
	struct nbt_dgram d;
	uint8_t *data;

	assert_int_equal(nbt_dgram_decode(buf, len, &d), CODEC_OK);
	assert_int_equal(d.type, g->type);
	assert_int_equal(d.flags, g->flags);
	assert_int_equal(d.id, g->id);
	assert_int_equal(d.src_ip, g->src_ip);
	assert_int_equal(d.src_port, 138);
	if (g->type == NBT_DGRAM_ERROR) {
		assert_int_equal(d.error_code, g->error_code);
		return;
	}
	assert_int_equal(d.dgm_length, g->dgm_len);
	assert_int_equal(d.dgm_length, nbt_dgram_computed_length(&d));
	assert_int_equal(d.packet_offset, g->fragment ? g->frag_off : 0);
	name_assert(&d.source, g->src);
	name_assert(&d.dest, g->dst);
	if (g->fragment)
		return; /* the SMB is checked on the reassembled form */

	assert_int_equal(smb_mailslot_decode(d.user_data, d.user_data_len, &w),
			 CODEC_OK);
	data = golden_data(mem_ctx, g);
	golden_smb(g, data, &want);
	assert_int_equal(w.flags, want.flags);
	assert_int_equal(w.flags2, want.flags2);
	assert_int_equal(w.pid, want.pid);
	assert_int_equal(w.tid, want.tid);
	assert_int_equal(w.uid, want.uid);
	assert_int_equal(w.max_param_count, want.max_param_count);
	assert_int_equal(w.trans_flags, want.trans_flags);
	assert_int_equal(w.timeout_ms, want.timeout_ms);
	assert_int_equal(w.priority, 0);
	assert_int_equal(w.mailslot_class, 2);
	assert_int_equal(w.wire.total_data_count, g->data_len);
	assert_int_equal(w.wire.data_count, g->data_len);
	assert_int_equal(w.wire.data_offset, g->data_offset);
	assert_int_equal(w.wire.param_offset, g->data_offset);
	assert_int_equal(w.wire.byte_count, g->bcc);
	assert_int_equal(w.name_len, strlen(g->slot));
	assert_memory_equal(w.name, g->slot, w.name_len);
	assert_int_equal(w.data_len, g->data_len);
	assert_memory_equal(w.data, data, g->data_len);
	/* zero-copy: the views point into the frame */
	assert_ptr_equal(d.user_data, buf + NBT_DGRAM_HEADER_LEN +
			 nbt_name_encoded_len(&d.source) +
			 nbt_name_encoded_len(&d.dest));
	assert_ptr_equal(w.data, d.user_data + g->data_offset);
}

static void test_golden_file(void **state)
{
	const char *file = *state;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = torture_shared_vectors(mem_ctx);
	struct pcap_udp_packet *pkts;
	size_t count, checked = 0;

	if (dir == NULL) {
		print_message("SKIPPED: ../shared/vectors not present "
			      "(set MAILSLOT_SHARED_DIR)\n");
		talloc_free(mem_ctx);
		skip();
	}
	pkts = torture_pcap_load(mem_ctx,
				 talloc_asprintf(mem_ctx, "%s/%s", dir, file),
				 &count);
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];
		uint8_t *enc;
		size_t len;

		if (strcmp(g->file, file) != 0)
			continue;
		assert_true((size_t)g->frame <= count);
		golden_check_decode(mem_ctx, g, pkts[g->frame - 1].data,
				    pkts[g->frame - 1].len);
		enc = golden_encode(mem_ctx, g, &len);
		assert_int_equal(len, pkts[g->frame - 1].len);
		assert_memory_equal(enc, pkts[g->frame - 1].data, len);
		checked++;
	}
	assert_int_equal(checked, count);
	print_message("%s: %zu frames decoded and re-encoded byte for byte\n",
		      file, checked);
	talloc_free(mem_ctx);
}

/* vectors/03: our reassembler turns the two fragments into 03b. */
static void test_golden_reassembly(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = torture_shared_vectors(mem_ctx);
	struct pcap_udp_packet *frags, *whole;
	struct nbt_reasm *r;
	struct nbt_dgram f, *done = NULL;
	size_t nf, nw, len;
	uint8_t *enc;

	if (dir == NULL) {
		print_message("SKIPPED: ../shared/vectors not present\n");
		talloc_free(mem_ctx);
		skip();
	}
	frags = torture_pcap_load(mem_ctx, talloc_asprintf(mem_ctx,
			"%s/03_two_fragment_datagram.pcap", dir), &nf);
	whole = torture_pcap_load(mem_ctx, talloc_asprintf(mem_ctx,
			"%s/03b_two_fragment_reassembled.pcap", dir), &nw);
	assert_int_equal(nf, 2);
	assert_int_equal(nw, 1);
	r = nbt_reasm_create(mem_ctx, NULL);
	/* second fragment first: out of order */
	for (size_t i = 2; i-- > 0;) {
		assert_int_equal(nbt_dgram_decode(frags[i].data, frags[i].len,
						  &f), CODEC_OK);
		assert_int_equal(nbt_reasm_add(r, &f, 1000, mem_ctx, &done),
				 CODEC_OK);
		assert_true(i == 0 ? done != NULL : done == NULL);
	}
	len = nbt_dgram_encoded_len(done);
	enc = talloc_size(mem_ctx, len);
	assert_int_equal(nbt_dgram_encode(done, enc, len, NULL), CODEC_OK);
	assert_int_equal(len, whole[0].len);
	assert_memory_equal(enc, whole[0].data, len);
	talloc_free(mem_ctx);
}

/* vectors/90: a label pointer in a datagram name is refused. */
static void test_golden_name_pointer(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = torture_shared_vectors(mem_ctx);
	struct pcap_udp_packet *p;
	struct nbt_dgram d;
	size_t n;

	if (dir == NULL) {
		print_message("SKIPPED: ../shared/vectors not present\n");
		talloc_free(mem_ctx);
		skip();
	}
	p = torture_pcap_load(mem_ctx, talloc_asprintf(mem_ctx,
			"%s/90_experiment_name_pointer.pcap", dir), &n);
	assert_int_equal(n, 1);
	assert_int_equal(nbt_dgram_decode(p[0].data, p[0].len, &d),
			 CODEC_ERR_NAME_POINTER);
	talloc_free(mem_ctx);
}

/*
 * The project's own vectors: the demo's datagrams, kept as pcaps.  The
 * codecs must still make exactly these bytes, and decode -> encode must
 * give them back.
 */
static void test_project_vectors(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct pcap_udp_packet *main_pkts, *frag_pkts;
	struct demo_frame *frames;
	size_t nmain, nfrag, n, im = 0, ifr = 0;

	main_pkts = torture_pcap_load(mem_ctx, torture_source_path(mem_ctx,
			"torture/vectors/demo.pcap"), &nmain);
	frag_pkts = torture_pcap_load(mem_ctx, torture_source_path(mem_ctx,
			"torture/vectors/demo-fragments.pcap"), &nfrag);
	n = demo_frames_build(mem_ctx, &frames);
	assert_int_equal(n, nmain + nfrag);
	assert_true(nmain >= 13);
	for (size_t i = 0; i < n; i++) {
		const struct pcap_udp_packet *p = frames[i].fragment
			? &frag_pkts[ifr++] : &main_pkts[im++];
		struct nbt_dgram d;
		uint8_t *enc;
		size_t len;

		assert_int_equal(frames[i].len, p->len);
		assert_memory_equal(frames[i].data, p->data, p->len);
		assert_int_equal(nbt_dgram_decode(p->data, p->len, &d),
				 CODEC_OK);
		len = nbt_dgram_encoded_len(&d);
		enc = talloc_size(mem_ctx, len);
		assert_int_equal(nbt_dgram_encode(&d, enc, len, NULL),
				 CODEC_OK);
		assert_int_equal(len, p->len);
		assert_memory_equal(enc, p->data, len);
		if (nbt_dgram_type_is_data(d.type) && !frames[i].fragment) {
			struct smb_mailslot_write w;
			uint8_t *smb;
			assert_int_equal(smb_mailslot_decode(d.user_data,
					 d.user_data_len, &w), CODEC_OK);
			smb = talloc_size(mem_ctx, d.user_data_len);
			assert_int_equal(smb_mailslot_encode(&w, smb,
					 d.user_data_len, &len), CODEC_OK);
			assert_int_equal(len, d.user_data_len);
			assert_memory_equal(smb, d.user_data, len);
		}
	}
	print_message("project vectors: %zu datagrams identical\n", n);
	talloc_free(mem_ctx);
}

int main(void)
{
	const char *const *files = torture_shared_vector_files;
	struct CMUnitTest tests[32];
	size_t n = 0;

	for (size_t i = 0; files[i] != NULL && n + 3 < 32; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
			test_golden_file, (void *)files[i]);
		tests[n++].name = files[i];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden_reassembly);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_golden_name_pointer);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_project_vectors);
	return _cmocka_run_group_tests("vectors", tests, n, NULL, NULL);
}
