/*
 * Run tshark over a capture file and collect chosen fields per frame
 * (`tshark -r FILE -T fields`), without a shell.  Used to show tshark's
 * decode beside ours and by the conformance tests.
 */
#ifndef MAILSLOT_TSHARK_FIELDS_H
#define MAILSLOT_TSHARK_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

struct tshark_frame {
	char **values;		/* one per requested field, "" when absent */
	char *malformed;	/* _ws.malformed, "" when clean */
	char *expert;		/* _ws.expert.message, "" when none */
};

/*
 * tshark: the program (NULL = $MAILSLOT_TSHARK or "tshark" on PATH).
 * disable_smb: pass --disable-protocol smb (for NBT fragments, which
 * Wireshark cannot reassemble).  Returns 0, or -1 with *err set.
 */
int tshark_fields_read(TALLOC_CTX *mem_ctx, const char *tshark,
		       const char *pcap, const char *const *fields,
		       size_t nfields, bool disable_smb,
		       struct tshark_frame **frames, size_t *nframes,
		       const char **err);

/* The tshark to use, or NULL if none can be found. */
const char *tshark_find(void);

#endif
