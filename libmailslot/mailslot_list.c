/* `mailslot list`: the live mailslots in the runtime directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailslot_private.h"

/* Bounds the work on a runtime directory full of junk. */
#define LIST_MAX 65536

/* false: a stale or half-made entry, not shown */
static bool entry_read(TALLOC_CTX *mem_ctx, int runtime_fd, const char *d,
		       struct mailslot_entry *e)
{
	struct mailslot_shm *shm;
	struct stat st;
	int dir_fd, hdr_fd;
	bool live;

	if (fstatat(runtime_fd, d, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISDIR(st.st_mode))
		return false;
	memset(e, 0, sizeof(*e));
	e->owner = st.st_uid;
	dir_fd = openat(runtime_fd, d, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	hdr_fd = dir_fd < 0 ? -1 : openat(dir_fd, MAILSLOT_HDR_FILE,
					  O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd >= 0)
		close(dir_fd);
	if (hdr_fd < 0) {
		/* someone else's mailslot: only its name and owner */
		if (errno == ENOENT)
			return false;
		e->name = talloc_asprintf(mem_ctx, "(entry %s)", d);
		return e->name != NULL;
	}
	live = mailslot_hdr_owned(hdr_fd);
	if (!live || mailslot_hdr_map(hdr_fd, PROT_READ, &shm) != MAILSLOT_OK) {
		close(hdr_fd);
		return false;
	}
	close(hdr_fd);
	if (shm->closed) {
		munmap(shm, MAILSLOT_SHM_SIZE);
		return false;
	}
	/* unlocked snapshot: good enough for a listing */
	e->name = talloc_strndup(mem_ctx, shm->name, sizeof(shm->name));
	e->pid = shm->owner_pid;
	e->state_visible = true;
	e->max_message_size = shm->max_message_size;
	e->message_count = (uint32_t)(shm->in.msgs - shm->out.msgs);
	e->queued_bytes = (uint32_t)(shm->in.bytes - shm->out.bytes);
	e->queue_bytes = shm->queue_bytes;
	e->queue_messages = shm->queue_messages;
	e->access = (enum mailslot_access)shm->access;
	munmap(shm, MAILSLOT_SHM_SIZE);
	return e->name != NULL;
}

enum mailslot_error mailslot_list(TALLOC_CTX *mem_ctx,
				  struct mailslot_entry **entries,
				  size_t *count)
{
	struct mailslot_entry *list;
	struct dirent *de;
	enum mailslot_error err;
	size_t n = 0;
	int runtime_fd;
	DIR *dir;

	err = mailslot_runtime_open(&runtime_fd);
	if (err != MAILSLOT_OK)
		return err;
	dir = fdopendir(openat(runtime_fd, ".", O_RDONLY | O_DIRECTORY |
			       O_CLOEXEC));
	if (dir == NULL) {
		err = mailslot_errno_map(errno);
		close(runtime_fd);
		return err;
	}
	list = talloc_array(mem_ctx, struct mailslot_entry, 0);
	while (list != NULL && n < LIST_MAX && (de = readdir(dir)) != NULL) {
		struct mailslot_entry e;

		if (de->d_name[0] == '.')
			continue;
		list = talloc_realloc(mem_ctx, list, struct mailslot_entry,
				      n + 1);
		if (list == NULL)
			break;
		if (entry_read(list, runtime_fd, de->d_name, &e))
			list[n++] = e;
	}
	closedir(dir);
	close(runtime_fd);
	if (list == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	*entries = list;
	*count = n;
	return MAILSLOT_OK;
}
