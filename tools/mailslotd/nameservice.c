/*
 * NetBIOS name service on UDP 137 for this host's names (RFC 1001/1002,
 * B-node; H-node when a WINS server is configured): register by broadcast
 * and give up a unique name someone defends, defend our unique names,
 * answer name queries and (unicast) node status requests, release on the
 * way out, and resolve other hosts' names for remote writes.  Answers are
 * rate-limited per source so that we are no amplifier.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "daemon.h"
#include "names.h"
#include "nbt/nbt_ns.h"

#define BCAST_RETRY_MS 250	/* RFC 1002 BCAST_REQ_RETRY_TIMEOUT */
#define BCAST_RETRIES 3		/* RFC 1002 BCAST_REQ_RETRY_COUNT */
#define WINS_RETRY_MS 500
#define RESOLVE_CACHE 64
#define RESOLVE_CACHE_SECONDS 60
#define RATE_SOURCES 256
#define RATE_PER_SECOND 20	/* answers per source and second */
#define NS_BUF 1500

/* One of our requests awaiting an answer, matched by NAME_TRN_ID. */
struct ns_pending {
	struct ns_pending *prev, *next;
	struct mailslotd_ns *ns;
	uint16_t id;
	void (*answer)(void *priv, const struct nbt_ns_packet *p,
		       uint32_t src_ip);
	void *priv;
};

struct ns_rate {
	uint32_t ip;
	time_t second;
	unsigned count;
};

struct ns_cache_entry {
	struct nbt_name name;
	uint32_t ip;
	bool group;
	time_t expires;
};

struct mailslotd_ns {
	struct mailslotd *d;
	struct ns_pending *pending;
	uint16_t next_id;
	struct ns_rate rate[RATE_SOURCES];
	struct ns_cache_entry cache[RESOLVE_CACHE];
	size_t cache_next;
	uint32_t wins_ip;	/* host order; 0: no WINS */
};

static uint16_t node_flags(const struct mailslotd *d, bool group)
{
	/* ONT: B-node (0), or H-node (0x6000) with a WINS server */
	return (uint16_t)((group ? NBT_NS_NB_GROUP : 0) |
			  (d->cfg->wins_server ? 0x6000 : 0));
}

static void ns_send(struct mailslotd *d, struct mailslotd_iface *f,
		    uint32_t dst_ip, uint16_t dst_port,
		    const struct nbt_ns_packet *p)
{
	uint8_t buf[NS_BUF];
	size_t len;

	if (f->name_fd < 0 ||
	    nbt_ns_encode(p, buf, sizeof(buf), &len) != CODEC_OK)
		return;
	mailslotd_send_raw(d, f, f->name_fd, dst_ip, dst_port, buf, len);
}

static void ns_send_all_bcast(struct mailslotd *d,
			      const struct nbt_ns_packet *p_template,
			      bool per_iface_address)
{
	for (size_t i = 0; i < d->num_ifaces; i++) {
		struct mailslotd_iface *f = &d->ifaces[i];
		struct nbt_ns_packet p = *p_template;

		/* registrations carry the address of the interface */
		if (per_iface_address && p.has_additional &&
		    p.additional.num_addrs == 1)
			p.additional.addrs[0].ip = f->ip;
		ns_send(d, f, f->bcast, d->cfg->name_port, &p);
	}
}

static int pending_destructor(struct ns_pending *pr)
{
	if (pr->prev)
		pr->prev->next = pr->next;
	else
		pr->ns->pending = pr->next;
	if (pr->next)
		pr->next->prev = pr->prev;
	return 0;
}

/* Track an id until owner is freed; answers go to fn. */
static struct ns_pending *pending_add(struct mailslotd_ns *ns,
				      TALLOC_CTX *owner,
				      void (*fn)(void *, const struct nbt_ns_packet *,
						 uint32_t),
				      void *priv)
{
	struct ns_pending *pr = talloc_zero(owner, struct ns_pending);

	if (pr == NULL)
		return NULL;
	pr->ns = ns;
	pr->id = ns->next_id++;
	pr->answer = fn;
	pr->priv = priv;
	pr->next = ns->pending;
	if (ns->pending)
		ns->pending->prev = pr;
	ns->pending = pr;
	talloc_set_destructor(pr, pending_destructor);
	return pr;
}

