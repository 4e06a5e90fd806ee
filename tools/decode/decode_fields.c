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

typedef void (*emit_fn)(void *, const char *, const char *);

static void u(emit_fn fn, void *priv, const char *f, unsigned long v)
{
	char b[FIELD_TEXT_NUM_MAX];

	field_text_u(b, v);
	fn(priv, f, b);
}

static void hx(emit_fn fn, void *priv, const char *f, unsigned long v,
	       int digits)
{
	char b[FIELD_TEXT_NUM_MAX];

	field_text_hex(b, v, digits);
	fn(priv, f, b);
}

static void ip(emit_fn fn, void *priv, const char *f, uint32_t a)
{
	char b[16];

	field_text_ipv4(b, a);
	fn(priv, f, b);
}

/* "%lld.%09ld" by hand for what captures hold; snprintf for the rest. */
static void epoch(emit_fn fn, void *priv, const char *f, long long sec,
		  long frac)
{
	char b[48];
	size_t n;

	if (sec < 0 || frac < 0 || frac >= 1000000000) {
		snprintf(b, sizeof(b), "%lld.%09ld", sec, frac);
		fn(priv, f, b);
		return;
	}
	n = field_text_u(b, (uint64_t)sec);
	b[n++] = '.';
	for (int i = 8; i >= 0; i--, frac /= 10)
		b[n + (size_t)i] = (char)('0' + frac % 10);
	b[n + 9] = '\0';
	fn(priv, f, b);
}

/* Bytes as tshark's JSON shows FT_BYTES: "aa:bb:cc". */
static void bytes(emit_fn fn, void *priv, const char *f, const uint8_t *p,
		  size_t len)
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
	fn(priv, f, b);
}

static void bit(emit_fn fn, void *priv, const char *f, unsigned v,
		unsigned mask)
{
	fn(priv, f, (v & mask) ? "1" : "0");
}

static void name(emit_fn fn, void *priv, const char *f,
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
	fn(priv, f, b);
}

static void frame_fields(const struct decode_dgram *r, emit_fn fn,
			 void *priv)
{
	long frac = r->ts_nsec ? (long)r->ts.tv_usec
			       : (long)r->ts.tv_usec * 1000;

	u(fn, priv, "frame.number", (unsigned long)r->frame);
	epoch(fn, priv, "frame.time_epoch", (long long)r->ts.tv_sec, frac);
	/* an ICMP error shows its own addresses, then the quoted ones */
	if (r->udp.icmp_quoted) {
		ip(fn, priv, "ip.src", r->udp.icmp_src_ip);
		ip(fn, priv, "ip.dst", r->udp.icmp_dst_ip);
		u(fn, priv, "icmp.type", r->udp.icmp_type);
		u(fn, priv, "icmp.code", r->udp.icmp_code);
	}
	ip(fn, priv, "ip.src", r->udp.src_ip);
	ip(fn, priv, "ip.dst", r->udp.dst_ip);
	u(fn, priv, "udp.srcport", r->udp.src_port);
	u(fn, priv, "udp.dstport", r->udp.dst_port);
}

static void nbdgm_fields(const struct decode_dgram *r, emit_fn fn,
			 void *priv)
{
	const struct nbt_dgram *d = &r->d;

	if (!r->have_header)
		return;
	u(fn, priv, "nbdgm.type", d->type);
	hx(fn, priv, "nbdgm.flags", d->flags, 2);
	bit(fn, priv, "nbdgm.next", d->flags, NBT_DGRAM_FLAG_MORE);
	bit(fn, priv, "nbdgm.first", d->flags, NBT_DGRAM_FLAG_FIRST);
	u(fn, priv, "nbdgm.node_type", (d->flags & NBT_DGRAM_NODE_MASK) >> 2);
	hx(fn, priv, "nbdgm.dgram_id", d->id, 4);
	ip(fn, priv, "nbdgm.src.ip", d->src_ip);
	u(fn, priv, "nbdgm.src.port", d->src_port);
	if (d->type == NBT_DGRAM_ERROR) {
		if (r->status == DECODE_OK)
			hx(fn, priv, "nbdgm.error_code", d->error_code, 2);
		return;
	}
	if (r->have_lengths) {
		u(fn, priv, "nbdgm.dgram_len", d->dgm_length);
		u(fn, priv, "nbdgm.pkt_offset", d->packet_offset);
	}
	if (r->have_source && nbt_dgram_type_is_data(d->type))
		name(fn, priv, "nbdgm.source_name", &d->source);
	if (r->have_dest)
		name(fn, priv, "nbdgm.destination_name", &d->dest);
}

