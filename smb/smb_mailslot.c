#include <string.h>
#include <strings.h>

#include "nbt/byteorder.h"
#include "smb_mailslot.h"

/* Offsets from the start of the SMB header ([MS-MAIL] §2.2.1). */
enum {
	OFF_PROTOCOL = 0, OFF_COMMAND = 4, OFF_STATUS = 5, OFF_FLAGS = 9,
	OFF_FLAGS2 = 10, OFF_PID_HIGH = 12, OFF_SIGNATURE = 14,
	OFF_RESERVED = 22, OFF_TID = 24, OFF_PID = 26, OFF_UID = 28,
	OFF_MID = 30, OFF_WCT = 32, OFF_TPC = 33, OFF_TDC = 35, OFF_MPC = 37,
	OFF_MDC = 39, OFF_MSC = 41, OFF_RESERVED1 = 42, OFF_TFLAGS = 43,
	OFF_TIMEOUT = 45, OFF_RESERVED2 = 49, OFF_PC = 51, OFF_PO = 53,
	OFF_DC = 55, OFF_DO = 57, OFF_SC = 59, OFF_RESERVED3 = 60,
	OFF_OPCODE = 61, OFF_PRIORITY = 63, OFF_CLASS = 65, OFF_BCC = 67,
};

#define SMB_WORD_COUNT 17
#define SMB_SETUP_COUNT 3

void smb_mailslot_write_init(struct smb_mailslot_write *w,
			     enum smb_mailslot_layout layout)
{
	memset(w, 0, sizeof(*w));
	w->mailslot_class = SMB_MAILSLOT_CLASS_UNRELIABLE;
	if (layout == SMB_MAILSLOT_LAYOUT_MAIL) {
		w->flags = 0x18;
		w->flags2 = 0x0004;
		w->pid = 0xfeff;
		w->max_param_count = 2;
		w->trans_flags = 0x0002;
		w->align_data = true;
		w->param_offset_is_data_offset = true;
	} else {
		w->timeout_ms = 1000;
	}
}

size_t smb_mailslot_data_offset(size_t name_len, bool align_data)
{
	size_t off = SMB_MAILSLOT_NAME_OFFSET + name_len + 1;
	return align_data ? (off + 3) & ~(size_t)3 : off;
}

size_t smb_mailslot_encoded_len(const struct smb_mailslot_write *w)
{
	return smb_mailslot_data_offset(w->name_len, w->align_data) +
	       w->data_len;
}

static bool has_mailslot_prefix(const char *name, size_t len)
{
	return len >= SMB_MAILSLOT_PREFIX_LEN &&
	       strncasecmp(name, SMB_MAILSLOT_PREFIX,
			   SMB_MAILSLOT_PREFIX_LEN) == 0;
}

size_t smb_mailslot_max_payload(const char *wire_name,
				enum smb_mailslot_layout layout)
{
	size_t len = strlen(wire_name), off;

	if (!has_mailslot_prefix(wire_name, len))
		len += SMB_MAILSLOT_PREFIX_LEN;
	off = smb_mailslot_data_offset(len,
				       layout == SMB_MAILSLOT_LAYOUT_MAIL);
	return off >= SMB_MAILSLOT_SMB_LIMIT ? 0 : SMB_MAILSLOT_SMB_LIMIT - off;
}

