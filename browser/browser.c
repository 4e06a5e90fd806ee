/*
 * Browser protocol codec: see browser.h and docs/browse.md.  Decode checks
 * every length before it reads and keeps views into the input.
 */
#include <string.h>

#include "browser.h"
#include "nbt/byteorder.h"

/* Longest name decode accepts outside the 16-byte field (15 + slack for
 * senders that write a 16th character). */
#define NAME_WIRE_MAX 16

struct reader {
	const uint8_t *buf;
	size_t len;
	size_t off;
	uint32_t *quirks;
};

static bool non_ascii(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)p[i] >= 0x7f)
			return true;
	}
	return false;
}

/*
 * A NUL-terminated string of at most max bytes.  Running into the end of
 * the message is forgiven (senders drop the final NUL); a string missing
 * altogether only where allow_absent says so.
 */
static enum codec_error get_string(struct reader *r, size_t max,
				   bool allow_absent, struct browser_string *s)
{
	size_t n = 0, avail;

	if (r->off > r->len)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	avail = r->len - r->off;
	if (avail == 0 && !allow_absent)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	while (n < avail && r->buf[r->off + n] != 0) {
		if (n == max)
			return CODEC_ERR_PAYLOAD_BAD_STRING;
		n++;
	}
	s->ptr = (const char *)r->buf + r->off;
	s->len = n;
	s->terminated = n < avail;
	if (!s->terminated)
		*r->quirks |= BROWSER_QUIRK_UNTERMINATED;
	if (non_ascii(s->ptr, n))
		*r->quirks |= BROWSER_QUIRK_NON_ASCII;
	r->off += n + (s->terminated ? 1 : 0);
	return CODEC_OK;
}

/* The 16-byte ServerName field: NUL-padded, the NUL may be missing. */
static void get_name_field(struct reader *r, struct browser_string *s)
{
	const char *p = (const char *)r->buf + r->off;
	const char *nul = memchr(p, 0, BROWSER_SERVER_NAME_FIELD);

	s->ptr = p;
	s->len = nul ? (size_t)(nul - p) : BROWSER_SERVER_NAME_FIELD;
	s->terminated = nul != NULL;
	if (nul == NULL)
		*r->quirks |= BROWSER_QUIRK_NAME_FIELD_FULL;
	if (non_ascii(p, s->len))
		*r->quirks |= BROWSER_QUIRK_NON_ASCII;
	r->off += BROWSER_SERVER_NAME_FIELD;
}

static enum codec_error get_comment(struct reader *r,
				    struct browser_string *s)
{
	/* bounded by the message; over 43 bytes is noted, not refused,
	 * since the 43 is a sender's rule */
	enum codec_error err = get_string(r, BROWSER_STRING_WIRE_MAX, true, s);

	if (err == CODEC_OK && s->len > BROWSER_COMMENT_MAX)
		*r->quirks |= BROWSER_QUIRK_LONG_COMMENT;
	return err;
}

static enum codec_error decode_announcement(struct reader *r,
					    struct browser_msg *m)
{
	struct browser_announcement *a = &m->ann;
	const uint8_t *p = r->buf;

	if (r->len < BROWSER_ANNOUNCEMENT_FIXED)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	a->update_count = p[1];
	a->periodicity_ms = get_le32(p + 2);
	r->off = 6;
	get_name_field(r, &a->server_name);
	a->os_major = p[22];
	a->os_minor = p[23];
	a->server_type = get_le32(p + 24);
	a->browser_major = p[28];
	a->browser_minor = p[29];
	a->signature = get_le16(p + 30);
	/* DomainAnnouncement's are uninitialised on Windows: not a quirk */
	if (m->opcode != BROWSER_DOMAIN_ANNOUNCEMENT &&
	    a->signature != BROWSER_SIGNATURE)
		*r->quirks |= BROWSER_QUIRK_BAD_SIGNATURE;
	r->off = BROWSER_ANNOUNCEMENT_FIXED;
	return get_comment(r, &a->comment);
}

/* LAN Manager: u8 opcode, u8 0, u32 type, u8 major, u8 minor, u16 s. */
static enum codec_error decode_lanman(struct reader *r, struct browser_msg *m)
{
	struct browser_announcement *a = &m->ann;
	const uint8_t *p = r->buf;
	enum codec_error err;

	if (r->len < BROWSER_LANMAN_FIXED)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	a->update_count = p[1];
	a->server_type = get_le32(p + 2);
	a->os_major = p[6];
	a->os_minor = p[7];
	a->periodicity_ms = (uint32_t)get_le16(p + 8) * 1000u;
	r->off = BROWSER_LANMAN_FIXED;
	err = get_string(r, NAME_WIRE_MAX, false, &a->server_name);
	if (err != CODEC_OK)
		return err;
	return get_comment(r, &a->comment);
}

