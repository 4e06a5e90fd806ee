#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode_filter.h"
#include "decode_payload.h"

bool decode_filter_prepare(struct decode_filter *f, char *err, size_t n)
{
	struct in_addr a;

	f->opcode_num = -1;
	if (f->opcode != NULL) {
		char *end;
		unsigned long v = strtoul(f->opcode, &end, 0);
		if (*end == '\0' && end != f->opcode) {
			if (v > 0xffff) {
				snprintf(err, n, "opcode %s out of range",
					 f->opcode);
				return false;
			}
			f->opcode_num = (long)v;
		}
	}
	f->host_is_ip = f->host != NULL && inet_pton(AF_INET, f->host, &a) == 1;
	if (f->host_is_ip)
		f->host_ip = ntohl(a.s_addr);
	return true;
}

static bool slot_match(const char *want, const struct decode_dgram *r)
{
	size_t len = strlen(want);

	if (!r->has_smb)
		return false;
	if (r->w.name_len == len && strncasecmp(r->w.name, want, len) == 0)
		return true;
	/* BROWSE for \MAILSLOT\BROWSE */
	return r->w.name_len == len + SMB_MAILSLOT_PREFIX_LEN &&
	       strncasecmp(r->w.name, SMB_MAILSLOT_PREFIX,
			   SMB_MAILSLOT_PREFIX_LEN) == 0 &&
	       strncasecmp(r->w.name + SMB_MAILSLOT_PREFIX_LEN, want,
			   len) == 0;
}

static bool opcode_match(const struct decode_filter *f,
			 const struct decode_dgram *r)
{
	int op;

	if (!r->payload_ok || r->hook->opcode == NULL)
		return false;
	op = r->hook->opcode(r->msg);
	if (op < 0)
		return false;
	if (f->opcode_num >= 0)
		return op == f->opcode_num;
	return r->hook->opcode_name != NULL &&
	       strcasecmp(r->hook->opcode_name(op), f->opcode) == 0;
}

/* The name's 15 characters without padding, against want. */
static bool name_match(const struct nbt_name *n, const char *want)
{
	size_t len = NBT_NAME_LEN - 1;

	while (len > 0 && (n->raw[len - 1] == ' ' || n->raw[len - 1] == 0))
		len--;
	return strlen(want) == len &&
	       strncasecmp((const char *)n->raw, want, len) == 0;
}

static bool host_match(const struct decode_filter *f,
		       const struct decode_dgram *r)
{
	const struct nbt_dgram *d = decode_dgram_whole(r);

	if (f->host_is_ip)
		return r->udp.src_ip == f->host_ip ||
		       r->udp.dst_ip == f->host_ip ||
		       (r->have_header && d->src_ip == f->host_ip);
	return (r->have_source && name_match(&d->source, f->host)) ||
	       (r->have_dest && name_match(&d->dest, f->host));
}

bool decode_filter_match(const struct decode_filter *f,
			 const struct decode_dgram *r)
{
	if (f->slot != NULL && !slot_match(f->slot, r))
		return false;
	if (f->opcode != NULL && !opcode_match(f, r))
		return false;
	return f->host == NULL || host_match(f, r);
}
