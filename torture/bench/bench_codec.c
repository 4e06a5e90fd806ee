/*
 * bench_codec: what the wire codecs cost per operation.
 *
 *   bench_codec                     median of 101 runs x N iterations
 *   bench_codec --runs R            R runs instead of 101
 *   bench_codec --iterations N      N iterations per run (default: sized so
 *                                   a run takes about 2 ms); alone it means
 *                                   one run, for valgrind --tool=callgrind
 *   bench_codec --only NAME         just one operation (see the table)
 *
 * Every operation is checked once before it is timed (a decode must
 * succeed, a reject must fail with the expected error), so the numbers are
 * never those of a short-cut.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <talloc.h>

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "torture/torture_frames.h"

static const char myhost_enc[33] = "\x20" "ENFJEIEPFDFECACACACACACACACACAAA";

/* Inputs and outputs of every operation, prepared once. */
struct bench_ctx {
	/* HostAnnouncement */
	struct nbt_dgram ha_dgram;	/* template for encode */
	struct smb_mailslot_write ha_smb;
	uint8_t ha_smb_buf[256];
	/* 424-byte write */
	uint8_t *w424;			/* encoded datagram */
	size_t w424_len;
	struct nbt_dgram w424_dgram;
	struct smb_mailslot_write w424_smb;
	uint8_t w424_data[424];
	uint8_t w424_smb_buf[600];
	/* rejects */
	uint8_t *patho;			/* datagram, 127-label source name */
	size_t patho_len;
	uint8_t *loop;			/* datagram, dest name C0 xx -> itself */
	size_t loop_len;
	uint8_t out[2048];
	volatile uint64_t sink;
};

typedef bool (*bench_fn)(struct bench_ctx *c);

static bool op_decode_ha(struct bench_ctx *c)
{
	struct nbt_dgram d;
	struct smb_mailslot_write w;

	if (nbt_dgram_decode(torture_host_announcement, sizeof(torture_host_announcement),
			     &d) != CODEC_OK)
		return false;
	if (smb_mailslot_decode(d.user_data, d.user_data_len, &w) != CODEC_OK)
		return false;
	c->sink += w.data_len + d.id;
	return true;
}

static bool op_encode_ha(struct bench_ctx *c)
{
	struct nbt_dgram d = c->ha_dgram;
	size_t smb_len, used;

	if (smb_mailslot_encode(&c->ha_smb, c->ha_smb_buf,
				sizeof(c->ha_smb_buf), &smb_len) != CODEC_OK)
		return false;
	d.user_data = c->ha_smb_buf;
	d.user_data_len = smb_len;
	if (nbt_dgram_encode(&d, c->out, sizeof(c->out), &used) != CODEC_OK)
		return false;
	c->sink += used;
	return true;
}

static bool op_decode_424(struct bench_ctx *c)
{
	struct nbt_dgram d;
	struct smb_mailslot_write w;

	if (nbt_dgram_decode(c->w424, c->w424_len, &d) != CODEC_OK)
		return false;
	if (smb_mailslot_decode(d.user_data, d.user_data_len, &w) != CODEC_OK)
		return false;
	c->sink += w.data_len;
	return w.data_len == 424;
}

static bool op_encode_424(struct bench_ctx *c)
{
	struct nbt_dgram d = c->w424_dgram;
	size_t smb_len, used;

	if (smb_mailslot_encode(&c->w424_smb, c->w424_smb_buf,
				sizeof(c->w424_smb_buf), &smb_len) != CODEC_OK)
		return false;
	d.user_data = c->w424_smb_buf;
	d.user_data_len = smb_len;
	if (nbt_dgram_encode(&d, c->out, sizeof(c->out), &used) != CODEC_OK)
		return false;
	c->sink += used;
	return true;
}

static bool op_reject_patho(struct bench_ctx *c)
{
	struct nbt_dgram d;
	enum codec_error err = nbt_dgram_decode(c->patho, c->patho_len, &d);

	c->sink += err;
	return err == CODEC_ERR_NAME_TOO_MANY_LABELS;
}

