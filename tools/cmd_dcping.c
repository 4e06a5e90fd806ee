/*
 * mailslot dcping DOMAIN: the DC-locator mailslot ping.  A
 * LOGON_PRIMARY_QUERY to DOMAIN<1b> and <1c> and a LOGON_SAM_LOGON_REQUEST
 * to DOMAIN<1c>, replies read from a temporary \\.\mailslot\NET\GETDC<hex>
 * that mailslotd fills; every DC that answered is printed.
 */
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "dcping.h"
#include "libmailslot/mailslot.h"
#include "libmailslot/mailslot_ctl.h"
#include "netlogon_fields.h"
#include "slot_name.h"
#include "tools/mailslotd/daemon_config.h"
#include "win32_error_print.h"

#define DCPING_NO_DC 4

static void dcping_usage(FILE *out)
{
	fputs(
"usage: mailslot dcping DOMAIN [--dc HOST|IP] [--user U] [--nt-version FLAGS]\n"
"                      [--wait S] [--json] [-s CONF]\n"
"       mailslot dcping --standalone --interface IP/BITS [--port N]\n"
"                      [--netbios-name N] DOMAIN [...]\n"
"\n"
"Find the domain controllers of DOMAIN with the NETLOGON mailslot ping:\n"
"LOGON_PRIMARY_QUERY (0x07) to DOMAIN<1b> and DOMAIN<1c>, and\n"
"LOGON_SAM_LOGON_REQUEST (0x12, NtVersion 0x0B unless --nt-version, user U\n"
"or none) to DOMAIN<1c>, then listen S seconds (2) on a temporary mailslot\n"
"\\\\.\\mailslot\\NET\\GETDC<hex> and print every reply: its type, as\n"
"[MS-ADTS] names it, NetBIOS and DNS names, forest, site, DS flags in\n"
"words, and the DC's IP (from the reply's sockaddr, or in --standalone mode\n"
"the datagram's source).\n"
"\n"
"--dc HOST sends DIRECT_UNIQUE to HOST<00> only (mailslotd resolves it);\n"
"--dc IP (with --standalone) sends to that address.  The computer name in\n"
"the requests is mailslotd's (or -s CONF's netbios name).\n"
"\n"
"--standalone sends from this process's own UDP socket on --interface and\n"
"reads the replies there: no mailslotd, no root.  It hears DCs that answer\n"
"to the request's UDP source port (nmbd does).\n"
"\n"
"Exit status: 0 a DC answered, 4 no DC answered, 1 error, 2 usage.\n", out);
}

static void hexrand(char *out, size_t n)
{
	uint64_t v = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	FILE *f = fopen("/dev/urandom", "rb");

	if (f != NULL) {
		if (fread(&v, sizeof(v), 1, f) != 1)
			v ^= (uint64_t)clock();
		fclose(f);
	}
	snprintf(out, n, "%04" PRIX64, v & 0xffff);
}

bool dcping_requests_build(TALLOC_CTX *ctx, const struct dcping_opts *o,
			   struct dcping_requests *r)
{
	struct netlogon_msg m;
	struct netlogon_str uc, uu;
	uint8_t *b1 = talloc_size(ctx, 64), *b2 = talloc_size(ctx, 512);
	char hex[8];
	size_t used;

	if (b1 == NULL || b2 == NULL ||
	    !netlogon_str_utf16(o->computer, b1, 64, &uc) ||
	    !netlogon_str_utf16(o->user, b2, 512, &uu))
		return false;
	hexrand(hex, sizeof(hex));
	snprintf(r->reply_slot, sizeof(r->reply_slot), "%s%s",
		 NETLOGON_REPLY_PREFIX, hex);
	netlogon_build_primary_query(&m, netlogon_str_ascii(o->computer),
				     netlogon_str_ascii(r->reply_slot), uc);
	r->query_len = netlogon_encoded_len(&m);
	r->query = talloc_size(ctx, r->query_len ? r->query_len : 1);
	if (r->query_len == 0 || r->query == NULL ||
	    netlogon_encode(&m, r->query, r->query_len, &used) != CODEC_OK)
		return false;
	netlogon_build_sam_logon_request(&m, uc, uu,
					 netlogon_str_ascii(r->reply_slot),
					 o->nt_version);
	r->sam_len = netlogon_encoded_len(&m);
	r->sam = talloc_size(ctx, r->sam_len ? r->sam_len : 1);
	return r->sam_len != 0 && r->sam != NULL &&
	       netlogon_encode(&m, r->sam, r->sam_len, &used) == CODEC_OK;
}

