#include <string.h>

#include "demo_frames.h"
#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot_dgram.h"

#define MYHOST_IP 0xc0a8010a	/* 192.168.1.10 */
#define PEER_IP 0xc0a80114	/* 192.168.1.20 */
#define BCAST_IP 0xc0a801ff	/* 192.168.1.255 */

/* A HostAnnouncement body ([MS-BRWS] §2.2.1) as Windows 10 sends it. */
static const uint8_t host_announcement[33] = {
	0x01, 0x00, 0x80, 0xfc, 0x0a, 0x00, 'M', 'Y', 'H', 'O', 'S', 'T',
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0x03, 0x10, 0x01, 0x00,
	0x0f, 0x01, 0x55, 0xaa, 0x00,
};

struct demo_builder {
	TALLOC_CTX *mem_ctx;
	struct demo_frame *frames;
	size_t n;
	bool failed;
};

static void frame_add(struct demo_builder *b, const char *what,
		      uint32_t dst_ip, uint8_t *data, size_t len,
		      bool fragment)
{
	struct demo_frame *f;

	b->frames = talloc_realloc(b->mem_ctx, b->frames, struct demo_frame,
				   b->n + 1);
	if (b->frames == NULL || data == NULL) {
		b->failed = true;
		return;
	}
	f = &b->frames[b->n++];
	f->what = what;
	f->ep.src_ip = MYHOST_IP;
	f->ep.dst_ip = dst_ip;
	f->ep.src_port = f->ep.dst_port = 138;
	f->data = talloc_steal(b->frames, data);
	f->len = len;
	f->fragment = fragment;
}

static void dgram_add(struct demo_builder *b, const char *what,
		      uint32_t dst_ip, const struct nbt_dgram *d)
{
	size_t len = nbt_dgram_encoded_len(d);
	uint8_t *buf = talloc_size(b->mem_ctx, len);

	if (buf == NULL || nbt_dgram_encode(d, buf, len, NULL) != CODEC_OK) {
		b->failed = true;
		return;
	}
	frame_add(b, what, dst_ip, buf, len, false);
}

/* A mailslot write from MYHOST<00> to dest, with an SMB in w's layout. */
static void write_add(struct demo_builder *b, const char *what,
		      uint8_t type, uint8_t node, uint16_t id,
		      const struct nbt_name *dest, uint32_t dst_ip,
		      struct smb_mailslot_write *w, const char *scope)
{
	struct nbt_dgram d;
	size_t len;
	uint8_t *buf;

	nbt_dgram_init(&d, type, node, id, MYHOST_IP, 138);
	nbt_name_make(&d.source, "MYHOST", 0x00, scope);
	d.dest = *dest;
	len = smb_mailslot_dgram_encoded_len(&d, w);
	buf = talloc_size(b->mem_ctx, len);
	if (buf == NULL ||
	    smb_mailslot_dgram_encode(&d, w, buf, len, NULL) != CODEC_OK) {
		b->failed = true;
		return;
	}
	frame_add(b, what, dst_ip, buf, len, false);
}

static void set_name(struct smb_mailslot_write *w, const char *name)
{
	w->name = name;
	w->name_len = strlen(name);
}

static void writes_add(struct demo_builder *b)
{
	static uint8_t ca[36], zz[424];
	static const char messenger[] = "MYHOST\0TARGET\0Hello from mailslot";
	struct smb_mailslot_write w;
	struct nbt_name dest;

	memset(ca, 0xca, sizeof(ca));
	memset(zz, 'Z', sizeof(zz));

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	set_name(&w, "\\MAILSLOT\\test1\\sample_mailslot");
	w.data = ca;
	w.data_len = sizeof(ca);
	nbt_name_make(&dest, "TARGET", 0x00, NULL);
	write_add(b, "DIRECT_UNIQUE write, [MS-MAIL] layout (the MS-MAIL §4 example)",
		  0x10, NBT_NODE_H, 0x8000, &dest, PEER_IP, &w, NULL);

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	set_name(&w, "\\MAILSLOT\\BROWSE");
	w.data = host_announcement;
	w.data_len = sizeof(host_announcement);
	nbt_name_make(&dest, "WORKGROUP", 0x1d, NULL);
	write_add(b, "DIRECT_GROUP HostAnnouncement to WORKGROUP<1d>, browser layout",
		  0x11, NBT_NODE_B, 0x8001, &dest, BCAST_IP, &w, NULL);

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	set_name(&w, "\\MAILSLOT\\TEST");
	w.data = (const uint8_t *)"broadcast to *";
	w.data_len = 14;
	nbt_name_make(&dest, "*", 0x00, NULL);
	write_add(b, "BROADCAST datagram to the wildcard name *",
		  0x12, NBT_NODE_B, 0x8002, &dest, BCAST_IP, &w, NULL);

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	set_name(&w, "\\MAILSLOT\\TEST");
	w.data = (const uint8_t *)"scoped";
	w.data_len = 6;
	nbt_name_make(&dest, "TARGET", 0x00, "corp.example");
	write_add(b, "DIRECT_UNIQUE with scope ID corp.example on both names",
		  0x10, NBT_NODE_B, 0x8003, &dest, PEER_IP, &w,
		  "corp.example");

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	set_name(&w, "\\MAILSLOT\\ABCDE");
	w.data = zz;
	w.data_len = smb_mailslot_max_payload("\\MAILSLOT\\ABCDE",
					      SMB_MAILSLOT_LAYOUT_MAIL);
	nbt_name_make(&dest, "WORKGROUP", 0x00, NULL);
	write_add(b, "largest legal write: 424 bytes, a 512-byte SMB",
		  0x11, NBT_NODE_B, 0x8004, &dest, BCAST_IP, &w, NULL);

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	set_name(&w, "\\MAILSLOT\\MESSNGR");
	w.data = (const uint8_t *)messenger;
	w.data_len = sizeof(messenger);
	nbt_name_make(&dest, "TARGET", 0x03, NULL);
	write_add(b, "Messenger (NET SEND) to TARGET<03>",
		  0x10, NBT_NODE_B, 0x8005, &dest, PEER_IP, &w, NULL);

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	set_name(&w, "\\MAILSLOT\\BROWSE");
	w.data = (const uint8_t *)"\x0e\x01";
	w.data_len = 2;
	nbt_name_make_msbrowse(&dest, NULL);
	write_add(b, "DIRECT_GROUP to __MSBROWSE__<01> (ResetStateRequest body)",
		  0x11, NBT_NODE_B, 0x8006, &dest, BCAST_IP, &w, NULL);
}

