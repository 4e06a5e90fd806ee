/*
 * The Browser protocol ([MS-BRWS] §2.2) carried in mailslot writes to
 * \MAILSLOT\BROWSE, and the LAN Manager host announcement on
 * \MAILSLOT\LANMAN (Samba's send_lm_announcement).  All integers are
 * little-endian; strings are NUL-terminated OEM bytes.
 *
 * Decode is zero-copy: every string is a view into the caller's buffer
 * and is not NUL-terminated there when the sender left the NUL out.
 * Encode writes into a caller buffer of browser_encoded_len() bytes.
 */
#ifndef MAILSLOT_BROWSER_H
#define MAILSLOT_BROWSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nbt/codec_error.h"

enum browser_opcode {
	BROWSER_HOST_ANNOUNCEMENT = 0x01,
	BROWSER_ANNOUNCEMENT_REQUEST = 0x02,
	BROWSER_REQUEST_ELECTION = 0x08,
	BROWSER_GET_BACKUP_LIST_REQUEST = 0x09,
	BROWSER_GET_BACKUP_LIST_RESPONSE = 0x0a,
	BROWSER_BECOME_BACKUP = 0x0b,
	BROWSER_DOMAIN_ANNOUNCEMENT = 0x0c,
	BROWSER_MASTER_ANNOUNCEMENT = 0x0d,
	BROWSER_RESET_STATE_REQUEST = 0x0e,
	BROWSER_LOCAL_MASTER_ANNOUNCEMENT = 0x0f,
};

/* Which mailslot the message came on: the LANMAN layout differs. */
enum browser_layout {
	BROWSER_LAYOUT_BROWSE,	/* [MS-BRWS] */
	BROWSER_LAYOUT_LANMAN,	/* LAN Manager host announcement */
};

#define BROWSER_SERVER_NAME_FIELD 16	/* fixed, NUL-padded */
#define BROWSER_NAME_MAX 15		/* NetBIOS names, without suffix */
#define BROWSER_COMMENT_MAX 43		/* [MS-BRWS] §2.2.1 */
/* Longest string decode accepts for a name: real senders pad some with
 * spaces or send DNS-ish names; anything longer is garbage. */
#define BROWSER_STRING_WIRE_MAX 255
#define BROWSER_BACKUP_MAX 255		/* a one-byte count */
#define BROWSER_VERSION_MAJOR 0x0f
#define BROWSER_VERSION_MINOR 0x01
#define BROWSER_SIGNATURE 0xaa55
#define BROWSER_ANNOUNCEMENT_FIXED 32	/* before the comment */
#define BROWSER_LANMAN_FIXED 10		/* before the server name */

/* SV_TYPE_* ([MS-RAP] §2.5.5.2.1) */
#define SV_TYPE_WORKSTATION 0x00000001u
#define SV_TYPE_SERVER 0x00000002u
#define SV_TYPE_SQLSERVER 0x00000004u
#define SV_TYPE_DOMAIN_CTRL 0x00000008u
#define SV_TYPE_DOMAIN_BAKCTRL 0x00000010u
#define SV_TYPE_TIME_SOURCE 0x00000020u
#define SV_TYPE_AFP 0x00000040u
#define SV_TYPE_NOVELL 0x00000080u
#define SV_TYPE_DOMAIN_MEMBER 0x00000100u
#define SV_TYPE_PRINTQ_SERVER 0x00000200u
#define SV_TYPE_DIALIN_SERVER 0x00000400u
#define SV_TYPE_SERVER_UNIX 0x00000800u
#define SV_TYPE_NT 0x00001000u
#define SV_TYPE_WFW 0x00002000u
#define SV_TYPE_SERVER_MFPN 0x00004000u
#define SV_TYPE_SERVER_NT 0x00008000u
#define SV_TYPE_POTENTIAL_BROWSER 0x00010000u
#define SV_TYPE_BACKUP_BROWSER 0x00020000u
#define SV_TYPE_MASTER_BROWSER 0x00040000u
#define SV_TYPE_DOMAIN_MASTER 0x00080000u
#define SV_TYPE_SERVER_OSF 0x00100000u
#define SV_TYPE_SERVER_VMS 0x00200000u
#define SV_TYPE_WINDOWS 0x00400000u
#define SV_TYPE_DFS 0x00800000u
#define SV_TYPE_CLUSTER_NT 0x01000000u
#define SV_TYPE_TERMINALSERVER 0x02000000u
#define SV_TYPE_CLUSTER_VS_NT 0x04000000u
#define SV_TYPE_DCE 0x10000000u
#define SV_TYPE_ALTERNATE_XPORT 0x20000000u
#define SV_TYPE_LOCAL_LIST_ONLY 0x40000000u
#define SV_TYPE_DOMAIN_ENUM 0x80000000u

/* Election criteria, byte 0 (role) and byte 3 (OS) ([MS-BRWS] §2.2.3) */
#define BROWSER_ELECT_BACKUP 0x00000001u
#define BROWSER_ELECT_STANDBY 0x00000002u
#define BROWSER_ELECT_MASTER 0x00000004u
#define BROWSER_ELECT_PREFERRED 0x00000008u
#define BROWSER_ELECT_WINS 0x00000020u
#define BROWSER_ELECT_PDC 0x00000080u
#define BROWSER_ELECT_OS_WFW 0x01000000u
#define BROWSER_ELECT_OS_NTW 0x10000000u
#define BROWSER_ELECT_OS_NTS 0x20000000u

