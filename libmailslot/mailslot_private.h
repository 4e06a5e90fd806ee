/*
 * Internals shared by the libmailslot files.  One mailslot is a directory
 * in the runtime directory holding three files:
 *   hdr   struct mailslot_shm, mapped by the server and every client; the
 *         server holds an OFD write lock on it for its whole life
 *   ring  the message bytes; clients of a GROUP/EVERYONE mailslot may
 *         only write it (pwrite), so a user allowed to write can never
 *         read anyone's messages; clients of an OWNER mailslot (who could
 *         open it for reading anyway) map it and memcpy
 * and the server's bell: an abstract AF_UNIX datagram socket (its name in
 * the header) the server sleeps on; a client sends an empty datagram when
 * the server said it is waiting.  Abstract, because a process that dropped
 * privileges cannot use /proc/self/fd paths and sun_path is too short for
 * long runtime paths; a bell carries no data, so anyone ringing it can at
 * most cause a spurious wake-up.
 */
#ifndef LIBMAILSLOT_MAILSLOT_PRIVATE_H
#define LIBMAILSLOT_MAILSLOT_PRIVATE_H

#include <pthread.h>

#include "mailslot.h"
#include "mailslot_name.h"

#define MAILSLOT_SHM_MAGIC 0x544c534du	/* "MSLT" */
#define MAILSLOT_SHM_VERSION 2u
#define MAILSLOT_SHM_SIZE 4096
#define MAILSLOT_STORED_NAME_MAX 640

#define MAILSLOT_HDR_FILE "hdr"
#define MAILSLOT_RING_FILE "ring"
#define MAILSLOT_BELL_NAME_MAX 40

/* Monotonic counters: ring position (bytes), messages, payload bytes. */
struct mailslot_counters {
	uint64_t pos;
	uint64_t msgs;
	uint64_t bytes;
};

struct mailslot_shm {
	uint32_t magic;			/* stored last when initialised */
	uint32_t version;
	uint32_t generation;		/* changes at every create/reclaim */
	uint32_t closed;		/* server gone: writes must fail */
	uint32_t max_message_size;
	uint32_t read_timeout;		/* for `mailslot list` only */
	uint32_t queue_bytes;
	uint32_t queue_messages;
	uint32_t access;
	uint32_t reader_waiting;	/* server sleeps: ring the bell */
	uint64_t ring_size;
	int32_t owner_pid;
	uint32_t owner_uid;
	pthread_mutex_t lock;		/* robust, process-shared */
	/*
	 * Writers commit `in` through `redo` so that one dying with the lock
	 * held leaves either the old or the new value, never a mix.
	 */
	struct mailslot_counters in;
	struct mailslot_counters redo;
	uint32_t redo_valid;
	struct mailslot_counters out;	/* written by the server only */
	char bell[MAILSLOT_BELL_NAME_MAX];	/* abstract name, no NUL lead */
	char name[MAILSLOT_STORED_NAME_MAX];	/* as the creator spelt it */
	/*
	 * Held by the server's creating thread for the handle's life, so
	 * that the kernel marks it owner-died (robust futex list) when that
	 * thread dies, before the OFD lock goes: a writer's trylock seeing
	 * EBUSY proves the server alive without a system call.  Touched by
	 * writers only under `lock`; anything but EBUSY sends them to the
	 * OFD lock (F_OFD_GETLK), which stays the authority.
	 */
	pthread_mutex_t alive;
};

struct mailslot_remote;		/* mailslot_remote.c */

struct mailslot {
	bool server;
	struct mailslot_remote *remote;	/* a remote name's client */
	struct mailslot_name *name;
	int dir_fd;
	int hdr_fd;
	int ring_fd;
	int bell_fd;
	struct mailslot_shm *shm;
	uint32_t generation;
	uint32_t read_timeout;		/* server */
	int runtime_fd;			/* server: to remove its directory */
	/* client of an OWNER mailslot: the ring mapped, else NULL (pwrite) */
	uint8_t *ring_map;
	uint64_t ring_map_size;
	/* server: `alive` is held by thread alive_tid of this process */
	bool alive_held;
	pid_t alive_pid, alive_tid;
	/*
	 * server: a copy of committed ring bytes [rbuf_pos, rbuf_pos +
	 * rbuf_len), read with one pread and handed out message by message.
	 */
	uint8_t *rbuf;
	uint64_t rbuf_pos;
	size_t rbuf_len;
};

/* mailslot_remote.c: writes to \\*, \\DOMAIN and \\COMPUTER names */
/* A writer's handle for name, not yet opened: descriptors -1, the
 * destructor that closes what an open adds, the name parsed. */
enum mailslot_error mailslot_client_new(TALLOC_CTX *mem_ctx,
					const char *name,
					struct mailslot **pslot);
enum mailslot_error mailslot_remote_attach(
	struct mailslot *slot, const struct mailslot_remote_options *opts);
enum mailslot_error mailslot_remote_write(struct mailslot *slot,
					  const void *buf, size_t len);

/* Lock the header, repairing it if a holder died. */
enum mailslot_error mailslot_shm_lock(struct mailslot_shm *shm);
void mailslot_shm_unlock(struct mailslot_shm *shm);
/* Checks that the counters describe a possible queue. */
bool mailslot_shm_sane(const struct mailslot_shm *shm);
/* true when a live server holds the header's lock. */
bool mailslot_hdr_owned(int hdr_fd);
/*
 * Server side: (re)initialise and take shm->alive; the caller holds
 * shm->lock.  Release it again (same thread only) at close.
 */
void mailslot_alive_take(struct mailslot *slot);
void mailslot_alive_release(struct mailslot *slot);
/*
 * Client side, shm->lock held: true when the server is certainly alive
 * without asking the kernel (alive held by a live thread), false when the
 * caller must check the OFD lock.
 */
bool mailslot_alive_fast(struct mailslot_shm *shm);
/* Map an opened header file, checking magic and size. */
enum mailslot_error mailslot_hdr_map(int hdr_fd, int prot,
				     struct mailslot_shm **pshm);

/* open(O_DIRECTORY) of the runtime directory, created if missing. */
enum mailslot_error mailslot_runtime_open(int *pfd);

/* errno from a failed open() as a Win32 error. */
enum mailslot_error mailslot_errno_map(int err);

/* The abstract socket address for bell name `bell`. */
int mailslot_bell_address(const char *bell, void *sun, unsigned *len);

/* Read one queued message (server); EMPTY when there is none. */
#define MAILSLOT_QUEUE_EMPTY ((enum mailslot_error)0xFFFFFFFFu)
enum mailslot_error mailslot_queue_pop(struct mailslot *slot, void *buf,
				       size_t bufsize, size_t *nread,
				       bool will_wait);
/* The same, allocating the message on mem_ctx into *pdata. */
enum mailslot_error mailslot_queue_pop_alloc(struct mailslot *slot,
					     void *buf, TALLOC_CTX *mem_ctx,
					     uint8_t **pdata, size_t bufsize,
					     size_t *nread, bool will_wait);
/* Size of the next message without consuming it, or MAILSLOT_NO_MESSAGE. */
enum mailslot_error mailslot_queue_peek(struct mailslot *slot,
					uint32_t *next_size,
					uint32_t *message_count);
/* Empty the bell socket after a wake-up. */
void mailslot_bell_drain(struct mailslot *slot);

#endif
