/*
 * mailslotd's configuration: smb.conf syntax, [global] section, so an
 * existing Samba smb.conf works; parsed with Debian's libinih.
 */
#ifndef MAILSLOTD_DAEMON_CONFIG_H
#define MAILSLOTD_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#define MAILSLOTD_DEFAULT_CONFIG "/etc/mailslot/mailslotd.conf"
#define MAILSLOTD_MAX_INTERFACES 16
#define MAILSLOTD_MAX_ALLOW 32

struct mailslotd_network {
	uint32_t ip;		/* host byte order */
	uint32_t mask;
};

struct mailslotd_config {
	const char *path;		/* file read, NULL if none */
	char *netbios_name;		/* upper-cased, <= 15 */
	char *workgroup;
	size_t num_interfaces;
	struct mailslotd_network interfaces[MAILSLOTD_MAX_INTERFACES];
	bool bind_interfaces_only;
	char *wins_server;		/* dotted IP or NULL */
	char *name_resolve_order;	/* "bcast", "wins bcast", ... */
	/* ours */
	uint16_t dgram_port;
	uint16_t name_port;
	bool name_service;
	bool node_status;		/* answer unicast node status */
	char *runtime_dir;		/* NULL: libmailslot's default */
	char *user;			/* drop root to this user */
	size_t queue_messages;		/* per local mailslot, see libmailslot */
	size_t reasm_max_pending;
	size_t reasm_max_bytes;
	uint32_t reasm_timeout_ms;
	size_t num_allow;		/* 0 = every source allowed */
	struct mailslotd_network allow[MAILSLOTD_MAX_ALLOW];
	uint32_t name_ttl;		/* seconds, for registrations */
};

/* Defaults, then the file (if any), then nothing else: overrides are the
 * caller's.  On error *err says which line and why. */
struct mailslotd_config *mailslotd_config_load(TALLOC_CTX *mem_ctx,
					       const char *path,
					       bool path_required,
					       char **err);

/* "10.0.0.1/24", "10.0.0.1/255.255.255.0" or "10.0.0.1" (/32). */
bool mailslotd_network_parse(const char *text, struct mailslotd_network *n);

/* A talloc'd upper-case copy: NetBIOS names as they go on the wire. */
char *mailslotd_config_upper_dup(TALLOC_CTX *mem_ctx, const char *v);

/* Apply one "key = value" (smb.conf spelling); false with *err if bad. */
bool mailslotd_config_set(struct mailslotd_config *cfg, const char *key,
			  const char *value, char **err);

#endif
