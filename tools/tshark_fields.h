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

struct tshark_fields_options {
	/* --disable-protocol smb (for NBT fragments, which Wireshark
	 * cannot reassemble) */
	bool disable_smb;
	/* every occurrence of a field, joined by '|' (a name service
	 * packet repeats nbns.name; a backup list browser.backup.server);
	 * false: the first only */
	bool all_occurrences;
	/* a display filter (-Y), or NULL for every frame */
	const char *filter;
};

/*
 * tshark: the program (NULL = $MAILSLOT_TSHARK or "tshark" on PATH).
 * opts: NULL for the defaults (all false, no filter).  One frame per
 * line tshark prints.  Returns 0, or -1 with *err set.
 */
int tshark_fields_read(TALLOC_CTX *mem_ctx, const char *tshark,
		       const char *pcap, const char *const *fields,
		       size_t nfields,
		       const struct tshark_fields_options *opts,
		       struct tshark_frame **frames, size_t *nframes,
		       const char **err);

/* The tshark to use, or NULL if none can be found. */
const char *tshark_find(void);

#endif
