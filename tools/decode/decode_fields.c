/*
 * A decoded datagram as tshark-named fields, formatted as `tshark -T
 * json` prints them.  Unlike tools/dgram_fields.c (the tshark -T fields
 * subset used by the demo), this covers every field tshark shows for the
 * frame, the SMB header bits and reserved bytes included, and copes with
 * a datagram decoded only in part.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nbt/byteorder.h"
#include "tools/field_text.h"
#include "decode_payload.h"

#define SMB_HDR_LEN 32
#define DATA_SHOW_MAX 2048	/* payload bytes shown as data.data */

/* A value built here from digits, hex, dots and colons: nothing to
 * escape, and its length is known. */
static void plain(const struct decode_field_sink *s, const char *f,
		  const char *v, size_t len)
{
	if (s->plain != NULL)
		s->plain(s->priv, f, v, len);
	else
		s->fn(s->priv, f, v);
}

static void u(const struct decode_field_sink *s, const char *f,
	      unsigned long v)
{
	char b[FIELD_TEXT_NUM_MAX];

	plain(s, f, b, field_text_u(b, v));
}

static void hx(const struct decode_field_sink *s, const char *f,
	       unsigned long v, int digits)
{
	char b[FIELD_TEXT_NUM_MAX];

	plain(s, f, b, field_text_hex(b, v, digits));
}

static void ip(const struct decode_field_sink *s, const char *f, uint32_t a)
{
	char b[16];

	plain(s, f, b, field_text_ipv4(b, a));
}

/* "%lld.%09ld" by hand for what captures hold; snprintf for the rest. */
static void epoch(const struct decode_field_sink *s, const char *f,
		  long long sec, long frac)
{
	char b[48];
	size_t n;

	if (sec < 0 || frac < 0 || frac >= 1000000000) {
		snprintf(b, sizeof(b), "%lld.%09ld", sec, frac);
		s->fn(s->priv, f, b);
		return;
	}
	n = field_text_u(b, (uint64_t)sec);
	b[n++] = '.';
	for (int i = 8; i >= 0; i--, frac /= 10)
		b[n + (size_t)i] = (char)('0' + frac % 10);
	b[n + 9] = '\0';
	plain(s, f, b, n + 9);
}

/* Bytes as tshark's JSON shows FT_BYTES: "aa:bb:cc". */
static void bytes(const struct decode_field_sink *s, const char *f,
		  const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char b[DATA_SHOW_MAX * 3 + 1];
	size_t o = 0;

	for (size_t i = 0; i < len && i < DATA_SHOW_MAX; i++) {
		if (i)
			b[o++] = ':';
		b[o++] = hex[p[i] >> 4];
		b[o++] = hex[p[i] & 15];
	}
	b[o] = '\0';
	plain(s, f, b, o);
}

static void bit(const struct decode_field_sink *s, const char *f, unsigned v,
		unsigned mask)
{
	plain(s, f, (v & mask) ? "1" : "0", 1);
}

static void name(const struct decode_field_sink *s, const char *f,
		 const struct nbt_name *n)
{
	char b[NBT_NAME_TEXT_MAX + NBT_NAME_LEN];
	size_t spaces = 0;

	/* tshark keeps a name of 15 spaces (nbt_name_format trims it) */
	while (spaces < NBT_NAME_LEN - 1 && n->raw[spaces] == ' ')
		spaces++;
	if (spaces == NBT_NAME_LEN - 1)
		memset(b, ' ', spaces);
	else
		spaces = 0;
	nbt_name_format(n, b + spaces, sizeof(b) - spaces);
	s->fn(s->priv, f, b);
}

