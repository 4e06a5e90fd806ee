#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browser/browser.h"
#include "tools/field_text.h"
#include "decode_payload.h"
#include "decode_stats.h"

#define KEY_MAX 48
#define HOSTS_MAX 4096
#define SLOTS_MAX 256
#define OPCODES_MAX 256
#define WORKGROUPS_MAX 1024
#define DCS_MAX 1024
#define ELECTORS_MAX 1024
#define TYPES 256

struct stat_entry {
	char key[KEY_MAX];
	uint64_t count;
	uint32_t ip;
	uint8_t os_major, os_minor;
	uint32_t server_type;
	char extra[KEY_MAX];	/* host comment, master, DC's domain */
};

/* Open addressing, fixed capacity (a power of two, twice the limit). */
struct stat_table {
	const char *title;
	size_t limit, n, size;
	uint64_t overflow;
	struct stat_entry *e;
};

struct decode_stats {
	uint64_t datagrams, by_type[TYPES], by_status[4];
	uint64_t elections, icmp_quoted;
	struct stat_table slots, opcodes, hosts, workgroups, dcs, electors;
};

static bool table_init(TALLOC_CTX *ctx, struct stat_table *t,
		       const char *title, size_t limit)
{
	t->title = title;
	t->limit = limit;
	t->size = 2 * limit;
	t->e = talloc_zero_array(ctx, struct stat_entry, t->size);
	return t->e != NULL;
}

struct decode_stats *decode_stats_create(TALLOC_CTX *mem_ctx)
{
	struct decode_stats *s = talloc_zero(mem_ctx, struct decode_stats);

	if (s == NULL)
		return NULL;
	if (!table_init(s, &s->slots, "mailslots", SLOTS_MAX) ||
	    !table_init(s, &s->opcodes, "opcodes", OPCODES_MAX) ||
	    !table_init(s, &s->hosts, "hosts", HOSTS_MAX) ||
	    !table_init(s, &s->workgroups, "workgroups", WORKGROUPS_MAX) ||
	    !table_init(s, &s->dcs, "domain controllers", DCS_MAX) ||
	    !table_init(s, &s->electors, "election candidates",
			ELECTORS_MAX)) {
		talloc_free(s);
		return NULL;
	}
	return s;
}

/* Printable, cut copy of a wire string. */
static void key_copy(char *dst, const char *src, size_t len)
{
	field_text_escape(dst, KEY_MAX, src, src != NULL ? len : 0,
			  FIELD_TEXT_ESC_TO_NUL);
}

static struct stat_entry *table_get(struct stat_table *t, const char *key,
				    size_t len)
{
	char k[KEY_MAX];
	uint32_t h = 2166136261u;	/* FNV-1a */

	key_copy(k, key, len);
	for (const char *p = k; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	for (size_t i = 0; i < t->size; i++) {
		struct stat_entry *e = &t->e[(h + i) & (t->size - 1)];
		if (e->key[0] == '\0') {
			if (t->n == t->limit) {
				t->overflow++;
				return NULL;
			}
			memcpy(e->key, k, sizeof(k));
			t->n++;
			return e;
		}
		if (strcmp(e->key, k) == 0)
			return e;
	}
	t->overflow++;
	return NULL;
}

void decode_stats_add(struct decode_stats *s, const struct decode_dgram *r)
{
	struct stat_entry *e;
	char op[KEY_MAX];

	s->datagrams++;
	s->by_status[r->status]++;
	s->icmp_quoted += r->udp.icmp_quoted;
	if (r->have_header)
		s->by_type[r->d.type]++;
	if (!r->has_smb)
		return;
	e = table_get(&s->slots, r->w.name, r->w.name_len);
	if (e != NULL)
		e->count++;
	if (!r->payload_ok)
		return;
	if (r->hook->opcode != NULL && r->hook->opcode(r->msg) >= 0) {
		int code = r->hook->opcode(r->msg);
		snprintf(op, sizeof(op), "%s 0x%02x %s", r->hook->proto, code,
			 r->hook->opcode_name ? r->hook->opcode_name(code)
					      : "");
		e = table_get(&s->opcodes, op, strlen(op));
		if (e != NULL)
			e->count++;
	}
	if (r->hook->stats != NULL)
		r->hook->stats(s, r, r->msg);
}

void decode_stats_host(struct decode_stats *s, const char *name, size_t len,
		       uint32_t ip, uint8_t os_major, uint8_t os_minor,
		       uint32_t server_type, const char *comment,
		       size_t comment_len)
{
	struct stat_entry *e = table_get(&s->hosts, name, len);

	if (e == NULL)
		return;
	e->count++;
	e->ip = ip;
	e->os_major = os_major;
	e->os_minor = os_minor;
	e->server_type = server_type;
	key_copy(e->extra, comment, comment_len);
}

void decode_stats_workgroup(struct decode_stats *s, const char *wg,
			    size_t wg_len, const char *master,
			    size_t master_len)
{
	struct stat_entry *e = table_get(&s->workgroups, wg, wg_len);

	if (e == NULL)
		return;
	e->count++;
	if (master != NULL && master_len > 0)
		key_copy(e->extra, master, master_len);
}

void decode_stats_dc(struct decode_stats *s, const char *dc, size_t len,
		     const char *domain, size_t domain_len)
{
	struct stat_entry *e = table_get(&s->dcs, dc, len);

	if (e == NULL)
		return;
	e->count++;
	key_copy(e->extra, domain, domain_len);
}

void decode_stats_election(struct decode_stats *s, const char *name,
			   size_t len)
{
	struct stat_entry *e = table_get(&s->electors, name, len);

	s->elections++;
	if (e != NULL)
		e->count++;
}

static int by_count(const void *a, const void *b)
{
	const struct stat_entry *x = *(const struct stat_entry *const *)a;
	const struct stat_entry *y = *(const struct stat_entry *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->key, y->key);
}

/* The used entries, most frequent first (a talloc array on ctx). */
static const struct stat_entry **sorted(TALLOC_CTX *ctx,
					const struct stat_table *t)
{
	const struct stat_entry **v = talloc_array(ctx,
						   const struct stat_entry *,
						   t->n + 1);
	size_t n = 0;

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < t->size && n < t->n; i++) {
		if (t->e[i].key[0] != '\0')
			v[n++] = &t->e[i];
	}
	qsort(v, n, sizeof(v[0]), by_count);
	v[n] = NULL;
	return v;
}

