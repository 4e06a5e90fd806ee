/*
 * NBT datagram fragmentation and the bounded reassembler.  Time is passed
 * in as now_ms: nothing here sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <talloc.h>

#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot.h"
#include "tools/pcap_frame.h"
#include "torture_util.h"

#define IP1 0xc0a8010a
#define IP2 0xc0a8010b

static uint32_t rng_state = 0x9e3779b9;

static uint32_t rng(void)
{
	return torture_rng(&rng_state);
}

static uint8_t payload[2048];

static int setup_payload(void **state)
{
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)rng();
	return 0;
}

static void make_dgram(struct nbt_dgram *d, uint8_t node, uint16_t id,
		       uint32_t ip, const uint8_t *data, size_t len)
{
	nbt_dgram_init(d, NBT_DGRAM_DIRECT_UNIQUE, node, id, ip, 138);
	assert_codec(nbt_name_make(&d->source, "MYHOST", 0x00, NULL),
		     CODEC_OK);
	assert_codec(nbt_name_make(&d->dest, "TARGET", 0x00, NULL), CODEC_OK);
	d->user_data = data;
	d->user_data_len = len;
}

/* A hand-made fragment: flags F/M as given, bytes from data at off. */
static void make_frag(struct nbt_dgram *f, uint16_t id, uint32_t ip,
		      uint8_t fm, size_t off, const uint8_t *data, size_t len)
{
	make_dgram(f, NBT_NODE_B, id, ip, data + off, len);
	f->flags = fm;
	f->packet_offset = (uint16_t)off;
}

/* Fragment d and decode the packets (views into the packet buffers). */
static struct nbt_dgram *split(TALLOC_CTX *mem_ctx, const struct nbt_dgram *d,
			       size_t max_payload, size_t *count)
{
	struct nbt_packet *pkts;
	struct nbt_dgram *frags;

	assert_codec(nbt_dgram_fragment(mem_ctx, d, max_payload, &pkts, count),
		     CODEC_OK);
	assert_true(*count >= 1);
	frags = talloc_array(mem_ctx, struct nbt_dgram, *count);
	assert_non_null(frags);
	for (size_t i = 0; i < *count; i++) {
		assert_true(pkts[i].len <= max_payload);
		assert_ptr_equal(talloc_parent(pkts[i].data), pkts);
		assert_codec(nbt_dgram_decode(pkts[i].data, pkts[i].len,
					      &frags[i]), CODEC_OK);
	}
	return frags;
}

static struct nbt_reasm *reasm_new(TALLOC_CTX *mem_ctx, size_t max_pending,
				   size_t max_bytes, size_t max_user_data,
				   uint32_t timeout_ms)
{
	struct nbt_reasm_limits lim = {
		.max_pending = max_pending, .max_bytes = max_bytes,
		.max_user_data = max_user_data, .timeout_ms = timeout_ms,
	};
	struct nbt_reasm *r = nbt_reasm_create(mem_ctx, &lim);

	assert_non_null(r);
	return r;
}

static struct nbt_reasm_stats stats_of(const struct nbt_reasm *r)
{
	struct nbt_reasm_stats s;

	nbt_reasm_get_stats(r, &s);
	return s;
}

static void assert_complete_equals(const struct nbt_dgram *c,
				   const struct nbt_dgram *orig)
{
	assert_non_null(c);
	assert_int_equal(c->type, orig->type);
	/* F set, M clear, node type and reserved bits of the original kept */
	assert_int_equal(c->flags, (orig->flags & ~NBT_DGRAM_FLAG_MORE) |
				   NBT_DGRAM_FLAG_FIRST);
	assert_false(nbt_dgram_is_fragment(c));
	assert_int_equal(c->id, orig->id);
	assert_int_equal(c->src_ip, orig->src_ip);
	assert_int_equal(c->src_port, orig->src_port);
	assert_int_equal(c->packet_offset, 0);
	assert_true(nbt_name_equal(&c->source, &orig->source));
	assert_true(nbt_name_equal(&c->dest, &orig->dest));
	assert_int_equal(c->user_data_len, orig->user_data_len);
	if (orig->user_data_len > 0)
		assert_memory_equal(c->user_data, orig->user_data,
				    orig->user_data_len);
	assert_int_equal(c->dgm_length, nbt_dgram_computed_length(orig));
	/* it owns its data */
	assert_ptr_not_equal(c->user_data, orig->user_data);
}

/* ------------------------------------------------------------------ */
/* nbt_dgram_fragment */