static void frame_fields(const struct decode_dgram *r,
			 const struct decode_field_sink *s)
{
	long frac = r->ts_nsec ? (long)r->ts.tv_usec
			       : (long)r->ts.tv_usec * 1000;

	u(s, "frame.number", (unsigned long)r->frame);
	epoch(s, "frame.time_epoch", (long long)r->ts.tv_sec, frac);
	/* an ICMP error shows its own addresses, then the quoted ones */
	if (r->udp.icmp_quoted) {
		ip(s, "ip.src", r->udp.icmp_src_ip);
		ip(s, "ip.dst", r->udp.icmp_dst_ip);
		u(s, "icmp.type", r->udp.icmp_type);
		u(s, "icmp.code", r->udp.icmp_code);
	}
	ip(s, "ip.src", r->udp.src_ip);
	ip(s, "ip.dst", r->udp.dst_ip);
	u(s, "udp.srcport", r->udp.src_port);
	u(s, "udp.dstport", r->udp.dst_port);
}

static void nbdgm_fields(const struct decode_dgram *r,
			 const struct decode_field_sink *s)
{
	const struct nbt_dgram *d = &r->d;

	if (!r->have_header)
		return;
	u(s, "nbdgm.type", d->type);
	hx(s, "nbdgm.flags", d->flags, 2);
	bit(s, "nbdgm.next", d->flags, NBT_DGRAM_FLAG_MORE);
	bit(s, "nbdgm.first", d->flags, NBT_DGRAM_FLAG_FIRST);
	u(s, "nbdgm.node_type", (d->flags & NBT_DGRAM_NODE_MASK) >> 2);
	hx(s, "nbdgm.dgram_id", d->id, 4);
	ip(s, "nbdgm.src.ip", d->src_ip);
	u(s, "nbdgm.src.port", d->src_port);
	if (d->type == NBT_DGRAM_ERROR) {
		if (r->status == DECODE_OK)
			hx(s, "nbdgm.error_code", d->error_code, 2);
		return;
	}
	if (r->have_lengths) {
		u(s, "nbdgm.dgram_len", d->dgm_length);
		u(s, "nbdgm.pkt_offset", d->packet_offset);
	}
	if (r->have_source && nbt_dgram_type_is_data(d->type))
		name(s, "nbdgm.source_name", &d->source);
	if (r->have_dest)
		name(s, "nbdgm.destination_name", &d->dest);
}

static void smb_header(const uint8_t *h, const struct decode_field_sink *s)
{
	unsigned f = h[9], f2 = get_le16(h + 10);

	hx(s, "smb.server_component", get_le32(h), 8);
	hx(s, "smb.cmd", h[4], 2);
	hx(s, "smb.error_class", h[5], 2);
	bytes(s, "smb.reserved", h + 6, 1);
	hx(s, "smb.error_code", get_le16(h + 7), 4);
	hx(s, "smb.flags", f, 2);
	bit(s, "smb.flags.response", f, 0x80);
	bit(s, "smb.flags.notify", f, 0x40);
	bit(s, "smb.flags.oplock", f, 0x20);
	bit(s, "smb.flags.canon", f, 0x10);
	bit(s, "smb.flags.caseless", f, 0x08);
	bit(s, "smb.flags.receive_buffer", f, 0x02);
	bit(s, "smb.flags.lock", f, 0x01);
	hx(s, "smb.flags2", f2, 4);
	bit(s, "smb.flags2.string", f2, 0x8000);
	bit(s, "smb.flags2.nt_error", f2, 0x4000);
	bit(s, "smb.flags2.roe", f2, 0x2000);
	bit(s, "smb.flags2.dfs", f2, 0x1000);
	bit(s, "smb.flags2.esn", f2, 0x0800);
	bit(s, "smb.flags2.reparse_path", f2, 0x0400);
	bit(s, "smb.flags2.long_names_used", f2, 0x0040);
	bit(s, "smb.flags2.sec_sig_required", f2, 0x0010);
	bit(s, "smb.flags2.compressed", f2, 0x0008);
	bit(s, "smb.flags2.sec_sig", f2, 0x0004);
	bit(s, "smb.flags2.ea", f2, 0x0002);
	bit(s, "smb.flags2.long_names_allowed", f2, 0x0001);
	u(s, "smb.pid.high", get_le16(h + 12));
	bytes(s, "smb.signature", h + 14, 8);
	bytes(s, "smb.reserved", h + 22, 2);
	u(s, "smb.tid", get_le16(h + 24));
	u(s, "smb.pid", get_le16(h + 26));
	u(s, "smb.uid", get_le16(h + 28));
	u(s, "smb.mid", get_le16(h + 30));
}