static void print_table_head(const struct stat_table *t,
			     struct decode_out *o)
{
	decode_out_printf(o, "\n%s: %zu", t->title, t->n);
	if (t->overflow)
		decode_out_printf(o, " (+%llu not tracked: table full)",
				  (unsigned long long)t->overflow);
	decode_out_str(o, "\n");
}

static void print_counts(const struct stat_table *t, struct decode_out *o)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const struct stat_entry **v = sorted(tmp, t);

	print_table_head(t, o);
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		decode_out_printf(o, "  %8llu  %s\n",
				  (unsigned long long)v[i]->count, v[i]->key);
	talloc_free(tmp);
}

static void print_hosts(const struct stat_table *t, struct decode_out *o)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const struct stat_entry **v = sorted(tmp, t);

	print_table_head(t, o);
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		const struct stat_entry *e = v[i];
		char types[256];

		browser_server_type_string(e->server_type, types,
					   sizeof(types));
		decode_out_printf(o, "  %-15s %u.%u.%u.%u  os %u.%u  "
				  "announcements %llu  [%s]",
				  e->key, e->ip >> 24, (e->ip >> 16) & 0xff,
				  (e->ip >> 8) & 0xff, e->ip & 0xff,
				  e->os_major, e->os_minor,
				  (unsigned long long)e->count, types);
		if (e->extra[0])
			decode_out_printf(o, " \"%s\"", e->extra);
		decode_out_str(o, "\n");
	}
	talloc_free(tmp);
}

static void print_pairs(const struct stat_table *t, const char *what,
			struct decode_out *o)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	const struct stat_entry **v = sorted(tmp, t);

	print_table_head(t, o);
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		decode_out_printf(o, "  %-15s %s %-15s (%llu datagrams)\n",
				  v[i]->key, what,
				  v[i]->extra[0] ? v[i]->extra : "-",
				  (unsigned long long)v[i]->count);
	talloc_free(tmp);
}

void decode_stats_print(const struct decode_stats *s,
			const struct decode_counts *c, struct decode_out *o)
{
	decode_out_printf(o, "frames: %llu, IPv4: %llu, UDP: %llu, IP "
			  "fragments: %llu (reassembled %llu)\n",
			  (unsigned long long)c->capture.frames,
			  (unsigned long long)c->capture.ipv4,
			  (unsigned long long)c->capture.udp,
			  (unsigned long long)c->capture.ip_fragments,
			  (unsigned long long)c->capture.ip_reassembled);
	decode_out_printf(o, "datagrams: %llu (ok %llu, malformed %llu, "
			  "truncated %llu, NBT fragments %llu, reassembled "
			  "%llu, quoted in ICMP %llu)\n",
			  (unsigned long long)s->datagrams,
			  (unsigned long long)s->by_status[DECODE_OK],
			  (unsigned long long)s->by_status[DECODE_MALFORMED],
			  (unsigned long long)s->by_status[DECODE_TRUNCATED],
			  (unsigned long long)c->nbt_fragments,
			  (unsigned long long)c->nbt_reassembled,
			  (unsigned long long)s->icmp_quoted);
	decode_out_str(o, "\nby type:\n");
	for (size_t t = 0; t < TYPES; t++) {
		if (s->by_type[t])
			decode_out_printf(o, "  %8llu  0x%02zx %s\n",
					  (unsigned long long)s->by_type[t], t,
					  nbt_dgram_type_name((uint8_t)t));
	}
	print_counts(&s->slots, o);
	print_counts(&s->opcodes, o);
	print_hosts(&s->hosts, o);
	print_pairs(&s->workgroups, "master", o);
	print_pairs(&s->dcs, "domain", o);
	decode_out_printf(o, "\nelections: %llu requests\n",
			  (unsigned long long)s->elections);
	print_counts(&s->electors, o);
}
