/* The Browser hook: browser/ codec, tools/browser_fields for fields. */
#include <string.h>

#include "browser/browser.h"
#include "tools/browser_fields.h"
#include "decode_payload.h"
#include "decode_stats.h"

static enum codec_error b_decode(const uint8_t *buf, size_t len,
				 const char *slot, size_t slot_len, void *msg)
{
	return browser_decode(buf, len, browser_layout_for_slot(slot, slot_len),
			      msg);
}

static void b_emit(const void *msg, dgram_field_fn fn, void *priv)
{
	browser_fields_emit(msg, fn, priv);
}

static size_t b_summary(const void *msg, char *buf, size_t buflen)
{
	return browser_summary(msg, buf, buflen);
}

static int b_opcode(const void *msg)
{
	return ((const struct browser_msg *)msg)->opcode;
}

static const char *b_opcode_name(int opcode)
{
	return browser_opcode_name((uint8_t)opcode);
}

/* The workgroup a browser datagram is about: its destination name. */
static void dest_workgroup(const struct decode_dgram *r, char *wg, size_t n)
{
	const struct nbt_dgram *d = decode_dgram_whole(r);
	size_t len = 0;

	/* bytes 0-14, without the space padding */
	for (size_t i = 0; i < NBT_NAME_LEN - 1 && len + 1 < n; i++)
		wg[len++] = (char)d->dest.raw[i];
	while (len > 0 && (wg[len - 1] == ' ' || wg[len - 1] == '\0'))
		len--;
	wg[len] = '\0';
}

static void b_stats(struct decode_stats *s, const struct decode_dgram *r,
		    const void *msg)
{
	const struct browser_msg *m = msg;
	const struct browser_announcement *a = &m->ann;
	char wg[NBT_NAME_LEN];

	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		decode_stats_host(s, a->server_name.ptr, a->server_name.len,
				  r->udp.src_ip, a->os_major, a->os_minor,
				  a->server_type, a->comment.ptr,
				  a->comment.len);
		dest_workgroup(r, wg, sizeof(wg));
		if (m->opcode == BROWSER_LOCAL_MASTER_ANNOUNCEMENT ||
		    (a->server_type & SV_TYPE_MASTER_BROWSER))
			decode_stats_workgroup(s, wg, strlen(wg),
					       a->server_name.ptr,
					       a->server_name.len);
		else
			decode_stats_workgroup(s, wg, strlen(wg), NULL, 0);
		break;
	case BROWSER_DOMAIN_ANNOUNCEMENT:
		/* server_name is the workgroup, comment its master */
		decode_stats_workgroup(s, a->server_name.ptr,
				       a->server_name.len, a->comment.ptr,
				       a->comment.len);
		break;
	case BROWSER_REQUEST_ELECTION:
		decode_stats_election(s, m->election.server_name.ptr,
				      m->election.server_name.len);
		break;
	}
}

const struct decode_payload_hook decode_hook_browser = {
	.proto = "browser",
	.msg_size = sizeof(struct browser_msg),
	.decode = b_decode,
	.emit = b_emit,
	.summary = b_summary,
	.opcode = b_opcode,
	.opcode_name = b_opcode_name,
	.stats = b_stats,
};
