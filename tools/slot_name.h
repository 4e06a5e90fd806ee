/*
 * Names on the command line: "foo" is short for \\.\mailslot\foo, and
 * NetBIOS names are NAME, NAME<1d> or Samba's NAME#1d.
 */
#ifndef MAILSLOT_TOOLS_SLOT_NAME_H
#define MAILSLOT_TOOLS_SLOT_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLOT_NAME_MAX 1024

/* arg as is when it starts with "\\", else \\.\mailslot\arg (truncated
 * names are refused later by libmailslot as too long). */
const char *slot_name_expand(char buf[SLOT_NAME_MAX], const char *arg);

/* \\NETBIOS\mailslot\PATH for a mailslot path given as PATH or
 * \MAILSLOT\PATH. */
const char *slot_name_remote(char buf[SLOT_NAME_MAX], const char *netbios,
			     const char *path);

/* "NAME<1d>", "NAME#1d" or "NAME" (<00>); name up to 15 characters. */
bool netbios_arg_parse(const char *arg, char name[16], uint8_t *suffix);

#endif
