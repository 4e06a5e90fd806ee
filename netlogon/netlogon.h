/*
 * NETLOGON mailslot messages ([MS-ADTS] §6.3.1, [MS-NRPC] §2.2.1.5), the
 * payload of \MAILSLOT\NET\NETLOGON and of the reply mailslots
 * \MAILSLOT\NET\GETDC*.  All integers little-endian unless noted.
 *
 * Decode is zero-copy: every string is a view into the caller's buffer
 * (ASCII or UTF-16LE bytes without their terminator; DNS names as the
 * offset of their first label in the message).  Alignment is relative to
 * the first byte of the message, never to the packet.  Nothing is
 * allocated; every length is checked before it is read.
 */
#ifndef MAILSLOT_NETLOGON_H
#define MAILSLOT_NETLOGON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbt/codec_error.h"

#define NETLOGON_MAILSLOT "\\MAILSLOT\\NET\\NETLOGON"
#define NETLOGON_REPLY_PREFIX "\\MAILSLOT\\NET\\GETDC"

/* Opcodes, named as [MS-ADTS] §6.3.1.3 names them. */
enum netlogon_opcode {
	LOGON_REQUEST = 0x00,
	LOGON_RESPONSE2 = 0x06,
	LOGON_PRIMARY_QUERY = 0x07,
	LOGON_UAS_CHANGE = 0x0a,	/* "announce change to UAS or SAM" */
	LOGON_PRIMARY_RESPONSE = 0x0c,
	LOGON_SAM_LOGON_REQUEST = 0x12,
	LOGON_SAM_LOGON_RESPONSE = 0x13,
	LOGON_SAM_PAUSE_RESPONSE = 0x14,
	LOGON_SAM_USER_UNKNOWN = 0x15,
	LOGON_SAM_LOGON_RESPONSE_EX = 0x17,
	LOGON_SAM_PAUSE_RESPONSE_EX = 0x18,
	LOGON_SAM_USER_UNKNOWN_EX = 0x19,
};

/* NtVersion ([MS-ADTS] §6.3.1.1) */
#define NETLOGON_NT_VERSION_1 0x00000001
#define NETLOGON_NT_VERSION_5 0x00000002
#define NETLOGON_NT_VERSION_5EX 0x00000004
#define NETLOGON_NT_VERSION_5EX_WITH_IP 0x00000008
#define NETLOGON_NT_VERSION_WITH_CLOSEST_SITE 0x00000010
#define NETLOGON_NT_VERSION_AVOID_NT4EMUL 0x01000000
#define NETLOGON_NT_VERSION_PDC 0x10000000
#define NETLOGON_NT_VERSION_IP 0x20000000
#define NETLOGON_NT_VERSION_LOCAL 0x40000000
#define NETLOGON_NT_VERSION_GC 0x80000000

/* DS_FLAG ([MS-ADTS] §6.3.1.2) */
#define DS_PDC_FLAG 0x00000001
#define DS_GC_FLAG 0x00000004
#define DS_LDAP_FLAG 0x00000008
#define DS_DS_FLAG 0x00000010
#define DS_KDC_FLAG 0x00000020
#define DS_TIMESERV_FLAG 0x00000040
#define DS_CLOSEST_FLAG 0x00000080
#define DS_WRITABLE_FLAG 0x00000100
#define DS_GOOD_TIMESERV_FLAG 0x00000200
#define DS_NDNC_FLAG 0x00000400
#define DS_SELECT_SECRET_DOMAIN_6_FLAG 0x00000800
#define DS_FULL_SECRET_DOMAIN_6_FLAG 0x00001000
#define DS_WS_FLAG 0x00002000
#define DS_DS_8_FLAG 0x00004000
#define DS_DS_9_FLAG 0x00008000
#define DS_DNS_CONTROLLER_FLAG 0x20000000
#define DS_DNS_DOMAIN_FLAG 0x40000000
#define DS_DNS_FOREST_FLAG 0x80000000

/* Bounds a decoder enforces on DNS-compressed names (RFC 1035). */
#define NETLOGON_DNS_MAX_JUMPS 16
#define NETLOGON_DNS_TEXT_MAX 256	/* 255 characters + NUL */
#define NETLOGON_SID_MAX_SUBAUTH 15

/*
 * A string: ASCII/OEM bytes, or UTF-16LE (len even), without the
 * terminator.  Decode: a view into the message.  Encode: the caller's
 * bytes (netlogon_str_ascii() / netlogon_str_utf16() help).
 */
