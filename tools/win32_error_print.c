#include <stdio.h>

#include "win32_error_print.h"

void win32_error_print(const char *cmd, const char *what,
		       enum mailslot_error err)
{
	fprintf(stderr, "mailslot %s: %s: %s (%u): %s\n", cmd, what,
		mailslot_error_name(err), (unsigned)err,
		mailslot_error_string(err));
}
