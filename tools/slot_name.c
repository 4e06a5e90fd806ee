#include <stdio.h>
#include <string.h>

#include "slot_name.h"

const char *slot_name_expand(char buf[SLOT_NAME_MAX], const char *arg)
{
	if (strncmp(arg, "\\\\", 2) == 0)
		return arg;
	snprintf(buf, SLOT_NAME_MAX, "\\\\.\\mailslot\\%s", arg);
	return buf;
}
