/*
 * The browser codec against the outside world: every \MAILSLOT\BROWSE and
 * \MAILSLOT\LANMAN datagram in ../shared/captures, and tshark's reading
 * of a generated set of messages (every browser.* field it shows).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot_dgram.h"
#include "tools/browser_fields.h"
#include "tools/tshark_fields.h"
#include "test_browser.h"
#include "torture_util.h"

#define MAX_FILES 1000

static const char *shared_captures(TALLOC_CTX *mem_ctx)
{
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	DIR *d;
	char *dir = talloc_asprintf(mem_ctx, "%s/captures",
				    shared ? shared : "../shared");

	d = dir ? opendir(dir) : NULL;
	if (d == NULL)
		return NULL;
	closedir(d);
	return dir;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_browser_slot(const struct smb_mailslot_write *w)
{
	return smb_mailslot_name_equal(w->name, w->name_len,
				       "\\MAILSLOT\\BROWSE", 16) ||
	       smb_mailslot_name_equal(w->name, w->name_len,
				       "\\MAILSLOT\\LANMAN", 16);
}

struct capture_stats {
	size_t files, skipped_files, skipped_frames, frames, lanman;
	size_t failures, quirks[8];
};

static void capture_frame(const char *file, size_t idx,
			  const struct pcap_udp_packet *p,
			  struct capture_stats *st)
{
	struct nbt_dgram d;
	struct smb_mailslot_write w;
	struct browser_msg m;
	enum codec_error err;
	char sum[1024];

	if (p->ep.src_port != 138 && p->ep.dst_port != 138)
		return;
	if (nbt_dgram_decode(p->data, p->len, &d) != CODEC_OK ||
	    !nbt_dgram_type_is_data(d.type) || nbt_dgram_is_fragment(&d) ||
	    smb_mailslot_decode(d.user_data, d.user_data_len, &w) !=
	    CODEC_OK || !is_browser_slot(&w))
		return;
	err = browser_decode(w.data, w.data_len,
			     browser_layout_for_slot(w.name, w.name_len), &m);
	st->frames++;
	if (err != CODEC_OK) {
		print_message("FAIL %s frame %zu: %s (%zu bytes, "
			      "opcode 0x%02x)\n", file, idx,
			      codec_error_name(err), w.data_len,
			      w.data_len ? w.data[0] : 0);
		st->failures++;
		return;
	}
	st->lanman += m.layout == BROWSER_LAYOUT_LANMAN;
	for (size_t b = 0; b < 8; b++) {
		if (m.quirks & (1u << b))
			st->quirks[b]++;
	}
	/* every decoded message must also print */
	assert_true(browser_summary(&m, sum, sizeof(sum)) > 0);
}

static void capture_file(TALLOC_CTX *mem_ctx, const char *dir,
			 const char *name, struct capture_stats *st)
{
	char err[PCAP_ERRBUF_SIZE];
	const char *path = talloc_asprintf(mem_ctx, "%s/%s", dir, name);
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t frames = 0;
	int dl;

	if (p == NULL) {
		print_message("skipped %s: libpcap cannot read it (%s)\n",
			      name, err);
		st->skipped_files++;
		return;
	}
	dl = pcap_datalink(p);
	while (pcap_next_ex(p, &h, &data) == 1)
		frames++;
	pcap_close(p);
	if (dl != DLT_EN10MB) {
		print_message("skipped %s: link type %s, %zu frames\n", name,
			      pcap_datalink_val_to_name(dl), frames);
		st->skipped_files++;
		st->skipped_frames += frames;
		return;
	}
	/* read here, not with pcap_file_read_udp: a damaged file still
	 * gives the frames before the damage */
	p = pcap_open_offline(path, err);
	assert_non_null(p);
	st->files++;
	for (size_t i = 0; pcap_next_ex(p, &h, &data) == 1; i++) {
		struct pcap_udp_packet pk;
		const uint8_t *pl;

		if (!pcap_frame_udp_payload(data, h->caplen, &pk.ep, &pl,
					    &pk.len))
			continue;
		pk.data = (uint8_t *)pl;
		capture_frame(name, i + 1, &pk, st);
	}
	pcap_close(p);
}

