/* The shared header: robust locking, sanity checks, liveness. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailslot_private.h"

enum mailslot_error mailslot_shm_lock(struct mailslot_shm *shm)
{
	int ret = pthread_mutex_lock(&shm->lock);

	if (ret == 0)
		return MAILSLOT_OK;
	if (ret != EOWNERDEAD)
		return MAILSLOT_ERROR_INTERNAL_ERROR;
	/* A holder died: finish its commit, if it had started one. */
	if (shm->redo_valid) {
		shm->in = shm->redo;
		shm->redo_valid = 0;
	}
	if (pthread_mutex_consistent(&shm->lock) != 0) {
		pthread_mutex_unlock(&shm->lock);
		return MAILSLOT_ERROR_INTERNAL_ERROR;
	}
	return MAILSLOT_OK;
}

void mailslot_shm_unlock(struct mailslot_shm *shm)
{
	pthread_mutex_unlock(&shm->lock);
}

bool mailslot_shm_sane(const struct mailslot_shm *shm)
{
	uint64_t used = shm->in.pos - shm->out.pos;
	uint64_t msgs = shm->in.msgs - shm->out.msgs;
	uint64_t bytes = shm->in.bytes - shm->out.bytes;

	/* Clients may write the header: never trust it blindly. */
	return used <= shm->ring_size && msgs <= shm->queue_messages &&
	       bytes <= shm->queue_bytes && (shm->in.pos & 3) == 0 &&
	       (shm->out.pos & 3) == 0 && (msgs == 0) == (used == 0);
}

bool mailslot_hdr_owned(int hdr_fd)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 1,
	};

	/* Asks without taking the lock, so it never disturbs a creator. */
	if (fcntl(hdr_fd, F_OFD_GETLK, &fl) != 0)
		return false;
	return fl.l_type != F_UNLCK;
}

/*
 * The kernel walks at most 2048 entries of a thread's robust list when it
 * dies; stay far below so that every `alive` we hold is marked.  Beyond
 * this many live servers in one process, writers simply use the OFD lock.
 */
#define ALIVE_MAX_HELD 256
static int alive_held_count;

static pid_t current_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

void mailslot_alive_take(struct mailslot *slot)
{
	struct mailslot_shm *shm = slot->shm;
	pthread_mutexattr_t attr;

	/* writers touch `alive` only under `lock`, which we hold */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&shm->alive, &attr);
	pthread_mutexattr_destroy(&attr);
	if (__atomic_add_fetch(&alive_held_count, 1, __ATOMIC_RELAXED) >
		    ALIVE_MAX_HELD ||
	    pthread_mutex_trylock(&shm->alive) != 0) {
		__atomic_sub_fetch(&alive_held_count, 1, __ATOMIC_RELAXED);
		return;		/* writers fall back to F_OFD_GETLK */
	}
	slot->alive_held = true;
	slot->alive_pid = getpid();
	slot->alive_tid = current_tid();
}

void mailslot_alive_release(struct mailslot *slot)
{
	if (!slot->alive_held)
		return;
	/*
	 * Only the holding thread may unlock.  In a forked child, fork reset
	 * the robust list, so there is nothing to undo.
	 */
	if (getpid() == slot->alive_pid && current_tid() == slot->alive_tid) {
		pthread_mutex_unlock(&slot->shm->alive);
		__atomic_sub_fetch(&alive_held_count, 1, __ATOMIC_RELAXED);
		slot->alive_held = false;
	}
}

bool mailslot_alive_fast(struct mailslot_shm *shm)
{
	int ret = pthread_mutex_trylock(&shm->alive);

	if (ret == EBUSY)
		return true;	/* held by the server's live thread */
	/*
	 * Free (no fast path established), or its holder died: let go.
	 * Unlocking after EOWNERDEAD without pthread_mutex_consistent leaves
	 * it ENOTRECOVERABLE, so later writers go straight to the OFD lock.
	 */
	if (ret == 0 || ret == EOWNERDEAD)
		pthread_mutex_unlock(&shm->alive);
	return false;
}

enum mailslot_error mailslot_hdr_map(int hdr_fd, int prot,
				     struct mailslot_shm **pshm)
{
	struct stat st;
	struct mailslot_shm *shm;

	if (fstat(hdr_fd, &st) != 0)
		return mailslot_errno_map(errno);
	if (st.st_size < MAILSLOT_SHM_SIZE)
		return MAILSLOT_ERROR_FILE_NOT_FOUND;
	shm = mmap(NULL, MAILSLOT_SHM_SIZE, prot, MAP_SHARED, hdr_fd, 0);
	if (shm == MAP_FAILED)
		return mailslot_errno_map(errno);
	if (__atomic_load_n(&shm->magic, __ATOMIC_ACQUIRE) !=
		    MAILSLOT_SHM_MAGIC ||
	    shm->version != MAILSLOT_SHM_VERSION) {
		munmap(shm, MAILSLOT_SHM_SIZE);
		return MAILSLOT_ERROR_FILE_NOT_FOUND;
	}
	*pshm = shm;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_errno_map(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENXIO:
		return MAILSLOT_ERROR_FILE_NOT_FOUND;
	case EACCES:
	case EPERM:
	case EROFS:
		return MAILSLOT_ERROR_ACCESS_DENIED;
	case ENOMEM:
	case ENOSPC:
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	case ENAMETOOLONG:
		return MAILSLOT_ERROR_FILENAME_EXCED_RANGE;
	case ECONNREFUSED:
	case EPIPE:
		return MAILSLOT_ERROR_BROKEN_PIPE;
	default:
		return MAILSLOT_ERROR_INTERNAL_ERROR;
	}
}

int mailslot_bell_address(const char *bell, void *sun, unsigned *len)
{
	struct sockaddr_un *a = sun;
	size_t n = strnlen(bell, MAILSLOT_BELL_NAME_MAX);

	if (n == 0 || n >= MAILSLOT_BELL_NAME_MAX ||
	    n + 1 > sizeof(a->sun_path))
		return -1;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* sun_path[0] == 0: the abstract namespace */
	memcpy(a->sun_path + 1, bell, n);
	*len = (unsigned)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
}