static enum codec_error decode_election(struct reader *r,
					struct browser_msg *m)
{
	const uint8_t *p = r->buf;

	if (r->len < 14)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	m->election.version = p[1];
	m->election.criteria = get_le32(p + 2);
	m->election.uptime_ms = get_le32(p + 6);
	m->election.reserved = get_le32(p + 10);
	r->off = 14;
	return get_string(r, NAME_WIRE_MAX, true, &m->election.server_name);
}

static enum codec_error decode_backup(struct reader *r, struct browser_msg *m)
{
	const uint8_t *p = r->buf;

	if (r->len < 6)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	m->backup.count = p[1];
	m->backup.token = get_le32(p + 2);
	r->off = 6;
	if (m->opcode == BROWSER_GET_BACKUP_LIST_REQUEST)
		return CODEC_OK;
	/* the count must be backed by names actually present */
	for (size_t i = 0; i < m->backup.count; i++) {
		enum codec_error err = get_string(r, NAME_WIRE_MAX, false,
						  &m->backup.servers[i]);
		if (err != CODEC_OK)
			return err;
	}
	return CODEC_OK;
}

/* nmbd writes the name one byte late and counts one byte short:
 * 02 token 00 NAME, no NUL (nmbd_sendannounce.c announce_request). */
static enum codec_error decode_request(struct reader *r, struct browser_msg *m)
{
	if (r->len < 2)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	m->reserved = r->buf[1];
	r->off = 2;
	if (r->len > 3 && r->buf[2] == 0 && r->buf[3] != 0) {
		*r->quirks |= BROWSER_QUIRK_NMBD_REQUEST;
		r->off = 3;
	}
	return get_string(r, NAME_WIRE_MAX, false, &m->name);
}

static bool lanman_is_browse_layout(const uint8_t *buf, size_t len)
{
	/* MS-BRWS §2.2.1 also allows the BROWSE layout on LANMAN */
	return len >= BROWSER_ANNOUNCEMENT_FIXED &&
	       get_le16(buf + 30) == BROWSER_SIGNATURE &&
	       buf[28] == BROWSER_VERSION_MAJOR;
}

static bool is_announcement(uint8_t op)
{
	return op == BROWSER_HOST_ANNOUNCEMENT ||
	       op == BROWSER_DOMAIN_ANNOUNCEMENT ||
	       op == BROWSER_LOCAL_MASTER_ANNOUNCEMENT;
}

enum codec_error browser_decode(const uint8_t *buf, size_t len,
				enum browser_layout layout,
				struct browser_msg *m)
{
	struct reader r = { .buf = buf, .len = len, .quirks = &m->quirks };
	enum codec_error err;

	if (buf == NULL || m == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	memset(m, 0, sizeof(*m));
	if (len < 1)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	m->opcode = buf[0];
	if (layout == BROWSER_LAYOUT_LANMAN && is_announcement(m->opcode) &&
	    !lanman_is_browse_layout(buf, len))
		m->layout = BROWSER_LAYOUT_LANMAN;

	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
	case BROWSER_DOMAIN_ANNOUNCEMENT:
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		err = m->layout == BROWSER_LAYOUT_LANMAN
			? decode_lanman(&r, m) : decode_announcement(&r, m);
		break;
	case BROWSER_ANNOUNCEMENT_REQUEST:
		err = decode_request(&r, m);
		break;
	case BROWSER_REQUEST_ELECTION:
		err = decode_election(&r, m);
		break;
	case BROWSER_GET_BACKUP_LIST_REQUEST:
	case BROWSER_GET_BACKUP_LIST_RESPONSE:
		err = decode_backup(&r, m);
		break;
	case BROWSER_BECOME_BACKUP:
	case BROWSER_MASTER_ANNOUNCEMENT:
		r.off = 1;
		err = get_string(&r, NAME_WIRE_MAX, false, &m->name);
		break;
	case BROWSER_RESET_STATE_REQUEST:
		if (len < 2)
			return CODEC_ERR_PAYLOAD_TRUNCATED;
		m->reset_flags = buf[1];
		r.off = 2;
		err = CODEC_OK;
		break;
	default:
		return CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE;
	}
	if (err != CODEC_OK)
		return err;
	if (r.off < len) {
		m->trailing = buf + r.off;
		m->trailing_len = len - r.off;
		m->quirks |= BROWSER_QUIRK_TRAILING;
	}
	return CODEC_OK;
}
