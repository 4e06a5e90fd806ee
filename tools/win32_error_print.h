/* Printing libmailslot's Win32 errors the same way in every subcommand. */
#ifndef MAILSLOT_TOOLS_WIN32_ERROR_PRINT_H
#define MAILSLOT_TOOLS_WIN32_ERROR_PRINT_H

#include "libmailslot/mailslot.h"

/* "mailslot CMD: WHAT: ERROR_NAME (N): sentence" on stderr. */
void win32_error_print(const char *cmd, const char *what,
		       enum mailslot_error err);

#endif
