/* mailslot dcping: the DC-locator mailslot ping (see docs/dcping.md). */
#ifndef MAILSLOT_TOOLS_DCPING_H
#define MAILSLOT_TOOLS_DCPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "netlogon/netlogon.h"

struct dcping_opts {
	const char *domain;		/* upper-cased, <= 15 */
	const char *computer;		/* our NetBIOS name */
	const char *user;		/* "" for a pure ping */
	uint32_t nt_version;
	unsigned wait_ms;
	bool json;
	/* --dc */
	const char *dc_name;		/* NetBIOS name, or NULL */
	uint32_t dc_ip;			/* host order, 0 if not an IP */
	/* standalone */
	bool standalone;
	uint32_t interface_ip, interface_mask;
	uint16_t port;			/* destination, 0 = 138 */
};

/* The three requests, built once; the reply slot name is in them. */
struct dcping_requests {
	char reply_slot[40];		/* "\MAILSLOT\NET\GETDC1a2b" */
	uint8_t *query;			/* 0x07 */
	size_t query_len;
	uint8_t *sam;			/* 0x12 */
	size_t sam_len;
};

bool dcping_requests_build(TALLOC_CTX *ctx, const struct dcping_opts *o,
			   struct dcping_requests *r);

/* One reply: print it (text or one JSON object); false if it is not a
 * NETLOGON reply.  src_ip 0 = unknown. */
bool dcping_print_reply(const struct dcping_opts *o, const uint8_t *msg,
			size_t len, uint32_t src_ip, bool first);

/* Standalone: own socket, returns replies counted, -1 on error. */
int dcping_standalone(TALLOC_CTX *ctx, const struct dcping_opts *o,
		      const struct dcping_requests *r);

#endif
