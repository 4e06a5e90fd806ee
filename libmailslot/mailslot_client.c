/* CreateFile/WriteFile on a mailslot: the writer side. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailslot_private.h"

static int client_destructor(struct mailslot *slot)
{
	if (slot->ring_map != NULL)
		munmap(slot->ring_map, slot->ring_map_size);
	if (slot->shm != NULL)
		munmap(slot->shm, MAILSLOT_SHM_SIZE);
	if (slot->ring_fd >= 0)
		close(slot->ring_fd);
	if (slot->bell_fd >= 0)
		close(slot->bell_fd);
	if (slot->hdr_fd >= 0)
		close(slot->hdr_fd);
	if (slot->dir_fd >= 0)
		close(slot->dir_fd);
	return 0;
}

/*
 * OWNER mailslot: only the creating user and root can open it, and they
 * could open the ring for reading anyway, so map it and write records
 * with memcpy (no system call).  GROUP/EVERYONE clients never get here:
 * they keep a write-only descriptor and pwrite.  Failing to map is not an
 * error: the caller falls back to pwrite.
 */
static void ring_map(struct mailslot *slot, uint64_t ring_size)
{
	struct stat st;
	void *map;
	int fd;

	if (ring_size == 0 || ring_size > SIZE_MAX)
		return;
	fd = openat(slot->dir_fd, MAILSLOT_RING_FILE,
		    O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* mapping past the end would SIGBUS on the first write */
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < ring_size) {
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)ring_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	slot->ring_map = map;
	slot->ring_map_size = ring_size;
}

static enum mailslot_error bell_connect(struct mailslot *slot,
					const struct sockaddr_un *sun,
					unsigned len);

static enum mailslot_error open_files(struct mailslot *slot, int runtime_fd)
{
	struct sockaddr_un sun;
	unsigned len;
	enum mailslot_error err;
	uint32_t access;
	uint64_t ring_size;

