/* What `mailslot netsend` and `mailslot messenger` share. */
#ifndef MAILSLOT_TOOLS_MESSENGER_TOOL_H
#define MAILSLOT_TOOLS_MESSENGER_TOOL_H

#include <stdbool.h>
#include <stddef.h>

/* A NetBIOS name as text: 15 characters and a NUL. */
#define MSGR_NAME_BUF 16

/*
 * Ask the running mailslotd (this runtime directory) for its NetBIOS
 * name and workgroup; either may be NULL.  false: no daemon answered.
 */
bool msgr_daemon_identity(char name[MSGR_NAME_BUF],
			  char workgroup[MSGR_NAME_BUF]);

/* This host's name as NetBIOS would have it: up to the first dot,
 * upper case, at most 15 characters. */
void msgr_host_name(char name[MSGR_NAME_BUF]);

/* arg in upper case into out; false if empty or over 15 bytes. */
bool msgr_name_arg(const char *arg, char out[MSGR_NAME_BUF]);

#endif
