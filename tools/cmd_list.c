/* mailslot list: the local mailslots, with owner and queue state. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "win32_error_print.h"

static const char *access_text(enum mailslot_access a)
{
	switch (a) {
	case MAILSLOT_ACCESS_GROUP:
		return "group";
	case MAILSLOT_ACCESS_EVERYONE:
		return "everyone";
	default:
		return "owner";
	}
}

int cmd_list(int argc, char **argv)
{
	struct mailslot_entry *e;
	enum mailslot_error err;
	size_t n;

	if (argc > 1) {
		FILE *out = strcmp(argv[1], "--help") == 0 ? stdout : stderr;

		fprintf(out, "usage: mailslot list\n\nList the local "
			     "mailslots: name, owner, creating process, "
			     "maximum\nmessage size, queued messages/bytes "
			     "against their quotas, who may write.\n");
		return out == stdout ? 0 : 2;
	}
	err = mailslot_list(NULL, &e, &n);
	if (err != MAILSLOT_OK) {
		win32_error_print("list", "runtime directory", err);
		return 1;
	}
	printf("%-32s %-10s %7s %10s %17s %21s %s\n", "NAME", "OWNER", "PID",
	       "MAXSIZE", "MESSAGES", "BYTES", "WRITERS");
	for (size_t i = 0; i < n; i++) {
		struct passwd *pw = getpwuid(e[i].owner);
		char owner[32], msgs[32], bytes[32];

		snprintf(owner, sizeof(owner), "%s",
			 pw ? pw->pw_name : "?");
		if (!e[i].state_visible) {
			printf("%-32s %-10s %7s %10s %17s %21s %s\n",
			       e[i].name, owner, "-", "-", "-", "-", "-");
			continue;
		}
		snprintf(msgs, sizeof(msgs), "%u/%u", e[i].message_count,
			 e[i].queue_messages);
		snprintf(bytes, sizeof(bytes), "%u/%u", e[i].queued_bytes,
			 e[i].queue_bytes);
		printf("%-32s %-10s %7d %10u %17s %21s %s\n", e[i].name, owner,
		       (int)e[i].pid, e[i].max_message_size, msgs, bytes,
		       access_text(e[i].access));
	}
	talloc_free(e);
	return 0;
}
