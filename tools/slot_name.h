/* Mailslot names on the command line: "foo" is short for \\.\mailslot\foo. */
#ifndef MAILSLOT_TOOLS_SLOT_NAME_H
#define MAILSLOT_TOOLS_SLOT_NAME_H

#include <stddef.h>

#define SLOT_NAME_MAX 1024

/* arg as is when it starts with "\\", else \\.\mailslot\arg (truncated
 * names are refused later by libmailslot as too long). */
const char *slot_name_expand(char buf[SLOT_NAME_MAX], const char *arg);

#endif
