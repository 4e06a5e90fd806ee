/*
 * NetBIOS name service packets (RFC 1002 §4.2, UDP 137): queries,
 * registrations, releases, refreshes, WACK, node status, and the answers
 * to each.  Unlike datagrams, name service packets may use label pointers
 * (RFC 1002 §4.1); decode follows them within the packet, bounded.
 *
 * A NetBIOS name service packet carries at most one question and one
 * resource record in each section in practice; decode refuses more.
 */
#ifndef MAILSLOT_NBT_NS_H
#define MAILSLOT_NBT_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbt_name.h"

#define NBT_NS_PORT 137
#define NBT_NS_HEADER_LEN 12
#define NBT_NS_MAX_ADDRS 32		/* NB addresses in one record */
#define NBT_NS_MAX_STATUS_NAMES 64	/* names in a node status answer */

enum nbt_ns_opcode {
	NBT_NS_OP_QUERY = 0,
	NBT_NS_OP_REGISTRATION = 5,
	NBT_NS_OP_RELEASE = 6,
	NBT_NS_OP_WACK = 7,
	NBT_NS_OP_REFRESH = 8,
	NBT_NS_OP_REFRESH_ALT = 9,	/* what Windows and Samba send */
	NBT_NS_OP_MULTIHOMED_REGISTRATION = 15,
};

/* NM_FLAGS (7 bits, as they sit in the 16-bit flags word) */
#define NBT_NS_NM_AA 0x0400	/* authoritative answer */
#define NBT_NS_NM_TC 0x0200	/* truncation */
#define NBT_NS_NM_RD 0x0100	/* recursion desired */
#define NBT_NS_NM_RA 0x0080	/* recursion available */
#define NBT_NS_NM_B 0x0010	/* broadcast */

enum nbt_ns_rcode {
	NBT_NS_RCODE_OK = 0,
	NBT_NS_RCODE_FMT_ERR = 1,
	NBT_NS_RCODE_SRV_ERR = 2,
	NBT_NS_RCODE_NAM_ERR = 3,	/* name not found */
	NBT_NS_RCODE_IMP_ERR = 4,
	NBT_NS_RCODE_RFS_ERR = 5,
	NBT_NS_RCODE_ACT_ERR = 6,	/* name in use: registration refused */
	NBT_NS_RCODE_CFT_ERR = 7,	/* name in conflict */
};

enum nbt_ns_rr_type {
	NBT_NS_TYPE_A = 0x0001,
	NBT_NS_TYPE_NS = 0x0002,
	NBT_NS_TYPE_NULL = 0x000a,
	NBT_NS_TYPE_NB = 0x0020,
	NBT_NS_TYPE_NBSTAT = 0x0021,
};
#define NBT_NS_CLASS_IN 0x0001

/* NB_FLAGS: | G | ONT(2) | reserved(13) | */
#define NBT_NS_NB_GROUP 0x8000
#define NBT_NS_NB_ONT_MASK 0x6000	/* 0x0000 B, 0x2000 P, 0x4000 M, 0x6000 H */
/* NAME_FLAGS in a node status entry: G, ONT, DRG, CNF, ACT, PRM */
#define NBT_NS_NAME_GROUP 0x8000
#define NBT_NS_NAME_DEREGISTER 0x1000
#define NBT_NS_NAME_CONFLICT 0x0800
#define NBT_NS_NAME_ACTIVE 0x0400
#define NBT_NS_NAME_PERMANENT 0x0200

struct nbt_ns_addr {
	uint16_t nb_flags;
	uint32_t ip;		/* host byte order */
};

struct nbt_ns_status_name {
	uint8_t raw[NBT_NAME_LEN];
	uint16_t flags;
};

struct nbt_ns_rr {
	struct nbt_name name;
	uint16_t type;
	uint16_t rr_class;
	uint32_t ttl;
	/* type NB: the address entries */
	size_t num_addrs;
	struct nbt_ns_addr addrs[NBT_NS_MAX_ADDRS];
	/* type NBSTAT: the node's names and its unit ID (MAC) */
	size_t num_names;
	struct nbt_ns_status_name names[NBT_NS_MAX_STATUS_NAMES];
	uint8_t unit_id[6];
	/* any other type (NULL, NS, A, WACK's 2 bytes): raw view */
	const uint8_t *rdata;
	uint16_t rdlength;
};

