/*
 * Hostile input: every vector truncated at every length, every length
 * field corrupted, every byte changed.  Decoders must return an error or
 * views that lie inside the input, never crash (this suite also runs under
 * ASan/UBSan, and every input is copied into an exactly-sized buffer so an
 * over-read is caught).  Length fields the packet can contradict
 * (DGM_LENGTH, ByteCount, TotalDataCount) must not change the result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nbt/byteorder.h"
#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "tools/demo_frames.h"
#include "torture_util.h"

struct decoded {
	enum codec_error err;	/* first error on the way, CODEC_OK if none */
	struct nbt_dgram d;
	struct smb_mailslot_write w;
	bool has_smb;
};

static bool view_inside(const void *p, size_t len, const uint8_t *buf,
			size_t buflen)
{
	const uint8_t *v = p;
	return (len == 0 && p == NULL) ||
	       (v >= buf && v <= buf + buflen && len <= (size_t)(buf + buflen - v));
}

/* Decode the datagram and, for a whole data datagram, its SMB write. */
static void pipeline(const uint8_t *buf, size_t len, struct decoded *o)
{
	memset(o, 0, sizeof(*o));
	o->err = nbt_dgram_decode(buf, len, &o->d);
	if (o->err != CODEC_OK)
		return;
	assert_true(view_inside(o->d.user_data, o->d.user_data_len, buf, len));
	if (!nbt_dgram_type_is_data(o->d.type) || nbt_dgram_is_fragment(&o->d))
		return;
	o->err = smb_mailslot_decode(o->d.user_data, o->d.user_data_len,
				     &o->w);
	if (o->err != CODEC_OK)
		return;
	o->has_smb = true;
	assert_true(view_inside(o->w.name, o->w.name_len + 1, o->d.user_data,
				o->d.user_data_len));
	assert_true(view_inside(o->w.data, o->w.data_len, o->d.user_data,
				o->d.user_data_len));
	assert_true(o->w.name[o->w.name_len] == '\0');
}

/*
 * Decode a private, exactly-sized copy (so ASan sees any over-read).  The
 * views in *o point into the copy, so it lives until the next call
 * (valgrind saw a caller compare o->w.data after it was freed).
 */
static void pipeline_copy(const uint8_t *src, size_t len, struct decoded *o)
{
	static uint8_t *copy;

	TALLOC_FREE(copy);
	copy = talloc_memdup(NULL, src, len ? len : 1);
	assert_non_null(copy);
	pipeline(len ? copy : NULL, len, o);
}

struct corpus {
	struct pcap_udp_packet *pkts;
	size_t n;
};

static void corpus_add_file(TALLOC_CTX *mem_ctx, struct corpus *c,
			    const char *path)
{
	struct pcap_udp_packet *p;
	size_t n;

	p = torture_pcap_load(mem_ctx, path, &n);
	c->pkts = talloc_realloc(mem_ctx, c->pkts, struct pcap_udp_packet,
				 c->n + n);
	assert_non_null(c->pkts);
	memcpy(c->pkts + c->n, p, n * sizeof(*p));
	c->n += n;
}

/* The project's vectors always; ../shared's when present. */
static struct corpus *corpus_load(TALLOC_CTX *mem_ctx)
{
	struct corpus *c = talloc_zero(mem_ctx, struct corpus);
	const char *dir = torture_shared_vectors(mem_ctx);

	corpus_add_file(mem_ctx, c, torture_source_path(mem_ctx,
			"torture/vectors/demo.pcap"));
	corpus_add_file(mem_ctx, c, torture_source_path(mem_ctx,
			"torture/vectors/demo-fragments.pcap"));
	if (dir == NULL) {
		print_message("note: ../shared/vectors absent; project vectors "
			      "only\n");
		return c;
	}
	for (size_t i = 0; torture_shared_vector_files[i] != NULL; i++)
		corpus_add_file(mem_ctx, c, talloc_asprintf(mem_ctx, "%s/%s",
				dir, torture_shared_vector_files[i]));
	return c;
}

