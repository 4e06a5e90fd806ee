/* The output modes of mailslot decode: summary line, -V tree, --json. */
#ifndef MAILSLOT_DECODE_PRINT_H
#define MAILSLOT_DECODE_PRINT_H

#include "decode.h"
#include "decode_out.h"

enum decode_mode {
	DECODE_MODE_SUMMARY,
	DECODE_MODE_TREE,
	DECODE_MODE_JSON,
	DECODE_MODE_STATS,
};

struct decode_printer;

struct decode_printer *decode_printer_create(TALLOC_CTX *mem_ctx,
					     enum decode_mode mode,
					     struct decode_out *o);

/* file: shown (JSON "decode.file") when not NULL */
void decode_print(struct decode_printer *p, const struct decode_dgram *r,
		  const char *file);

/* The one-line summary of r's payload (or why there is none). */
void decode_payload_summary(const struct decode_dgram *r, char *buf,
			    size_t buflen);

#endif