static void smb_header(const uint8_t *s, emit_fn fn, void *priv)
{
	unsigned f = s[9], f2 = get_le16(s + 10);

	hx(fn, priv, "smb.server_component", get_le32(s), 8);
	hx(fn, priv, "smb.cmd", s[4], 2);
	hx(fn, priv, "smb.error_class", s[5], 2);
	bytes(fn, priv, "smb.reserved", s + 6, 1);
	hx(fn, priv, "smb.error_code", get_le16(s + 7), 4);
	hx(fn, priv, "smb.flags", f, 2);
	bit(fn, priv, "smb.flags.response", f, 0x80);
	bit(fn, priv, "smb.flags.notify", f, 0x40);
	bit(fn, priv, "smb.flags.oplock", f, 0x20);
	bit(fn, priv, "smb.flags.canon", f, 0x10);
	bit(fn, priv, "smb.flags.caseless", f, 0x08);
	bit(fn, priv, "smb.flags.receive_buffer", f, 0x02);
	bit(fn, priv, "smb.flags.lock", f, 0x01);
	hx(fn, priv, "smb.flags2", f2, 4);
	bit(fn, priv, "smb.flags2.string", f2, 0x8000);
	bit(fn, priv, "smb.flags2.nt_error", f2, 0x4000);
	bit(fn, priv, "smb.flags2.roe", f2, 0x2000);
	bit(fn, priv, "smb.flags2.dfs", f2, 0x1000);
	bit(fn, priv, "smb.flags2.esn", f2, 0x0800);
	bit(fn, priv, "smb.flags2.reparse_path", f2, 0x0400);
	bit(fn, priv, "smb.flags2.long_names_used", f2, 0x0040);
	bit(fn, priv, "smb.flags2.sec_sig_required", f2, 0x0010);
	bit(fn, priv, "smb.flags2.compressed", f2, 0x0008);
	bit(fn, priv, "smb.flags2.sec_sig", f2, 0x0004);
	bit(fn, priv, "smb.flags2.ea", f2, 0x0002);
	bit(fn, priv, "smb.flags2.long_names_allowed", f2, 0x0001);
	u(fn, priv, "smb.pid.high", get_le16(s + 12));
	bytes(fn, priv, "smb.signature", s + 14, 8);
	bytes(fn, priv, "smb.reserved", s + 22, 2);
	u(fn, priv, "smb.tid", get_le16(s + 24));
	u(fn, priv, "smb.pid", get_le16(s + 26));
	u(fn, priv, "smb.uid", get_le16(s + 28));
	u(fn, priv, "smb.mid", get_le16(s + 30));
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

static void smb_fields(const struct decode_dgram *r, emit_fn fn, void *priv)
{
	const struct smb_mailslot_write *w = &r->w;
	const uint8_t *t = r->smb + SMB_HDR_LEN;
	char nm[SMB_MAILSLOT_SMB_LIMIT * 4];

	smb_header(r->smb, fn, priv);
	u(fn, priv, "smb.wct", t[0]);
	u(fn, priv, "smb.tpc", w->wire.total_param_count);
	u(fn, priv, "smb.tdc", w->wire.total_data_count);
	u(fn, priv, "smb.mpc", w->max_param_count);
	u(fn, priv, "smb.mdc", w->wire.max_data_count);
	u(fn, priv, "smb.msc", w->wire.max_setup_count);
	bytes(fn, priv, "smb.reserved", t + 10, 1);
	hx(fn, priv, "smb.transaction.flags", w->trans_flags, 4);
	bit(fn, priv, "smb.transaction.flags.owt", w->trans_flags, 0x0002);
	bit(fn, priv, "smb.transaction.flags.dtid", w->trans_flags, 0x0001);
	u(fn, priv, "smb.timeout", w->timeout_ms);
	bytes(fn, priv, "smb.reserved", t + 17, 2);
	u(fn, priv, "smb.pc", w->wire.param_count);
	u(fn, priv, "smb.po", w->wire.param_offset);
	u(fn, priv, "smb.dc", w->wire.data_count);
	u(fn, priv, "smb.data_offset", w->wire.data_offset);
	u(fn, priv, "smb.sc", t[27]);
	bytes(fn, priv, "smb.reserved", t + 28, 1);
	u(fn, priv, "smb.bcc", w->wire.byte_count);
	slot_name(w, nm, sizeof(nm));
	fn(priv, "smb.trans_name", nm);
	if (w->wire.pad_len > 0)
		bytes(fn, priv, "smb.padding",
		      (const uint8_t *)w->name + w->name_len + 1,
		      w->wire.pad_len);
	u(fn, priv, "mailslot.opcode", 1);
	u(fn, priv, "mailslot.priority", w->priority);
	u(fn, priv, "mailslot.class", w->mailslot_class);
	u(fn, priv, "mailslot.size", w->wire.byte_count);
	fn(priv, "mailslot.name", nm);
}

void decode_fields_emit(const struct decode_dgram *r, dgram_field_fn fn,
			void *priv)
{
	const struct decode_payload_hook *h = r->hook;

	frame_fields(r, fn, priv);
	nbdgm_fields(r, fn, priv);
	if (!r->has_smb) {
		if (r->smb != NULL)	/* an SMB, but no mailslot write */
			smb_header(r->smb, fn, priv);
		return;
	}
	smb_fields(r, fn, priv);
	if (r->payload_ok && h->emit != NULL)
		h->emit(r->msg, fn, priv);
	if ((!r->payload_ok || h->emit_data) && r->w.data_len > 0) {
		bytes(fn, priv, "data.data", r->w.data, r->w.data_len);
		u(fn, priv, "data.len", r->w.data_len);
	}
}
