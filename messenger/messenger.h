/*
 * The Messenger (NET SEND) mailslot message on \MAILSLOT\MESSNGR
 * (protocol.md §7.1): three OEM strings, From\0To\0Text\0, no type byte.
 * MS-MSRP does not specify this form; the layout is the de-facto one
 * (Win98 captures, WinPopup, vector 05).
 *
 * Bytes are kept as they are on the wire (OEM code page, CP850 by
 * default); messenger_oem_to_utf8() converts for display.
 */
#ifndef MAILSLOT_MESSENGER_H
#define MAILSLOT_MESSENGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "nbt/codec_error.h"

#define MESSENGER_MAILSLOT "\\MAILSLOT\\MESSNGR"
#define MESSENGER_LOCAL_SLOT "\\\\.\\mailslot\\MESSNGR"
#define MESSENGER_NAME_SUFFIX 0x03	/* COMPUTER<03>, USER<03> */
#define MESSENGER_NAME_MAX 15		/* a NetBIOS name */
#define MESSENGER_CODEPAGE "CP850"	/* OEM default (Western Europe) */
/* MS-MSRP §3.2.4.4: a receiver displays at most this many characters */
#define MESSENGER_DISPLAY_MAX 4095

/* A message.  Decode: views into the packet, not NUL-terminated. */
struct messenger_msg {
	const char *from;
	size_t from_len;
	const char *to;
	size_t to_len;
	const char *text;
	size_t text_len;
	/* decode only: the text's NUL was missing (tolerated) */
	bool text_unterminated;
	/* decode only: bytes after the text's NUL (reported, ignored) */
	size_t trailing_len;
};

/*
 * Largest payload Windows sends on \MAILSLOT\MESSNGR: the 512-byte SMB
 * budget of smb_mailslot_max_payload() (424 bytes).
 */
size_t messenger_max_payload(void);

/* Largest text for From/To of these lengths (0 if they alone are too big). */
size_t messenger_max_text(size_t from_len, size_t to_len);

/* from_len + to_len + text_len + 3 */
size_t messenger_encoded_len(const struct messenger_msg *m);

/*
 * From and To: 1-15 bytes, no NUL; text: no NUL and at most
 * messenger_max_text() (CODEC_ERR_PAYLOAD_BAD_FIELD, nothing written).
 * The text is written as given: convert line breaks and the code page
 * first (messenger_linebreaks(), messenger_utf8_to_oem()).
 */
enum codec_error messenger_encode(const struct messenger_msg *m,
				  uint8_t *buf, size_t buflen, size_t *used);

/*
 * From and To must each end with a NUL inside buf
 * (CODEC_ERR_PAYLOAD_TRUNCATED) and be at most 15 bytes
 * (CODEC_ERR_PAYLOAD_BAD_STRING); the text runs to its NUL or to the end
 * of buf.
 */
enum codec_error messenger_decode(const uint8_t *buf, size_t len,
				  struct messenger_msg *m);

enum messenger_linebreak {
	MESSENGER_LB_KEEP,	/* bytes as they are */
	MESSENGER_LB_CRLF,	/* CR, LF, CRLF, LFCR -> CR LF (WinPopup) */
	MESSENGER_LB_0X14,	/* ... -> 0x14 (MS-MSRP SMB form) */
	MESSENGER_LB_LF,	/* ... and 0x14 -> LF (for display) */
};

/* text with every line break rewritten; talloc'd, NUL-terminated. */
char *messenger_linebreaks(TALLOC_CTX *mem_ctx, const char *text,
			   size_t len, enum messenger_linebreak lb,
			   size_t *out_len);

/*
 * OEM bytes of codepage (NULL: CP850) to UTF-8 via iconv.  Bytes that
 * do not convert (or every byte >= 0x80 when iconv lacks the code page)
 * become "\xNN".  Control characters are kept; see messenger_escape().
 */
char *messenger_oem_to_utf8(TALLOC_CTX *mem_ctx, const char *oem,
			    size_t len, const char *codepage);

/* UTF-8 to OEM; NULL if a character has no OEM form (errno EILSEQ). */
char *messenger_utf8_to_oem(TALLOC_CTX *mem_ctx, const char *utf8,
			    size_t len, const char *codepage,
			    size_t *out_len);

/*
 * Control characters (< 0x20, 0x7f) as \n-style or \xNN escapes and a
 * backslash as "\\"; keep_newline leaves LF alone (for a popup's lines).
 * Bytes >= 0x80 are copied (UTF-8 from messenger_oem_to_utf8()).
 */
char *messenger_escape(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		       bool keep_newline);

/* 'MESSNGR from "A" to "B": "text"' on one line, escaped, UTF-8. */
char *messenger_summary(TALLOC_CTX *mem_ctx, const struct messenger_msg *m,
			const char *codepage);

/* The message as UTF-8 strings (line breaks as LF), for JSON and display. */
struct messenger_json {
	char *from;
	char *to;
	char *text;
	bool text_unterminated;
	size_t trailing_len;
};
struct messenger_json *messenger_to_json_struct(TALLOC_CTX *mem_ctx,
						const struct messenger_msg *m,
						const char *codepage);
/* {"from":"...","to":"...","text":"..."} with JSON string escapes. */
char *messenger_json_object(TALLOC_CTX *mem_ctx,
			    const struct messenger_json *j);

#endif
