/* The mailslot command's subcommands: one file each, listed in commands.c. */
#ifndef MAILSLOT_TOOLS_COMMANDS_H
#define MAILSLOT_TOOLS_COMMANDS_H

struct mailslot_command {
	const char *name;
	const char *summary;	/* one line for `mailslot --help` */
	/* argv[0] is the subcommand name; returns the exit status */
	int (*run)(int argc, char **argv);
};

/* NULL-terminated table */
extern const struct mailslot_command mailslot_commands[];

int cmd_demo(int argc, char **argv);
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_dcping(int argc, char **argv);
int cmd_netsend(int argc, char **argv);
int cmd_messenger(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_decode(int argc, char **argv);

#endif
