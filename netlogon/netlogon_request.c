/* Client and PDC-to-BDC messages: 0x00, 0x07, 0x0a, 0x12. */
#include "netlogon_private.h"

#define NL_DB_CHANGE_LEN 20

static enum codec_error dec_logon_request(struct nl_reader *r,
					  struct netlogon_msg *m)
{
	struct netlogon_logon_request *q = &m->u.logon_request;
	enum codec_error e;

	e = nl_get_ascii(r, &q->computer_name);
	if (e == CODEC_OK)
		e = nl_get_ascii(r, &q->user_name);
	if (e == CODEC_OK)
		e = nl_get_ascii(r, &q->mailslot_name);
	if (e == CODEC_OK)
		e = nl_get_u8(r, &q->request_count);
	if (e == CODEC_OK)
		e = nl_get_trailer(r, NETLOGON_TRAILER_LM, m);
	return e;
}

/* Windows 95 style stops after the mailslot name with a Lm20 token. */
static enum codec_error dec_primary_query(struct nl_reader *r,
					  struct netlogon_msg *m)
{
	struct netlogon_primary_query *q = &m->u.primary_query;
	enum codec_error e;

	e = nl_get_ascii(r, &q->computer_name);
	if (e == CODEC_OK)
		e = nl_get_ascii(r, &q->mailslot_name);
	if (e != CODEC_OK)
		return e;
	m->has_nt_tail = nl_left(r) > 2;
	if (!m->has_nt_tail)
		return nl_get_trailer(r, NETLOGON_TRAILER_LM20, m);
	e = nl_align(r, 2);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &q->unicode_computer_name);
	if (e == CODEC_OK)
		e = nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
	return e;
}

static enum codec_error dec_uas_change(struct nl_reader *r,
				       struct netlogon_msg *m)
{
	struct netlogon_uas_change *c = &m->u.uas_change;
	uint32_t sid_size = 0;
	enum codec_error e;

	e = nl_get_u32(r, &c->low_serial);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &c->date_time);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &c->pulse);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &c->random);
	if (e == CODEC_OK)
		e = nl_get_ascii(r, &c->pdc_name);
	if (e == CODEC_OK)
		e = nl_get_ascii(r, &c->domain_name);
	if (e == CODEC_OK)
		e = nl_align(r, 2);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &c->unicode_pdc_name);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &c->unicode_domain_name);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &c->db_count);
	if (e != CODEC_OK)
		return e;
	/* divide first: count * 20 could overflow */
	if (c->db_count > nl_left(r) / NL_DB_CHANGE_LEN)
		return CODEC_ERR_PAYLOAD_TRUNCATED;
	e = nl_get_bytes(r, (size_t)c->db_count * NL_DB_CHANGE_LEN,
			 &c->db_info);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &sid_size);
	c->domain_sid.p = NULL;
	c->domain_sid.len = 0;
	if (e == CODEC_OK && sid_size > 0)
		e = nl_get_sid(r, sid_size, &c->domain_sid);
	if (e == CODEC_OK)
		e = nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
	return e;
}

/* Unicode strings here are not aligned; only the SID is (to 4). */
static enum codec_error dec_sam_request(struct nl_reader *r,
					struct netlogon_msg *m)
{
	struct netlogon_sam_logon_request *q = &m->u.sam_request;
	uint32_t sid_size = 0;
	enum codec_error e;

	e = nl_get_u16(r, &q->request_count);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &q->unicode_computer_name);
	if (e == CODEC_OK)
		e = nl_get_utf16(r, &q->user_name);
	if (e == CODEC_OK)
		e = nl_get_ascii(r, &q->mailslot_name);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &q->allowable_account_control);
	if (e == CODEC_OK)
		e = nl_get_u32(r, &sid_size);
	q->domain_sid.p = NULL;
	q->domain_sid.len = 0;
	if (e == CODEC_OK && sid_size > 0) {
		e = nl_align(r, 4);
		if (e == CODEC_OK)
			e = nl_get_sid(r, sid_size, &q->domain_sid);
	}
	if (e == CODEC_OK)
		e = nl_get_trailer(r, NETLOGON_TRAILER_NT, m);
	return e;
}

enum codec_error nl_decode_request(struct nl_reader *r, struct netlogon_msg *m)
{
	switch (m->opcode) {
	case LOGON_REQUEST:
		return dec_logon_request(r, m);
	case LOGON_PRIMARY_QUERY:
		return dec_primary_query(r, m);
	case LOGON_UAS_CHANGE:
		return dec_uas_change(r, m);
	case LOGON_SAM_LOGON_REQUEST:
		return dec_sam_request(r, m);
	default:
		return CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE;
	}
}

static void enc_uas_change(struct nl_writer *w,
			   const struct netlogon_uas_change *c)
{
	nl_put_u32(w, c->low_serial);
	nl_put_u32(w, c->date_time);
	nl_put_u32(w, c->pulse);
	nl_put_u32(w, c->random);
	nl_put_ascii(w, c->pdc_name);
	nl_put_ascii(w, c->domain_name);
	nl_put_align(w, 2);
	nl_put_utf16(w, c->unicode_pdc_name);
	nl_put_utf16(w, c->unicode_domain_name);
	nl_put_u32(w, c->db_count);
	if (c->db_count > 0 && c->db_info == NULL)
		w->err = CODEC_ERR_INVALID_ARGUMENT;
	else if (c->db_count > 0xffff)
		w->err = CODEC_ERR_INVALID_ARGUMENT;
	else
		nl_put_bytes(w, c->db_info,
			     (size_t)c->db_count * NL_DB_CHANGE_LEN);
	nl_put_u32(w, (uint32_t)c->domain_sid.len);
	nl_put_bytes(w, c->domain_sid.p, c->domain_sid.len);
}

static void enc_sam_request(struct nl_writer *w,
			    const struct netlogon_sam_logon_request *q)
{
	nl_put_u16(w, q->request_count);
	nl_put_utf16(w, q->unicode_computer_name);
	nl_put_utf16(w, q->user_name);
	nl_put_ascii(w, q->mailslot_name);
	nl_put_u32(w, q->allowable_account_control);
	nl_put_u32(w, (uint32_t)q->domain_sid.len);
	if (q->domain_sid.len > 0) {
		nl_put_align(w, 4);
		nl_put_bytes(w, q->domain_sid.p, q->domain_sid.len);
	}
}

void nl_encode_request(struct nl_writer *w, const struct netlogon_msg *m)
{
	const struct netlogon_logon_request *lr = &m->u.logon_request;
	const struct netlogon_primary_query *pq = &m->u.primary_query;

	switch (m->opcode) {
	case LOGON_REQUEST:
		nl_put_ascii(w, lr->computer_name);
		nl_put_ascii(w, lr->user_name);
		nl_put_ascii(w, lr->mailslot_name);
		nl_put_u8(w, lr->request_count);
		break;
	case LOGON_PRIMARY_QUERY:
		nl_put_ascii(w, pq->computer_name);
		nl_put_ascii(w, pq->mailslot_name);
		if (m->has_nt_tail) {
			nl_put_align(w, 2);
			nl_put_utf16(w, pq->unicode_computer_name);
		}
		break;
	case LOGON_UAS_CHANGE:
		enc_uas_change(w, &m->u.uas_change);
		break;
	case LOGON_SAM_LOGON_REQUEST:
		enc_sam_request(w, &m->u.sam_request);
		break;
	default:
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	nl_put_trailer(w, netlogon_trailer_of(m), m);
}
