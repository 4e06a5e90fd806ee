#include <string.h>

#include "browse_table.h"

static void copy_str(char dst[BROWSE_TEXT_MAX], const struct browser_string *s)
{
	size_t n = s->len < BROWSE_TEXT_MAX - 1 ? s->len : BROWSE_TEXT_MAX - 1;

	if (n)
		memcpy(dst, s->ptr, n);
	dst[n] = '\0';
}

static struct browse_host *host_find(struct browse_table *t,
				     const struct browser_string *name)
{
	for (size_t i = 0; i < t->nhosts; i++) {
		if (browser_string_is(name, t->hosts[i].name))
			return &t->hosts[i];
	}
	if (t->nhosts == BROWSE_MAX_HOSTS || name->len == 0)
		return NULL;
	memset(&t->hosts[t->nhosts], 0, sizeof(t->hosts[0]));
	copy_str(t->hosts[t->nhosts].name, name);
	return &t->hosts[t->nhosts++];
}

static struct browse_group *group_find(struct browse_table *t,
				       const struct browser_string *name)
{
	for (size_t i = 0; i < t->ngroups; i++) {
		if (browser_string_is(name, t->groups[i].name))
			return &t->groups[i];
	}
	if (t->ngroups == BROWSE_MAX_GROUPS || name->len == 0)
		return NULL;
	memset(&t->groups[t->ngroups], 0, sizeof(t->groups[0]));
	copy_str(t->groups[t->ngroups].name, name);
	return &t->groups[t->ngroups++];
}

static void add_host(struct browse_table *t, const struct browser_msg *m,
		     time_t now)
{
	const struct browser_announcement *a = &m->ann;
	struct browse_host *h = host_find(t, &a->server_name);

	if (h == NULL)
		return;
	copy_str(h->comment, &a->comment);
	h->os_major = a->os_major;
	h->os_minor = a->os_minor;
	h->browser_major = a->browser_major;
	h->browser_minor = a->browser_minor;
	h->server_type = a->server_type;
	h->period_ms = a->periodicity_ms;
	h->lanman = m->layout == BROWSER_LAYOUT_LANMAN;
	h->gone = a->server_type == 0;	/* [MS-BRWS] §3.2.7 */
	h->last_seen = now;
}

void browse_table_add(struct browse_table *t, const struct browser_msg *m,
		      time_t now)
{
	struct browse_group *g;
	struct browser_string wg = browser_str(t->workgroup);

	t->messages++;
	switch (m->opcode) {
	case BROWSER_HOST_ANNOUNCEMENT:
		add_host(t, m, now);
		break;
	case BROWSER_LOCAL_MASTER_ANNOUNCEMENT:
		/* sent to <our workgroup><1e>: its master */
		add_host(t, m, now);
		g = group_find(t, &wg);
		if (g == NULL)
			break;
		copy_str(g->master, &m->ann.server_name);
		g->last_seen = now;
		break;
	case BROWSER_DOMAIN_ANNOUNCEMENT:
		g = group_find(t, &m->ann.server_name);
		if (g == NULL)
			break;
		copy_str(g->master, &m->ann.comment);
		g->os_major = m->ann.os_major;
		g->os_minor = m->ann.os_minor;
		g->server_type = m->ann.server_type;
		g->last_seen = now;
		break;
	case BROWSER_GET_BACKUP_LIST_RESPONSE:
		for (size_t i = 0; i < m->backup.count; i++) {
			struct browse_host *h = host_find(t,
						&m->backup.servers[i]);
			if (h == NULL)
				continue;
			h->backup = true;
			if (h->last_seen == 0)
				h->last_seen = now;
		}
		break;
	case BROWSER_REQUEST_ELECTION:
		t->elections++;
		break;
	case BROWSER_ANNOUNCEMENT_REQUEST:
		t->requests++;
		break;
	}
}

/* Network bytes never reach the terminal raw. */
static void put_escaped(FILE *out, const char *s, bool json)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (json && (*p == '"' || *p == '\\'))
			fprintf(out, "\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, out);
		else if (json)
			fprintf(out, "\\u%04x", *p);
		else
			fprintf(out, "\\x%02x", *p);
	}
}

static void print_padded(FILE *out, const char *s, int width)
{
	char buf[BROWSE_TEXT_MAX * 4 + 1];
	struct browser_string v = browser_str(s);

	browser_string_escape(&v, buf, sizeof(buf));
	fprintf(out, "%-*s ", width, buf);
}

