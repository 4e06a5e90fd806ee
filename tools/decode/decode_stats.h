/*
 * --stats: bounded aggregates over every datagram (counts by type,
 * mailslot, opcode; hosts with OS and server type; workgroups and their
 * masters; DCs; elections).  Tables have fixed capacities; what does not
 * fit is counted as overflow, so memory never grows with the file.
 */
#ifndef MAILSLOT_DECODE_STATS_H
#define MAILSLOT_DECODE_STATS_H

#include "decode.h"
#include "decode_out.h"

struct decode_stats;

struct decode_stats *decode_stats_create(TALLOC_CTX *mem_ctx);
void decode_stats_add(struct decode_stats *s, const struct decode_dgram *r);

/* From the payload hooks.  Strings are (pointer, length), not NUL-ended. */
void decode_stats_host(struct decode_stats *s, const char *name, size_t len,
		       uint32_t ip, uint8_t os_major, uint8_t os_minor,
		       uint32_t server_type, const char *comment,
		       size_t comment_len);
void decode_stats_workgroup(struct decode_stats *s, const char *wg,
			    size_t wg_len, const char *master,
			    size_t master_len);
void decode_stats_dc(struct decode_stats *s, const char *dc, size_t len,
		     const char *domain, size_t domain_len);
void decode_stats_election(struct decode_stats *s, const char *name,
			   size_t len);

void decode_stats_print(const struct decode_stats *s,
			const struct decode_counts *counts,
			struct decode_out *o);

#endif
