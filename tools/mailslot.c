/* mailslot: one command, one subcommand per task (see commands.c). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "commands.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mailslot COMMAND [OPTIONS...]\n"
		     "       mailslot COMMAND --help\n\n"
		     "Windows mailslots on Unix, compatible on the wire with "
		     "Windows and Samba.\n\ncommands:\n");
	for (const struct mailslot_command *c = mailslot_commands; c->name;
	     c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nSee mailslot(1) (docs/man/mailslot.1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailslot %s\n", MAILSLOT_VERSION);
		return 0;
	}
	for (const struct mailslot_command *c = mailslot_commands; c->name;
	     c++) {
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "mailslot: unknown command '%s'; run "
			"'mailslot --help' for the list\n", argv[1]);
	return 2;
}