/* ---- registration, defence, release ---- */

static void name_register_step(struct tevent_context *ev,
			       struct tevent_timer *te, struct timeval now,
			       void *priv);

/* Refresh a WINS registration at half its TTL (RFC 1001 §15.1.7). */
static void name_refresh(struct tevent_context *ev, struct tevent_timer *te,
			 struct timeval now, void *priv)
{
	struct mailslotd_name *n = priv;
	struct mailslotd *d = n->d;
	struct nbt_ns_packet p;
	uint32_t half = d->cfg->name_ttl / 2;

	n->timer = NULL;
	if (n->state != NAME_ACTIVE || d->ns->wins_ip == 0)
		return;
	nbt_ns_build_refresh(&p, d->ns->next_id++, &n->name,
			     node_flags(d, n->group), d->ifaces[0].ip,
			     d->cfg->name_ttl);
	ns_send(d, mailslotd_iface_for(d, d->ns->wins_ip), d->ns->wins_ip,
		NBT_NS_PORT, &p);
	n->timer = tevent_add_timer(ev, n, tevent_timeval_current_ofs(
					    half > 60 ? half : 60, 0),
				    name_refresh, n);
}

static void name_registration_answer(void *priv,
				     const struct nbt_ns_packet *p,
				     uint32_t src_ip)
{
	struct mailslotd_name *n = priv;
	struct mailslotd *d = n->d;
	char text[NBT_NAME_TEXT_MAX];

	if (!p->response || p->opcode != NBT_NS_OP_REGISTRATION)
		return;
	nbt_name_format(&n->name, text, sizeof(text));
	if (p->rcode == NBT_NS_RCODE_OK) {
		/* only the WINS server can grant a name; keep it refreshed */
		uint32_t half = p->has_answer && p->answer.ttl > 0
					? p->answer.ttl / 2 : d->cfg->name_ttl / 2;
		if (src_ip != d->ns->wins_ip)
			return;
		TALLOC_FREE(n->timer);
		mailslotd_log(d, 1, "name %s registered with WINS", text);
		n->timer = tevent_add_timer(d->ev, n, tevent_timeval_current_ofs(
						    half > 60 ? half : 60, 0),
					    name_refresh, n);
		mailslotd_name_settle(n, NAME_ACTIVE);
		return;
	}
	if (n->group)
		return; /* nobody can refuse us a group name */
	TALLOC_FREE(n->timer);
	mailslotd_log(d, 0, "name %s is in use by %u.%u.%u.%u (rcode %s): "
		      "not using it", text, src_ip >> 24, (src_ip >> 16) & 0xff,
		      (src_ip >> 8) & 0xff, src_ip & 0xff,
		      nbt_ns_rcode_name(p->rcode));
	mailslotd_name_settle(n, NAME_CONFLICT);
}

static void name_register_step(struct tevent_context *ev,
			       struct tevent_timer *te, struct timeval now,
			       void *priv)
{
	struct mailslotd_name *n = priv;
	struct mailslotd *d = n->d;
	struct mailslotd_ns *ns = d->ns;
	struct ns_pending *pr;
	struct nbt_ns_packet p;
	char text[NBT_NAME_TEXT_MAX];

	n->timer = NULL;
	if (n->state != NAME_REGISTERING)
		return;
	if (n->tries == BCAST_RETRIES) {
		/* nobody objected within the RFC's time: the name is ours */
		nbt_name_format(&n->name, text, sizeof(text));
		mailslotd_log(d, 1, "name %s registered", text);
		mailslotd_name_settle(n, NAME_ACTIVE);
		return;
	}
	n->tries++;
	pr = pending_add(ns, n, name_registration_answer, n);
	if (pr == NULL)
		return;
	if (ns->wins_ip != 0) {
		nbt_ns_build_registration(&p, pr->id, &n->name,
					  node_flags(d, n->group),
					  d->ifaces[0].ip, d->cfg->name_ttl,
					  false);
		ns_send(d, mailslotd_iface_for(d, ns->wins_ip), ns->wins_ip,
			NBT_NS_PORT, &p);
	} else {
		nbt_ns_build_registration(&p, pr->id, &n->name,
					  node_flags(d, n->group), 0,
					  d->cfg->name_ttl, true);
		ns_send_all_bcast(d, &p, true);
	}
	n->timer = tevent_add_timer(d->ev, n,
				    tevent_timeval_current_ofs(0,
					(ns->wins_ip ? WINS_RETRY_MS
						     : BCAST_RETRY_MS) * 1000),
				    name_register_step, n);
}

