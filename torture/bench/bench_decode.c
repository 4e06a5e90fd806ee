/*
 * bench_decode: mailslot decode on a large generated capture (NBDS
 * datagrams of every kind among unrelated UDP), in one run:
 *   --json against tshark -Y nbdgm -T json (tshark on a 100,000-frame
 *   file, compared per frame; --full: on the whole N-frame file too,
 *   about 70 s per million frames here),
 *   --stats against a bare libpcap read loop (the floor),
 *   peak RSS of --stats at 100,000 and at N frames.
 * usage: see usage() below; --generate FILE writes the capture only, so
 * that a profiler or an output comparison can use the same frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "tools/pcap_frame.h"

#define TSHARK_FRAMES 100000

struct tmpl {
	uint8_t b[1024];
	size_t len;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void dgram(struct tmpl *t, uint8_t type, const char *src,
		  const char *dst, uint8_t suffix, const char *slot,
		  const uint8_t *pl, size_t plen)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	uint8_t smb[700];
	size_t smb_len = 0;

	nbt_dgram_init(&d, type, NBT_NODE_B, 0x8000 + (uint16_t)plen,
		       0x0a000001, 138);
	nbt_name_make(&d.source, src, 0x00, NULL);
	nbt_name_make(&d.dest, dst, suffix, NULL);
	if (slot != NULL) {
		smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
		w.name = slot;
		w.name_len = strlen(slot);
		w.data = pl;
		w.data_len = plen;
		smb_mailslot_encode(&w, smb, sizeof(smb), &smb_len);
	}
	if (type == NBT_DGRAM_ERROR)
		d.error_code = 0x82;
	d.user_data = smb;
	d.user_data_len = smb_len;
	nbt_dgram_encode(&d, t->b, sizeof(t->b), &t->len);
}

static size_t templates(struct tmpl *t)
{
	static const uint8_t host[] = {
		0x01, 0x00, 0x80, 0xfc, 0x0a, 0x00, 'P', 'C', '1', 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x00, 0x03, 0x10, 0x01, 0x00,
		0x0f, 0x01, 0x55, 0xaa, 0 };
	static const uint8_t areq[] = { 0x02, 0x00, 'P', 'C', '1', 0 };
	static const uint8_t elect[] = { 0x08, 0x01, 0x20, 0x0f, 0x01, 0x10,
		0x10, 0x27, 0, 0, 0, 0, 0, 0, 'P', 'C', '1', 0 };
	static const uint8_t backup[] = { 0x09, 0x04, 1, 0, 0, 0 };
	static const uint8_t msg[] = "ALICE\0BOB\0Lunch at noon?";
	static const uint8_t query[] = { 0x07, 0x00, 'P', 'C', '1', 0,
		'\\', 'M', 'A', 'I', 'L', 'S', 'L', 'O', 'T', '\\', 'N', 'E',
		'T', '\\', 'G', 'E', 'T', 'D', 'C', '1', 0, 0, 'P', 0, 'C', 0,
		'1', 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	size_t n = 0;

	dgram(&t[n++], 0x11, "PC1", "WORKGROUP", 0x1d, "\\MAILSLOT\\BROWSE",
	      host, sizeof(host));
	dgram(&t[n++], 0x11, "PC1", "WORKGROUP", 0x1d, "\\MAILSLOT\\BROWSE",
	      areq, sizeof(areq));
	dgram(&t[n++], 0x11, "PC1", "WORKGROUP", 0x1e, "\\MAILSLOT\\BROWSE",
	      elect, sizeof(elect));
	dgram(&t[n++], 0x11, "PC1", "WORKGROUP", 0x1d, "\\MAILSLOT\\BROWSE",
	      backup, sizeof(backup));
	dgram(&t[n++], 0x10, "ALICE", "BOB", 0x03, "\\MAILSLOT\\MESSNGR",
	      msg, sizeof(msg));
	dgram(&t[n++], 0x12, "PC1", "*", 0x00, "\\MAILSLOT\\NET\\NETLOGON",
	      query, sizeof(query));
	dgram(&t[n++], 0x10, "PC1", "SRV", 0x20, "\\MAILSLOT\\APP", areq,
	      sizeof(areq));
	dgram(&t[n++], 0x13, "PC1", "X", 0, NULL, NULL, 0);
	dgram(&t[n++], 0x14, "PC1", "SRV", 0x20, NULL, NULL, 0);
	return n;
}

/* frames: 1 in 3 an NBDS datagram, the rest unrelated UDP. */
static int generate(const char *path, long frames)
{
	char err[PCAP_ERRBUF_SIZE];
	struct tmpl t[16];
	size_t nt = templates(t);
	struct pcap_frame_writer *w = pcap_frame_writer_open(NULL, path, err);
	static uint8_t junk[1200];

	if (w == NULL) {
		fprintf(stderr, "bench_decode: %s\n", err);
		return -1;
	}
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7);
	for (long i = 0; i < frames; i++) {
		struct timeval ts = { 1700000000 + i / 1000, (i % 1000) * 1000 };
		struct udp_endpoints ep = { 0x0a000001 + (uint32_t)(i % 50),
					    0x0a0000ff, 138, 138 };
		if (i % 3 == 0) {
			const struct tmpl *x = &t[(size_t)(i / 3) % nt];
			pcap_frame_write_udp(w, &ep, x->b, x->len, &ts);
			continue;
		}
		ep.dst_ip = 0x0a000063;
		ep.src_port = (uint16_t)(40000 + i % 1000);
		ep.dst_port = i % 2 ? 53 : 443;
		pcap_frame_write_udp(w, &ep, junk, 60 + (size_t)(i % 1000),
				     &ts);
	}
	talloc_free(w);
	return 0;
}

