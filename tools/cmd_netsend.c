/*
 * mailslot netsend TARGET TEXT | --domain [DOMAIN] TEXT: NET SEND over
 * \MAILSLOT\MESSNGR (protocol.md §7.1), one datagram, fire and forget.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "messenger/messenger.h"
#include "messenger_tool.h"
#include "tools/mailslotd/daemon_config.h"
#include "win32_error_print.h"

/* more than any message can hold, so a long stdin is reported as such */
#define NETSEND_STDIN_MAX 4096

static void netsend_usage(FILE *out)
{
	fputs(
"usage: mailslot netsend [--from NAME] [--codepage CP] TARGET TEXT\n"
"       mailslot netsend [--from NAME] [--codepage CP] --domain [DOMAIN] TEXT\n"
"       mailslot netsend --standalone --interface IP/BITS [--target IP]\n"
"                        [--port N] ... TARGET TEXT | --domain [DOMAIN] TEXT\n"
"\n"
"Send TEXT ('-': standard input) as a Messenger message, as NET SEND does\n"
"on the mailslot path: From\\0To\\0Text\\0 written to \\MAILSLOT\\MESSNGR.\n"
"\n"
"TARGET: one computer or user, DIRECT_UNIQUE to TARGET<03> (resolved by\n"
"mailslotd).  --domain: every Messenger of DOMAIN, DIRECT_GROUP to\n"
"DOMAIN<00> (default: mailslotd's workgroup); To is the domain name.\n"
"From is this host's NetBIOS name (mailslotd's), or --from NAME.\n"
"\n"
"The text is converted from UTF-8 to the OEM code page CP (CP850), and\n"
"each line break (LF, CR, CRLF, LFCR) is sent as CR LF.  Everything must\n"
"fit one datagram: 424 bytes for From, To and the text with their three\n"
"NULs (409 text bytes for 6-character names); a longer message is\n"
"refused and nothing is sent.\n"
"\n"
"--standalone sends without mailslotd from this process's own UDP socket\n"
"on --interface: to --target for TARGET (else to the broadcast address\n"
"as DIRECT_UNIQUE), to the broadcast address for --domain; port --port\n"
"(138).  From defaults to the host name, DOMAIN to WORKGROUP.\n", out);
}

static char *read_stdin(TALLOC_CTX *mem_ctx, size_t *len)
{
	char *buf = talloc_size(mem_ctx, NETSEND_STDIN_MAX + 1);
	size_t n;

	if (buf == NULL)
		return NULL;
	n = fread(buf, 1, NETSEND_STDIN_MAX + 1, stdin);
	if (ferror(stdin))
		return NULL;
	/* one trailing newline is the terminal's, not the message's */
	if (n > 0 && n <= NETSEND_STDIN_MAX && buf[n - 1] == '\n')
		n--;
	buf[n < NETSEND_STDIN_MAX ? n : NETSEND_STDIN_MAX] = '\0';
	*len = n;
	return buf;
}

struct netsend_args {
	bool domain;
	bool standalone;
	const char *codepage;
	char from[MSGR_NAME_BUF];
	char dest[MSGR_NAME_BUF];	/* TARGET or DOMAIN; "" = workgroup */
	const char *text;
	struct mailslot_remote_options ro;
};

static int parse_args(int argc, char **argv, struct netsend_args *a)
{
	static const struct option opts[] = {
		{ "domain", no_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "codepage", required_argument, NULL, 'c' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "interface", required_argument, NULL, 'I' },
		{ "target", required_argument, NULL, 'T' },
		{ "port", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mailslotd_network net;
	int c, npos;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->domain = true;
			break;
		case 'f':
			if (!msgr_name_arg(optarg, a->from)) {
				fprintf(stderr, "mailslot netsend: --from '%s' "
					"is not a NetBIOS name (1-15 "
					"characters)\n", optarg);
				return 2;
			}
			break;
		case 'c':
			a->codepage = optarg;
			break;
		case 'S':
			a->standalone = true;
			break;
		case 'I':
		case 'T':
			if (!mailslotd_network_parse(optarg, &net)) {
				fprintf(stderr, "mailslot netsend: '%s' is not "
					"an IPv4 address[/bits]\n", optarg);
				return 2;
			}
			if (c == 'I') {
				a->ro.interface_ip = net.ip;
				a->ro.interface_mask = net.mask;
			} else {
				a->ro.target_ip = net.ip;
			}
			break;
		case 'P':
			a->ro.port = (uint16_t)atoi(optarg);
			break;
		case 'h':
			netsend_usage(stdout);
			return 0;
		default:
			netsend_usage(stderr);
			return 2;
		}
	}
	npos = argc - optind;
	/* TARGET TEXT, or --domain [DOMAIN] TEXT */
	if (npos < 1 || npos > 2 || (!a->domain && npos != 2)) {
		netsend_usage(stderr);
		return 2;
	}
	if (npos == 2 && !msgr_name_arg(argv[optind], a->dest)) {
		fprintf(stderr, "mailslot netsend: '%s' is not a NetBIOS name "
			"(1-15 characters)\n", argv[optind]);
		return 2;
	}
	a->text = argv[argc - 1];
	if (a->standalone && a->ro.interface_ip == 0) {
		fprintf(stderr, "mailslot netsend: --standalone needs "
			"--interface IP/BITS\n");
		return 2;
	}
	return -1;
}

