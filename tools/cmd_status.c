/* mailslot status [--json]: what mailslotd is doing (names, counters). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "libmailslot/mailslot.h"
#include "libmailslot/mailslot_ctl.h"
#include "win32_error_print.h"

static void status_usage(FILE *out)
{
	fprintf(out,
		"usage: mailslot status [--json]\n\n"
		"Ask the running mailslotd (the one of this runtime directory: "
		"$MAILSLOT_RUNTIME_DIR,\n$XDG_RUNTIME_DIR/mailslot or "
		"/run/mailslot) for its names, interfaces and\ncounters: "
		"datagrams received, delivered, sent, and dropped by reason.  "
		"--json\nprints the daemon's JSON object as it is.\n");
}

/* A tiny reader for the flat parts of the daemon's JSON. */
static long long json_number(const char *j, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(j, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static void status_print(const char *j)
{
	static const char *const drops[] = {
		"source_not_allowed", "malformed_datagram", "datagram_error",
		"datagram_query", "fragment", "not_our_name", "malformed_smb",
		"no_such_mailslot", "queue_full", "too_large",
		"delivery_failed", NULL,
	};
	const char *names = strstr(j, "\"names\":[");
	const char *dropped = strstr(j, "\"dropped\":{");

	printf("mailslotd pid %lld\n", json_number(j, "pid"));
	printf("names:\n");
	for (const char *p = names; p != NULL;) {
		const char *n = strstr(p, "{\"name\":\"");
		const char *end = strstr(p, "]");
		char name[64] = "", state[16] = "";
		if (n == NULL || (end != NULL && n > end))
			break;
		sscanf(n, "{\"name\":\"%63[^\"]\"", name);
		sscanf(strstr(n, "\"state\":\"") + 9, "%15[^\"]", state);
		printf("  %-24s %s%s\n", name,
		       strstr(n, "\"group\":true") &&
			       strstr(n, "\"group\":true") < strstr(n, "}")
			       ? "group, " : "", state);
		p = n + 1;
	}
	printf("datagrams: received %lld, delivered %lld, sent %lld, "
	       "fragments %lld\n", json_number(j, "received"),
	       json_number(j, "delivered"), json_number(j, "sent"),
	       json_number(j, "fragments"));
	printf("dropped:\n");
	for (size_t i = 0; drops[i] != NULL && dropped != NULL; i++)
		printf("  %-20s %lld\n", drops[i], json_number(dropped,
							       drops[i]));
	printf("reassembly: %lld pending\n", json_number(j, "pending"));
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mailslot_ctl_request req = { .op = MAILSLOT_CTL_STATUS };
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	bool json = false;
	char *dir = NULL;
	uint8_t *body;
	size_t len;
	uint32_t status;
	int c, fd, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': status_usage(stdout); talloc_free(mem_ctx); return 0;
		default: status_usage(stderr); talloc_free(mem_ctx); return 2;
		}
	}
	if (mailslot_runtime_dir(mem_ctx, &dir) != MAILSLOT_OK ||
	    (fd = mailslot_ctl_connect(dir)) < 0) {
		win32_error_print("status", dir ? dir : "runtime directory",
				  MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
		goto out;
	}
	if (mailslot_ctl_call(mem_ctx, fd, &req, 5000, &status, &body,
			      &len) != 0 || status != MAILSLOT_OK) {
		fprintf(stderr, "mailslot status: no answer from mailslotd: "
			"%s\n", strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if (json)
		printf("%s\n", (char *)body);
	else
		status_print((char *)body);
	rc = 0;
out:
	talloc_free(mem_ctx);
	return rc;
}