/* What a reply says about its DC, as escaped text. */
struct dc_info {
	char netbios[128], domain[128], dns_host[512], dns_domain[512];
	char forest[512], site[512], client_site[512], user[512];
	char flags[512], ntver[256], ip[16];
	const char *format;
};

static void esc_utf16(struct netlogon_str s, char *out, size_t n)
{
	char u[512];
	size_t l = netlogon_utf16_to_utf8(s, u, sizeof(u));

	netlogon_escape(u, l, true, out, n);
}

static void esc_ascii(struct netlogon_str s, char *out, size_t n)
{
	netlogon_escape((const char *)s.p, s.len, false, out, n);
}

static void esc_dns(const struct netlogon_dns_name *d, char *out, size_t n)
{
	char u[NETLOGON_DNS_TEXT_MAX];
	size_t l = netlogon_dns_name_text(d, u, sizeof(u));

	netlogon_escape(u, l, true, out, n);
}

static void ip_text(uint32_t ip, char *out, size_t n)
{
	snprintf(out, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

static void info_of(const struct netlogon_msg *m, uint32_t src_ip,
		    struct dc_info *i)
{
	const struct netlogon_sam_logon_response *s = &m->u.sam_response;
	const struct netlogon_sam_logon_response_ex *x = &m->u.sam_response_ex;

	memset(i, 0, sizeof(*i));
	i->format = "";
	if (src_ip != 0)
		ip_text(src_ip, i->ip, sizeof(i->ip));
	netlogon_nt_version_format(m->nt_version, i->ntver, sizeof(i->ntver));
	if (m->opcode == LOGON_PRIMARY_RESPONSE) {
		esc_ascii(m->u.primary_response.pdc_name, i->netbios,
			  sizeof(i->netbios));
		esc_utf16(m->u.primary_response.unicode_domain_name,
			  i->domain, sizeof(i->domain));
	} else if (netlogon_is_sam_response(m->opcode)) {
		struct netlogon_str srv = s->logon_server;
		/* "\\PDC1": the NetBIOS name is after the backslashes */
		while (srv.len >= 2 && srv.p[0] == '\\' && srv.p[1] == 0) {
			srv.p += 2;
			srv.len -= 2;
		}
		i->format = s->nt5 ? "NT5" : "NT40";
		esc_utf16(srv, i->netbios, sizeof(i->netbios));
		esc_utf16(s->domain_name, i->domain, sizeof(i->domain));
		esc_utf16(s->user_name, i->user, sizeof(i->user));
		if (s->nt5) {
			esc_dns(&s->dns_host_name, i->dns_host,
				sizeof(i->dns_host));
			esc_dns(&s->dns_domain_name, i->dns_domain,
				sizeof(i->dns_domain));
			esc_dns(&s->dns_forest_name, i->forest,
				sizeof(i->forest));
			netlogon_ds_flags_format(s->flags, i->flags,
						 sizeof(i->flags));
		}
	} else {
		i->format = "EX";
		esc_dns(&x->netbios_computer_name, i->netbios,
			sizeof(i->netbios));
		esc_dns(&x->netbios_domain_name, i->domain, sizeof(i->domain));
		esc_dns(&x->dns_host_name, i->dns_host, sizeof(i->dns_host));
		esc_dns(&x->dns_domain_name, i->dns_domain,
			sizeof(i->dns_domain));
		esc_dns(&x->dns_forest_name, i->forest, sizeof(i->forest));
		esc_dns(&x->dc_site_name, i->site, sizeof(i->site));
		esc_dns(&x->client_site_name, i->client_site,
			sizeof(i->client_site));
		esc_dns(&x->user_name, i->user, sizeof(i->user));
		netlogon_ds_flags_format(x->flags, i->flags, sizeof(i->flags));
		if (x->has_sockaddr)
			ip_text(x->dc_ip, i->ip, sizeof(i->ip));
	}
}

/* JSON string: our escaping already removed controls; quote " too. */
static void json_str(const char *key, const char *v, bool comma)
{
	printf("%s\"%s\":\"", comma ? "," : "", key);
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			putchar('\\');
		putchar(*p);
	}
	putchar('"');
}

bool dcping_print_reply(const struct dcping_opts *o, const uint8_t *msg,
			size_t len, uint32_t src_ip, bool first)
{
	struct netlogon_msg m;
	struct dc_info i;

	if (netlogon_decode(msg, len, &m) != CODEC_OK ||
	    !(m.opcode == LOGON_PRIMARY_RESPONSE ||
	      netlogon_is_sam_response(m.opcode) ||
	      netlogon_is_sam_response_ex(m.opcode)))
		return false;
	info_of(&m, src_ip, &i);
	if (o->json) {
		printf("%s{\"opcode\":%u", first ? "" : ",\n", m.opcode);
		json_str("type", netlogon_opcode_name(m.opcode), true);
		json_str("format", i.format, true);
		json_str("netbios_name", i.netbios, true);
		json_str("netbios_domain", i.domain, true);
		json_str("dns_host_name", i.dns_host, true);
		json_str("dns_domain_name", i.dns_domain, true);
		json_str("forest", i.forest, true);
		json_str("site", i.site, true);
		json_str("client_site", i.client_site, true);
		json_str("user", i.user, true);
		json_str("flags", i.flags, true);
		printf(",\"flags_value\":%" PRIu32,
		       netlogon_is_sam_response_ex(m.opcode)
			       ? m.u.sam_response_ex.flags
			       : netlogon_is_sam_response(m.opcode)
				 ? m.u.sam_response.flags : 0);
		json_str("nt_version", i.ntver, true);
		json_str("ip", i.ip, true);
		printf("}");
		fflush(stdout);
		return true;
	}
	printf("%s (0x%02x)%s%s%s\n", netlogon_opcode_name(m.opcode),
	       m.opcode, i.format[0] ? ", " : "", i.format,
	       i.format[0] ? " format" : "");
	printf("  netbios name:  %s\n  domain:        %s\n", i.netbios,
	       i.domain);
	if (i.dns_host[0] || i.dns_domain[0] || i.forest[0])
		printf("  dns host name: %s\n  dns domain:    %s\n"
		       "  forest:        %s\n", i.dns_host, i.dns_domain,
		       i.forest);
	if (i.site[0] || i.client_site[0])
		printf("  site:          %s\n  client site:   %s\n", i.site,
		       i.client_site);
	if (i.user[0])
		printf("  user:          %s\n", i.user);
	if (i.flags[0])
		printf("  flags:         %s\n", i.flags);
	printf("  nt version:    %s\n  ip:            %s\n", i.ntver,
	       i.ip[0] ? i.ip : "(not in the reply)");
	fflush(stdout);
	return true;
}

/* mailslotd's netbios_name, from its status JSON. */
static bool daemon_name(TALLOC_CTX *ctx, char *out, size_t n)
{
	struct mailslot_ctl_request req = { .op = MAILSLOT_CTL_STATUS };
	char *dir = NULL;
	uint8_t *body;
	size_t len;
	uint32_t status;
	const char *p;
	int fd;

	if (mailslot_runtime_dir(ctx, &dir) != MAILSLOT_OK ||
	    (fd = mailslot_ctl_connect(dir)) < 0)
		return false;
	if (mailslot_ctl_call(ctx, fd, &req, 5000, &status, &body, &len) != 0 ||
	    status != MAILSLOT_OK) {
		close(fd);
		return false;
	}
	close(fd);
	p = strstr((const char *)body, "\"netbios_name\":\"");
	if (p == NULL)
		return false;
	return sscanf(p + 16, "%15[^\"]", out) == 1 && n > 15;
}

static int send_daemon(TALLOC_CTX *ctx, const struct dcping_opts *o,
		       const char *dest, uint8_t suffix, bool group,
		       const uint8_t *msg, size_t len)
{
	struct mailslot_remote_options ro = { .suffix = suffix,
					      .group = group };
	char name[SLOT_NAME_MAX];
	struct mailslot *slot;
	enum mailslot_error err;

	/* a unique <1b> is sent to the broadcast, as for an unresolved PDC */
	ro.bcast_unique = !group && suffix == 0x1b;
	slot_name_remote(name, dest, NETLOGON_MAILSLOT);
	err = mailslot_client_open_remote(ctx, name, &ro, &slot);
	if (err == MAILSLOT_OK)
		err = mailslot_write(slot, msg, len);
	if (err != MAILSLOT_OK && o->dc_name == NULL && suffix == 0x1b)
		return 0;	/* no PDC name known: the <1c> ones still go */
	if (err != MAILSLOT_OK) {
		win32_error_print("dcping", name, err);
		return -1;
	}
	talloc_free(slot);
	return 0;
}

static int run_daemon(TALLOC_CTX *ctx, const struct dcping_opts *o,
		      const struct dcping_requests *r)
{
	char local[64];
	struct mailslot *slot;
	enum mailslot_error err;
	int n = 0;
	struct timespec t0, t;
	uint8_t buf[1024];

	/* \MAILSLOT\NET\GETDC1A2B -> \\.\mailslot\NET\GETDC1A2B */
	snprintf(local, sizeof(local), "\\\\.\\mailslot\\%s",
		 r->reply_slot + 10);
	err = mailslot_server_create(ctx, local, 0, 0, &slot);
	if (err != MAILSLOT_OK) {
		win32_error_print("dcping", local, err);
		return -1;
	}
	if (o->dc_name != NULL) {
		if (send_daemon(ctx, o, o->dc_name, 0x00, false, r->query,
				r->query_len) != 0 ||
		    send_daemon(ctx, o, o->dc_name, 0x00, false, r->sam,
				r->sam_len) != 0)
			return -1;
	} else if (send_daemon(ctx, o, o->domain, 0x1b, false, r->query,
			       r->query_len) != 0 ||
		   send_daemon(ctx, o, o->domain, 0x1c, true, r->query,
			       r->query_len) != 0 ||
		   send_daemon(ctx, o, o->domain, 0x1c, true, r->sam,
			       r->sam_len) != 0) {
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* bounded by the wait: each read waits at most the time left */
	for (;;) {
		long el;
		size_t got;

		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= (long)o->wait_ms)
			break;
		mailslot_set_info(slot, (uint32_t)(o->wait_ms - el));
		err = mailslot_read(slot, buf, sizeof(buf), &got);
		if (err == MAILSLOT_ERROR_SEM_TIMEOUT)
			break;
		if (err != MAILSLOT_OK) {
			win32_error_print("dcping", local, err);
			return -1;
		}
		if (dcping_print_reply(o, buf, got, 0, n == 0))
			n++;
	}
	return n;
}

static bool parse_uint(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 0);

	if (*s == '\0' || *end != '\0' || x > 0xffffffffULL)
		return false;
	*v = (uint32_t)x;
	return true;
}