	slot->dir_fd = openat(runtime_fd, slot->name->entry,
			      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (slot->dir_fd < 0)
		return mailslot_errno_map(errno);
	slot->hdr_fd = openat(slot->dir_fd, MAILSLOT_HDR_FILE,
			      O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (slot->hdr_fd < 0)
		return mailslot_errno_map(errno);
	err = mailslot_hdr_map(slot->hdr_fd, PROT_READ | PROT_WRITE,
			       &slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	if (!mailslot_hdr_owned(slot->hdr_fd))
		return MAILSLOT_ERROR_FILE_NOT_FOUND;	/* stale */
	err = mailslot_shm_lock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	/* closed also covers a creator still setting up */
	if (slot->shm->closed ||
	    strcmp(slot->shm->name, slot->name->folded) != 0 ||
	    mailslot_bell_address(slot->shm->bell, &sun, &len) != 0)
		err = MAILSLOT_ERROR_FILE_NOT_FOUND;
	slot->generation = slot->shm->generation;
	access = slot->shm->access;
	ring_size = slot->shm->ring_size;
	mailslot_shm_unlock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	if (access == MAILSLOT_ACCESS_OWNER)
		ring_map(slot, ring_size);
	if (slot->ring_map != NULL)
		return bell_connect(slot, &sun, len);
	/* write-only: a client can never read the queued messages */
	slot->ring_fd = openat(slot->dir_fd, MAILSLOT_RING_FILE,
			       O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (slot->ring_fd < 0)
		return mailslot_errno_map(errno);
	return bell_connect(slot, &sun, len);
}

static enum mailslot_error bell_connect(struct mailslot *slot,
					const struct sockaddr_un *sun,
					unsigned len)
{
	slot->bell_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
	if (slot->bell_fd < 0)
		return mailslot_errno_map(errno);
	if (connect(slot->bell_fd, (const struct sockaddr *)sun, len) != 0)
		return errno == ECONNREFUSED ? MAILSLOT_ERROR_FILE_NOT_FOUND
					     : mailslot_errno_map(errno);
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_client_new(TALLOC_CTX *mem_ctx,
					const char *name,
					struct mailslot **pslot)
{
	struct mailslot *slot = talloc_zero(mem_ctx, struct mailslot);
	enum mailslot_error err;

	if (slot == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	slot->dir_fd = slot->hdr_fd = slot->ring_fd = slot->bell_fd = -1;
	slot->runtime_fd = -1;
	talloc_set_destructor(slot, client_destructor);
	err = mailslot_name_parse(slot, name, &slot->name);
	if (err != MAILSLOT_OK) {
		talloc_free(slot);
		return err;
	}
	*pslot = slot;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_client_open(TALLOC_CTX *mem_ctx,
					 const char *name,
					 struct mailslot **pslot)
{
	struct mailslot *slot;
	enum mailslot_error err;
	int runtime_fd = -1;

	if (pslot == NULL)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	err = mailslot_client_new(mem_ctx, name, &slot);
	if (err != MAILSLOT_OK)
		return err;
	if (slot->name->kind != MAILSLOT_NAME_LOCAL) {
		err = mailslot_remote_attach(slot, NULL);
		if (err != MAILSLOT_OK)
			goto fail;
		*pslot = slot;
		return MAILSLOT_OK;
	}
	err = mailslot_runtime_open(&runtime_fd);
	if (err != MAILSLOT_OK) {
		if (err == MAILSLOT_ERROR_PATH_NOT_FOUND)
			err = MAILSLOT_ERROR_FILE_NOT_FOUND;
		goto fail;
	}
	err = open_files(slot, runtime_fd);
	close(runtime_fd);
	if (err != MAILSLOT_OK)
		goto fail;
	*pslot = slot;
	return MAILSLOT_OK;
fail:
	talloc_free(slot);
	return err;
}

/* Copy the record into the ring at `pos`; the caller holds the lock. */
static int ring_write(struct mailslot *slot, uint64_t pos, uint32_t len,
		      const void *buf)
{
	uint64_t size = slot->shm->ring_size;
	uint64_t off = pos % size;
	const uint8_t *p = buf;
	size_t first = len;
	struct iovec iov[2] = {
		{ .iov_base = &len, .iov_len = sizeof(len) },
	};

	/* the length never wraps (4-aligned record, 4096-multiple ring) */
	if (off + 4 + first > size)
		first = (size_t)(size - off - 4);
	if (slot->ring_map != NULL) {
		/* the header may have been scribbled on: trust our size */
		if (size != slot->ring_map_size)
			return -1;
		memcpy(slot->ring_map + off, &len, sizeof(len));
		if (first > 0)	/* p may be NULL for an empty message */
			memcpy(slot->ring_map + off + 4, p, first);
		if (first < len)
			memcpy(slot->ring_map, p + first, len - first);
		return 0;
	}
	iov[1].iov_base = (void *)p;
	iov[1].iov_len = first;
	if (pwritev(slot->ring_fd, iov, first ? 2 : 1, (off_t)off) !=
	    (ssize_t)(4 + first))
		return -1;
	if (first < len &&
	    pwrite(slot->ring_fd, p + first, len - first, 0) !=
		    (ssize_t)(len - first))
		return -1;
	return 0;
}

static enum mailslot_error queue_push(struct mailslot *slot, const void *buf,
				      uint32_t len, bool *ring_bell)
{
	struct mailslot_shm *shm = slot->shm;
	uint64_t rec = 4 + (((uint64_t)len + 3) & ~(uint64_t)3);

	if (shm->closed || shm->generation != slot->generation)
		return MAILSLOT_ERROR_BROKEN_PIPE;
	if (shm->max_message_size != 0 && len > shm->max_message_size)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	if (!mailslot_shm_sane(shm))
		return MAILSLOT_ERROR_INTERNAL_ERROR;
	if (shm->in.msgs - shm->out.msgs + 1 > shm->queue_messages ||
	    shm->in.bytes - shm->out.bytes + len > shm->queue_bytes ||
	    shm->in.pos - shm->out.pos + rec > shm->ring_size)
		return MAILSLOT_ERROR_NOT_ENOUGH_QUOTA;
	if (ring_write(slot, shm->in.pos, len, buf) != 0)
		return MAILSLOT_ERROR_INTERNAL_ERROR;
	shm->redo.pos = shm->in.pos + rec;
	shm->redo.msgs = shm->in.msgs + 1;
	shm->redo.bytes = shm->in.bytes + len;
	shm->redo_valid = 1;
	shm->in = shm->redo;
	shm->redo_valid = 0;
	/* one bell per sleep: later writers see the flag already cleared */
	if (shm->reader_waiting) {
		shm->reader_waiting = 0;
		*ring_bell = true;
	}
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_write(struct mailslot *slot, const void *buf,
				   size_t len)
{
	enum mailslot_error err;
	bool ring_bell = false;

	if (slot == NULL)
		return MAILSLOT_ERROR_INVALID_HANDLE;
	if (slot->server)
		return MAILSLOT_ERROR_ACCESS_DENIED;
	if (buf == NULL && len > 0)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	if (slot->remote != NULL)
		return mailslot_remote_write(slot, buf, len);
	if (len > UINT32_MAX - 8)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	err = mailslot_shm_lock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	/*
	 * A server killed by SIGKILL never set `closed`.  Its `alive` mutex
	 * held proves it lives with no system call; otherwise ask the kernel
	 * about the OFD lock (a forked child may still hold it).
	 */
	if (!mailslot_alive_fast(slot->shm) &&
	    !mailslot_hdr_owned(slot->hdr_fd))
		err = MAILSLOT_ERROR_BROKEN_PIPE;
	else
		err = queue_push(slot, buf, (uint32_t)len, &ring_bell);
	mailslot_shm_unlock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	/* EAGAIN: a wake-up is already queued; the message is committed */
	if (ring_bell)
		send(slot->bell_fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
	return MAILSLOT_OK;
}
