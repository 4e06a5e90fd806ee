/*
 * A decoded NETLOGON message as (field, value) pairs named and formatted
 * as tshark 4.0 shows them (smb_netlogon.*), and a one-line summary.
 */
#ifndef MAILSLOT_NETLOGON_FIELDS_H
#define MAILSLOT_NETLOGON_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "netlogon/netlogon.h"
#include "tools/dgram_fields.h"

/* The first occurrence of each field, in message order. */
void netlogon_fields_emit(const struct netlogon_msg *m, dgram_field_fn fn,
			  void *priv);

/* The field names netlogon_fields_emit can produce, NULL-terminated. */
extern const char *const netlogon_field_names[];

/*
 * "LOGON_SAM_LOGON_RESPONSE_EX (0x17) dc=PDC1 domain=MYDOMAIN ..." on one
 * line; bytes from the network that are not printable are \xNN, so the
 * line is safe for a terminal.  Returns the length (truncated to fit).
 */
size_t netlogon_summary(const struct netlogon_msg *m, char *buf,
			size_t buflen);

/*
 * Escape text from the network for a terminal: controls, DEL, backslash
 * and invalid UTF-8 become \xNN (utf8: keep valid UTF-8 sequences; else
 * every byte >= 0x80 is escaped).
 */
size_t netlogon_escape(const char *s, size_t len, bool utf8, char *buf,
		       size_t buflen);

#endif
