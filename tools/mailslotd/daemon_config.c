#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_config.h"

bool mailslotd_network_parse(const char *text, struct mailslotd_network *n)
{
	char ip[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	struct in_addr a, m;

	if (len == 0 || len >= sizeof(ip))
		return false;
	memcpy(ip, text, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1)
		return false;
	n->ip = ntohl(a.s_addr);
	n->mask = 0xffffffff;
	if (slash == NULL)
		return true;
	if (strchr(slash + 1, '.') != NULL) {
		if (inet_pton(AF_INET, slash + 1, &m) != 1)
			return false;
		n->mask = ntohl(m.s_addr);
		/* ones on the left only: ~mask + 1 is a power of two */
		return (~n->mask & (~n->mask + 1)) == 0;
	}
	{
		char *end;
		long bits = strtol(slash + 1, &end, 10);
		if (*end != '\0' || bits < 0 || bits > 32 || end == slash + 1)
			return false;
		n->mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	}
	return true;
}

/* smb.conf keys ignore case, spaces and underscores. */
static void key_normalize(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < outlen; in++) {
		if (*in == ' ' || *in == '_' || *in == '\t')
			continue;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on", NULL };
	static const char *const no[] = { "no", "false", "0", "off", NULL };

	for (size_t i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x > max)
		return false;
	*out = x;
	return true;
}

/* A list of networks separated by spaces or commas. */
static bool parse_networks(const char *v, struct mailslotd_network *out,
			   size_t max, size_t *count)
{
	char buf[1024], *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		if (n == max || !mailslotd_network_parse(tok, &out[n]))
			return false;
		n++;
	}
	*count = n;
	return true;
}

