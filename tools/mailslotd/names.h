/* The names this host owns; shared by names.c and nameservice.c. */
#ifndef MAILSLOTD_NAMES_H
#define MAILSLOTD_NAMES_H

#include "daemon.h"

enum mailslotd_name_state {
	NAME_REGISTERING,	/* broadcast registration under way */
	NAME_ACTIVE,		/* ours: datagrams and queries answered */
	NAME_CONFLICT,		/* someone else owns it: never used */
};

struct mailslotd_name {
	struct mailslotd_name *prev, *next;
	struct mailslotd *d;
	struct nbt_name name;
	bool group;
	enum mailslotd_name_state state;
	unsigned tries;		/* registration broadcasts sent */
	struct tevent_timer *timer;
	/* told once the name is active or in conflict (control.c) */
	void (*settled)(struct mailslotd_name *n, void *priv);
	void *settled_priv;
};

/* nameservice.c calls this when a registration ends either way. */
void mailslotd_name_settle(struct mailslotd_name *n,
			   enum mailslotd_name_state state);

struct mailslotd_name *mailslotd_name_find(struct mailslotd *d,
					   const struct nbt_name *name);
/* As mailslotd_names_add, returning the new name (NULL if it existed). */
int mailslotd_names_add_ex(struct mailslotd *d, const char *name,
			   uint8_t suffix, bool group, TALLOC_CTX *owner,
			   struct mailslotd_name **added);

/* nameservice.c: UDP 137 for these names */
void mailslotd_ns_name_added(struct mailslotd *d, struct mailslotd_name *n);
void mailslotd_ns_name_removed(struct mailslotd *d, struct mailslotd_name *n);
void mailslotd_ns_name_release(struct mailslotd *d, struct mailslotd_name *n);

#endif