static void test_fragment_fits(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d, *f;
	size_t count, whole;

	make_dgram(&d, NBT_NODE_H, 0x1234, IP1, payload, 100);
	whole = nbt_dgram_encoded_len(&d);
	assert_int_equal(whole, 14 + 68 + 100);
	for (size_t max = whole; max < whole + 3; max++) {
		f = split(tmp, &d, max, &count);
		assert_int_equal(count, 1);
		assert_int_equal(f[0].flags, 0x0e); /* F, !M, H node */
		assert_false(nbt_dgram_is_fragment(&f[0]));
		assert_int_equal(f[0].packet_offset, 0);
		assert_int_equal(f[0].dgm_length, 68 + 100);
		assert_int_equal(f[0].user_data_len, 100);
		assert_memory_equal(f[0].user_data, payload, 100);
	}
	/* one byte less: two packets */
	f = split(tmp, &d, whole - 1, &count);
	assert_int_equal(count, 2);
	assert_int_equal(f[0].user_data_len, 99);
	assert_int_equal(f[1].user_data_len, 1);

	/* no user data at all */
	make_dgram(&d, NBT_NODE_B, 1, IP1, NULL, 0);
	f = split(tmp, &d, 83, &count);
	assert_int_equal(count, 1);
	assert_int_equal(f[0].flags, 0x02);
	assert_int_equal(f[0].user_data_len, 0);
	talloc_free(tmp);
}

static void test_fragment_two(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d, *f;
	size_t count;

	/* the shape of vectors/03 but split in half */
	make_dgram(&d, NBT_NODE_H, 0x8003, IP1, payload, 484);
	d.flags |= 0x10; /* a reserved bit: carried into every fragment */
	f = split(tmp, &d, 14 + 68 + 242, &count);
	assert_int_equal(count, 2);
	assert_int_equal(f[0].flags, 0x10 | 0x0c | 0x03);
	assert_int_equal(f[1].flags, 0x10 | 0x0c);
	assert_int_equal(f[0].packet_offset, 0);
	assert_int_equal(f[1].packet_offset, 242);
	for (size_t i = 0; i < 2; i++) {
		assert_true(nbt_dgram_is_fragment(&f[i]));
		assert_int_equal(f[i].type, d.type);
		assert_int_equal(f[i].id, 0x8003);
		assert_int_equal(f[i].src_ip, IP1);
		assert_int_equal(f[i].dgm_length, 68 + 242);
		assert_int_equal(f[i].user_data_len, 242);
		assert_true(nbt_name_equal(&f[i].source, &d.source));
		assert_true(nbt_name_equal(&f[i].dest, &d.dest));
		assert_memory_equal(f[i].user_data, payload + 242 * i, 242);
	}
	talloc_free(tmp);
}

static void test_fragment_many(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d, *f;
	size_t count, off = 0;

	make_dgram(&d, NBT_NODE_M, 7, IP1, payload, 1005);
	assert_codec(nbt_name_make(&d.dest, "WORKGROUP", 0x1d, "corp.example"),
		     CODEC_OK);
	/* names 34 + 47 = 81 bytes: 100 bytes of data per packet */
	f = split(tmp, &d, 14 + 81 + 100, &count);
	assert_int_equal(count, 11);
	for (size_t i = 0; i < count; i++) {
		uint8_t fm = f[i].flags & 0x03;
		size_t want_len = i + 1 < count ? 100 : 5;
		if (i == 0)
			assert_int_equal(fm, 0x03);
		else if (i + 1 < count)
			assert_int_equal(fm, 0x01);
		else
			assert_int_equal(fm, 0x00);
		assert_int_equal(f[i].flags & 0xfc, 0x08);
		assert_int_equal(f[i].packet_offset, off);
		assert_int_equal(f[i].user_data_len, want_len);
		assert_int_equal(f[i].dgm_length, 81 + want_len);
		assert_true(nbt_name_equal(&f[i].dest, &d.dest));
		assert_memory_equal(f[i].user_data, payload + off, want_len);
		off += want_len;
	}
	assert_int_equal(off, 1005);
	talloc_free(tmp);
}

