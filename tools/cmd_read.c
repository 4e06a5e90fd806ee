/*
 * mailslot read NAME: create NAME and print each message as it arrives,
 * as text when printable, else hex; --json prints one object per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "name_keep.h"
#include "slot_name.h"
#include "win32_error_print.h"

static void read_usage(FILE *out)
{
	fprintf(out,
		"usage: mailslot read NAME [--count N] [--timeout MS] "
		"[--max-size BYTES] [--json]\n"
		"                     [--netbios-name NAME<xx> [--group]]\n\n"
		"Create mailslot NAME (\\\\.\\mailslot\\[path\\]name, or just "
		"name) and print each\nmessage as it arrives.  Exits 0 after N "
		"messages, 3 when a read times out.\n\n"
		"  --netbios-name NAME<xx>  also own this NetBIOS name through "
		"mailslotd while\n"
		"                    reading, so datagrams to it arrive here "
		"(e.g. WORKGROUP<1e>\n"
		"                    for browser elections, ME<03> for "
		"Messenger); --group: a group\n"
		"                    name\n"
		"  --count N         stop after N messages (default: never)\n"
		"  --timeout MS      read timeout in ms, or 'forever' "
		"(default: forever)\n"
		"  --max-size BYTES  maximum message size (default 0: "
		"unlimited)\n"
		"  --json            one JSON object per message: "
		"{\"length\":N,\"data\":\"base64\"}\n");
}

static bool printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] >= 0x7f)
			return false;
	}
	return true;
}

static void print_base64(const uint8_t *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		putchar(b64[(v >> 18) & 63]);
		putchar(b64[(v >> 12) & 63]);
		putchar(i + 1 < n ? b64[(v >> 6) & 63] : '=');
		putchar(i + 2 < n ? b64[v & 63] : '=');
	}
}

static void print_message(const uint8_t *p, size_t n, bool json)
{
	if (json) {
		printf("{\"length\":%zu,\"data\":\"", n);
		print_base64(p, n);
		printf("\"}\n");
	} else if (printable(p, n)) {
		printf("%.*s\n", (int)n, (const char *)p);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%02x", p[i]);
		putchar('\n');
	}
	fflush(stdout);
}

static bool parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0' || s[0] == '-' || x > 0xFFFFFFFFull)
		return false;
	*v = (uint32_t)x;
	return true;
}

int cmd_read(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "netbios-name", required_argument, NULL, 'n' },
		{ "group", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t count = 0, timeout = MAILSLOT_WAIT_FOREVER, max = 0;
	bool json = false, have_count = false;
	char namebuf[SLOT_NAME_MAX], nbname[16] = "";
	const char *name;
	uint8_t nbsuffix = 0;
	bool nbgroup = false;
	struct mailslot_netbios_name *nb = NULL;
	struct name_keep keep = { .who = "read" };
	struct mailslot *slot;
	enum mailslot_error err;
	uint8_t *buf;
	size_t bufsize;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!parse_u32(optarg, &count))
				goto bad;
			have_count = true;
			break;
		case 't':
			if (strcmp(optarg, "forever") != 0 &&
			    !parse_u32(optarg, &timeout))
				goto bad;
			break;
		case 'm':
			if (!parse_u32(optarg, &max))
				goto bad;
			break;
		case 'j':
			json = true;
			break;
		case 'n':
			if (!netbios_arg_parse(optarg, nbname, &nbsuffix)) {
				fprintf(stderr, "mailslot read: '%s' is not a "
					"NetBIOS name (NAME or NAME<xx>)\n",
					optarg);
				goto bad;
			}
			break;
		case 'g':
			nbgroup = true;
			break;
		case 'h':
			read_usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc - 1)
		goto bad;
	name = slot_name_expand(namebuf, argv[optind]);
	err = mailslot_server_create(NULL, name, max, timeout, &slot);
	if (err != MAILSLOT_OK) {
		win32_error_print("read", argv[optind], err);
		return 1;
	}
	if (nbname[0] != '\0') {
		/* the name is ours while `slot` lives: freed with it */
		err = mailslot_netbios_name_register(slot, nbname, nbsuffix,
						     nbgroup, &nb);
		if (err != MAILSLOT_OK) {
			win32_error_print("read", nbname, err);
			talloc_free(slot);
			return 1;
		}
		name_keep_add(&keep, nb);
	}
	/* the largest message this mailslot can ever hold */
	bufsize = max ? max : MAILSLOT_DEFAULT_QUEUE_BYTES;
	buf = talloc_size(slot, bufsize ? bufsize : 1);
	if (buf == NULL) {
		talloc_free(slot);
		return 1;
	}
	for (uint32_t got = 0; !have_count || got < count; got++) {
		size_t n;

		err = name_keep_read(&keep, slot, buf, bufsize, &n, timeout);
		if (err != MAILSLOT_OK) {
			win32_error_print("read", argv[optind], err);
			talloc_free(slot);
			return err == MAILSLOT_ERROR_SEM_TIMEOUT ? 3 : 1;
		}
		print_message(buf, n, json);
	}
	talloc_free(slot);
	return 0;
bad:
	read_usage(stderr);
	return 2;
}
