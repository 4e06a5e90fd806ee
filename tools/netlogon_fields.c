/* smb_netlogon.* fields as tshark 4.0 prints them, and a summary line. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "field_text.h"
#include "netlogon_fields.h"

const char *const netlogon_field_names[] = {
	"smb_netlogon.command", "smb_netlogon.computer_name",
	"smb_netlogon.unicode_computer_name", "smb_netlogon.server_name",
	"smb_netlogon.server_dns_name", "smb_netlogon.user_name",
	"smb_netlogon.domain_name", "smb_netlogon.domain_dns_name",
	"smb_netlogon.forest_dns_name", "smb_netlogon.mailslot_name",
	"smb_netlogon.pdc_name", "smb_netlogon.unicode_pdc_name",
	"smb_netlogon.nt_version", "smb_netlogon.lmnt_token",
	"smb_netlogon.lm_token", "smb_netlogon.request_count",
	"smb_netlogon.flags", "smb_netlogon.domain_sid_size",
	"smb_netlogon.low_serial", "smb_netlogon.date_time",
	"smb_netlogon.pulse", "smb_netlogon.random", "smb_netlogon.db_count",
	"smb_netlogon.db_index", "smb_netlogon.large_serial",
	"smb_netlogon.unknown", "smb_netlogon.domain.guid",
	"smb_netlogon.server_ip",
	"smb_netlogon.server_site_name", "smb_netlogon.client_site_name",
	NULL,
};

#define NL_TEXT_MAX 1024

struct emitter {
	dgram_field_fn fn;
	void *priv;
};

static void emit_u(struct emitter *e, const char *f, uint64_t v)
{
	char b[FIELD_TEXT_NUM_MAX];

	field_text_u(b, v);
	e->fn(e->priv, f, b);
}

static void emit_hex(struct emitter *e, const char *f, uint32_t v, int digits)
{
	char b[FIELD_TEXT_NUM_MAX];

	field_text_hex(b, v, digits);
	e->fn(e->priv, f, b);
}

/* tshark prints OEM strings byte for byte; ours escapes the unprintable */
static void emit_ascii(struct emitter *e, const char *f, struct netlogon_str s)
{
	char b[NL_TEXT_MAX];

	netlogon_escape((const char *)s.p, s.len, false, b, sizeof(b));
	e->fn(e->priv, f, b);
}

static void emit_utf16(struct emitter *e, const char *f, struct netlogon_str s)
{
	char b[NL_TEXT_MAX];

	netlogon_utf16_to_utf8(s, b, sizeof(b));
	e->fn(e->priv, f, b);
}

/* An empty DNS name is the root: tshark shows "<Root>". */
static void emit_dns(struct emitter *e, const char *f,
		     const struct netlogon_dns_name *n)
{
	char b[NETLOGON_DNS_TEXT_MAX];

	if (netlogon_dns_name_text(n, b, sizeof(b)) == 0)
		snprintf(b, sizeof(b), "<Root>");
	e->fn(e->priv, f, b);
}

static void emit_ip(struct emitter *e, const char *f, uint32_t ip)
{
	char b[16];

	field_text_ipv4(b, ip);
	e->fn(e->priv, f, b);
}

static void emit_guid(struct emitter *e, const char *f, const uint8_t g[16])
{
	static const char hex[] = "0123456789abcdef";
	char b[33];

	for (size_t i = 0; i < 16; i++) {
		b[2 * i] = hex[g[i] >> 4];
		b[2 * i + 1] = hex[g[i] & 15];
	}
	b[32] = '\0';
	e->fn(e->priv, f, b);
}

static void emit_trailer(struct emitter *e, const struct netlogon_msg *m)
{
	enum netlogon_trailer t = netlogon_trailer_of(m);

	/* tshark calls 0x00's LmNt token "NT Version" (a u16) */
	if (m->opcode == LOGON_REQUEST) {
		emit_u(e, "smb_netlogon.nt_version", m->lmnt_token);
		emit_hex(e, "smb_netlogon.lm_token", m->lm20_token, 4);
		return;
	}
	if (t == NETLOGON_TRAILER_NT)
		emit_u(e, "smb_netlogon.nt_version", m->nt_version);
	if (t != NETLOGON_TRAILER_LM20)
		emit_hex(e, "smb_netlogon.lmnt_token", m->lmnt_token, 4);
	emit_hex(e, "smb_netlogon.lm_token", m->lm20_token, 4);
}

