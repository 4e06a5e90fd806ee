/*
 * What `mailslot browse` heard: hosts and workgroups from browser
 * announcements, printed as a table or one JSON object.
 */
#ifndef MAILSLOT_TOOLS_BROWSE_TABLE_H
#define MAILSLOT_TOOLS_BROWSE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "browser/browser.h"

#define BROWSE_MAX_HOSTS 1024
#define BROWSE_MAX_GROUPS 256
#define BROWSE_TEXT_MAX (BROWSER_STRING_WIRE_MAX + 1)

struct browse_host {
	char name[BROWSE_TEXT_MAX];	/* raw bytes, NUL-terminated */
	char comment[BROWSE_TEXT_MAX];
	uint8_t os_major, os_minor, browser_major, browser_minor;
	uint32_t server_type;
	uint32_t period_ms;
	bool lanman;		/* heard on \MAILSLOT\LANMAN */
	bool backup;		/* named in a GetBackupListResponse */
	bool gone;		/* announced ServerType 0 (shutting down) */
	time_t last_seen;
};

struct browse_group {
	char name[BROWSE_TEXT_MAX];
	char master[BROWSE_TEXT_MAX];
	uint8_t os_major, os_minor;
	uint32_t server_type;
	time_t last_seen;
};

struct browse_table {
	const char *workgroup;	/* the one we listen in */
	struct browse_host hosts[BROWSE_MAX_HOSTS];
	size_t nhosts;
	struct browse_group groups[BROWSE_MAX_GROUPS];
	size_t ngroups;
	size_t messages, elections, requests, undecodable;
};

/* Account for one message heard at `now`. */
void browse_table_add(struct browse_table *t, const struct browser_msg *m,
		      time_t now);

void browse_table_print(const struct browse_table *t, FILE *out,
			time_t now);
void browse_table_print_json(const struct browse_table *t, FILE *out,
			     time_t now);

#endif