static void others_add(struct demo_builder *b)
{
	static const uint8_t codes[] = { 0x82, 0x83, 0x84 };
	static const char *const code_what[] = {
		"DATAGRAM ERROR 0x82: destination name not present",
		"DATAGRAM ERROR 0x83: invalid source name format",
		"DATAGRAM ERROR 0x84: invalid destination name format",
	};
	static const char *const query_what[] = {
		"DATAGRAM QUERY REQUEST for TARGET<00>",
		"DATAGRAM POSITIVE QUERY RESPONSE for TARGET<00>",
		"DATAGRAM NEGATIVE QUERY RESPONSE for TARGET<00>",
	};
	struct nbt_dgram d;

	for (size_t i = 0; i < 3; i++) {
		nbt_dgram_init(&d, NBT_DGRAM_ERROR, NBT_NODE_B,
			       (uint16_t)(0x8100 + i), MYHOST_IP, 138);
		d.flags = 0x00; /* RFC 1002 §5.3.3: F and M clear */
		d.error_code = codes[i];
		dgram_add(b, code_what[i], PEER_IP, &d);
	}
	for (size_t i = 0; i < 3; i++) {
		nbt_dgram_init(&d, (uint8_t)(NBT_DGRAM_QUERY_REQUEST + i),
			       NBT_NODE_B, (uint16_t)(0x8200 + i), MYHOST_IP,
			       138);
		nbt_name_make(&d.dest, "TARGET", 0x00, NULL);
		dgram_add(b, query_what[i], PEER_IP, &d);
	}
}

static void fragments_add(struct demo_builder *b)
{
	static uint8_t letters[400];
	struct smb_mailslot_write w;
	struct nbt_packet *pkts;
	struct nbt_dgram d;
	size_t len, count;
	uint8_t *whole;

	for (size_t i = 0; i < sizeof(letters); i++)
		letters[i] = (uint8_t)('A' + i % 26);
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	set_name(&w, "\\MAILSLOT\\TEST");
	w.data = letters;
	w.data_len = sizeof(letters);
	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, 0x8300,
		       MYHOST_IP, 138);
	nbt_name_make(&d.source, "MYHOST", 0x00, NULL);
	nbt_name_make(&d.dest, "TARGET", 0x00, NULL);
	/* the whole datagram first: d's USER_DATA is then its SMB */
	len = smb_mailslot_dgram_encoded_len(&d, &w);
	whole = talloc_size(b->mem_ctx, len);
	if (whole == NULL ||
	    smb_mailslot_dgram_encode(&d, &w, whole, len, NULL) != CODEC_OK) {
		b->failed = true;
		return;
	}
	/* header + two names + half of the 484-byte USER_DATA each */
	if (nbt_dgram_fragment(b->mem_ctx, &d, 14 + 68 + 242, &pkts,
			       &count) != CODEC_OK) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i < count; i++)
		frame_add(b, talloc_asprintf(b->mem_ctx,
					     "NBT fragment %zu of %zu of a "
					     "400-byte write", i + 1, count),
			  PEER_IP, talloc_steal(b->mem_ctx, pkts[i].data),
			  pkts[i].len, true);
	talloc_free(pkts);
}

size_t demo_frames_build(TALLOC_CTX *mem_ctx, struct demo_frame **frames)
{
	struct demo_builder b = { .mem_ctx = mem_ctx };

	writes_add(&b);
	others_add(&b);
	fragments_add(&b);
	if (b.failed) {
		talloc_free(b.frames);
		return 0;
	}
	*frames = b.frames;
	return b.n;
}
