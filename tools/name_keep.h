/*
 * The NetBIOS names a long-running command holds through mailslotd
 * (messenger's <03>, read --netbios-name, browse's groups).  They live
 * in the daemon: after it restarts they are gone until registered again
 * (docs/mailslotd.md, "Crashes and restarts").  name_keep_read() reads
 * as mailslot_read() does and, while it waits, owns the names again.
 */
#ifndef MAILSLOT_TOOLS_NAME_KEEP_H
#define MAILSLOT_TOOLS_NAME_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libmailslot/mailslot.h"

#define NAME_KEEP_MAX 12
#define NAME_KEEP_PERIOD_MS 1000	/* how often the names are checked */

struct name_keep {
	const char *who;	/* "messenger": the messages' prefix */
	struct mailslot_netbios_name *names[NAME_KEEP_MAX];
	size_t count;
	bool daemon_gone;	/* said once, until it is back */
	uint64_t next_ms;
};

/* Look after n too (NULL, a name that failed to register, is ignored). */
void name_keep_add(struct name_keep *k, struct mailslot_netbios_name *n);

/*
 * At most once a period: own every name again if the daemon lost it.
 * MAILSLOT_OK, also while no daemon runs (said once on stderr, and again
 * when it is back); otherwise the error of a name lost for good
 * (another host took it meanwhile), which is then no longer looked after.
 */
enum mailslot_error name_keep_refresh(struct name_keep *k);

/*
 * mailslot_read() with a timeout of timeout_ms (or MAILSLOT_WAIT_FOREVER),
 * waiting in slices of a period so the names are looked after.  Changes
 * the slot's read timeout.
 */
enum mailslot_error name_keep_read(struct name_keep *k, struct mailslot *slot,
				   void *buf, size_t len, size_t *n,
				   uint32_t timeout_ms);

#endif
