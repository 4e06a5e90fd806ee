/* DC replies: 0x06, 0x0c, 0x13-0x15 (NT40/NT5), 0x17-0x19 (EX). */
#include <string.h>

#include "netlogon_private.h"

#define NL_TRAILER_NT_LEN 8
#define NL_SOCKADDR_IN_LEN 16

/* [MS-ADTS] §6.3.1.5: the Unicode names and NT trailer are always there. */
static enum codec_error dec_primary_response(struct nl_reader *r,
					     struct netlogon_msg *m)
{
	struct netlogon_primary_response *p = &m->u.primary_response;
	enum codec_error e;

	m->has_nt_tail = true;
	e = nl_get_ascii(r, &p->pdc_name);
	if (e == CODEC_OK)
		e = nl_align(r, 2);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &p->unicode_pdc_name);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &p->unicode_domain_name);
	if (e != CODEC_OK)
		return e;
	/* nmbd: zero pad so NtVersion is 4-aligned (from the message start) */
	p->nt_version_aligned = r->pos % 4 != 0 &&
		nl_left(r) == NL_TRAILER_NT_LEN + (4 - r->pos % 4) &&
		r->buf[r->pos] == 0 && r->buf[r->pos + 1] == 0 &&
		(r->pos % 4 != 1 || r->buf[r->pos + 2] == 0);
	if (p->nt_version_aligned)
		r->pos += 4 - r->pos % 4;
	return nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
}

static enum codec_error get_guid(struct nl_reader *r, uint8_t guid[16])
{
	const uint8_t *p;
	enum codec_error e = nl_get_bytes(r, 16, &p);

	if (e == CODEC_OK)
		memcpy(guid, p, 16);
	return e;
}

/* NT40 ends after the domain name; anything more is the NT5 part. */
static enum codec_error dec_sam_response(struct nl_reader *r,
					 struct netlogon_msg *m)
{
	struct netlogon_sam_logon_response *s = &m->u.sam_response;
	enum codec_error e;

	e = nl_get_utf16(r, &s->logon_server);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &s->user_name);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &s->domain_name);
	if (e != CODEC_OK)
		return e;
	s->nt5 = nl_left(r) > NL_TRAILER_NT_LEN;
	if (!s->nt5)
		return nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
	e = get_guid(r, s->domain_guid);
	if (e == CODEC_OK)
		e = get_guid(r, s->null_guid);
	if (e == CODEC_OK)
		e = nl_get_dns(r, &s->dns_forest_name);
	if (e == CODEC_OK)
		e = nl_get_dns(r, &s->dns_domain_name);
	if (e == CODEC_OK)
		e = nl_get_dns(r, &s->dns_host_name);
	if (e == CODEC_OK)
		e = nl_get_u32_be(r, &s->dc_ip);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &s->flags);
	if (e == CODEC_OK)
		e = nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
	return e;
}

static enum codec_error dec_sockaddr(struct nl_reader *r,
				     struct netlogon_sam_logon_response_ex *x)
{
	const uint8_t *p;
	enum codec_error e = nl_get_u8(r, &x->sockaddr_size);

	if (e == CODEC_OK)
		e = nl_get_bytes(r, x->sockaddr_size, &p);
	if (e != CODEC_OK)
		return e;
	x->sockaddr.p = p;
	x->sockaddr.len = x->sockaddr_size;
	if (x->sockaddr_size < 8)
		return CODEC_ERR_PAYLOAD_BAD_FIELD;
	x->sockaddr_family = (uint16_t)(p[0] | p[1] << 8);
	x->dc_ip = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		   (uint32_t)p[6] << 8 | p[7];
	return CODEC_OK;
}

/*
 * The sockaddr is there when the reply's NtVersion has 5EX_WITH_IP, or
 * when exactly 1 + its size byte remain before the trailer (which no DNS
 * name can fill: it would lack its end).  What still remains is the
 * NextClosestSiteName.
 */
static enum codec_error dec_ex_tail(struct nl_reader *r,
				    struct netlogon_sam_logon_response_ex *x)
{
	struct nl_reader t = *r;
	size_t body;
	uint32_t ntv = 0;
	enum codec_error e;

	if (nl_left(r) < NL_TRAILER_NT_LEN)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	body = nl_left(r) - NL_TRAILER_NT_LEN;
	t.pos = r->len - NL_TRAILER_NT_LEN;
	e = nl_get_u32(&t, &ntv);
	if (e != CODEC_OK)
		return e;
	x->has_sockaddr = body > 0 &&
		((ntv & NETLOGON_NT_VERSION_5EX_WITH_IP) ||
		 (r->buf[r->pos] >= 8 && body == 1 + (size_t)r->buf[r->pos]));
	if (x->has_sockaddr) {
		e = dec_sockaddr(r, x);
		if (e != CODEC_OK)
			return e;
		if (nl_left(r) < NL_TRAILER_NT_LEN)
			return CODEC_ERR_PAYLOAD_TRUNCATED;
	}
	x->has_next_closest_site = nl_left(r) > NL_TRAILER_NT_LEN;
	if (!x->has_next_closest_site)
		return CODEC_OK;
	/* the name must end exactly where the trailer starts */
	t = *r;
	t.len = r->len - NL_TRAILER_NT_LEN;
	e = nl_get_dns(&t, &x->next_closest_site_name);
	if (e != CODEC_OK)
		return e;
	x->next_closest_site_name.msg_len = r->len;
	if (nl_left(&t) != 0)
		return CODEC_ERR_PAYLOAD_TRAILING_BYTES;
	r->pos = t.pos;
	return CODEC_OK;
}

