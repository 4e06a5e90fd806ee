/*
 * A decoded datagram as tshark-named fields, formatted as `tshark -T
 * json` prints them.  Unlike tools/dgram_fields.c (the tshark -T fields
 * subset used by the demo), this covers every field tshark shows for the
 * frame, the SMB header bits and reserved bytes included, and copes with
 * a datagram decoded only in part.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nbt/byteorder.h"
#include "tools/field_text.h"
#include "decode_out.h"
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

#define NAME_TEXT_MAX NBT_NAME_TEXT_MAX

static void name(const struct decode_field_sink *s, const char *f,
		 const struct nbt_name *n)
{
	char b[NAME_TEXT_MAX];

	nbt_name_format(n, b, sizeof(b));
	s->fn(s->priv, f, b);
}

/*
 * --json's runs of fields as text (decode_field_sink.text_start): the
 * JSON the printer would make of them one by one, written in one step.
 */
#define PUT(o, lit) \
	(memcpy((o), (lit), sizeof(lit) - 1), (o) += sizeof(lit) - 1)

/* "00" to "ff": a byte's two digits in one copy */
static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* digits: even (2, 4, 8), the value no wider */
static inline char *put_hex(char *o, unsigned v, int digits)
{
	for (int i = digits - 2; i >= 0; i -= 2, v >>= 8)
		memcpy(o + i, hex_pairs + 2 * (v & 0xff), 2);
	return o + digits;
}

static inline void put_byte(char *o, uint8_t b)
{
	memcpy(o, hex_pairs + 2 * b, 2);
}

/* A name as nbt_name_format() shows it, as a JSON string (quotes
 * included); *len the text's length.  Without a scope (almost always)
 * straight from the bytes; the rules are nbt_name_format's. */
static char *put_name(char *o, const struct nbt_name *n, size_t *len)
{
	size_t end = NBT_NAME_LEN - 1, extra = 0;
	char *start = o;
	bool esc = false;

	if (n->scope[0] != '\0') {
		char b[NAME_TEXT_MAX];

		nbt_name_format(n, b, sizeof(b));
		*len = strlen(b);
		return o + decode_json_escape(o, b, *len);
	}
	if (memcmp(n->raw + 7, "        ", 8) == 0)
		end = 7;	/* a short name: its last 8 bytes spaces */
	while (end > 0 && n->raw[end - 1] == ' ')
		end--;
	if (end == 0)		/* 15 spaces: kept, as tshark does */
		end = NBT_NAME_LEN - 1;
	*o++ = '"';
	for (size_t i = 0; i < end; i++) {
		uint8_t c = n->raw[i];

		if (c < 0x20 || c >= 0x7f || c == '<' || (esc && c == '.')) {
			o[0] = '<';
			put_byte(o + 1, c);
			o[3] = '>';
			o += 4;
			esc = true;
			continue;
		}
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			extra++;
		}
		*o++ = (char)c;
		esc = false;
	}
	o[0] = '<';
	put_byte(o + 1, nbt_name_suffix(n));
	o[3] = '>';
	o[4] = '"';
	o += 5;
	*len = (size_t)(o - start) - 2 - extra;
	return o;
}

/* A run as text when the sink takes it and it surely fits. */
static bool as_text(const struct decode_dgram *r,
		    const struct decode_field_sink *s, size_t fields_max,
		    size_t values_max,
		    char *(*write)(const struct decode_dgram *r, char *o,
				   size_t *fields, size_t *values))
{
	size_t fields = 0, values = 0;
	char *dst, *end;

	if (s->text_start == NULL)
		return false;
	dst = s->text_start(s->priv, fields_max, values_max);
	if (dst == NULL)
		return false;
	end = write(r, dst, &fields, &values);
	s->text_end(s->priv, (size_t)(end - dst), fields, values);
	return true;
}

/* Each value through V: counted as the arena would count it. */
#define V(o, expr) \
	do { \
		char *v0_ = (o); \
		expr; \
		*values += (size_t)((o) - v0_) + 1; \
		*fields += 1; \
	} while (0)