void mailslotd_ns_name_added(struct mailslotd *d, struct mailslotd_name *n)
{
	if (d->ns == NULL || !d->cfg->name_service) {
		mailslotd_name_settle(n, NAME_ACTIVE);
		return;
	}
	n->state = NAME_REGISTERING;
	n->tries = 0;
	n->timer = tevent_add_timer(d->ev, n, tevent_timeval_zero(),
				    name_register_step, n);
}

void mailslotd_ns_name_release(struct mailslotd *d, struct mailslotd_name *n)
{
	struct nbt_ns_packet p;

	if (d->ns == NULL || n->state != NAME_ACTIVE)
		return;
	n->state = NAME_REGISTERING; /* no longer answered for */
	if (d->ns->wins_ip != 0) {
		nbt_ns_build_release(&p, d->ns->next_id++, &n->name,
				     node_flags(d, n->group), d->ifaces[0].ip,
				     false);
		ns_send(d, mailslotd_iface_for(d, d->ns->wins_ip),
			d->ns->wins_ip, NBT_NS_PORT, &p);
	}
	nbt_ns_build_release(&p, d->ns->next_id++, &n->name,
			     node_flags(d, n->group), 0, true);
	ns_send_all_bcast(d, &p, true);
}

void mailslotd_ns_name_removed(struct mailslotd *d, struct mailslotd_name *n)
{
	/* the caller released it already if it was active */
}

/* ---- answering ---- */

static bool rate_allow(struct mailslotd_ns *ns, uint32_t ip)
{
	struct ns_rate *r = &ns->rate[(ip * 2654435761u) >> 24];
	time_t now = time(NULL);

	if (r->ip != ip || r->second != now) {
		r->ip = ip;
		r->second = now;
		r->count = 0;
	}
	return ++r->count <= RATE_PER_SECOND;
}

static bool from_ourselves(const struct mailslotd *d, uint32_t ip)
{
	for (size_t i = 0; i < d->num_ifaces; i++)
		if (d->ifaces[i].ip == ip)
			return true;
	return false;
}

static void ns_answer_query(struct mailslotd *d, struct mailslotd_iface *f,
			    const struct nbt_ns_packet *q, uint32_t src_ip,
			    uint16_t src_port, bool bcast)
{
	struct mailslotd_name *n = mailslotd_name_find(d, &q->question_name);
	struct nbt_ns_packet p;

	if (n == NULL || n->state != NAME_ACTIVE)
		return; /* not ours: B-nodes stay silent */
	if (!rate_allow(d->ns, src_ip)) {
		d->stats.ns_dropped++;
		return;
	}
	nbt_ns_build_query_response(&p, q->id, &n->name, NBT_NS_RCODE_OK,
				    node_flags(d, n->group), f->ip,
				    d->cfg->name_ttl);
	ns_send(d, f, src_ip, src_port, &p);
	d->stats.ns_answered++;
}

