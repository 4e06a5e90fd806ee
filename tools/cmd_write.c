/* mailslot write NAME [TEXT | --file F | -]: exactly one message. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "win32_error_print.h"

/* Bounds what we read from a file or stdin (the biggest possible queue). */
#define WRITE_MAX ((size_t)MAILSLOT_MAX_QUEUE_BYTES)

static void write_usage(FILE *out)
{
	fprintf(out,
		"usage: mailslot write NAME [TEXT | --file F | -]\n\n"
		"Open the existing mailslot NAME and write exactly one "
		"message: TEXT (without\na newline), the contents of F, or "
		"standard input ('-').  No argument: an\nempty message.\n");
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

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
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
	name = argv[optind];
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
	err = mailslot_client_open(mem_ctx, name, &slot);
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
