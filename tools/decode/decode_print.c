/*
 * Summary line, -V field tree and --json (one object per line) for a
 * decoded datagram.  Fields are collected into a reused list; nothing is
 * allocated per datagram.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tools/field_text.h"
#include "decode_payload.h"
#include "decode_print.h"

#define FIELDS_MAX 1024
#define ARENA_SIZE (256 * 1024)	/* field values, as text */
#define KEYS_MAX 1024		/* distinct field names (the emitters have
				 * a few hundred) */
#define KEY_TEXT_MAX 64		/* a name as JSON: ,"name": */
#define KEY_TABLE 4096		/* > 2 * KEYS_MAX, a power of two */
#define PLAIN_SHORT 8		/* values copied byte by byte */
/* Every field as JSON: its name and value escaped (at most 6 bytes for
 * each byte the arena would hold) fit, so JSON drops exactly the fields
 * the arena would have dropped; a value that does not fit is escaped
 * only as far as the arena's room, into the room the remaining fields
 * would take. */
#define JSON_SIZE (FIELDS_MAX * (KEY_TEXT_MAX + 2) + 6 * ARENA_SIZE)

struct field {
	const char *name;	/* static strings from the emitters */
	size_t value;		/* -V: offset in the arena */
	/* --json: `,"name":"value"` at json[seg, end), the value from val;
	 * or a run of fields' text at once (text_start) */
	uint32_t seg, val, end;
	int next;		/* --json: next field of the same name, -1 */
	bool later;		/* --json: not the first of its name */
};

/*
 * A field name for --json, interned: its JSON text made once, and where
 * its fields are in the current datagram (stamp says which datagram
 * last saw it, so nothing is cleared per datagram).
 */
struct json_key {
	const char *name;
	uint64_t stamp;
	int last;		/* its last field so far */
	size_t len;
	/* the name that followed this one last time, and its key */
	const char *next_name;
	int next_key;
	char text[KEY_TEXT_MAX];
};

/* Emitters pass names as string constants: the same pointer is the same
 * name, so a pointer finds its key without hashing the text.  Two
 * constants with the same text share the key found by text. */
struct json_keys {
	size_t n;
	struct json_key k[KEYS_MAX];
	struct { const char *name; int key; } by_ptr[KEY_TABLE];
	size_t nptr;
	int by_text[KEY_TABLE];	/* key + 1, 0 when free */
	/* the key looked up last; start, before a datagram's first */
	struct json_key *prev;
	struct json_key start;
};

struct decode_printer {
	enum decode_mode mode;
	struct decode_out *o;
	size_t n, used;
	/* FIELDS_MAX less the fields within --json's SMB text (one entry
	 * in f for many fields): n reaching it is the limit */
	size_t nmax;
	bool full;
	struct field f[FIELDS_MAX];
	char *arena;		/* -V: ARENA_SIZE bytes */
	/* --json */
	char *json;		/* JSON_SIZE bytes */
	size_t json_used;
	uint64_t stamp;		/* datagrams printed */
	struct json_keys *keys;
};

struct decode_printer *decode_printer_create(TALLOC_CTX *mem_ctx,
					     enum decode_mode mode,
					     struct decode_out *o)
{
	struct decode_printer *p = talloc_zero(mem_ctx,
					       struct decode_printer);

