/* Browser protocol: names of opcodes and flag bits, escaping, helpers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nbt/codec_text.h"
#include "browser.h"
#include "smb/smb_mailslot.h"

void browser_msg_init(struct browser_msg *m, enum browser_layout layout,
		      uint8_t opcode)
{
	memset(m, 0, sizeof(*m));
	m->layout = layout;
	m->opcode = opcode;
	m->ann.browser_major = BROWSER_VERSION_MAJOR;
	m->ann.browser_minor = BROWSER_VERSION_MINOR;
	m->ann.signature = BROWSER_SIGNATURE;
}

struct browser_string browser_str(const char *s)
{
	struct browser_string v = {
		.ptr = s, .len = s ? strlen(s) : 0, .terminated = true,
	};
	return v;
}

bool browser_string_is(const struct browser_string *s, const char *name)
{
	if (name == NULL || strlen(name) != s->len)
		return false;
	return s->len == 0 || strncasecmp(name, s->ptr, s->len) == 0;
}

const char *browser_opcode_name(uint8_t opcode)
{
	switch (opcode) {
	case BROWSER_HOST_ANNOUNCEMENT: return "HostAnnouncement";
	case BROWSER_ANNOUNCEMENT_REQUEST: return "AnnouncementRequest";
	case BROWSER_REQUEST_ELECTION: return "RequestElection";
	case BROWSER_GET_BACKUP_LIST_REQUEST: return "GetBackupListRequest";
	case BROWSER_GET_BACKUP_LIST_RESPONSE: return "GetBackupListResponse";
	case BROWSER_BECOME_BACKUP: return "BecomeBackup";
	case BROWSER_DOMAIN_ANNOUNCEMENT: return "DomainAnnouncement";
	case BROWSER_MASTER_ANNOUNCEMENT: return "MasterAnnouncement";
	case BROWSER_RESET_STATE_REQUEST: return "ResetStateRequest";
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		return "LocalMasterAnnouncement";
	default: return "Unknown";
	}
}

enum browser_layout browser_layout_for_slot(const char *name, size_t len)
{
	static const char lanman[] = "\\MAILSLOT\\LANMAN";

	return smb_mailslot_name_equal(name, len, lanman, sizeof(lanman) - 1)
		? BROWSER_LAYOUT_LANMAN : BROWSER_LAYOUT_BROWSE;
}

struct flag_name {
	uint32_t bit;
	const char *name;
};

static const struct flag_name sv_names[] = {
	{ SV_TYPE_WORKSTATION, "WORKSTATION" }, { SV_TYPE_SERVER, "SERVER" },
	{ SV_TYPE_SQLSERVER, "SQLSERVER" },
	{ SV_TYPE_DOMAIN_CTRL, "DOMAIN_CTRL" },
	{ SV_TYPE_DOMAIN_BAKCTRL, "DOMAIN_BAKCTRL" },
	{ SV_TYPE_TIME_SOURCE, "TIME_SOURCE" }, { SV_TYPE_AFP, "AFP" },
	{ SV_TYPE_NOVELL, "NOVELL" },
	{ SV_TYPE_DOMAIN_MEMBER, "DOMAIN_MEMBER" },
	{ SV_TYPE_PRINTQ_SERVER, "PRINTQ_SERVER" },
	{ SV_TYPE_DIALIN_SERVER, "DIALIN_SERVER" },
	{ SV_TYPE_SERVER_UNIX, "SERVER_UNIX" }, { SV_TYPE_NT, "NT" },
	{ SV_TYPE_WFW, "WFW" }, { SV_TYPE_SERVER_MFPN, "SERVER_MFPN" },
	{ SV_TYPE_SERVER_NT, "SERVER_NT" },
	{ SV_TYPE_POTENTIAL_BROWSER, "POTENTIAL_BROWSER" },
	{ SV_TYPE_BACKUP_BROWSER, "BACKUP_BROWSER" },
	{ SV_TYPE_MASTER_BROWSER, "MASTER_BROWSER" },
	{ SV_TYPE_DOMAIN_MASTER, "DOMAIN_MASTER" },
	{ SV_TYPE_SERVER_OSF, "SERVER_OSF" },
	{ SV_TYPE_SERVER_VMS, "SERVER_VMS" }, { SV_TYPE_WINDOWS, "WINDOWS" },
	{ SV_TYPE_DFS, "DFS" }, { SV_TYPE_CLUSTER_NT, "CLUSTER_NT" },
	{ SV_TYPE_TERMINALSERVER, "TERMINALSERVER" },
	{ SV_TYPE_CLUSTER_VS_NT, "CLUSTER_VS_NT" }, { SV_TYPE_DCE, "DCE" },
	{ SV_TYPE_ALTERNATE_XPORT, "ALTERNATE_XPORT" },
	{ SV_TYPE_LOCAL_LIST_ONLY, "LOCAL_LIST_ONLY" },
	{ SV_TYPE_DOMAIN_ENUM, "DOMAIN_ENUM" },
};

/* Criteria bytes 1-2 are the browser version, shown as a number. */
static const struct flag_name crit_names[] = {
	{ BROWSER_ELECT_BACKUP, "BACKUP" }, { BROWSER_ELECT_STANDBY, "STANDBY" },
	{ BROWSER_ELECT_MASTER, "MASTER" },
	{ BROWSER_ELECT_PREFERRED, "PREFERRED_MASTER" },
	{ BROWSER_ELECT_WINS, "WINS" }, { BROWSER_ELECT_PDC, "PDC" },
	{ BROWSER_ELECT_OS_WFW, "OS_WFW" }, { BROWSER_ELECT_OS_NTW, "OS_NTW" },
	{ BROWSER_ELECT_OS_NTS, "OS_NTS" },
};

