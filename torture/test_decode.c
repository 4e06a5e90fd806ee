/*
 * mailslot decode end to end: generated captures of every link type we
 * support (pcap_open_dead + pcap_dump), snaplen-truncated frames,
 * ICMP-quoted datagrams, IPv4 and NBT fragments, a file cut mid-record,
 * formats libpcap cannot read, filters, -w and JSON that parses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "nbt/byteorder.h"
#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot.h"
#include "torture_util.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#define MAX_FRAME 4096
#define SRC_IP 0xc0a8010a
#define DST_IP 0xc0a801ff

static TALLOC_CTX *ctx;
static const char *dir, *mailslot;

struct frame {
	uint8_t b[MAX_FRAME];
	size_t len, caplen;
};

/* An NBT datagram carrying a mailslot write of payload to slot. */
static size_t make_dgram(uint8_t *out, size_t outlen, const char *src,
			 const char *slot, const uint8_t *payload,
			 size_t plen)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	uint8_t smb[1024];
	size_t smb_len, used;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	w.name = slot;
	w.name_len = strlen(slot);
	w.data = payload;
	w.data_len = plen;
	assert_int_equal(smb_mailslot_encode(&w, smb, sizeof(smb), &smb_len),
			 CODEC_OK);
	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_GROUP, NBT_NODE_B, 0x1234, SRC_IP,
		       138);
	assert_int_equal(nbt_name_make(&d.source, src, 0x00, NULL), CODEC_OK);
	assert_int_equal(nbt_name_make(&d.dest, "WORKGROUP", 0x1d, NULL),
			 CODEC_OK);
	d.user_data = smb;
	d.user_data_len = smb_len;
	assert_int_equal(nbt_dgram_encode(&d, out, outlen, &used), CODEC_OK);
	return used;
}

/* IPv4 header (+ UDP header when udp) at p; returns bytes written. */
static size_t make_ip(uint8_t *p, uint8_t proto, size_t payload_len,
		      uint16_t id, uint16_t frag)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put_be16(p + 2, (uint16_t)(20 + payload_len));
	put_be16(p + 4, id);
	put_be16(p + 6, frag);
	p[8] = 128;
	p[9] = proto;
	put_be32(p + 12, SRC_IP);
	put_be32(p + 16, DST_IP);
	return 20;
}

static size_t make_udp(uint8_t *p, const uint8_t *payload, size_t len)
{
	put_be16(p, 138);
	put_be16(p + 2, 138);
	put_be16(p + 4, (uint16_t)(8 + len));
	put_be16(p + 6, 0);
	memcpy(p + 8, payload, len);
	return 8 + len;
}

/* The link header for dlt; returns its length. */
static size_t make_link(int dlt, uint8_t *p)
{
	static const uint8_t snap[] = { 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0 };

	switch (dlt) {
	case DLT_EN10MB:
		memset(p, 0xff, 6);
		memset(p + 6, 0x02, 6);
		put_be16(p + 12, 0x0800);
		return 14;
	case DLT_LINUX_SLL:
		memset(p, 0, 16);
		put_be16(p + 14, 0x0800);
		return 16;
	case DLT_LINUX_SLL2:
		memset(p, 0, 20);
		put_be16(p, 0x0800);
		return 20;
	case DLT_RAW:
		return 0;
	case DLT_NULL:
		put_le32(p, 2);		/* AF_INET, little-endian writer */
		return 4;
	case DLT_LOOP:
		put_be32(p, 2);
		return 4;
	case DLT_IEEE802:
		p[0] = 0x10;
		p[1] = 0x40;
		memset(p + 2, 0xff, 6);
		memset(p + 8, 0x82, 6);	/* source route bit: a RIF follows */
		p[14] = 0x02;		/* RIF: 2 bytes */
		p[15] = 0x00;
		memcpy(p + 16, snap, sizeof(snap));
		return 16 + sizeof(snap);
	}
	fail_msg("no link header for DLT %d", dlt);
	return 0;
}

