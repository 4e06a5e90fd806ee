#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "slot_name.h"

const char *slot_name_expand(char buf[SLOT_NAME_MAX], const char *arg)
{
	if (strncmp(arg, "\\\\", 2) == 0)
		return arg;
	snprintf(buf, SLOT_NAME_MAX, "\\\\.\\mailslot\\%s", arg);
	return buf;
}

const char *slot_name_remote(char buf[SLOT_NAME_MAX], const char *netbios,
			     const char *path)
{
	if (strncasecmp(path, "\\MAILSLOT\\", 10) == 0)
		path += 10;
	snprintf(buf, SLOT_NAME_MAX, "\\\\%s\\mailslot\\%s", netbios, path);
	return buf;
}

bool netbios_arg_parse(const char *arg, char name[16], uint8_t *suffix)
{
	const char *mark = strpbrk(arg, "<#");
	size_t len = mark ? (size_t)(mark - arg) : strlen(arg);
	char *end;
	unsigned long v = 0;

	if (len == 0 || len > 15)
		return false;
	if (mark != NULL) {
		v = strtoul(mark + 1, &end, 16);
		if (end == mark + 1 || v > 0xff ||
		    (*mark == '<' ? strcmp(end, ">") : strcmp(end, "")) != 0)
			return false;
	}
	memcpy(name, arg, len);
	name[len] = '\0';
	*suffix = (uint8_t)v;
	return true;
}