static enum codec_error dec_sam_response_ex(struct nl_reader *r,
					    struct netlogon_msg *m)
{
	struct netlogon_sam_logon_response_ex *x = &m->u.sam_response_ex;
	struct netlogon_dns_name *names[] = {
		&x->dns_forest_name, &x->dns_domain_name, &x->dns_host_name,
		&x->netbios_domain_name, &x->netbios_computer_name,
		&x->user_name, &x->dc_site_name, &x->client_site_name,
	};
	enum codec_error e;

	e = nl_get_u16(r, &x->sbz);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &x->flags);
	if (e == CODEC_OK)
		e = get_guid(r, x->domain_guid);
	for (size_t i = 0; e == CODEC_OK && i < 8; i++)
		e = nl_get_dns(r, names[i]);
	if (e == CODEC_OK)
		e = dec_ex_tail(r, x);
	if (e == CODEC_OK)
		e = nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
	return e;
}

enum codec_error nl_decode_response(struct nl_reader *r,
				    struct netlogon_msg *m)
{
	struct netlogon_logon_response2 *r2 = &m->u.response2;
	enum codec_error e;

	switch (m->opcode) {
	case LOGON_RESPONSE2:
		e = nl_get_ascii(r, &r2->server_name);
		if (e == CODEC_OK)
			e = nl_get_trailer(r, NETLOGON_TRAILER_LM20, m);
		return e;
	case LOGON_PRIMARY_RESPONSE:
		return dec_primary_response(r, m);
	case LOGON_SAM_LOGON_RESPONSE:
	case LOGON_SAM_PAUSE_RESPONSE:
	case LOGON_SAM_USER_UNKNOWN:
		return dec_sam_response(r, m);
	case LOGON_SAM_LOGON_RESPONSE_EX:
	case LOGON_SAM_PAUSE_RESPONSE_EX:
	case LOGON_SAM_USER_UNKNOWN_EX:
		return dec_sam_response_ex(r, m);
	default:
		return CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE;
	}
}

static void enc_sam_response(struct nl_writer *w,
			     const struct netlogon_sam_logon_response *s)
{
	nl_put_utf16(w, s->logon_server);
	nl_put_utf16(w, s->user_name);
	nl_put_utf16(w, s->domain_name);
	if (!s->nt5)
		return;
	nl_put_bytes(w, s->domain_guid, 16);
	nl_put_bytes(w, s->null_guid, 16);
	nl_put_dns(w, &s->dns_forest_name);
	nl_put_dns(w, &s->dns_domain_name);
	nl_put_dns(w, &s->dns_host_name);
	nl_put_u32_be(w, s->dc_ip);
	nl_put_u32(w, s->flags);
}

/* A decoded sockaddr is written back as it was; else a sockaddr_in. */
static void enc_sockaddr(struct nl_writer *w,
			 const struct netlogon_sam_logon_response_ex *x)
{
	if (x->sockaddr.p != NULL) {
		if (x->sockaddr.len > 0xff) {
			w->err = CODEC_ERR_INVALID_ARGUMENT;
			return;
		}
		nl_put_u8(w, (uint8_t)x->sockaddr.len);
		nl_put_bytes(w, x->sockaddr.p, x->sockaddr.len);
		return;
	}
	nl_put_u8(w, NL_SOCKADDR_IN_LEN);
	nl_put_u16(w, x->sockaddr_family);
	nl_put_u16(w, 0);
	nl_put_u32_be(w, x->dc_ip);
	nl_put_u32(w, 0);
	nl_put_u32(w, 0);
}

static void enc_sam_response_ex(struct nl_writer *w,
				const struct netlogon_sam_logon_response_ex *x)
{
	const struct netlogon_dns_name *names[] = {
		&x->dns_forest_name, &x->dns_domain_name, &x->dns_host_name,
		&x->netbios_domain_name, &x->netbios_computer_name,
		&x->user_name, &x->dc_site_name, &x->client_site_name,
	};

	nl_put_u16(w, x->sbz);
	nl_put_u32(w, x->flags);
	nl_put_bytes(w, x->domain_guid, 16);
	for (size_t i = 0; i < 8; i++)
		nl_put_dns(w, names[i]);
	if (x->has_sockaddr)
		enc_sockaddr(w, x);
	if (x->has_next_closest_site)
		nl_put_dns(w, &x->next_closest_site_name);
}

void nl_encode_response(struct nl_writer *w, const struct netlogon_msg *m)
{
	const struct netlogon_primary_response *p = &m->u.primary_response;

	switch (m->opcode) {
	case LOGON_RESPONSE2:
		nl_put_ascii(w, m->u.response2.server_name);
		break;
	case LOGON_PRIMARY_RESPONSE:
		nl_put_ascii(w, p->pdc_name);
		nl_put_align(w, 2);
		nl_put_utf16(w, p->unicode_pdc_name);
		nl_put_utf16(w, p->unicode_domain_name);
		if (p->nt_version_aligned)
			nl_put_align(w, 4);
		break;
	case LOGON_SAM_LOGON_RESPONSE:
	case LOGON_SAM_PAUSE_RESPONSE:
	case LOGON_SAM_USER_UNKNOWN:
		enc_sam_response(w, &m->u.sam_response);
		break;
	case LOGON_SAM_LOGON_RESPONSE_EX:
	case LOGON_SAM_PAUSE_RESPONSE_EX:
	case LOGON_SAM_USER_UNKNOWN_EX:
		enc_sam_response_ex(w, &m->u.sam_response_ex);
		break;
	default:
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	nl_put_trailer(w, netlogon_trailer_of(m), m);
}