struct netlogon_str {
	const uint8_t *p;
	size_t len;
};

/*
 * A DNS-compressed name.  Decode sets msg/msg_len/offset (the name is
 * re-walked to print it); encode takes text ("a.b.c", "" for the root)
 * when it is set, else re-reads the decoded form.
 */
struct netlogon_dns_name {
	const uint8_t *msg;
	size_t msg_len;
	size_t offset;
	const char *text;
};

/* 0x00: LAN Manager logon request */
struct netlogon_logon_request {
	struct netlogon_str computer_name;	/* ASCII */
	struct netlogon_str user_name;		/* ASCII */
	struct netlogon_str mailslot_name;	/* ASCII */
	uint8_t request_count;
};

/* 0x06: LAN Manager 2.0 logon response */
struct netlogon_logon_response2 {
	struct netlogon_str server_name;	/* ASCII, "\\SERVER" */
};

/* 0x07 */
struct netlogon_primary_query {
	struct netlogon_str computer_name;	/* ASCII */
	struct netlogon_str mailslot_name;	/* ASCII, the reply slot */
	struct netlogon_str unicode_computer_name; /* with the NT tail */
};

/* 0x0a */
struct netlogon_uas_change {
	uint32_t low_serial;
	uint32_t date_time;
	uint32_t pulse;
	uint32_t random;
	struct netlogon_str pdc_name;		/* ASCII */
	struct netlogon_str domain_name;	/* ASCII */
	struct netlogon_str unicode_pdc_name;
	struct netlogon_str unicode_domain_name;
	uint32_t db_count;
	/* db_count entries of 20 bytes: index u32, serial u64, time u64 */
	const uint8_t *db_info;
	struct netlogon_str domain_sid;		/* 4-aligned when present */
};

struct netlogon_db_change {
	uint32_t db_index;
	uint64_t serial;
	uint64_t nt_date_time;
};

/* 0x0c */
struct netlogon_primary_response {
	struct netlogon_str pdc_name;		/* ASCII */
	struct netlogon_str unicode_pdc_name;
	struct netlogon_str unicode_domain_name;
	/* Samba's nmbd pads NtVersion to 4 (zero bytes); Windows does not */
	bool nt_version_aligned;
};

/* 0x12 */
struct netlogon_sam_logon_request {
	uint16_t request_count;
	struct netlogon_str unicode_computer_name;
	struct netlogon_str user_name;		/* UTF-16, "" for a ping */
	struct netlogon_str mailslot_name;	/* ASCII */
	uint32_t allowable_account_control;
	struct netlogon_str domain_sid;		/* len = DomainSidSize */
};

/* 0x13-0x15, NT40 and (nt5) NT5 formats */
struct netlogon_sam_logon_response {
	bool nt5;
	struct netlogon_str logon_server;	/* UTF-16, "\\PDC1" */
	struct netlogon_str user_name;
	struct netlogon_str domain_name;
	/* NT5 only */
	uint8_t domain_guid[16];
	uint8_t null_guid[16];
	struct netlogon_dns_name dns_forest_name;
	struct netlogon_dns_name dns_domain_name;
	struct netlogon_dns_name dns_host_name;
	uint32_t dc_ip;				/* as read big-endian */
	uint32_t flags;				/* DS_* */
};

/* 0x17-0x19 */
struct netlogon_sam_logon_response_ex {
	uint16_t sbz;
	uint32_t flags;				/* DS_* */
	uint8_t domain_guid[16];
	struct netlogon_dns_name dns_forest_name;
	struct netlogon_dns_name dns_domain_name;
	struct netlogon_dns_name dns_host_name;
	struct netlogon_dns_name netbios_domain_name;
	struct netlogon_dns_name netbios_computer_name;
	struct netlogon_dns_name user_name;
	struct netlogon_dns_name dc_site_name;
	struct netlogon_dns_name client_site_name;
	bool has_sockaddr;			/* NtVersion has 5EX_WITH_IP */
	uint8_t sockaddr_size;
	struct netlogon_str sockaddr;		/* sockaddr_size bytes */
	uint16_t sockaddr_family;		/* 2 = AF_INET */
	uint32_t dc_ip;				/* host order */
	bool has_next_closest_site;
	struct netlogon_dns_name next_closest_site_name;
};

