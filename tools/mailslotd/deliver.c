/*
 * Delivery into local mailslots through libmailslot, as any local writer
 * would.  Open client handles are cached (bounded, least recently used
 * evicted) so a busy mailslot costs one open, not one per datagram.
 */
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "libmailslot/mailslot.h"
#include "smb/smb_mailslot.h"

#define DELIVER_CACHE 64
#define LOCAL_PREFIX "\\\\.\\mailslot\\"

struct deliver_entry {
	char *path;		/* the part after \MAILSLOT\, as received */
	struct mailslot *handle;
	uint64_t last_used;
};

struct mailslotd_deliver {
	struct mailslotd *d;
	struct deliver_entry cache[DELIVER_CACHE];
	uint64_t clock;
};

struct mailslotd_deliver *mailslotd_deliver_create(struct mailslotd *d)
{
	struct mailslotd_deliver *dl = talloc_zero(d, struct mailslotd_deliver);

	if (dl != NULL)
		dl->d = d;
	return dl;
}

static void entry_clear(struct deliver_entry *e)
{
	TALLOC_FREE(e->handle);
	TALLOC_FREE(e->path);
	e->last_used = 0;
}

static struct deliver_entry *cache_find(struct mailslotd_deliver *dl,
					const char *path, size_t len)
{
	for (size_t i = 0; i < DELIVER_CACHE; i++) {
		struct deliver_entry *e = &dl->cache[i];
		if (e->path != NULL && strlen(e->path) == len &&
		    strncasecmp(e->path, path, len) == 0)
			return e;
	}
	return NULL;
}

static struct deliver_entry *cache_slot(struct mailslotd_deliver *dl)
{
	struct deliver_entry *oldest = &dl->cache[0];

	for (size_t i = 0; i < DELIVER_CACHE; i++) {
		if (dl->cache[i].path == NULL)
			return &dl->cache[i];
		if (dl->cache[i].last_used < oldest->last_used)
			oldest = &dl->cache[i];
	}
	entry_clear(oldest);
	return oldest;
}

static enum mailslotd_drop drop_for(enum mailslot_error err)
{
	switch (err) {
	case MAILSLOT_ERROR_FILE_NOT_FOUND:
	case MAILSLOT_ERROR_INVALID_NAME:
	case MAILSLOT_ERROR_PATH_NOT_FOUND:
	case MAILSLOT_ERROR_FILENAME_EXCED_RANGE:
	case MAILSLOT_ERROR_BROKEN_PIPE:
		return DROP_NO_SUCH_MAILSLOT;
	case MAILSLOT_ERROR_NOT_ENOUGH_QUOTA:
		return DROP_QUEUE_FULL;
	case MAILSLOT_ERROR_INVALID_PARAMETER:
		return DROP_TOO_LARGE;
	default:
		return DROP_DELIVERY_FAILED;
	}
}

static enum mailslot_error entry_open(struct mailslotd_deliver *dl,
				      struct deliver_entry *e,
				      const char *path, size_t len)
{
	char *local;
	enum mailslot_error err;

	e->path = talloc_strndup(dl, path, len);
	local = talloc_asprintf(dl, LOCAL_PREFIX "%.*s", (int)len, path);
	if (e->path == NULL || local == NULL) {
		talloc_free(local);
		entry_clear(e);
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	}
	err = mailslot_client_open(dl, local, &e->handle);
	talloc_free(local);
	if (err != MAILSLOT_OK)
		entry_clear(e);
	return err;
}

enum mailslotd_drop mailslotd_deliver(struct mailslotd_deliver *dl,
				      const char *wire_name, size_t name_len,
				      const uint8_t *data, size_t len,
				      bool *delivered)
{
	const char *path = wire_name + SMB_MAILSLOT_PREFIX_LEN;
	size_t plen = name_len - SMB_MAILSLOT_PREFIX_LEN;
	struct deliver_entry *e;
	enum mailslot_error err;

	*delivered = false;
	e = cache_find(dl, path, plen);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (e == NULL) {
			e = cache_slot(dl);
			err = entry_open(dl, e, path, plen);
			if (err != MAILSLOT_OK)
				return drop_for(err);
		}
		e->last_used = ++dl->clock;
		err = mailslot_write(e->handle, data, len);
		if (err == MAILSLOT_OK) {
			*delivered = true;
			return DROP_COUNT;
		}
		if (err != MAILSLOT_ERROR_BROKEN_PIPE)
			return drop_for(err);
		/* the reader went away; a new one may own the name now */
		entry_clear(e);
		e = NULL;
	}
	return DROP_NO_SUCH_MAILSLOT;
}