static double floor_loop(const char *path, unsigned long long *bytes)
{
	char err[PCAP_ERRBUF_SIZE];
	double t0 = now();
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_pkthdr *h;
	const u_char *d;

	*bytes = 0;
	while (p != NULL && pcap_next_ex(p, &h, &d) == 1)
		*bytes += h->caplen + d[0];
	if (p != NULL)
		pcap_close(p);
	return now() - t0;
}

/* Run argv with stdout to /dev/null; seconds, peak RSS (KiB). */
static double run(char *const argv[], long *rss_kb)
{
	double t0 = now();
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	wait4(pid, &status, 0, &ru);
	*rss_kb = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "bench_decode: %s exited %d\n", argv[0],
			WEXITSTATUS(status));
	return now() - t0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_decode [--full] [N [MAILSLOT]]\n"
		"       bench_decode --generate FILE [N]\n\n"
		"Generates N frames (default 1000000; one in three an NBDS "
		"datagram) and\nmeasures mailslot decode --stats against a "
		"bare libpcap loop, --json against\ntshark -Y nbdgm -T json "
		"(on %d frames, compared per frame) and peak RSS.\n"
		"MAILSLOT defaults to $MAILSLOT_BUILD_DIR/tools/mailslot, "
		"else build/tools/mailslot.\n\n"
		"  --full           also run tshark on the whole N-frame file: "
		"the ratio on\n"
		"                   exactly the same frames (slow: ~70 s per "
		"million)\n"
		"  --generate FILE  only write the N-frame capture to FILE "
		"(for profiling)\n"
		"  -h, --help       this text\n", TSHARK_FRAMES);
}

/* A frame count: digits only, at least 1; atol() took "--help" as 0. */
static bool parse_frames(const char *s, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *n < 1) {
		fprintf(stderr, "bench_decode: bad frame count '%s'\n", s);
		return false;
	}
	return true;
}

