/* IPv4, UDP and ICMP-quoted UDP from a captured frame. */
#include <string.h>

#include "nbt/byteorder.h"
#include "capture.h"

#define IPV4_MIN 20
#define UDP_LEN 8
#define ICMP_LEN 8
#define PROTO_ICMP 1
#define PROTO_UDP 17
#define IP_MF 0x2000
#define IP_OFFSET_MASK 0x1fff

struct capture {
	int dlt;
	struct capture_ipfrag *frag;
	struct capture_stats st;
};

void capture_limits_default(struct capture_limits *lim)
{
	lim->max_pending = 64;
	lim->max_bytes = 1024 * 1024;
	lim->timeout_ms = 30000;
}

struct capture *capture_create(TALLOC_CTX *mem_ctx, int dlt,
			       const struct capture_limits *lim)
{
	struct capture *c = talloc_zero(mem_ctx, struct capture);
	struct capture_limits def;

	if (c == NULL)
		return NULL;
	if (lim == NULL) {
		capture_limits_default(&def);
		lim = &def;
	}
	c->dlt = dlt;
	c->frag = capture_ipfrag_create(c, lim);
	if (c->frag == NULL) {
		talloc_free(c);
		return NULL;
	}
	return c;
}

void capture_set_dlt(struct capture *c, int dlt)
{
	c->dlt = dlt;
}

/* UDP at udp: present bytes captured, ip_len bytes per the IP header. */
static enum capture_status udp(struct capture *c, const uint8_t *u,
			       size_t present, size_t ip_len,
			       struct capture_udp *out)
{
	size_t ulen;

	if (present < UDP_LEN)
		return CAPTURE_OTHER;	/* cut before the ports */
	ulen = get_be16(u + 4);
	if (ulen < UDP_LEN) {
		c->st.malformed++;
		return CAPTURE_MALFORMED;
	}
	/* a UDP length past the IP payload: the IP length wins, as tshark */
	if (ulen > ip_len) {
		c->st.malformed++;
		out->bad_length = true;
		ulen = ip_len;
	}
	out->src_port = get_be16(u);
	out->dst_port = get_be16(u + 2);
	out->payload = u + UDP_LEN;
	out->wire_len = ulen - UDP_LEN;
	out->len = present - UDP_LEN < out->wire_len ? present - UDP_LEN
						      : out->wire_len;
	out->truncated = out->len < out->wire_len;
	c->st.udp++;
	if (out->truncated)
		c->st.truncated++;
	return CAPTURE_UDP;
}

static bool icmp_is_error(uint8_t type)
{
	/* unreachable, source quench, redirect, time exceeded, parameter */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* An ICMP error quoting an IPv4 UDP datagram: report the datagram. */
static enum capture_status icmp(struct capture *c, const uint8_t *ip,
				const uint8_t *p, size_t present,
				struct capture_udp *out)
{
	const uint8_t *in;
	size_t avail, ihl, total;

	if (present < ICMP_LEN + IPV4_MIN || !icmp_is_error(p[0]))
		return CAPTURE_OTHER;
	in = p + ICMP_LEN;
	avail = present - ICMP_LEN;
	ihl = (size_t)(in[0] & 0x0f) * 4;
	total = get_be16(in + 2);
	if ((in[0] >> 4) != 4 || ihl < IPV4_MIN || avail < ihl ||
	    in[9] != PROTO_UDP || total < ihl ||
	    (get_be16(in + 6) & IP_OFFSET_MASK) != 0)
		return CAPTURE_OTHER;
	out->icmp_quoted = true;
	out->icmp_type = p[0];
	out->icmp_code = p[1];
	out->icmp_src_ip = get_be32(ip + 12);
	out->icmp_dst_ip = get_be32(ip + 16);
	out->src_ip = get_be32(in + 12);
	out->dst_ip = get_be32(in + 16);
	c->st.icmp_quoted++;
	return udp(c, in + ihl, avail - ihl, total - ihl, out);
}

enum capture_status capture_frame(struct capture *c, const uint8_t *frame,
				  size_t caplen, uint64_t ts_ms,
				  struct capture_udp *out)
{
	long off = capture_link_ipv4_offset(c->dlt, frame, caplen);
	const uint8_t *ip, *pl;
	size_t avail, ihl, total, present, plen, foff;
	uint16_t frag;

	c->st.frames++;
	memset(out, 0, sizeof(*out));
	if (off < 0 || caplen - (size_t)off < IPV4_MIN)
		return CAPTURE_OTHER;
	ip = frame + off;
	avail = caplen - (size_t)off;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if ((ip[0] >> 4) != 4)
		return CAPTURE_OTHER;
	c->st.ipv4++;
	total = get_be16(ip + 2);
	if (ihl < IPV4_MIN || total < ihl) {
		c->st.malformed++;
		return CAPTURE_MALFORMED;
	}
	if (avail < ihl)
		return CAPTURE_OTHER;
	/* Ethernet pads short frames: the IP length decides */
	present = avail < total ? avail : total;
	out->src_ip = get_be32(ip + 12);
	out->dst_ip = get_be32(ip + 16);
	frag = get_be16(ip + 6);
	if ((frag & (IP_MF | IP_OFFSET_MASK)) == 0) {
		if (ip[9] == PROTO_UDP)
			return udp(c, ip + ihl, present - ihl, total - ihl,
				   out);
		if (ip[9] == PROTO_ICMP)
			return icmp(c, ip, ip + ihl, present - ihl, out);
		return CAPTURE_OTHER;
	}
	if (ip[9] != PROTO_UDP)
		return CAPTURE_OTHER;
	c->st.ip_fragments++;
	/* a cut fragment can never complete its datagram */
	if (present < total) {
		c->st.truncated++;
		return CAPTURE_IP_FRAGMENT;
	}
	foff = (size_t)(frag & IP_OFFSET_MASK) * 8;
	if (!capture_ipfrag_add(c->frag, ip, foff, (frag & IP_MF) != 0,
				ip + ihl, total - ihl, ts_ms, &pl, &plen,
				&out->ip_fragments))
		return CAPTURE_IP_FRAGMENT;
	c->st.ip_reassembled++;
	out->reassembled = true;
	return udp(c, pl, plen, plen, out);
}

void capture_get_stats(const struct capture *c, struct capture_stats *s)
{
	size_t pending, bytes;

	*s = c->st;
	capture_ipfrag_counts(c->frag, &s->ip_expired, &s->ip_dropped,
			      &pending, &bytes);
}