#define HEAD_FIELDS 19
#define HEAD_VALUES (2 * NAME_TEXT_MAX + 512)

/* frame_fields and nbdgm_fields, but for an ICMP quote (ip.src twice,
 * an array) or a time snprintf shows. */
static char *head_text(const struct decode_dgram *r, char *o,
		       size_t *fields, size_t *values)
{
	const struct nbt_dgram *d = &r->d;
	long frac = r->ts_nsec ? (long)r->ts.tv_usec
			       : (long)r->ts.tv_usec * 1000;
	size_t len;

	PUT(o, ",\"frame.number\":\"");
	V(o, o = field_text_put_u(o, r->frame));
	PUT(o, "\",\"frame.time_epoch\":\"");
	V(o, o = field_text_put_u(o, (uint64_t)r->ts.tv_sec);
	     *o++ = '.';
	     for (int i = 7; i >= 1; i -= 2, frac /= 100)
		     field_text_put2(o + i, (unsigned)(frac % 100));
	     o[0] = (char)('0' + frac);
	     o += 9);
	PUT(o, "\",\"ip.src\":\"");
	V(o, o += field_text_ipv4(o, r->udp.src_ip));
	PUT(o, "\",\"ip.dst\":\"");
	V(o, o += field_text_ipv4(o, r->udp.dst_ip));
	PUT(o, "\",\"udp.srcport\":\"");
	V(o, o = field_text_put_u(o, r->udp.src_port));
	PUT(o, "\",\"udp.dstport\":\"");
	V(o, o = field_text_put_u(o, r->udp.dst_port));
	*o++ = '"';
	if (!r->have_header)
		return o;
	PUT(o, ",\"nbdgm.type\":\"");
	V(o, o = field_text_put_u(o, d->type));
	PUT(o, "\",\"nbdgm.flags\":\"");
	V(o, PUT(o, "0x"); o = put_hex(o, d->flags, 2));
	PUT(o, "\",\"nbdgm.next\":\"");
	V(o, *o++ = (char)('0' + !!(d->flags & NBT_DGRAM_FLAG_MORE)));
	PUT(o, "\",\"nbdgm.first\":\"");
	V(o, *o++ = (char)('0' + !!(d->flags & NBT_DGRAM_FLAG_FIRST)));
	PUT(o, "\",\"nbdgm.node_type\":\"");
	V(o, o = field_text_put_u(o, (d->flags & NBT_DGRAM_NODE_MASK) >> 2));
	PUT(o, "\",\"nbdgm.dgram_id\":\"");
	V(o, PUT(o, "0x"); o = put_hex(o, d->id, 4));
	PUT(o, "\",\"nbdgm.src.ip\":\"");
	V(o, o += field_text_ipv4(o, d->src_ip));
	PUT(o, "\",\"nbdgm.src.port\":\"");
	V(o, o = field_text_put_u(o, d->src_port));
	*o++ = '"';
	if (d->type == NBT_DGRAM_ERROR) {
		if (r->status == DECODE_OK) {
			PUT(o, ",\"nbdgm.error_code\":\"");
			V(o, PUT(o, "0x"); o = put_hex(o, d->error_code, 2));
			*o++ = '"';
		}
		return o;
	}
	if (r->have_lengths) {
		PUT(o, ",\"nbdgm.dgram_len\":\"");
		V(o, o = field_text_put_u(o, d->dgm_length));
		PUT(o, "\",\"nbdgm.pkt_offset\":\"");
		V(o, o = field_text_put_u(o, d->packet_offset));
		*o++ = '"';
	}
	if (r->have_source && nbt_dgram_type_is_data(d->type)) {
		PUT(o, ",\"nbdgm.source_name\":");
		o = put_name(o, &d->source, &len);
		*values += len + 1;
		*fields += 1;
	}
	if (r->have_dest) {
		PUT(o, ",\"nbdgm.destination_name\":");
		o = put_name(o, &d->dest, &len);
		*values += len + 1;
		*fields += 1;
	}
	return o;
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

/* The mailslot name as tshark shows an ASCII string; its length. */
static size_t slot_name(const struct smb_mailslot_write *w, char *b,
			size_t n)
{
	return field_text_escape(b, n, w->name, w->name_len, 0);
}

/* slot_name()'s text as a JSON string (quotes included), *len the
 * text's length. */
static char *put_slot_name(char *o, const struct smb_mailslot_write *w,
			   size_t *len)
{
	char nm[SMB_MAILSLOT_SMB_LIMIT * 4];

	*len = slot_name(w, nm, sizeof(nm));
	return o + decode_json_escape(o, nm, *len);
}

/*
 * --json's SMB fields in one step.  From smb.server_component to
 * smb.flags2.long_names_allowed every value has a fixed width (the five
 * smb.reserved included, shown as one array where the first stands), so
 * that part is a constant text with the values written at offsets known
 * at compile time; the rest is constant pieces with decimals between.
 * F(member, text): a value's place holds its width in '0's.
 */
#define SMB_JSON_HEAD(F) \
	F(k_server, ",\"smb.server_component\":\"0x") \
	F(server, "00000000") \
	F(k_cmd, "\",\"smb.cmd\":\"0x") \
	F(cmd, "00") \
	F(k_eclass, "\",\"smb.error_class\":\"0x") \
	F(eclass, "00") \
	F(k_res0, "\",\"smb.reserved\":[\"") \
	F(res0, "00") \
	F(k_res1, "\",\"") \
	F(res1, "00:00") \
	F(k_res2, "\",\"") \
	F(res2, "00") \
	F(k_res3, "\",\"") \
	F(res3, "00:00") \
	F(k_res4, "\",\"") \
	F(res4, "00") \
	F(k_ecode, "\"],\"smb.error_code\":\"0x") \
	F(ecode, "0000") \
	F(k_flags, "\",\"smb.flags\":\"0x") \
	F(flags, "00") \
	F(k_f80, "\",\"smb.flags.response\":\"") F(f80, "0") \
	F(k_f40, "\",\"smb.flags.notify\":\"") F(f40, "0") \
	F(k_f20, "\",\"smb.flags.oplock\":\"") F(f20, "0") \
	F(k_f10, "\",\"smb.flags.canon\":\"") F(f10, "0") \
	F(k_f08, "\",\"smb.flags.caseless\":\"") F(f08, "0") \
	F(k_f02, "\",\"smb.flags.receive_buffer\":\"") F(f02, "0") \
	F(k_f01, "\",\"smb.flags.lock\":\"") F(f01, "0") \
	F(k_flags2, "\",\"smb.flags2\":\"0x") \
	F(flags2, "0000") \
	F(k_g8000, "\",\"smb.flags2.string\":\"") F(g8000, "0") \
	F(k_g4000, "\",\"smb.flags2.nt_error\":\"") F(g4000, "0") \
	F(k_g2000, "\",\"smb.flags2.roe\":\"") F(g2000, "0") \
	F(k_g1000, "\",\"smb.flags2.dfs\":\"") F(g1000, "0") \
	F(k_g0800, "\",\"smb.flags2.esn\":\"") F(g0800, "0") \
	F(k_g0400, "\",\"smb.flags2.reparse_path\":\"") F(g0400, "0") \
	F(k_g0040, "\",\"smb.flags2.long_names_used\":\"") F(g0040, "0") \
	F(k_g0010, "\",\"smb.flags2.sec_sig_required\":\"") F(g0010, "0") \
	F(k_g0008, "\",\"smb.flags2.compressed\":\"") F(g0008, "0") \
	F(k_g0004, "\",\"smb.flags2.sec_sig\":\"") F(g0004, "0") \
	F(k_g0002, "\",\"smb.flags2.ea\":\"") F(g0002, "0") \
	F(k_g0001, "\",\"smb.flags2.long_names_allowed\":\"") F(g0001, "0") \
	F(k_pidh, "\",\"smb.pid.high\":\"")

#define SMB_JSON_TEXT(m, t) t
#define SMB_JSON_MEMBER(m, t) char m[sizeof(t) - 1];

static const char smb_json_head[] = SMB_JSON_HEAD(SMB_JSON_TEXT);
struct smb_json_head { SMB_JSON_HEAD(SMB_JSON_MEMBER) };
_Static_assert(sizeof(struct smb_json_head) == sizeof(smb_json_head) - 1,
	       "the head's layout is its text");

/* The head's 33 values and the transaction's fixed-width ones
 * (smb.signature, the last four smb.reserved, smb.transaction.flags and
 * its bits, mailslot.opcode), as the arena counts them: each value's
 * length and a NUL. */
#define SMB_JSON_FIXED_VALUES (11 + 5 + 5 + 3 + 7 + 5 + 7 * 2 + 7 + 12 * 2 + \
			       24 + 6 + 3 + 6 + 3 + 7 + 2 * 2 + 2)
