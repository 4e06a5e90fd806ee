/* --slot, --opcode and --host: which datagrams mailslot decode shows. */
#ifndef MAILSLOT_DECODE_FILTER_H
#define MAILSLOT_DECODE_FILTER_H

#include "decode.h"

struct decode_filter {
	const char *slot;	/* "\MAILSLOT\BROWSE" or "BROWSE" */
	const char *opcode;	/* "0x01", "1" or "HostAnnouncement" */
	const char *host;	/* NetBIOS name or dotted IPv4 address */
	/* parsed */
	long opcode_num;	/* -1: match opcode by name */
	bool host_is_ip;
	uint32_t host_ip;
};

/* Parse the strings set above; false (with a message) if invalid. */
bool decode_filter_prepare(struct decode_filter *f, char *err, size_t n);

bool decode_filter_match(const struct decode_filter *f,
			 const struct decode_dgram *r);

#endif
