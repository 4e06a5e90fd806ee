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
	fprintf(out,
		"usage: mailslot write NAME [TEXT | --file F | -]\n"
		"       mailslot write --standalone --interface IP/BITS [--target IP]\n"
		"                      [--port N] [--netbios-name N] [--workgroup W]\n"
		"                      '\\\\HOST\\mailslot\\NAME' [TEXT | --file F | -]\n\n"
		"Open the existing mailslot NAME and write exactly one "
		"message: TEXT (without\na newline), the contents of F, or "
		"standard input ('-').  No argument: an\nempty message.  "
		"NAME is \\\\.\\mailslot\\NAME, or just NAME for a local one.\n\n"
		"Remote names (\\\\*\\mailslot\\x, \\\\DOMAIN\\mailslot\\x, "
		"\\\\COMPUTER\\mailslot\\x)\ngo out through mailslotd "
		"as one NetBIOS datagram; at most 424 bytes for\na 5-8 "
		"character name (ERROR_BAD_NETPATH beyond).  Without mailslotd, "
		"--standalone\nsends from this process's own UDP socket on "
		"--interface: to its broadcast\naddress, or to --target for "
		"\\\\COMPUTER (no name service), port --port (138).\n");
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
	char namebuf[SLOT_NAME_MAX];

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
	name = slot_name_expand(namebuf, argv[optind]);
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
	err = ro.standalone
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