/* smb.pid.high to smb.mid, smb.wct to smb.bcc, mailslot.priority to
 * mailslot.size: decimals; smb.trans_name, mailslot.name */
#define SMB_JSON_DECIMALS 21

#define SMB_FIELDS 59
#define SMB_VALUES 16384	/* see SMB_JSON_FIXED_VALUES, DEC, nm, pad */

/* smb_fields(): 58 fields, 59 with smb.padding. */
static char *smb_text(const struct decode_dgram *r, char *dst,
		      size_t *fields, size_t *values)
{
	const struct smb_mailslot_write *w = &r->w;
	const uint8_t *h = r->smb, *t = r->smb + SMB_HDR_LEN;
	unsigned f = h[9], f2 = get_le16(h + 10);
	char *o = dst, *dec, *nmp;
	size_t nml, nmj, decs = 0;

#define AT(m) (dst + offsetof(struct smb_json_head, m))
#define BIT(m, v, mask) (*AT(m) = (char)('0' + !!((v) & (mask))))
	memcpy(dst, smb_json_head, sizeof(smb_json_head) - 1);
	put_hex(AT(server), get_le32(h), 8);
	put_byte(AT(cmd), h[4]);
	put_byte(AT(eclass), h[5]);
	put_byte(AT(res0), h[6]);
	put_byte(AT(res1), h[22]);
	put_byte(AT(res1) + 3, h[23]);
	put_byte(AT(res2), t[10]);
	put_byte(AT(res3), t[17]);
	put_byte(AT(res3) + 3, t[18]);
	put_byte(AT(res4), t[28]);
	put_hex(AT(ecode), get_le16(h + 7), 4);
	put_byte(AT(flags), (uint8_t)f);
	BIT(f80, f, 0x80);
	BIT(f40, f, 0x40);
	BIT(f20, f, 0x20);
	BIT(f10, f, 0x10);
	BIT(f08, f, 0x08);
	BIT(f02, f, 0x02);
	BIT(f01, f, 0x01);
	put_hex(AT(flags2), f2, 4);
	BIT(g8000, f2, 0x8000);
	BIT(g4000, f2, 0x4000);
	BIT(g2000, f2, 0x2000);
	BIT(g1000, f2, 0x1000);
	BIT(g0800, f2, 0x0800);
	BIT(g0400, f2, 0x0400);
	BIT(g0040, f2, 0x0040);
	BIT(g0010, f2, 0x0010);
	BIT(g0008, f2, 0x0008);
	BIT(g0004, f2, 0x0004);
	BIT(g0002, f2, 0x0002);
	BIT(g0001, f2, 0x0001);
#undef BIT
#undef AT
	o += sizeof(smb_json_head) - 1;

	/* decimals: decs counts their digits */
#define DEC(v) (dec = o, o = field_text_put_u(o, (v)), \
		decs += (size_t)(o - dec))
	DEC(get_le16(h + 12));
	PUT(o, "\",\"smb.signature\":\"");
	for (int i = 0; i < 8; i++, o += 3) {
		put_byte(o, h[14 + i]);
		o[2] = ':';
	}
	o--;
	PUT(o, "\",\"smb.tid\":\"");
	DEC(get_le16(h + 24));
	PUT(o, "\",\"smb.pid\":\"");
	DEC(get_le16(h + 26));
	PUT(o, "\",\"smb.uid\":\"");
	DEC(get_le16(h + 28));
	PUT(o, "\",\"smb.mid\":\"");
	DEC(get_le16(h + 30));
	PUT(o, "\",\"smb.wct\":\"");
	DEC(t[0]);
	PUT(o, "\",\"smb.tpc\":\"");
	DEC(w->wire.total_param_count);
	PUT(o, "\",\"smb.tdc\":\"");
	DEC(w->wire.total_data_count);
	PUT(o, "\",\"smb.mpc\":\"");
	DEC(w->max_param_count);
	PUT(o, "\",\"smb.mdc\":\"");
	DEC(w->wire.max_data_count);
	PUT(o, "\",\"smb.msc\":\"");
	DEC(w->wire.max_setup_count);
	PUT(o, "\",\"smb.transaction.flags\":\"0x");
	o = put_hex(o, w->trans_flags, 4);
	PUT(o, "\",\"smb.transaction.flags.owt\":\"");
	*o++ = (char)('0' + !!(w->trans_flags & 0x0002));
	PUT(o, "\",\"smb.transaction.flags.dtid\":\"");
	*o++ = (char)('0' + (w->trans_flags & 0x0001));
	PUT(o, "\",\"smb.timeout\":\"");
	DEC(w->timeout_ms);
	PUT(o, "\",\"smb.pc\":\"");
	DEC(w->wire.param_count);
	PUT(o, "\",\"smb.po\":\"");
	DEC(w->wire.param_offset);
	PUT(o, "\",\"smb.dc\":\"");
	DEC(w->wire.data_count);
	PUT(o, "\",\"smb.data_offset\":\"");
	DEC(w->wire.data_offset);
	PUT(o, "\",\"smb.sc\":\"");
	DEC(t[27]);
	PUT(o, "\",\"smb.bcc\":\"");
	DEC(w->wire.byte_count);
	PUT(o, "\",\"smb.trans_name\":");
	nmp = o;
	o = put_slot_name(o, w, &nml);
	nmj = (size_t)(o - nmp);
	*fields += 58;
	*values += SMB_JSON_FIXED_VALUES + SMB_JSON_DECIMALS + 2 * (nml + 1);
	if (w->wire.pad_len > 0) {
		const uint8_t *pad = (const uint8_t *)w->name + w->name_len + 1;
		size_t n = w->wire.pad_len < DATA_SHOW_MAX ? w->wire.pad_len
							   : DATA_SHOW_MAX;

		PUT(o, ",\"smb.padding\":\"");
		for (size_t i = 0; i < n; i++, o += 3) {
			put_byte(o, pad[i]);
			o[2] = ':';
		}
		o[-1] = '"';
		*fields += 1;
		*values += 3 * n;
	}
	PUT(o, ",\"mailslot.opcode\":\"1\",\"mailslot.priority\":\"");
	DEC(w->priority);
	PUT(o, "\",\"mailslot.class\":\"");
	DEC(w->mailslot_class);
	PUT(o, "\",\"mailslot.size\":\"");
	DEC(w->wire.byte_count);
	PUT(o, "\",\"mailslot.name\":");
	memcpy(o, nmp, nmj);
	o += nmj;
#undef DEC
	*values += decs;
	return o;
}

static void smb_fields(const struct decode_dgram *r,
		       const struct decode_field_sink *s)
{
	const struct smb_mailslot_write *w = &r->w;
	const uint8_t *t = r->smb + SMB_HDR_LEN;
	char nm[SMB_MAILSLOT_SMB_LIMIT * 4];

	if (as_text(r, s, SMB_FIELDS, SMB_VALUES, smb_text))
		return;
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

	if (r->udp.icmp_quoted || r->ts.tv_sec < 0 || r->ts.tv_usec < 0 ||
	    r->ts.tv_usec >= (r->ts_nsec ? 1000000000 : 1000000) ||
	    !as_text(r, s, HEAD_FIELDS, HEAD_VALUES, head_text)) {
		frame_fields(r, s);
		nbdgm_fields(r, s);
	}
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
