/*
 * libmailslot: Windows mailslot semantics (CreateMailslot, CreateFile,
 * WriteFile, ReadFile, GetMailslotInfo, SetMailslotInfo) for Unix
 * programs, between unrelated processes, without a daemon.
 *
 * Every function returns a Win32 error value (MAILSLOT_ERROR_*, 0 on
 * success); mailslot_error_name() and mailslot_error_string() describe it.
 * Handles are talloc objects: talloc_free() closes them.  See
 * docs/libmailslot.md for the design and every function.
 */
#ifndef LIBMAILSLOT_MAILSLOT_H
#define LIBMAILSLOT_MAILSLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <talloc.h>
#include <tevent.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Read timeout: block until a message arrives. */
#define MAILSLOT_WAIT_FOREVER 0xFFFFFFFFu
/* Next message size when the queue is empty. */
#define MAILSLOT_NO_MESSAGE 0xFFFFFFFFu

/* Queue bounds used when the caller passes 0 (see docs/libmailslot.md). */
#define MAILSLOT_DEFAULT_QUEUE_BYTES (4u * 1024 * 1024)
#define MAILSLOT_DEFAULT_QUEUE_MESSAGES 16384u
/* Hard upper bounds accepted at create. */
#define MAILSLOT_MAX_QUEUE_BYTES (1u << 30)
#define MAILSLOT_MAX_QUEUE_MESSAGES (1u << 22)

/* Win32 error values, as GetLastError() would return them. */
enum mailslot_error {
	MAILSLOT_OK = 0,				/* ERROR_SUCCESS */
	MAILSLOT_ERROR_FILE_NOT_FOUND = 2,
	MAILSLOT_ERROR_PATH_NOT_FOUND = 3,
	MAILSLOT_ERROR_ACCESS_DENIED = 5,
	MAILSLOT_ERROR_INVALID_HANDLE = 6,
	MAILSLOT_ERROR_NOT_ENOUGH_MEMORY = 8,
	MAILSLOT_ERROR_NOT_SUPPORTED = 50,
	MAILSLOT_ERROR_INVALID_PARAMETER = 87,
	MAILSLOT_ERROR_BROKEN_PIPE = 109,
	MAILSLOT_ERROR_SEM_TIMEOUT = 121,
	MAILSLOT_ERROR_INSUFFICIENT_BUFFER = 122,
	MAILSLOT_ERROR_INVALID_NAME = 123,
	MAILSLOT_ERROR_ALREADY_EXISTS = 183,
	MAILSLOT_ERROR_FILENAME_EXCED_RANGE = 206,
	MAILSLOT_ERROR_NOT_ENOUGH_QUOTA = 1816,
	MAILSLOT_ERROR_INTERNAL_ERROR = 1359,
	MAILSLOT_ERROR_BAD_NETPATH = 53,
	MAILSLOT_ERROR_SERVICE_NOT_ACTIVE = 1062,
};

/* "ERROR_SEM_TIMEOUT"; "ERROR_<number>" style fallback for unknown. */
const char *mailslot_error_name(enum mailslot_error err);
/* One plain sentence. */
const char *mailslot_error_string(enum mailslot_error err);

/* Who, besides the creator, may write (never read) a mailslot. */
enum mailslot_access {
	MAILSLOT_ACCESS_OWNER = 0,	/* the creating user (and root) */
	MAILSLOT_ACCESS_GROUP = 1,	/* plus the creator's group */
	MAILSLOT_ACCESS_EVERYONE = 2,	/* plus every local user */
};

struct mailslot_server_options {
	uint32_t max_message_size;	/* 0 = unlimited (up to queue_bytes) */
	uint32_t read_timeout;		/* ms, 0, or MAILSLOT_WAIT_FOREVER */
	uint32_t queue_bytes;		/* payload bytes queued; 0 = default */
	uint32_t queue_messages;	/* messages queued; 0 = default */
	enum mailslot_access access;
};

/* Defaults: unlimited size, no wait, default quotas, owner-only. */
void mailslot_server_options_init(struct mailslot_server_options *opts);

/* A server (reader) or client (writer) handle. */
struct mailslot;

/*
 * CreateMailslot.  name is "\\.\mailslot\[path\]name".  The handle is
 * allocated on mem_ctx; freeing it (or the process dying) removes the
 * mailslot and its unread messages.
 */
enum mailslot_error mailslot_server_create(TALLOC_CTX *mem_ctx,
					   const char *name,
					   uint32_t max_message_size,
					   uint32_t read_timeout,
					   struct mailslot **pslot);
enum mailslot_error mailslot_server_create_ex(
	TALLOC_CTX *mem_ctx, const char *name,
	const struct mailslot_server_options *opts, struct mailslot **pslot);

/* CreateFile(OPEN_EXISTING) on a mailslot: a write-only client handle. */
enum mailslot_error mailslot_client_open(TALLOC_CTX *mem_ctx,
					 const char *name,
					 struct mailslot **pslot);

/*
 * Remote names (\\*\mailslot\x, \\DOMAIN\..., \\COMPUTER\...): the open
 * succeeds without any network traffic, as on Windows; each write goes
 * out through mailslotd (<runtime dir>/mailslotd.sock), which sends it from
 * UDP 138 with the right SOURCE_IP.  No daemon: the open fails with
 * ERROR_SERVICE_NOT_ACTIVE, unless standalone sending is asked for here.
 */
