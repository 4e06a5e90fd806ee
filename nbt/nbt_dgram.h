/*
 * NBT datagram service packets (RFC 1002 §4.4): all seven message types.
 * Decode is zero-copy: USER_DATA is a view into the caller's buffer.
 */
#ifndef MAILSLOT_NBT_DGRAM_H
#define MAILSLOT_NBT_DGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbt_name.h"

#define NBT_DGRAM_PORT 138
#define NBT_DGRAM_PREFIX_LEN 10	/* MSG_TYPE .. SOURCE_PORT */
#define NBT_DGRAM_HEADER_LEN 14	/* + DGM_LENGTH, PACKET_OFFSET */
#define NBT_DGRAM_ERROR_LEN 11

enum nbt_dgram_type {
	NBT_DGRAM_DIRECT_UNIQUE = 0x10,
	NBT_DGRAM_DIRECT_GROUP = 0x11,
	NBT_DGRAM_BROADCAST = 0x12,
	NBT_DGRAM_ERROR = 0x13,
	NBT_DGRAM_QUERY_REQUEST = 0x14,
	NBT_DGRAM_POSITIVE_QUERY_RESPONSE = 0x15,
	NBT_DGRAM_NEGATIVE_QUERY_RESPONSE = 0x16,
};

/* FLAGS byte: | reserved(4) | SNT(2) | F | M | */
#define NBT_DGRAM_FLAG_MORE 0x01
#define NBT_DGRAM_FLAG_FIRST 0x02
#define NBT_DGRAM_NODE_MASK 0x0c
#define NBT_DGRAM_RESERVED_MASK 0xf0

enum nbt_node_type {
	NBT_NODE_B = 0x00,
	NBT_NODE_P = 0x04,
	NBT_NODE_M = 0x08,
	NBT_NODE_H = 0x0c, /* "NBDD" in RFC 1002; Microsoft uses it for H */
};

enum nbt_dgram_error_code {
	NBT_DGRAM_ERR_NAME_NOT_PRESENT = 0x82,
	NBT_DGRAM_ERR_INVALID_SOURCE = 0x83,
	NBT_DGRAM_ERR_INVALID_DESTINATION = 0x84,
};

struct nbt_dgram {
	uint8_t type;		/* enum nbt_dgram_type */
	uint8_t flags;		/* as on the wire; reserved bits kept */
	uint16_t id;		/* DGM_ID */
	uint32_t src_ip;	/* SOURCE_IP, host byte order */
	uint16_t src_port;	/* SOURCE_PORT */
	/*
	 * 0x10-0x12 only.  dgm_length is what the packet says (decode) and is
	 * never used to find data; encode computes it and ignores this field.
	 */
	uint16_t dgm_length;
	uint16_t packet_offset;
	struct nbt_name source;	/* 0x10-0x12 */
	struct nbt_name dest;	/* 0x10-0x12, 0x14-0x16 */
	uint8_t error_code;	/* 0x13 */
	const uint8_t *user_data; /* 0x10-0x12: view, not owned */
	size_t user_data_len;
};

bool nbt_dgram_type_is_data(uint8_t type);	/* 0x10-0x12 */
const char *nbt_dgram_type_name(uint8_t type);	/* "DIRECT_GROUP" */
const char *nbt_dgram_error_code_name(uint8_t code);

/* Neither "first and last" (F set, M clear): part of a larger datagram. */
static inline bool nbt_dgram_is_fragment(const struct nbt_dgram *d)
{
	return (d->flags & (NBT_DGRAM_FLAG_FIRST | NBT_DGRAM_FLAG_MORE)) !=
	       NBT_DGRAM_FLAG_FIRST;
}

/*
 * Fill in everything a sender normally wants: F set, node type, a data
 * type with both names and the payload view.
 */
void nbt_dgram_init(struct nbt_dgram *d, uint8_t type, uint8_t node_type,
		    uint16_t id, uint32_t src_ip, uint16_t src_port);

/* DGM_LENGTH as the RFC defines it: names + this packet's USER_DATA. */
size_t nbt_dgram_computed_length(const struct nbt_dgram *d);

size_t nbt_dgram_encoded_len(const struct nbt_dgram *d);

/*
 * USER_DATA may already sit at its place in BUF (right after the names);
 * it is then left as it is (smb_mailslot_dgram_encode() does this).
 */
enum codec_error nbt_dgram_encode(const struct nbt_dgram *d, uint8_t *buf,
				  size_t buflen, size_t *used);

/*
 * Decode one UDP payload.  USER_DATA is everything after the two names
 * (never DGM_LENGTH, which the packet itself can contradict); compare
 * d->dgm_length with nbt_dgram_computed_length() to see a mismatch.
 */
enum codec_error nbt_dgram_decode(const uint8_t *buf, size_t len,
				  struct nbt_dgram *d);

#endif