void browse_table_print(const struct browse_table *t, FILE *out, time_t now)
{
	char flags[512];

	fprintf(out, "%-15s %-5s %-7s %-8s %-36s %s\n", "HOST", "OS",
		"BROWSER", "SEEN", "TYPE", "COMMENT");
	for (size_t i = 0; i < t->nhosts; i++) {
		const struct browse_host *h = &t->hosts[i];
		char os[16], ver[16], seen[24];

		browser_server_type_string(h->server_type, flags,
					   sizeof(flags));
		snprintf(os, sizeof(os), "%u.%u", h->os_major, h->os_minor);
		snprintf(ver, sizeof(ver), h->lanman ? "LM" : "%u.%u",
			 h->browser_major, h->browser_minor);
		snprintf(seen, sizeof(seen), "%lds ago",
			 (long)(now - h->last_seen));
		print_padded(out, h->name, 15);
		if (h->server_type == 0 && h->backup && !h->gone) {
			fprintf(out, "%-5s %-7s %-8s %-36s\n", "-", "-",
				seen, "(named as a backup browser)");
			continue;
		}
		fprintf(out, "%-5s %-7s %-8s %-36s ", os, ver, seen,
			h->gone ? "NONE (shutting down)" : flags);
		print_padded(out, h->comment, 0);
		fputc('\n', out);
	}
	fprintf(out, "\n%-15s %-15s %-5s %s\n", "WORKGROUP", "MASTER", "OS",
		"SEEN");
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct browse_group *g = &t->groups[i];
		char os[16];

		snprintf(os, sizeof(os), "%u.%u", g->os_major, g->os_minor);
		print_padded(out, g->name, 15);
		print_padded(out, g->master, 15);
		fprintf(out, "%-5s %lds ago\n", g->os_major ? os : "-",
			(long)(now - g->last_seen));
	}
	fprintf(out, "\n%zu browser messages (%zu election requests, %zu "
		"announcement requests, %zu undecodable)\n", t->messages,
		t->elections, t->requests, t->undecodable);
}

static void json_str(FILE *out, const char *key, const char *v, bool comma)
{
	fprintf(out, "\"%s\":\"", key);
	put_escaped(out, v, true);
	fprintf(out, "\"%s", comma ? "," : "");
}

void browse_table_print_json(const struct browse_table *t, FILE *out,
			     time_t now)
{
	char flags[512];

	fprintf(out, "{\"workgroup\":\"");
	put_escaped(out, t->workgroup, true);
	fprintf(out, "\",\"hosts\":[");
	for (size_t i = 0; i < t->nhosts; i++) {
		const struct browse_host *h = &t->hosts[i];

		browser_server_type_string(h->server_type, flags,
					   sizeof(flags));
		fprintf(out, "%s{", i ? "," : "");
		json_str(out, "name", h->name, true);
		fprintf(out, "\"os_version\":\"%u.%u\",\"browser_version\":"
			"\"%u.%u\",\"server_type\":%u,", h->os_major,
			h->os_minor, h->browser_major, h->browser_minor,
			h->server_type);
		json_str(out, "server_type_names", flags, true);
		json_str(out, "comment", h->comment, true);
		fprintf(out, "\"period_ms\":%u,\"lanman\":%s,\"backup\":%s,"
			"\"shutting_down\":%s,\"last_seen_s\":%ld}",
			h->period_ms, h->lanman ? "true" : "false",
			h->backup ? "true" : "false", h->gone ? "true" : "false",
			(long)(now - h->last_seen));
	}
	fprintf(out, "],\"workgroups\":[");
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct browse_group *g = &t->groups[i];

		fprintf(out, "%s{", i ? "," : "");
		json_str(out, "name", g->name, true);
		json_str(out, "master", g->master, true);
		fprintf(out, "\"os_version\":\"%u.%u\",\"server_type\":%u,"
			"\"last_seen_s\":%ld}", g->os_major, g->os_minor,
			g->server_type, (long)(now - g->last_seen));
	}
	fprintf(out, "],\"messages\":%zu,\"election_requests\":%zu,"
		"\"announcement_requests\":%zu,\"undecodable\":%zu}\n",
		t->messages, t->elections, t->requests, t->undecodable);
}
