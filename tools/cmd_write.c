/* mailslot write NAME [TEXT | --file F | -]: exactly one message. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "slot_name.h"
#include "tools/mailslotd/daemon_config.h"
#include "win32_error_print.h"

/* Bounds what we read from a file or stdin (the biggest possible queue). */
#define WRITE_MAX ((size_t)MAILSLOT_MAX_QUEUE_BYTES)

static void write_usage(FILE *out)
{
	fputs(
"usage: mailslot write NAME [TEXT | --file F | -]\n"
"       mailslot write --to NETBIOS<xx> [--group | --bcast-unique]\n"
"                      SLOT [TEXT | --file F | -]\n"
"       mailslot write --standalone --interface IP/BITS [--target IP]\n"
"                      [--port N] [--netbios-name N] [--workgroup W]\n"
"                      [--fragment-size N] NAME [TEXT | --file F | -]\n"
"\n"
"Open the mailslot NAME and write exactly one message: TEXT (without a\n"
"newline), the contents of F, or standard input ('-').  No argument: an\n"
"empty message.  NAME is \\\\.\\mailslot\\NAME, or just NAME, for a local\n"
"mailslot.\n"
"\n"
"Remote names (\\\\*\\mailslot\\x, \\\\DOMAIN\\mailslot\\x,\n"
"\\\\COMPUTER\\mailslot\\x) go out through mailslotd as one NetBIOS datagram,\n"
"at most 424 bytes for a 5-8 character name (ERROR_BAD_NETPATH beyond, and\n"
"for a computer no name service finds).\n"
"\n"
"--to NETBIOS<xx> addresses any NetBIOS name (WORKGROUP<1d>, TARGET<03>,\n"
"...) with the mailslot SLOT (BROWSE or \\MAILSLOT\\BROWSE): --group sends\n"
"DIRECT_GROUP to the subnet broadcast, --bcast-unique DIRECT_UNIQUE to the\n"
"subnet broadcast (as Samba does for <1d>); neither resolves the name.\n"
"\n"
"--standalone sends without mailslotd, from this process's own UDP socket\n"
"on --interface: to its broadcast address, or to --target for a unique\n"
"name (there is no name service), port --port (138).  --fragment-size N\n"
"splits the datagram into NBT fragments of at most N bytes.\n", out);
}

static uint8_t *slurp(TALLOC_CTX *mem_ctx, FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *buf = talloc_size(mem_ctx, cap);

	while (buf != NULL) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			if (cap >= WRITE_MAX)
				return NULL;
			cap *= 2;
			buf = talloc_realloc_size(mem_ctx, buf, cap);
		}
	}
	if (buf == NULL || ferror(f))
		return NULL;
	*len = n;
	return buf;
}

int cmd_write(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "interface", required_argument, NULL, 'I' },
		{ "target", required_argument, NULL, 'T' },
		{ "port", required_argument, NULL, 'P' },
		{ "netbios-name", required_argument, NULL, 'N' },
		{ "workgroup", required_argument, NULL, 'W' },
		{ "fragment-size", required_argument, NULL, 'z' },
		{ "to", required_argument, NULL, 'o' },
		{ "group", no_argument, NULL, 'G' },
		{ "bcast-unique", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	const char *file = NULL, *name;
	const uint8_t *data = (const uint8_t *)"";
	struct mailslot *slot;
	enum mailslot_error err;
	size_t len = 0;
	int c, rc = 1;
	struct mailslot_remote_options ro = { .standalone = false };
	struct mailslotd_network net;
	char namebuf[SLOT_NAME_MAX], to_name[16] = "";
	bool remote_opts = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'S':
			ro.standalone = true;
			break;
		case 'I':
		case 'T':
			if (!mailslotd_network_parse(optarg, &net)) {
				fprintf(stderr, "mailslot write: '%s' is not an "
					"IPv4 address[/bits]\n", optarg);
				goto bad;
			}
			if (c == 'I') {
				ro.interface_ip = net.ip;
				ro.interface_mask = net.mask;
			} else {
				ro.target_ip = net.ip;
			}
			break;
		case 'P':
			ro.port = (uint16_t)atoi(optarg);
			break;
		case 'N':
			ro.netbios_name = optarg;
			break;
		case 'W':
			ro.workgroup = optarg;
			break;
		case 'z':
			ro.fragment_size = (size_t)atoi(optarg);
			break;
		case 'o':
			if (!netbios_arg_parse(optarg, to_name, &ro.suffix)) {
				fprintf(stderr, "mailslot write: '%s' is not a "
					"NetBIOS name (NAME or NAME<xx>)\n",
					optarg);
				goto bad;
			}
			remote_opts = true;
			break;
		case 'G':
			ro.group = true;
			remote_opts = true;
			break;
		case 'B':
			ro.bcast_unique = true;
			remote_opts = true;
			break;
		case 'h':
			write_usage(stdout);
			talloc_free(mem_ctx);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind >= argc || argc - optind > 2 ||
	    (file != NULL && argc - optind != 1))
		goto bad;
	name = to_name[0] ? slot_name_remote(namebuf, to_name, argv[optind])
			  : slot_name_expand(namebuf, argv[optind]);
	if (ro.standalone && ro.interface_ip == 0) {
		fprintf(stderr, "mailslot write: --standalone needs "
			"--interface IP/BITS\n");
		goto bad;
	}
	if (file != NULL || (argc - optind == 2 &&
			     strcmp(argv[optind + 1], "-") == 0)) {
		FILE *f = file ? fopen(file, "rb") : stdin;

		if (f == NULL) {
			perror(file);
			goto out;
		}
		data = slurp(mem_ctx, f, &len);
		if (f != stdin)
			fclose(f);
		if (data == NULL) {
			fprintf(stderr, "mailslot write: cannot read %s\n",
				file ? file : "standard input");
			goto out;
		}
	} else if (argc - optind == 2) {
		data = (const uint8_t *)argv[optind + 1];
		len = strlen(argv[optind + 1]);
	}
	err = ro.standalone || remote_opts
		? mailslot_client_open_remote(mem_ctx, name, &ro, &slot)
		: mailslot_client_open(mem_ctx, name, &slot);
	if (err == MAILSLOT_OK)
		err = mailslot_write(slot, data, len);
	if (err != MAILSLOT_OK) {
		win32_error_print("write", name, err);
		goto out;
	}
	rc = 0;
out:
	talloc_free(mem_ctx);
	return rc;
bad:
	write_usage(stderr);
	talloc_free(mem_ctx);
	return 2;
}