struct nbt_ns_packet {
	uint16_t id;		/* NAME_TRN_ID */
	bool response;		/* R bit */
	uint8_t opcode;		/* enum nbt_ns_opcode */
	uint16_t nm_flags;	/* NBT_NS_NM_* */
	uint8_t rcode;		/* enum nbt_ns_rcode */
	bool has_question;
	struct nbt_name question_name;
	uint16_t question_type;	/* NB or NBSTAT */
	uint16_t question_class;
	bool has_answer;	/* ANCOUNT 1 */
	struct nbt_ns_rr answer;
	bool has_authority;	/* NSCOUNT 1 */
	struct nbt_ns_rr authority;
	bool has_additional;	/* ARCOUNT 1 */
	struct nbt_ns_rr additional;
};

size_t nbt_ns_encoded_len(const struct nbt_ns_packet *p);
/* Encode without label pointers (every name written in full). */
enum codec_error nbt_ns_encode(const struct nbt_ns_packet *p, uint8_t *buf,
			       size_t buflen, size_t *used);
/* Strict decode; views (rdata) point into buf. */
enum codec_error nbt_ns_decode(const uint8_t *buf, size_t len,
			       struct nbt_ns_packet *p);

/*
 * The name at pkt[offset], written in full or as a label pointer (0xC0xx,
 * an offset from the packet start) to a full name earlier in the packet.
 * Pointers are followed backwards only, at most 8 jumps; otherwise
 * CODEC_ERR_NS_POINTER_LOOP.  *consumed: bytes at offset (2 for a pointer).
 */
enum codec_error nbt_ns_name_decode(const uint8_t *pkt, size_t pkt_len,
				    size_t offset, struct nbt_name *n,
				    size_t *consumed);

/*
 * Builders for what a B/H-node sends and answers.  All set id, opcode,
 * flags, the question and/or the record; nb_flags carries G and ONT.
 */
void nbt_ns_build_query(struct nbt_ns_packet *p, uint16_t id,
			const struct nbt_name *name, bool broadcast);
void nbt_ns_build_registration(struct nbt_ns_packet *p, uint16_t id,
			       const struct nbt_name *name, uint16_t nb_flags,
			       uint32_t ip, uint32_t ttl, bool broadcast);
void nbt_ns_build_release(struct nbt_ns_packet *p, uint16_t id,
			  const struct nbt_name *name, uint16_t nb_flags,
			  uint32_t ip, bool broadcast);
void nbt_ns_build_refresh(struct nbt_ns_packet *p, uint16_t id,
			  const struct nbt_name *name, uint16_t nb_flags,
			  uint32_t ip, uint32_t ttl);
/* Positive (rcode 0, one address) or negative (rcode, no record). */
void nbt_ns_build_query_response(struct nbt_ns_packet *p, uint16_t id,
				 const struct nbt_name *name, uint8_t rcode,
				 uint16_t nb_flags, uint32_t ip, uint32_t ttl);
/* The answer to someone registering a name we own: ACT_ERR, our address. */
void nbt_ns_build_registration_response(struct nbt_ns_packet *p,
					uint16_t id,
					const struct nbt_name *name,
					uint8_t rcode, uint16_t nb_flags,
					uint32_t ip, uint32_t ttl);
/* Node status request for name (usually "*<00>") and its answer. */
void nbt_ns_build_status_request(struct nbt_ns_packet *p, uint16_t id,
				 const struct nbt_name *name);
void nbt_ns_build_status_response(struct nbt_ns_packet *p, uint16_t id,
				  const struct nbt_name *name,
				  const struct nbt_ns_status_name *names,
				  size_t num_names, const uint8_t unit_id[6]);

const char *nbt_ns_opcode_name(uint8_t opcode);	/* "QUERY" ... */
const char *nbt_ns_rcode_name(uint8_t rcode);

#endif