static void test_fragment_invalid(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_dgram d;
	struct nbt_packet *pkts = NULL;
	size_t count = 0;

	make_dgram(&d, NBT_NODE_B, 1, IP1, payload, 10);
	for (size_t max = 0; max <= 82; max++)
		assert_codec(nbt_dgram_fragment(tmp, &d, max, &pkts, &count),
			     CODEC_ERR_INVALID_ARGUMENT);
	assert_null(pkts);
	/* 83: one byte of data per packet */
	assert_codec(nbt_dgram_fragment(tmp, &d, 83, &pkts, &count), CODEC_OK);
	assert_int_equal(count, 10);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(pkts[i].len, 83);
	/* only data types can be fragmented */
	d.type = NBT_DGRAM_ERROR;
	assert_codec(nbt_dgram_fragment(tmp, &d, 1000, &pkts, &count),
		     CODEC_ERR_INVALID_ARGUMENT);
	d.type = NBT_DGRAM_QUERY_REQUEST;
	assert_codec(nbt_dgram_fragment(tmp, &d, 1000, &pkts, &count),
		     CODEC_ERR_INVALID_ARGUMENT);
	d.type = NBT_DGRAM_BROADCAST;
	assert_codec(nbt_dgram_fragment(tmp, NULL, 1000, &pkts, &count),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_dgram_fragment(tmp, &d, 1000, NULL, &count),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_dgram_fragment(tmp, &d, 1000, &pkts, NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	talloc_free(tmp);
}

/* ------------------------------------------------------------------ */
/* reassembly */

static void test_reasm_in_order(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram d, *f, *c = NULL;
	struct nbt_reasm_stats s;
	size_t count;

	assert_non_null(r);
	make_dgram(&d, NBT_NODE_H, 0x4242, IP1, payload, 500);
	d.flags |= 0x20;
	f = split(tmp, &d, 14 + 68 + 200, &count);
	assert_int_equal(count, 3);
	for (size_t i = 0; i < count; i++) {
		assert_codec(nbt_reasm_add(r, &f[i], 1000 + i, tmp, &c),
			     CODEC_OK);
		s = stats_of(r);
		if (i + 1 < count) {
			assert_null(c);
			assert_int_equal(s.pending, 1);
			assert_true(s.bytes > 0);
		}
	}
	assert_complete_equals(c, &d);
	assert_int_equal(c->flags, 0x20 | 0x0c | 0x02);
	assert_ptr_equal(talloc_parent(c), tmp);
	s = stats_of(r);
	assert_int_equal(s.completed, 1);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.expired, 0);
	assert_int_equal(s.dropped_conflict, 0);
	/* the complete datagram encodes like the original */
	{
		size_t len = nbt_dgram_encoded_len(c);
		uint8_t *a = talloc_size(tmp, len), *b = talloc_size(tmp, len);
		assert_int_equal(len, nbt_dgram_encoded_len(&d));
		assert_codec(nbt_dgram_encode(c, a, len, NULL), CODEC_OK);
		assert_codec(nbt_dgram_encode(&d, b, len, NULL), CODEC_OK);
		assert_memory_equal(a, b, len);
	}
	talloc_free(tmp);
}

static void test_reasm_out_of_order(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram d, *f, *c = NULL;
	size_t count, order[8];

	make_dgram(&d, NBT_NODE_P, 1, IP1, payload, 780);
	f = split(tmp, &d, 14 + 68 + 100, &count);
	assert_int_equal(count, 8);

	/* last first, then backwards */
	for (size_t i = 0; i < count; i++) {
		assert_codec(nbt_reasm_add(r, &f[count - 1 - i], 0, tmp, &c),
			     CODEC_OK);
		if (i + 1 < count)
			assert_null(c);
	}
	assert_complete_equals(c, &d);

	/* 50 random permutations */
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < count; i++)
			order[i] = i;
		for (size_t i = count - 1; i > 0; i--) {
			size_t j = rng() % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < count; i++) {
			c = NULL;
			assert_codec(nbt_reasm_add(r, &f[order[i]], round, tmp,
						   &c), CODEC_OK);
			if (i + 1 < count)
				assert_null(c);
		}
		assert_complete_equals(c, &d);
		talloc_free(c);
	}
	assert_int_equal(stats_of(r).completed, 51);
	assert_int_equal(stats_of(r).pending, 0);
	talloc_free(tmp);
}

static void test_reasm_duplicates(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram d, *f, *c = NULL;
	size_t count;

	make_dgram(&d, NBT_NODE_B, 9, IP1, payload, 300);
	f = split(tmp, &d, 14 + 68 + 100, &count);
	assert_int_equal(count, 3);
	assert_codec(nbt_reasm_add(r, &f[0], 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &f[0], 0, tmp, &c), CODEC_OK);
	assert_null(c);
	assert_codec(nbt_reasm_add(r, &f[2], 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &f[2], 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &f[0], 0, tmp, &c), CODEC_OK);
	assert_null(c);
	assert_int_equal(stats_of(r).pending, 1);
	assert_codec(nbt_reasm_add(r, &f[1], 0, tmp, &c), CODEC_OK);
	assert_complete_equals(c, &d);
	assert_int_equal(stats_of(r).completed, 1);
	assert_int_equal(stats_of(r).dropped_conflict, 0);
	talloc_free(tmp);
}