/* A whole frame for dlt carrying an NBT datagram from src to slot. */
static void make_frame(struct frame *f, int dlt, const char *src,
		       const char *slot, const uint8_t *pl, size_t plen)
{
	uint8_t dg[1500];
	size_t dlen = make_dgram(dg, sizeof(dg), src, slot, pl, plen);
	size_t o = make_link(dlt, f->b);

	o += make_ip(f->b + o, 17, 8 + dlen, 1, 0);
	o += make_udp(f->b + o, dg, dlen);
	f->len = f->caplen = o;
}

static const char *write_file(const char *name, int dlt,
			      const struct frame *frames, size_t n)
{
	const char *path = talloc_asprintf(ctx, "%s/%s", dir, name);
	pcap_t *p = pcap_open_dead(dlt, 65535);
	pcap_dumper_t *d = pcap_dump_open(p, path);

	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		/* 1 ms apart: within the 2 s NBT reassembly window */
		struct pcap_pkthdr h = { .ts = { 1700000000, (long)i * 1000 } };
		h.caplen = (bpf_u_int32)frames[i].caplen;
		h.len = (bpf_u_int32)frames[i].len;
		pcap_dump((u_char *)d, &h, frames[i].b);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return path;
}

/* Run `mailslot decode ARGS`; stdout and stderr into talloc strings. */
static int run(const char *args, char **out, char **err)
{
	const char *ef = talloc_asprintf(ctx, "%s/stderr", dir);
	const char *cmd = talloc_asprintf(ctx, "'%s' decode --no-progress %s "
					  "2>'%s'", mailslot, args, ef);
	FILE *p = popen(cmd, "r");
	char buf[4096];
	size_t n;
	int st;

	assert_non_null(p);
	*out = talloc_strdup(ctx, "");
	while ((n = fread(buf, 1, sizeof(buf) - 1, p)) > 0) {
		buf[n] = '\0';
		*out = talloc_strdup_append(*out, buf);
	}
	st = pclose(p);
	*err = talloc_strdup(ctx, "");
	p = fopen(ef, "r");
	while (p != NULL && (n = fread(buf, 1, sizeof(buf) - 1, p)) > 0) {
		buf[n] = '\0';
		*err = talloc_strdup_append(*err, buf);
	}
	if (p != NULL)
		fclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_link_types(void **state)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
				    DLT_RAW, DLT_NULL, DLT_LOOP, DLT_IEEE802 };
	struct frame f;
	char *out, *err;

	(void)state;
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++) {
		const char *path;
		make_frame(&f, dlts[i], "LINKHOST", "\\MAILSLOT\\TEST",
			   (const uint8_t *)"hello", 5);
		path = write_file(talloc_asprintf(ctx, "dlt%d.pcap", dlts[i]),
				  dlts[i], &f, 1);
		assert_int_equal(run(talloc_asprintf(ctx, "--json '%s'", path),
				     &out, &err), 0);
		if (lines(out) != 1 || !strstr(out, "\"LINKHOST<00>\"") ||
		    !strstr(out, "\"decode.status\":\"ok\"") ||
		    !strstr(out, "\"data.data\":\"68:65:6c:6c:6f\""))
			fail_msg("DLT %d: %s %s", dlts[i], out, err);
	}
}

/* 802.1Q, and a frame cut by the snapshot length. */
static void test_vlan_and_truncated(void **state)
{
	struct frame f[2];
	char *out, *err;
	const char *path;

	(void)state;
	make_frame(&f[0], DLT_EN10MB, "VLANHOST", "\\MAILSLOT\\TEST",
		   (const uint8_t *)"x", 1);
	memmove(f[0].b + 16, f[0].b + 12, f[0].len - 12);
	put_be16(f[0].b + 12, 0x8100);
	put_be16(f[0].b + 14, 42);
	f[0].len = f[0].caplen = f[0].len + 4;
	make_frame(&f[1], DLT_EN10MB, "CUTHOST", "\\MAILSLOT\\TEST",
		   (const uint8_t *)"payload", 7);
	f[1].caplen = 14 + 20 + 8 + 60;	/* inside the SMB */
	path = write_file("vlan_cut.pcap", DLT_EN10MB, f, 2);
	assert_int_equal(run(talloc_asprintf(ctx, "--json '%s'", path), &out,
			     &err), 0);
	assert_int_equal(lines(out), 2);
	assert_non_null(strstr(out, "\"VLANHOST<00>\""));
	assert_non_null(strstr(out, "\"CUTHOST<00>\""));
	assert_non_null(strstr(out, "\"decode.status\":\"truncated\""));
	assert_null(strstr(out, "malformed"));
}

