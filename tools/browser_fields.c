#include <stdio.h>
#include <string.h>

#include "browser_fields.h"
#include "field_text.h"

#define STR_MAX (BROWSER_STRING_WIRE_MAX * 4 + 1)

const char *const browser_field_names[] = {
	"browser.command", "browser.update_count", "browser.period",
	"browser.server", "browser.mb_server", "browser.reset_cmd",
	"browser.os_major", "browser.os_minor", "browser.server_type",
	"browser.windows_version", "browser.mysterious_field",
	"browser.election.version", "browser.proto_major",
	"browser.proto_minor", "browser.sig", "browser.comment",
	"browser.unused", "browser.response_computer_name",
	"browser.election.criteria", "browser.election.desire",
	"browser.election.os", "browser.uptime", "browser.backup.count",
	"browser.backup.token", "browser.backup.server",
	"browser.browser_to_promote",
	NULL,
};

const char *browser_windows_version(uint8_t major, uint8_t minor)
{
	static const struct {
		uint8_t major, minor;
		const char *text;
	} t[] = {
		{ 6, 1, "Windows 7 or Windows Server 2008 R2" },
		{ 6, 0, "Windows Vista or Windows Server 2008" },
		{ 5, 2, "Windows Server 2003 R2 or Windows Server 2003" },
		{ 5, 1, "Windows XP" },
		{ 5, 0, "Windows 2000" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].major == major && t[i].minor == minor)
			return t[i].text;
	}
	return NULL;
}

static void emit_u(dgram_field_fn fn, void *priv, const char *field,
		   unsigned long v)
{
	char buf[FIELD_TEXT_NUM_MAX];

	field_text_u(buf, v);
	fn(priv, field, buf);
}

static void emit_hex(dgram_field_fn fn, void *priv, const char *field,
		     unsigned long v, int digits)
{
	char buf[FIELD_TEXT_NUM_MAX];

	field_text_hex(buf, v, digits);
	fn(priv, field, buf);
}

static void emit_str(dgram_field_fn fn, void *priv, const char *field,
		     const struct browser_string *s)
{
	char buf[STR_MAX];

	browser_string_escape(s, buf, sizeof(buf));
	fn(priv, field, buf);
}

/* tshark's order: type, then version, then period and names (LANMAN) */
static void emit_lanman(const struct browser_msg *m, dgram_field_fn fn,
			void *priv)
{
	const struct browser_announcement *a = &m->ann;
	const char *win = browser_windows_version(a->os_major, a->os_minor);

	emit_u(fn, priv, "browser.update_count", a->update_count);
	emit_hex(fn, priv, "browser.server_type", a->server_type, 8);
	fn(priv, "browser.windows_version", win ? win : "");
	emit_u(fn, priv, "browser.os_major", a->os_major);
	emit_u(fn, priv, "browser.os_minor", a->os_minor);
	emit_u(fn, priv, "browser.period", a->periodicity_ms);
	emit_str(fn, priv, "browser.server", &a->server_name);
	emit_str(fn, priv, m->opcode == BROWSER_DOMAIN_ANNOUNCEMENT ?
		 "browser.mb_server" : "browser.comment", &a->comment);
}

static void emit_announcement(const struct browser_msg *m,
			      dgram_field_fn fn, void *priv)
{
	const struct browser_announcement *a = &m->ann;
	const char *win = browser_windows_version(a->os_major, a->os_minor);

	emit_u(fn, priv, "browser.update_count", a->update_count);
	emit_u(fn, priv, "browser.period", a->periodicity_ms);
	emit_str(fn, priv, "browser.server", &a->server_name);
	if (win != NULL)
		fn(priv, "browser.windows_version", win);
	emit_u(fn, priv, "browser.os_major", a->os_major);
	emit_u(fn, priv, "browser.os_minor", a->os_minor);
	emit_hex(fn, priv, "browser.server_type", a->server_type, 8);
	/* tshark: a DomainAnnouncement without the signature has junk here */
	if (m->opcode == BROWSER_DOMAIN_ANNOUNCEMENT &&
	    a->signature != BROWSER_SIGNATURE) {
		emit_hex(fn, priv, "browser.mysterious_field",
			 (unsigned long)a->browser_major |
			 (unsigned long)a->browser_minor << 8 |
			 (unsigned long)a->signature << 16, 8);
	} else {
		emit_u(fn, priv, "browser.proto_major", a->browser_major);
		emit_u(fn, priv, "browser.proto_minor", a->browser_minor);
		emit_hex(fn, priv, "browser.sig", a->signature, 4);
	}
	emit_str(fn, priv, m->opcode == BROWSER_DOMAIN_ANNOUNCEMENT ?
		 "browser.mb_server" : "browser.comment", &a->comment);
}

static void emit_election(const struct browser_msg *m, dgram_field_fn fn,
			  void *priv)
{
	const struct browser_election *e = &m->election;

	emit_u(fn, priv, "browser.election.version", e->version);
	emit_hex(fn, priv, "browser.election.criteria", e->criteria, 8);
	emit_hex(fn, priv, "browser.election.desire", e->criteria & 0xff, 2);
	emit_u(fn, priv, "browser.proto_major", (e->criteria >> 8) & 0xff);
	emit_u(fn, priv, "browser.proto_minor", (e->criteria >> 16) & 0xff);
	emit_hex(fn, priv, "browser.election.os", e->criteria >> 24, 2);
	emit_u(fn, priv, "browser.uptime", e->uptime_ms);
	emit_str(fn, priv, "browser.server", &e->server_name);
}

