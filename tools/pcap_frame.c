#include <pcap/pcap.h>
#include <string.h>

#include "nbt/byteorder.h"
#include "pcap_frame.h"

#define ETH_LEN 14
#define VLAN_LEN 4
#define IPV4_LEN 20
#define UDP_LEN 8
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_VLAN 0x8100
#define FRAME_MAX 65535

struct pcap_frame_writer {
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	uint8_t frame[FRAME_MAX];
};

static int writer_destructor(struct pcap_frame_writer *w)
{
	if (w->dumper != NULL) {
		pcap_dump_close(w->dumper);
		w->dumper = NULL;
	}
	if (w->pcap != NULL) {
		pcap_close(w->pcap);
		w->pcap = NULL;
	}
	return 0;
}

struct pcap_frame_writer *pcap_frame_writer_open(TALLOC_CTX *mem_ctx,
						 const char *path, char *err)
{
	struct pcap_frame_writer *w = talloc_zero(mem_ctx,
						  struct pcap_frame_writer);

	if (w == NULL) {
		snprintf(err, PCAP_ERRBUF_SIZE, "out of memory");
		return NULL;
	}
	talloc_set_destructor(w, writer_destructor);
	w->pcap = pcap_open_dead(DLT_EN10MB, FRAME_MAX);
	if (w->pcap == NULL) {
		snprintf(err, PCAP_ERRBUF_SIZE, "pcap_open_dead failed");
		goto fail;
	}
	w->dumper = pcap_dump_open(w->pcap, path);
	if (w->dumper == NULL) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(w->pcap));
		goto fail;
	}
	return w;
fail:
	talloc_free(w);
	return NULL;
}

void pcap_frame_writer_close(struct pcap_frame_writer *w)
{
	talloc_free(w);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void mac_for_ip(uint8_t *mac, uint32_t ip, bool is_source)
{
	/* a source MAC is never a group address, whatever the IP */
	if (!is_source && (ip & 0xff) == 0xff) {
		memset(mac, 0xff, 6);
		return;
	}
	/* locally administered, derived from the address */
	mac[0] = 0x02;
	mac[1] = 0x00;
	put_be32(mac + 2, ip);
}

int pcap_frame_write_udp(struct pcap_frame_writer *w,
			 const struct udp_endpoints *ep,
			 const uint8_t *payload, size_t len,
			 const struct timeval *ts)
{
	uint8_t *f = w->frame, *ip = f + ETH_LEN, *udp = ip + IPV4_LEN;
	size_t total = ETH_LEN + IPV4_LEN + UDP_LEN + len;
	struct pcap_pkthdr h;
	uint32_t sum;

	if (total > FRAME_MAX)
		return -1;
	mac_for_ip(f, ep->dst_ip, false);
	mac_for_ip(f + 6, ep->src_ip, true);
	put_be16(f + 12, ETHERTYPE_IPV4);

	memset(ip, 0, IPV4_LEN);
	ip[0] = 0x45;
	put_be16(ip + 2, (uint16_t)(IPV4_LEN + UDP_LEN + len));
	ip[8] = 128; /* TTL, as Windows */
	ip[9] = 17;  /* UDP */
	put_be32(ip + 12, ep->src_ip);
	put_be32(ip + 16, ep->dst_ip);
	put_be16(ip + 10, sum_fold(sum16(ip, IPV4_LEN, 0)));

	put_be16(udp, ep->src_port);
	put_be16(udp + 2, ep->dst_port);
	put_be16(udp + 4, (uint16_t)(UDP_LEN + len));
	put_be16(udp + 6, 0);
	memcpy(udp + UDP_LEN, payload, len);
	/* pseudo-header: addresses, protocol, UDP length */
	sum = sum16(ip + 12, 8, 0) + 17 + (uint32_t)(UDP_LEN + len);
	sum = sum16(udp, UDP_LEN + len, sum);
	put_be16(udp + 6, sum_fold(sum) == 0 ? 0xffff : sum_fold(sum));

	memset(&h, 0, sizeof(h));
	if (ts != NULL)
		h.ts = *ts;
	h.caplen = h.len = (bpf_u_int32)total;
	pcap_dump((u_char *)w->dumper, &h, f);
	return 0;
}

bool pcap_frame_udp_payload(const uint8_t *frame, size_t caplen,
			    struct udp_endpoints *ep,
			    const uint8_t **payload, size_t *len)
{
	size_t off = 12, ihl, ip_total, udp_len;
	uint16_t type;
	const uint8_t *ip, *udp;

	if (caplen < ETH_LEN)
		return false;
	type = get_be16(frame + off);
	off += 2;
	if (type == ETHERTYPE_VLAN) {
		if (caplen < off + VLAN_LEN)
			return false;
		type = get_be16(frame + off + 2);
		off += VLAN_LEN;
	}
	if (type != ETHERTYPE_IPV4 || caplen < off + IPV4_LEN)
		return false;
	ip = frame + off;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	ip_total = get_be16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < IPV4_LEN || ip[9] != 17 ||
	    (get_be16(ip + 6) & 0x3fff) != 0 /* MF or fragment offset */ ||
	    ip_total < ihl + UDP_LEN || caplen < off + ip_total)
		return false;
	udp = ip + ihl;
	udp_len = get_be16(udp + 4);
	if (udp_len < UDP_LEN || udp_len > ip_total - ihl)
		return false;
	ep->src_ip = get_be32(ip + 12);
	ep->dst_ip = get_be32(ip + 16);
	ep->src_port = get_be16(udp);
	ep->dst_port = get_be16(udp + 2);
	*payload = udp + UDP_LEN;
	*len = udp_len - UDP_LEN;
	return true;
}

int pcap_file_read_udp(TALLOC_CTX *mem_ctx, const char *path,
		       struct pcap_udp_packet **packets, size_t *count,
		       char *err)
{
	pcap_t *p = pcap_open_offline(path, err);
	struct pcap_udp_packet *out;
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t n = 0;
	int rc;

	if (p == NULL)
		return -1;
	out = talloc_array(mem_ctx, struct pcap_udp_packet, 0);
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		struct udp_endpoints ep;
		const uint8_t *pl;
		size_t len;

		if (pcap_datalink(p) != DLT_EN10MB ||
		    !pcap_frame_udp_payload(data, h->caplen, &ep, &pl, &len))
			continue;
		out = talloc_realloc(mem_ctx, out, struct pcap_udp_packet,
				     n + 1);
		if (out == NULL)
			break;
		out[n].ep = ep;
		out[n].len = len;
		out[n].data = talloc_memdup(out, pl, len ? len : 1);
		n++;
	}
	if (rc == -1)
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
	pcap_close(p);
	if (out == NULL || rc == -1) {
		talloc_free(out);
		return -1;
	}
	*packets = out;
	*count = n;
	return 0;
}