static void test_icmp_quoted(void **state)
{
	struct frame f;
	uint8_t dg[1500], *p;
	size_t dlen = make_dgram(dg, sizeof(dg), "QUOTED", "\\MAILSLOT\\TEST",
				 (const uint8_t *)"abc", 3);
	size_t o = make_link(DLT_EN10MB, f.b), quote = 20 + 8 + 40;
	char *out, *err;

	(void)state;
	o += make_ip(f.b + o, 1, 8 + quote, 7, 0);
	p = f.b + o;
	memset(p, 0, 8);
	p[0] = 3;			/* destination unreachable */
	p[1] = 3;			/* port unreachable */
	make_ip(p + 8, 17, 8 + dlen, 1, 0);
	make_udp(p + 28, dg, dlen);	/* quoted: only 40 payload bytes */
	f.len = f.caplen = o + 8 + quote;
	assert_int_equal(run(talloc_asprintf(ctx, "--json '%s'",
			     write_file("icmp.pcap", DLT_EN10MB, &f, 1)),
			     &out, &err), 0);
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "\"decode.icmp_quoted\":true"));
	assert_non_null(strstr(out, "\"decode.status\":\"truncated\""));
	assert_non_null(strstr(out, "\"icmp.type\":\"3\""));
}

/* A datagram in three IPv4 fragments, last one first. */
static void test_ip_fragments(void **state)
{
	struct frame f[3];
	uint8_t dg[1500], udp[1600];
	size_t dlen = make_dgram(dg, sizeof(dg), "IPFRAG", "\\MAILSLOT\\TEST",
				 (const uint8_t *)"0123456789abcdef", 16);
	size_t ulen = make_udp(udp, dg, dlen), cut[4] = { 0, 64, 128, ulen };
	char *out, *err;

	(void)state;
	for (int k = 0; k < 3; k++) {
		struct frame *fr = &f[2 - k];
		size_t o = make_link(DLT_EN10MB, fr->b), n = cut[k + 1] - cut[k];
		uint16_t frag = (uint16_t)(cut[k] / 8) | (k < 2 ? 0x2000 : 0);
		o += make_ip(fr->b + o, 17, n, 99, frag);
		memcpy(fr->b + o, udp + cut[k], n);
		fr->len = fr->caplen = o + n;
	}
	assert_int_equal(run(talloc_asprintf(ctx, "--json '%s'",
			     write_file("ipfrag.pcap", DLT_EN10MB, f, 3)),
			     &out, &err), 0);
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "\"decode.ip_fragments\":3"));
	assert_non_null(strstr(out, "\"frame.number\":\"3\""));
	assert_non_null(strstr(out, "\"data.data\":\"30:31:32:33"));
}

/* An NBT datagram split in fragments comes out whole on the last one. */
static void test_nbt_fragments(void **state)
{
	struct frame f[8];
	struct nbt_packet *pkts;
	struct nbt_dgram d;
	uint8_t data[600];
	size_t count;
	char *out, *err;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, 0x4242,
		       SRC_IP, 138);
	nbt_name_make(&d.source, "FRAGGER", 0, NULL);
	nbt_name_make(&d.dest, "TARGET", 0, NULL);
	{
		struct smb_mailslot_write w;
		static uint8_t smb[1024];
		size_t smb_len;
		smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
		w.name = "\\MAILSLOT\\BIG";
		w.name_len = strlen(w.name);
		w.data = data;
		w.data_len = 400;
		assert_int_equal(smb_mailslot_encode(&w, smb, sizeof(smb),
						     &smb_len), CODEC_OK);
		d.user_data = smb;
		d.user_data_len = smb_len;
	}
	assert_int_equal(nbt_dgram_fragment(ctx, &d, 250, &pkts, &count),
			 CODEC_OK);
	assert_true(count >= 2 && count <= 8);
	for (size_t k = 0; k < count; k++) {
		size_t o = make_link(DLT_EN10MB, f[k].b);
		o += make_ip(f[k].b + o, 17, 8 + pkts[k].len, (uint16_t)k, 0);
		o += make_udp(f[k].b + o, pkts[k].data, pkts[k].len);
		f[k].len = f[k].caplen = o;
	}
	assert_int_equal(run(talloc_asprintf(ctx, "--json '%s'",
			     write_file("nbtfrag.pcap", DLT_EN10MB, f, count)),
			     &out, &err), 0);
	assert_int_equal(lines(out), count);
	assert_non_null(strstr(out, "\"decode.status\":\"fragment\""));
	assert_non_null(strstr(out, "\"decode.reassembled\":true"));
	assert_non_null(strstr(out, "\"mailslot.name\":\"\\\\MAILSLOT\\\\BIG\""));
	assert_non_null(strstr(out, "\"data.len\":\"400\""));
}

