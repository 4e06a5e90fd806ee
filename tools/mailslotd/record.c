/* --pcap: every datagram sent and received, for tshark or mailslot decode. */
#include <sys/time.h>

#include "daemon.h"
#include "tools/pcap_frame.h"

void mailslotd_record(struct mailslotd *d, uint32_t src_ip, uint16_t src_port,
		      uint32_t dst_ip, uint16_t dst_port,
		      const uint8_t *buf, size_t len)
{
	struct udp_endpoints ep = {
		.src_ip = src_ip, .dst_ip = dst_ip,
		.src_port = src_port, .dst_port = dst_port,
	};
	struct timeval tv;

	if (d->pcap == NULL)
		return;
	gettimeofday(&tv, NULL);
	pcap_frame_write_udp(d->pcap, &ep, buf, len, &tv);
}