static void test_reasm_overlap_identical(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram a, b, e, d, *c = NULL;

	make_frag(&a, 5, IP1, 0x03, 0, payload, 100);
	make_frag(&b, 5, IP1, 0x01, 50, payload, 100); /* 50..149 */
	make_frag(&e, 5, IP1, 0x00, 120, payload, 80); /* 120..199 */
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_null(c);
	assert_codec(nbt_reasm_add(r, &e, 0, tmp, &c), CODEC_OK);
	assert_null(c); /* 100..119 still missing */
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c), CODEC_OK);
	make_dgram(&d, NBT_NODE_B, 5, IP1, payload, 200);
	assert_complete_equals(c, &d);
	talloc_free(tmp);
}

static void test_reasm_overlap_conflict(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram a, b, e, *c = NULL;
	uint8_t other[200];
	struct nbt_reasm_stats s;

	memcpy(other, payload, sizeof(other));
	other[99] ^= 0xff; /* inside the overlap 50..99 */
	make_frag(&a, 5, IP1, 0x03, 0, payload, 100);
	make_frag(&b, 5, IP1, 0x01, 50, other, 100);
	make_frag(&e, 5, IP1, 0x00, 150, payload, 50);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c),
		     CODEC_ERR_FRAG_CONFLICT);
	assert_null(c);
	s = stats_of(r);
	assert_int_equal(s.dropped_conflict, 1);
	assert_int_equal(s.pending, 0); /* the whole datagram is gone */
	assert_int_equal(s.bytes, 0);
	/* the rest cannot complete it any more */
	assert_codec(nbt_reasm_add(r, &e, 0, tmp, &c), CODEC_OK);
	assert_null(c);
	assert_int_equal(stats_of(r).pending, 1);

	/* a change outside the overlap is not a conflict */
	r = nbt_reasm_create(tmp, NULL);
	memcpy(other, payload, sizeof(other));
	other[100] ^= 0xff;
	make_frag(&b, 6, IP1, 0x01, 50, other, 100);
	make_frag(&a, 6, IP1, 0x03, 0, payload, 100);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c), CODEC_OK);

	/* two "last" fragments that disagree on the end */
	r = nbt_reasm_create(tmp, NULL);
	make_frag(&a, 7, IP1, 0x00, 100, payload, 50);
	make_frag(&b, 7, IP1, 0x00, 100, payload, 60);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c),
		     CODEC_ERR_FRAG_CONFLICT);
	/* data beyond the known end */
	make_frag(&a, 8, IP1, 0x00, 100, payload, 50);
	make_frag(&b, 8, IP1, 0x01, 120, payload, 50);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c),
		     CODEC_ERR_FRAG_CONFLICT);
	/* a "last" fragment ending before data already seen */
	make_frag(&a, 9, IP1, 0x01, 100, payload, 50);
	make_frag(&b, 9, IP1, 0x00, 50, payload, 50);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c),
		     CODEC_ERR_FRAG_CONFLICT);
	s = stats_of(r);
	assert_int_equal(s.dropped_conflict, 3);
	assert_int_equal(s.pending, 0);
	talloc_free(tmp);
}

static void test_reasm_bad_first(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram a, b, *c = NULL;

	/* F|M at offset 10, fresh */
	make_frag(&a, 1, IP1, 0x03, 10, payload, 50);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_BAD_FIRST);
	assert_int_equal(stats_of(r).pending, 0);
	/* after a good fragment: the entry is dropped */
	make_frag(&b, 2, IP1, 0x00, 100, payload, 50);
	make_frag(&a, 2, IP1, 0x03, 1, payload, 99);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c), CODEC_OK);
	assert_int_equal(stats_of(r).pending, 1);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_BAD_FIRST);
	assert_null(c);
	assert_int_equal(stats_of(r).pending, 0);
	assert_int_equal(stats_of(r).dropped_conflict, 2);
	talloc_free(tmp);
}

