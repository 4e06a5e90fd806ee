/* Shared between the parts of test_browser: a generated message set. */
#ifndef MAILSLOT_TEST_BROWSER_H
#define MAILSLOT_TEST_BROWSER_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "browser/browser.h"

struct browser_sample {
	struct browser_msg msg;		/* what was encoded */
	uint8_t *bytes;			/* exactly sized talloc buffer */
	size_t len;
};

/*
 * A broad deterministic set: every opcode, both layouts, names of 0-15
 * characters, comments of 0-43, the Windows versions tshark names, a
 * DomainAnnouncement with junk version bytes, 0-12 backup servers.
 * Strings are printable ASCII; they stay valid with mem_ctx.
 */
struct browser_sample *browser_samples(TALLOC_CTX *mem_ctx, size_t *count);

/* Field-by-field equality of two decoded/encoded messages. */
void browser_assert_msg_equal(const struct browser_msg *a,
			      const struct browser_msg *b);

void test_browser_captures(void **state);
void test_browser_tshark(void **state);

#endif
