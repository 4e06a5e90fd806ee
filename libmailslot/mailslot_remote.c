/*
 * Client handles for remote mailslot names.  Opening needs no network
 * traffic (there is no way to know whether anyone listens); every write
 * is one datagram, sent by mailslotd through its control socket or, when
 * asked for, from this process's own UDP socket ("standalone").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mailslot_ctl.h"
#include "mailslot_private.h"
#include "nbt/nbt_dgram.h"
#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot_dgram.h"

#define CTL_TIMEOUT_MS 5000	/* name resolution takes at most ~1.5 s */

struct mailslot_remote {
	int fd;			/* control socket, or our UDP socket */
	char *runtime_dir;	/* through the daemon: where to reconnect */
	bool standalone;
	struct mailslot_remote_options opts;
	char *server;		/* "*" or the name after \\ */
	char *wire;		/* "\MAILSLOT\path" */
	uint16_t next_id;
};

static int remote_destructor(struct mailslot_remote *r)
{
	if (r->fd >= 0)
		close(r->fd);
	return 0;
}

static enum mailslot_error standalone_socket(struct mailslot_remote *r)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(r->opts.interface_ip),
	};
	int one = 1;

	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return mailslot_errno_map(errno);
	setsockopt(r->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return MAILSLOT_ERROR_BAD_NETPATH;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_remote_attach(
	struct mailslot *slot, const struct mailslot_remote_options *opts)
{
	struct mailslot_remote *r = talloc_zero(slot, struct mailslot_remote);
	char *dir = NULL;
	enum mailslot_error err;

	if (r == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	r->fd = -1;
	talloc_set_destructor(r, remote_destructor);
	if (opts != NULL)
		r->opts = *opts;
	r->standalone = opts != NULL && opts->standalone;
	r->server = talloc_strdup(r, slot->name->server);
	r->wire = talloc_asprintf(r, "%s%s", SMB_MAILSLOT_PREFIX,
				  slot->name->path);
	if (r->server == NULL || r->wire == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	r->next_id = (uint16_t)(getpid() * 40503u);
	slot->remote = r;
	if (r->standalone)
		return standalone_socket(r);

	err = mailslot_runtime_dir(r, &dir);
	if (err != MAILSLOT_OK)
		return MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;
	r->runtime_dir = dir;
	r->fd = mailslot_ctl_connect(dir);
	if (r->fd < 0)
		return MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;
	return MAILSLOT_OK;
}

/*
 * The connection to the daemon, made again if the last one was lost: a
 * mailslotd restarted since the handle was opened serves it again.
 */
static bool daemon_connected(struct mailslot_remote *r)
{
	if (r->fd >= 0) {
		if (mailslot_ctl_idle(r->fd))
			return true;
		close(r->fd);
	}
	r->fd = mailslot_ctl_connect(r->runtime_dir);
	return r->fd >= 0;
}

enum mailslot_error mailslot_client_open_remote(
	TALLOC_CTX *mem_ctx, const char *name,
	const struct mailslot_remote_options *opts, struct mailslot **pslot)
{
	struct mailslot *slot;
	enum mailslot_error err;

	if (pslot == NULL)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	err = mailslot_client_new(mem_ctx, name, &slot);
	if (err != MAILSLOT_OK)
		return err;
	if (slot->name->kind == MAILSLOT_NAME_LOCAL)
		err = MAILSLOT_ERROR_INVALID_NAME; /* local: mailslot_client_open */
	if (err == MAILSLOT_OK)
		err = mailslot_remote_attach(slot, opts);
	if (err != MAILSLOT_OK) {
		talloc_free(slot);
		return err;
	}
	*pslot = slot;
	return MAILSLOT_OK;
}

static enum mailslot_error daemon_write(struct mailslot_remote *r,
					const void *buf, size_t len)
{
	struct mailslot_ctl_request req = {
		.op = MAILSLOT_CTL_SEND,
		.slot = r->wire,
		.slot_len = strlen(r->wire),
		.data = buf,
		.data_len = len,
	};
	TALLOC_CTX *tmp = talloc_new(r);
	uint8_t *body;
	size_t body_len;
	uint32_t status;
	int rc;

	if (strcmp(r->server, "*") == 0) {
		req.flags = MAILSLOT_CTL_WORKGROUP | MAILSLOT_CTL_GROUP;
	} else {
		req.name = r->server;
		req.name_len = strlen(r->server);
	}
	req.suffix = r->opts.suffix;
	if (r->opts.group)
		req.flags |= MAILSLOT_CTL_GROUP;
	if (r->opts.bcast_unique)
		req.flags |= MAILSLOT_CTL_BCAST_UNIQUE;
	if (!daemon_connected(r)) {
		talloc_free(tmp);
		return MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;
	}
	rc = mailslot_ctl_call(tmp, r->fd, &req, CTL_TIMEOUT_MS, &status,
			       &body, &body_len);
	talloc_free(tmp);
	if (rc != 0) {
		/*
		 * Lost during the request.  Not sent again (the daemon may
		 * have sent it before it died): the caller hears of it,
		 * and the next write connects again.
		 */
		close(r->fd);
		r->fd = -1;
		return MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;
	}
	return (enum mailslot_error)status;
}

static enum mailslot_error standalone_write(struct mailslot_remote *r,
					    const void *buf, size_t len)
{
	const struct mailslot_remote_options *o = &r->opts;
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	struct sockaddr_in to = { .sin_family = AF_INET }, me;
	socklen_t melen = sizeof(me);
	uint8_t out[SMB_MAILSLOT_DGRAM_MAX];
	const char *dest = r->server;
	size_t out_len;
	bool unique = strcmp(r->server, "*") != 0 && !o->group &&
		      (o->target_ip != 0 || o->bcast_unique);
	struct nbt_packet *pkts = NULL;
	size_t count = 1;
	enum mailslot_error err = MAILSLOT_OK;

	if (strcmp(dest, "*") == 0)
		dest = o->workgroup ? o->workgroup : "WORKGROUP";
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = r->wire;
	w.name_len = strlen(r->wire);
	w.data = buf;
	w.data_len = len;
	if (len > smb_mailslot_max_payload(r->wire, SMB_MAILSLOT_LAYOUT_MAIL))
		return MAILSLOT_ERROR_BAD_NETPATH;
	if (getsockname(r->fd, (struct sockaddr *)&me, &melen) != 0)
		return mailslot_errno_map(errno);
	nbt_dgram_init(&d, unique ? NBT_DGRAM_DIRECT_UNIQUE
				  : NBT_DGRAM_DIRECT_GROUP,
		       NBT_NODE_B, r->next_id++, o->interface_ip,
		       ntohs(me.sin_port));
	if (nbt_name_make(&d.source, o->netbios_name ? o->netbios_name
						     : "MAILSLOT", 0x00,
			  NULL) != CODEC_OK ||
	    nbt_name_make(&d.dest, dest, o->suffix, NULL) != CODEC_OK ||
	    smb_mailslot_dgram_encode(&d, &w, out, sizeof(out), &out_len) !=
	    CODEC_OK)
		return MAILSLOT_ERROR_BAD_NETPATH;
	to.sin_port = htons(o->port ? o->port : NBT_DGRAM_PORT);
	to.sin_addr.s_addr = htonl(unique && o->target_ip ? o->target_ip
				   : (o->interface_ip | ~o->interface_mask));
	if (o->fragment_size == 0) {
		if (sendto(r->fd, out, out_len, 0, (struct sockaddr *)&to,
			   sizeof(to)) != (ssize_t)out_len)
			return mailslot_errno_map(errno);
		return MAILSLOT_OK;
	}
	/* NBT fragments: nobody sends them, but receivers must cope */
	if (nbt_dgram_fragment(r, &d, o->fragment_size, &pkts, &count) !=
	    CODEC_OK)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	for (size_t i = 0; i < count && err == MAILSLOT_OK; i++) {
		if (sendto(r->fd, pkts[i].data, pkts[i].len, 0,
			   (struct sockaddr *)&to, sizeof(to)) !=
		    (ssize_t)pkts[i].len)
			err = mailslot_errno_map(errno);
	}
	talloc_free(pkts);
	return err;
}

enum mailslot_error mailslot_remote_write(struct mailslot *slot,
					  const void *buf, size_t len)
{
	struct mailslot_remote *r = slot->remote;

	if (r->standalone)
		return standalone_write(r, buf, len);
	return daemon_write(r, buf, len);
}

/* ---- NetBIOS names owned through the daemon ---- */

struct mailslot_netbios_name {
	int fd;		/* the daemon releases the name when this closes */
	char *runtime_dir;
	char name[16];
	uint8_t suffix;
	bool group;
};

static int netbios_name_destructor(struct mailslot_netbios_name *n)
{
	if (n->fd >= 0)
		close(n->fd);
	return 0;
}

/* NAME_ADD on a new connection, kept (the name with it) if it worked. */
static enum mailslot_error netbios_name_add(struct mailslot_netbios_name *n)
{
	struct mailslot_ctl_request req = {
		.op = MAILSLOT_CTL_NAME_ADD,
		.flags = n->group ? MAILSLOT_CTL_GROUP : 0,
		.suffix = n->suffix,
		.name = n->name,
		.name_len = strlen(n->name),
	};
	TALLOC_CTX *tmp;
	uint8_t *body;
	size_t body_len;
	uint32_t status = MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;

	n->fd = mailslot_ctl_connect(n->runtime_dir);
	if (n->fd < 0)
		return MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;
	tmp = talloc_new(n);
	if (tmp == NULL ||
	    mailslot_ctl_call(tmp, n->fd, &req, CTL_TIMEOUT_MS, &status,
			      &body, &body_len) != 0)
		status = tmp ? MAILSLOT_ERROR_SERVICE_NOT_ACTIVE
			     : MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	talloc_free(tmp);
	if (status != MAILSLOT_OK) {
		close(n->fd);
		n->fd = -1;
	}
	return (enum mailslot_error)status;
}

enum mailslot_error mailslot_netbios_name_register(
	TALLOC_CTX *mem_ctx, const char *name, uint8_t suffix, bool group,
	struct mailslot_netbios_name **pname)
{
	struct mailslot_netbios_name *n;
	enum mailslot_error err;

	if (name == NULL || pname == NULL || strlen(name) == 0 ||
	    strlen(name) > 15)
		return MAILSLOT_ERROR_INVALID_NAME;
	n = talloc_zero(mem_ctx, struct mailslot_netbios_name);
	if (n == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	n->fd = -1;
	talloc_set_destructor(n, netbios_name_destructor);
	memcpy(n->name, name, strlen(name) + 1);
	n->suffix = suffix;
	n->group = group;
	if (mailslot_runtime_dir(n, &n->runtime_dir) != MAILSLOT_OK) {
		talloc_free(n);
		return MAILSLOT_ERROR_SERVICE_NOT_ACTIVE;
	}
	err = netbios_name_add(n);
	if (err != MAILSLOT_OK) {
		talloc_free(n);
		return err;
	}
	*pname = n;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_netbios_name_refresh(
	struct mailslot_netbios_name *n)
{
	if (n == NULL)
		return MAILSLOT_ERROR_INVALID_HANDLE;
	if (n->fd >= 0) {
		/* a registration lives as long as its connection */
		if (mailslot_ctl_idle(n->fd))
			return MAILSLOT_OK;
		close(n->fd);
		n->fd = -1;
	}
	return netbios_name_add(n);
}
