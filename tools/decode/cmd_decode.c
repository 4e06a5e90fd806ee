/*
 * mailslot decode FILE... | -i IFACE: every NBT datagram in a capture,
 * reassembled, with its mailslot write and payload, as summary lines, a
 * field tree, JSON lines or statistics (docs/decode.md).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/commands.h"
#include "decode.h"
#include "decode_filter.h"
#include "decode_input.h"
#include "decode_print.h"
#include "decode_stats.h"

struct run {
	TALLOC_CTX *mem_ctx;
	enum decode_mode mode;
	struct decode_opts opts;
	struct decode_filter filter;
	const char *write_path;
	pcap_dumper_t *dumper;
	pcap_t *dead;		/* the dumper's link type */
	struct decode_out *out;
	struct decode_printer *printer;
	struct decode_stats *stats;
	struct decode_counts counts;	/* summed over files */
	bool progress;
	bool ports_given;	/* the first -p replaces the default */
	bool multi;		/* several files: name them in JSON */
	uint64_t max_count;	/* -c: stop after this many (0: all) */
	uint64_t shown;
};

static volatile sig_atomic_t stop_live;

static void on_signal(int sig)
{
	(void)sig;
	stop_live = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mailslot decode [OPTIONS] FILE...\n"
		"       mailslot decode [OPTIONS] -i IFACE\n\n"
		"Decode every NBT datagram (UDP 138) in pcap/pcapng files or "
		"live: reassembled,\nwith its mailslot write and Browser, "
		"NETLOGON or Messenger payload.\n\n"
		"  -V, --verbose      every field, as a tree\n"
		"      --json         one JSON object per datagram and line "
		"(tshark field names)\n"
		"      --stats        a summary of the whole capture\n"
		"      --slot NAME    only this mailslot (\\MAILSLOT\\BROWSE "
		"or BROWSE)\n"
		"      --opcode OP    only this payload opcode (number or "
		"name)\n"
		"      --host HOST    only datagrams from or to this name or "
		"IPv4 address\n"
		"  -w, --write OUT    write the selected frames to OUT "
		"(pcap)\n"
		"  -i, --interface IF capture live on IF (Ctrl-C stops)\n"
		"  -c, --count N      stop after N selected datagrams\n"
		"  -p, --port PORT    datagram port (repeatable; default "
		"138)\n"
		"      --no-progress  no progress bar on stderr\n");
}

static bool open_dumper(struct run *r, pcap_t *src)
{
	if (r->write_path == NULL || r->dumper != NULL) {
		if (r->dumper != NULL &&
		    pcap_datalink(r->dead) != pcap_datalink(src)) {
			fprintf(stderr, "mailslot decode: -w: every input must "
				"have the same link type\n");
			return false;
		}
		return true;
	}
	r->dead = pcap_open_dead_with_tstamp_precision(pcap_datalink(src),
			65535, PCAP_TSTAMP_PRECISION_NANO);
	r->dumper = r->dead ? pcap_dump_open(r->dead, r->write_path) : NULL;
	if (r->dumper == NULL) {
		fprintf(stderr, "mailslot decode: -w %s: %s\n", r->write_path,
			r->dead ? pcap_geterr(r->dead) : "out of memory");
		return false;
	}
	return true;
}

/* One datagram: filter, count, print, write. */
static void handle(struct run *r, const struct decode_dgram *d,
		   const char *file, const struct pcap_pkthdr *h,
		   const u_char *data)
{
	if (!decode_filter_match(&r->filter, d))
		return;
	r->shown++;
	if (r->stats != NULL)
		decode_stats_add(r->stats, d);
	decode_print(r->printer, d, r->multi ? file : NULL);
	if (r->dumper != NULL)
		pcap_dump((u_char *)r->dumper, h, data);
}