static void test_reasm_name_mismatch(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram a, b, *c = NULL;

	for (int which = 0; which < 4; which++) {
		make_frag(&a, (uint16_t)which, IP1, 0x03, 0, payload, 100);
		make_frag(&b, (uint16_t)which, IP1, 0x00, 100, payload, 10);
		switch (which) {
		case 0:
			assert_codec(nbt_name_make(&b.dest, "OTHER", 0, NULL),
				     CODEC_OK);
			break;
		case 1:
			assert_codec(nbt_name_make(&b.source, "MYHOST", 0x20,
						   NULL), CODEC_OK);
			break;
		case 2:
			assert_codec(nbt_name_make(&b.dest, "TARGET", 0,
						   "scope"), CODEC_OK);
			break;
		case 3: /* swapped */
			b.source = a.dest;
			b.dest = a.source;
			break;
		}
		assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
		assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c),
			     CODEC_ERR_FRAG_NAME_MISMATCH);
		assert_null(c);
		assert_int_equal(stats_of(r).pending, 0);
	}
	/* scope case does not matter */
	make_frag(&a, 9, IP1, 0x03, 0, payload, 100);
	make_frag(&b, 9, IP1, 0x00, 100, payload, 10);
	assert_codec(nbt_name_make(&a.dest, "TARGET", 0, "Corp"), CODEC_OK);
	assert_codec(nbt_name_make(&b.dest, "TARGET", 0, "cORP"), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c), CODEC_OK);
	assert_non_null(c);
	assert_int_equal(c->user_data_len, 110);
	assert_int_equal(stats_of(r).dropped_conflict, 4);
	talloc_free(tmp);
}

static void test_reasm_not_a_fragment(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram d, *c = (struct nbt_dgram *)&d;
	struct nbt_reasm_stats s;

	make_dgram(&d, NBT_NODE_H, 1, IP1, payload, 10);
	assert_codec(nbt_reasm_add(r, &d, 0, tmp, &c),
		     CODEC_ERR_FRAG_NOT_A_FRAGMENT);
	assert_null(c);
	d.flags = 0x00;
	d.type = NBT_DGRAM_ERROR;
	assert_codec(nbt_reasm_add(r, &d, 0, tmp, &c),
		     CODEC_ERR_FRAG_NOT_A_FRAGMENT);
	d.type = NBT_DGRAM_NEGATIVE_QUERY_RESPONSE;
	assert_codec(nbt_reasm_add(r, &d, 0, tmp, &c),
		     CODEC_ERR_FRAG_NOT_A_FRAGMENT);
	d.type = 0x20;
	assert_codec(nbt_reasm_add(r, &d, 0, tmp, &c),
		     CODEC_ERR_FRAG_NOT_A_FRAGMENT);
	s = stats_of(r);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.dropped_conflict + s.dropped_full +
			 s.dropped_too_large + s.completed, 0);
	assert_codec(nbt_reasm_add(NULL, &d, 0, tmp, &c),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_reasm_add(r, NULL, 0, tmp, &c),
		     CODEC_ERR_INVALID_ARGUMENT);
	assert_codec(nbt_reasm_add(r, &d, 0, tmp, NULL),
		     CODEC_ERR_INVALID_ARGUMENT);
	talloc_free(tmp);
}

static void test_reasm_too_large(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = reasm_new(tmp, 4, 1 << 20, 1000, 2000);
	struct nbt_dgram a, b, *c = NULL;

	make_frag(&a, 1, IP1, 0x00, 990, payload, 11);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_TOO_LARGE);
	assert_int_equal(stats_of(r).dropped_too_large, 1);
	assert_int_equal(stats_of(r).pending, 0);
	/* offset beyond the limit with no data */
	make_frag(&a, 1, IP1, 0x01, 1001, payload, 0);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_TOO_LARGE);
	/* exactly the limit: fine */
	make_frag(&a, 1, IP1, 0x03, 0, payload, 990);
	make_frag(&b, 1, IP1, 0x00, 990, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c), CODEC_OK);
	assert_non_null(c);
	assert_int_equal(c->user_data_len, 1000);
	assert_memory_equal(c->user_data, payload, 1000);
	assert_int_equal(stats_of(r).dropped_too_large, 2);

	/* the default limit is 2048 */
	r = nbt_reasm_create(tmp, NULL);
	make_frag(&a, 1, IP1, 0x00, 2000, payload, 49);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_TOO_LARGE);
	make_frag(&a, 1, IP1, 0x00, 2000, payload, 48);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	talloc_free(tmp);
}

