/*
 * NetBIOS name service codec (nbt/nbt_ns.h): builders round-trip, hand-
 * written packets with label pointers and bad records, truncation and
 * byte changes everywhere, every port-137 packet of the Samba captures
 * in ../shared, and tshark's view of a broad generated set (and of the
 * captures) against ours, field by field.
 */
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

#include "nbt/nbt_ns.h"
#include "tools/pcap_frame.h"
#include "tools/tshark_fields.h"
#include "torture_util.h"

static const uint8_t unit_id[6] = { 0x00, 0x15, 0x5d, 0x01, 0x02, 0x03 };

static struct nbt_name make_name(const char *text, uint8_t suffix,
				 const char *scope)
{
	struct nbt_name n;

	assert_int_equal(nbt_name_make(&n, text, suffix, scope), CODEC_OK);
	return n;
}

static uint8_t *encode(TALLOC_CTX *mem_ctx, const struct nbt_ns_packet *p,
		       size_t *len)
{
	size_t need = nbt_ns_encoded_len(p), used = 0;
	uint8_t *buf;

	assert_true(need >= NBT_NS_HEADER_LEN);
	buf = talloc_size(mem_ctx, need);
	assert_non_null(buf);
	assert_int_equal(nbt_ns_encode(p, buf, need, &used), CODEC_OK);
	assert_int_equal(used, need);
	*len = need;
	return buf;
}

static void rr_equal(const struct nbt_ns_rr *a, const struct nbt_ns_rr *b)
{
	assert_true(nbt_name_equal(&a->name, &b->name));
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->rr_class, b->rr_class);
	assert_int_equal(a->ttl, b->ttl);
	if (a->type == NBT_NS_TYPE_NB) {
		assert_int_equal(a->num_addrs, b->num_addrs);
		for (size_t i = 0; i < a->num_addrs; i++) {
			assert_int_equal(a->addrs[i].nb_flags,
					 b->addrs[i].nb_flags);
			assert_int_equal(a->addrs[i].ip, b->addrs[i].ip);
		}
	} else if (a->type == NBT_NS_TYPE_NBSTAT) {
		assert_int_equal(a->num_names, b->num_names);
		for (size_t i = 0; i < a->num_names; i++) {
			assert_memory_equal(a->names[i].raw, b->names[i].raw,
					    NBT_NAME_LEN);
			assert_int_equal(a->names[i].flags, b->names[i].flags);
		}
		assert_memory_equal(a->unit_id, b->unit_id, 6);
	} else {
		assert_int_equal(a->rdlength, b->rdlength);
		if (a->rdlength > 0)
			assert_memory_equal(a->rdata, b->rdata, a->rdlength);
	}
}

/* Every field of a (what was built) equals b (what was decoded). */
static void packet_equal(const struct nbt_ns_packet *a,
			 const struct nbt_ns_packet *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->response, b->response);
	assert_int_equal(a->opcode, b->opcode);
	assert_int_equal(a->nm_flags, b->nm_flags);
	assert_int_equal(a->rcode, b->rcode);
	assert_int_equal(a->has_question, b->has_question);
	if (a->has_question) {
		assert_true(nbt_name_equal(&a->question_name,
					   &b->question_name));
		assert_int_equal(a->question_type, b->question_type);
		assert_int_equal(a->question_class, b->question_class);
	}
	assert_int_equal(a->has_answer, b->has_answer);
	if (a->has_answer)
		rr_equal(&a->answer, &b->answer);
	assert_int_equal(a->has_authority, b->has_authority);
	if (a->has_authority)
		rr_equal(&a->authority, &b->authority);
	assert_int_equal(a->has_additional, b->has_additional);
	if (a->has_additional)
		rr_equal(&a->additional, &b->additional);
}

static void round_trip(TALLOC_CTX *mem_ctx, const struct nbt_ns_packet *p)
{
	struct nbt_ns_packet d;
	size_t len;
	uint8_t *buf = encode(mem_ctx, p, &len);

	assert_int_equal(nbt_ns_decode(buf, len, &d), CODEC_OK);
	packet_equal(p, &d);
}

/* ---- builders ---- */

static void test_build_query(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_name n = make_name("MSLDOM", 0x1c, "");
	struct nbt_ns_packet p;
	size_t len;
	uint8_t *buf;

	nbt_ns_build_query(&p, 0x1234, &n, true);
	assert_false(p.response);
	assert_int_equal(p.opcode, NBT_NS_OP_QUERY);
	assert_int_equal(p.nm_flags, NBT_NS_NM_RD | NBT_NS_NM_B);
	assert_true(p.has_question);
	assert_false(p.has_answer || p.has_authority || p.has_additional);
	assert_int_equal(p.question_type, NBT_NS_TYPE_NB);
	assert_int_equal(p.question_class, NBT_NS_CLASS_IN);
	buf = encode(mem_ctx, &p, &len);
	/* what Windows sends: 0x0110, one question, 12 + 34 + 4 bytes */
	assert_int_equal(len, 50);
	assert_memory_equal(buf, "\x12\x34\x01\x10\x00\x01\x00\x00\x00\x00"
			    "\x00\x00\x20" "EN", 15);
	assert_memory_equal(buf + 46, "\x00\x20\x00\x01", 4);
	round_trip(mem_ctx, &p);

	nbt_ns_build_query(&p, 7, &n, false);
	assert_int_equal(p.nm_flags, NBT_NS_NM_RD);
	round_trip(mem_ctx, &p);
	talloc_free(mem_ctx);
}

static void test_build_registration_release_refresh(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_name n = make_name("MSLPEER", 0x20, "corp.example");
	struct nbt_ns_packet p;
	size_t len;
	uint8_t *buf;

	nbt_ns_build_registration(&p, 0x0042, &n, NBT_NS_NB_GROUP | 0x6000,
				  0x0a630001, 300000, true);
	assert_int_equal(p.opcode, NBT_NS_OP_REGISTRATION);
	assert_int_equal(p.nm_flags, NBT_NS_NM_RD | NBT_NS_NM_B);
	assert_true(p.has_question && p.has_additional);
	assert_true(nbt_name_equal(&p.additional.name, &n));
	assert_int_equal(p.additional.type, NBT_NS_TYPE_NB);
	assert_int_equal(p.additional.ttl, 300000);
	assert_int_equal(p.additional.num_addrs, 1);
	assert_int_equal(p.additional.addrs[0].nb_flags, 0xe000);
	assert_int_equal(p.additional.addrs[0].ip, 0x0a630001);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(buf[2] << 8 | buf[3], 0x2910);
	/* the additional record's last 6 bytes: NB_FLAGS, NB_ADDRESS */
	assert_memory_equal(buf + len - 6, "\xe0\x00\x0a\x63\x00\x01", 6);
	round_trip(mem_ctx, &p);

	nbt_ns_build_registration(&p, 1, &n, 0, 0x01020304, 0, false);
	assert_int_equal(p.nm_flags, NBT_NS_NM_RD);
	round_trip(mem_ctx, &p);

	nbt_ns_build_release(&p, 0x0043, &n, 0x2000, 0x0a630001, true);
	assert_int_equal(p.opcode, NBT_NS_OP_RELEASE);
	assert_int_equal(p.nm_flags, NBT_NS_NM_B);
	assert_int_equal(p.additional.ttl, 0);
	assert_int_equal(p.additional.addrs[0].nb_flags, 0x2000);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(buf[2] << 8 | buf[3], 0x3010);
	round_trip(mem_ctx, &p);

	nbt_ns_build_refresh(&p, 0x0044, &n, 0x4000, 0x0a630001, 600);
	assert_int_equal(p.opcode, NBT_NS_OP_REFRESH);
	assert_int_equal(p.nm_flags, 0);
	assert_int_equal(p.additional.ttl, 600);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(buf[2] << 8 | buf[3], 0x4000);
	round_trip(mem_ctx, &p);
	talloc_free(mem_ctx);
}