static int bench(long n, const char *mailslot, bool full)
{
	const char *bd = getenv("MAILSLOT_BUILD_DIR");
	char ms[512], dir[] = "/tmp/bench_decode.XXXXXX", big[600], small[600];
	unsigned long long bytes;
	long rss_small, rss_big, rss;
	double fl, st, js, js_small, ts_small, ts_big = 0;

	snprintf(ms, sizeof(ms), "%s", mailslot != NULL ? mailslot : "");
	if (ms[0] == '\0')
		snprintf(ms, sizeof(ms), "%s/tools/mailslot",
			 bd ? bd : "build");
	/* a bare name is looked up in PATH by execvp */
	if (strchr(ms, '/') != NULL && access(ms, X_OK) != 0) {
		fprintf(stderr, "bench_decode: %s: not an executable\n", ms);
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(big, sizeof(big), "%s/big.pcap", dir);
	snprintf(small, sizeof(small), "%s/small.pcap", dir);
	printf("generating %ld and %d frames (1 in 3 NBDS) in %s\n", n,
	       TSHARK_FRAMES, dir);
	if (generate(big, n) || generate(small, TSHARK_FRAMES))
		return 1;
	fl = floor_loop(big, &bytes);
	{
		char *a[] = { ms, "decode", "--stats", "--no-progress", big,
			      NULL };
		st = run(a, &rss_big);
	}
	{
		char *a[] = { ms, "decode", "--json", "--no-progress", big,
			      NULL };
		js = run(a, &rss);
	}
	{
		char *a[] = { ms, "decode", "--stats", "--no-progress", small,
			      NULL };
		run(a, &rss_small);
	}
	{
		char *a[] = { ms, "decode", "--json", "--no-progress", small,
			      NULL };
		js_small = run(a, &rss);
	}
	{
		char *a[] = { "tshark", "-n", "-r", small, "-Y", "nbdgm", "-T",
			      "json", NULL };
		ts_small = run(a, &rss);
	}
	if (full) {
		char *a[] = { "tshark", "-n", "-r", big, "-Y", "nbdgm", "-T",
			      "json", NULL };
		ts_big = run(a, &rss);
	}
	printf("floor (libpcap read loop), %ld frames: %.3f s\n", n, fl);
	printf("decode --stats, %ld frames:            %.3f s  = %.2fx the "
	       "floor (target <= 5x)\n", n, st, st / fl);
	printf("decode --json, %ld frames:             %.3f s  (%.2f us/frame)\n",
	       n, js, js * 1e6 / (double)n);
	printf("decode --json, %d frames:              %.3f s\n",
	       TSHARK_FRAMES, js_small);
	printf("tshark -Y nbdgm -T json, %d frames:    %.3f s  (%.2f us/frame)"
	       "\n", TSHARK_FRAMES, ts_small, ts_small * 1e6 / TSHARK_FRAMES);
	printf("json vs tshark on the same %d frames:  %.1fx faster; per "
	       "frame against our %ld-frame run: %.1fx (target >= 100x)\n",
	       TSHARK_FRAMES, ts_small / js_small, n,
	       (ts_small / TSHARK_FRAMES) / (js / (double)n));
	if (full)
		printf("tshark -Y nbdgm -T json, %ld frames:   %.3f s; json vs "
		       "tshark on the same %ld frames: %.1fx faster (target >= "
		       "100x)\n", n, ts_big, n, ts_big / js);
	printf("peak RSS of --stats: %ld KiB at %d frames, %ld KiB at %ld "
	       "frames (target: equal, < 16 MiB)\n", rss_small, TSHARK_FRAMES,
	       rss_big, n);
	unlink(big);
	unlink(small);
	rmdir(dir);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 1000000;
	bool full = false;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--generate") == 0) {
		if (argc < 3 || argc > 4 ||
		    (argc == 4 && !parse_frames(argv[3], &n))) {
			usage(stderr);
			return 2;
		}
		return generate(argv[2], n) ? 1 : 0;
	}
	if (argc > 1 && strcmp(argv[1], "--full") == 0) {
		full = true;
		argc--;
		argv++;
	}
	if (argc > 3 || (argc > 1 && argv[1][0] == '-') ||
	    (argc > 1 && !parse_frames(argv[1], &n))) {
		usage(stderr);
		return 2;
	}
	return bench(n, argc > 2 ? argv[2] : NULL, full);
}
