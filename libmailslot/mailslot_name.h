/* Parsing "\\server\mailslot\path" and deriving the runtime entry name. */
#ifndef LIBMAILSLOT_MAILSLOT_NAME_H
#define LIBMAILSLOT_MAILSLOT_NAME_H

#include "mailslot.h"

/* Longest escaped entry name; keeps every path under NAME_MAX. */
#define MAILSLOT_ENTRY_MAX 200

enum mailslot_name_kind {
	MAILSLOT_NAME_LOCAL,		/* \\.\mailslot\x */
	MAILSLOT_NAME_BROADCAST,	/* \\*\mailslot\x */
	MAILSLOT_NAME_REMOTE,		/* \\DOMAIN\ or \\COMPUTER\mailslot\x */
};

struct mailslot_name {
	enum mailslot_name_kind kind;
	char *server;	/* ".", "*", or the domain/computer as given */
	char *path;	/* "path\name" as given */
	char *folded;	/* "\\.\mailslot\path\name", ASCII lower-cased */
	char *entry;	/* directory entry: folded path, %XX-escaped */
};

/*
 * NULL, "" or a missing name: ERROR_PATH_NOT_FOUND; anything else that is
 * not a mailslot name: ERROR_INVALID_NAME; too long an entry:
 * ERROR_FILENAME_EXCED_RANGE.
 */
enum mailslot_error mailslot_name_parse(TALLOC_CTX *mem_ctx, const char *text,
					struct mailslot_name **pname);

#endif