int cmd_dcping(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dc", required_argument, NULL, 'd' },
		{ "user", required_argument, NULL, 'u' },
		{ "nt-version", required_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "interface", required_argument, NULL, 'I' },
		{ "port", required_argument, NULL, 'P' },
		{ "netbios-name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct dcping_opts o = { .user = "", .nt_version = 0x0b,
				 .wait_ms = 2000 };
	struct dcping_requests r;
	struct mailslotd_network net;
	const char *conf = NULL, *dc = NULL;
	char computer[16] = "", domain[16] = "";
	uint32_t v;
	int c, n, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dc = optarg; break;
		case 'u': o.user = optarg; break;
		case 'n':
			if (!parse_uint(optarg, &o.nt_version))
				goto bad;
			break;
		case 'w':
			if (!parse_uint(optarg, &v) || v > 3600)
				goto bad;
			o.wait_ms = v * 1000;
			break;
		case 'j': o.json = true; break;
		case 'S': o.standalone = true; break;
		case 'I':
			if (!mailslotd_network_parse(optarg, &net))
				goto bad;
			o.interface_ip = net.ip;
			o.interface_mask = net.mask;
			break;
		case 'P':
			if (!parse_uint(optarg, &v) || v == 0 || v > 65535)
				goto bad;
			o.port = (uint16_t)v;
			break;
		case 'N': snprintf(computer, sizeof(computer), "%s", optarg);
			break;
		case 's': conf = optarg; break;
		case 'h':
			dcping_usage(stdout);
			talloc_free(ctx);
			return 0;
		default:
			goto bad;
		}
	}
	if (argc - optind != 1 || strlen(argv[optind]) > 15 ||
	    (o.standalone && o.interface_ip == 0))
		goto bad;
	for (size_t i = 0; argv[optind][i] && i < 15; i++)
		domain[i] = (char)toupper((unsigned char)argv[optind][i]);
	o.domain = domain;
	if (dc != NULL) {
		if (mailslotd_network_parse(dc, &net) && net.mask == 0xffffffff)
			o.dc_ip = net.ip;
		else if (strlen(dc) <= 15)
			o.dc_name = dc;
		else
			goto bad;
		if (o.dc_ip != 0 && !o.standalone) {
			fprintf(stderr, "mailslot dcping: --dc IP needs "
				"--standalone; give mailslotd a NetBIOS name\n");
			goto bad;
		}
	}
	if (computer[0] == '\0' && conf != NULL) {
		char *err = NULL;
		struct mailslotd_config *cfg =
			mailslotd_config_load(ctx, conf, true, &err);
		if (cfg == NULL) {
			fprintf(stderr, "mailslot dcping: %s\n",
				err ? err : conf);
			goto out;
		}
		snprintf(computer, sizeof(computer), "%s", cfg->netbios_name);
	}
	if (computer[0] == '\0' && !o.standalone &&
	    !daemon_name(ctx, computer, sizeof(computer))) {
		win32_error_print("dcping", "mailslotd",
				  MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
		goto out;
	}
	if (computer[0] == '\0')
		gethostname(computer, sizeof(computer) - 1);
	for (size_t i = 0; computer[i]; i++) {
		if (computer[i] == '.') {
			computer[i] = '\0';
			break;
		}
		computer[i] = (char)toupper((unsigned char)computer[i]);
	}
	o.computer = computer;
	if (!dcping_requests_build(ctx, &o, &r)) {
		fprintf(stderr, "mailslot dcping: cannot build the requests "
			"(is --user valid UTF-8?)\n");
		goto out;
	}
	if (o.json)
		printf("[");
	n = o.standalone ? dcping_standalone(ctx, &o, &r)
			 : run_daemon(ctx, &o, &r);
	if (o.json)
		printf("]\n");
	if (n < 0)
		goto out;
	if (n == 0 && !o.json)
		fprintf(stderr, "mailslot dcping: no DC of %s answered in "
			"%u s\n", domain, o.wait_ms / 1000);
	rc = n > 0 ? 0 : DCPING_NO_DC;
out:
	talloc_free(ctx);
	return rc;
bad:
	dcping_usage(stderr);
	talloc_free(ctx);
	return 2;
}
