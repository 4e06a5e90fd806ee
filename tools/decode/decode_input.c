#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode_input.h"

#define PROGRESS_EVERY 32768	/* frames between updates */
#define BAR_WIDTH 40

struct magic {
	const char *bytes;
	size_t len;
	const char *format;
};

/* Formats Wireshark reads and libpcap does not. */
static const struct magic magics[] = {
	{ "snoop\0\0\0", 8, "Sun snoop" },
	{ "iptrace 1.0", 11, "AIX iptrace 1.0" },
	{ "iptrace 2.0", 11, "AIX iptrace 2.0" },
	{ "RTSS", 4, "Microsoft Network Monitor 1.x" },
	{ "GMBU", 4, "Microsoft Network Monitor 2.x" },
	{ "XCP\0", 4, "Network Instruments Observer" },
	{ "\x00\x00\x1a\x00", 4, "Visual Networks" },
};

static const char *sniff_format(const char *path)
{
	unsigned char head[16];
	size_t n = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return NULL;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		if (n >= magics[i].len &&
		    memcmp(head, magics[i].bytes, magics[i].len) == 0)
			return magics[i].format;
	}
	return NULL;
}

pcap_t *decode_input_open_file(const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	const char *fmt;
	pcap_t *p;

	p = pcap_open_offline_with_tstamp_precision(path,
			PCAP_TSTAMP_PRECISION_NANO, perr);
	if (p != NULL)
		return p;
	fmt = sniff_format(path);
	if (fmt != NULL)
		snprintf(err, errlen, "%s: %s capture files are not supported "
			 "(libpcap reads pcap and pcapng only); convert it "
			 "first: editcap -F pcap '%s' out.pcap", path, fmt,
			 path);
	else
		snprintf(err, errlen, "%s: %s (if Wireshark can read it, "
			 "convert it first: editcap -F pcap '%s' out.pcap)",
			 path, perr, path);
	return NULL;
}

pcap_t *decode_input_open_live(const char *iface, const uint16_t *ports,
			       size_t nports, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE], filter[512];
	struct bpf_program prog;
	size_t o;
	pcap_t *p = pcap_create(iface, perr);

	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", iface, perr);
		return NULL;
	}
	pcap_set_snaplen(p, 65535);
	pcap_set_promisc(p, 1);
	pcap_set_timeout(p, 200);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	if (pcap_activate(p) < 0) {
		snprintf(err, errlen, "%s: %s", iface, pcap_geterr(p));
		goto fail;
	}
	/* the name service too, and every non-first IP fragment (no ports) */
	o = (size_t)snprintf(filter, sizeof(filter), "udp port 137");
	for (size_t i = 0; i < nports && o < sizeof(filter); i++)
		o += (size_t)snprintf(filter + o, sizeof(filter) - o,
				      " or udp port %u", ports[i]);
	if (o < sizeof(filter))
		snprintf(filter + o, sizeof(filter) - o,
			 " or (ip[6:2] & 0x1fff != 0)");
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0) {
		snprintf(err, errlen, "%s: filter '%s': %s", iface, filter,
			 pcap_geterr(p));
		goto fail;
	}
	pcap_freecode(&prog);
	return p;
fail:
	pcap_close(p);
	return NULL;
}

void decode_progress_start(struct decode_progress *p, pcap_t *pc,
			   const char *path, bool allowed)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	if (!allowed || !isatty(2) || stat(path, &st) != 0 || st.st_size <= 0)
		return;
	p->on = true;
	p->file = pcap_file(pc);
	p->size = (long long)st.st_size;
	p->next = PROGRESS_EVERY;
}

void decode_progress_update(struct decode_progress *p, uint64_t frames)
{
	char bar[BAR_WIDTH + 1];
	long long pos;
	int fill;

	if (!p->on || frames < p->next || p->file == NULL)
		return;
	p->next = frames + PROGRESS_EVERY;
	pos = ftell(p->file);
	if (pos < 0)
		return;
	fill = (int)(pos * BAR_WIDTH / p->size);
	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, ' ', (size_t)(BAR_WIDTH - fill));
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r[%s] %3lld%% %llu frames", bar,
		pos * 100 / p->size, (unsigned long long)frames);
}

void decode_progress_end(struct decode_progress *p)
{
	if (p->on)
		fprintf(stderr, "\r%*s\r", BAR_WIDTH + 30, "");
	p->on = false;
}