static void test_truncation(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct corpus *c = corpus_load(mem_ctx);
	size_t runs = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct pcap_udp_packet *p = &c->pkts[i];
		struct decoded full, cut;

		pipeline_copy(p->data, p->len, &full);
		assert_int_equal(full.err, CODEC_OK);
		for (size_t len = 0; len < p->len; len++, runs++) {
			pipeline_copy(p->data, len, &cut);
			/* Only a fragment's data may be cut without notice:
			 * nothing in it says how long it is. */
			if (nbt_dgram_type_is_data(full.d.type) &&
			    nbt_dgram_is_fragment(&full.d) &&
			    cut.err == CODEC_OK)
				continue;
			if (cut.err == CODEC_OK && full.has_smb &&
			    full.w.data_len == 0)
				continue; /* nothing after the name to lose */
			assert_int_not_equal(cut.err, CODEC_OK);
		}
	}
	print_message("%zu datagrams, %zu truncated decodes, all refused\n",
		      c->n, runs);
	talloc_free(mem_ctx);
}

/* Offsets of the SMB fields inside USER_DATA. */
enum { SMB_WCT = 32, SMB_TPC = 33, SMB_TDC = 35, SMB_MPC = 37,
       SMB_PC = 51, SMB_PO = 53, SMB_DC = 55, SMB_DO = 57, SMB_SC = 59,
       SMB_BCC = 67 };

static void put16(uint8_t *p, bool be, uint16_t v)
{
	if (be)
		put_be16(p, v);
	else
		put_le16(p, v);
}

static void test_length_fields(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct corpus *c = corpus_load(mem_ctx);
	static const uint16_t values[] = { 0, 1, 2, 0x20, 0x7f, 0x80, 0xff,
					   0x100, 0x7fff, 0xfffe, 0xffff };
	size_t runs = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct pcap_udp_packet *p = &c->pkts[i];
		uint8_t *buf = talloc_memdup(mem_ctx, p->data, p->len);
		struct decoded full, bad;
		size_t udata, src_len, dst_len;

		pipeline(p->data, p->len, &full);
		if (!nbt_dgram_type_is_data(full.d.type))
			continue;
		src_len = nbt_name_encoded_len(&full.d.source);
		dst_len = nbt_name_encoded_len(&full.d.dest);
		udata = NBT_DGRAM_HEADER_LEN + src_len + dst_len;

		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			uint16_t val = values[v];

			/* DGM_LENGTH: reported, never trusted */
			memcpy(buf, p->data, p->len);
			put_be16(buf + 10, val);
			pipeline_copy(buf, p->len, &bad);
			assert_int_equal(bad.err, CODEC_OK);
			assert_int_equal(bad.d.dgm_length, val);
			assert_int_equal(bad.d.user_data_len,
					 full.d.user_data_len);
			runs++;

			/* each name's first length byte must be 0x20 */
			for (size_t off = NBT_DGRAM_HEADER_LEN;
			     off < udata; off += src_len) {
				memcpy(buf, p->data, p->len);
				buf[off] = (uint8_t)val;
				pipeline_copy(buf, p->len, &bad);
				if ((uint8_t)val != 0x20)
					assert_int_not_equal(bad.err, CODEC_OK);
				runs++;
				if (src_len != dst_len)
					break;
			}
			if (!full.has_smb)
				continue;

			/* ignored by [MS-MAIL] receivers: same result */
			static const size_t ignored[] = { SMB_TPC, SMB_TDC,
							  SMB_MPC, SMB_PC,
							  SMB_PO, SMB_BCC };
			for (size_t f = 0; f < 6; f++) {
				memcpy(buf, p->data, p->len);
				put16(buf + udata + ignored[f], false, val);
				pipeline_copy(buf, p->len, &bad);
				assert_int_equal(bad.err, CODEC_OK);
				assert_int_equal(bad.w.data_len, full.w.data_len);
				assert_memory_equal(bad.w.data == NULL ? (const uint8_t *)"" : bad.w.data,
						    full.w.data == NULL ? (const uint8_t *)"" : full.w.data,
						    full.w.data_len);
				runs++;
			}

			/* WordCount and SetupCount must be exact */
			memcpy(buf, p->data, p->len);
			buf[udata + SMB_WCT] = (uint8_t)val;
			pipeline_copy(buf, p->len, &bad);
			if ((uint8_t)val != 17)
				assert_int_equal(bad.err,
						 CODEC_ERR_SMB_BAD_WORD_COUNT);
			memcpy(buf, p->data, p->len);
			buf[udata + SMB_SC] = (uint8_t)val;
			pipeline_copy(buf, p->len, &bad);
			if ((uint8_t)val != 3)
				assert_int_equal(bad.err,
						 CODEC_ERR_SMB_BAD_SETUP_COUNT);

			/* DataOffset / DataCount: in bounds or refused */
			for (size_t f = SMB_DC; f <= SMB_DO; f += 2) {
				size_t smb_len = p->len - udata;
				memcpy(buf, p->data, p->len);
				put_le16(buf + udata + f, val);
				pipeline_copy(buf, p->len, &bad);
				size_t doff = f == SMB_DO ? val : full.w.wire.data_offset;
				size_t dc = f == SMB_DC ? val : full.w.wire.data_count;
				if (doff + dc > smb_len)
					assert_int_equal(bad.err,
						 CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS);
				runs += 3;
			}
		}
	}
	print_message("%zu corrupted-length decodes checked\n", runs);
	talloc_free(mem_ctx);
}