static void test_reasm_table_full_count(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = reasm_new(tmp, 3, 1 << 20, 512, 2000);
	struct nbt_dgram a, b, *c = NULL;
	struct nbt_reasm_stats s;

	for (uint16_t id = 1; id <= 3; id++) {
		make_frag(&a, id, IP1, 0x03, 0, payload, 10);
		assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	}
	make_frag(&a, 4, IP1, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_TABLE_FULL);
	s = stats_of(r);
	assert_int_equal(s.pending, 3);
	assert_int_equal(s.dropped_full, 1);
	/* same key from another IP is another datagram: also full */
	make_frag(&a, 1, IP2, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_TABLE_FULL);
	/* fragments of pending datagrams still get in and complete */
	make_frag(&b, 2, IP1, 0x00, 10, payload, 5);
	assert_codec(nbt_reasm_add(r, &b, 0, tmp, &c), CODEC_OK);
	assert_non_null(c);
	assert_int_equal(stats_of(r).pending, 2);
	/* which frees a slot */
	make_frag(&a, 4, IP1, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_int_equal(stats_of(r).pending, 3);
	assert_int_equal(stats_of(r).dropped_full, 2);
	talloc_free(tmp);
}

static void test_reasm_table_full_bytes(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	/* each entry costs max_user_data + a bit per byte: 100 + 13 */
	struct nbt_reasm *r = reasm_new(tmp, 100, 2 * 113, 100, 2000);
	struct nbt_dgram a, *c = NULL;
	struct nbt_reasm_stats s;

	make_frag(&a, 1, IP1, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_int_equal(stats_of(r).bytes, 113);
	make_frag(&a, 2, IP1, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	make_frag(&a, 3, IP1, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
		     CODEC_ERR_FRAG_TABLE_FULL);
	s = stats_of(r);
	assert_int_equal(s.pending, 2);
	assert_int_equal(s.bytes, 226);
	assert_int_equal(s.dropped_full, 1);
	assert_true(s.bytes <= 226);

	/* the defaults: an entry costs 2048 + 256 bytes, and the byte
	 * bound holds exactly max_pending (64) of them */
	r = nbt_reasm_create(tmp, NULL);
	{
		const size_t fit = 64;
		for (uint16_t id = 0; id < fit; id++) {
			make_frag(&a, id, IP1, 0x03, 0, payload, 1);
			assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
				     CODEC_OK);
		}
		make_frag(&a, 1000, IP1, 0x03, 0, payload, 1);
		assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c),
			     CODEC_ERR_FRAG_TABLE_FULL);
		s = stats_of(r);
		assert_int_equal(s.pending, fit);
		assert_int_equal(s.bytes, 64 * (2048 + 256));
	}
	talloc_free(tmp);
}

static void test_reasm_timeout(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = reasm_new(tmp, 8, 1 << 20, 512, 2000);
	struct nbt_dgram a, b, x, *c = NULL;
	struct nbt_reasm_stats s;
	struct nbt_reasm_limits def;

	nbt_reasm_limits_default(&def);
	assert_int_equal(def.timeout_ms, 2000);
	assert_int_equal(def.max_pending, 64);
	assert_int_equal(def.max_bytes, 64 * (2048 + 256));
	assert_int_equal(def.max_user_data, 2048);

	make_frag(&a, 1, IP1, 0x03, 0, payload, 100);
	make_frag(&b, 1, IP1, 0x00, 100, payload, 20);

	/* explicit expiry */
	assert_codec(nbt_reasm_add(r, &a, 10000, tmp, &c), CODEC_OK);
	assert_int_equal(nbt_reasm_expire(r, 10000), 0);
	assert_int_equal(nbt_reasm_expire(r, 11999), 0);
	assert_int_equal(stats_of(r).pending, 1);
	assert_int_equal(nbt_reasm_expire(r, 12000), 1);
	s = stats_of(r);
	assert_int_equal(s.pending, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.expired, 1);
	/* the late fragment starts a new datagram and does not complete */
	assert_codec(nbt_reasm_add(r, &b, 12001, tmp, &c), CODEC_OK);
	assert_null(c);
	assert_int_equal(stats_of(r).pending, 1);
	assert_int_equal(nbt_reasm_expire(r, 14001), 1);

	/* implicit expiry inside add: another datagram's fragment */
	assert_codec(nbt_reasm_add(r, &a, 20000, tmp, &c), CODEC_OK);
	make_frag(&x, 2, IP2, 0x03, 0, payload, 10);
	assert_codec(nbt_reasm_add(r, &x, 22500, tmp, &c), CODEC_OK);
	s = stats_of(r);
	assert_int_equal(s.expired, 3);
	assert_int_equal(s.pending, 1); /* only x's */
	/* a's last fragment, late: no completion */
	assert_codec(nbt_reasm_add(r, &b, 22500, tmp, &c), CODEC_OK);
	assert_null(c);

	/* just in time completes; the deadline counts from the first
	 * fragment seen, not the latest */
	r = reasm_new(tmp, 8, 1 << 20, 512, 2000);
	make_frag(&x, 1, IP1, 0x01, 100, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &x, 1500, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 1999, tmp, &c), CODEC_OK);
	assert_non_null(c);
	assert_int_equal(c->user_data_len, 120);
	assert_int_equal(stats_of(r).completed, 1);
	make_frag(&x, 1, IP1, 0x01, 100, payload, 10);
	assert_codec(nbt_reasm_add(r, &a, 3000, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &x, 4500, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &b, 5000, tmp, &c), CODEC_OK);
	assert_null(c);
	assert_int_equal(stats_of(r).expired, 1);

	/* the real clock is monotonic */
	{
		uint64_t t1 = nbt_reasm_now_ms(), t2 = nbt_reasm_now_ms();
		assert_true(t2 >= t1);
		assert_true(t1 > 0);
	}
	talloc_free(tmp);
}

