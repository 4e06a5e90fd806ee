/*
 * The local control protocol between libmailslot (and the mailslot
 * command) and mailslotd: one request and one reply per message on an
 * AF_UNIX SOCK_SEQPACKET socket, <runtime dir>/mailslotd.sock.  Names a
 * program registers live as long as its connection.
 *
 * Request:  op u32 | flags u8 | suffix u8 | reserved u16 |
 *           name_len u16 | slot_len u16 | data_len u32 | name | slot | data
 * Reply:    status u32 (Win32 error) | len u32 | body
 * All integers little-endian.
 */
#ifndef LIBMAILSLOT_MAILSLOT_CTL_H
#define LIBMAILSLOT_MAILSLOT_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define MAILSLOT_CTL_SOCKET "mailslotd.sock"
#define MAILSLOT_CTL_PIDFILE "mailslotd.pid"
#define MAILSLOT_CTL_REQ_HDR 20
#define MAILSLOT_CTL_REPLY_HDR 8
#define MAILSLOT_CTL_MAX (MAILSLOT_CTL_REQ_HDR + 2 * 1024 + 65536)

enum mailslot_ctl_op {
	MAILSLOT_CTL_STATUS = 1,	/* reply body: JSON */
	MAILSLOT_CTL_SEND = 2,		/* a remote mailslot write */
	MAILSLOT_CTL_NAME_ADD = 3,	/* own NAME<suffix> while connected */
	MAILSLOT_CTL_NAME_DEL = 4,
};

/* SEND and NAME_ADD flags */
#define MAILSLOT_CTL_GROUP 0x01		/* a group name (DIRECT_GROUP) */
#define MAILSLOT_CTL_BCAST_UNIQUE 0x02	/* unique name, sent to broadcast */
#define MAILSLOT_CTL_WORKGROUP 0x04	/* name empty: the daemon's workgroup */

struct mailslot_ctl_request {
	uint32_t op;
	uint8_t flags;
	uint8_t suffix;
	const char *name;	/* NetBIOS name (not NUL-terminated on decode) */
	size_t name_len;
	const char *slot;	/* "\MAILSLOT\..." */
	size_t slot_len;
	const uint8_t *data;
	size_t data_len;
};

/* Encoded request as a talloc buffer; NULL if too large. */
uint8_t *mailslot_ctl_request_encode(TALLOC_CTX *mem_ctx,
				     const struct mailslot_ctl_request *r,
				     size_t *len);
/* Views into buf; false if malformed. */
bool mailslot_ctl_request_decode(const uint8_t *buf, size_t len,
				 struct mailslot_ctl_request *r);

uint8_t *mailslot_ctl_reply_encode(TALLOC_CTX *mem_ctx, uint32_t status,
				   const void *body, size_t body_len,
				   size_t *len);
bool mailslot_ctl_reply_decode(const uint8_t *buf, size_t len,
			       uint32_t *status, const uint8_t **body,
			       size_t *body_len);

/*
 * Client side: connect to the daemon of runtime_dir (fd >= 0, or -1 with
 * errno), and one blocking round trip with a time limit.
 */
int mailslot_ctl_connect(const char *runtime_dir);

/*
 * Between requests nothing is ever readable on a good connection: true
 * while that holds; false means the daemon hung up (or a late reply to a
 * timed-out request is waiting), and the connection is no good.
 */
bool mailslot_ctl_idle(int fd);
int mailslot_ctl_call(TALLOC_CTX *mem_ctx, int fd,
		      const struct mailslot_ctl_request *r, int timeout_ms,
		      uint32_t *status, uint8_t **body, size_t *body_len);

#endif
