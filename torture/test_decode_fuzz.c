/*
 * Robustness of mailslot decode's pipeline: every NBDS frame of the
 * corpus (../shared/captures and vectors), with byte flips and cuts, goes
 * through decode, every output mode and --stats.  Nothing may crash (run
 * under ASan/UBSan), and the peak RSS must stay small.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "tools/decode/decode.h"
#include "tools/decode/decode_print.h"
#include "tools/decode/decode_stats.h"
#include "torture_util.h"

#define MUTATIONS 24		/* per frame */
#define FRAMES_MAX 4000		/* NBDS frames kept from the corpus */
#ifdef __SANITIZE_ADDRESS__
#define RSS_MAX_KB (512 * 1024)	/* ASan's shadow and quarantine */
#else
#define RSS_MAX_KB (64 * 1024)
#endif

struct kept {
	int dlt;
	uint8_t *data;
	size_t len;
};

struct fuzz {
	TALLOC_CTX *ctx;
	struct kept *k;
	size_t n;
	uint64_t decoded;
};

static void keep_file(struct fuzz *z, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	struct decode_opts o;
	struct decode_ctx *c;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t frame = 0;

	if (p == NULL)
		return;		/* snoop, iptrace, NetMon */
	decode_opts_default(&o);
	c = decode_ctx_create(z->ctx, &o, pcap_datalink(p));
	assert_non_null(c);
	while (z->n < FRAMES_MAX && pcap_next_ex(p, &h, &data) == 1) {
		const struct decode_dgram *r;
		if (!decode_frame(c, ++frame, (const struct timeval *)&h->ts,
				  false, data, h->caplen, &r))
			continue;
		z->k[z->n].dlt = pcap_datalink(p);
		z->k[z->n].data = talloc_memdup(z->k, data, h->caplen);
		z->k[z->n].len = h->caplen;
		z->n++;
	}
	talloc_free(c);
	pcap_close(p);
}

static void keep_dir(struct fuzz *z, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			keep_file(z, talloc_asprintf(z->ctx, "%s/%s", path,
						     e->d_name));
	}
	closedir(d);
}

static void test_decode_mutations(void **state)
{
	struct fuzz z = { .ctx = talloc_new(NULL) };
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	struct decode_printer *pr[3];
	struct decode_out *out;
	struct decode_stats *st;
	struct decode_opts o;
	struct rusage ru;
	uint32_t rng = 0x9e3779b9;

	(void)state;
	if (shared == NULL)
		shared = "../shared";
	z.k = talloc_array(z.ctx, struct kept, FRAMES_MAX);
	keep_dir(&z, talloc_asprintf(z.ctx, "%s/captures", shared));
	keep_dir(&z, talloc_asprintf(z.ctx, "%s/captures/samba", shared));
	keep_dir(&z, talloc_asprintf(z.ctx, "%s/vectors", shared));
	if (z.n == 0) {
		print_message("SKIPPED: no captures under %s\n", shared);
		talloc_free(z.ctx);
		skip();
	}
	out = talloc(z.ctx, struct decode_out);
	decode_out_init(out, open("/dev/null", O_WRONLY));
	pr[0] = decode_printer_create(z.ctx, DECODE_MODE_SUMMARY, out);
	pr[1] = decode_printer_create(z.ctx, DECODE_MODE_TREE, out);
	pr[2] = decode_printer_create(z.ctx, DECODE_MODE_JSON, out);
	st = decode_stats_create(z.ctx);
	decode_opts_default(&o);
	for (size_t i = 0; i < z.n; i++) {
		struct decode_ctx *c = decode_ctx_create(z.ctx, &o, z.k[i].dlt);
		uint8_t *buf = talloc_size(c, z.k[i].len + 1);
		for (int m = 0; m < MUTATIONS; m++) {
			const struct decode_dgram *r;
			struct timeval ts = { .tv_sec = m };
			size_t len = z.k[i].len, flips = 1 + m % 4;
			memcpy(buf, z.k[i].data, len);
			for (size_t f = 0; f < flips && len > 0; f++)
				buf[torture_rng(&rng) % len] ^=
					(uint8_t)(1u << (torture_rng(&rng) % 8));
			if (m % 3 == 2)		/* a cut as well */
				len = torture_rng(&rng) % (len + 1);
			if (!decode_frame(c, (uint64_t)m + 1, &ts, false, buf,
					  len, &r))
				continue;
			z.decoded++;
			decode_stats_add(st, r);
			decode_print(pr[m % 3], r, NULL);
		}
		talloc_free(c);
	}
	{
		struct decode_counts n;
		memset(&n, 0, sizeof(n));
		decode_stats_print(st, &n, out);
	}
	decode_out_flush(out);
	close(out->fd);
	getrusage(RUSAGE_SELF, &ru);
	print_message("%zu corpus NBDS frames x %d mutations: %llu decoded, "
		      "peak RSS %ld KiB\n", z.n, MUTATIONS,
		      (unsigned long long)z.decoded, ru.ru_maxrss);
	talloc_free(z.ctx);
	assert_true(z.decoded > z.n);
	assert_true(ru.ru_maxrss < RSS_MAX_KB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_mutations),
	};
	return cmocka_run_group_tests_name("decode_fuzz", tests, NULL, NULL);
}