static void ns_answer_status(struct mailslotd *d, struct mailslotd_iface *f,
			     const struct nbt_ns_packet *q, uint32_t src_ip,
			     uint16_t src_port)
{
	struct nbt_ns_status_name names[NBT_NS_MAX_STATUS_NAMES];
	static const uint8_t unit_id[6];
	struct nbt_ns_packet p;
	size_t count = 0;

	if (!rate_allow(d->ns, src_ip)) {
		d->stats.ns_dropped++;
		return;
	}
	for (struct mailslotd_name *n = d->names;
	     n != NULL && count < NBT_NS_MAX_STATUS_NAMES; n = n->next) {
		if (n->state != NAME_ACTIVE)
			continue;
		memcpy(names[count].raw, n->name.raw, NBT_NAME_LEN);
		names[count].flags = (uint16_t)(node_flags(d, n->group) |
						NBT_NS_NAME_ACTIVE);
		count++;
	}
	nbt_ns_build_status_response(&p, q->id, &q->question_name, names,
				     count, unit_id);
	ns_send(d, f, src_ip, src_port, &p);
	d->stats.ns_answered++;
}

/* Someone registers a unique name we own: tell them it is taken. */
static void ns_defend(struct mailslotd *d, struct mailslotd_iface *f,
		      const struct nbt_ns_packet *q, uint32_t src_ip,
		      uint16_t src_port)
{
	struct mailslotd_name *n = mailslotd_name_find(d, &q->question_name);
	bool they_group = q->has_additional && q->additional.num_addrs > 0 &&
			  (q->additional.addrs[0].nb_flags & NBT_NS_NB_GROUP);
	struct nbt_ns_packet p;
	char text[NBT_NAME_TEXT_MAX];

	if (n == NULL || n->state != NAME_ACTIVE || (n->group && they_group))
		return;
	if (!rate_allow(d->ns, src_ip)) {
		d->stats.ns_dropped++;
		return;
	}
	nbt_name_format(&n->name, text, sizeof(text));
	mailslotd_log(d, 1, "defending %s against %u.%u.%u.%u", text,
		      src_ip >> 24, (src_ip >> 16) & 0xff, (src_ip >> 8) & 0xff,
		      src_ip & 0xff);
	nbt_ns_build_registration_response(&p, q->id, &n->name,
					   NBT_NS_RCODE_ACT_ERR,
					   node_flags(d, n->group), f->ip,
					   d->cfg->name_ttl);
	ns_send(d, f, src_ip, src_port, &p);
	d->stats.ns_answered++;
}

static void ns_process(struct mailslotd *d, struct mailslotd_iface *f,
		       const uint8_t *buf, size_t len, uint32_t src_ip,
		       uint16_t src_port, bool bcast)
{
	struct nbt_ns_packet p;

	d->stats.ns_received++;
	/* neither answered nor believed (a forged answer would poison the
	 * resolver): the allow-list covers 137 as it does 138 */
	if (!mailslotd_source_allowed(d, src_ip)) {
		d->stats.ns_dropped++;
		return;
	}
	if (nbt_ns_decode(buf, len, &p) != CODEC_OK) {
		d->stats.ns_dropped++;
		return;
	}
	if (p.response) {
		for (struct ns_pending *pr = d->ns->pending; pr; pr = pr->next) {
			if (pr->id == p.id) {
				pr->answer(pr->priv, &p, src_ip);
				return;
			}
		}
		return;
	}
	/* our own broadcasts come back to us */
	if (from_ourselves(d, src_ip) && src_port == d->cfg->name_port)
		return;
	if (!p.has_question)
		return;
	switch (p.opcode) {
	case NBT_NS_OP_QUERY:
		if (p.question_type == NBT_NS_TYPE_NBSTAT) {
			/* the answer is larger than the question: only when
			 * configured, and never to a broadcast */
			if (d->cfg->node_status && !bcast)
				ns_answer_status(d, f, &p, src_ip, src_port);
		} else {
			ns_answer_query(d, f, &p, src_ip, src_port, bcast);
		}
		break;
	case NBT_NS_OP_REGISTRATION:
	case NBT_NS_OP_MULTIHOMED_REGISTRATION:
		ns_defend(d, f, &p, src_ip, src_port);
		break;
	default:
		break; /* releases, refreshes, WACK: nothing to do as a B-node */
	}
}

