/*
 * A decoded browser message as tshark's browser.* fields (names and
 * formatting of tshark 4.0), and a one-line summary for people.
 */
#ifndef MAILSLOT_BROWSER_FIELDS_H
#define MAILSLOT_BROWSER_FIELDS_H

#include "browser/browser.h"
#include "tools/dgram_fields.h"

/*
 * Emit m's fields in wire order.  A field tshark repeats
 * (browser.backup.server) is emitted once per occurrence.  Strings are
 * the bytes as sent when printable ASCII, else escaped \xNN (tshark
 * shows U+FFFD there: see docs/browse.md).
 */
void browser_fields_emit(const struct browser_msg *m, dgram_field_fn fn,
			 void *priv);

/* The field names browser_fields_emit can produce, NULL-terminated. */
extern const char *const browser_field_names[];

/* tshark's "Windows version" text for OS major.minor, or NULL. */
const char *browser_windows_version(uint8_t major, uint8_t minor);

/*
 * One line, every network string escaped, e.g.
 * HostAnnouncement MYHOST 10.0 WORKSTATION SERVER NT period 720000 ms ""
 * Returns what snprintf would.
 */
size_t browser_summary(const struct browser_msg *m, char *buf,
		       size_t buflen);

#endif