static void emit_requests(struct emitter *e, const struct netlogon_msg *m)
{
	const struct netlogon_logon_request *lr = &m->u.logon_request;
	const struct netlogon_primary_query *pq = &m->u.primary_query;
	const struct netlogon_sam_logon_request *sr = &m->u.sam_request;

	switch (m->opcode) {
	case LOGON_REQUEST:
		emit_ascii(e, "smb_netlogon.computer_name", lr->computer_name);
		emit_ascii(e, "smb_netlogon.user_name", lr->user_name);
		emit_ascii(e, "smb_netlogon.mailslot_name", lr->mailslot_name);
		emit_u(e, "smb_netlogon.request_count", lr->request_count);
		break;
	case LOGON_PRIMARY_QUERY:
		emit_ascii(e, "smb_netlogon.computer_name", pq->computer_name);
		emit_ascii(e, "smb_netlogon.mailslot_name", pq->mailslot_name);
		if (m->has_nt_tail)
			emit_utf16(e, "smb_netlogon.unicode_computer_name",
				   pq->unicode_computer_name);
		break;
	case LOGON_SAM_LOGON_REQUEST:
		emit_u(e, "smb_netlogon.request_count", sr->request_count);
		emit_utf16(e, "smb_netlogon.unicode_computer_name",
			   sr->unicode_computer_name);
		emit_utf16(e, "smb_netlogon.user_name", sr->user_name);
		emit_ascii(e, "smb_netlogon.mailslot_name", sr->mailslot_name);
		emit_hex(e, "smb_netlogon.flags",
			 sr->allowable_account_control, 8);
		emit_u(e, "smb_netlogon.domain_sid_size", sr->domain_sid.len);
		break;
	default:
		break;
	}
}

static void emit_uas_change(struct emitter *e, const struct netlogon_msg *m)
{
	const struct netlogon_uas_change *c = &m->u.uas_change;
	struct netlogon_db_change d;

	emit_u(e, "smb_netlogon.low_serial", c->low_serial);
	emit_u(e, "smb_netlogon.date_time", c->date_time);
	emit_u(e, "smb_netlogon.pulse", c->pulse);
	emit_u(e, "smb_netlogon.random", c->random);
	emit_ascii(e, "smb_netlogon.pdc_name", c->pdc_name);
	emit_ascii(e, "smb_netlogon.domain_name", c->domain_name);
	emit_utf16(e, "smb_netlogon.unicode_pdc_name", c->unicode_pdc_name);
	emit_u(e, "smb_netlogon.db_count", c->db_count);
	if (c->db_count > 0) {
		netlogon_db_change_get(c, 0, &d);
		emit_u(e, "smb_netlogon.db_index", d.db_index);
		emit_u(e, "smb_netlogon.large_serial", d.serial);
	}
	emit_u(e, "smb_netlogon.domain_sid_size", c->domain_sid.len);
}

static void emit_sam_response(struct emitter *e, const struct netlogon_msg *m)
{
	const struct netlogon_sam_logon_response *s = &m->u.sam_response;

	emit_utf16(e, "smb_netlogon.server_name", s->logon_server);
	emit_utf16(e, "smb_netlogon.user_name", s->user_name);
	emit_utf16(e, "smb_netlogon.domain_name", s->domain_name);
	if (!s->nt5)
		return;
	emit_guid(e, "smb_netlogon.domain.guid", s->domain_guid);
	emit_dns(e, "smb_netlogon.forest_dns_name", &s->dns_forest_name);
	emit_dns(e, "smb_netlogon.domain_dns_name", &s->dns_domain_name);
	emit_dns(e, "smb_netlogon.server_dns_name", &s->dns_host_name);
	emit_ip(e, "smb_netlogon.server_ip", s->dc_ip);
	emit_hex(e, "smb_netlogon.unknown", s->flags, 8);
}

static void emit_sam_response_ex(struct emitter *e,
				 const struct netlogon_msg *m)
{
	const struct netlogon_sam_logon_response_ex *x = &m->u.sam_response_ex;

	/* tshark 4.0 shows the DS flags as "Unknown" */
	emit_hex(e, "smb_netlogon.unknown", x->flags, 8);
	emit_guid(e, "smb_netlogon.domain.guid", x->domain_guid);
	emit_dns(e, "smb_netlogon.forest_dns_name", &x->dns_forest_name);
	emit_dns(e, "smb_netlogon.domain_dns_name", &x->dns_domain_name);
	emit_dns(e, "smb_netlogon.server_dns_name", &x->dns_host_name);
	emit_dns(e, "smb_netlogon.domain_name", &x->netbios_domain_name);
	emit_dns(e, "smb_netlogon.server_name", &x->netbios_computer_name);
	emit_dns(e, "smb_netlogon.user_name", &x->user_name);
	emit_dns(e, "smb_netlogon.server_site_name", &x->dc_site_name);
	emit_dns(e, "smb_netlogon.client_site_name", &x->client_site_name);
	if (x->has_sockaddr)
		emit_ip(e, "smb_netlogon.server_ip", x->dc_ip);
}

