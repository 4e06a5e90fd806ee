/*
 * The standalone receive path of `mailslot browse` and `mailslot
 * messenger`: without mailslotd, this process binds IP:port and
 * BROADCAST:port itself (SO_REUSEADDR, as mailslotd does, so other
 * listeners that also share the port keep working), keeps the datagrams
 * addressed to the names it was told to hear, reassembles NBT fragments
 * and hands over the mailslot writes for its mailslots.  It owns no name
 * (there is no name service here): unicast senders need its address.
 */
#ifndef MAILSLOT_TOOLS_STANDALONE_RECV_H
#define MAILSLOT_TOOLS_STANDALONE_RECV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"

#define STANDALONE_MAX_NAMES 16
#define STANDALONE_MAX_SLOTS 4

struct standalone_recv;

/* One mailslot write for us; every pointer is a view, valid in the call. */
struct standalone_dgram {
	const char *slot;		/* "\MAILSLOT\...", slot_len bytes */
	size_t slot_len;
	const uint8_t *data;
	size_t data_len;
};

typedef void (*standalone_recv_fn)(const struct standalone_dgram *m,
				   void *priv);

/*
 * Bind ip:port and, unless mask is /32, (ip | ~mask):port.  NULL after
 * telling stderr why, as "mailslot TOOL: cannot bind IP:PORT: ...", with
 * what to do instead (--port N, or mailslotd).
 */
struct standalone_recv *standalone_recv_open(TALLOC_CTX *mem_ctx,
					     const char *tool, uint32_t ip,
					     uint32_t mask, uint16_t port);

/* Hear datagrams to n (all 16 bytes compared); "*" BROADCAST datagrams
 * are always heard.  false when the table is full. */
bool standalone_recv_add_name(struct standalone_recv *s,
			      const struct nbt_name *n);
/* Hand over writes to this mailslot ("\MAILSLOT\BROWSE", any case). */
bool standalone_recv_add_slot(struct standalone_recv *s, const char *slot);

/*
 * Wait at most timeout_ms for one mailslot write for us, hand it to fn
 * and return 1; 0 when the time is up or a signal arrived (EINTR), -1 on
 * a socket error.  Everything else that arrives is dropped silently, as
 * [MS-MAIL] §3.2.5.1 wants.
 */
int standalone_recv_poll(struct standalone_recv *s, uint32_t timeout_ms,
			 standalone_recv_fn fn, void *priv);

/*
 * Send data as one mailslot write (layout) to slot for dest<suffix>, a
 * group (DIRECT_GROUP) or a unique name (DIRECT_UNIQUE), from ip:port
 * with source name src<00>, to the broadcast address on port: how
 * Windows' browser sends.  0, or -1 with errno (EINVAL: cannot encode).
 */
int standalone_recv_send(struct standalone_recv *s, const char *src,
			 const char *dest, uint8_t suffix, bool group,
			 const char *slot, enum smb_mailslot_layout layout,
			 const uint8_t *data, size_t len);

/* "127.0.0.1:138 and 127.255.255.255:138", for messages. */
const char *standalone_recv_where(const struct standalone_recv *s);

#endif
