/* The NETLOGON hook: netlogon/ codec, tools/netlogon_fields for fields. */
#include <string.h>

#include "netlogon/netlogon.h"
#include "tools/netlogon_fields.h"
#include "decode_payload.h"
#include "decode_stats.h"

#define TEXT_MAX 256

static enum codec_error n_decode(const uint8_t *buf, size_t len,
				 const char *slot, size_t slot_len, void *msg)
{
	(void)slot;
	(void)slot_len;
	return netlogon_decode(buf, len, msg);
}

static void n_emit(const void *msg, dgram_field_fn fn, void *priv)
{
	netlogon_fields_emit(msg, fn, priv);
}

static size_t n_summary(const void *msg, char *buf, size_t buflen)
{
	return netlogon_summary(msg, buf, buflen);
}

static int n_opcode(const void *msg)
{
	return ((const struct netlogon_msg *)msg)->opcode;
}

static const char *n_opcode_name(int opcode)
{
	const char *n = netlogon_opcode_name((uint16_t)opcode);

	return n != NULL ? n : "unknown";
}

/* A DC answering: its name and domain, from whichever reply form. */
static void n_stats(struct decode_stats *s, const struct decode_dgram *r,
		    const void *msg)
{
	const struct netlogon_msg *m = msg;
	char dc[TEXT_MAX], dom[TEXT_MAX];

	(void)r;
	dc[0] = dom[0] = '\0';
	if (m->opcode == 0x0c) {
		const struct netlogon_primary_response *p =
			&m->u.primary_response;
		netlogon_utf16_to_utf8(p->unicode_pdc_name, dc, sizeof(dc));
		netlogon_utf16_to_utf8(p->unicode_domain_name, dom,
				       sizeof(dom));
	} else if (netlogon_is_sam_response_ex(m->opcode)) {
		const struct netlogon_sam_logon_response_ex *x =
			&m->u.sam_response_ex;
		netlogon_dns_name_text(&x->netbios_computer_name, dc,
				       sizeof(dc));
		netlogon_dns_name_text(&x->netbios_domain_name, dom,
				       sizeof(dom));
	} else if (netlogon_is_sam_response(m->opcode)) {
		const struct netlogon_sam_logon_response *x =
			&m->u.sam_response;
		netlogon_utf16_to_utf8(x->logon_server, dc, sizeof(dc));
		netlogon_utf16_to_utf8(x->domain_name, dom, sizeof(dom));
	} else {
		return;
	}
	/* "\\PDC1" -> "PDC1" */
	decode_stats_dc(s, dc + strspn(dc, "\\"), strlen(dc + strspn(dc, "\\")),
			dom, strlen(dom));
}

const struct decode_payload_hook decode_hook_netlogon = {
	.proto = "netlogon",
	.msg_size = sizeof(struct netlogon_msg),
	.decode = n_decode,
	.emit = n_emit,
	.summary = n_summary,
	.opcode = n_opcode,
	.opcode_name = n_opcode_name,
	.stats = n_stats,
};