void netlogon_fields_emit(const struct netlogon_msg *m, dgram_field_fn fn,
			  void *priv)
{
	struct emitter e = { fn, priv };
	const struct netlogon_primary_response *p = &m->u.primary_response;

	emit_hex(&e, "smb_netlogon.command", m->opcode & 0xff, 2);
	switch (m->opcode) {
	case LOGON_RESPONSE2:
		emit_ascii(&e, "smb_netlogon.server_name",
			   m->u.response2.server_name);
		break;
	case LOGON_UAS_CHANGE:
		emit_uas_change(&e, m);
		break;
	case LOGON_PRIMARY_RESPONSE:
		emit_ascii(&e, "smb_netlogon.pdc_name", p->pdc_name);
		emit_utf16(&e, "smb_netlogon.unicode_pdc_name",
			   p->unicode_pdc_name);
		emit_utf16(&e, "smb_netlogon.domain_name",
			   p->unicode_domain_name);
		break;
	default:
		if (netlogon_is_sam_response(m->opcode))
			emit_sam_response(&e, m);
		else if (netlogon_is_sam_response_ex(m->opcode))
			emit_sam_response_ex(&e, m);
		else
			emit_requests(&e, m);
		break;
	}
	emit_trailer(&e, m);
}

/* Valid UTF-8 sequence length at p (2-4), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	size_t need;
	uint32_t cp;

	if ((p[0] & 0xe0) == 0xc0)
		need = 1, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		need = 2, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		need = 3, cp = p[0] & 0x07;
	else
		return 0;
	if (left - 1 < need)
		return 0;
	for (size_t k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
	    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp < 0xe000))
		return 0;
	return need + 1;
}

size_t netlogon_escape(const char *s, size_t len, bool utf8, char *buf,
		       size_t buflen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t out = 0;

	if (buflen == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8 && p[i] >= 0x80 ? utf8_seq(p + i, len - i) : 0;

		if (n > 0) {
			if (buflen - out <= n)
				break;
			memcpy(buf + out, p + i, n);
			out += n;
			i += n;
			continue;
		}
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\') {
			/* a backslash stays itself: names like \\PDC1 */
			if (p[i] == '\\') {
				if (buflen - out <= 1)
					break;
				buf[out++] = '\\';
			} else {
				if (buflen - out <= 4)
					break;
				snprintf(buf + out, 5, "\\x%02x", p[i]);
				out += 4;
			}
		} else {
			if (buflen - out <= 1)
				break;
			buf[out++] = (char)p[i];
		}
		i++;
	}
	buf[out] = '\0';
	return out;
}

struct line {
	char *buf;
	size_t len;
	size_t pos;
};

/* s appended, cut to the buffer (which stays NUL-terminated): copied,
 * not printf'd, as the summary is built once per datagram. */
static void line_put(struct line *l, const char *s)
{
	size_t n = strlen(s), room;

	if (l->pos >= l->len)
		return;
	room = l->len - 1 - l->pos;
	if (n > room)
		n = room;
	memcpy(l->buf + l->pos, s, n);
	l->pos += n;
	l->buf[l->pos] = '\0';
}

/* " key=value" */
static void line_add(struct line *l, const char *key, const char *v)
{
	line_put(l, " ");
	line_put(l, key);
	line_put(l, "=");
	line_put(l, v);
}

static void line_ascii(struct line *l, const char *key, struct netlogon_str s)
{
	char t[NL_TEXT_MAX];

	netlogon_escape((const char *)s.p, s.len, false, t, sizeof(t));
	line_add(l, key, t);
}

static void line_utf16(struct line *l, const char *key, struct netlogon_str s)
{
	char u[NL_TEXT_MAX], t[NL_TEXT_MAX];
	size_t n = netlogon_utf16_to_utf8(s, u, sizeof(u));

	netlogon_escape(u, n, true, t, sizeof(t));
	line_add(l, key, t);
}

