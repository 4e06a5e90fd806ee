/* CreateFile/WriteFile on a mailslot: the writer side. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailslot_private.h"

static int client_destructor(struct mailslot *slot)
{
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

static enum mailslot_error open_files(struct mailslot *slot, int runtime_fd)
{
	struct sockaddr_un sun;
	unsigned len;
	enum mailslot_error err;

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
	mailslot_shm_unlock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	/* write-only: a client can never read the queued messages */
	slot->ring_fd = openat(slot->dir_fd, MAILSLOT_RING_FILE,
			       O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (slot->ring_fd < 0)
		return mailslot_errno_map(errno);
	slot->bell_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
	if (slot->bell_fd < 0)
		return mailslot_errno_map(errno);
	if (connect(slot->bell_fd, (struct sockaddr *)&sun, len) != 0)
		return errno == ECONNREFUSED ? MAILSLOT_ERROR_FILE_NOT_FOUND
					     : mailslot_errno_map(errno);
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
	slot = talloc_zero(mem_ctx, struct mailslot);
	if (slot == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	slot->dir_fd = slot->hdr_fd = slot->ring_fd = slot->bell_fd = -1;
	slot->runtime_fd = -1;
	talloc_set_destructor(slot, client_destructor);
	err = mailslot_name_parse(slot, name, &slot->name);
	if (err != MAILSLOT_OK)
		goto fail;
	if (slot->name->kind != MAILSLOT_NAME_LOCAL) {
		/* the network daemon will handle these */
		err = MAILSLOT_ERROR_NOT_SUPPORTED;
		goto fail;
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
	*ring_bell = shm->reader_waiting != 0;
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
	if (len > UINT32_MAX - 8)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	/* a server killed by SIGKILL never set `closed`: ask the kernel */
	if (!mailslot_hdr_owned(slot->hdr_fd))
		return MAILSLOT_ERROR_BROKEN_PIPE;
	err = mailslot_shm_lock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	err = queue_push(slot, buf, (uint32_t)len, &ring_bell);
	mailslot_shm_unlock(slot->shm);
	if (err != MAILSLOT_OK)
		return err;
	/* EAGAIN: a wake-up is already queued; the message is committed */
	if (ring_bell)
		send(slot->bell_fd, "", 0, MSG_DONTWAIT | MSG_NOSIGNAL);
	return MAILSLOT_OK;
}
