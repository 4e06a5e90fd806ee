#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "libmailslot/mailslot.h"
#include "libmailslot/mailslot_ctl.h"
#include "messenger_tool.h"

bool msgr_name_arg(const char *arg, char out[MSGR_NAME_BUF])
{
	size_t len = strlen(arg);

	if (len == 0 || len >= MSGR_NAME_BUF)
		return false;
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)toupper((unsigned char)arg[i]);
	return true;
}

void msgr_host_name(char name[MSGR_NAME_BUF])
{
	char host[256] = "";
	size_t i;

	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		strcpy(host, "LOCALHOST");
	for (i = 0; i < MSGR_NAME_BUF - 1 && host[i] && host[i] != '.'; i++)
		name[i] = (char)toupper((unsigned char)host[i]);
	name[i] = '\0';
}

/* "key":"value" of the daemon's flat JSON; names never need escapes. */
static bool json_name(const char *j, const char *key,
		      char out[MSGR_NAME_BUF])
{
	char pat[32];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	p = strstr(j, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	end = strchr(p, '"');
	if (end == NULL || end == p || end - p >= MSGR_NAME_BUF ||
	    memchr(p, '\\', (size_t)(end - p)) != NULL)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return true;
}

bool msgr_daemon_identity(char name[MSGR_NAME_BUF],
			  char workgroup[MSGR_NAME_BUF])
{
	struct mailslot_ctl_request req = { .op = MAILSLOT_CTL_STATUS };
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = NULL, *j;
	uint8_t *body = NULL;
	size_t len = 0;
	uint32_t status = 1;
	bool ok = false;
	int fd = -1;

	if (mem == NULL || mailslot_runtime_dir(mem, &dir) != MAILSLOT_OK)
		goto out;
	fd = mailslot_ctl_connect(dir);
	if (fd < 0 || mailslot_ctl_call(mem, fd, &req, 5000, &status, &body,
					&len) != 0 || status != MAILSLOT_OK)
		goto out;
	/* a C string of exactly the body */
	j = talloc_strndup(mem, (const char *)body, len);
	ok = j != NULL && (name == NULL || json_name(j, "netbios_name", name)) &&
	     (workgroup == NULL || json_name(j, "workgroup", workgroup));
out:
	if (fd >= 0)
		close(fd);
	talloc_free(mem);
	return ok;
}
