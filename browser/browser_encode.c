/* Browser protocol encoder: every string NUL-terminated, names bounded. */
#include <string.h>

#include "browser.h"
#include "nbt/byteorder.h"

static bool name_ok(const struct browser_string *s)
{
	return s->len <= BROWSER_NAME_MAX && (s->len == 0 || s->ptr != NULL);
}

static bool comment_ok(const struct browser_string *s)
{
	return s->len <= BROWSER_COMMENT_MAX &&
	       (s->len == 0 || s->ptr != NULL);
}

static bool announcement_ok(const struct browser_msg *m)
{
	const struct browser_announcement *a = &m->ann;

	if (!name_ok(&a->server_name))
		return false;
	/* 0x0c carries a NetBIOS name where the comment would be */
	if (m->opcode == BROWSER_DOMAIN_ANNOUNCEMENT)
		return name_ok(&a->comment);
	if (m->layout == BROWSER_LAYOUT_LANMAN &&
	    (a->periodicity_ms % 1000 != 0 ||
	     a->periodicity_ms / 1000 > 0xffff))
		return false;
	return comment_ok(&a->comment);
}

size_t browser_encoded_len(const struct browser_msg *m)
{
	const struct browser_announcement *a = &m->ann;
	size_t n;

	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
	case BROWSER_DOMAIN_ANNOUNCEMENT:
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		if (!announcement_ok(m))
			return 0;
		if (m->layout == BROWSER_LAYOUT_LANMAN)
			return BROWSER_LANMAN_FIXED + a->server_name.len + 1 +
			       a->comment.len + 1;
		return BROWSER_ANNOUNCEMENT_FIXED + a->comment.len + 1;
	case BROWSER_ANNOUNCEMENT_REQUEST:
	case BROWSER_BECOME_BACKUP:
	case BROWSER_MASTER_ANNOUNCEMENT:
		if (!name_ok(&m->name))
			return 0;
		return (m->opcode == BROWSER_ANNOUNCEMENT_REQUEST ? 2 : 1) +
		       m->name.len + 1;
	case BROWSER_REQUEST_ELECTION:
		if (!name_ok(&m->election.server_name))
			return 0;
		return 14 + m->election.server_name.len + 1;
	case BROWSER_GET_BACKUP_LIST_REQUEST:
		return 6;
	case BROWSER_GET_BACKUP_LIST_RESPONSE:
		n = 6;
		for (size_t i = 0; i < m->backup.count; i++) {
			if (!name_ok(&m->backup.servers[i]))
				return 0;
			n += m->backup.servers[i].len + 1;
		}
		return n;
	case BROWSER_RESET_STATE_REQUEST:
		return 2;
	default:
		return 0;
	}
}

static uint8_t *put_string(uint8_t *p, const struct browser_string *s)
{
	if (s->len)
		memcpy(p, s->ptr, s->len);
	p[s->len] = 0;
	return p + s->len + 1;
}

static void encode_announcement(const struct browser_msg *m, uint8_t *p)
{
	const struct browser_announcement *a = &m->ann;

	if (m->layout == BROWSER_LAYOUT_LANMAN) {
		p[1] = a->update_count;
		put_le32(p + 2, a->server_type);
		p[6] = a->os_major;
		p[7] = a->os_minor;
		put_le16(p + 8, (uint16_t)(a->periodicity_ms / 1000));
		put_string(put_string(p + BROWSER_LANMAN_FIXED,
				      &a->server_name), &a->comment);
		return;
	}
	p[1] = a->update_count;
	put_le32(p + 2, a->periodicity_ms);
	memset(p + 6, 0, BROWSER_SERVER_NAME_FIELD);
	if (a->server_name.len)
		memcpy(p + 6, a->server_name.ptr, a->server_name.len);
	p[22] = a->os_major;
	p[23] = a->os_minor;
	put_le32(p + 24, a->server_type);
	p[28] = a->browser_major;
	p[29] = a->browser_minor;
	put_le16(p + 30, a->signature);
	put_string(p + BROWSER_ANNOUNCEMENT_FIXED, &a->comment);
}

enum codec_error browser_encode(const struct browser_msg *m, uint8_t *buf,
				size_t buflen, size_t *used)
{
	size_t need;
	uint8_t *p = buf;

	if (m == NULL || buf == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	need = browser_encoded_len(m);
	if (need == 0)
		return CODEC_ERR_INVALID_ARGUMENT;
	if (buflen < need)
		return CODEC_ERR_BUFFER_TOO_SMALL;
	p[0] = m->opcode;
	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
	case BROWSER_DOMAIN_ANNOUNCEMENT:
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		encode_announcement(m, p);
		break;
	case BROWSER_ANNOUNCEMENT_REQUEST:
		p[1] = m->reserved;
		put_string(p + 2, &m->name);
		break;
	case BROWSER_BECOME_BACKUP:
	case BROWSER_MASTER_ANNOUNCEMENT:
		put_string(p + 1, &m->name);
		break;
	case BROWSER_REQUEST_ELECTION:
		p[1] = m->election.version;
		put_le32(p + 2, m->election.criteria);
		put_le32(p + 6, m->election.uptime_ms);
		put_le32(p + 10, m->election.reserved);
		put_string(p + 14, &m->election.server_name);
		break;
	case BROWSER_GET_BACKUP_LIST_REQUEST:
	case BROWSER_GET_BACKUP_LIST_RESPONSE:
		p[1] = m->backup.count;
		put_le32(p + 2, m->backup.token);
		p += 6;
		for (size_t i = 0; m->opcode == BROWSER_GET_BACKUP_LIST_RESPONSE
		     && i < m->backup.count; i++)
			p = put_string(p, &m->backup.servers[i]);
		break;
	case BROWSER_RESET_STATE_REQUEST:
		p[1] = m->reset_flags;
		break;
	}
	if (used != NULL)
		*used = need;
	return CODEC_OK;
}