struct ns_source {
	struct mailslotd *d;
	struct mailslotd_iface *f;
	int fd;
	bool bcast;
};

static void ns_readable(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *priv)
{
	struct ns_source *s = priv;
	uint8_t buf[NS_BUF];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		mailslotd_record(s->d, ntohl(from.sin_addr.s_addr),
				 ntohs(from.sin_port),
				 s->bcast ? s->f->bcast : s->f->ip,
				 s->d->cfg->name_port, buf, (size_t)n);
		ns_process(s->d, s->f, buf, (size_t)n,
			   ntohl(from.sin_addr.s_addr), ntohs(from.sin_port),
			   s->bcast);
	}
}

static int ns_listen(struct mailslotd *d, struct mailslotd_iface *f, int fd,
		     bool bcast)
{
	struct ns_source *s;

	if (fd < 0)
		return 0;
	s = talloc_zero(d->ns, struct ns_source);
	if (s == NULL)
		return -1;
	s->d = d;
	s->f = f;
	s->fd = fd;
	s->bcast = bcast;
	return tevent_add_fd(d->ev, s, fd, TEVENT_FD_READ, ns_readable, s)
		       ? 0 : -1;
}

int mailslotd_ns_start(struct mailslotd *d)
{
	struct mailslotd_ns *ns;

	if (!d->cfg->name_service)
		return 0;
	ns = talloc_zero(d, struct mailslotd_ns);
	if (ns == NULL)
		return -1;
	ns->d = d;
	if (getrandom(&ns->next_id, sizeof(ns->next_id), 0) < 0)
		ns->next_id = (uint16_t)time(NULL);
	if (d->cfg->wins_server != NULL) {
		struct in_addr a;
		if (inet_pton(AF_INET, d->cfg->wins_server, &a) != 1) {
			mailslotd_log(d, 0, "wins server '%s' is not an IPv4 "
				      "address", d->cfg->wins_server);
			return -1;
		}
		ns->wins_ip = ntohl(a.s_addr);
	}
	d->ns = ns;
	for (size_t i = 0; i < d->num_ifaces; i++) {
		if (ns_listen(d, &d->ifaces[i], d->ifaces[i].name_fd, false) ||
		    ns_listen(d, &d->ifaces[i], d->ifaces[i].name_bcast_fd,
			      true))
			return -1;
	}
	return 0;
}

/* ---- resolving other hosts' names ---- */

struct resolve_state {
	struct mailslotd *d;
	struct nbt_name name;
	char methods[4];	/* 'w' WINS, 'b' broadcast, in order */
	size_t method;
	unsigned tries;
	struct ns_pending *pending;
	uint32_t ip;
	bool group;
};

static void resolve_next(struct tevent_req *req);

static void resolve_answer(void *priv, const struct nbt_ns_packet *p,
			   uint32_t src_ip)
{
	struct tevent_req *req = priv;
	struct resolve_state *st = tevent_req_data(req, struct resolve_state);
	struct mailslotd_ns *ns = st->d->ns;
	struct ns_cache_entry *c;

	if (p->opcode != NBT_NS_OP_QUERY)
		return;
	if (p->rcode != NBT_NS_RCODE_OK || !p->has_answer ||
	    p->answer.num_addrs == 0) {
		/* WINS says no: try the next method at once */
		if (st->methods[st->method] == 'w') {
			st->method++;
			st->tries = 0;
			resolve_next(req);
		}
		return;
	}
	st->group = p->answer.addrs[0].nb_flags & NBT_NS_NB_GROUP;
	st->ip = st->group ? 0 : p->answer.addrs[0].ip;
	c = &ns->cache[ns->cache_next++ % RESOLVE_CACHE];
	c->name = st->name;
	c->ip = st->ip;
	c->group = st->group;
	c->expires = time(NULL) + RESOLVE_CACHE_SECONDS;
	TALLOC_FREE(st->pending);
	tevent_req_done(req);
}