static void test_build_responses(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_name n = make_name("MSLPEER", 0x00, "");
	struct nbt_ns_status_name names[NBT_NS_MAX_STATUS_NAMES + 1];
	struct nbt_ns_packet p;
	size_t len;
	uint8_t *buf;

	nbt_ns_build_query_response(&p, 0x4847, &n, NBT_NS_RCODE_OK, 0,
				    0x0a630001, 259200);
	assert_true(p.response);
	assert_int_equal(p.nm_flags, NBT_NS_NM_AA | NBT_NS_NM_RD);
	assert_false(p.has_question);
	assert_true(p.has_answer);
	assert_int_equal(p.answer.type, NBT_NS_TYPE_NB);
	assert_int_equal(p.answer.num_addrs, 1);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(buf[2] << 8 | buf[3], 0x8500);
	assert_memory_equal(buf + len - 16, "\x00\x20\x00\x01\x00\x03\xf4\x80"
			    "\x00\x06\x00\x00\x0a\x63\x00\x01", 16);
	round_trip(mem_ctx, &p);

	/* RFC 1002 §4.2.14: NULL record, TTL 0, RDLENGTH 0 */
	nbt_ns_build_query_response(&p, 9, &n, NBT_NS_RCODE_NAM_ERR, 0,
				    0x0a630001, 300);
	assert_int_equal(p.rcode, NBT_NS_RCODE_NAM_ERR);
	assert_int_equal(p.answer.type, NBT_NS_TYPE_NULL);
	assert_int_equal(p.answer.ttl, 0);
	assert_int_equal(p.answer.rdlength, 0);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(buf[2] << 8 | buf[3], 0x8503);
	assert_memory_equal(buf + len - 10, "\x00\x0a\x00\x01\x00\x00\x00\x00"
			    "\x00\x00", 10);
	round_trip(mem_ctx, &p);

	nbt_ns_build_registration_response(&p, 0x77, &n,
					   NBT_NS_RCODE_ACT_ERR, 0x8000,
					   0x0a630003, 0);
	assert_int_equal(p.opcode, NBT_NS_OP_REGISTRATION);
	assert_int_equal(p.nm_flags, NBT_NS_NM_AA | NBT_NS_NM_RD |
				     NBT_NS_NM_RA);
	assert_int_equal(p.rcode, NBT_NS_RCODE_ACT_ERR);
	assert_int_equal(p.answer.addrs[0].ip, 0x0a630003);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(buf[2] << 8 | buf[3], 0xad86);
	round_trip(mem_ctx, &p);

	n = make_name("*", 0x00, "");
	nbt_ns_build_status_request(&p, 0x1564, &n);
	assert_int_equal(p.nm_flags, 0);
	assert_int_equal(p.question_type, NBT_NS_TYPE_NBSTAT);
	buf = encode(mem_ctx, &p, &len);
	assert_int_equal(len, 50);
	assert_memory_equal(buf + 12, "\x20" "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			    "\x00\x00\x21\x00\x01", 38);
	round_trip(mem_ctx, &p);

	for (size_t i = 0; i < NBT_NS_MAX_STATUS_NAMES + 1; i++) {
		struct nbt_name sn = make_name("NAME", (uint8_t)i, "");
		memcpy(names[i].raw, sn.raw, NBT_NAME_LEN);
		names[i].flags = (uint16_t)(i % 2 ? 0x8400 : 0x0400);
	}
	nbt_ns_build_status_response(&p, 0x1564, &n, names, 12, unit_id);
	assert_int_equal(p.nm_flags, NBT_NS_NM_AA);
	assert_int_equal(p.answer.type, NBT_NS_TYPE_NBSTAT);
	assert_int_equal(p.answer.num_names, 12);
	buf = encode(mem_ctx, &p, &len);
	/* Samba's answer for 12 names: 263 bytes of RDATA, 46 of stats */
	assert_int_equal(len, 12 + 34 + 10 + 263);
	assert_int_equal(buf[12 + 34 + 8] << 8 | buf[12 + 34 + 9], 263);
	assert_memory_equal(buf + len - 46, unit_id, 6);
	for (size_t i = len - 40; i < len; i++)
		assert_int_equal(buf[i], 0);
	round_trip(mem_ctx, &p);

	nbt_ns_build_status_response(&p, 1, &n, names, 0, unit_id);
	round_trip(mem_ctx, &p);
	nbt_ns_build_status_response(&p, 1, &n, names,
				     NBT_NS_MAX_STATUS_NAMES, unit_id);
	round_trip(mem_ctx, &p);
	/* too many names: refused, not silently cut */
	nbt_ns_build_status_response(&p, 1, &n, names,
				     NBT_NS_MAX_STATUS_NAMES + 1, unit_id);
	assert_int_equal(nbt_ns_encoded_len(&p), 0);
	assert_int_equal(nbt_ns_encode(&p, buf, len, NULL),
			 CODEC_ERR_NS_BAD_RDATA);
	talloc_free(mem_ctx);
}

static void test_encode_errors(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_name n = make_name("HOST", 0x20, "a.b");
	struct nbt_ns_packet p;
	size_t len;
	uint8_t *buf, *small;

	nbt_ns_build_registration(&p, 1, &n, 0, 1, 2, true);
	buf = encode(mem_ctx, &p, &len);
	for (size_t l = 0; l < len; l++) {
		small = talloc_size(mem_ctx, l ? l : 1);
		assert_int_equal(nbt_ns_encode(&p, small, l, NULL),
				 CODEC_ERR_BUFFER_TOO_SMALL);
		talloc_free(small);
	}
	p.opcode = 16;
	assert_int_equal(nbt_ns_encode(&p, buf, len, NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	p.opcode = NBT_NS_OP_REGISTRATION;
	p.rcode = 16;
	assert_int_equal(nbt_ns_encode(&p, buf, len, NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	p.rcode = 0;
	p.nm_flags = 0x0001;	/* an RCODE bit is not an NM flag */
	assert_int_equal(nbt_ns_encode(&p, buf, len, NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	p.nm_flags = NBT_NS_NM_RD;
	p.additional.num_addrs = NBT_NS_MAX_ADDRS + 1;
	assert_int_equal(nbt_ns_encoded_len(&p), 0);
	assert_int_equal(nbt_ns_encode(&p, buf, len, NULL),
			 CODEC_ERR_NS_BAD_RDATA);
	p.additional.type = NBT_NS_TYPE_NULL;
	p.additional.rdlength = 4;
	p.additional.rdata = NULL;
	assert_int_equal(nbt_ns_encode(&p, buf, len, NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	assert_int_equal(nbt_ns_encode(NULL, buf, len, NULL),
			 CODEC_ERR_INVALID_ARGUMENT);
	talloc_free(mem_ctx);
}

static void test_names(void **state)
{
	assert_string_equal(nbt_ns_opcode_name(0), "QUERY");
	assert_string_equal(nbt_ns_opcode_name(5), "REGISTRATION");
	assert_string_equal(nbt_ns_opcode_name(6), "RELEASE");
	assert_string_equal(nbt_ns_opcode_name(7), "WACK");
	assert_string_equal(nbt_ns_opcode_name(8), "REFRESH");
	assert_string_equal(nbt_ns_opcode_name(9), "REFRESH_ALT");
	assert_string_equal(nbt_ns_opcode_name(15), "MULTIHOMED_REGISTRATION");
	assert_string_equal(nbt_ns_opcode_name(3), "UNKNOWN");
	assert_string_equal(nbt_ns_rcode_name(0), "OK");
	assert_string_equal(nbt_ns_rcode_name(3), "NAM_ERR");
	assert_string_equal(nbt_ns_rcode_name(6), "ACT_ERR");
	assert_string_equal(nbt_ns_rcode_name(7), "CFT_ERR");
	assert_string_equal(nbt_ns_rcode_name(8), "UNKNOWN");
}

/* ---- hand-written packets ---- */

struct hand {
	uint8_t b[8192];
	size_t n;
};

static void hand_bytes(struct hand *h, const void *p, size_t len)
{
	assert_true(h->n + len <= sizeof(h->b));
	memcpy(h->b + h->n, p, len);
	h->n += len;
}

static void hand_be16(struct hand *h, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	hand_bytes(h, b, 2);
}

static void hand_header(struct hand *h, uint16_t flags, uint16_t qd,
			uint16_t an, uint16_t ns, uint16_t ar)
{
	h->n = 0;
	hand_be16(h, 0xbeef);
	hand_be16(h, flags);
	hand_be16(h, qd);
	hand_be16(h, an);
	hand_be16(h, ns);
	hand_be16(h, ar);
}

static void hand_name(struct hand *h, const struct nbt_name *n)
{
	size_t used;

	assert_true(h->n + NBT_NAME_ENCODED_MAX <= sizeof(h->b));
	assert_int_equal(nbt_name_encode(n, h->b + h->n, NBT_NAME_ENCODED_MAX,
					 &used), CODEC_OK);
	h->n += used;
}

/* TYPE CLASS TTL RDLENGTH */
static void hand_rr_fixed(struct hand *h, uint16_t type, uint16_t rdlength)
{
	hand_be16(h, type);
	hand_be16(h, NBT_NS_CLASS_IN);
	hand_be16(h, 0);
	hand_be16(h, 300);
	hand_be16(h, rdlength);
}

static enum codec_error hand_decode(TALLOC_CTX *mem_ctx,
				    const struct hand *h,
				    struct nbt_ns_packet *p)
{
	/* exactly sized, so ASan sees any read past the end */
	uint8_t *copy = talloc_memdup(mem_ctx, h->b, h->n);
	enum codec_error err;

	assert_non_null(copy);
	err = nbt_ns_decode(copy, h->n, p);
	talloc_free(copy);
	return err;
}

static void test_decode_pointers(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_name n = make_name("MSLPEER", 0x20, "corp.example");
	struct nbt_name other = make_name("OTHER", 0x00, "");
	struct nbt_ns_packet p;
	struct hand h;
	size_t chain_at[12], second;

	/* Samba's registration: the additional name is 0xC00C */
	hand_header(&h, 0x2910, 1, 0, 0, 1);
	hand_name(&h, &n);
	hand_be16(&h, NBT_NS_TYPE_NB);
	hand_be16(&h, NBT_NS_CLASS_IN);
	hand_be16(&h, 0xc00c);
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 6);
	hand_bytes(&h, "\x00\x00\x0a\x63\x00\x01", 6);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_OK);
	assert_true(nbt_name_equal(&p.question_name, &n));
	assert_true(p.has_additional);
	assert_true(nbt_name_equal(&p.additional.name, &n));
	assert_int_equal(p.additional.addrs[0].ip, 0x0a630001);
	assert_int_equal(p.additional.ttl, 300);

	/* a pointer to a pointer (two jumps) is fine */
	hand_header(&h, 0x8500, 1, 1, 0, 1);
	hand_name(&h, &n);
	hand_be16(&h, NBT_NS_TYPE_NB);
	hand_be16(&h, NBT_NS_CLASS_IN);
	second = h.n;
	hand_be16(&h, 0xc00c);
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
	hand_be16(&h, (uint16_t)(0xc000 | second));
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_OK);
	assert_true(nbt_name_equal(&p.answer.name, &n));
	assert_true(nbt_name_equal(&p.additional.name, &n));
	assert_int_equal(p.answer.num_addrs, 0);

	/* the answer name points at itself (no question): a loop */
	hand_header(&h, 0x8500, 0, 1, 0, 0);
	hand_be16(&h, 0xc00c);
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
	assert_int_equal(hand_decode(mem_ctx, &h, &p),
			 CODEC_ERR_NS_POINTER_LOOP);

	/* a forward pointer, even to a good name, is refused */
	hand_header(&h, 0x8500, 0, 1, 0, 1);
	hand_be16(&h, 0xc000 | 24);
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
	assert_int_equal(h.n, 24);
	hand_name(&h, &other);
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
	assert_int_equal(hand_decode(mem_ctx, &h, &p),
			 CODEC_ERR_NS_POINTER_LOOP);

	/* a pointer into the header: the strict name rules apply there */
	hand_header(&h, 0x8500, 0, 1, 0, 0);
	hand_be16(&h, 0xc004);
	hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
	assert_int_equal(hand_decode(mem_ctx, &h, &p),
			 CODEC_ERR_NAME_BAD_FIRST_LENGTH);

	/* a pointer cut after its first byte */
	hand_header(&h, 0x8500, 0, 1, 0, 0);
	hand_bytes(&h, "\xc0", 1);
	assert_int_equal(hand_decode(mem_ctx, &h, &p),
			 CODEC_ERR_NAME_TRUNCATED);

	/* a pointer after the first label (scope as pointer): refused */
	hand_header(&h, 0x0110, 1, 0, 0, 0);
	hand_name(&h, &other);
	h.b[h.n - 1] = 0xc0;
	hand_bytes(&h, "\x0c\x00\x20\x00\x01", 5);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_ERR_NAME_POINTER);

	/*
	 * Chains: a NULL record's RDATA holds pointers, each to the one
	 * before it, the first to the question.  The additional name points
	 * at the k-th: k + 2 jumps.  Eight are followed, nine are not.
	 */
	for (size_t k = 0; k < 10; k++) {
		hand_header(&h, 0x8500, 1, 1, 0, 1);
		hand_name(&h, &n);
		hand_be16(&h, NBT_NS_TYPE_NB);
		hand_be16(&h, NBT_NS_CLASS_IN);
		hand_name(&h, &other);
		hand_rr_fixed(&h, NBT_NS_TYPE_NULL, 2 * 10);
		for (size_t j = 0; j < 10; j++) {
			chain_at[j] = h.n;
			hand_be16(&h, (uint16_t)(0xc000 |
				  (j == 0 ? 12 : chain_at[j - 1])));
		}
		hand_be16(&h, (uint16_t)(0xc000 | chain_at[k]));
		hand_rr_fixed(&h, NBT_NS_TYPE_NB, 0);
		if (k + 2 <= 8) {
			assert_int_equal(hand_decode(mem_ctx, &h, &p),
					 CODEC_OK);
			assert_true(nbt_name_equal(&p.additional.name, &n));
			assert_true(nbt_name_equal(&p.answer.name, &other));
			assert_int_equal(p.answer.rdlength, 20);
		} else {
			assert_int_equal(hand_decode(mem_ctx, &h, &p),
					 CODEC_ERR_NS_POINTER_LOOP);
		}
	}
	talloc_free(mem_ctx);
}

static void test_decode_counts_and_rdata(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_name n = make_name("HOST", 0x00, "");
	struct nbt_ns_packet p;
	struct hand h;
	uint8_t zero[64] = { 0 };

	/* each count at 2 (and a large one) */
	for (size_t i = 0; i < 4; i++) {
		uint16_t c[4] = { 0, 0, 0, 0 };
		c[i] = 2;
		hand_header(&h, 0, c[0], c[1], c[2], c[3]);
		assert_int_equal(hand_decode(mem_ctx, &h, &p),
				 CODEC_ERR_NS_TOO_MANY_RECORDS);
		c[i] = 0xffff;
		hand_header(&h, 0, c[0], c[1], c[2], c[3]);
		assert_int_equal(hand_decode(mem_ctx, &h, &p),
				 CODEC_ERR_NS_TOO_MANY_RECORDS);
	}
	/* a bare header is a valid (empty) packet */
	hand_header(&h, 0x8000, 0, 0, 0, 0);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_OK);
	assert_true(p.response);
	hand_bytes(&h, "", 1);
	assert_int_equal(hand_decode(mem_ctx, &h, &p),
			 CODEC_ERR_NS_TRAILING_BYTES);

	/* NB RDATA: multiples of 6 up to NBT_NS_MAX_ADDRS entries */
	for (size_t rdlen = 0; rdlen <= 6 * (NBT_NS_MAX_ADDRS + 1); rdlen++) {
		uint8_t rd[6 * (NBT_NS_MAX_ADDRS + 1)];
		bool ok = rdlen % 6 == 0 && rdlen / 6 <= NBT_NS_MAX_ADDRS;

		for (size_t i = 0; i < rdlen; i++)
			rd[i] = (uint8_t)(i + 1);
		hand_header(&h, 0x8500, 0, 1, 0, 0);
		hand_name(&h, &n);
		hand_rr_fixed(&h, NBT_NS_TYPE_NB, (uint16_t)rdlen);
		hand_bytes(&h, rd, rdlen);
		assert_int_equal(hand_decode(mem_ctx, &h, &p),
				 ok ? CODEC_OK : CODEC_ERR_NS_BAD_RDATA);
		if (!ok)
			continue;
		assert_int_equal(p.answer.num_addrs, rdlen / 6);
		for (size_t i = 0; i < rdlen / 6; i++) {
			assert_int_equal(p.answer.addrs[i].nb_flags,
					 (6 * i + 1) << 8 | (6 * i + 2));
			assert_int_equal(p.answer.addrs[i].ip,
					 (uint32_t)(6 * i + 3) << 24 |
					 (6 * i + 4) << 16 | (6 * i + 5) << 8 |
					 (6 * i + 6));
		}
	}

	/* NBSTAT: empty, too many names, names without the unit ID */
	hand_header(&h, 0x8400, 0, 1, 0, 0);
	hand_name(&h, &n);
	hand_rr_fixed(&h, NBT_NS_TYPE_NBSTAT, 0);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_ERR_NS_BAD_RDATA);
	for (size_t count = 0; count <= 255; count += (count < 70 ? 1 : 37)) {
		/* RDATA: NUM_NAMES, names, 6-byte unit ID: shortest valid */
		size_t need = 1 + count * 18 + 6;
		bool ok = count <= NBT_NS_MAX_STATUS_NAMES;

		for (size_t cut = 0; cut < 2; cut++) {
			hand_header(&h, 0x8400, 0, 1, 0, 0);
			hand_name(&h, &n);
			if (h.n + 10 + need > sizeof(h.b))
				break;
			hand_rr_fixed(&h, NBT_NS_TYPE_NBSTAT,
				      (uint16_t)(need - cut));
			h.b[h.n++] = (uint8_t)count;
			for (size_t i = 0; i < count; i++) {
				hand_bytes(&h, "ABCDEFGHIJKLMNO", 16);
				hand_be16(&h, (uint16_t)(0x0400 + i));
			}
			hand_bytes(&h, unit_id, 6 - cut);
			assert_int_equal(hand_decode(mem_ctx, &h, &p),
					 ok && cut == 0 ? CODEC_OK
						: CODEC_ERR_NS_BAD_RDATA);
			if (!ok || cut != 0)
				continue;
			assert_int_equal(p.answer.num_names, count);
			assert_memory_equal(p.answer.unit_id, unit_id, 6);
			if (count > 0)
				assert_int_equal(p.answer.names[count - 1].flags,
						 0x0400 + count - 1);
		}
	}

	/* RDLENGTH past the end, a question cut after its name */
	hand_header(&h, 0x8500, 0, 1, 0, 0);
	hand_name(&h, &n);
	hand_rr_fixed(&h, NBT_NS_TYPE_NULL, 7);
	hand_bytes(&h, zero, 6);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_ERR_NS_TRUNCATED);
	hand_header(&h, 0x0110, 1, 0, 0, 0);
	hand_name(&h, &n);
	hand_bytes(&h, "\x00\x20\x00", 3);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_ERR_NS_TRUNCATED);
	assert_int_equal(hand_decode(mem_ctx, &(struct hand){ .n = 11 }, &p),
			 CODEC_ERR_NS_TRUNCATED);

	/* WACK (RFC 1002 §4.2.16): NULL record, 2 bytes kept raw */
	hand_header(&h, 0xbc00, 0, 1, 0, 0);
	hand_name(&h, &n);
	hand_rr_fixed(&h, NBT_NS_TYPE_NULL, 2);
	hand_bytes(&h, "\x29\x10", 2);
	assert_int_equal(hand_decode(mem_ctx, &h, &p), CODEC_OK);
	assert_int_equal(p.opcode, NBT_NS_OP_WACK);
	assert_int_equal(p.answer.rdlength, 2);
	assert_int_equal(p.nm_flags, NBT_NS_NM_AA);
	talloc_free(mem_ctx);
}

/* ---- every builder at every length and with every byte changed ---- */

static size_t build_all(TALLOC_CTX *mem_ctx, struct nbt_ns_packet **out)
{
	struct nbt_ns_packet *ps = talloc_zero_array(mem_ctx,
						     struct nbt_ns_packet, 12);
	struct nbt_name n = make_name("MSLPEER", 0x20, "corp.example");
	struct nbt_name star = make_name("*", 0x00, "");
	struct nbt_ns_status_name names[20];
	static const uint8_t wack[2] = { 0x29, 0x10 };
	size_t k = 0;

	assert_non_null(ps);
	for (size_t i = 0; i < 20; i++) {
		memcpy(names[i].raw, n.raw, NBT_NAME_LEN);
		names[i].raw[NBT_NAME_LEN - 1] = (uint8_t)i;
		names[i].flags = 0x0400;
	}
	nbt_ns_build_query(&ps[k++], 1, &n, true);
	nbt_ns_build_registration(&ps[k++], 2, &n, 0x6000, 0x0a000001, 300,
				  true);
	nbt_ns_build_release(&ps[k++], 3, &n, 0x8000, 0x0a000001, false);
	nbt_ns_build_refresh(&ps[k++], 4, &n, 0x2000, 0x0a000001, 600);
	nbt_ns_build_query_response(&ps[k++], 5, &n, 0, 0, 0x0a000001, 30);
	nbt_ns_build_query_response(&ps[k++], 6, &n, 3, 0, 0, 0);
	nbt_ns_build_registration_response(&ps[k++], 7, &n, 6, 0, 0x0a000002,
					   0);
	nbt_ns_build_status_request(&ps[k++], 8, &star);
	nbt_ns_build_status_response(&ps[k++], 9, &star, names, 20, unit_id);
	nbt_ns_build_status_response(&ps[k++], 10, &star, names, 0, unit_id);
	/* WACK, and one with all three record sections */
	ps[k].id = 11;
	ps[k].response = true;
	ps[k].opcode = NBT_NS_OP_WACK;
	ps[k].nm_flags = NBT_NS_NM_AA;
	ps[k].has_answer = true;
	ps[k].answer.name = n;
	ps[k].answer.type = NBT_NS_TYPE_NULL;
	ps[k].answer.rr_class = NBT_NS_CLASS_IN;
	ps[k].answer.ttl = 2;
	ps[k].answer.rdata = wack;
	ps[k].answer.rdlength = 2;
	k++;
	nbt_ns_build_registration(&ps[k], 12, &n, 0x6000, 0x0a000001, 300,
				  false);
	ps[k].has_answer = true;
	ps[k].answer = ps[k].additional;
	ps[k].has_authority = true;
	ps[k].authority = ps[k].additional;
	ps[k].authority.name = star;
	k++;
	*out = ps;
	return k;
}

static void test_truncation_everywhere(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_ns_packet *ps, d;
	size_t count = build_all(mem_ctx, &ps), tried = 0;

	for (size_t i = 0; i < count; i++) {
		size_t len;
		uint8_t *buf = encode(mem_ctx, &ps[i], &len);

		round_trip(mem_ctx, &ps[i]);
		for (size_t l = 0; l < len; l++) {
			uint8_t *cut = talloc_memdup(mem_ctx, buf, l ? l : 1);
			enum codec_error err = nbt_ns_decode(cut, l, &d);

			assert_int_not_equal(err, CODEC_OK);
			assert_true(err == CODEC_ERR_NS_TRUNCATED ||
				    err == CODEC_ERR_NAME_TRUNCATED);
			talloc_free(cut);
			tried++;
		}
	}
	print_message("%zu packets, %zu truncated lengths: all refused\n",
		      count, tried);
	talloc_free(mem_ctx);
}

static void test_mutation_everywhere(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct nbt_ns_packet *ps, d, d2;
	size_t count = build_all(mem_ctx, &ps), tried = 0, accepted = 0;
	static const uint8_t values[] = { 0x00, 0x01, 0x02, 0x06, 0x0c, 0x20,
					  0x21, 0x3f, 0x40, 0x41, 0x50, 0x80,
					  0xc0, 0xc1, 0xff };

	for (size_t i = 0; i < count; i++) {
		size_t len;
		uint8_t *buf = encode(mem_ctx, &ps[i], &len);
		uint8_t *m = talloc_memdup(mem_ctx, buf, len);

		for (size_t off = 0; off < len; off++) {
			for (size_t v = 0; v < sizeof(values) + 1; v++) {
				uint8_t *re;
				size_t relen;

				m[off] = v < sizeof(values) ? values[v]
							    : (uint8_t)~buf[off];
				tried++;
				if (nbt_ns_decode(m, len, &d) != CODEC_OK)
					continue;
				/* accepted: it must survive a re-encode */
				accepted++;
				relen = nbt_ns_encoded_len(&d);
				assert_true(relen > 0);
				re = talloc_size(mem_ctx, relen);
				assert_int_equal(nbt_ns_encode(&d, re, relen,
							       NULL), CODEC_OK);
				assert_int_equal(nbt_ns_decode(re, relen, &d2),
						 CODEC_OK);
				packet_equal(&d, &d2);
				talloc_free(re);
			}
			m[off] = buf[off];
		}
	}
	print_message("%zu changed packets, %zu still valid and re-encoded "
		      "identically\n", tried, accepted);
	assert_true(accepted > 0 && accepted < tried);
	talloc_free(mem_ctx);
}

/* ---- real traffic ---- */

/* $MAILSLOT_SHARED_DIR/captures/samba if it exists, else NULL. */
static const char *shared_captures(TALLOC_CTX *mem_ctx)
{
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	struct stat st;
	char *dir;

	if (shared == NULL)
		shared = "../shared";
	dir = talloc_asprintf(mem_ctx, "%s/captures/samba", shared);
	if (dir == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

static const char *const capture_files[] = {
	"bridge-startup-and-probe.pcapng", "probe-cli.pcapng",
};

struct ns_frame {
	uint8_t *data;		/* exactly len bytes */
	size_t len;
};

/* Every UDP payload to or from port 137, in file order. */
static struct ns_frame *load_ns_frames(TALLOC_CTX *mem_ctx, const char *path,
				       size_t *count)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline(path, err);
	struct ns_frame *out = talloc_array(mem_ctx, struct ns_frame, 0);
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t n = 0;
	int rc;

	if (pc == NULL)
		fail_msg("cannot open %s: %s", path, err);
	/* Both captures are Ethernet; anything else must not pass silently. */
	if (pcap_datalink(pc) != DLT_EN10MB)
		fail_msg("%s: link type %d, only Ethernet is handled", path,
			 pcap_datalink(pc));
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct udp_endpoints ep;
		const uint8_t *pl;
		size_t len;

		if (!pcap_frame_udp_payload(data, h->caplen, &ep, &pl, &len) ||
		    (ep.src_port != NBT_NS_PORT && ep.dst_port != NBT_NS_PORT))
			continue;
		out = talloc_realloc(mem_ctx, out, struct ns_frame, n + 1);
		assert_non_null(out);
		out[n].data = talloc_memdup(out, pl, len ? len : 1);
		out[n].len = len;
		n++;
	}
	if (rc == -1)
		fail_msg("%s: %s", path, pcap_geterr(pc));
	pcap_close(pc);
	*count = n;
	return out;
}

static void test_real_captures(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = shared_captures(mem_ctx);
	size_t total = 0, pointers = 0, status = 0;

	if (dir == NULL) {
		print_message("SKIPPED: no captures directory (set "
			      "MAILSLOT_SHARED_DIR; ../shared/captures/samba "
			      "is absent)\n");
		talloc_free(mem_ctx);
		skip();
	}
	for (size_t f = 0; f < 2; f++) {
		const char *path = talloc_asprintf(mem_ctx, "%s/%s", dir,
						   capture_files[f]);
		size_t count;
		struct ns_frame *fr = load_ns_frames(mem_ctx, path, &count);

		assert_true(count > 0);
		for (size_t i = 0; i < count; i++) {
			struct nbt_ns_packet p;
			enum codec_error err = nbt_ns_decode(fr[i].data,
							     fr[i].len, &p);
			if (err != CODEC_OK)
				fail_msg("%s packet %zu: %s", capture_files[f],
					 i + 1, codec_error_name(err));
			/* Samba points the additional name at the question */
			if (p.has_question && p.has_additional &&
			    !p.has_answer && !p.has_authority &&
			    (fr[i].data[NBT_NS_HEADER_LEN +
				nbt_name_encoded_len(&p.question_name) + 4] &
			     0xc0) == 0xc0) {
				pointers++;
				assert_true(nbt_name_equal(&p.additional.name,
							   &p.question_name));
			}
			if (p.has_answer && p.answer.type == NBT_NS_TYPE_NBSTAT)
				status++;
		}
		print_message("%s: %zu name service packets decoded\n",
			      capture_files[f], count);
		total += count;
	}
	print_message("%zu real packets decoded (%zu with a label pointer, "
		      "%zu node status answers)\n", total, pointers, status);
	assert_true(pointers > 0 && status > 0);
	talloc_free(mem_ctx);
}

/* ---- tshark ---- */

enum {
	F_ID, F_FLAGS, F_OPCODE, F_RCODE, F_QD, F_AN, F_NS, F_AR, F_NAME,
	F_TYPE, F_CLASS, F_TTL, F_DATALEN, F_NB_FLAGS, F_ADDR, F_NUM_NAMES,
	F_NB_NAME, F_NAME_FLAGS, F_UNIT_ID, F_COUNT
};

static const char *const ns_fields[F_COUNT] = {
	"nbns.id", "nbns.flags", "nbns.flags.opcode", "nbns.flags.rcode",
	"nbns.count.queries", "nbns.count.answers", "nbns.count.auth_rr",
	"nbns.count.add_rr", "nbns.name", "nbns.type", "nbns.class",
	"nbns.ttl", "nbns.data_length", "nbns.nb_flags", "nbns.addr",
	"nbns.number_of_names", "nbns.netbios_name", "nbns.name_flags",
	"nbns.unit_id",
};

/* What tshark 4.0 appends to the name of an NB record, by suffix. */
static const char *suffix_description(uint8_t suffix)
{
	switch (suffix) {
	case 0x00: return "Workstation/Redirector";
	case 0x01: return "Browser";
	case 0x03: return "Messenger service/Main name";
	case 0x1b: return "Domain Master Browser";
	case 0x1c: return "Domain Controllers";
	case 0x1d: return "Local Master Browser";
	case 0x1e: return "Browser Election Service";
	case 0x20: return "Server service";
	}
	return "Unknown";
}

static void field_add(char **f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void field_add(char **f, const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = talloc_vasprintf(*f, fmt, ap);
	va_end(ap);
	assert_non_null(v);
	*f = talloc_asprintf_append(*f, "%s%s", (*f)[0] ? "|" : "", v);
	assert_non_null(*f);
}

/* A node status name as tshark prints it: 15 bytes, no suffix. */
static void status_name_text(char **f, const uint8_t *raw)
{
	char text[NBT_NAME_LEN * 4 + 1];
	size_t end = NBT_NAME_LEN - 1, pos = 0;

	while (end > 0 && raw[end - 1] == ' ')
		end--;
	for (size_t i = 0; i < end; i++) {
		if (raw[i] >= 0x20 && raw[i] < 0x7f)
			text[pos++] = (char)raw[i];
		else
			pos += (size_t)snprintf(text + pos, 5, "<%02x>",
						raw[i]);
	}
	text[pos] = '\0';
	field_add(f, "%s", text);
}

static void rr_fields(char **f, const struct nbt_ns_rr *rr)
{
	char name[NBT_NAME_TEXT_MAX];

	nbt_name_format(&rr->name, name, sizeof(name));
	if (rr->type == NBT_NS_TYPE_NB)
		field_add(&f[F_NAME], "%s (%s)", name,
			  suffix_description(nbt_name_suffix(&rr->name)));
	else
		field_add(&f[F_NAME], "%s", name);
	field_add(&f[F_TYPE], "%u", rr->type);
	field_add(&f[F_CLASS], "%u", rr->rr_class);
	field_add(&f[F_TTL], "%u", rr->ttl);
	field_add(&f[F_DATALEN], "%u", rr->rdlength);
	if (rr->type == NBT_NS_TYPE_NB) {
		for (size_t i = 0; i < rr->num_addrs; i++) {
			uint32_t ip = rr->addrs[i].ip;
			field_add(&f[F_NB_FLAGS], "0x%04x",
				  rr->addrs[i].nb_flags);
			field_add(&f[F_ADDR], "%u.%u.%u.%u", ip >> 24,
				  (ip >> 16) & 0xff, (ip >> 8) & 0xff,
				  ip & 0xff);
		}
	}
	if (rr->type == NBT_NS_TYPE_NBSTAT) {
		const uint8_t *u = rr->unit_id;
		field_add(&f[F_NUM_NAMES], "%zu", rr->num_names);
		for (size_t i = 0; i < rr->num_names; i++) {
			status_name_text(&f[F_NB_NAME], rr->names[i].raw);
			field_add(&f[F_NAME_FLAGS], "0x%04x",
				  rr->names[i].flags);
		}
		field_add(&f[F_UNIT_ID], "%02x:%02x:%02x:%02x:%02x:%02x",
			  u[0], u[1], u[2], u[3], u[4], u[5]);
	}
}

/* Our decode as tshark's fields, every occurrence in packet order. */
static char **our_fields(TALLOC_CTX *mem_ctx, const struct nbt_ns_packet *p,
			 const uint8_t *wire)
{
	char **f = talloc_array(mem_ctx, char *, F_COUNT);
	char name[NBT_NAME_TEXT_MAX];

	assert_non_null(f);
	for (size_t i = 0; i < F_COUNT; i++)
		f[i] = talloc_strdup(f, "");
	field_add(&f[F_ID], "0x%04x", p->id);
	field_add(&f[F_FLAGS], "0x%04x", wire[2] << 8 | wire[3]);
	field_add(&f[F_OPCODE], "%u", p->opcode);
	/* tshark shows the reply code of responses only */
	if (p->response)
		field_add(&f[F_RCODE], "%u", p->rcode);
	field_add(&f[F_QD], "%d", p->has_question ? 1 : 0);
	field_add(&f[F_AN], "%d", p->has_answer ? 1 : 0);
	field_add(&f[F_NS], "%d", p->has_authority ? 1 : 0);
	field_add(&f[F_AR], "%d", p->has_additional ? 1 : 0);
	if (p->has_question) {
		nbt_name_format(&p->question_name, name, sizeof(name));
		field_add(&f[F_NAME], "%s", name);
		field_add(&f[F_TYPE], "%u", p->question_type);
		field_add(&f[F_CLASS], "%u", p->question_class);
	}
	if (p->has_answer)
		rr_fields(f, &p->answer);
	if (p->has_authority)
		rr_fields(f, &p->authority);
	if (p->has_additional)
		rr_fields(f, &p->additional);
	return f;
}

/* Compare tshark's line with our fields; returns fields compared. */
static size_t compare_frame(const char *what, size_t frame,
			    const struct tshark_frame *t, char **ours)
{
	size_t compared = 0;

	if (t->malformed[0] || t->expert[0])
		fail_msg("%s frame %zu: tshark says '%s' '%s'", what, frame,
			 t->malformed, t->expert);
	for (size_t i = 0; i < F_COUNT; i++) {
		if (strcmp(t->values[i], ours[i]) != 0)
			fail_msg("%s frame %zu %s: ours '%s', tshark '%s'",
				 what, frame, ns_fields[i], ours[i],
				 t->values[i]);
		/* each occurrence counts */
		if (ours[i][0] != '\0') {
			compared++;
			for (const char *c = ours[i]; *c; c++)
				compared += *c == '|';
		}
	}
	return compared;
}

/* tshark's fields of every frame (or those matching filter), with every
 * occurrence: a name service packet repeats nbns.name, nbns.type... */
static struct tshark_frame *tshark_ns(TALLOC_CTX *mem_ctx, const char *pcap,
				      const char *filter, size_t *n)
{
	const struct tshark_fields_options opts = {
		.all_occurrences = true, .filter = filter,
	};
	struct tshark_frame *t = NULL;
	const char *err = NULL;

	if (tshark_fields_read(mem_ctx, NULL, pcap, ns_fields, F_COUNT, &opts,
			       &t, n, &err) != 0)
		fail_msg("tshark on %s: %s", pcap, err);
	return t;
}

struct gen {
	TALLOC_CTX *mem_ctx;
	struct nbt_ns_packet *p;
	size_t n;
	uint32_t rng;
};

static uint32_t gen_rand(struct gen *g)
{
	/* xorshift32: the same set on every run */
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 17;
	g->rng ^= g->rng << 5;
	return g->rng;
}

static struct nbt_ns_packet *gen_add(struct gen *g)
{
	g->p = talloc_realloc(g->mem_ctx, g->p, struct nbt_ns_packet, g->n + 1);
	assert_non_null(g->p);
	memset(&g->p[g->n], 0, sizeof(g->p[0]));
	return &g->p[g->n++];
}

static const char *const gen_names[] = {
	"MYHOST", "A", "WORKGROUP", "FIFTEEN-CHARS-X", "PC-01", "SRV_2",
	"lowercase", "DOMAIN.NAME", "X1Y2Z3", "*",
};
static const uint8_t gen_suffixes[] = { 0x00, 0x01, 0x03, 0x1b, 0x1c, 0x1d,
					0x1e, 0x20, 0x42 };
static const char *const gen_scopes[] = { "", "a", "corp.example",
					  "x.y.z.long-label-here" };

static void generate(struct gen *g)
{
	static const uint8_t wack[2] = { 0x29, 0x10 };
	struct nbt_ns_status_name names[20];

	for (size_t i = 0; i < 360; i++) {
		struct nbt_name n;
		uint16_t id = (uint16_t)gen_rand(g);
		uint16_t nbf = (uint16_t)((i % 2 ? NBT_NS_NB_GROUP : 0) |
					  ((i / 2) % 4) << 13);
		uint32_t ip = 0x0a000000 + (uint32_t)(gen_rand(g) & 0xffffff);
		uint32_t ttl = i % 5 == 0 ? 0 : gen_rand(g) % 4000000;
		bool bcast = (i / 3) % 2 == 0;
		struct nbt_ns_packet *p = gen_add(g);

		n = make_name(gen_names[i % 10], gen_suffixes[(i / 10) % 9],
			      gen_scopes[(i / 3) % 4]);
		switch (i % 12) {
		case 0:
			nbt_ns_build_query(p, id, &n, bcast);
			break;
		case 1:
			nbt_ns_build_registration(p, id, &n, nbf, ip, ttl,
						  bcast);
			/* multi-homed registration has the same shape */
			if (i % 7 == 0)
				p->opcode = NBT_NS_OP_MULTIHOMED_REGISTRATION;
			break;
		case 2:
			nbt_ns_build_release(p, id, &n, nbf, ip, bcast);
			break;
		case 3:
			nbt_ns_build_refresh(p, id, &n, nbf, ip, ttl);
			if (i % 5 == 0)
				p->opcode = NBT_NS_OP_REFRESH_ALT;
			break;
		case 4:
			nbt_ns_build_query_response(p, id, &n, 0, nbf, ip,
						    ttl);
			/* an NBNS answering a group: several addresses */
			p->answer.num_addrs = 1 + i % NBT_NS_MAX_ADDRS;
			for (size_t k = 1; k < p->answer.num_addrs; k++) {
				p->answer.addrs[k].nb_flags = nbf;
				p->answer.addrs[k].ip = ip + (uint32_t)k;
			}
			break;
		case 5:
			nbt_ns_build_query_response(p, id, &n,
						    NBT_NS_RCODE_NAM_ERR, 0, 0,
						    0);
			break;
		case 6:
			nbt_ns_build_registration_response(p, id, &n,
				(uint8_t)(i % 24 < 12 ? NBT_NS_RCODE_ACT_ERR
						      : NBT_NS_RCODE_OK),
				nbf, ip, ttl);
			break;
		case 7:
			nbt_ns_build_status_request(p, id, &n);
			break;
		case 8:
		case 9:
			for (size_t k = 0; k < 20; k++) {
				struct nbt_name sn = make_name(
					gen_names[(i + k) % 9],
					gen_suffixes[k % 9], "");
				memcpy(names[k].raw, sn.raw, NBT_NAME_LEN);
				names[k].flags = (uint16_t)(0x0400 |
					(k % 3 == 0 ? NBT_NS_NAME_GROUP : 0) |
					(k % 7 == 0 ? NBT_NS_NAME_PERMANENT : 0));
			}
			if (i % 24 == 8)
				nbt_name_make_msbrowse(&n, "");
			nbt_ns_build_status_response(p, id, &n, names,
						     1 + (i / 12) % 20,
						     unit_id);
			break;
		case 10:
			/* WACK (RFC 1002 §4.2.16) */
			p->id = id;
			p->response = true;
			p->opcode = NBT_NS_OP_WACK;
			p->nm_flags = NBT_NS_NM_AA;
			p->has_answer = true;
			p->answer.name = n;
			p->answer.type = NBT_NS_TYPE_NULL;
			p->answer.rr_class = NBT_NS_CLASS_IN;
			p->answer.ttl = ttl;
			p->answer.rdata = wack;
			p->answer.rdlength = 2;
			break;
		default:
			/* a conflict demand / other rcodes on a response */
			nbt_ns_build_registration_response(p, id, &n,
				(uint8_t)(1 + i % 7), nbf, ip, ttl);
			break;
		}
	}
}

static void test_tshark_conformance(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct gen g = { .mem_ctx = mem_ctx, .rng = 0x1badf00d };
	struct pcap_frame_writer *w;
	char err[PCAP_ERRBUF_SIZE];
	const char *dir, *path;
	uint8_t **wire;
	struct tshark_frame *t;
	size_t nlines, compared = 0;

	if (tshark_find() == NULL) {
		print_message("SKIPPED: tshark not installed "
			      "(apt-get install tshark)\n");
		talloc_free(mem_ctx);
		skip();
	}
	generate(&g);
	dir = torture_tmpdir(mem_ctx);
	path = talloc_asprintf(mem_ctx, "%s/nbns.pcap", dir);
	w = pcap_frame_writer_open(mem_ctx, path, err);
	if (w == NULL)
		fail_msg("%s", err);
	wire = talloc_array(mem_ctx, uint8_t *, g.n);
	for (size_t i = 0; i < g.n; i++) {
		struct udp_endpoints ep = {
			.src_ip = 0x0a000001 + (uint32_t)i % 200,
			.dst_ip = g.p[i].nm_flags & NBT_NS_NM_B ? 0x0a0000ff
								: 0x0a0000fe,
			.src_port = NBT_NS_PORT, .dst_port = NBT_NS_PORT,
		};
		struct timeval ts = { .tv_sec = 1700000000,
				      .tv_usec = (long)i };
		size_t len;

		wire[i] = encode(wire, &g.p[i], &len);
		round_trip(mem_ctx, &g.p[i]);
		assert_int_equal(pcap_frame_write_udp(w, &ep, wire[i], len,
						      &ts), 0);
	}
	talloc_free(w);

	t = tshark_ns(mem_ctx, path, NULL, &nlines);
	assert_int_equal(nlines, g.n);
	for (size_t i = 0; i < g.n; i++) {
		struct nbt_ns_packet d;

		assert_int_equal(nbt_ns_decode(wire[i],
				 talloc_get_size(wire[i]), &d), CODEC_OK);
		compared += compare_frame("generated", i + 1, &t[i],
					  our_fields(mem_ctx, &d, wire[i]));
	}
	print_message("tshark agrees: %zu frames, %zu field values compared, "
		      "no Malformed, no expert items\n", g.n, compared);
	talloc_free(mem_ctx);
}

/* The same comparison on real Samba traffic. */
static void test_tshark_real_captures(void **state)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *dir = shared_captures(mem_ctx);
	size_t frames = 0, compared = 0;

	if (tshark_find() == NULL || dir == NULL) {
		print_message("SKIPPED: %s\n", dir == NULL ?
			      "no ../shared/captures/samba (set "
			      "MAILSLOT_SHARED_DIR)" : "tshark not installed");
		talloc_free(mem_ctx);
		skip();
	}
	for (size_t f = 0; f < 2; f++) {
		const char *path = talloc_asprintf(mem_ctx, "%s/%s", dir,
						   capture_files[f]);
		size_t count, nlines;
		struct ns_frame *fr = load_ns_frames(mem_ctx, path, &count);
		/* ICMP errors quote UDP headers: not name service packets */
		struct tshark_frame *t = tshark_ns(mem_ctx, path,
						   "nbns && !icmp", &nlines);

		assert_int_equal(nlines, count);
		for (size_t i = 0; i < count; i++) {
			struct nbt_ns_packet d;

			assert_int_equal(nbt_ns_decode(fr[i].data, fr[i].len,
						       &d), CODEC_OK);
			compared += compare_frame(capture_files[f], i + 1,
						  &t[i],
						  our_fields(mem_ctx, &d,
							     fr[i].data));
		}
		frames += count;
	}
	print_message("tshark agrees on %zu real frames, %zu field values\n",
		      frames, compared);
	talloc_free(mem_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_query),
		cmocka_unit_test(test_build_registration_release_refresh),
		cmocka_unit_test(test_build_responses),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_decode_pointers),
		cmocka_unit_test(test_decode_counts_and_rdata),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_mutation_everywhere),
		cmocka_unit_test(test_real_captures),
		cmocka_unit_test(test_tshark_conformance),
		cmocka_unit_test(test_tshark_real_captures),
	};
	return cmocka_run_group_tests_name("nbt_ns", tests, NULL, NULL);
}