/* Cut mid-record: a warning, exit 3, every frame before it reported. */
static void test_damaged_file(void **state)
{
	struct frame f[3];
	const char *path;
	char *out, *err;

	(void)state;
	for (int i = 0; i < 3; i++)
		make_frame(&f[i], DLT_EN10MB, "DAMAGED", "\\MAILSLOT\\TEST",
			   (const uint8_t *)"abc", 3);
	path = write_file("damaged.pcap", DLT_EN10MB, f, 3);
	/* keep the third record's header and half its data */
	assert_int_equal(truncate(path, 24 + 2 * (16 + (long)f[0].len) + 16 +
				  (long)f[0].len / 2), 0);
	assert_int_equal(run(talloc_asprintf(ctx, "'%s'", path), &out, &err),
			 3);
	assert_int_equal(lines(out), 2);
	assert_non_null(strstr(err, "damaged after frame 2"));
}

static void test_unreadable_formats(void **state)
{
	static const char snoop[] = "snoop\0\0\0\0\0\0\2\0\0\0\4";
	const char *path = talloc_asprintf(ctx, "%s/x.snoop", dir);
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	FILE *f = fopen(path, "wb");
	char *out, *err;

	(void)state;
	assert_non_null(f);
	fwrite(snoop, 1, sizeof(snoop) - 1, f);
	fclose(f);
	assert_int_equal(run(talloc_asprintf(ctx, "'%s'", path), &out, &err),
			 1);
	assert_non_null(strstr(err, "Sun snoop"));
	assert_non_null(strstr(err, "editcap -F pcap"));
	if (shared == NULL || access(talloc_asprintf(ctx,
			"%s/captures/wiki__dualhome.iptrace", shared), R_OK)) {
		print_message("SKIPPED (corpus part): no ../shared captures\n");
		return;
	}
	assert_int_equal(run(talloc_asprintf(ctx, "'%s/captures/"
			     "wiki__dualhome.iptrace' '%s/captures/"
			     "wiki__genbroad.snoop'", shared, shared), &out,
			     &err), 1);
	assert_non_null(strstr(err, "AIX iptrace 2.0"));
	assert_non_null(strstr(err, "Sun snoop"));
}