	if (p == NULL)
		return NULL;
	p->mode = mode;
	p->o = o;
	/* not zeroed: only the pages a datagram uses become resident */
	if (mode == DECODE_MODE_TREE)
		p->arena = talloc_size(p, ARENA_SIZE);
	if (mode == DECODE_MODE_JSON) {
		p->json = talloc_size(p, JSON_SIZE);
		p->keys = talloc_zero(p, struct json_keys);
	}
	if ((mode == DECODE_MODE_TREE && p->arena == NULL) ||
	    (mode == DECODE_MODE_JSON && (p->json == NULL ||
					  p->keys == NULL))) {
		talloc_free(p);
		return NULL;
	}
	return p;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* A new key for name: its JSON text ,"name": made here, once. */
static int key_add(struct json_keys *t, const char *name)
{
	char text[6 * KEY_TEXT_MAX + 2];
	size_t len = strlen(name), n;
	struct json_key *k;

	if (t->n == KEYS_MAX || len >= KEY_TEXT_MAX)
		return -1;
	n = decode_json_escape(text, name, len);
	if (n + 2 > KEY_TEXT_MAX)
		return -1;
	k = &t->k[t->n];
	k->name = name;
	k->text[0] = ',';
	memcpy(k->text + 1, text, n);
	k->text[n + 1] = ':';
	k->len = n + 2;
	return (int)t->n++;
}

/* The key for name's text, added if new; -1 when the table is full. */
static int key_by_text(struct json_keys *t, const char *name)
{
	for (uint32_t h = name_hash(name);; h++) {
		int *slot = &t->by_text[h & (KEY_TABLE - 1)];
		if (*slot == 0) {
			int k = key_add(t, name);
			if (k >= 0)
				*slot = k + 1;
			return k;
		}
		if (strcmp(t->k[*slot - 1].name, name) == 0)
			return *slot - 1;
	}
}

/* Out of line: json_start, inlined per call, keeps only the guess. */
__attribute__((noinline))
static int key_by_ptr(struct json_keys *t, const char *name)
{
	uint64_t h = (uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15ull;
	int k;

	for (h >>= 52;; h++) {
		h &= KEY_TABLE - 1;
		if (t->by_ptr[h].name == name)
			return t->by_ptr[h].key;
		if (t->by_ptr[h].name == NULL)
			break;
	}
	k = key_by_text(t, name);
	/* half full at most, so probes stay short and one is always free */
	if (k >= 0 && t->nptr < KEY_TABLE / 2) {
		t->by_ptr[h].name = name;
		t->by_ptr[h].key = k;
		t->nptr++;
	}
	return k;
}

/* Fields come in the same order datagram after datagram, so the name
 * that followed the previous key last time is almost always the one
 * asked for: one compare on a key already in cache, not a probe of the
 * pointer table.  A wrong guess only costs the table lookup. */
static inline int key_of(struct json_keys *t, const char *name)
{
	struct json_key *prev = t->prev;
	int k;

	if (prev->next_name == name) {
		k = prev->next_key;
	} else {
		k = key_by_ptr(t, name);
		if (k < 0)
			return k;
		prev->next_name = name;
		prev->next_key = k;
	}
	t->prev = &t->k[k];
	return k;
}

/* The arena's limits, shared by -V and --json so both drop the same
 * fields when a datagram has more than fit. */
static bool room(struct decode_printer *p, size_t len)
{
	if (p->n == FIELDS_MAX || p->used + len + 1 > ARENA_SIZE) {
		p->full = true;
		return false;
	}
	p->used += len + 1;
	return true;
}

static void collect(void *priv, const char *name, const char *value)
{
	struct decode_printer *p = priv;
	size_t len = strlen(value);
	struct field *f;

	if (!room(p, len))
		return;
	f = &p->f[p->n++];
	f->name = name;
	f->value = p->used - len - 1;
	memcpy(p->arena + f->value, value, len + 1);
}

/* --json: the field's name text at the end of p->json; NULL when the
 * field does not fit.  The limits are the arena's (see room()), so the
 * same fields are dropped; left is the arena's room for the value. */
static inline struct json_key *json_start(struct decode_printer *p,
					  const char *name, size_t *left)
{
	int key = key_of(p->keys, name);
	struct json_key *k;

	*left = ARENA_SIZE - p->used;
	if (key < 0 || p->n >= p->nmax || *left == 0) {
		p->full = true;
		return NULL;
	}
	*left -= 1;		/* the arena's NUL */
	k = &p->keys->k[key];
	/* the whole slot: a constant size is a few moves, not a call */
	memcpy(p->json + p->json_used, k->text, KEY_TEXT_MAX);
	return k;
}

/* The field whose name and value (n bytes, len before escaping) were
 * just written; chains repeated names so JSON shows one array. */
static inline void json_end(struct decode_printer *p, struct json_key *k,
			    size_t len, size_t n)
{
	struct field *f = &p->f[p->n];

	p->used += len + 1;
	f->seg = (uint32_t)p->json_used;
	f->val = f->seg + (uint32_t)k->len;
	f->end = f->val + (uint32_t)n;
	p->json_used = f->end;
	f->next = -1;
	f->later = k->stamp == p->stamp;
	if (f->later)
		p->f[k->last].next = (int)p->n;
	k->stamp = p->stamp;
	k->last = (int)p->n;
	p->n++;
}

/* --json: the field as ,"name":"value" now; print_json copies it. */
static void collect_json(void *priv, const char *name, const char *value)
{
	struct decode_printer *p = priv;
	size_t left, len, n;
	struct json_key *k = json_start(p, name, &left);

	if (k == NULL)
		return;
	n = decode_json_escape_cstr(p->json + p->json_used + k->len, value,
				    left, &len);
	if (n == 0) {
		p->full = true;
		return;
	}
	json_end(p, k, len, n);
}

/* --json, a value with nothing to escape: copied, not scanned. */
static void collect_plain(void *priv, const char *name, const char *value,
			  size_t len)
{
	struct decode_printer *p = priv;
	size_t left;
	struct json_key *k = json_start(p, name, &left);
	char *v;

	if (k == NULL)
		return;
	if (len > left) {
		p->full = true;
		return;
	}
	v = p->json + p->json_used + k->len;
	v[0] = '"';
	/* most are a digit or a few: a loop beats a call to memcpy */
	if (len <= PLAIN_SHORT) {
		for (size_t i = 0; i < len; i++)
			v[1 + i] = value[i];
	} else {
		memcpy(v + 1, value, len);
	}
	v[len + 1] = '"';
	json_end(p, k, len, len + 2);
}

/* --json: a run of fields as one piece of text (decode_field_sink),
 * when all of them surely fit; NULL sends them one by one. */
static char *text_start(void *priv, size_t fields, size_t values)
{
	struct decode_printer *p = priv;

	if (p->n + fields > p->nmax || p->used + values > ARENA_SIZE)
		return NULL;
	return p->json + p->json_used;
}

static void text_end(void *priv, size_t len, size_t fields, size_t values)
{
	struct decode_printer *p = priv;
	struct field *f = &p->f[p->n++];

	f->seg = (uint32_t)p->json_used;
	f->val = f->seg;
	f->end = f->seg + (uint32_t)len;
	f->next = -1;
	f->later = false;
	p->json_used = f->end;
	p->used += values;
	p->nmax -= fields - 1;
}

static void reset(struct decode_printer *p)
{
	p->stamp++;
	p->n = 0;
	p->nmax = FIELDS_MAX;
	p->used = 0;
	p->json_used = 0;
	p->full = false;
	if (p->keys != NULL)
		p->keys->prev = &p->keys->start;
}

static void time_text(const struct decode_dgram *r, char *buf, size_t n)
{
	struct tm tm;
	time_t t = r->ts.tv_sec;
	long us = r->ts_nsec ? r->ts.tv_usec / 1000 : r->ts.tv_usec;

	gmtime_r(&t, &tm);
	snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%06ld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, us);
}

/* "N" */
static size_t text_u(char *buf, size_t buflen, size_t n, uint64_t v)
{
	char b[FIELD_TEXT_NUM_MAX];

	return codec_text_put(buf, buflen, n, b, field_text_u(b, v));
}

void decode_payload_summary(const struct decode_dgram *r, char *buf,
			    size_t buflen)
{
	const struct nbt_dgram *d = decode_dgram_whole(r);
	size_t n = 0;

	buf[0] = '\0';
	if (r->status == DECODE_FRAGMENT) {
		n = codec_text_str(buf, buflen, n, "NBT fragment at offset ");
		n = text_u(buf, buflen, n, r->d.packet_offset);
		n = codec_text_str(buf, buflen, n, " (");
		n = codec_text_str(buf, buflen, n, r->err == CODEC_OK ?
				    "waiting for the rest" :
				    codec_error_string(r->err));
		codec_text_str(buf, buflen, n, ")");
	} else if (!r->have_header) {
		codec_text_str(buf, buflen, n, codec_error_string(r->err));
	} else if (d->type == NBT_DGRAM_ERROR) {
		n = codec_text_str(buf, buflen, n, "error ");
		codec_text_str(buf, buflen, n,
				nbt_dgram_error_code_name(d->error_code));
	} else if (!r->has_smb) {
		if (r->err != CODEC_OK)
			codec_text_str(buf, buflen, n,
					codec_error_string(r->err));
	} else if (r->payload_ok && r->hook->summary != NULL) {
		r->hook->summary(r->msg, buf, buflen);
	} else if (r->hook != NULL && r->hook->decode != NULL) {
		n = codec_text_str(buf, buflen, n, r->hook->proto);
		n = codec_text_str(buf, buflen, n, ": ");
		n = codec_text_str(buf, buflen, n,
				    codec_error_string(r->payload_err));
		n = codec_text_str(buf, buflen, n, " (");
		n = text_u(buf, buflen, n, r->w.data_len);
		codec_text_str(buf, buflen, n, " bytes)");
	} else {
		n = text_u(buf, buflen, n, r->w.data_len);
		codec_text_str(buf, buflen, n, " bytes of data");
	}
}

/* The mailslot name with every byte outside 0x20-0x7e as \xNN: names
 * come from the network and end up on terminals. */
static void slot_text(const struct decode_dgram *r, char *buf, size_t len)
{
	if (!r->has_smb) {
		snprintf(buf, len, "-");
		return;
	}
	field_text_escape(buf, len, r->w.name, r->w.name_len, 0);
}

static void print_summary(struct decode_printer *p,
			  const struct decode_dgram *r)
{
	const struct nbt_dgram *d = decode_dgram_whole(r);
	char when[64], src[NBT_NAME_TEXT_MAX], dst[NBT_NAME_TEXT_MAX];
	char slot[SMB_MAILSLOT_SMB_LIMIT], what[1024];
	struct decode_out *o = p->o;
	uint32_t s = r->udp.src_ip, t = r->udp.dst_ip;

	time_text(r, when, sizeof(when));
	strcpy(src, "?");
	strcpy(dst, "?");
	if (r->have_source && nbt_dgram_type_is_data(d->type))
		nbt_name_format(&d->source, src, sizeof(src));
	if (r->have_dest)
		nbt_name_format(&d->dest, dst, sizeof(dst));
	slot_text(r, slot, sizeof(slot));
	decode_payload_summary(r, what, sizeof(what));
	decode_out_printf(o, "%6llu %s %u.%u.%u.%u -> %u.%u.%u.%u ",
			  (unsigned long long)r->frame, when, s >> 24,
			  (s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff, t >> 24,
			  (t >> 16) & 0xff, (t >> 8) & 0xff, t & 0xff);
	decode_out_printf(o, "%s %s -> %s %s",
			  r->have_header ? nbt_dgram_type_name(d->type) : "?",
			  src, dst, slot);
	if (what[0])
		decode_out_printf(o, " %s", what);
	if (r->status != DECODE_OK && r->status != DECODE_FRAGMENT)
		decode_out_printf(o, " [%s]", decode_status_name(r->status));
	if (r->whole != NULL)
		decode_out_str(o, " [reassembled]");
	if (r->udp.reassembled)
		decode_out_printf(o, " [IP reassembled from %u fragments]",
				  r->udp.ip_fragments);
	if (r->udp.icmp_quoted)
		decode_out_printf(o, " [quoted in ICMP type %u code %u]",
				  r->udp.icmp_type, r->udp.icmp_code);
	decode_out_str(o, "\n");
}

/* Layer of a field: what comes before its first dot. */
static size_t layer_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

/*
 * A value in the -V tree: strings from the network (NETLOGON names, user
 * names) may hold control bytes, which must not reach a terminal raw.
 */
static void tree_value_print(struct decode_out *o, const char *v)
{
	char esc[4 * 256 + 6];	/* a piece, escaped: never cut */
	size_t len = strlen(v);

	while (len > 0) {
		size_t n = len < 256 ? len : 256;

		decode_out_put(o, esc, field_text_escape(esc, sizeof(esc), v, n,
					 FIELD_TEXT_ESC_HIGH_RAW));
		v += n;
		len -= n;
	}
}

static void print_tree(struct decode_printer *p,
		       const struct decode_dgram *r)
{
	struct decode_out *o = p->o;
	char what[1024];
	const char *layer = "";
	size_t llen = 0;

	decode_payload_summary(r, what, sizeof(what));
	decode_out_printf(o, "Frame %llu: %s", (unsigned long long)r->frame,
			  decode_status_name(r->status));
	if (r->err != CODEC_OK)
		decode_out_printf(o, " (%s)", codec_error_string(r->err));
	decode_out_printf(o, "%s%s\n", what[0] ? ": " : "", what);
	for (size_t i = 0; i < p->n; i++) {
		const char *nm = p->f[i].name;
		size_t l = layer_len(nm);
		if (l != llen || strncmp(nm, layer, l) != 0) {
			decode_out_printf(o, "  %.*s\n", (int)l, nm);
			layer = nm;
			llen = l;
		}
		decode_out_printf(o, "    %s: ", nm);
		tree_value_print(o, p->arena + p->f[i].value);
		decode_out_str(o, "\n");
	}
	if (p->full)
		decode_out_str(o, "  (more fields than shown)\n");
	decode_out_str(o, "\n");
}

/* The collected fields: runs of fields whose names occur once are
 * contiguous in p->json and go out in one piece. */
static void print_json_fields(struct decode_printer *p)
{
	struct decode_out *o = p->o;
	const char *j = p->json;
	uint32_t run = 0, run_end = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct field *f = &p->f[i];
		if (f->later)
			continue;
		if (f->next < 0) {
			if (f->seg != run_end) {
				decode_out_put(o, j + run, run_end - run);
				run = f->seg;
			}
			run_end = f->end;
			continue;
		}
		/* a repeated name: ,"name":[v1,v2,...] */
		decode_out_put(o, j + run, run_end - run);
		run = run_end = f->end;
		decode_out_put(o, j + f->seg, f->val - f->seg);
		decode_out_put(o, "[", 1);
		for (int k = (int)i; k >= 0; k = p->f[k].next) {
			const struct field *v = &p->f[k];
			if (k != (int)i)
				decode_out_put(o, ",", 1);
			decode_out_put(o, j + v->val, v->end - v->val);
		}
		decode_out_put(o, "]", 1);
	}
	decode_out_put(o, j + run, run_end - run);
}

/* key (its opening quote included), then a name of ours that needs no
 * escaping (a status, codec or protocol name), then the closing quote */
#define json_name(o, key, name) \
	do { \
		decode_out_lit((o), key); \
		decode_out_str((o), (name)); \
		decode_out_lit((o), "\""); \
	} while (0)

static void json_count(struct decode_out *o, const char *key, unsigned v)
{
	char b[FIELD_TEXT_NUM_MAX];

	decode_out_str(o, key);
	decode_out_put(o, b, field_text_u(b, v));
}

static void print_json(struct decode_printer *p,
		       const struct decode_dgram *r, const char *file)
{
	struct decode_out *o = p->o;
	char what[1024];

	decode_out_lit(o, "{");
	if (file != NULL) {
		decode_out_lit(o, "\"decode.file\":");
		decode_out_json_str(o, file);
		decode_out_lit(o, ",");
	}
	if (r->status == DECODE_OK)
		decode_out_lit(o, "\"decode.status\":\"ok\"");
	else
		json_name(o, "\"decode.status\":\"",
			  decode_status_name(r->status));
	if (r->err != CODEC_OK)
		json_name(o, ",\"decode.error\":\"", codec_error_name(r->err));
	if (r->hook != NULL)
		json_name(o, ",\"decode.payload\":\"", r->hook->proto);
	if (r->has_smb && r->hook != NULL && r->hook->decode != NULL &&
	    !r->payload_ok)
		json_name(o, ",\"decode.payload_error\":\"",
			  codec_error_name(r->payload_err));
	if (r->nbt_fragment)
		decode_out_lit(o, ",\"decode.nbt_fragment\":true");
	if (r->whole != NULL)
		decode_out_lit(o, ",\"decode.reassembled\":true");
	if (r->udp.reassembled)
		json_count(o, ",\"decode.ip_fragments\":",
			   r->udp.ip_fragments);
	if (r->udp.icmp_quoted)
		decode_out_lit(o, ",\"decode.icmp_quoted\":true");
	if (r->udp.bad_length)
		decode_out_lit(o, ",\"decode.udp_bad_length\":true");
	decode_payload_summary(r, what, sizeof(what));
	decode_out_lit(o, ",\"decode.summary\":");
	decode_out_json_str(o, what);
	print_json_fields(p);
	decode_out_lit(o, "}\n");
}

void decode_print(struct decode_printer *p, const struct decode_dgram *r,
		  const char *file)
{
	switch (p->mode) {
	case DECODE_MODE_SUMMARY:
		print_summary(p, r);
		return;
	case DECODE_MODE_STATS:
		return;
	case DECODE_MODE_TREE:
	case DECODE_MODE_JSON:
		break;
	}
	reset(p);
	if (p->mode == DECODE_MODE_JSON) {
		struct decode_field_sink json = { collect_json, collect_plain,
						  text_start, text_end, p };
		decode_fields_emit_to(r, &json);
	} else {
		decode_fields_emit(r, collect, p);
	}
	if (p->mode == DECODE_MODE_TREE)
		print_tree(p, r);
	else
		print_json(p, r, file);
}