static void add_counts(struct run *r, struct decode_ctx *c)
{
	struct decode_counts n;

	decode_get_counts(c, &n);
	r->counts.capture.frames += n.capture.frames;
	r->counts.capture.ipv4 += n.capture.ipv4;
	r->counts.capture.udp += n.capture.udp;
	r->counts.capture.truncated += n.capture.truncated;
	r->counts.capture.malformed += n.capture.malformed;
	r->counts.capture.icmp_quoted += n.capture.icmp_quoted;
	r->counts.capture.ip_fragments += n.capture.ip_fragments;
	r->counts.capture.ip_reassembled += n.capture.ip_reassembled;
	r->counts.nbt_fragments += n.nbt_fragments;
	r->counts.nbt_reassembled += n.nbt_reassembled;
	r->counts.nbt_frag_dropped += n.nbt_frag_dropped;
}

static bool done(const struct run *r)
{
	return r->max_count != 0 && r->shown >= r->max_count;
}

/* Returns 0, 1 (cannot read) or 3 (damaged: read up to the damage). */
static int run_pcap(struct run *r, pcap_t *p, const char *name, bool live)
{
	struct decode_progress prog;
	struct decode_ctx *c;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t frame = 0;
	int rc = 0, ret = 0;

	if (!capture_dlt_supported(pcap_datalink(p))) {
		fprintf(stderr, "mailslot decode: %s: link type %s (%d) is "
			"not supported\n", name,
			pcap_datalink_val_to_name(pcap_datalink(p)) ?: "?",
			pcap_datalink(p));
		return 1;
	}
	if (!open_dumper(r, p))
		return 1;
	c = decode_ctx_create(r->mem_ctx, &r->opts, pcap_datalink(p));
	if (c == NULL)
		return 1;
	decode_progress_start(&prog, p, name, r->progress && !live);
	while (!done(r) && !stop_live) {
		const struct decode_dgram *d;
		rc = pcap_next_ex(p, &h, &data);
		if (rc == 0)		/* live: timeout, nothing arrived */
			goto flush;
		if (rc != 1)
			break;
		frame++;
		decode_progress_update(&prog, frame);
		if (decode_frame(c, frame, (const struct timeval *)&h->ts,
				 pcap_get_tstamp_precision(p) ==
					 PCAP_TSTAMP_PRECISION_NANO,
				 data, h->caplen, &d))
			handle(r, d, name, h, data);
		if (!live)
			continue;
flush:
		decode_out_flush(r->out);
		if (r->dumper != NULL)
			pcap_dump_flush(r->dumper);
	}
	decode_progress_end(&prog);
	if (!done(r) && !stop_live && rc == PCAP_ERROR &&
	    strstr(pcap_geterr(p), "different from the type of the first")) {
		/* libpcap reads one link type per file, pcapng allows more */
		fprintf(stderr, "mailslot decode: %s: its interfaces have "
			"different link types, which libpcap cannot read (%s); "
			"extract the Ethernet frames first: tshark -r '%s' -Y "
			"'frame.encap_type == 1' -F pcap -w out.pcap\n", name,
			pcap_geterr(p), name);
		ret = frame == 0 ? 1 : 3;
	} else if (!done(r) && !stop_live && rc == PCAP_ERROR) {
		decode_out_flush(r->out);
		fprintf(stderr, "mailslot decode: warning: %s is damaged after "
			"frame %llu (%s); everything before it is reported\n",
			name, (unsigned long long)frame, pcap_geterr(p));
		ret = 3;
	}
	add_counts(r, c);
	talloc_free(c);
	return ret;
}