/* The mailslot name as tshark shows an ASCII string. */
static void slot_name(const struct smb_mailslot_write *w, char *b, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < w->name_len && o + 5 < n; i++) {
		unsigned char c = (unsigned char)w->name[i];
		if (c >= 0x20 && c < 0x7f)
			b[o++] = (char)c;
		else
			o += (size_t)snprintf(b + o, n - o, "\\x%02x", c);
	}
	b[o] = '\0';
}

static void smb_fields(const struct decode_dgram *r,
		       const struct decode_field_sink *s)
{
	const struct smb_mailslot_write *w = &r->w;
	const uint8_t *t = r->smb + SMB_HDR_LEN;
	char nm[SMB_MAILSLOT_SMB_LIMIT * 4];

	smb_header(r->smb, s);
	u(s, "smb.wct", t[0]);
	u(s, "smb.tpc", w->wire.total_param_count);
	u(s, "smb.tdc", w->wire.total_data_count);
	u(s, "smb.mpc", w->max_param_count);
	u(s, "smb.mdc", w->wire.max_data_count);
	u(s, "smb.msc", w->wire.max_setup_count);
	bytes(s, "smb.reserved", t + 10, 1);
	hx(s, "smb.transaction.flags", w->trans_flags, 4);
	bit(s, "smb.transaction.flags.owt", w->trans_flags, 0x0002);
	bit(s, "smb.transaction.flags.dtid", w->trans_flags, 0x0001);
	u(s, "smb.timeout", w->timeout_ms);
	bytes(s, "smb.reserved", t + 17, 2);
	u(s, "smb.pc", w->wire.param_count);
	u(s, "smb.po", w->wire.param_offset);
	u(s, "smb.dc", w->wire.data_count);
	u(s, "smb.data_offset", w->wire.data_offset);
	u(s, "smb.sc", t[27]);
	bytes(s, "smb.reserved", t + 28, 1);
	u(s, "smb.bcc", w->wire.byte_count);
	slot_name(w, nm, sizeof(nm));
	s->fn(s->priv, "smb.trans_name", nm);
	if (w->wire.pad_len > 0)
		bytes(s, "smb.padding",
		      (const uint8_t *)w->name + w->name_len + 1,
		      w->wire.pad_len);
	u(s, "mailslot.opcode", 1);
	u(s, "mailslot.priority", w->priority);
	u(s, "mailslot.class", w->mailslot_class);
	u(s, "mailslot.size", w->wire.byte_count);
	s->fn(s->priv, "mailslot.name", nm);
}

void decode_fields_emit_to(const struct decode_dgram *r,
			   const struct decode_field_sink *s)
{
	const struct decode_payload_hook *h = r->hook;

	frame_fields(r, s);
	nbdgm_fields(r, s);
	if (!r->has_smb) {
		if (r->smb != NULL)	/* an SMB, but no mailslot write */
			smb_header(r->smb, s);
		return;
	}
	smb_fields(r, s);
	if (r->payload_ok && h->emit != NULL)
		h->emit(r->msg, s->fn, s->priv);
	if ((!r->payload_ok || h->emit_data) && r->w.data_len > 0) {
		bytes(s, "data.data", r->w.data, r->w.data_len);
		u(s, "data.len", r->w.data_len);
	}
}

void decode_fields_emit(const struct decode_dgram *r, dgram_field_fn fn,
			void *priv)
{
	struct decode_field_sink s = { .fn = fn, .priv = priv };

	decode_fields_emit_to(r, &s);
}