/* From, and To for the domain form, from mailslotd or the defaults. */
static bool fill_names(struct netsend_args *a, char to[MSGR_NAME_BUF])
{
	char name[MSGR_NAME_BUF] = "", wg[MSGR_NAME_BUF] = "WORKGROUP";

	if (a->standalone) {
		msgr_host_name(name);
	} else if (!msgr_daemon_identity(name, wg)) {
		win32_error_print("netsend", "mailslotd",
				  MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
		return false;
	}
	if (a->from[0] == '\0')
		memcpy(a->from, name, sizeof(name));
	memcpy(to, a->dest[0] ? a->dest : wg, MSGR_NAME_BUF);
	return true;
}

static int netsend_send(TALLOC_CTX *mem, struct netsend_args *a)
{
	char to[MSGR_NAME_BUF], slot_name[64];
	struct messenger_msg m = { .from_len = 0 };
	struct mailslot *slot;
	enum mailslot_error err;
	const char *raw = a->text;
	size_t raw_len = strlen(a->text), oem_len, text_len, used;
	char *oem, *text;
	uint8_t *buf;

	if (!fill_names(a, to))
		return 1;
	if (strcmp(raw, "-") == 0) {
		raw = read_stdin(mem, &raw_len);
		if (raw == NULL) {
			fprintf(stderr, "mailslot netsend: cannot read "
				"standard input\n");
			return 1;
		}
	}
	oem = messenger_utf8_to_oem(mem, raw, raw_len, a->codepage, &oem_len);
	if (oem == NULL) {
		fprintf(stderr, "mailslot netsend: the text is not UTF-8 that "
			"code page %s can represent\n",
			a->codepage ? a->codepage : MESSENGER_CODEPAGE);
		return 1;
	}
	text = messenger_linebreaks(mem, oem, oem_len, MESSENGER_LB_CRLF,
				    &text_len);
	if (text == NULL)
		return 1;
	m.from = a->from;
	m.from_len = strlen(a->from);
	m.to = to;
	m.to_len = strlen(to);
	m.text = text;
	m.text_len = text_len;
	if (text_len > messenger_max_text(m.from_len, m.to_len)) {
		fprintf(stderr, "mailslot netsend: the message is too long: "
			"%zu text bytes, at most %zu fit (%zu-byte "
			"\\MAILSLOT\\MESSNGR limit, minus From \"%s\", To "
			"\"%s\" and three NULs); nothing sent\n", text_len,
			messenger_max_text(m.from_len, m.to_len),
			messenger_max_payload(), m.from, m.to);
		return 1;
	}
	buf = talloc_size(mem, messenger_encoded_len(&m));
	if (buf == NULL || messenger_encode(&m, buf, messenger_encoded_len(&m),
					    &used) != CODEC_OK) {
		fprintf(stderr, "mailslot netsend: the message cannot be "
			"encoded (a NUL byte in the text?)\n");
		return 1;
	}
	if (a->domain) {
		/* \\* is the daemon's own workgroup */
		a->ro.group = true;
		snprintf(slot_name, sizeof(slot_name), "\\\\%s\\mailslot\\"
			 "MESSNGR", a->dest[0] ? a->dest : "*");
		a->ro.workgroup = to;
	} else {
		a->ro.suffix = MESSENGER_NAME_SUFFIX;
		/* no name service without the daemon: broadcast it */
		a->ro.bcast_unique = a->standalone && a->ro.target_ip == 0;
		snprintf(slot_name, sizeof(slot_name),
			 "\\\\%s\\mailslot\\MESSNGR", to);
	}
	a->ro.standalone = a->standalone;
	a->ro.netbios_name = a->from;
	err = mailslot_client_open_remote(mem, slot_name, &a->ro, &slot);
	if (err == MAILSLOT_OK)
		err = mailslot_write(slot, buf, used);
	if (err != MAILSLOT_OK) {
		win32_error_print("netsend", slot_name, err);
		return 1;
	}
	return 0;
}

int cmd_netsend(int argc, char **argv)
{
	struct netsend_args a = { .domain = false };
	TALLOC_CTX *mem = talloc_new(NULL);
	int rc = parse_args(argc, argv, &a);

	if (rc < 0)
		rc = netsend_send(mem, &a);
	talloc_free(mem);
	return rc;
}