/* Capture files under dir and (one level) its subdirectories. */
static void list_dir(TALLOC_CTX *mem_ctx, const char *dir, const char *prefix,
		     char **files, size_t *nfiles, bool recurse)
{
	const char *path = talloc_asprintf(mem_ctx, "%s/%s", dir, prefix);
	DIR *d = opendir(path);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && *nfiles < MAX_FILES) {
		size_t l = strlen(e->d_name);
		char *rel = talloc_asprintf(mem_ctx, "%s%s", prefix,
					    e->d_name);
		struct stat st;

		if (e->d_name[0] == '.' ||
		    (l > 3 && strcmp(e->d_name + l - 3, ".md") == 0) ||
		    (l > 5 && strcmp(e->d_name + l - 5, ".conf") == 0) ||
		    stat(talloc_asprintf(mem_ctx, "%s/%s", dir, rel),
			 &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (recurse)
				list_dir(mem_ctx, dir,
					 talloc_asprintf(mem_ctx, "%s/", rel),
					 files, nfiles, false);
			continue;
		}
		files[(*nfiles)++] = rel;
	}
	closedir(d);
}

void test_browser_captures(void **state)
{
	static const char *const quirk_names[] = {
		"unterminated", "nmbd_request", "name_field_full",
		"bad_signature", "trailing", "non_ascii", "long_comment", "?",
	};
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = shared_captures(mem_ctx);
	struct capture_stats st = { 0 };
	char *files[MAX_FILES];
	size_t nfiles = 0;

	if (dir == NULL) {
		print_message("SKIPPED: ../shared/captures not present "
			      "(MAILSLOT_SHARED_DIR)\n");
		talloc_free(mem_ctx);
		skip();
	}
	list_dir(mem_ctx, dir, "", files, &nfiles, true);
	qsort(files, nfiles, sizeof(files[0]), cmp_str);
	for (size_t i = 0; i < nfiles; i++)
		capture_file(mem_ctx, dir, files[i], &st);

	print_message("captures: %zu files read, %zu browser datagrams "
		      "decoded (%zu LANMAN layout), %zu failed; %zu files "
		      "(%zu frames) skipped\n", st.files, st.frames - st.failures,
		      st.lanman, st.failures, st.skipped_files,
		      st.skipped_frames);
	for (size_t b = 0; b < 7; b++)
		print_message("  quirk %-16s %zu\n", quirk_names[b],
			      st.quirks[b]);
	assert_int_equal(st.failures, 0);
	assert_true(st.frames > 1000);
	talloc_free(mem_ctx);
}

/* ---- tshark ---- */

/* Our fields, every occurrence of a field joined by '|' as tshark's. */
struct joined {
	TALLOC_CTX *mem_ctx;
	const char *const *names;
	size_t n;
	char **values;		/* NULL: not emitted */
};

static void joined_add(void *priv, const char *field, const char *value)
{
	struct joined *j = priv;

	for (size_t i = 0; i < j->n; i++) {
		if (strcmp(j->names[i], field) != 0)
			continue;
		j->values[i] = j->values[i] == NULL
			? talloc_strdup(j->mem_ctx, value)
			: talloc_asprintf_append(j->values[i], "|%s", value);
		return;
	}
	fail_msg("emitted %s, which is not in browser_field_names", field);
}

static void write_frame(struct pcap_frame_writer *pw, TALLOC_CTX *mem_ctx,
			size_t i, const uint8_t *payload, size_t len,
			enum browser_layout layout)
{
	const char *slot = layout == BROWSER_LAYOUT_LANMAN ?
		"\\MAILSLOT\\LANMAN" : "\\MAILSLOT\\BROWSE";
	struct udp_endpoints ep = { 0xc0a8010a, 0xc0a801ff, 138, 138 };
	struct timeval ts = { .tv_sec = 1700000000, .tv_usec = (long)i };
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	size_t dlen;
	uint8_t *dg;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	w.name = slot;
	w.name_len = strlen(slot);
	w.data = payload;
	w.data_len = len;
	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_GROUP, NBT_NODE_B,
		       (uint16_t)(0x8000 + i), ep.src_ip, 138);
	assert_int_equal(nbt_name_make(&d.source, "MYHOST", 0, NULL),
			 CODEC_OK);
	assert_int_equal(nbt_name_make(&d.dest, "WORKGROUP", 0x1d, NULL),
			 CODEC_OK);
	dlen = smb_mailslot_dgram_encoded_len(&d, &w);
	dg = talloc_size(mem_ctx, dlen);
	assert_int_equal(smb_mailslot_dgram_encode(&d, &w, dg, dlen, NULL),
			 CODEC_OK);
	assert_int_equal(pcap_frame_write_udp(pw, &ep, dg, dlen, &ts), 0);
}

