/*
 * mailslotd: owns UDP 138 (and 137), delivers datagrams for this host's
 * names into local mailslots, sends remote writes for local programs.
 * One tevent loop; one file per concern (see docs/mailslotd.md).
 */
#ifndef MAILSLOTD_DAEMON_H
#define MAILSLOTD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "daemon_config.h"
#include "nbt/nbt_dgram.h"
#include "nbt/nbt_frag.h"

/* Why a datagram was not delivered; every drop is counted by reason. */
enum mailslotd_drop {
	DROP_SOURCE_NOT_ALLOWED,
	DROP_MALFORMED_DATAGRAM,
	DROP_DATAGRAM_ERROR,	/* type 0x13: logged, never answered */
	DROP_DATAGRAM_QUERY,	/* 0x14-0x16: no NBDD here */
	DROP_FRAGMENT,		/* refused by the reassembler */
	DROP_NOT_OUR_NAME,
	DROP_MALFORMED_SMB,
	DROP_NO_SUCH_MAILSLOT,
	DROP_QUEUE_FULL,
	DROP_TOO_LARGE,
	DROP_DELIVERY_FAILED,
	DROP_COUNT
};

struct mailslotd_stats {
	uint64_t received;	/* UDP datagrams read on the datagram port */
	uint64_t fragments;	/* of those, fragments given to reassembly */
	uint64_t delivered;	/* messages put into a local mailslot */
	uint64_t sent;		/* datagrams sent for local programs */
	uint64_t dropped[DROP_COUNT];
	uint64_t malformed[64];	/* by enum codec_error */
	uint64_t ns_received, ns_answered, ns_dropped;
};

struct mailslotd_iface {
	struct mailslotd *d;
	uint32_t ip, mask, bcast;	/* host byte order */
	int dgram_fd;		/* ip:dgram_port: unicast in, all sending */
	int dgram_bcast_fd;	/* bcast:dgram_port: subnet broadcasts in */
	int name_fd;		/* ip:name_port */
	int name_bcast_fd;	/* bcast:name_port */
};

struct mailslotd_name;		/* names.c */
struct mailslotd_deliver;	/* deliver.c */
struct mailslotd_control;	/* control.c */
struct mailslotd_ns;		/* nameservice.c */
struct pcap_frame_writer;

struct mailslotd {
	struct tevent_context *ev;
	struct mailslotd_config *cfg;
	const char *runtime_dir;
	struct mailslotd_iface *ifaces;
	size_t num_ifaces;
	int wildcard_dgram_fd;	/* 0.0.0.0:port when not bind-only, or -1 */
	struct nbt_reasm *reasm;
	struct mailslotd_name *names;	/* list, see names.c */
	struct mailslotd_deliver *deliver;
	struct mailslotd_control *control;
	struct mailslotd_ns *ns;
	struct pcap_frame_writer *pcap;
	struct mailslotd_stats stats;
	uint16_t next_dgram_id;
	int debug_level;
	bool use_syslog;
};

/* log.c */
void mailslotd_log(const struct mailslotd *d, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Printable copy of untrusted bytes: control characters escaped. */
char *mailslotd_escape(TALLOC_CTX *mem_ctx, const char *s, size_t len);

/* iface.c: find interfaces, open and bind every socket. */
int mailslotd_ifaces_open(struct mailslotd *d);
struct mailslotd_iface *mailslotd_iface_for(struct mailslotd *d,
					    uint32_t ip);

/* recv.c: the datagram receive path. */
int mailslotd_recv_start(struct mailslotd *d);
/* "mailslot allow": on both ports; no list allows everyone. */
bool mailslotd_source_allowed(const struct mailslotd *d, uint32_t ip);
void mailslotd_dgram_process(struct mailslotd *d,
			     struct mailslotd_iface *iface,
			     const uint8_t *buf, size_t len,
			     uint32_t src_ip, uint16_t src_port,
			     uint32_t dst_ip);

/* deliver.c: into local mailslots, through libmailslot. */
struct mailslotd_deliver *mailslotd_deliver_create(struct mailslotd *d);
enum mailslotd_drop mailslotd_deliver(struct mailslotd_deliver *dl,
				      const char *wire_name, size_t name_len,
				      const uint8_t *data, size_t len,
				      bool *delivered);

/* names.c: the names we own, and name service on UDP 137. */
bool mailslotd_name_is_ours(struct mailslotd *d, const struct nbt_name *n,
			    uint8_t dgram_type);
int mailslotd_names_init(struct mailslotd *d);
int mailslotd_names_add(struct mailslotd *d, const char *name,
			uint8_t suffix, bool group, TALLOC_CTX *owner);
void mailslotd_names_release_all(struct mailslotd *d);

/* send.c: remote writes for local programs.  Win32 error values. */
uint32_t mailslotd_send_check(const char *slot, size_t len);
/* type 0x10/0x11; unicast_ip 0 = every interface's broadcast */
uint32_t mailslotd_send_to(struct mailslotd *d, const struct nbt_name *dest,
			   uint8_t type, uint32_t unicast_ip,
			   const char *slot, const uint8_t *data, size_t len);
void mailslotd_send_raw(struct mailslotd *d, struct mailslotd_iface *iface,
			int fd, uint32_t dst_ip, uint16_t dst_port,
			const uint8_t *buf, size_t len);

/* nameservice.c: resolve NAME (what \\NAME\mailslot\x means). */
struct tevent_req *mailslotd_resolve_send(TALLOC_CTX *mem_ctx,
					  struct mailslotd *d,
					  const struct nbt_name *name);
int mailslotd_resolve_recv(struct tevent_req *req, uint32_t *ip,
			   bool *group);
int mailslotd_ns_start(struct mailslotd *d);

/* control.c: the local control socket (status, send, names). */
int mailslotd_control_start(struct mailslotd *d);

/* status.c: the counters as JSON. */
char *mailslotd_status_json(TALLOC_CTX *mem_ctx, const struct mailslotd *d);
const char *mailslotd_drop_name(enum mailslotd_drop reason);

/* pcap recording of every datagram sent and received (--pcap). */
void mailslotd_record(struct mailslotd *d, uint32_t src_ip, uint16_t src_port,
		      uint32_t dst_ip, uint16_t dst_port,
		      const uint8_t *buf, size_t len);

#endif