static void line_dns(struct line *l, const char *key,
		     const struct netlogon_dns_name *d)
{
	char u[NETLOGON_DNS_TEXT_MAX], t[NL_TEXT_MAX];
	size_t n = netlogon_dns_name_text(d, u, sizeof(u));

	netlogon_escape(u, n, true, t, sizeof(t));
	line_add(l, key, t);
}

static void line_ip(struct line *l, uint32_t ip)
{
	char t[16];

	field_text_ipv4(t, ip);
	line_add(l, "ip", t);
}

static void line_flags(struct line *l, uint32_t flags)
{
	char t[512];

	netlogon_ds_flags_format(flags, t, sizeof(t));
	line_add(l, "flags", t);
}

static void line_summary_body(struct line *l, const struct netlogon_msg *m)
{
	const struct netlogon_sam_logon_response *s = &m->u.sam_response;
	const struct netlogon_sam_logon_response_ex *x = &m->u.sam_response_ex;
	const struct netlogon_sam_logon_request *q = &m->u.sam_request;
	char t[128];

	switch (m->opcode) {
	case LOGON_REQUEST:
		line_ascii(l, "computer", m->u.logon_request.computer_name);
		line_ascii(l, "user", m->u.logon_request.user_name);
		line_ascii(l, "mailslot", m->u.logon_request.mailslot_name);
		return;
	case LOGON_RESPONSE2:
		line_ascii(l, "server", m->u.response2.server_name);
		return;
	case LOGON_PRIMARY_QUERY:
		line_ascii(l, "computer", m->u.primary_query.computer_name);
		line_ascii(l, "mailslot", m->u.primary_query.mailslot_name);
		return;
	case LOGON_UAS_CHANGE:
		line_ascii(l, "pdc", m->u.uas_change.pdc_name);
		line_ascii(l, "domain", m->u.uas_change.domain_name);
		return;
	case LOGON_PRIMARY_RESPONSE:
		line_ascii(l, "pdc", m->u.primary_response.pdc_name);
		line_utf16(l, "domain",
			   m->u.primary_response.unicode_domain_name);
		return;
	case LOGON_SAM_LOGON_REQUEST:
		line_utf16(l, "computer", q->unicode_computer_name);
		line_utf16(l, "user", q->user_name);
		line_ascii(l, "mailslot", q->mailslot_name);
		if (netlogon_sid_format(q->domain_sid, t, sizeof(t)) > 0)
			line_add(l, "sid", t);
		return;
	default:
		break;
	}
	if (netlogon_is_sam_response(m->opcode)) {
		line_add(l, "format", s->nt5 ? "NT5" : "NT40");
		line_utf16(l, "server", s->logon_server);
		line_utf16(l, "user", s->user_name);
		line_utf16(l, "domain", s->domain_name);
		if (!s->nt5)
			return;
		line_dns(l, "forest", &s->dns_forest_name);
		line_dns(l, "dns_domain", &s->dns_domain_name);
		line_dns(l, "dns_host", &s->dns_host_name);
		line_ip(l, s->dc_ip);
		line_flags(l, s->flags);
		return;
	}
	line_dns(l, "server", &x->netbios_computer_name);
	line_dns(l, "domain", &x->netbios_domain_name);
	line_dns(l, "dns_host", &x->dns_host_name);
	line_dns(l, "dns_domain", &x->dns_domain_name);
	line_dns(l, "forest", &x->dns_forest_name);
	line_dns(l, "user", &x->user_name);
	line_dns(l, "site", &x->dc_site_name);
	line_dns(l, "client_site", &x->client_site_name);
	if (x->has_sockaddr)
		line_ip(l, x->dc_ip);
	line_flags(l, x->flags);
}

size_t netlogon_summary(const struct netlogon_msg *m, char *buf,
			size_t buflen)
{
	struct line l = { buf, buflen, 0 };
	const char *name = netlogon_opcode_name(m->opcode);
	char t[160];

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	/* "NAME (0x%02x)" */
	line_put(&l, name ? name : "UNKNOWN");
	line_put(&l, " (");
	field_text_hex(t, m->opcode, 2);
	line_put(&l, t);
	line_put(&l, ")");
	if (name == NULL)
		return l.pos;
	line_summary_body(&l, m);
	if (netlogon_trailer_of(m) == NETLOGON_TRAILER_NT) {
		netlogon_nt_version_format(m->nt_version, t, sizeof(t));
		line_add(&l, "ntver", t);
	}
	return l.pos;
}
