/* Text for people: UTF-16 to UTF-8, flags in words, SIDs. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nbt/codec_text.h"
#include "netlogon_private.h"

static size_t put_utf8(uint32_t cp, char *out, size_t room)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (n > room)
		return 0;
	memcpy(out, b, n);
	return n;
}

size_t netlogon_utf16_to_utf8(struct netlogon_str s, char *buf, size_t buflen)
{
	size_t out = 0, units = s.len / 2;

	if (buflen == 0)
		return 0;
	for (size_t i = 0; i < units; i++) {
		uint32_t cp = (uint32_t)(s.p[2 * i] | s.p[2 * i + 1] << 8);
		size_t n;

		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < units) {
			uint32_t lo = (uint32_t)(s.p[2 * i + 2] |
						 s.p[2 * i + 3] << 8);
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
				i++;
			}
		}
		if (cp >= 0xd800 && cp < 0xe000)
			cp = 0xfffd;	/* lone surrogate */
		n = put_utf8(cp, buf + out, buflen - 1 - out);
		if (n == 0)
			break;
		out += n;
	}
	buf[out] = '\0';
	return out;
}

/* Strict UTF-8 (no overlongs, no surrogates) to UTF-16LE. */
bool netlogon_str_utf16(const char *s, uint8_t *buf, size_t buflen,
			struct netlogon_str *out)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = 0, len = strlen(s);

	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k, need;

		if (p[i] < 0x80) {
			cp = p[i];
			need = 0;
		} else if ((p[i] & 0xe0) == 0xc0) {
			cp = p[i] & 0x1f;
			need = 1;
		} else if ((p[i] & 0xf0) == 0xe0) {
			cp = p[i] & 0x0f;
			need = 2;
		} else if ((p[i] & 0xf8) == 0xf0) {
			cp = p[i] & 0x07;
			need = 3;
		} else {
			return false;
		}
		if (len - i - 1 < need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp < 0xe000) || cp == 0)
			return false;
		i += need + 1;
		if (cp >= 0x10000) {
			if (buflen - n < 4)
				return false;
			cp -= 0x10000;
			buf[n++] = (uint8_t)((0xd800 | cp >> 10) & 0xff);
			buf[n++] = (uint8_t)((0xd800 | cp >> 10) >> 8);
			buf[n++] = (uint8_t)((0xdc00 | (cp & 0x3ff)) & 0xff);
			buf[n++] = (uint8_t)((0xdc00 | (cp & 0x3ff)) >> 8);
		} else {
			if (buflen - n < 2)
				return false;
			buf[n++] = (uint8_t)(cp & 0xff);
			buf[n++] = (uint8_t)(cp >> 8);
		}
	}
	out->p = buf;
	out->len = n;
	return true;
}

struct flag_word {
	uint32_t bit;
	const char *word;
};

/* Words joined by '|', by hand: snprintf per word was most of the
 * NETLOGON summary's time. */
static size_t flags_format(const struct flag_word *w, uint32_t v, char *buf,
			   size_t buflen)
{
	size_t out = 0;

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; w[i].word != NULL; i++) {
		if (!(v & w[i].bit))
			continue;
		v &= ~w[i].bit;
		if (out)
			out = codec_text_put(buf, buflen, out, "|", 1);
		out = codec_text_put(buf, buflen, out, w[i].word,
				strlen(w[i].word));
		if (out >= buflen)
			return buflen - 1;
	}
	if (v != 0)
		out += (size_t)snprintf(buf + out, buflen - out, "%s0x%" PRIx32,
					out ? "|" : "", v);
	return out < buflen ? out : buflen - 1;
}

