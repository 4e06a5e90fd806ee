/*
 * mailslot demo: encode a datagram of every kind, write them to a pcap with
 * libpcap, and show tshark's decode of that file beside ours, field by
 * field.  Exits non-zero if any field differs.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "demo_frames.h"
#include "dgram_fields.h"
#include "nbt/nbt_frag.h"
#include "tshark_fields.h"

/* Our decode of one frame as tshark-named fields. */
static void frame_fields(const struct demo_frame *f, struct dgram_field_list *l)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	bool smb = false;

	l->n = 0;
	if (nbt_dgram_decode(f->data, f->len, &d) != CODEC_OK)
		return;
	if (nbt_dgram_type_is_data(d.type) && !f->fragment)
		smb = smb_mailslot_decode(d.user_data, d.user_data_len, &w) ==
		      CODEC_OK;
	dgram_fields_emit(&d, smb ? &w : NULL, dgram_field_list_add, l);
}

static int write_pcaps(TALLOC_CTX *mem_ctx, const struct demo_frame *frames,
		       size_t n, const char *main_path, const char *frag_path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_frame_writer *wm, *wf;

	wm = pcap_frame_writer_open(mem_ctx, main_path, err);
	wf = wm ? pcap_frame_writer_open(mem_ctx, frag_path, err) : NULL;
	if (wf == NULL) {
		fprintf(stderr, "mailslot demo: cannot write pcap: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* fixed times: the same bytes on every run */
		struct timeval ts = { .tv_sec = 1700000000 + (time_t)i };
		pcap_frame_write_udp(frames[i].fragment ? wf : wm,
				     &frames[i].ep, frames[i].data,
				     frames[i].len, &ts);
	}
	talloc_free(wm);
	talloc_free(wf);
	return 0;
}

static int tshark_load(TALLOC_CTX *mem_ctx, const char *path, bool frag,
		       struct tshark_frame **frames, size_t *n)
{
	struct tshark_fields_options topts = { .disable_smb = frag };
	const char *err = NULL;
	size_t nf = 0;

	while (dgram_field_names[nf] != NULL)
		nf++;
	if (tshark_fields_read(mem_ctx, NULL, path, dgram_field_names, nf,
			       &topts, frames, n, &err) != 0) {
		fprintf(stderr, "mailslot demo: %s\n", err);
		return -1;
	}
	return 0;
}

/* The tshark value of a field, or NULL when tshark shows none. */
static const char *tshark_value(const struct tshark_frame *t,
				const char *field)
{
	for (size_t i = 0; dgram_field_names[i] != NULL; i++) {
		if (strcmp(dgram_field_names[i], field) == 0)
			return t->values[i][0] ? t->values[i] : NULL;
	}
	return NULL;
}

static size_t frame_show(size_t idx, const struct demo_frame *f,
			 const struct tshark_frame *t, size_t *compared)
{
	struct dgram_field_list ours;
	size_t differ = 0, shown = 0;

	frame_fields(f, &ours);
	printf("\n[%zu] %s  (%zu bytes)\n", idx, f->what, f->len);
	printf("    %-24s %-36s %s\n", "field", "mailslot", "tshark");
	for (size_t i = 0; i < ours.n; i++) {
		const char *tv = t ? tshark_value(t, ours.names[i]) : NULL;
		bool same = t == NULL || (tv && strcmp(tv, ours.values[i]) == 0);
		printf("  %s %-24s %-36s %s\n", same ? " " : "!", ours.names[i],
		       ours.values[i], t ? (tv ? tv : "(none)") : "-");
		differ += same ? 0 : 1;
		shown++;
	}
	/* Fields tshark shows and we do not. */
	for (size_t i = 0; t && dgram_field_names[i] != NULL; i++) {
		bool ours_has = false;
		for (size_t j = 0; j < ours.n; j++)
			ours_has |= strcmp(ours.names[j],
					   dgram_field_names[i]) == 0;
		if (!ours_has && t->values[i][0] != '\0') {
			printf("  ! %-24s %-36s %s\n", dgram_field_names[i],
			       "(none)", t->values[i]);
			differ++;
		}
	}
	if (t && (t->malformed[0] || t->expert[0])) {
		printf("  ! tshark: %s %s\n", t->malformed, t->expert);
		differ++;
	}
	*compared += shown;
	return differ;
}

static void reassembly_show(TALLOC_CTX *mem_ctx,
			    const struct demo_frame *frames, size_t n)
{
	struct nbt_reasm *r = nbt_reasm_create(mem_ctx, NULL);
	struct nbt_dgram *done = NULL, d;
	struct smb_mailslot_write w;

	for (size_t i = 0; i < n && r != NULL; i++) {
		if (!frames[i].fragment ||
		    nbt_dgram_decode(frames[i].data, frames[i].len, &d) !=
			    CODEC_OK)
			continue;
		nbt_reasm_add(r, &d, 0, mem_ctx, &done);
	}
	if (done == NULL ||
	    smb_mailslot_decode(done->user_data, done->user_data_len, &w) !=
		    CODEC_OK) {
		printf("\nreassembly: FAILED\n");
		return;
	}
	printf("\nreassembled by mailslot (tshark 4.0 cannot): %zu bytes of "
	       "USER_DATA, %.*s, %zu data bytes\n", done->user_data_len,
	       (int)w.name_len, w.name, w.data_len);
}

static void demo_usage(FILE *out)
{
	fprintf(out,
		"usage: mailslot demo [--pcap FILE] [--no-tshark]\n\n"
		"Encodes an NBT datagram of every kind (all seven message "
		"types, both SMB\nlayouts, scope IDs, the 424-byte limit, a "
		"two-fragment datagram), writes\nthem to FILE (default "
		"mailslot-demo.pcap; fragments go to FILE with\n"
		"-fragments before .pcap) and prints our decode beside "
		"tshark's, field by\nfield. Exit status 1 if any field "
		"differs.\n");
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pcap", required_argument, NULL, 'p' },
		{ "no-tshark", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "mailslot-demo.pcap";
	bool use_tshark = true;
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct tshark_frame *tm = NULL, *tf = NULL;
	size_t ntm = 0, ntf = 0, n, im = 0, iff = 0, differ = 0, compared = 0;
	struct demo_frame *frames;
	char *frag_path;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': path = optarg; break;
		case 'n': use_tshark = false; break;
		case 'h': demo_usage(stdout); talloc_free(mem_ctx); return 0;
		default: demo_usage(stderr); talloc_free(mem_ctx); return 2;
		}
	}
	frag_path = talloc_asprintf(mem_ctx, "%.*s-fragments.pcap",
				    (int)(strlen(path) > 5 &&
					  strcmp(path + strlen(path) - 5, ".pcap") == 0
					  ? strlen(path) - 5 : strlen(path)), path);
	n = demo_frames_build(mem_ctx, &frames);
	if (n == 0) {
		fprintf(stderr, "mailslot demo: encoding failed\n");
		goto done;
	}
	if (write_pcaps(mem_ctx, frames, n, path, frag_path) != 0)
		goto done;
	printf("mailslot demo: %zu datagrams written to %s and %s\n", n, path,
	       frag_path);
	if (use_tshark && tshark_find() == NULL) {
		printf("tshark not found: showing our decode only "
		       "(apt-get install tshark)\n");
		use_tshark = false;
	}
	if (use_tshark && (tshark_load(mem_ctx, path, false, &tm, &ntm) ||
			   tshark_load(mem_ctx, frag_path, true, &tf, &ntf)))
		goto done;

	for (size_t i = 0; i < n; i++) {
		const struct tshark_frame *t = NULL;
		if (use_tshark) {
			if (frames[i].fragment)
				t = iff < ntf ? &tf[iff++] : NULL;
			else
				t = im < ntm ? &tm[im++] : NULL;
		}
		differ += frame_show(i + 1, &frames[i], t, &compared);
	}
	reassembly_show(mem_ctx, frames, n);
	if (use_tshark)
		printf("\n%zu datagrams, %zu fields compared with tshark "
		       "(fragments with its SMB dissector off): %zu differ\n",
		       n, compared, differ);
	rc = differ ? 1 : 0;
done:
	talloc_free(mem_ctx);
	return rc;
}
