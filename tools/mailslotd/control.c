/*
 * The local control socket, <runtime dir>/mailslotd.sock: status, remote
 * writes and name registration for libmailslot and the mailslot command.
 * One request at a time per connection; a connection's names are talloc
 * children of it, so they are released when the program goes away.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "libmailslot/mailslot.h"
#include "libmailslot/mailslot_ctl.h"
#include "names.h"

#define ERROR_BAD_NETPATH 53
#define CTL_MAX_CONNECTIONS 256

struct mailslotd_control {
	struct mailslotd *d;
	int fd;
	char *path;
	size_t connections;
};

struct ctl_conn {
	struct mailslotd_control *ctl;
	int fd;
	struct tevent_fd *fde;
	struct tevent_req *busy;	/* a send waiting for resolution */
	struct mailslotd_name *waiting_name; /* a registration under way */
	uint8_t buf[MAILSLOT_CTL_MAX];
};

static void ctl_reply(struct ctl_conn *c, uint32_t status, const void *body,
		      size_t len)
{
	size_t n;
	uint8_t *r = mailslot_ctl_reply_encode(c, status, body, len, &n);

	/* answered: the next request may be read */
	tevent_fd_set_flags(c->fde, TEVENT_FD_READ);
	if (r == NULL)
		return;
	/* the client waits for this reply; a full socket means it left */
	if (send(c->fd, r, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		mailslotd_log(c->ctl->d, 2, "control reply lost: %s",
			      strerror(errno));
	talloc_free(r);
}

struct ctl_send {
	struct ctl_conn *c;
	struct nbt_name dest;
	char *slot;
	uint8_t *data;
	size_t len;
	bool workgroup;		/* \\* or our own workgroup: broadcast */
};

static void ctl_send_resolved(struct tevent_req *req)
{
	struct ctl_send *s = tevent_req_callback_data(req, struct ctl_send);
	struct ctl_conn *c = s->c;
	struct mailslotd *d = c->ctl->d;
	uint32_t ip = 0, status;
	bool group = false;
	int rc = mailslotd_resolve_recv(req, &ip, &group);

	TALLOC_FREE(c->busy);
	if (rc != 0 && !s->workgroup) {
		status = ERROR_BAD_NETPATH;	/* nobody owns that name */
	} else if (rc != 0 || group) {
		status = mailslotd_send_to(d, &s->dest, NBT_DGRAM_DIRECT_GROUP,
					   0, s->slot, s->data, s->len);
	} else {
		status = mailslotd_send_to(d, &s->dest,
					   NBT_DGRAM_DIRECT_UNIQUE, ip,
					   s->slot, s->data, s->len);
	}
	ctl_reply(c, status, NULL, 0);
	talloc_free(s);
}

static void ctl_do_send(struct ctl_conn *c,
			const struct mailslot_ctl_request *r)
{
	struct mailslotd *d = c->ctl->d;
	struct ctl_send *s;
	char name[16];
	uint32_t status;
	uint8_t type;

	s = talloc_zero(c, struct ctl_send);
	if (s == NULL || r->name_len > 15) {
		talloc_free(s);
		ctl_reply(c, r->name_len > 15 ? MAILSLOT_ERROR_INVALID_NAME
					      : MAILSLOT_ERROR_NOT_ENOUGH_MEMORY,
			  NULL, 0);
		return;
	}
	s->c = c;
	s->slot = talloc_strndup(s, r->slot, r->slot_len);
	s->data = talloc_memdup(s, r->data, r->data_len ? r->data_len : 1);
	s->len = r->data_len;
	status = s->slot && s->data ? mailslotd_send_check(s->slot, s->len)
				    : MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	if (status != MAILSLOT_OK)
		goto reply;

	snprintf(name, sizeof(name), "%.*s", (int)r->name_len, r->name);
	if ((r->flags & MAILSLOT_CTL_WORKGROUP) || name[0] == '\0' ||
	    strcmp(name, "*") == 0)
		snprintf(name, sizeof(name), "%s", d->cfg->workgroup);
	s->workgroup = strcasecmp(name, d->cfg->workgroup) == 0;
	if (nbt_name_make(&s->dest, name, r->suffix, NULL) != CODEC_OK) {
		status = MAILSLOT_ERROR_INVALID_NAME;
		goto reply;
	}
	/* the caller knows what the name is: no resolution needed */
	if (r->flags & (MAILSLOT_CTL_GROUP | MAILSLOT_CTL_BCAST_UNIQUE |
			MAILSLOT_CTL_WORKGROUP)) {
		type = (r->flags & (MAILSLOT_CTL_GROUP | MAILSLOT_CTL_WORKGROUP))
			       ? NBT_DGRAM_DIRECT_GROUP
			       : NBT_DGRAM_DIRECT_UNIQUE;
		status = mailslotd_send_to(d, &s->dest, type, 0, s->slot,
					   s->data, s->len);
		goto reply;
	}
	/* \\NAME: group or unique, and where, is for name resolution */
	c->busy = mailslotd_resolve_send(c, d, &s->dest);
	if (c->busy == NULL) {
		status = MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
		goto reply;
	}
	tevent_req_set_callback(c->busy, ctl_send_resolved, s);
	return;
reply:
	ctl_reply(c, status, NULL, 0);
	talloc_free(s);
}

static void ctl_name_settled(struct mailslotd_name *n, void *priv)
{
	struct ctl_conn *c = priv;

	c->waiting_name = NULL;
	if (n->state == NAME_CONFLICT) {
		ctl_reply(c, MAILSLOT_ERROR_ALREADY_EXISTS, NULL, 0);
		talloc_free(n); /* someone else owns it: not ours to keep */
		return;
	}
	ctl_reply(c, MAILSLOT_OK, NULL, 0);
}

static void ctl_do_name(struct ctl_conn *c,
			const struct mailslot_ctl_request *r, bool add)
{
	struct mailslotd *d = c->ctl->d;
	char name[16];
	struct nbt_name nb;
	struct mailslotd_name *n;

	if (r->name_len == 0 || r->name_len > 15) {
		ctl_reply(c, MAILSLOT_ERROR_INVALID_NAME, NULL, 0);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)r->name_len, r->name);
	if (add) {
		struct mailslotd_name *added = NULL;
		int rc = mailslotd_names_add_ex(d, name, r->suffix,
						r->flags & MAILSLOT_CTL_GROUP,
						c, &added);
		if (rc != 0 || added == NULL || added->state != NAME_REGISTERING) {
			ctl_reply(c, rc != 0 || (added != NULL &&
				  added->state == NAME_CONFLICT)
				  ? MAILSLOT_ERROR_ALREADY_EXISTS : MAILSLOT_OK,
				  NULL, 0);
			if (added != NULL && added->state == NAME_CONFLICT)
				talloc_free(added);
			return;
		}
		/* answer once the network had its say (about 0.75 s) */
		added->settled = ctl_name_settled;
		added->settled_priv = c;
		c->waiting_name = added;
		return;
	}
	if (nbt_name_make(&nb, name, r->suffix, NULL) != CODEC_OK ||
	    (n = mailslotd_name_find(d, &nb)) == NULL ||
	    talloc_parent(n) != c) {
		ctl_reply(c, MAILSLOT_ERROR_FILE_NOT_FOUND, NULL, 0);
		return;
	}
	mailslotd_ns_name_release(d, n);
	talloc_free(n);
	ctl_reply(c, MAILSLOT_OK, NULL, 0);
}

static void ctl_readable(struct tevent_context *ev, struct tevent_fd *fde,
			 uint16_t flags, void *priv)
{
	struct ctl_conn *c = priv;
	struct mailslot_ctl_request r;
	ssize_t n;

	if (c->busy != NULL || c->waiting_name != NULL) {
		/* one request at a time: stop reading until it is answered */
		tevent_fd_set_flags(c->fde, 0);
		return;
	}
	n = recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		talloc_free(c); /* closes; its names are released */
		return;
	}
	if (!mailslot_ctl_request_decode(c->buf, (size_t)n, &r)) {
		ctl_reply(c, MAILSLOT_ERROR_INVALID_PARAMETER, NULL, 0);
		return;
	}
	switch (r.op) {
	case MAILSLOT_CTL_STATUS: {
		char *j = mailslotd_status_json(c, c->ctl->d);
		ctl_reply(c, j ? MAILSLOT_OK : MAILSLOT_ERROR_NOT_ENOUGH_MEMORY,
			  j, j ? strlen(j) : 0);
		talloc_free(j);
		break;
	}
	case MAILSLOT_CTL_SEND:
		ctl_do_send(c, &r);
		break;
	case MAILSLOT_CTL_NAME_ADD:
	case MAILSLOT_CTL_NAME_DEL:
		ctl_do_name(c, &r, r.op == MAILSLOT_CTL_NAME_ADD);
		break;
	default:
		ctl_reply(c, MAILSLOT_ERROR_NOT_SUPPORTED, NULL, 0);
	}
}