size_t netlogon_ds_flags_format(uint32_t flags, char *buf, size_t buflen)
{
	static const struct flag_word w[] = {
		{ DS_PDC_FLAG, "PDC" }, { DS_GC_FLAG, "GC" },
		{ DS_LDAP_FLAG, "LDAP" }, { DS_DS_FLAG, "DS" },
		{ DS_KDC_FLAG, "KDC" }, { DS_TIMESERV_FLAG, "TIMESERV" },
		{ DS_CLOSEST_FLAG, "CLOSEST" }, { DS_WRITABLE_FLAG, "WRITABLE" },
		{ DS_GOOD_TIMESERV_FLAG, "GOOD_TIMESERV" },
		{ DS_NDNC_FLAG, "NDNC" },
		{ DS_SELECT_SECRET_DOMAIN_6_FLAG, "SELECT_SECRET_DOMAIN_6" },
		{ DS_FULL_SECRET_DOMAIN_6_FLAG, "FULL_SECRET_DOMAIN_6" },
		{ DS_WS_FLAG, "WS" }, { DS_DS_8_FLAG, "DS_8" },
		{ DS_DS_9_FLAG, "DS_9" },
		{ DS_DNS_CONTROLLER_FLAG, "DNS_CONTROLLER" },
		{ DS_DNS_DOMAIN_FLAG, "DNS_DOMAIN" },
		{ DS_DNS_FOREST_FLAG, "DNS_FOREST" },
		{ 0, NULL },
	};
	return flags_format(w, flags, buf, buflen);
}

size_t netlogon_nt_version_format(uint32_t v, char *buf, size_t buflen)
{
	static const struct flag_word w[] = {
		{ NETLOGON_NT_VERSION_1, "V1" },
		{ NETLOGON_NT_VERSION_5, "V5" },
		{ NETLOGON_NT_VERSION_5EX, "V5EX" },
		{ NETLOGON_NT_VERSION_5EX_WITH_IP, "V5EX_WITH_IP" },
		{ NETLOGON_NT_VERSION_WITH_CLOSEST_SITE, "WITH_CLOSEST_SITE" },
		{ NETLOGON_NT_VERSION_AVOID_NT4EMUL, "AVOID_NT4EMUL" },
		{ NETLOGON_NT_VERSION_PDC, "PDC" },
		{ NETLOGON_NT_VERSION_IP, "IP" },
		{ NETLOGON_NT_VERSION_LOCAL, "LOCAL" },
		{ NETLOGON_NT_VERSION_GC, "GC" },
		{ 0, NULL },
	};
	return flags_format(w, v, buf, buflen);
}

/* Authority is 48 bits big-endian, sub-authorities u32 little-endian. */
size_t netlogon_sid_format(struct netlogon_str sid, char *buf, size_t buflen)
{
	uint64_t auth = 0;
	size_t out;

	if (buflen == 0)
		return 0;
	buf[0] = '\0';
	if (sid.len < 8 || sid.p[0] != 1 ||
	    sid.len != 8 + 4 * (size_t)sid.p[1] ||
	    sid.p[1] > NETLOGON_SID_MAX_SUBAUTH)
		return 0;
	for (size_t i = 2; i < 8; i++)
		auth = auth << 8 | sid.p[i];
	out = (size_t)snprintf(buf, buflen, "S-1-%" PRIu64, auth);
	for (size_t i = 0; i < sid.p[1] && out < buflen; i++) {
		const uint8_t *a = sid.p + 8 + 4 * i;
		uint32_t v = (uint32_t)a[0] | (uint32_t)a[1] << 8 |
			     (uint32_t)a[2] << 16 | (uint32_t)a[3] << 24;
		out += (size_t)snprintf(buf + out, buflen - out, "-%" PRIu32,
					v);
	}
	return out < buflen ? out : buflen - 1;
}

void netlogon_db_change_get(const struct netlogon_uas_change *c, uint32_t i,
			    struct netlogon_db_change *out)
{
	struct nl_reader r = { .buf = c->db_info, .len = 20 * (size_t)c->db_count,
			       .pos = 20 * (size_t)i };
	uint32_t lo = 0, hi = 0;

	memset(out, 0, sizeof(*out));
	if (i >= c->db_count || c->db_info == NULL)
		return;
	nl_get_u32(&r, &out->db_index);
	nl_get_u32(&r, &lo);
	nl_get_u32(&r, &hi);
	out->serial = (uint64_t)hi << 32 | lo;
	nl_get_u32(&r, &lo);
	nl_get_u32(&r, &hi);
	out->nt_date_time = (uint64_t)hi << 32 | lo;
}