static int parse_args(struct run *r, int argc, char **argv,
		      const char **iface)
{
	enum { O_JSON = 256, O_STATS, O_SLOT, O_OPCODE, O_HOST, O_NOPROG };
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, O_JSON },
		{ "stats", no_argument, NULL, O_STATS },
		{ "slot", required_argument, NULL, O_SLOT },
		{ "opcode", required_argument, NULL, O_OPCODE },
		{ "host", required_argument, NULL, O_HOST },
		{ "write", required_argument, NULL, 'w' },
		{ "interface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, O_NOPROG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int opt;

	while ((opt = getopt_long(argc, argv, "Vw:i:c:p:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'V': r->mode = DECODE_MODE_TREE; break;
		case O_JSON: r->mode = DECODE_MODE_JSON; break;
		case O_STATS: r->mode = DECODE_MODE_STATS; break;
		case O_SLOT: r->filter.slot = optarg; break;
		case O_OPCODE: r->filter.opcode = optarg; break;
		case O_HOST: r->filter.host = optarg; break;
		case 'w': r->write_path = optarg; break;
		case 'i': *iface = optarg; break;
		case 'c': r->max_count = strtoull(optarg, NULL, 0); break;
		case O_NOPROG: r->progress = false; break;
		case 'p': {
			unsigned long v = strtoul(optarg, NULL, 0);
			if (v == 0 || v > 65535) {
				fprintf(stderr, "mailslot decode: bad port "
					"'%s'\n", optarg);
				return 2;
			}
			if (!r->ports_given)
				r->opts.nports = 0;
			r->ports_given = true;
			if (r->opts.nports == 8) {
				fprintf(stderr, "mailslot decode: at most 8 "
					"ports\n");
				return 2;
			}
			r->opts.ports[r->opts.nports++] = (uint16_t)v;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!decode_filter_prepare(&r->filter, err, sizeof(err))) {
		fprintf(stderr, "mailslot decode: %s\n", err);
		return 2;
	}
	if ((*iface == NULL) == (optind >= argc)) {
		fprintf(stderr, "mailslot decode: give capture files or -i "
			"IFACE (not both)\n");
		usage(stderr);
		return 2;
	}
	return -1;
}

static int run_live(struct run *r, const char *iface)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	pcap_t *p = decode_input_open_live(iface, r->opts.ports,
					   r->opts.nports, err, sizeof(err));
	struct sigaction sa;
	int rc;

	if (p == NULL) {
		fprintf(stderr, "mailslot decode: %s\n", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = run_pcap(r, p, iface, true);
	pcap_close(p);
	return rc;
}

int cmd_decode(int argc, char **argv)
{
	struct run r = { .mode = DECODE_MODE_SUMMARY, .progress = true };
	const char *iface = NULL;
	int rc, status = 0;

	r.mem_ctx = talloc_new(NULL);
	decode_opts_default(&r.opts);
	rc = parse_args(&r, argc, argv, &iface);
	if (rc >= 0)
		goto out;
	r.out = talloc(r.mem_ctx, struct decode_out);
	r.printer = decode_printer_create(r.mem_ctx, r.mode, r.out);
	if (r.mode == DECODE_MODE_STATS)
		r.stats = decode_stats_create(r.mem_ctx);
	if (r.out == NULL || r.printer == NULL ||
	    (r.mode == DECODE_MODE_STATS && r.stats == NULL)) {
		fprintf(stderr, "mailslot decode: out of memory\n");
		rc = 1;
		goto out;
	}
	decode_out_init(r.out, 1);
	r.multi = argc - optind > 1;
	if (iface != NULL) {
		status = run_live(&r, iface);
	} else {
		for (int i = optind; i < argc && !done(&r); i++) {
			char err[PCAP_ERRBUF_SIZE + 512];
			pcap_t *p = decode_input_open_file(argv[i], err,
							   sizeof(err));
			if (p == NULL) {
				fprintf(stderr, "mailslot decode: %s\n", err);
				status = 1;
				continue;
			}
			rc = run_pcap(&r, p, argv[i], false);
			if (rc > status)
				status = rc;
			pcap_close(p);
		}
	}
	if (r.stats != NULL)
		decode_stats_print(r.stats, &r.counts, r.out);
	decode_out_flush(r.out);
	if (r.dumper != NULL)
		pcap_dump_close(r.dumper);
	if (r.dead != NULL)
		pcap_close(r.dead);
	rc = r.out->failed ? 1 : status;
out:
	talloc_free(r.mem_ctx);
	return rc;
}
