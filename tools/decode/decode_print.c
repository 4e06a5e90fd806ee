/*
 * Summary line, -V field tree and --json (one object per line) for a
 * decoded datagram.  Fields are collected into a reused list; nothing is
 * allocated per datagram.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decode_payload.h"
#include "decode_print.h"

#define FIELDS_MAX 1024
#define ARENA_SIZE (256 * 1024)
#define HASH_SIZE 2048		/* > FIELDS_MAX, a power of two */

struct field {
	const char *name;	/* static strings from the emitters */
	size_t value;		/* offset in the arena */
	int next;		/* next field of the same name, -1 */
	bool later;		/* not the first of its name */
};

struct decode_printer {
	enum decode_mode mode;
	struct decode_out *o;
	size_t n, used;
	bool full;
	struct field f[FIELDS_MAX];
	int last[FIELDS_MAX];		/* last index of a first's chain */
	int hash[HASH_SIZE];
	char arena[ARENA_SIZE];
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
	return p;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void collect(void *priv, const char *name, const char *value)
{
	struct decode_printer *p = priv;
	size_t len = strlen(value) + 1;
	struct field *f;
	uint32_t h;

	if (p->n == FIELDS_MAX || p->used + len > ARENA_SIZE) {
		p->full = true;
		return;
	}
	f = &p->f[p->n];
	f->name = name;
	f->value = p->used;
	f->next = -1;
	f->later = false;
	memcpy(p->arena + p->used, value, len);
	p->used += len;
	if (p->mode == DECODE_MODE_JSON) {
		/* chain repeated names so JSON shows them as one array */
		for (h = name_hash(name);; h++) {
			int *slot = &p->hash[h & (HASH_SIZE - 1)];
			if (*slot == 0) {
				*slot = (int)p->n + 1;
				p->last[p->n] = (int)p->n;
				break;
			}
			if (strcmp(p->f[*slot - 1].name, name) == 0) {
				int first = *slot - 1;
				p->f[p->last[first]].next = (int)p->n;
				p->last[first] = (int)p->n;
				f->later = true;
				break;
			}
		}
	}
	p->n++;
}

static void reset(struct decode_printer *p)
{
	if (p->mode == DECODE_MODE_JSON)
		memset(p->hash, 0, sizeof(p->hash));
	p->n = 0;
	p->used = 0;
	p->full = false;
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

void decode_payload_summary(const struct decode_dgram *r, char *buf,
			    size_t buflen)
{
	const struct nbt_dgram *d = decode_dgram_whole(r);

	buf[0] = '\0';
	if (r->status == DECODE_FRAGMENT) {
		snprintf(buf, buflen, "NBT fragment at offset %u (%s)",
			 r->d.packet_offset, r->err == CODEC_OK ?
			 "waiting for the rest" : codec_error_string(r->err));
	} else if (!r->have_header) {
		snprintf(buf, buflen, "%s", codec_error_string(r->err));
	} else if (d->type == NBT_DGRAM_ERROR) {
		snprintf(buf, buflen, "error %s",
			 nbt_dgram_error_code_name(d->error_code));
	} else if (!r->has_smb) {
		snprintf(buf, buflen, "%s", r->err == CODEC_OK ? "" :
			 codec_error_string(r->err));
	} else if (r->payload_ok && r->hook->summary != NULL) {
		r->hook->summary(r->msg, buf, buflen);
	} else if (r->hook != NULL && r->hook->decode != NULL) {
		snprintf(buf, buflen, "%s: %s (%zu bytes)", r->hook->proto,
			 codec_error_string(r->payload_err), r->w.data_len);
	} else {
		snprintf(buf, buflen, "%zu bytes of data", r->w.data_len);
	}
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
	snprintf(slot, sizeof(slot), "%.*s", r->has_smb ?
		 (int)(r->w.name_len < 200 ? r->w.name_len : 200) : 1,
		 r->has_smb ? r->w.name : "-");
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
		decode_out_str(o, p->arena + p->f[i].value);
		decode_out_str(o, "\n");
	}
	if (p->full)
		decode_out_str(o, "  (more fields than shown)\n");
	decode_out_str(o, "\n");
}

static void print_json(struct decode_printer *p,
		       const struct decode_dgram *r, const char *file)
{
	struct decode_out *o = p->o;
	char what[1024];

	decode_out_str(o, "{");
	if (file != NULL) {
		decode_out_str(o, "\"decode.file\":");
		decode_out_json_str(o, file);
		decode_out_str(o, ",");
	}
	decode_out_printf(o, "\"decode.status\":\"%s\"",
			  decode_status_name(r->status));
	if (r->err != CODEC_OK)
		decode_out_printf(o, ",\"decode.error\":\"%s\"",
				  codec_error_name(r->err));
	if (r->hook != NULL)
		decode_out_printf(o, ",\"decode.payload\":\"%s\"",
				  r->hook->proto);
	if (r->has_smb && r->hook != NULL && r->hook->decode != NULL &&
	    !r->payload_ok)
		decode_out_printf(o, ",\"decode.payload_error\":\"%s\"",
				  codec_error_name(r->payload_err));
	if (r->nbt_fragment)
		decode_out_str(o, ",\"decode.nbt_fragment\":true");
	if (r->whole != NULL)
		decode_out_str(o, ",\"decode.reassembled\":true");
	if (r->udp.reassembled)
		decode_out_printf(o, ",\"decode.ip_fragments\":%u",
				  r->udp.ip_fragments);
	if (r->udp.icmp_quoted)
		decode_out_str(o, ",\"decode.icmp_quoted\":true");
	if (r->udp.bad_length)
		decode_out_str(o, ",\"decode.udp_bad_length\":true");
	decode_payload_summary(r, what, sizeof(what));
	decode_out_str(o, ",\"decode.summary\":");
	decode_out_json_str(o, what);
	for (size_t i = 0; i < p->n; i++) {
		const struct field *f = &p->f[i];
		if (f->later)
			continue;
		decode_out_str(o, ",");
		decode_out_json_str(o, f->name);
		decode_out_str(o, ":");
		if (f->next < 0) {
			decode_out_json_str(o, p->arena + f->value);
			continue;
		}
		decode_out_str(o, "[");
		for (int k = (int)i; k >= 0; k = p->f[k].next) {
			if (k != (int)i)
				decode_out_str(o, ",");
			decode_out_json_str(o, p->arena + p->f[k].value);
		}
		decode_out_str(o, "]");
	}
	decode_out_str(o, "}\n");
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
	decode_fields_emit(r, collect, p);
	if (p->mode == DECODE_MODE_TREE)
		print_tree(p, r);
	else
		print_json(p, r, file);
}