/* A byte as "%u" at b + n; returns the new n. */
static size_t put_u8(char *b, size_t n, unsigned v)
{
	if (v >= 100)
		b[n++] = (char)('0' + v / 100);
	if (v >= 10)
		b[n++] = (char)('0' + v / 10 % 10);
	b[n++] = (char)('0' + v % 10);
	return n;
}

/* " text", or "text" at the start. */
static size_t append(char *buf, size_t buflen, size_t n, const char *text)
{
	if (n > 0)
		n = codec_text_put(buf, buflen, n, " ", 1);
	return codec_text_put(buf, buflen, n, text, strlen(text));
}

static size_t flags_string(uint32_t v, const struct flag_name *t,
			   size_t nt, char *buf, size_t buflen)
{
	size_t n = 0;
	char hex[16];

	if (buflen)
		buf[0] = '\0';
	for (size_t i = 0; i < nt; i++) {
		if (v & t[i].bit) {
			n = append(buf, buflen, n, t[i].name);
			v &= ~t[i].bit;
		}
	}
	if (v) {
		snprintf(hex, sizeof(hex), "0x%08x", v);
		n = append(buf, buflen, n, hex);
	}
	return n;
}

size_t browser_server_type_string(uint32_t type, char *buf, size_t buflen)
{
	if (type == 0)
		return append(buf, buflen, 0, "NONE");
	return flags_string(type, sv_names,
			    sizeof(sv_names) / sizeof(sv_names[0]), buf,
			    buflen);
}

size_t browser_criteria_string(uint32_t criteria, char *buf, size_t buflen)
{
	char ver[32] = "browser ";
	size_t n, v = 8;

	if (criteria == 0)
		return append(buf, buflen, 0, "NONE");
	n = flags_string(criteria & 0xff0000ffu, crit_names,
			 sizeof(crit_names) / sizeof(crit_names[0]), buf,
			 buflen);
	/* "browser %u.%u" by hand, as this is in every election summary */
	v = put_u8(ver, v, (criteria >> 8) & 0xff);
	ver[v++] = '.';
	v = put_u8(ver, v, (criteria >> 16) & 0xff);
	ver[v] = '\0';
	return append(buf, buflen, n, ver);
}

size_t browser_string_escape(const struct browser_string *s, char *buf,
			     size_t buflen)
{
	size_t n = 0;

	if (buflen == 0)
		return 0;
	for (size_t i = 0; i < s->len && n + 5 < buflen; i++) {
		unsigned char c = (unsigned char)s->ptr[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			buf[n++] = (char)c;
		} else {
			snprintf(buf + n, buflen - n, "\\x%02x", c);
			n += 4;
		}
	}
	buf[n] = '\0';
	return n;
}
