/*
 * From a captured frame to a UDP datagram: link-layer decapsulation for
 * the DLTs real captures of Windows networks use, IPv4 with bounded
 * fragment reassembly, UDP, and datagrams quoted inside ICMP errors.
 *
 * Nothing is allocated per frame: results are views into the frame or
 * into the reassembler's buffer, valid until the next capture_frame().
 */
#ifndef MAILSLOT_CAPTURE_H
#define MAILSLOT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

enum capture_status {
	CAPTURE_OTHER,		/* not IPv4 UDP (or a link type we skip) */
	CAPTURE_UDP,		/* a UDP datagram; see truncated */
	CAPTURE_IP_FRAGMENT,	/* an IPv4 fragment held for reassembly */
	CAPTURE_MALFORMED,	/* IPv4 or UDP header contradicts itself */
};

struct capture_udp {
	uint32_t src_ip, dst_ip;	/* host byte order */
	uint16_t src_port, dst_port;
	const uint8_t *payload;		/* view */
	size_t len;			/* bytes present at payload */
	size_t wire_len;		/* bytes the UDP header promises */
	bool truncated;			/* len < wire_len: snaplen or quote */
	bool bad_length;		/* UDP length > IP payload (ignored) */
	bool reassembled;		/* built from IPv4 fragments */
	uint16_t ip_fragments;		/* how many, when reassembled */
	/* Quoted inside an ICMP error (the addresses above are the quoted
	 * datagram's; these are the ICMP packet's). */
	bool icmp_quoted;
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_src_ip, icmp_dst_ip;
};

/* Bounds of the IPv4 reassembler (capture_limits_default documents). */
struct capture_limits {
	size_t max_pending;	/* IP datagrams being reassembled */
	size_t max_bytes;	/* buffer bytes held by all of them */
	uint32_t timeout_ms;	/* capture time from the first fragment */
};

struct capture_stats {
	uint64_t frames, ipv4, udp, truncated, malformed, icmp_quoted;
	uint64_t ip_fragments, ip_reassembled, ip_expired, ip_dropped;
};

struct capture;

/* 64 pending, 1 MiB, 30 s (Linux's ipfrag_time). */
void capture_limits_default(struct capture_limits *lim);

/* Link types capture_frame understands (pcap DLT_* values). */
bool capture_dlt_supported(int dlt);

/* lim NULL = defaults.  Freeing it frees the reassembler. */
struct capture *capture_create(TALLOC_CTX *mem_ctx, int dlt,
			       const struct capture_limits *lim);

/* Another link type (pcapng interfaces may differ); keeps fragments. */
void capture_set_dlt(struct capture *c, int dlt);

/*
 * One frame of caplen captured bytes; ts_ms is the frame's capture time
 * (drives fragment expiry).  CAPTURE_UDP fills *out.
 */
enum capture_status capture_frame(struct capture *c, const uint8_t *frame,
				  size_t caplen, uint64_t ts_ms,
				  struct capture_udp *out);

void capture_get_stats(const struct capture *c, struct capture_stats *s);

/* Used by capture_frame; exposed for tests. */

/* Offset of the IPv4 header in frame, or -1 if the frame is not IPv4. */
long capture_link_ipv4_offset(int dlt, const uint8_t *frame, size_t caplen);

struct capture_ipfrag;
struct capture_ipfrag *capture_ipfrag_create(TALLOC_CTX *mem_ctx,
					     const struct capture_limits *lim);
/*
 * Add the fragment whose IPv4 header is ip (ihl bytes) and payload
 * [data, data+len) at byte offset off, more = MF.  Returns true with
 * payload and plen set to the whole IP payload (in the reassembler's
 * buffer, valid until the next call) when the datagram is complete.
 */
bool capture_ipfrag_add(struct capture_ipfrag *r, const uint8_t *ip,
			size_t off, bool more, const uint8_t *data, size_t len,
			uint64_t now_ms, const uint8_t **payload, size_t *plen,
			uint16_t *nfrags);
void capture_ipfrag_counts(const struct capture_ipfrag *r,
			   uint64_t *expired, uint64_t *dropped,
			   size_t *pending, size_t *bytes);

#endif
