/* NETLOGON messages: opcode dispatch, names, builders. */
#include <string.h>

#include "netlogon_private.h"

const char *netlogon_opcode_name(uint16_t opcode)
{
	switch (opcode) {
	case LOGON_REQUEST: return "LOGON_REQUEST";
	case LOGON_RESPONSE2: return "LOGON_RESPONSE2";
	case LOGON_PRIMARY_QUERY: return "LOGON_PRIMARY_QUERY";
	case LOGON_UAS_CHANGE: return "LOGON_UAS_CHANGE";
	case LOGON_PRIMARY_RESPONSE: return "LOGON_PRIMARY_RESPONSE";
	case LOGON_SAM_LOGON_REQUEST: return "LOGON_SAM_LOGON_REQUEST";
	case LOGON_SAM_LOGON_RESPONSE: return "LOGON_SAM_LOGON_RESPONSE";
	case LOGON_SAM_PAUSE_RESPONSE: return "LOGON_SAM_PAUSE_RESPONSE";
	case LOGON_SAM_USER_UNKNOWN: return "LOGON_SAM_USER_UNKNOWN";
	case LOGON_SAM_LOGON_RESPONSE_EX: return "LOGON_SAM_LOGON_RESPONSE_EX";
	case LOGON_SAM_PAUSE_RESPONSE_EX: return "LOGON_SAM_PAUSE_RESPONSE_EX";
	case LOGON_SAM_USER_UNKNOWN_EX: return "LOGON_SAM_USER_UNKNOWN_EX";
	default: return NULL;
	}
}

bool netlogon_is_sam_response(uint16_t opcode)
{
	return opcode >= LOGON_SAM_LOGON_RESPONSE &&
	       opcode <= LOGON_SAM_USER_UNKNOWN;
}

bool netlogon_is_sam_response_ex(uint16_t opcode)
{
	return opcode >= LOGON_SAM_LOGON_RESPONSE_EX &&
	       opcode <= LOGON_SAM_USER_UNKNOWN_EX;
}

enum netlogon_trailer netlogon_trailer_of(const struct netlogon_msg *m)
{
	switch (m->opcode) {
	case LOGON_REQUEST:
		return NETLOGON_TRAILER_LM;
	case LOGON_RESPONSE2:
		return NETLOGON_TRAILER_LM20;
	case LOGON_PRIMARY_QUERY:
		return m->has_nt_tail ? NETLOGON_TRAILER_NT
				      : NETLOGON_TRAILER_LM20;
	default:
		return NETLOGON_TRAILER_NT;
	}
}

static bool is_request(uint16_t opcode)
{
	return opcode == LOGON_REQUEST || opcode == LOGON_PRIMARY_QUERY ||
	       opcode == LOGON_UAS_CHANGE || opcode == LOGON_SAM_LOGON_REQUEST;
}

/*
 * The opcode is a u16 (Wireshark reads a u8 and skips a byte); a high
 * byte other than 0 names no known message.
 */
enum codec_error netlogon_decode(const uint8_t *buf, size_t len,
				 struct netlogon_msg *m)
{
	struct nl_reader r = { .buf = buf, .len = len, .pos = 0 };
	enum codec_error e;

	memset(m, 0, sizeof(*m));
	if (buf == NULL && len > 0)
		return CODEC_ERR_INVALID_ARGUMENT;
	e = nl_get_u16(&r, &m->opcode);
	if (e != CODEC_OK)
		return e;
	if (netlogon_opcode_name(m->opcode) == NULL)
		return CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE;
	if (is_request(m->opcode))
		return nl_decode_request(&r, m);
	return nl_decode_response(&r, m);
}

static void encode_into(struct nl_writer *w, const struct netlogon_msg *m)
{
	if (netlogon_opcode_name(m->opcode) == NULL) {
		w->err = CODEC_ERR_INVALID_ARGUMENT;
		return;
	}
	nl_put_u16(w, m->opcode);
	if (is_request(m->opcode))
		nl_encode_request(w, m);
	else
		nl_encode_response(w, m);
}

size_t netlogon_encoded_len(const struct netlogon_msg *m)
{
	/* the writer holds the compression table: ~3 KiB, not recursive */
	struct nl_writer w = { 0 };

	encode_into(&w, m);
	return w.err == CODEC_OK ? w.pos : 0;
}

enum codec_error netlogon_encode(const struct netlogon_msg *m, uint8_t *buf,
				 size_t buflen, size_t *used)
{
	struct nl_writer w = { .buf = buf, .cap = buflen };

	*used = 0;
	if (buf == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	encode_into(&w, m);
	if (w.err != CODEC_OK)
		return w.err;
	if (w.overflow)
		return CODEC_ERR_BUFFER_TOO_SMALL;
	*used = w.pos;
	return CODEC_OK;
}

void netlogon_build_primary_query(struct netlogon_msg *m,
				  struct netlogon_str computer,
				  struct netlogon_str mailslot,
				  struct netlogon_str unicode_computer)
{
	memset(m, 0, sizeof(*m));
	m->opcode = LOGON_PRIMARY_QUERY;
	m->has_nt_tail = true;
	m->u.primary_query.computer_name = computer;
	m->u.primary_query.mailslot_name = mailslot;
	m->u.primary_query.unicode_computer_name = unicode_computer;
	m->nt_version = NETLOGON_NT_VERSION_1;
	m->lmnt_token = 0xffff;
	m->lm20_token = 0xffff;
}

void netlogon_build_sam_logon_request(struct netlogon_msg *m,
				      struct netlogon_str unicode_computer,
				      struct netlogon_str unicode_user,
				      struct netlogon_str mailslot,
				      uint32_t nt_version)
{
	struct netlogon_sam_logon_request *q = &m->u.sam_request;

	memset(m, 0, sizeof(*m));
	m->opcode = LOGON_SAM_LOGON_REQUEST;
	q->unicode_computer_name = unicode_computer;
	q->user_name = unicode_user;
	q->mailslot_name = mailslot;
	/*
	 * "HOST$" is a machine account: workstation trust (0x80), as illumos
	 * sends it; otherwise 0, which a DC treats as "any account kind".
	 */
	q->allowable_account_control =
		unicode_user.len >= 2 &&
		unicode_user.p[unicode_user.len - 2] == '$' &&
		unicode_user.p[unicode_user.len - 1] == 0 ? 0x80 : 0;
	m->nt_version = nt_version;
	m->lmnt_token = 0xffff;
	m->lm20_token = 0xffff;
}

struct netlogon_str netlogon_str_ascii(const char *s)
{
	struct netlogon_str v = { (const uint8_t *)s, s ? strlen(s) : 0 };

	return v;
}
