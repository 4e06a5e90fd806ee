/* Mailslot name -> payload codec. */
#include <string.h>
#include <strings.h>

#include "decode_payload.h"

struct slot_entry {
	const char *name;
	bool prefix;		/* \MAILSLOT\NET\GETDC042 and friends */
	const struct decode_payload_hook *hook;
};

static const struct slot_entry slots[] = {
	{ "\\MAILSLOT\\BROWSE", false, &decode_hook_browser },
	{ "\\MAILSLOT\\LANMAN", false, &decode_hook_browser },
	{ "\\MAILSLOT\\NET\\NETLOGON", false, &decode_hook_netlogon },
	{ "\\MAILSLOT\\NET\\NTLOGON", false, &decode_hook_netlogon },
	{ "\\MAILSLOT\\NET\\GETDC", true, &decode_hook_netlogon },
	{ "\\MAILSLOT\\MESSNGR", false, &decode_hook_messenger },
};

const struct decode_payload_hook *decode_payload_find(const char *slot,
						      size_t len)
{
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		size_t n = strlen(slots[i].name);
		if (len < n || (!slots[i].prefix && len != n))
			continue;
		if (strncasecmp(slot, slots[i].name, n) == 0)
			return slots[i].hook;
	}
	return NULL;
}

size_t decode_payload_max_msg(void)
{
	size_t max = 0;

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		if (slots[i].hook->msg_size > max)
			max = slots[i].hook->msg_size;
	}
	return max;
}