void browser_fields_emit(const struct browser_msg *m, dgram_field_fn fn,
			 void *priv)
{
	emit_hex(fn, priv, "browser.command", m->opcode, 2);
	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
	case BROWSER_DOMAIN_ANNOUNCEMENT:
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		if (m->layout == BROWSER_LAYOUT_LANMAN)
			emit_lanman(m, fn, priv);
		else
			emit_announcement(m, fn, priv);
		break;
	case BROWSER_ANNOUNCEMENT_REQUEST:
		emit_hex(fn, priv, "browser.unused", m->reserved, 2);
		/* nmbd's stray NUL: tshark reads an empty name there */
		if (m->quirks & BROWSER_QUIRK_NMBD_REQUEST)
			fn(priv, "browser.response_computer_name", "");
		else
			emit_str(fn, priv, "browser.response_computer_name",
				 &m->name);
		break;
	case BROWSER_REQUEST_ELECTION:
		emit_election(m, fn, priv);
		break;
	case BROWSER_GET_BACKUP_LIST_REQUEST:
	case BROWSER_GET_BACKUP_LIST_RESPONSE:
		emit_u(fn, priv, "browser.backup.count", m->backup.count);
		emit_u(fn, priv, "browser.backup.token", m->backup.token);
		for (size_t i = 0; m->opcode == BROWSER_GET_BACKUP_LIST_RESPONSE
		     && i < m->backup.count; i++)
			emit_str(fn, priv, "browser.backup.server",
				 &m->backup.servers[i]);
		break;
	case BROWSER_BECOME_BACKUP:
		emit_str(fn, priv, "browser.browser_to_promote", &m->name);
		break;
	case BROWSER_MASTER_ANNOUNCEMENT:
		emit_str(fn, priv, "browser.mb_server", &m->name);
		break;
	case BROWSER_RESET_STATE_REQUEST:
		emit_hex(fn, priv, "browser.reset_cmd", m->reset_flags, 2);
		break;
	}
}

/* Appends like snprintf, tracking the would-be length; by hand, as
 * snprintf per piece was most of the summary's time. */
struct out {
	char *buf;
	size_t len, n;
};

static void put_text(struct out *o, const char *text, size_t len)
{
	if (o->n < o->len) {
		size_t room = o->len - o->n - 1;
		size_t k = len < room ? len : room;
		memcpy(o->buf + o->n, text, k);
		o->buf[o->n + k] = '\0';
	}
	o->n += len;
}

static void put(struct out *o, const char *text)
{
	put_text(o, text, strlen(text));
}

static void put_u(struct out *o, unsigned long v)
{
	char b[FIELD_TEXT_NUM_MAX];

	put_text(o, b, field_text_u(b, v));
}

static void put_hex(struct out *o, unsigned long v, int digits)
{
	char b[FIELD_TEXT_NUM_MAX];

	put_text(o, b, field_text_hex(b, v, digits));
}

static void put_str(struct out *o, const struct browser_string *s)
{
	char esc[STR_MAX];

	put_text(o, esc, browser_string_escape(s, esc, sizeof(esc)));
}

static void summary_announcement(const struct browser_msg *m, struct out *o)
{
	const struct browser_announcement *a = &m->ann;
	char flags[512];

	browser_server_type_string(a->server_type, flags, sizeof(flags));
	put(o, " ");
	put_str(o, &a->server_name);
	put(o, " ");
	put_u(o, a->os_major);
	put(o, ".");
	put_u(o, a->os_minor);
	put(o, " ");
	put(o, flags);
	put(o, " period ");
	put_u(o, a->periodicity_ms);
	put(o, " ms");
	if (m->opcode == BROWSER_DOMAIN_ANNOUNCEMENT) {
		put(o, " master ");
		put_str(o, &a->comment);
	} else {
		put(o, " \"");
		put_str(o, &a->comment);
		put(o, "\"");
	}
}

static void summary_election(const struct browser_msg *m, struct out *o)
{
	char flags[512];

	browser_criteria_string(m->election.criteria, flags, sizeof(flags));
	put(o, " version ");
	put_u(o, m->election.version);
	put(o, " criteria ");
	put_hex(o, m->election.criteria, 8);
	put(o, " (");
	put(o, flags);
	put(o, ") uptime ");
	put_u(o, m->election.uptime_ms);
	put(o, " ms ");
	put_str(o, &m->election.server_name);
}

size_t browser_summary(const struct browser_msg *m, char *buf, size_t buflen)
{
	struct out o = { .buf = buf, .len = buflen };

	if (buflen)
		buf[0] = '\0';
	if (m->layout == BROWSER_LAYOUT_LANMAN)
		put(&o, "LANMAN ");
	put(&o, browser_opcode_name(m->opcode));
	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
	case BROWSER_DOMAIN_ANNOUNCEMENT:
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		summary_announcement(m, &o);
		break;
	case BROWSER_ANNOUNCEMENT_REQUEST:
	case BROWSER_BECOME_BACKUP:
	case BROWSER_MASTER_ANNOUNCEMENT:
		put(&o, " ");
		put_str(&o, &m->name);
		break;
	case BROWSER_REQUEST_ELECTION:
		summary_election(m, &o);
		break;
	case BROWSER_GET_BACKUP_LIST_REQUEST:
		put(&o, " count ");
		put_u(&o, m->backup.count);
		put(&o, " token ");
		put_u(&o, m->backup.token);
		break;
	case BROWSER_GET_BACKUP_LIST_RESPONSE:
		put(&o, " token ");
		put_u(&o, m->backup.token);
		put(&o, ":");
		for (size_t i = 0; i < m->backup.count; i++) {
			put(&o, " ");
			put_str(&o, &m->backup.servers[i]);
		}
		break;
	case BROWSER_RESET_STATE_REQUEST:
		put(&o, " ");
		put_hex(&o, m->reset_flags, 2);
		break;
	}
	return o.n;
}