/* What follows the body. */
enum netlogon_trailer {
	NETLOGON_TRAILER_NT,		/* NtVersion u32, LmNt u16, Lm20 u16 */
	NETLOGON_TRAILER_LM,		/* LmNt u16, Lm20 u16 (0x00) */
	NETLOGON_TRAILER_LM20,		/* Lm20 u16 (0x06, Windows 95 0x07) */
};

struct netlogon_msg {
	uint16_t opcode;		/* enum netlogon_opcode */
	/*
	 * 0x07: Unicode tail and NT trailer present (else the Windows 95
	 * form, just a Lm20 token after the mailslot name).  0x0c always
	 * has them ([MS-ADTS] §6.3.1.5); decode sets it true.
	 */
	bool has_nt_tail;
	union {
		struct netlogon_logon_request logon_request;
		struct netlogon_logon_response2 response2;
		struct netlogon_primary_query primary_query;
		struct netlogon_uas_change uas_change;
		struct netlogon_primary_response primary_response;
		struct netlogon_sam_logon_request sam_request;
		struct netlogon_sam_logon_response sam_response;
		struct netlogon_sam_logon_response_ex sam_response_ex;
	} u;
	uint32_t nt_version;
	uint16_t lmnt_token;
	uint16_t lm20_token;
};

/* "LOGON_SAM_LOGON_RESPONSE_EX"; NULL for an unknown opcode. */
const char *netlogon_opcode_name(uint16_t opcode);
enum netlogon_trailer netlogon_trailer_of(const struct netlogon_msg *m);

/* 0x13-0x15 and 0x17-0x19 */
bool netlogon_is_sam_response(uint16_t opcode);
bool netlogon_is_sam_response_ex(uint16_t opcode);

/*
 * Decode one message (the mailslot data).  Bytes after the trailer are
 * CODEC_ERR_PAYLOAD_TRAILING_BYTES; a DNS pointer that does not point
 * before the name run holding it, or more than NETLOGON_DNS_MAX_JUMPS of
 * them, is CODEC_ERR_PAYLOAD_POINTER_LOOP; a SID whose sub-authority
 * count disagrees with its size is CODEC_ERR_PAYLOAD_BAD_SID.
 */
enum codec_error netlogon_decode(const uint8_t *buf, size_t len,
				 struct netlogon_msg *m);

/* Bytes encode would write; 0 if the message cannot be encoded. */
size_t netlogon_encoded_len(const struct netlogon_msg *m);
/* DNS names are compressed as Samba does (exact suffix match). */
enum codec_error netlogon_encode(const struct netlogon_msg *m, uint8_t *buf,
				 size_t buflen, size_t *used);

/* Builders for what a client sends (NT trailer, tokens 0xFFFF). */
void netlogon_build_primary_query(struct netlogon_msg *m,
				  struct netlogon_str computer,
				  struct netlogon_str mailslot,
				  struct netlogon_str unicode_computer);
void netlogon_build_sam_logon_request(struct netlogon_msg *m,
				      struct netlogon_str unicode_computer,
				      struct netlogon_str unicode_user,
				      struct netlogon_str mailslot,
				      uint32_t nt_version);

/* Views over caller text: ASCII as is; UTF-8 converted into buf. */
struct netlogon_str netlogon_str_ascii(const char *s);
/* false if buf (bytes) is too small or s is not valid UTF-8 */
bool netlogon_str_utf16(const char *s, uint8_t *buf, size_t buflen,
			struct netlogon_str *out);

/*
 * Printing.  Each returns the length written (always NUL-terminated when
 * buflen > 0).  UTF-16 is converted to UTF-8; a lone surrogate becomes
 * U+FFFD.  The DNS form is the dotted name, "" for the root.
 */
size_t netlogon_utf16_to_utf8(struct netlogon_str s, char *buf,
			      size_t buflen);
size_t netlogon_dns_name_text(const struct netlogon_dns_name *n, char *buf,
			      size_t buflen);
/* "S-1-5-21-1-2-3"; "" if the bytes are not a SID */
size_t netlogon_sid_format(struct netlogon_str sid, char *buf, size_t buflen);
/* DS flags and NtVersion in words: "PDC|GC|LDAP" */
size_t netlogon_ds_flags_format(uint32_t flags, char *buf, size_t buflen);
size_t netlogon_nt_version_format(uint32_t v, char *buf, size_t buflen);

/* Entry i of a 0x0a message's DB change list (i < db_count). */
void netlogon_db_change_get(const struct netlogon_uas_change *c, uint32_t i,
			    struct netlogon_db_change *out);

#endif
