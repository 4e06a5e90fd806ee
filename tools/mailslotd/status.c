/* The daemon's state as one JSON object (mailslot status --json). */
#include <arpa/inet.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon.h"
#include "names.h"

static const char *const drop_names[DROP_COUNT] = {
	[DROP_SOURCE_NOT_ALLOWED] = "source_not_allowed",
	[DROP_MALFORMED_DATAGRAM] = "malformed_datagram",
	[DROP_DATAGRAM_ERROR] = "datagram_error",
	[DROP_DATAGRAM_QUERY] = "datagram_query",
	[DROP_FRAGMENT] = "fragment",
	[DROP_NOT_OUR_NAME] = "not_our_name",
	[DROP_MALFORMED_SMB] = "malformed_smb",
	[DROP_NO_SUCH_MAILSLOT] = "no_such_mailslot",
	[DROP_QUEUE_FULL] = "queue_full",
	[DROP_TOO_LARGE] = "too_large",
	[DROP_DELIVERY_FAILED] = "delivery_failed",
};

const char *mailslotd_drop_name(enum mailslotd_drop reason)
{
	return (unsigned)reason < DROP_COUNT ? drop_names[reason] : "unknown";
}

static const char *state_name(enum mailslotd_name_state s)
{
	return s == NAME_ACTIVE ? "active" :
	       s == NAME_REGISTERING ? "registering" : "conflict";
}

/* JSON string body: names are printable-escaped already, but be safe. */
static char *json_str(TALLOC_CTX *mem_ctx, const char *s)
{
	char *out = talloc_strdup(mem_ctx, "\"");

	for (; out != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			out = talloc_asprintf_append_buffer(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			out = talloc_asprintf_append_buffer(out, "\\u%04x", c);
		else
			out = talloc_asprintf_append_buffer(out, "%c", c);
	}
	return out ? talloc_strdup_append_buffer(out, "\"") : NULL;
}

static char *ip_text(TALLOC_CTX *mem_ctx, uint32_t ip)
{
	return talloc_asprintf(mem_ctx, "%u.%u.%u.%u", ip >> 24,
			       (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

char *mailslotd_status_json(TALLOC_CTX *mem_ctx, const struct mailslotd *d)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	const struct mailslotd_stats *s = &d->stats;
	struct nbt_reasm_stats rs = { 0 };
	char *j;
	bool first = true;

	if (d->reasm != NULL)
		nbt_reasm_get_stats(d->reasm, &rs);
	j = talloc_asprintf(tmp, "{\"netbios_name\":%s,\"workgroup\":%s,"
			    "\"pid\":%ld,\"names\":[",
			    json_str(tmp, d->cfg->netbios_name),
			    json_str(tmp, d->cfg->workgroup), (long)getpid());
	for (const struct mailslotd_name *n = d->names; n; n = n->next) {
		char text[NBT_NAME_TEXT_MAX];
		nbt_name_format(&n->name, text, sizeof(text));
		j = talloc_asprintf_append_buffer(j,
			"%s{\"name\":%s,\"group\":%s,\"state\":\"%s\"}",
			first ? "" : ",", json_str(tmp, text),
			n->group ? "true" : "false", state_name(n->state));
		first = false;
	}
	j = talloc_asprintf_append_buffer(j, "],\"interfaces\":[");
	for (size_t i = 0; i < d->num_ifaces; i++)
		j = talloc_asprintf_append_buffer(j,
			"%s{\"address\":\"%s\",\"broadcast\":\"%s\"}",
			i ? "," : "", ip_text(tmp, d->ifaces[i].ip),
			ip_text(tmp, d->ifaces[i].bcast));
	j = talloc_asprintf_append_buffer(j, "],\"ports\":{\"datagram\":%u,"
		"\"name\":%u,\"name_service\":%s,\"node_status\":%s},",
		d->cfg->dgram_port, d->cfg->name_port,
		d->cfg->name_service ? "true" : "false",
		d->cfg->node_status ? "true" : "false");
	j = talloc_asprintf_append_buffer(j,
		"\"received\":%llu,\"fragments\":%llu,\"delivered\":%llu,"
		"\"sent\":%llu,\"dropped\":{",
		(unsigned long long)s->received,
		(unsigned long long)s->fragments,
		(unsigned long long)s->delivered,
		(unsigned long long)s->sent);
	for (int i = 0; i < DROP_COUNT; i++)
		j = talloc_asprintf_append_buffer(j, "%s\"%s\":%llu",
			i ? "," : "", drop_names[i],
			(unsigned long long)s->dropped[i]);
	j = talloc_asprintf_append_buffer(j, "},\"malformed\":{");
	first = true;
	for (int i = 0; i < 64; i++) {
		if (s->malformed[i] == 0)
			continue;
		j = talloc_asprintf_append_buffer(j, "%s\"%s\":%llu",
			first ? "" : ",", codec_error_name(i),
			(unsigned long long)s->malformed[i]);
		first = false;
	}
	j = talloc_asprintf_append_buffer(j,
		"},\"reassembly\":{\"pending\":%zu,\"bytes\":%zu,"
		"\"completed\":%llu,\"expired\":%llu,\"dropped_full\":%llu,"
		"\"dropped_conflict\":%llu,\"dropped_too_large\":%llu},"
		"\"name_service\":{\"received\":%llu,\"answered\":%llu,"
		"\"dropped\":%llu}}",
		rs.pending, rs.bytes, (unsigned long long)rs.completed,
		(unsigned long long)rs.expired,
		(unsigned long long)rs.dropped_full,
		(unsigned long long)rs.dropped_conflict,
		(unsigned long long)rs.dropped_too_large,
		(unsigned long long)s->ns_received,
		(unsigned long long)s->ns_answered,
		(unsigned long long)s->ns_dropped);
	j = j ? talloc_steal(mem_ctx, j) : NULL;
	talloc_free(tmp);
	return j;
}