/* Every byte of every vector set to several values: never a crash. */
static void test_byte_changes(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct corpus *c = corpus_load(mem_ctx);
	static const uint8_t values[] = { 0x00, 0x01, 0x20, 0x3f, 0x40, 0x7f,
					  0x80, 0xc0, 0xff };
	size_t runs = 0, refused = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct pcap_udp_packet *p = &c->pkts[i];
		uint8_t *buf = talloc_memdup(mem_ctx, p->data, p->len);

		for (size_t off = 0; off < p->len; off++) {
			for (size_t v = 0; v < sizeof(values); v++) {
				struct decoded o;
				memcpy(buf, p->data, p->len);
				buf[off] = values[v];
				pipeline_copy(buf, p->len, &o);
				refused += o.err != CODEC_OK;
				runs++;
			}
		}
	}
	print_message("%zu changed datagrams decoded, %zu refused, no crash\n",
		      runs, refused);
	assert_true(refused > 0);
	talloc_free(mem_ctx);
}

/* Names built to burn CPU or recurse: rejected, and quickly. */
static void test_pathological_names(void **state)
{
	uint8_t buf[600];
	struct nbt_name n;
	size_t pos = 0;

	buf[pos++] = 0x20;
	memset(buf + pos, 'A', 32);
	pos += 32;
	for (int i = 0; i < 127; i++) {	/* 127 one-byte labels */
		buf[pos++] = 1;
		buf[pos++] = 'x';
	}
	buf[pos++] = 0;
	assert_int_equal(nbt_name_decode(buf, pos, &n, NULL),
			 CODEC_ERR_NAME_TOO_MANY_LABELS);

	/* a label pointer to itself, and a pointer as the first byte */
	buf[33] = 0xc0;
	buf[34] = 33;
	assert_int_equal(nbt_name_decode(buf, 35, &n, NULL),
			 CODEC_ERR_NAME_POINTER);
	buf[0] = 0xc0;
	buf[1] = 0x00;
	assert_int_equal(nbt_name_decode(buf, 2, &n, NULL),
			 CODEC_ERR_NAME_POINTER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_length_fields),
		cmocka_unit_test(test_byte_changes),
		cmocka_unit_test(test_pathological_names),
	};
	return cmocka_run_group_tests_name("robustness", tests, NULL, NULL);
}
