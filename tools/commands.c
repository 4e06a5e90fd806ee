#include <stddef.h>

#include "commands.h"

const struct mailslot_command mailslot_commands[] = {
	{ "demo", "encode a datagram of every kind, write a pcap, compare with tshark", cmd_demo },
	{ NULL, NULL, NULL },
};