static void resolve_timeout(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq,
							  struct tevent_req);
	struct resolve_state *st = tevent_req_data(req, struct resolve_state);

	if (!tevent_wakeup_recv(subreq)) {
		tevent_req_error(req, ETIMEDOUT);
		return;
	}
	talloc_free(subreq);
	if (!tevent_req_is_in_progress(req))
		return;
	if (++st->tries >= BCAST_RETRIES) {
		st->method++;
		st->tries = 0;
	}
	resolve_next(req);
}

static void resolve_next(struct tevent_req *req)
{
	struct resolve_state *st = tevent_req_data(req, struct resolve_state);
	struct mailslotd *d = st->d;
	struct nbt_ns_packet p;
	struct tevent_req *subreq;
	char m = st->methods[st->method];

	if (m == '\0') {
		tevent_req_error(req, ENOENT);
		return;
	}
	TALLOC_FREE(st->pending);
	st->pending = pending_add(d->ns, st, resolve_answer, req);
	if (tevent_req_nomem(st->pending, req))
		return;
	if (m == 'w') {
		nbt_ns_build_query(&p, st->pending->id, &st->name, false);
		ns_send(d, mailslotd_iface_for(d, d->ns->wins_ip),
			d->ns->wins_ip, NBT_NS_PORT, &p);
	} else {
		nbt_ns_build_query(&p, st->pending->id, &st->name, true);
		ns_send_all_bcast(d, &p, false);
	}
	subreq = tevent_wakeup_send(st, d->ev, tevent_timeval_current_ofs(0,
			(m == 'w' ? WINS_RETRY_MS : BCAST_RETRY_MS) * 1000));
	if (tevent_req_nomem(subreq, req))
		return;
	tevent_req_set_callback(subreq, resolve_timeout, req);
}

struct tevent_req *mailslotd_resolve_send(TALLOC_CTX *mem_ctx,
					  struct mailslotd *d,
					  const struct nbt_name *name)
{
	struct tevent_req *req;
	struct resolve_state *st;
	struct mailslotd_name *own;
	const char *order = d->cfg->name_resolve_order;
	size_t m = 0;

	req = tevent_req_create(mem_ctx, &st, struct resolve_state);
	if (req == NULL)
		return NULL;
	st->d = d;
	st->name = *name;

	own = mailslotd_name_find(d, name);
	if (own != NULL && own->state == NAME_ACTIVE) {
		st->group = own->group;
		st->ip = own->group ? 0 : d->ifaces[0].ip;
		tevent_req_done(req);
		return tevent_req_post(req, d->ev);
	}
	for (size_t i = 0; d->ns != NULL && i < RESOLVE_CACHE; i++) {
		struct ns_cache_entry *c = &d->ns->cache[i];
		if (c->expires > time(NULL) && nbt_name_equal(&c->name, name)) {
			st->ip = c->ip;
			st->group = c->group;
			tevent_req_done(req);
			return tevent_req_post(req, d->ev);
		}
	}
	if (d->ns == NULL) {
		tevent_req_error(req, ENOENT); /* name service is off */
		return tevent_req_post(req, d->ev);
	}
	if (d->ns->wins_ip != 0 && strstr(order, "wins") != NULL)
		st->methods[m++] = 'w';
	if (strstr(order, "bcast") != NULL)
		st->methods[m++] = 'b';
	if (d->ns->wins_ip != 0 && strstr(order, "wins") != NULL &&
	    strstr(order, "bcast") != NULL &&
	    strstr(order, "bcast") < strstr(order, "wins")) {
		st->methods[0] = 'b';
		st->methods[1] = 'w';
	}
	resolve_next(req);
	if (!tevent_req_is_in_progress(req))
		return tevent_req_post(req, d->ev);
	return req;
}

int mailslotd_resolve_recv(struct tevent_req *req, uint32_t *ip, bool *group)
{
	struct resolve_state *st = tevent_req_data(req, struct resolve_state);
	enum tevent_req_state state;
	uint64_t err;

	if (tevent_req_is_error(req, &state, &err))
		return -1;
	*ip = st->ip;
	*group = st->group;
	return 0;
}