/* ResetStateRequest bits */
#define BROWSER_RESET_STOP_MASTER 0x01
#define BROWSER_RESET_CLEAR_ALL 0x02
#define BROWSER_RESET_STOP 0x04

/* What a real sender got wrong and decode forgave (struct browser_msg). */
#define BROWSER_QUIRK_UNTERMINATED 0x0001   /* last string has no NUL */
#define BROWSER_QUIRK_NMBD_REQUEST 0x0002   /* nmbd: NUL, then the name */
#define BROWSER_QUIRK_NAME_FIELD_FULL 0x0004 /* 16-byte field, no NUL */
#define BROWSER_QUIRK_BAD_SIGNATURE 0x0008  /* not 15.1 / 0xAA55 */
#define BROWSER_QUIRK_TRAILING 0x0010	    /* bytes after the last field */
#define BROWSER_QUIRK_NON_ASCII 0x0020	    /* OEM bytes in a string */
#define BROWSER_QUIRK_LONG_COMMENT 0x0040   /* over 43 bytes */

/* A string: a view (decode) or the caller's bytes (encode). */
struct browser_string {
	const char *ptr;
	size_t len;		/* bytes before the NUL */
	bool terminated;	/* decode: the NUL was there */
};

/* 0x01, 0x0c, 0x0f (and LANMAN's announcement, see below) */
struct browser_announcement {
	uint8_t update_count;
	uint32_t periodicity_ms;	/* LANMAN: seconds × 1000 */
	struct browser_string server_name; /* 0x0c: the workgroup */
	uint8_t os_major, os_minor;	/* 0x0c/0x0f: BrowserConfigVersion */
	uint32_t server_type;
	/* 0x0c: uninitialised on Windows; kept as found */
	uint8_t browser_major, browser_minor;
	uint16_t signature;
	/* 0x0c: LocalMasterBrowserName */
	struct browser_string comment;
};

struct browser_election {		/* 0x08 */
	uint8_t version;
	uint32_t criteria;
	uint32_t uptime_ms;	/* Samba and Windows send ms */
	uint32_t reserved;
	struct browser_string server_name;
};

struct browser_backup_list {		/* 0x09 and 0x0a */
	uint8_t count;		/* requested (0x09) / present (0x0a) */
	uint32_t token;
	/* 0x0a: decode fills servers[0..count) */
	struct browser_string servers[BROWSER_BACKUP_MAX];
};

struct browser_msg {
	enum browser_layout layout;
	uint8_t opcode;
	uint8_t reserved;	/* 0x02's byte 1 (nmbd: its token) */
	struct browser_announcement ann;	/* 0x01 0x0c 0x0f, LANMAN */
	struct browser_election election;
	struct browser_backup_list backup;
	/* 0x02 response name, 0x0b browser to promote, 0x0d master */
	struct browser_string name;
	uint8_t reset_flags;	/* 0x0e */
	/* decode only */
	uint32_t quirks;	/* BROWSER_QUIRK_* */
	const uint8_t *trailing;	/* bytes after the last field */
	size_t trailing_len;
};

/* Zero everything, set opcode and the version/signature constants. */
void browser_msg_init(struct browser_msg *m, enum browser_layout layout,
		      uint8_t opcode);

/* "HostAnnouncement", "LANMAN HostAnnouncement", "Unknown" */
const char *browser_opcode_name(uint8_t opcode);

/*
 * Decode one mailslot payload.  Never reads outside [buf, buf+len);
 * accepts what Windows and Samba really send (missing final NUL, nmbd's
 * AnnouncementRequest, OEM text, DomainAnnouncement's junk version
 * bytes, trailing bytes) and notes it in m->quirks.
 */
enum codec_error browser_decode(const uint8_t *buf, size_t len,
				enum browser_layout layout,
				struct browser_msg *m);

/* 0: the message cannot be encoded (a string too long, bad opcode) */
size_t browser_encoded_len(const struct browser_msg *m);
enum codec_error browser_encode(const struct browser_msg *m, uint8_t *buf,
				size_t buflen, size_t *used);

/* The layout a mailslot name implies ("\MAILSLOT\LANMAN", any case). */
enum browser_layout browser_layout_for_slot(const char *name, size_t len);

/*
 * Flag names separated by spaces, e.g. "WORKSTATION SERVER NT
 * POTENTIAL_BROWSER"; unknown bits as 0x....; "NONE" for 0.  Returns
 * what snprintf would (the text is cut to buflen).
 */
size_t browser_server_type_string(uint32_t type, char *buf, size_t buflen);
size_t browser_criteria_string(uint32_t criteria, char *buf,
			       size_t buflen);

/* Copy s into buf with control and non-ASCII bytes as \xNN. */
size_t browser_string_escape(const struct browser_string *s, char *buf,
			     size_t buflen);

/* A string view of a C string (for encode). */
struct browser_string browser_str(const char *s);

/* s is name, ASCII case ignored (as NetBIOS names compare). */
bool browser_string_is(const struct browser_string *s, const char *name);

#endif
