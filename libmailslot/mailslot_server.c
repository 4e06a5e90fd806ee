/*
 * CreateMailslot: claim the name's directory in the runtime directory,
 * reclaiming it if its creator died, and set up hdr, ring and bell.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailslot_private.h"

/* Creation races (a remover between our open and our lock) retry. */
#define CREATE_ATTEMPTS 32

struct access_modes {
	mode_t dir, hdr, ring;
};

static const struct access_modes access_modes[] = {
	[MAILSLOT_ACCESS_OWNER] = { 0700, 0600, 0600 },
	[MAILSLOT_ACCESS_GROUP] = { 0710, 0660, 0620 },
	[MAILSLOT_ACCESS_EVERYONE] = { 0711, 0666, 0622 },
};

void mailslot_server_options_init(struct mailslot_server_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->access = MAILSLOT_ACCESS_OWNER;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int server_destructor(struct mailslot *slot)
{
	struct mailslot_shm *shm = slot->shm;

	if (shm != NULL && mailslot_shm_lock(shm) == MAILSLOT_OK) {
		shm->closed = 1;
		shm->generation++;
		mailslot_shm_unlock(shm);
	}
	if (slot->dir_fd >= 0) {
		unlinkat(slot->dir_fd, MAILSLOT_RING_FILE, 0);
		/* hdr last: its lock still tells racers we own the name */
		unlinkat(slot->dir_fd, MAILSLOT_HDR_FILE, 0);
	}
	if (slot->runtime_fd >= 0)
		unlinkat(slot->runtime_fd, slot->name->entry, AT_REMOVEDIR);
	mailslot_alive_release(slot);
	/*
	 * Still held (freed by another thread than the creator): `alive`
	 * stays on that thread's robust list, so its page must stay mapped.
	 */
	if (shm != NULL && !(slot->alive_held && getpid() == slot->alive_pid))
		munmap(shm, MAILSLOT_SHM_SIZE);
	if (slot->ring_map != NULL)
		munmap(slot->ring_map, slot->ring_map_size);
	close_fd(&slot->ring_fd);
	close_fd(&slot->bell_fd);
	close_fd(&slot->dir_fd);
	close_fd(&slot->runtime_fd);
	close_fd(&slot->hdr_fd);	/* releases the lock */
	return 0;
}

static bool same_file(int fd, int dir_fd, const char *name)
{
	struct stat a, b;

	if (fstat(fd, &a) != 0 || fstatat(dir_fd, name, &b,
					  AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool take_lock(int hdr_fd)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 1,
	};

	/* OFD lock: dropped when the process dies, however it dies. */
	return fcntl(hdr_fd, F_OFD_SETLK, &fl) == 0;
}

/*
 * Open the name's directory and its hdr and lock hdr.  Returns
 * MAILSLOT_OK with the lock held, ALREADY_EXISTS if a live server holds
 * it, or EAGAIN-like retry (MAILSLOT_QUEUE_EMPTY) if a remover raced us.
 */
static enum mailslot_error claim(struct mailslot *slot,
				 const struct access_modes *m)
{
	const char *entry = slot->name->entry;

	if (mkdirat(slot->runtime_fd, entry, m->dir) != 0 && errno != EEXIST)
		return mailslot_errno_map(errno);
	slot->dir_fd = openat(slot->runtime_fd, entry,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (slot->dir_fd < 0) {
		if (errno == ENOENT)
			return MAILSLOT_QUEUE_EMPTY;
		/* someone else's mailslot */
		return errno == EACCES ? MAILSLOT_ERROR_ALREADY_EXISTS
				       : mailslot_errno_map(errno);
	}
	slot->hdr_fd = openat(slot->dir_fd, MAILSLOT_HDR_FILE,
			      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			      m->hdr);
	if (slot->hdr_fd < 0) {
		if (errno == ENOENT)
			return MAILSLOT_QUEUE_EMPTY;
		return errno == EACCES ? MAILSLOT_ERROR_ALREADY_EXISTS
				       : mailslot_errno_map(errno);
	}
	if (!take_lock(slot->hdr_fd)) {
		if (errno == EAGAIN || errno == EACCES)
			return MAILSLOT_ERROR_ALREADY_EXISTS;
		return mailslot_errno_map(errno);
	}
	/* We hold the lock: is it on the files that are still linked? */
	if (!same_file(slot->hdr_fd, slot->dir_fd, MAILSLOT_HDR_FILE) ||
	    !same_file(slot->dir_fd, slot->runtime_fd, entry))
		return MAILSLOT_QUEUE_EMPTY;
	return MAILSLOT_OK;
}

/* A fresh header, or the stale one of a dead creator, made ours. */
static enum mailslot_error hdr_prepare(struct mailslot *slot)
{
	struct mailslot_shm *shm;
	pthread_mutexattr_t attr;
	uint32_t generation = 1;

	if (mailslot_hdr_map(slot->hdr_fd, PROT_READ | PROT_WRITE,
			     &shm) == MAILSLOT_OK) {
		/* Stale: fence off the dead server's clients, keep the lock. */
		if (mailslot_shm_lock(shm) == MAILSLOT_OK) {
			shm->closed = 1;
			generation = ++shm->generation;
			mailslot_shm_unlock(shm);
			slot->shm = shm;
			return MAILSLOT_OK;
		}
		munmap(shm, MAILSLOT_SHM_SIZE);
	}
	/* New or unusable: start from zeros. */
	if (ftruncate(slot->hdr_fd, 0) != 0 ||
	    ftruncate(slot->hdr_fd, MAILSLOT_SHM_SIZE) != 0)
		return mailslot_errno_map(errno);
	shm = mmap(NULL, MAILSLOT_SHM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, slot->hdr_fd, 0);
	if (shm == MAP_FAILED)
		return mailslot_errno_map(errno);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&shm->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	shm->closed = 1;
	shm->generation = generation;
	shm->version = MAILSLOT_SHM_VERSION;
	__atomic_store_n(&shm->magic, MAILSLOT_SHM_MAGIC, __ATOMIC_RELEASE);
	slot->shm = shm;
	return MAILSLOT_OK;
}

static uint64_t ring_size_for(uint32_t bytes, uint32_t msgs)
{
	/* each record: 4-byte length + payload padded to 4 <= len + 8 */
	uint64_t size = (uint64_t)bytes + 8 * (uint64_t)msgs;

	return (size + 4095) & ~(uint64_t)4095;
}

static enum mailslot_error files_create(struct mailslot *slot,
					const struct access_modes *m,
					uint64_t ring_size)
{
	struct sockaddr_un sun;
	unsigned len;

	unlinkat(slot->dir_fd, MAILSLOT_RING_FILE, 0);
	slot->ring_fd = openat(slot->dir_fd, MAILSLOT_RING_FILE,
			       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			       O_CLOEXEC, 0600);
	if (slot->ring_fd < 0)
		return mailslot_errno_map(errno);
	if (ftruncate(slot->ring_fd, (off_t)ring_size) != 0)
		return mailslot_errno_map(errno);
	/*
	 * Blocking, so that a reader waiting forever sleeps in recv() (one
	 * system call per wake-up); every other recv passes MSG_DONTWAIT.
	 */
	slot->bell_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (slot->bell_fd < 0)
		return mailslot_errno_map(errno);
	/* a random abstract name; retry on the (unlikely) clash */
	for (int i = 0;; i++) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return MAILSLOT_ERROR_INTERNAL_ERROR;
		snprintf(slot->shm->bell, sizeof(slot->shm->bell),
			 "mailslot-bell-%016llx", (unsigned long long)r);
		if (mailslot_bell_address(slot->shm->bell, &sun, &len) != 0)
			return MAILSLOT_ERROR_INTERNAL_ERROR;
		if (bind(slot->bell_fd, (struct sockaddr *)&sun, len) == 0)
			break;
		if (errno != EADDRINUSE || i == 8)
			return mailslot_errno_map(errno);
	}
	/* exact modes whatever the umask */
	if (fchmod(slot->ring_fd, m->ring) != 0 ||
	    fchmod(slot->hdr_fd, m->hdr) != 0 ||
	    fchmod(slot->dir_fd, m->dir) != 0)
		return mailslot_errno_map(errno);
	return MAILSLOT_OK;
}

/*
 * Only the owner (and root) can write an owner-only mailslot, and nobody
 * else can truncate its ring, so the reader may map it: a message is then
 * copied straight from the ring, with no pread after a wake-up.  Other
 * mailslots keep pread, which a hostile writer's ftruncate cannot turn
 * into SIGBUS.  Failing to map only costs speed.
 */
static void ring_map_for_reading(struct mailslot *slot,
				 enum mailslot_access access,
				 uint64_t ring_size)
{
	void *p;

	if (access != MAILSLOT_ACCESS_OWNER)
		return;
	p = mmap(NULL, (size_t)ring_size, PROT_READ, MAP_SHARED, slot->ring_fd,
		 0);
	if (p == MAP_FAILED)
		return;
	slot->ring_map = p;
	slot->ring_map_size = ring_size;
}

static enum mailslot_error options_check(
	const struct mailslot_server_options *o)
{
	if (o->queue_bytes > MAILSLOT_MAX_QUEUE_BYTES ||
	    o->queue_messages > MAILSLOT_MAX_QUEUE_MESSAGES)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	if ((unsigned)o->access > MAILSLOT_ACCESS_EVERYONE)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	return MAILSLOT_OK;
}

static void shm_publish(struct mailslot *slot,
			const struct mailslot_server_options *o,
			uint32_t qbytes, uint32_t qmsgs, uint64_t ring_size)
{
	struct mailslot_shm *shm = slot->shm;

	shm->max_message_size = o->max_message_size;
	shm->read_timeout = o->read_timeout;
	shm->queue_bytes = qbytes;
	shm->queue_messages = qmsgs;
	shm->access = o->access;
	shm->reader_waiting = 0;
	shm->ring_size = ring_size;
	shm->owner_pid = (int32_t)getpid();
	shm->owner_uid = (uint32_t)geteuid();
	memset(&shm->in, 0, sizeof(shm->in));
	memset(&shm->redo, 0, sizeof(shm->redo));
	memset(&shm->out, 0, sizeof(shm->out));
	shm->redo_valid = 0;
	snprintf(shm->name, sizeof(shm->name), "%s", slot->name->folded);
	slot->generation = shm->generation;
	/* last: clients may now open it */
	shm->closed = 0;
}

enum mailslot_error mailslot_server_create_ex(
	TALLOC_CTX *mem_ctx, const char *name,
	const struct mailslot_server_options *opts, struct mailslot **pslot)
{
	struct mailslot *slot;
	const struct access_modes *m;
	enum mailslot_error err;
	uint32_t qbytes, qmsgs;
	uint64_t ring_size;

	if (pslot == NULL || opts == NULL)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	err = options_check(opts);
	if (err != MAILSLOT_OK)
		return err;
	slot = talloc_zero(mem_ctx, struct mailslot);
	if (slot == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	slot->server = true;
	slot->dir_fd = slot->hdr_fd = slot->ring_fd = slot->bell_fd = -1;
	slot->runtime_fd = -1;
	slot->read_timeout = opts->read_timeout;
	err = mailslot_name_parse(slot, name, &slot->name);
	if (err != MAILSLOT_OK)
		goto fail;
	/* CreateMailslot only ever creates local mailslots. */
	if (slot->name->kind != MAILSLOT_NAME_LOCAL) {
		err = MAILSLOT_ERROR_INVALID_NAME;
		goto fail;
	}
	err = mailslot_runtime_open(&slot->runtime_fd);
	if (err != MAILSLOT_OK)
		goto fail;
	talloc_set_destructor(slot, server_destructor);

	m = &access_modes[opts->access];
	for (int i = 0; i < CREATE_ATTEMPTS; i++) {
		err = claim(slot, m);
		if (err != MAILSLOT_QUEUE_EMPTY)
			break;
		close_fd(&slot->hdr_fd);
		close_fd(&slot->dir_fd);
	}
	if (err == MAILSLOT_QUEUE_EMPTY)
		err = MAILSLOT_ERROR_ALREADY_EXISTS;
	if (err != MAILSLOT_OK) {
		/* not ours: the destructor must not remove anything */
		close_fd(&slot->hdr_fd);
		close_fd(&slot->dir_fd);
		close_fd(&slot->runtime_fd);
		goto fail;
	}
	err = hdr_prepare(slot);
	if (err != MAILSLOT_OK)
		goto fail;
	qbytes = opts->queue_bytes ? opts->queue_bytes
				   : MAILSLOT_DEFAULT_QUEUE_BYTES;
	qmsgs = opts->queue_messages ? opts->queue_messages
				     : MAILSLOT_DEFAULT_QUEUE_MESSAGES;
	ring_size = ring_size_for(qbytes, qmsgs);
	err = files_create(slot, m, ring_size);
	if (err != MAILSLOT_OK)
		goto fail;
	ring_map_for_reading(slot, opts->access, ring_size);
	err = mailslot_shm_lock(slot->shm);
	if (err != MAILSLOT_OK)
		goto fail;
	shm_publish(slot, opts, qbytes, qmsgs, ring_size);
	mailslot_alive_take(slot);
	mailslot_shm_unlock(slot->shm);
	*pslot = slot;
	return MAILSLOT_OK;
fail:
	talloc_free(slot);
	return err;
}

enum mailslot_error mailslot_server_create(TALLOC_CTX *mem_ctx,
					   const char *name,
					   uint32_t max_message_size,
					   uint32_t read_timeout,
					   struct mailslot **pslot)
{
	struct mailslot_server_options o;

	mailslot_server_options_init(&o);
	o.max_message_size = max_message_size;
	o.read_timeout = read_timeout;
	return mailslot_server_create_ex(mem_ctx, name, &o, pslot);
}

enum mailslot_error mailslot_get_info(struct mailslot *slot,
				      uint32_t *max_message_size,
				      uint32_t *next_size,
				      uint32_t *message_count,
				      uint32_t *read_timeout)
{
	uint32_t next, count;
	enum mailslot_error err;

	if (slot == NULL)
		return MAILSLOT_ERROR_INVALID_HANDLE;
	if (!slot->server)
		return MAILSLOT_ERROR_ACCESS_DENIED;
	err = mailslot_queue_peek(slot, &next, &count);
	if (err != MAILSLOT_OK)
		return err;
	if (max_message_size != NULL)
		*max_message_size = slot->shm->max_message_size;
	if (next_size != NULL)
		*next_size = next;
	if (message_count != NULL)
		*message_count = count;
	if (read_timeout != NULL)
		*read_timeout = slot->read_timeout;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_set_info(struct mailslot *slot,
				      uint32_t read_timeout)
{
	if (slot == NULL)
		return MAILSLOT_ERROR_INVALID_HANDLE;
	if (!slot->server)
		return MAILSLOT_ERROR_ACCESS_DENIED;
	slot->read_timeout = read_timeout;
	slot->shm->read_timeout = read_timeout;
	return MAILSLOT_OK;
}
