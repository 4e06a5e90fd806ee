/*
 * NBT datagram fragmentation (RFC 1002 §5.3.1/§5.3.3 in the form every
 * implementation parses: both names in every fragment, PACKET_OFFSET = the
 * fragment's offset within USER_DATA, DGM_LENGTH per packet).
 *
 * Nobody in practice fragments (Windows caps a write at 512 bytes of SMB);
 * we split only when asked and reassemble defensively, bounded in pending
 * datagrams, bytes and time.
 */
#ifndef MAILSLOT_NBT_FRAG_H
#define MAILSLOT_NBT_FRAG_H

#include <stdint.h>
#include <talloc.h>

#include "nbt_dgram.h"

struct nbt_packet {
	uint8_t *data;	/* talloc child of the packet array */
	size_t len;
};

/*
 * Encode d (a 0x10-0x12 datagram) as UDP payloads of at most max_payload
 * bytes each.  One packet (F set, M clear) when it fits; otherwise F|M at
 * offset 0, M for middle fragments and neither for the last.  *packets is
 * a talloc array on mem_ctx.
 */
enum codec_error nbt_dgram_fragment(TALLOC_CTX *mem_ctx,
				    const struct nbt_dgram *d,
				    size_t max_payload,
				    struct nbt_packet **packets,
				    size_t *count);

/* Limits of the reassembler; nbt_reasm_limits_default() documents them. */
struct nbt_reasm_limits {
	size_t max_pending;	/* datagrams being reassembled at once */
	size_t max_bytes;	/* buffer bytes held by all of them */
	size_t max_user_data;	/* largest reassembled USER_DATA */
	uint32_t timeout_ms;	/* from a datagram's first fragment seen */
};

/* 64 pending, 144 KiB (room for exactly those 64), 2048 bytes per
 * datagram, 2000 ms (RFC FRAGMENT_TO). */
void nbt_reasm_limits_default(struct nbt_reasm_limits *lim);

struct nbt_reasm_stats {
	uint64_t completed;
	uint64_t expired;	/* timed out incomplete */
	uint64_t dropped_full;	/* CODEC_ERR_FRAG_TABLE_FULL */
	uint64_t dropped_conflict; /* conflicting overlap, bad F, names */
	uint64_t dropped_too_large;
	size_t pending;
	size_t bytes;
};

struct nbt_reasm;

/* lim NULL = defaults.  Freeing the result frees everything pending. */
struct nbt_reasm *nbt_reasm_create(TALLOC_CTX *mem_ctx,
				   const struct nbt_reasm_limits *lim);

/*
 * Add one fragment (nbt_dgram_is_fragment() must be true), keyed by
 * (SOURCE_IP, DGM_ID).  Fragments may come in any order, repeated or
 * overlapping; overlap with different bytes drops the whole datagram.
 * now_ms is any monotonic clock in milliseconds (tests pass their own).
 *
 * Returns CODEC_OK with *complete NULL while incomplete, or with
 * *complete a new unfragmented datagram (talloc child of mem_ctx, owning
 * its USER_DATA) once every byte has arrived.  Errors say why the fragment
 * was dropped.
 */
enum codec_error nbt_reasm_add(struct nbt_reasm *r,
			       const struct nbt_dgram *frag, uint64_t now_ms,
			       TALLOC_CTX *mem_ctx,
			       struct nbt_dgram **complete);

/* Drop datagrams whose time is up; returns how many. */
size_t nbt_reasm_expire(struct nbt_reasm *r, uint64_t now_ms);

void nbt_reasm_get_stats(const struct nbt_reasm *r,
			 struct nbt_reasm_stats *stats);

/* CLOCK_MONOTONIC in milliseconds, for callers without their own clock. */
uint64_t nbt_reasm_now_ms(void);

#endif
