/*
 * The SMB1 SMB_COM_TRANSACTION "mailslot write" carried as the USER_DATA of
 * an NBT datagram ([MS-MAIL] §2.2.1).  All integers little-endian; offsets
 * from the start of the SMB header.
 */
#ifndef MAILSLOT_SMB_MAILSLOT_H
#define MAILSLOT_SMB_MAILSLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbt/codec_error.h"

#define SMB_MAILSLOT_FIXED_LEN 69	/* header + WCT + 17 words + BCC */
#define SMB_MAILSLOT_NAME_OFFSET 69
#define SMB_MAILSLOT_SMB_LIMIT 512	/* Windows' cap on the whole SMB */
#define SMB_MAILSLOT_PREFIX "\\MAILSLOT\\"
#define SMB_MAILSLOT_PREFIX_LEN 10
#define SMB_COM_TRANSACTION 0x25
#define SMB_MAILSLOT_OPCODE_WRITE 1
#define SMB_MAILSLOT_CLASS_RELIABLE 1
#define SMB_MAILSLOT_CLASS_UNRELIABLE 2

/* The two layouts real senders use; receivers accept both. */
enum smb_mailslot_layout {
	/* [MS-MAIL] §4: data 4-byte aligned, ParameterOffset = DataOffset,
	 * Flags 0x18, Flags2 0x0004, PID 0xFEFF, MaxParameterCount 2,
	 * trans Flags 0x0002 (no response), Timeout 0. */
	SMB_MAILSLOT_LAYOUT_MAIL,
	/* [MS-BRWS] §4.1, Windows browsers and Samba: no pad,
	 * ParameterOffset 0, header fields 0, Timeout 1000. */
	SMB_MAILSLOT_LAYOUT_BROWSE,
};

struct smb_mailslot_write {
	/* SMB header: ignored on receipt, settable on send */
	uint8_t flags;
	uint16_t flags2;
	uint16_t pid_high;
	uint16_t tid;
	uint16_t pid;
	uint16_t uid;
	uint16_t mid;
	/* transaction words */
	uint16_t max_param_count;
	uint16_t trans_flags;
	uint32_t timeout_ms;
	uint16_t priority;	/* Setup[1], 0-9 */
	uint16_t mailslot_class; /* Setup[2], 2 = unreliable/broadcast */
	/* layout on encode */
	bool align_data;	/* pad so DataOffset % 4 == 0 */
	bool param_offset_is_data_offset; /* else 0 */
	uint8_t pad_byte;	/* pad contents (Win9x sends junk) */

	/* "\MAILSLOT\name": decode gives a view into the packet (NUL
	 * terminated there); encode reads name_len bytes. */
	const char *name;
	size_t name_len;
	const uint8_t *data;	/* view into the packet / caller's bytes */
	size_t data_len;

	/* As found on the wire (decode only; encode computes them). */
	struct {
		uint16_t total_param_count;
		uint16_t total_data_count;
		uint16_t max_data_count;
		uint8_t max_setup_count;
		uint16_t param_count;
		uint16_t param_offset;
		uint16_t data_count;
		uint16_t data_offset;
		uint16_t byte_count;
		size_t pad_len;	/* bytes between the name's NUL and data */
		size_t smb_len;	/* bytes of input the SMB occupies */
	} wire;
};

/* Defaults of a layout; name and data are left empty. */
void smb_mailslot_write_init(struct smb_mailslot_write *w,
			     enum smb_mailslot_layout layout);

/* Offset of the data for a name under a layout (70 + len [+ pad]). */
size_t smb_mailslot_data_offset(size_t name_len, bool align_data);

size_t smb_mailslot_encoded_len(const struct smb_mailslot_write *w);

/*
 * Largest payload that keeps the whole SMB within Windows' 512 bytes:
 * 432 - roundup4(len(name after \MAILSLOT\)) for the aligned layout
 * (424 for 5-8 characters).  wire_name is "\MAILSLOT\..." or the bare
 * path; 0 if the name alone is too long.
 */
size_t smb_mailslot_max_payload(const char *wire_name,
				enum smb_mailslot_layout layout);

enum codec_error smb_mailslot_encode(const struct smb_mailslot_write *w,
				     uint8_t *buf, size_t buflen,
				     size_t *used);

/*
 * [MS-MAIL] §3.2.5.1 receiver rules: signature, command 0x25, WordCount 17,
 * SetupCount 3, opcode 1, a NUL-terminated "\MAILSLOT\" name at 69 inside
 * the packet, and exactly DataCount bytes at DataOffset, inside the packet
 * and after the name.  ByteCount, pad, flags and IDs are reported, never
 * relied on.
 */
enum codec_error smb_mailslot_decode(const uint8_t *buf, size_t len,
				     struct smb_mailslot_write *w);

/* Case-insensitive (ASCII) comparison, as Windows matches mailslots. */
bool smb_mailslot_name_equal(const char *a, size_t alen,
			     const char *b, size_t blen);

#endif