/* Real senders' forms tshark also reads cleanly. */
static const char *const quirk_hex[] = {
	"02 07 00 4e4d4244",	/* nmbd's AnnouncementRequest */
	"0c 00 60ea0000 574f524b47524f5550 00000000000000 030a 00100080"
	"cc cc cccc 4c4d423100",	/* Windows' junk version bytes */
};

void test_browser_tshark(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *fields[64];
	size_t nfields = 0, n, nq = 2, nlines, compared = 0;
	struct browser_sample *s;
	struct pcap_frame_writer *pw;
	char err[PCAP_ERRBUF_SIZE];
	const char *pcap, *terr = NULL;
	struct tshark_frame *t;
	/* GetBackupListResponse repeats browser.backup.server */
	const struct tshark_fields_options topts = { .all_occurrences = true };
	struct browser_msg *msgs;

	if (tshark_find() == NULL) {
		print_message("SKIPPED: tshark not installed "
			      "(apt-get install tshark)\n");
		talloc_free(mem_ctx);
		skip();
	}
	s = browser_samples(mem_ctx, &n);
	msgs = talloc_array(mem_ctx, struct browser_msg, n + nq);
	assert_non_null(msgs);
	pcap = talloc_asprintf(mem_ctx, "%s/browser.pcap",
			       torture_tmpdir(mem_ctx));
	pw = pcap_frame_writer_open(mem_ctx, pcap, err);
	if (pw == NULL)
		fail_msg("%s", err);
	for (size_t i = 0; i < n + nq; i++) {
		const uint8_t *b = i < n ? s[i].bytes : NULL;
		size_t len = i < n ? s[i].len : 0;
		enum browser_layout layout = i < n ? s[i].msg.layout
						   : BROWSER_LAYOUT_BROWSE;

		if (i >= n)
			b = torture_hex_decode(mem_ctx, quirk_hex[i - n], &len);
		assert_int_equal(browser_decode(b, len, layout, &msgs[i]),
				 CODEC_OK);
		write_frame(pw, mem_ctx, i, b, len, layout);
	}
	talloc_free(pw);

	for (; browser_field_names[nfields] != NULL; nfields++)
		fields[nfields] = browser_field_names[nfields];
	if (tshark_fields_read(mem_ctx, NULL, pcap, fields, nfields, &topts,
			       &t, &nlines, &terr) != 0)
		fail_msg("%s", terr);
	assert_int_equal(nlines, n + nq);
	for (size_t i = 0; i < nlines; i++) {
		struct joined j = { mem_ctx, fields, nfields, NULL };

		if (t[i].malformed[0] != '\0' || t[i].expert[0] != '\0')
			fail_msg("frame %zu: tshark says '%s' '%s'", i + 1,
				 t[i].malformed, t[i].expert);
		j.values = talloc_zero_array(mem_ctx, char *, nfields);
		browser_fields_emit(&msgs[i], joined_add, &j);
		for (size_t f = 0; f < nfields; f++) {
			const char *ours = j.values[f] ? j.values[f] : "";

			if (strcmp(ours, t[i].values[f]) != 0)
				fail_msg("frame %zu %s: ours '%s', tshark "
					 "'%s'", i + 1, fields[f], ours,
					 t[i].values[f]);
			compared += ours[0] != '\0';
		}
	}
	print_message("tshark agrees: %zu browser frames, %zu non-empty "
		      "fields equal, every browser.* column compared, no "
		      "Malformed, no expert items\n", nlines, compared);
	talloc_free(mem_ctx);
}
