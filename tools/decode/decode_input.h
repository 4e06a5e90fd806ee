/* Opening what mailslot decode reads: capture files and live interfaces. */
#ifndef MAILSLOT_DECODE_INPUT_H
#define MAILSLOT_DECODE_INPUT_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * pcap or pcapng through libpcap, nanosecond timestamps.  For a file
 * libpcap cannot open, err names the format when we recognise it (snoop,
 * AIX iptrace, NetMon, ...) and says how to convert it.
 */
pcap_t *decode_input_open_file(const char *path, char *err, size_t errlen);

/* Live capture of UDP on ports (and IP fragments), BPF-filtered. */
pcap_t *decode_input_open_live(const char *iface, const uint16_t *ports,
			       size_t nports, char *err, size_t errlen);

/* A progress bar on stderr while reading a file (only on a terminal). */
struct decode_progress {
	bool on;
	FILE *file;		/* pcap_file() */
	long long size;
	uint64_t next;		/* frame count at the next update */
};

void decode_progress_start(struct decode_progress *p, pcap_t *pc,
			   const char *path, bool allowed);
void decode_progress_update(struct decode_progress *p, uint64_t frames);
void decode_progress_end(struct decode_progress *p);

#endif