struct mailslot_remote_options {
	/* Send from this process's own UDP socket instead of the daemon's:
	 * for unprivileged use and tests.  \\* and \\DOMAIN go to the
	 * interface's broadcast; \\COMPUTER needs target_ip (there is no
	 * name service without the daemon). */
	bool standalone;
	uint32_t interface_ip;		/* host order: source address */
	uint32_t interface_mask;
	uint32_t target_ip;		/* host order, 0: broadcast */
	uint16_t port;			/* destination port, 0: 138 */
	const char *netbios_name;	/* source name, NULL: host name */
	const char *workgroup;		/* for \\*, NULL: WORKGROUP */
	size_t fragment_size;		/* standalone: split datagrams into
					 * UDP payloads of at most this size
					 * (NBT fragments); 0: never */
	/* Any sender: address NAME<suffix> instead of NAME<00> (for example
	 * WORKGROUP<1d>), and say what kind of name it is so that no name
	 * resolution is needed: a group (DIRECT_GROUP to the broadcast
	 * address) or a unique name sent to the broadcast address (as Samba
	 * sends to <1d>).  Neither: resolve NAME<suffix>. */
	uint8_t suffix;
	bool group;
	bool bcast_unique;
};

enum mailslot_error mailslot_client_open_remote(
	TALLOC_CTX *mem_ctx, const char *name,
	const struct mailslot_remote_options *opts, struct mailslot **pslot);

/*
 * Own the NetBIOS name NAME<suffix> (unique, or a group) on the network,
 * through mailslotd, for as long as *pname lives: datagrams to it are
 * delivered here, name queries for it answered.  Returns once the
 * registration settled: ERROR_ALREADY_EXISTS if another host defends a
 * unique name; ERROR_SERVICE_NOT_ACTIVE without a daemon.
 */
struct mailslot_netbios_name;
enum mailslot_error mailslot_netbios_name_register(
	TALLOC_CTX *mem_ctx, const char *name, uint8_t suffix, bool group,
	struct mailslot_netbios_name **pname);

/*
 * The name lives in mailslotd, tied to the handle's connection: if the
 * daemon restarted, the name went with it.  Call this now and then
 * (every second or so, between reads) to own it again: MAILSLOT_OK at
 * once (one poll, no request) while the registration holds; otherwise
 * it registers again, as mailslot_netbios_name_register() does (~0.75 s),
 * and returns its result: ERROR_SERVICE_NOT_ACTIVE while no daemon runs
 * (call again later), ERROR_ALREADY_EXISTS if another host took the
 * name meanwhile.
 */
enum mailslot_error mailslot_netbios_name_refresh(
	struct mailslot_netbios_name *name);

/*
 * WriteFile on a client handle: exactly one message of len bytes.  On a
 * remote handle, a payload over the 512-byte SMB budget (424 bytes for a
 * 5-8 character name) fails with ERROR_BAD_NETPATH and nothing is sent;
 * so does a \\COMPUTER no name service could resolve.
 */
enum mailslot_error mailslot_write(struct mailslot *slot, const void *buf,
				   size_t len);

/*
 * ReadFile on a server handle: one whole message into buf, its size in
 * *nread.  Waits according to the read timeout.
 */
enum mailslot_error mailslot_read(struct mailslot *slot, void *buf,
				  size_t bufsize, size_t *nread);

/*
 * The same as a tevent request.  bufsize plays the role of ReadFile's
 * buffer size; the message is returned allocated on mem_ctx.  Freeing the
 * request cancels the read (no message is consumed).
 */
struct tevent_req *mailslot_read_send(TALLOC_CTX *mem_ctx,
				      struct tevent_context *ev,
				      struct mailslot *slot, size_t bufsize);
enum mailslot_error mailslot_read_recv(struct tevent_req *req,
				       TALLOC_CTX *mem_ctx, uint8_t **data,
				       size_t *len);

/* GetMailslotInfo (server handle only); any out-pointer may be NULL. */
enum mailslot_error mailslot_get_info(struct mailslot *slot,
				      uint32_t *max_message_size,
				      uint32_t *next_size,
				      uint32_t *message_count,
				      uint32_t *read_timeout);
/* SetMailslotInfo (server handle only). */
enum mailslot_error mailslot_set_info(struct mailslot *slot,
				      uint32_t read_timeout);

/*
 * Runtime directory in use (MAILSLOT_RUNTIME_DIR, else
 * $XDG_RUNTIME_DIR/mailslot, else /run/mailslot for root), created if
 * missing.
 */
enum mailslot_error mailslot_runtime_dir(TALLOC_CTX *mem_ctx, char **dir);

/* One local mailslot, as `mailslot list` shows it. */
struct mailslot_entry {
	char *name;		/* as created, e.g. "\\.\mailslot\foo" */
	uid_t owner;
	pid_t pid;		/* creating process */
	bool state_visible;	/* false: no permission to see the queue */
	uint32_t max_message_size;
	uint32_t message_count;
	uint32_t queued_bytes;
	uint32_t queue_bytes;	/* quota */
	uint32_t queue_messages;	/* quota */
	enum mailslot_access access;
};

/* Every live local mailslot; stale entries are skipped. */
enum mailslot_error mailslot_list(TALLOC_CTX *mem_ctx,
				  struct mailslot_entry **entries,
				  size_t *count);

#ifdef __cplusplus
}
#endif

#endif