static bool op_reject_loop(struct bench_ctx *c)
{
	struct nbt_dgram d;
	enum codec_error err = nbt_dgram_decode(c->loop, c->loop_len, &d);

	c->sink += err;
	return err == CODEC_ERR_NAME_POINTER;
}

static const struct {
	const char *name;
	const char *what;
	bench_fn fn;
} ops[] = {
	{ "decode-ha", "decode HostAnnouncement (datagram + SMB)",
	  op_decode_ha },
	{ "encode-ha", "encode HostAnnouncement (SMB + datagram)",
	  op_encode_ha },
	{ "decode-424", "decode 424-byte write (datagram + SMB)",
	  op_decode_424 },
	{ "encode-424", "encode 424-byte write (SMB + datagram)",
	  op_encode_424 },
	{ "reject-patho", "reject datagram: 127-label name",
	  op_reject_patho },
	{ "reject-loop", "reject datagram: pointer-loop name",
	  op_reject_loop },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool prepare(TALLOC_CTX *mem_ctx, struct bench_ctx *c)
{
	struct nbt_dgram d;
	size_t smb_len, pos;

	/* HostAnnouncement: the template is the decoded vector itself */
	if (nbt_dgram_decode(torture_host_announcement, sizeof(torture_host_announcement),
			     &c->ha_dgram) != CODEC_OK ||
	    smb_mailslot_decode(c->ha_dgram.user_data,
				c->ha_dgram.user_data_len,
				&c->ha_smb) != CODEC_OK)
		return false;
	c->ha_smb.param_offset_is_data_offset = true; /* as in vectors/01 */

	/* 424 bytes to \MAILSLOT\ABCDE: the largest a Windows sender makes */
	for (size_t i = 0; i < sizeof(c->w424_data); i++)
		c->w424_data[i] = (uint8_t)('A' + i % 26);
	smb_mailslot_write_init(&c->w424_smb, SMB_MAILSLOT_LAYOUT_MAIL);
	c->w424_smb.name = "\\MAILSLOT\\ABCDE";
	c->w424_smb.name_len = 15;
	c->w424_smb.data = c->w424_data;
	c->w424_smb.data_len = sizeof(c->w424_data);
	nbt_dgram_init(&c->w424_dgram, NBT_DGRAM_DIRECT_GROUP, NBT_NODE_B,
		       0x8004, 0xc0a8010a, 138);
	if (nbt_name_make(&c->w424_dgram.source, "MYHOST", 0, NULL) !=
		    CODEC_OK ||
	    nbt_name_make(&c->w424_dgram.dest, "WORKGROUP", 0, NULL) !=
		    CODEC_OK ||
	    smb_mailslot_encode(&c->w424_smb, c->w424_smb_buf,
				sizeof(c->w424_smb_buf), &smb_len) != CODEC_OK ||
	    smb_len != 512)
		return false;
	d = c->w424_dgram;
	d.user_data = c->w424_smb_buf;
	d.user_data_len = smb_len;
	c->w424_len = nbt_dgram_encoded_len(&d);
	c->w424 = talloc_size(mem_ctx, c->w424_len);
	if (c->w424 == NULL ||
	    nbt_dgram_encode(&d, c->w424, c->w424_len, NULL) != CODEC_OK)
		return false;

	/* header + source name with 127 one-byte labels + room for more */
	c->patho_len = 14 + 33 + 127 * 2 + 1 + 34;
	c->patho = talloc_zero_size(mem_ctx, c->patho_len);
	if (c->patho == NULL)
		return false;
	memcpy(c->patho, torture_host_announcement, 14);
	pos = 14;
	memcpy(c->patho + pos, myhost_enc, 33);
	pos += 33;
	for (int i = 0; i < 127; i++) {
		c->patho[pos++] = 1;
		c->patho[pos++] = 'a';
	}
	c->patho[pos++] = 0;
	memcpy(c->patho + pos, torture_host_announcement + 48, 34);

	/* good source name, then a destination whose first scope label is
	 * a pointer to itself: offset 81 from the start of the NBT packet,
	 * which is how Samba resolves datagram pointers */
	c->loop_len = 14 + 34 + 33 + 2;
	c->loop = talloc_size(mem_ctx, c->loop_len);
	if (c->loop == NULL)
		return false;
	memcpy(c->loop, torture_host_announcement, 14 + 34 + 33);
	c->loop[81] = 0xc0;
	c->loop[82] = 81;
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Iterations for a run of about 2 ms. */
static uint64_t calibrate(struct bench_ctx *c, bench_fn fn)
{
	uint64_t n = 64;

	for (int tries = 0; tries < 20; tries++) {
		uint64_t t0 = now_ns(), dt;
		for (uint64_t i = 0; i < n; i++)
			fn(c);
		dt = now_ns() - t0;
		if (dt >= 2000000 || n >= (1u << 24))
			break;
		n *= dt > 0 && 2000000 / dt < 16 ? (2000000 / dt + 1) : 16;
	}
	return n;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--runs R] [--iterations N] "
		"[--only NAME]\n  NAMES:", argv0);
	for (size_t i = 0; i < NOPS; i++)
		fprintf(stderr, " %s", ops[i].name);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct bench_ctx *c = talloc_zero(mem_ctx, struct bench_ctx);
	unsigned long runs = 101;
	uint64_t fixed_iter = 0;
	bool runs_given = false;
	const char *only = NULL;
	double median[NOPS];
	bool done[NOPS] = { false };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = strtoul(argv[++i], NULL, 10);
			runs_given = true;
		} else if (strcmp(argv[i], "--iterations") == 0 &&
			   i + 1 < argc) {
			fixed_iter = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else {
			usage(argv[0]);
			return 2;
		}
	}
	if (fixed_iter > 0 && !runs_given)
		runs = 1;
	if (runs < 1 || runs > 100001 || c == NULL) {
		usage(argv[0]);
		return 2;
	}
	if (!prepare(mem_ctx, c)) {
		fprintf(stderr, "bench_codec: preparing the inputs failed\n");
		return 1;
	}

	printf("%-14s %-44s %10s %10s %10s %12s\n", "op", "what",
	       "median ns", "min ns", "max ns", "iter/run");
	for (size_t k = 0; k < NOPS; k++) {
		double *per_run;
		uint64_t iter;

		if (only != NULL && strcmp(only, ops[k].name) != 0)
			continue;
		if (!ops[k].fn(c)) {
			fprintf(stderr, "bench_codec: %s does not do what it "
				"should\n", ops[k].name);
			return 1;
		}
		iter = fixed_iter ? fixed_iter : calibrate(c, ops[k].fn);
		per_run = talloc_array(mem_ctx, double, runs);
		if (per_run == NULL)
			return 1;
		for (unsigned long r = 0; r < runs; r++) {
			uint64_t t0 = now_ns();
			for (uint64_t i = 0; i < iter; i++)
				ops[k].fn(c);
			per_run[r] = (double)(now_ns() - t0) / (double)iter;
		}
		qsort(per_run, runs, sizeof(double), cmp_double);
		median[k] = per_run[runs / 2];
		done[k] = true;
		printf("%-14s %-44s %10.1f %10.1f %10.1f %12llu\n",
		       ops[k].name, ops[k].what, median[k], per_run[0],
		       per_run[runs - 1], (unsigned long long)iter);
	}

	printf("\nratios of medians (%lu run%s):\n", runs,
	       runs == 1 ? "" : "s");
	{
		static const struct { size_t a, b; const char *text; } rat[] = {
			{ 4, 0, "reject 127-label name / decode HostAnnouncement" },
			{ 5, 0, "reject pointer loop   / decode HostAnnouncement" },
			{ 2, 0, "decode 424-byte write / decode HostAnnouncement" },
			{ 1, 0, "encode HostAnnouncement / decode it" },
			{ 3, 2, "encode 424-byte write / decode it" },
		};
		for (size_t i = 0; i < sizeof(rat) / sizeof(rat[0]); i++) {
			if (!done[rat[i].a] || !done[rat[i].b] ||
			    median[rat[i].b] <= 0)
				continue;
			printf("  %-50s %6.2f\n", rat[i].text,
			       median[rat[i].a] / median[rat[i].b]);
		}
	}
	talloc_free(mem_ctx);
	return 0;
}