char *mailslotd_config_upper_dup(TALLOC_CTX *mem_ctx, const char *v)
{
	char *s = talloc_strdup(mem_ctx, v);

	for (char *p = s; p != NULL && *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

bool mailslotd_config_set(struct mailslotd_config *cfg, const char *key,
			  const char *value, char **err)
{
	char k[64];
	unsigned long u;
	bool ok = true;

	key_normalize(key, k, sizeof(k));
	if (strcmp(k, "netbiosname") == 0) {
		ok = strlen(value) > 0 && strlen(value) <= 15;
		if (ok)
			cfg->netbios_name =
				mailslotd_config_upper_dup(cfg, value);
	} else if (strcmp(k, "workgroup") == 0) {
		ok = strlen(value) > 0 && strlen(value) <= 15;
		if (ok)
			cfg->workgroup = mailslotd_config_upper_dup(cfg, value);
	} else if (strcmp(k, "interfaces") == 0) {
		ok = parse_networks(value, cfg->interfaces,
				    MAILSLOTD_MAX_INTERFACES,
				    &cfg->num_interfaces);
	} else if (strcmp(k, "bindinterfacesonly") == 0) {
		ok = parse_bool(value, &cfg->bind_interfaces_only);
	} else if (strcmp(k, "winsserver") == 0) {
		cfg->wins_server = *value ? talloc_strdup(cfg, value) : NULL;
	} else if (strcmp(k, "nameresolveorder") == 0) {
		cfg->name_resolve_order = talloc_strdup(cfg, value);
	} else if (strcmp(k, "mailslotdatagramport") == 0) {
		ok = parse_uint(value, 65535, &u) && u > 0;
		cfg->dgram_port = (uint16_t)u;
	} else if (strcmp(k, "mailslotnameport") == 0) {
		ok = parse_uint(value, 65535, &u) && u > 0;
		cfg->name_port = (uint16_t)u;
	} else if (strcmp(k, "mailslotnameservice") == 0) {
		ok = parse_bool(value, &cfg->name_service);
	} else if (strcmp(k, "mailslotnodestatus") == 0) {
		ok = parse_bool(value, &cfg->node_status);
	} else if (strcmp(k, "mailslotruntimedir") == 0) {
		ok = value[0] == '/';
		cfg->runtime_dir = talloc_strdup(cfg, value);
	} else if (strcmp(k, "mailslotuser") == 0) {
		cfg->user = *value ? talloc_strdup(cfg, value) : NULL;
	} else if (strcmp(k, "mailslotqueuemessages") == 0) {
		ok = parse_uint(value, 1u << 22, &u) && u > 0;
		cfg->queue_messages = u;
	} else if (strcmp(k, "mailslotreassemblypending") == 0) {
		ok = parse_uint(value, 65536, &u) && u > 0;
		cfg->reasm_max_pending = u;
	} else if (strcmp(k, "mailslotreassemblybytes") == 0) {
		ok = parse_uint(value, 64ul << 20, &u) && u > 0;
		cfg->reasm_max_bytes = u;
	} else if (strcmp(k, "mailslotreassemblytimeout") == 0) {
		ok = parse_uint(value, 600000, &u) && u > 0;
		cfg->reasm_timeout_ms = (uint32_t)u;
	} else if (strcmp(k, "mailslotallow") == 0) {
		ok = parse_networks(value, cfg->allow, MAILSLOTD_MAX_ALLOW,
				    &cfg->num_allow);
	} else if (strcmp(k, "mailslotnamettl") == 0) {
		ok = parse_uint(value, 7 * 86400, &u) && u > 0;
		cfg->name_ttl = (uint32_t)u;
	}
	/* Any other Samba parameter is Samba's business: ignored. */
	if (!ok && err != NULL)
		*err = talloc_asprintf(cfg, "bad value '%s' for '%s'", value,
				       key);
	return ok;
}

struct parse_state {
	struct mailslotd_config *cfg;
	char *err;
	FILE *f;
	int lineno;
};

static int config_handler(void *priv, const char *section, const char *name,
			  const char *value)
{
	struct parse_state *st = priv;

	if (strcasecmp(section, "global") != 0)
		return 1;
	if (!mailslotd_config_set(st->cfg, name, value, &st->err))
		return 0;
	return 1;
}

/*
 * smb.conf lines are usually indented; libinih would read an indented
 * line as a continuation, so hand it every line with the indent removed.
 */
static char *config_reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *p;

	if (fgets(str, num, st->f) == NULL)
		return NULL;
	st->lineno++;
	p = str;
	while (*p == ' ' || *p == '\t')
		p++;
	if (p != str)
		memmove(str, p, strlen(p) + 1);
	return str;
}

struct mailslotd_config *mailslotd_config_load(TALLOC_CTX *mem_ctx,
					       const char *path,
					       bool path_required,
					       char **err)
{
	struct mailslotd_config *cfg = talloc_zero(mem_ctx,
						   struct mailslotd_config);
	struct parse_state st = { .cfg = cfg };
	char host[256];
	int line;

	if (cfg == NULL)
		return NULL;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "MAILSLOT");
	host[sizeof(host) - 1] = '\0';
	*strchrnul(host, '.') = '\0';
	host[15] = '\0'; /* a NetBIOS name has at most 15 characters */
	cfg->netbios_name = mailslotd_config_upper_dup(cfg, host);
	cfg->workgroup = talloc_strdup(cfg, "WORKGROUP");
	cfg->name_resolve_order = talloc_strdup(cfg, "wins bcast");
	cfg->dgram_port = 138;
	cfg->name_port = 137;
	cfg->name_service = true;
	/* a node status answer is several times its question: an
	 * amplifier for forged sources, so off unless asked for */
	cfg->node_status = false;
	cfg->queue_messages = 0;
	cfg->reasm_max_pending = 64;
	cfg->reasm_max_bytes = 64 * (2048 + 256);
	cfg->reasm_timeout_ms = 2000;
	cfg->name_ttl = 259200; /* Samba's default: 3 days */

	if (path == NULL)
		return cfg;
	st.f = fopen(path, "r");
	if (st.f == NULL) {
		if (!path_required && errno == ENOENT)
			return cfg;
		*err = talloc_asprintf(mem_ctx, "cannot read %s: %s", path,
				       strerror(errno));
		talloc_free(cfg);
		return NULL;
	}
	cfg->path = talloc_strdup(cfg, path);
	line = ini_parse_stream(config_reader, &st, config_handler, &st);
	fclose(st.f);
	if (line != 0) {
		*err = talloc_asprintf(mem_ctx, "%s:%d: %s", path, line,
				       st.err ? st.err
					      : "not smb.conf syntax");
		talloc_free(cfg);
		return NULL;
	}
	return cfg;
}