static int ctl_conn_destructor(struct ctl_conn *c)
{
	/* names owned by this connection are children: released after us */
	for (struct mailslotd_name *n = c->ctl->d->names; n; n = n->next)
		if (talloc_parent(n) == c)
			mailslotd_ns_name_release(c->ctl->d, n);
	TALLOC_FREE(c->fde);
	close(c->fd);
	c->ctl->connections--;
	return 0;
}

static void ctl_accept(struct tevent_context *ev, struct tevent_fd *fde,
		       uint16_t flags, void *priv)
{
	struct mailslotd_control *ctl = priv;
	struct ctl_conn *c;
	int fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (ctl->connections >= CTL_MAX_CONNECTIONS) {
		close(fd);
		return;
	}
	c = talloc_zero(ctl, struct ctl_conn);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	ctl->connections++;
	talloc_set_destructor(c, ctl_conn_destructor);
	c->fde = tevent_add_fd(ev, c, fd, TEVENT_FD_READ, ctl_readable, c);
	if (c->fde == NULL)
		talloc_free(c);
}

static int control_destructor(struct mailslotd_control *ctl)
{
	close(ctl->fd);
	unlink(ctl->path);
	return 0;
}

int mailslotd_control_start(struct mailslotd *d)
{
	struct mailslotd_control *ctl;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	ctl = talloc_zero(d, struct mailslotd_control);
	if (ctl == NULL)
		return -1;
	ctl->d = d;
	ctl->path = talloc_asprintf(ctl, "%s/%s", d->runtime_dir,
				    MAILSLOT_CTL_SOCKET);
	if (ctl->path == NULL || strlen(ctl->path) >= sizeof(sun.sun_path)) {
		mailslotd_log(d, 0, "control socket path too long");
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ctl->path);
	ctl->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 0);
	if (ctl->fd < 0)
		return -1;
	unlink(ctl->path); /* a previous daemon's; the pid file guards us */
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(ctl->fd, 64) != 0) {
		mailslotd_log(d, 0, "cannot listen on %s: %s", ctl->path,
			      strerror(errno));
		close(ctl->fd);
		return -1;
	}
	/* any local user may send remote writes, as on Windows */
	chmod(ctl->path, 0666);
	talloc_set_destructor(ctl, control_destructor);
	d->control = ctl;
	return tevent_add_fd(d->ev, ctl, ctl->fd, TEVENT_FD_READ, ctl_accept,
			     ctl) ? 0 : -1;
}
