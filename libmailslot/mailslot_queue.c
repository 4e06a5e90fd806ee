/*
 * The message queue in the ring file.  A record is a 4-byte host-order
 * length followed by the payload, padded to 4, so a length never wraps
 * around the ring's end (the ring size is a multiple of 4096).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mailslot_private.h"

/* Size of the server's read-ahead buffer (one pread fills it). */
#define MAILSLOT_RBUF_SIZE (64u * 1024)

static uint64_t record_size(uint32_t len)
{
	return 4 + (((uint64_t)len + 3) & ~(uint64_t)3);
}

/* pread exactly len bytes at ring position pos, wrapping at the end. */
static int ring_read(struct mailslot *slot, uint64_t pos, void *buf,
		     size_t len)
{
	uint64_t size = slot->shm->ring_size;
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t off = pos % size;
		size_t chunk = len;
		ssize_t n;

		if (off + chunk > size)
			chunk = (size_t)(size - off);
		if (slot->server && slot->ring_map != NULL) {
			memcpy(p, slot->ring_map + off, chunk);
			p += chunk;
			pos += chunk;
			len -= chunk;
			continue;
		}
		n = pread(slot->ring_fd, p, chunk, (off_t)off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;	/* truncated ring: damaged */
		}
		p += n;
		pos += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The committed bytes [pos, pos + len) from the read-ahead buffer, filling
 * it with one pread of up to MAILSLOT_RBUF_SIZE committed bytes from pos
 * when they are not there; NULL when they cannot come from it (a record
 * wrapping around the ring's end, a message larger than the buffer, a
 * short read): the caller then preads them directly.  The lock is held.
 *
 * Buffered bytes never go stale: a writer only writes past `in`, and
 * every position still asked for (>= out.pos) was committed before the
 * fill, so a writer reaches its ring offset only after the reader has
 * consumed it.
 */
static const uint8_t *rbuf_get(struct mailslot *slot, uint64_t pos,
			       size_t len)
{
	struct mailslot_shm *shm = slot->shm;
	uint64_t size = shm->ring_size;
	uint64_t off = pos % size;
	uint64_t avail = shm->in.pos - pos;
	ssize_t n;

	/* a mapped ring (owner-only mailslots) is its own buffer */
	if (slot->server && slot->ring_map != NULL)
		return off + len <= size ? slot->ring_map + off : NULL;
	if (slot->rbuf != NULL && pos >= slot->rbuf_pos &&
	    pos - slot->rbuf_pos <= slot->rbuf_len &&
	    len <= slot->rbuf_len - (pos - slot->rbuf_pos))
		return slot->rbuf + (pos - slot->rbuf_pos);
	if (avail > size - off)
		avail = size - off;	/* no wrap inside the buffer */
	if (avail > MAILSLOT_RBUF_SIZE)
		avail = MAILSLOT_RBUF_SIZE;
	if (avail < len)
		return NULL;
	if (slot->rbuf == NULL) {
		slot->rbuf = talloc_size(slot, MAILSLOT_RBUF_SIZE);
		if (slot->rbuf == NULL)
			return NULL;
	}
	slot->rbuf_len = 0;
	do {
		n = pread(slot->ring_fd, slot->rbuf, (size_t)avail,
			  (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n < len)
		return NULL;
	slot->rbuf_pos = pos;
	slot->rbuf_len = (size_t)n;
	return slot->rbuf;
}

/* The 4-byte length of the record at pos. */
static int record_len(struct mailslot *slot, uint64_t pos, uint32_t *len)
{
	const uint8_t *p = rbuf_get(slot, pos, sizeof(*len));

	if (p == NULL)
		return ring_read(slot, pos, len, sizeof(*len));
	memcpy(len, p, sizeof(*len));
	return 0;
}

static enum mailslot_error damaged(struct mailslot_shm *shm)
{
	/* Drop everything rather than read garbage. */
	shm->out = shm->in;
	mailslot_shm_unlock(shm);
	return MAILSLOT_ERROR_INTERNAL_ERROR;
}

enum mailslot_error mailslot_queue_pop(struct mailslot *slot, void *buf,
				       size_t bufsize, size_t *nread,
				       bool will_wait)
{
	return mailslot_queue_pop_alloc(slot, buf, NULL, NULL, bufsize, nread,
					will_wait);
}

enum mailslot_error mailslot_queue_pop_alloc(struct mailslot *slot,
					     void *buf, TALLOC_CTX *mem_ctx,
					     uint8_t **pdata, size_t bufsize,
					     size_t *nread, bool will_wait)
{
	struct mailslot_shm *shm = slot->shm;
	enum mailslot_error err;
	uint32_t len;

	err = mailslot_shm_lock(shm);
	if (err != MAILSLOT_OK)
		return err;
	if (!mailslot_shm_sane(shm))
		return damaged(shm);
	if (shm->in.msgs == shm->out.msgs) {
		if (will_wait)
			shm->reader_waiting = 1;
		mailslot_shm_unlock(shm);
		return MAILSLOT_QUEUE_EMPTY;
	}
	if (record_len(slot, shm->out.pos, &len) != 0 ||
	    record_size(len) > shm->in.pos - shm->out.pos ||
	    len > shm->in.bytes - shm->out.bytes)
		return damaged(shm);
	if (len > bufsize) {
		mailslot_shm_unlock(shm);
		return MAILSLOT_ERROR_INSUFFICIENT_BUFFER;
	}
	if (pdata != NULL) {
		/* the caller's buffer, sized to the message (async read) */
		buf = talloc_array(mem_ctx, uint8_t, len ? len : 1);
		if (buf == NULL) {
			mailslot_shm_unlock(shm);
			return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
		}
		*pdata = buf;
	}
	if (len > 0) {
		const uint8_t *p = rbuf_get(slot, shm->out.pos + 4, len);

		if (p != NULL) {
			memcpy(buf, p, len);
		} else if (ring_read(slot, shm->out.pos + 4, buf, len) != 0) {
			if (pdata != NULL)
				TALLOC_FREE(*pdata);
			return damaged(shm);
		}
	}
	shm->out.pos += record_size(len);
	shm->out.msgs++;
	shm->out.bytes += len;
	shm->reader_waiting = 0;
	mailslot_shm_unlock(shm);
	*nread = len;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_queue_peek(struct mailslot *slot,
					uint32_t *next_size,
					uint32_t *message_count)
{
	struct mailslot_shm *shm = slot->shm;
	enum mailslot_error err;
	uint32_t len = MAILSLOT_NO_MESSAGE;

	err = mailslot_shm_lock(shm);
	if (err != MAILSLOT_OK)
		return err;
	if (!mailslot_shm_sane(shm))
		return damaged(shm);
	*message_count = (uint32_t)(shm->in.msgs - shm->out.msgs);
	if (*message_count > 0 && record_len(slot, shm->out.pos, &len) != 0)
		return damaged(shm);
	mailslot_shm_unlock(shm);
	*next_size = len;
	return MAILSLOT_OK;
}

void mailslot_bell_drain(struct mailslot *slot)
{
	char b;

	/* bounded: the kernel queue holds only a few datagrams */
	for (int i = 0; i < 1024; i++) {
		if (recv(slot->bell_fd, &b, sizeof(b), MSG_DONTWAIT) < 0 &&
		    errno != EINTR)
			break;
	}
}
