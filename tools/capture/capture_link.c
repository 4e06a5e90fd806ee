/* Link-layer decapsulation: where the IPv4 header starts, per DLT. */
#include <pcap/pcap.h>

#include "nbt/byteorder.h"
#include "capture.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETH_MAX_TAGS 4		/* stacked VLAN tags we look through */
#define SLL_LEN 16
#define SLL2_LEN 20
#define SLL_PROTO_LLC 0x0004	/* Linux: an 802.2 frame follows */
#define NULL_LEN 4
#define TR_LEN 14		/* AC, FC, destination, source */
#define TR_RIF_PRESENT 0x80	/* in the source address's first byte */
#define NULL_AF_INET 2

/* DLT_IPV4 is not in every libpcap's headers. */
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

bool capture_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
	case DLT_RAW: case DLT_IPV4: case DLT_NULL: case DLT_LOOP:
	case DLT_IEEE802:
		return true;
	}
	return false;
}

/* 802.2 LLC at off: IPv4 only inside SNAP (AA AA 03, OUI, type). */
static long llc_ipv4(const uint8_t *f, size_t caplen, size_t off)
{
	if (caplen < off + 8)
		return -1;
	if (f[off] != 0xaa || f[off + 1] != 0xaa || f[off + 2] != 0x03)
		return -1;	/* NetBEUI (F0 F0), IPX, ...: not IP */
	if (get_be16(f + off + 6) != ETHERTYPE_IPV4)
		return -1;
	return (long)(off + 8);
}

static long ether_ipv4(const uint8_t *f, size_t caplen)
{
	size_t off = 12;
	uint16_t type;

	if (caplen < off + 2)
		return -1;
	type = get_be16(f + off);
	for (int tags = 0; tags < ETH_MAX_TAGS; tags++) {
		if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ &&
		    type != ETHERTYPE_QINQ_OLD)
			break;
		if (caplen < off + 6)
			return -1;
		off += 4;
		type = get_be16(f + off);
	}
	off += 2;
	if (type <= 1500)	/* 802.3 length: LLC follows */
		return llc_ipv4(f, caplen, off);
	return type == ETHERTYPE_IPV4 ? (long)off : -1;
}

static long token_ring_ipv4(const uint8_t *f, size_t caplen)
{
	size_t off = TR_LEN;

	if (caplen < TR_LEN + 1)
		return -1;
	if (f[8] & TR_RIF_PRESENT)
		off += f[TR_LEN] & 0x1f;	/* routing information */
	return llc_ipv4(f, caplen, off);
}

static long null_ipv4(const uint8_t *f, size_t caplen, bool network_order)
{
	uint32_t family;

	if (caplen < NULL_LEN)
		return -1;
	family = get_be32(f);
	/* DLT_NULL is the writer's host order: accept either */
	if (!network_order && family != NULL_AF_INET)
		family = get_le32(f);
	return family == NULL_AF_INET ? NULL_LEN : -1;
}

long capture_link_ipv4_offset(int dlt, const uint8_t *f, size_t caplen)
{
	switch (dlt) {
	case DLT_EN10MB:
		return ether_ipv4(f, caplen);
	case DLT_LINUX_SLL:
		if (caplen < SLL_LEN)
			return -1;
		if (get_be16(f + 14) == SLL_PROTO_LLC)
			return llc_ipv4(f, caplen, SLL_LEN);
		return get_be16(f + 14) == ETHERTYPE_IPV4 ? SLL_LEN : -1;
	case DLT_LINUX_SLL2:
		if (caplen < SLL2_LEN)
			return -1;
		if (get_be16(f) == SLL_PROTO_LLC)
			return llc_ipv4(f, caplen, SLL2_LEN);
		return get_be16(f) == ETHERTYPE_IPV4 ? SLL2_LEN : -1;
	case DLT_RAW:
	case DLT_IPV4:
		return caplen >= 1 && (f[0] >> 4) == 4 ? 0 : -1;
	case DLT_NULL:
		return null_ipv4(f, caplen, false);
	case DLT_LOOP:
		return null_ipv4(f, caplen, true);
	case DLT_IEEE802:
		return token_ring_ipv4(f, caplen);
	}
	return -1;
}