enum codec_error smb_mailslot_encode(const struct smb_mailslot_write *w,
				     uint8_t *buf, size_t buflen,
				     size_t *used)
{
	size_t doff, total, bcc;

	if (w == NULL || buf == NULL || w->name == NULL ||
	    (w->data_len > 0 && w->data == NULL))
		return CODEC_ERR_INVALID_ARGUMENT;
	if (memchr(w->name, '\0', w->name_len) != NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	doff = smb_mailslot_data_offset(w->name_len, w->align_data);
	total = doff + w->data_len;
	bcc = total - SMB_MAILSLOT_FIXED_LEN;
	if (total > UINT16_MAX || w->data_len > UINT16_MAX)
		return CODEC_ERR_SMB_TOO_LARGE;
	if (buflen < total)
		return CODEC_ERR_BUFFER_TOO_SMALL;

	memset(buf, 0, SMB_MAILSLOT_FIXED_LEN);
	memcpy(buf + OFF_PROTOCOL, "\xffSMB", 4);
	buf[OFF_COMMAND] = SMB_COM_TRANSACTION;
	buf[OFF_FLAGS] = w->flags;
	put_le16(buf + OFF_FLAGS2, w->flags2);
	put_le16(buf + OFF_PID_HIGH, w->pid_high);
	put_le16(buf + OFF_TID, w->tid);
	put_le16(buf + OFF_PID, w->pid);
	put_le16(buf + OFF_UID, w->uid);
	put_le16(buf + OFF_MID, w->mid);
	buf[OFF_WCT] = SMB_WORD_COUNT;
	put_le16(buf + OFF_TDC, (uint16_t)w->data_len);
	put_le16(buf + OFF_MPC, w->max_param_count);
	put_le16(buf + OFF_TFLAGS, w->trans_flags);
	put_le32(buf + OFF_TIMEOUT, w->timeout_ms);
	put_le16(buf + OFF_PO, w->param_offset_is_data_offset ?
			       (uint16_t)doff : 0);
	put_le16(buf + OFF_DC, (uint16_t)w->data_len);
	put_le16(buf + OFF_DO, (uint16_t)doff);
	buf[OFF_SC] = SMB_SETUP_COUNT;
	put_le16(buf + OFF_OPCODE, SMB_MAILSLOT_OPCODE_WRITE);
	put_le16(buf + OFF_PRIORITY, w->priority);
	put_le16(buf + OFF_CLASS, w->mailslot_class);
	put_le16(buf + OFF_BCC, (uint16_t)bcc);
	memcpy(buf + SMB_MAILSLOT_NAME_OFFSET, w->name, w->name_len);
	buf[SMB_MAILSLOT_NAME_OFFSET + w->name_len] = '\0';
	memset(buf + SMB_MAILSLOT_NAME_OFFSET + w->name_len + 1, w->pad_byte,
	       doff - (SMB_MAILSLOT_NAME_OFFSET + w->name_len + 1));
	if (w->data_len > 0)
		memcpy(buf + doff, w->data, w->data_len);
	if (used != NULL)
		*used = total;
	return CODEC_OK;
}

enum codec_error smb_mailslot_decode(const uint8_t *buf, size_t len,
				     struct smb_mailslot_write *w)
{
	const uint8_t *nul;
	size_t name_end, doff, dcount;

	if (buf == NULL || w == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	memset(w, 0, sizeof(*w));
	if (len < 4 || memcmp(buf, "\xffSMB", 4) != 0)
		return len < 4 ? CODEC_ERR_SMB_TRUNCATED
			       : CODEC_ERR_SMB_BAD_SIGNATURE;
	if (len < OFF_WCT + 1)
		return CODEC_ERR_SMB_TRUNCATED;
	if (buf[OFF_COMMAND] != SMB_COM_TRANSACTION)
		return CODEC_ERR_SMB_BAD_COMMAND;
	if (buf[OFF_WCT] != SMB_WORD_COUNT)
		return CODEC_ERR_SMB_BAD_WORD_COUNT;
	if (len < SMB_MAILSLOT_FIXED_LEN)
		return CODEC_ERR_SMB_TRUNCATED;
	if (buf[OFF_SC] != SMB_SETUP_COUNT)
		return CODEC_ERR_SMB_BAD_SETUP_COUNT;
	if (get_le16(buf + OFF_OPCODE) != SMB_MAILSLOT_OPCODE_WRITE)
		return CODEC_ERR_SMB_BAD_OPCODE;

	w->flags = buf[OFF_FLAGS];
	w->flags2 = get_le16(buf + OFF_FLAGS2);
	w->pid_high = get_le16(buf + OFF_PID_HIGH);
	w->tid = get_le16(buf + OFF_TID);
	w->pid = get_le16(buf + OFF_PID);
	w->uid = get_le16(buf + OFF_UID);
	w->mid = get_le16(buf + OFF_MID);
	w->max_param_count = get_le16(buf + OFF_MPC);
	w->trans_flags = get_le16(buf + OFF_TFLAGS);
	w->timeout_ms = get_le32(buf + OFF_TIMEOUT);
	w->priority = get_le16(buf + OFF_PRIORITY);
	w->mailslot_class = get_le16(buf + OFF_CLASS);
	w->wire.total_param_count = get_le16(buf + OFF_TPC);
	w->wire.total_data_count = get_le16(buf + OFF_TDC);
	w->wire.max_data_count = get_le16(buf + OFF_MDC);
	w->wire.max_setup_count = buf[OFF_MSC];
	w->wire.param_count = get_le16(buf + OFF_PC);
	w->wire.param_offset = get_le16(buf + OFF_PO);
	w->wire.data_count = get_le16(buf + OFF_DC);
	w->wire.data_offset = get_le16(buf + OFF_DO);
	w->wire.byte_count = get_le16(buf + OFF_BCC);

	/* The name is bounded by the packet, never by ByteCount. */
	nul = memchr(buf + SMB_MAILSLOT_NAME_OFFSET, '\0',
		     len - SMB_MAILSLOT_NAME_OFFSET);
	if (nul == NULL)
		return CODEC_ERR_SMB_NAME_UNTERMINATED;
	w->name = (const char *)(buf + SMB_MAILSLOT_NAME_OFFSET);
	w->name_len = (size_t)(nul - (buf + SMB_MAILSLOT_NAME_OFFSET));
	if (!has_mailslot_prefix(w->name, w->name_len))
		return CODEC_ERR_SMB_NOT_MAILSLOT;
	name_end = SMB_MAILSLOT_NAME_OFFSET + w->name_len + 1;

	doff = w->wire.data_offset;
	dcount = w->wire.data_count;
	if (dcount > 0 && doff < name_end)
		return CODEC_ERR_SMB_DATA_OVERLAPS_HEADER;
	if (doff > len || dcount > len - doff)
		return CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS;
	w->data = buf + doff;
	w->data_len = dcount;
	w->wire.pad_len = doff > name_end ? doff - name_end : 0;
	w->wire.smb_len = doff + dcount > name_end ? doff + dcount : name_end;
	w->align_data = doff % 4 == 0 && w->wire.pad_len > 0;
	w->param_offset_is_data_offset = w->wire.param_offset == doff;
	if (w->wire.pad_len > 0)
		w->pad_byte = buf[name_end];
	return CODEC_OK;
}

bool smb_mailslot_name_equal(const char *a, size_t alen,
			     const char *b, size_t blen)
{
	return alen == blen && strncasecmp(a, b, alen) == 0;
}
