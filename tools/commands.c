#include <stddef.h>

#include "commands.h"

const struct mailslot_command mailslot_commands[] = {
	{ "demo", "encode a datagram of every kind, write a pcap, compare with tshark", cmd_demo },
	{ "read", "create a local mailslot and print the messages it receives", cmd_read },
	{ "write", "write one message to a local or remote mailslot", cmd_write },
	{ "list", "list the local mailslots with owner and queue state", cmd_list },
	{ "status", "show mailslotd's names, interfaces and counters", cmd_status },
	{ "netsend", "send a Messenger (NET SEND) message to a computer or a domain", cmd_netsend },
	{ "messenger", "run the Messenger service: show NET SEND messages for this host", cmd_messenger },
	{ "browse", "list the hosts and workgroups that browser announcements name", cmd_browse },
	{ "dcping", "find domain controllers with the NETLOGON mailslot ping", cmd_dcping },
	{ "decode", "decode NBT datagram and mailslot traffic in captures or live", cmd_decode },
	{ NULL, NULL, NULL },
};
