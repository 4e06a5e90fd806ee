/*
 * Capture files through libpcap: wrap NBT datagrams in Ethernet/IPv4/UDP
 * frames to write them, and find the UDP payload of a captured frame.
 */
#ifndef MAILSLOT_PCAP_FRAME_H
#define MAILSLOT_PCAP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <talloc.h>

struct udp_endpoints {
	uint32_t src_ip, dst_ip;	/* host byte order */
	uint16_t src_port, dst_port;
};

struct pcap_frame_writer;

/* Ethernet (DLT_EN10MB) file; errors go to err (PCAP_ERRBUF_SIZE). */
struct pcap_frame_writer *pcap_frame_writer_open(TALLOC_CTX *mem_ctx,
						 const char *path, char *err);

/* One frame: MACs derived from the IPs (broadcast for x.x.x.255). */
int pcap_frame_write_udp(struct pcap_frame_writer *w,
			 const struct udp_endpoints *ep,
			 const uint8_t *payload, size_t len,
			 const struct timeval *ts);

/* Flushes and closes; also done by talloc_free(w). */
void pcap_frame_writer_close(struct pcap_frame_writer *w);

/*
 * The UDP payload of an Ethernet (optionally 802.1Q) IPv4 frame that is not
 * an IP fragment.  Returns false for anything else or anything truncated.
 */
bool pcap_frame_udp_payload(const uint8_t *frame, size_t caplen,
			    struct udp_endpoints *ep,
			    const uint8_t **payload, size_t *len);

/* Read every UDP payload from a file into a talloc array of blobs. */
struct pcap_udp_packet {
	struct udp_endpoints ep;
	uint8_t *data;
	size_t len;
};

int pcap_file_read_udp(TALLOC_CTX *mem_ctx, const char *path,
		       struct pcap_udp_packet **packets, size_t *count,
		       char *err);

#endif
