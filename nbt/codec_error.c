#include "codec_error.h"

static const struct {
	const char *name;
	const char *text;
} codec_errors[CODEC_ERR_COUNT] = {
#define E(x, t) [x] = { #x, t }
	E(CODEC_OK, "success"),
	E(CODEC_ERR_INVALID_ARGUMENT, "invalid argument"),
	E(CODEC_ERR_BUFFER_TOO_SMALL, "output buffer too small"),
	E(CODEC_ERR_NO_MEMORY, "out of memory"),
	E(CODEC_ERR_NAME_TRUNCATED, "NetBIOS name runs past the end of the packet"),
	E(CODEC_ERR_NAME_BAD_FIRST_LENGTH, "NetBIOS name does not start with length 0x20"),
	E(CODEC_ERR_NAME_BAD_CHARACTER, "NetBIOS name has a character outside A-P"),
	E(CODEC_ERR_NAME_POINTER, "NetBIOS name uses a label pointer (forbidden in datagrams)"),
	E(CODEC_ERR_NAME_RESERVED_LENGTH_BITS, "NetBIOS name label length has reserved bits set"),
	E(CODEC_ERR_NAME_TOO_LONG, "NetBIOS name is too long"),
	E(CODEC_ERR_NAME_TOO_MANY_LABELS, "NetBIOS name has too many scope labels"),
	E(CODEC_ERR_NAME_BAD_SCOPE, "NetBIOS scope ID is not a valid label sequence"),
	E(CODEC_ERR_NAME_BAD_TEXT, "NetBIOS name text is not of the form NAME<xx>[.scope]"),
	E(CODEC_ERR_DGRAM_TRUNCATED_HEADER, "NBT datagram shorter than its header"),
	E(CODEC_ERR_DGRAM_UNKNOWN_TYPE, "NBT datagram message type is not 0x10-0x16"),
	E(CODEC_ERR_DGRAM_TRAILING_BYTES, "NBT datagram has bytes after its last field"),
	E(CODEC_ERR_DGRAM_TOO_LARGE, "NBT datagram would exceed 65535 bytes"),
	E(CODEC_ERR_FRAG_NOT_A_FRAGMENT, "datagram is not a fragment"),
	E(CODEC_ERR_FRAG_TOO_LARGE, "fragment reaches past the reassembly size limit"),
	E(CODEC_ERR_FRAG_CONFLICT, "fragment overlaps earlier data with different bytes"),
	E(CODEC_ERR_FRAG_TABLE_FULL, "reassembly table is full"),
	E(CODEC_ERR_FRAG_NAME_MISMATCH, "fragment names differ from the other fragments"),
	E(CODEC_ERR_FRAG_BAD_FIRST, "first fragment (F flag) with a non-zero PACKET_OFFSET"),
	E(CODEC_ERR_NS_TRUNCATED, "name service packet shorter than its fields say"),
	E(CODEC_ERR_NS_TOO_MANY_RECORDS, "name service packet with more than one record in a section"),
	E(CODEC_ERR_NS_POINTER_LOOP, "name service label pointers loop or point forward"),
	E(CODEC_ERR_NS_BAD_RDATA, "resource record data does not fit its type"),
	E(CODEC_ERR_NS_TRAILING_BYTES, "name service packet has bytes after its last record"),
	E(CODEC_ERR_SMB_TRUNCATED, "SMB mailslot write shorter than its fixed part"),
	E(CODEC_ERR_SMB_BAD_SIGNATURE, "SMB header does not start with 0xFF 'SMB'"),
	E(CODEC_ERR_SMB_BAD_COMMAND, "SMB command is not TRANSACTION (0x25)"),
	E(CODEC_ERR_SMB_BAD_WORD_COUNT, "SMB word count is not 17"),
	E(CODEC_ERR_SMB_BAD_SETUP_COUNT, "SMB transaction setup count is not 3"),
	E(CODEC_ERR_SMB_BAD_OPCODE, "mailslot opcode is not 1 (write)"),
	E(CODEC_ERR_SMB_NAME_UNTERMINATED, "mailslot name has no NUL before the end of the packet"),
	E(CODEC_ERR_SMB_NOT_MAILSLOT, "transaction name does not start with \\MAILSLOT\\"),
	E(CODEC_ERR_SMB_DATA_OUT_OF_BOUNDS, "DataOffset/DataCount point outside the packet"),
	E(CODEC_ERR_SMB_DATA_OVERLAPS_HEADER, "DataOffset points into the SMB header or name"),
	E(CODEC_ERR_SMB_TOO_LARGE, "SMB mailslot write would exceed 65535 bytes"),
	E(CODEC_ERR_PAYLOAD_TRUNCATED, "message shorter than its fields say"),
	E(CODEC_ERR_PAYLOAD_UNKNOWN_OPCODE, "message opcode is not one this protocol defines"),
	E(CODEC_ERR_PAYLOAD_BAD_STRING, "string unterminated, too long or not valid in its encoding"),
	E(CODEC_ERR_PAYLOAD_BAD_FIELD, "field value outside what the protocol allows"),
	E(CODEC_ERR_PAYLOAD_TRAILING_BYTES, "bytes after the message's last field"),
	E(CODEC_ERR_PAYLOAD_POINTER_LOOP, "DNS-compressed name pointers loop or point forward"),
	E(CODEC_ERR_PAYLOAD_BAD_SID, "security identifier malformed or longer than its size says"),
#undef E
};

const char *codec_error_name(enum codec_error err)
{
	if ((unsigned)err >= CODEC_ERR_COUNT || codec_errors[err].name == 0)
		return "CODEC_ERR_UNKNOWN";
	return codec_errors[err].name;
}

const char *codec_error_string(enum codec_error err)
{
	if ((unsigned)err >= CODEC_ERR_COUNT || codec_errors[err].text == 0)
		return "unknown codec error";
	return codec_errors[err].text;
}