/* --slot, --opcode, --host; -w writes exactly what was selected. */
static void test_filters_and_write(void **state)
{
	static const uint8_t req[] = { 0x02, 0x00, 'A', 'S', 'K', 0 };
	struct frame f[3];
	const char *path, *w;
	char *out, *err, *out2;

	(void)state;
	make_frame(&f[0], DLT_EN10MB, "ALPHA", "\\MAILSLOT\\BROWSE", req,
		   sizeof(req));
	make_frame(&f[1], DLT_EN10MB, "BETA", "\\MAILSLOT\\TEST",
		   (const uint8_t *)"t", 1);
	make_frame(&f[2], DLT_EN10MB, "GAMMA", "\\MAILSLOT\\TEST",
		   (const uint8_t *)"u", 1);
	path = write_file("filters.pcap", DLT_EN10MB, f, 3);
	assert_int_equal(run(talloc_asprintf(ctx, "--slot browse '%s'", path),
			     &out, &err), 0);
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "ALPHA"));
	assert_int_equal(run(talloc_asprintf(ctx, "--opcode "
			     "AnnouncementRequest '%s'", path), &out, &err), 0);
	assert_int_equal(lines(out), 1);
	assert_int_equal(run(talloc_asprintf(ctx, "--opcode 0x03 '%s'", path),
			     &out, &err), 0);
	assert_int_equal(lines(out), 0);
	assert_int_equal(run(talloc_asprintf(ctx, "--host gamma '%s'", path),
			     &out, &err), 0);
	assert_int_equal(lines(out), 1);
	assert_non_null(strstr(out, "GAMMA"));
	assert_int_equal(run(talloc_asprintf(ctx, "--host 192.168.1.10 '%s'",
			     path), &out, &err), 0);
	assert_int_equal(lines(out), 3);

	w = talloc_asprintf(ctx, "%s/selected.pcap", dir);
	assert_int_equal(run(talloc_asprintf(ctx, "--slot TEST -w '%s' '%s'",
			     w, path), &out, &err), 0);
	assert_int_equal(run(talloc_asprintf(ctx, "'%s'", w), &out2, &err), 0);
	/* the same datagrams, renumbered from frame 1 */
	assert_int_equal(lines(out2), 2);
	assert_non_null(strstr(out2, "     1 "));
	assert_non_null(strstr(out2, "BETA<00>"));
	assert_non_null(strstr(out2, "GAMMA<00>"));
	assert_null(strstr(out2, "ALPHA"));
}

/* Every line of --json (and the corpus, when present) parses. */
/* -V shows a long value whole (a 1 KiB printf buffer once cut data.data
 * at 1023 bytes), control bytes and all as \xNN. */
static void test_tree_long_value(void **state)
{
	static const char hex[] = "0123456789abcdef";
	struct frame f[1];
	uint8_t pl[400];
	char want[sizeof(pl) * 3 + 32], *out, *err;
	size_t o;

	(void)state;
	o = (size_t)snprintf(want, sizeof(want), "    data.data: ");
	for (size_t i = 0; i < sizeof(pl); i++) {
		pl[i] = (uint8_t)(i * 7);
		want[o++] = hex[pl[i] >> 4];
		want[o++] = hex[pl[i] & 15];
		want[o++] = i + 1 < sizeof(pl) ? ':' : '\n';
	}
	want[o] = '\0';
	make_frame(&f[0], DLT_EN10MB, "PC1", "\\MAILSLOT\\APP", pl,
		   sizeof(pl));
	assert_int_equal(run(talloc_asprintf(ctx, "-V '%s'",
					     write_file("long.pcap",
							DLT_EN10MB, f, 1)),
			     &out, &err), 0);
	assert_non_null(strstr(out, want));
}

static void test_json_parses(void **state)
{
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	const char *files = talloc_asprintf(ctx, "'%s'/*.pcap", dir);
	const char *cmd;

	(void)state;
	if (shared != NULL && access(talloc_asprintf(ctx, "%s/captures",
						      shared), R_OK) == 0)
		files = talloc_asprintf(ctx, "%s '%s'/captures/*.pcap*", files,
					shared);
	cmd = talloc_asprintf(ctx, "'%s' decode --json --no-progress %s "
			      "2>/dev/null | python3 -c 'import sys, json\n"
			      "n = 0\nfor l in sys.stdin:\n json.loads(l); "
			      "n += 1\nprint(n)\nsys.exit(0 if n else 1)'",
			      mailslot, files);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_vlan_and_truncated),
		cmocka_unit_test(test_icmp_quoted),
		cmocka_unit_test(test_ip_fragments),
		cmocka_unit_test(test_nbt_fragments),
		cmocka_unit_test(test_damaged_file),
		cmocka_unit_test(test_unreadable_formats),
		cmocka_unit_test(test_filters_and_write),
		cmocka_unit_test(test_tree_long_value),
		cmocka_unit_test(test_json_parses),
	};
	const char *bd = getenv("MAILSLOT_BUILD_DIR");
	int rc;

	ctx = talloc_new(NULL);
	dir = torture_tmpdir(ctx);
	mailslot = talloc_asprintf(ctx, "%s/tools/mailslot", bd ? bd : "build");
	rc = cmocka_run_group_tests_name("decode", tests, NULL, NULL);
	talloc_free(ctx);
	return rc;
}