static void test_reasm_same_id_two_sources(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(tmp, NULL);
	struct nbt_dgram d1, d2, *f1, *f2, *c = NULL;
	size_t n1, n2;

	make_dgram(&d1, NBT_NODE_B, 77, IP1, payload, 300);
	make_dgram(&d2, NBT_NODE_H, 77, IP2, payload + 1000, 300);
	f1 = split(tmp, &d1, 14 + 68 + 150, &n1);
	f2 = split(tmp, &d2, 14 + 68 + 150, &n2);
	assert_int_equal(n1, 2);
	assert_int_equal(n2, 2);
	assert_codec(nbt_reasm_add(r, &f1[0], 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &f2[1], 0, tmp, &c), CODEC_OK);
	assert_int_equal(stats_of(r).pending, 2);
	assert_codec(nbt_reasm_add(r, &f2[0], 0, tmp, &c), CODEC_OK);
	assert_complete_equals(c, &d2);
	assert_codec(nbt_reasm_add(r, &f1[1], 0, tmp, &c), CODEC_OK);
	assert_complete_equals(c, &d1);
	assert_int_equal(stats_of(r).completed, 2);

	/* and different IDs from one source too */
	d2.src_ip = IP1;
	d2.id = 78;
	f2 = split(tmp, &d2, 14 + 68 + 150, &n2);
	assert_codec(nbt_reasm_add(r, &f2[1], 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &f1[1], 0, tmp, &c), CODEC_OK);
	assert_codec(nbt_reasm_add(r, &f1[0], 0, tmp, &c), CODEC_OK);
	assert_complete_equals(c, &d1);
	assert_codec(nbt_reasm_add(r, &f2[0], 0, tmp, &c), CODEC_OK);
	assert_complete_equals(c, &d2);
	talloc_free(tmp);
}

static void test_reasm_free_pending(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	TALLOC_CTX *out = talloc_new(NULL);
	struct nbt_reasm *r = nbt_reasm_create(ctx, NULL);
	struct nbt_dgram a, b, *c = NULL;

	for (uint16_t id = 0; id < 20; id++) {
		make_frag(&a, id, IP1, 0x03, 0, payload, 100);
		assert_codec(nbt_reasm_add(r, &a, 0, out, &c), CODEC_OK);
	}
	/* one completes; its result lives on `out`, not in the reasm */
	make_frag(&b, 0, IP1, 0x00, 100, payload, 5);
	assert_codec(nbt_reasm_add(r, &b, 0, out, &c), CODEC_OK);
	assert_non_null(c);
	assert_int_equal(stats_of(r).pending, 19);
	assert_true(talloc_total_size(ctx) > 19 * 2048);
	talloc_free(r);
	if (talloc_total_size(ctx) != 0 || talloc_total_blocks(ctx) != 1) {
		talloc_report_full(ctx, stderr);
		fail();
	}
	/* the completed datagram survived */
	assert_int_equal(c->user_data_len, 105);
	assert_memory_equal(c->user_data, payload, 105);
	talloc_free(out);
	talloc_free(ctx);
}

/* ------------------------------------------------------------------ */
/* captures */

static struct pcap_udp_packet *load(TALLOC_CTX *mem_ctx, const char *path,
				    size_t *count)
{
	struct pcap_udp_packet *p = NULL;
	char err[PCAP_ERRBUF_SIZE] = "";

	if (pcap_file_read_udp(mem_ctx, path, &p, count, err) != 0) {
		print_error("%s: %s\n", path, err);
		fail();
	}
	return p;
}

/* Reassemble all packets of a capture (as fragments); returns the one
 * complete datagram.  reverse: feed them last first. */
