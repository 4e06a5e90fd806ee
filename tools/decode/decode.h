/*
 * mailslot decode: from captured frames to decoded NBT datagrams with
 * their mailslot message and payload, as tshark-named fields.
 *
 * One struct decode_ctx per capture stream; decode_frame() per frame.
 * Nothing is allocated per frame: results point into the frame, the
 * reassemblers or the context's reused buffers, valid until the next
 * decode_frame().
 */
#ifndef MAILSLOT_DECODE_H
#define MAILSLOT_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <talloc.h>

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "tools/capture/capture.h"
#include "tools/dgram_fields.h"

enum decode_status {
	DECODE_OK,		/* decoded as far as the datagram goes */
	DECODE_MALFORMED,	/* NBT or SMB contradicts itself */
	DECODE_TRUNCATED,	/* cut by the snapshot length or a quote */
	DECODE_FRAGMENT,	/* an NBT fragment; reassembly pending */
};

struct decode_payload_hook;

/* One UDP datagram to or from a datagram port. */
struct decode_dgram {
	uint64_t frame;		/* 1-based, within the current file */
	struct timeval ts;
	bool ts_nsec;		/* ts.tv_usec holds nanoseconds */
	struct capture_udp udp;
	enum decode_status status;
	enum codec_error err;	/* why, when not DECODE_OK */

	/* This packet's header; names only when have_names. */
	struct nbt_dgram d;
	bool have_header;	/* 10-byte prefix decoded */
	bool have_lengths;	/* DGM_LENGTH and PACKET_OFFSET present */
	bool have_source, have_dest;
	bool nbt_fragment;	/* d is one piece of a larger datagram */
	/* The reassembled datagram, when this frame completed one. */
	const struct nbt_dgram *whole;

	/* The mailslot write in the whole datagram's USER_DATA. */
	bool has_smb;
	struct smb_mailslot_write w;
	const uint8_t *smb;	/* its bytes (for the raw header fields) */
	size_t smb_len;

	/* The payload: hook NULL when no codec knows the mailslot. */
	const struct decode_payload_hook *hook;
	bool payload_ok;
	enum codec_error payload_err;
	void *msg;		/* the hook's decoded message */
};

struct decode_opts {
	uint16_t ports[8];	/* UDP ports that carry datagrams */
	size_t nports;
	bool payloads;		/* run the payload codecs */
};

void decode_opts_default(struct decode_opts *o);

struct decode_ctx;

struct decode_ctx *decode_ctx_create(TALLOC_CTX *mem_ctx,
				     const struct decode_opts *o, int dlt);
void decode_ctx_set_dlt(struct decode_ctx *c, int dlt);

/*
 * One frame.  Returns true with *out filled when the frame carries a UDP
 * datagram on one of the ports (including NBT fragments and quoted or
 * truncated datagrams).
 */
bool decode_frame(struct decode_ctx *c, uint64_t frame_no,
		  const struct timeval *ts, bool ts_nsec,
		  const uint8_t *data, size_t caplen,
		  const struct decode_dgram **out);

struct decode_counts {
	struct capture_stats capture;
	uint64_t nbt_fragments, nbt_reassembled, nbt_frag_dropped;
};
void decode_get_counts(const struct decode_ctx *c, struct decode_counts *n);

const char *decode_status_name(enum decode_status s);

/* The datagram whose mailslot write was decoded (whole or d). */
static inline const struct nbt_dgram *decode_dgram_whole(
	const struct decode_dgram *r)
{
	return r->whole != NULL ? r->whole : &r->d;
}

/*
 * Every field of r, named as tshark names them (frame.*, ip.*, udp.*,
 * nbdgm.*, smb.*, mailslot.*, data.*, browser.*, ...), in wire order,
 * values formatted as tshark's -T json shows them.
 */
void decode_fields_emit(const struct decode_dgram *r, dgram_field_fn fn,
			void *priv);

/*
 * Where decode_fields_emit_to puts fields.  plain (may be NULL: fn then
 * takes those too) takes the values built from numbers (digits, hex,
 * dots, colons: nothing JSON escapes) with their length, so a printer
 * need neither measure nor scan them.
 */
struct decode_field_sink {
	dgram_field_fn fn;
	void (*plain)(void *priv, const char *field, const char *value,
		      size_t len);
	/* --json (both may be NULL): a run of fields as the JSON text the
	 * printer would make of them one by one, written at once.
	 * text_start returns where, or NULL when fields fields with
	 * values bytes of values (each with a NUL) might not all fit:
	 * they then go one by one, which drops exactly those that do not.
	 * text_end says how many bytes, fields and values it took.  The
	 * text takes less than 66 bytes a field and 6 a value byte, as a
	 * field's does in the printer, and none of its names occurs
	 * elsewhere in the datagram (no array to join). */
	char *(*text_start)(void *priv, size_t fields, size_t values);
	void (*text_end)(void *priv, size_t len, size_t fields,
			 size_t values);
	void *priv;
};
void decode_fields_emit_to(const struct decode_dgram *r,
			   const struct decode_field_sink *s);

#endif
