/*
 * The NetBIOS names this host owns: computer<00> (unique), workgroup<00>
 * (group), and whatever local programs register through the control
 * socket for as long as they stay connected.  A datagram is for us only
 * if its destination is one of these (or "*" for a BROADCAST datagram).
 */
#include <string.h>

#include "daemon.h"
#include "names.h"

static int name_destructor(struct mailslotd_name *n)
{
	struct mailslotd *d = n->d;

	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		d->names = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	mailslotd_ns_name_removed(d, n);
	return 0;
}

struct mailslotd_name *mailslotd_name_find(struct mailslotd *d,
					   const struct nbt_name *name)
{
	for (struct mailslotd_name *n = d->names; n != NULL; n = n->next) {
		if (nbt_name_equal(&n->name, name))
			return n;
	}
	return NULL;
}

void mailslotd_name_settle(struct mailslotd_name *n,
			   enum mailslotd_name_state state)
{
	void (*fn)(struct mailslotd_name *, void *) = n->settled;

	n->state = state;
	n->settled = NULL;
	if (fn != NULL)
		fn(n, n->settled_priv);
}

bool mailslotd_name_is_ours(struct mailslotd *d, const struct nbt_name *n,
			    uint8_t dgram_type)
{
	struct mailslotd_name *own;

	if (dgram_type == NBT_DGRAM_BROADCAST && nbt_name_is_wildcard(n))
		return true;
	own = mailslotd_name_find(d, n);
	return own != NULL && own->state == NAME_ACTIVE;
}

int mailslotd_names_add(struct mailslotd *d, const char *name,
			uint8_t suffix, bool group, TALLOC_CTX *owner)
{
	return mailslotd_names_add_ex(d, name, suffix, group, owner, NULL);
}

int mailslotd_names_add_ex(struct mailslotd *d, const char *name,
			   uint8_t suffix, bool group, TALLOC_CTX *owner,
			   struct mailslotd_name **added)
{
	struct mailslotd_name *n;
	struct nbt_name nb;

	if (nbt_name_make(&nb, name, suffix, NULL) != CODEC_OK)
		return -1;
	n = mailslotd_name_find(d, &nb);
	if (n != NULL) {
		/* already ours: a group may be joined by several owners */
		return n->group == group && group ? 0 : -1;
	}
	n = talloc_zero(owner ? owner : d, struct mailslotd_name);
	if (n == NULL)
		return -1;
	n->d = d;
	n->name = nb;
	n->group = group;
	n->state = NAME_REGISTERING;
	if (added != NULL)
		*added = n;
	n->next = d->names;
	if (d->names != NULL)
		d->names->prev = n;
	d->names = n;
	talloc_set_destructor(n, name_destructor);
	mailslotd_ns_name_added(d, n);
	return 0;
}

int mailslotd_names_init(struct mailslotd *d)
{
	if (mailslotd_names_add(d, d->cfg->netbios_name, 0x00, false, d) != 0)
		return -1;
	return mailslotd_names_add(d, d->cfg->workgroup, 0x00, true, d);
}

void mailslotd_names_release_all(struct mailslotd *d)
{
	for (struct mailslotd_name *n = d->names; n != NULL; n = n->next)
		mailslotd_ns_name_release(d, n);
}