static struct nbt_dgram *reassemble(TALLOC_CTX *mem_ctx,
				    struct pcap_udp_packet *p, size_t n,
				    bool reverse)
{
	struct nbt_reasm *r = nbt_reasm_create(mem_ctx, NULL);
	struct nbt_dgram *done = NULL;

	for (size_t k = 0; k < n; k++) {
		size_t i = reverse ? n - 1 - k : k;
		struct nbt_dgram f, *c = NULL;
		uint8_t *copy = talloc_memdup(mem_ctx, p[i].data, p[i].len);

		assert_codec(nbt_dgram_decode(copy, p[i].len, &f), CODEC_OK);
		assert_true(nbt_dgram_is_fragment(&f));
		assert_codec(nbt_reasm_add(r, &f, 100 + k, mem_ctx, &c),
			     CODEC_OK);
		if (k + 1 < n)
			assert_null(c);
		done = c;
	}
	assert_non_null(done);
	assert_int_equal(stats_of(r).pending, 0);
	return done;
}

static void test_vectors_03(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	struct pcap_udp_packet *frags, *whole;
	size_t nf, nw;
	char *dir;
	struct stat st;

	dir = talloc_asprintf(tmp, "%s/vectors",
			      shared != NULL ? shared : "../shared");
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		printf("SKIP: %s does not exist (set MAILSLOT_SHARED_DIR)\n",
		       dir);
		talloc_free(tmp);
		skip();
	}
	frags = load(tmp, talloc_asprintf(tmp, "%s/03_two_fragment_datagram"
					  ".pcap", dir), &nf);
	whole = load(tmp, talloc_asprintf(tmp, "%s/03b_two_fragment_"
					  "reassembled.pcap", dir), &nw);
	assert_int_equal(nf, 2);
	assert_int_equal(nw, 1);
	for (int reverse = 0; reverse < 2; reverse++) {
		struct nbt_dgram *c = reassemble(tmp, frags, nf, reverse);
		size_t len = nbt_dgram_encoded_len(c);
		uint8_t *enc = talloc_size(tmp, len);

		assert_int_equal(c->flags, 0x02);
		assert_int_equal(c->id, 0x8003);
		assert_int_equal(c->user_data_len, 484);
		assert_int_equal(c->dgm_length, 552);
		assert_int_equal(len, whole[0].len);
		assert_codec(nbt_dgram_encode(c, enc, len, NULL), CODEC_OK);
		assert_memory_equal(enc, whole[0].data, len);
	}
	talloc_free(tmp);
}

static void test_demo_fragments(void **state)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *src = getenv("MAILSLOT_SOURCE_DIR");
	struct pcap_udp_packet *frags;
	struct smb_mailslot_write w;
	struct nbt_dgram *c;
	size_t nf;

	/* part of the source tree: its absence is a failure, not a skip */
	frags = load(tmp, talloc_asprintf(tmp, "%s/torture/vectors/"
					  "demo-fragments.pcap",
					  src != NULL ? src : ".."), &nf);
	assert_int_equal(nf, 2);
	for (int reverse = 0; reverse < 2; reverse++) {
		c = reassemble(tmp, frags, nf, reverse);
		assert_int_equal(c->id, 0x8300);
		assert_int_equal(c->flags, 0x02);
		assert_int_equal(c->user_data_len, 484);
		assert_codec(smb_mailslot_decode(c->user_data,
						 c->user_data_len, &w),
			     CODEC_OK);
		assert_int_equal(w.name_len, 14);
		assert_memory_equal(w.name, "\\MAILSLOT\\TEST", 14);
		assert_int_equal(w.data_len, 400);
		for (size_t i = 0; i < 400; i++)
			assert_int_equal(w.data[i], 'A' + i % 26);
	}
	talloc_free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragment_fits),
		cmocka_unit_test(test_fragment_two),
		cmocka_unit_test(test_fragment_many),
		cmocka_unit_test(test_fragment_invalid),
		cmocka_unit_test(test_reasm_in_order),
		cmocka_unit_test(test_reasm_out_of_order),
		cmocka_unit_test(test_reasm_duplicates),
		cmocka_unit_test(test_reasm_overlap_identical),
		cmocka_unit_test(test_reasm_overlap_conflict),
		cmocka_unit_test(test_reasm_bad_first),
		cmocka_unit_test(test_reasm_name_mismatch),
		cmocka_unit_test(test_reasm_not_a_fragment),
		cmocka_unit_test(test_reasm_too_large),
		cmocka_unit_test(test_reasm_table_full_count),
		cmocka_unit_test(test_reasm_table_full_bytes),
		cmocka_unit_test(test_reasm_timeout),
		cmocka_unit_test(test_reasm_same_id_two_sources),
		cmocka_unit_test(test_reasm_free_pending),
		cmocka_unit_test(test_vectors_03),
		cmocka_unit_test(test_demo_fragments),
	};

	return cmocka_run_group_tests_name("nbt_frag", tests, setup_payload,
					   NULL);
}
