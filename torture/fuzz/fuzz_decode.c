/*
 * mailslot decode's own pipeline (tools/decode): captured frames ->
 * decode_frame -> the summary, tree and JSON printers, as the command
 * runs them.  Input: byte 0 picks the link type (bits 0-1) and the mode
 * (bits 2-3), then frames as [length u16 BE][frame], 1 ms apart.  What
 * is printed must hold no control character but the line breaks.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <talloc.h>
#include <unistd.h>

#include "fuzz.h"
#include "tools/decode/decode.h"
#include "tools/decode/decode_print.h"

#define DECODE_PRINTED_MAX (4 * 1024 * 1024)

static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_RAW, DLT_NULL };
static const enum decode_mode modes[] = {
	DECODE_MODE_SUMMARY, DECODE_MODE_TREE, DECODE_MODE_JSON,
	DECODE_MODE_SUMMARY,
};

static void check_printed(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf;

	if (len <= 0)
		return;
	fuzz_check(len < DECODE_PRINTED_MAX, "decode: runaway output");
	buf = malloc((size_t)len);
	fuzz_check(buf != NULL, "decode: malloc");
	fuzz_check(pread(fd, buf, (size_t)len, 0) == len, "decode: pread");
	for (off_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		off_t from = i > 60 ? i - 60 : 0;

		if (c == '\n' || (c >= 0x20 && c != 0x7f))
			continue;
		/* say where, so the printer at fault is plain */
		fprintf(stderr, "byte 0x%02x at %lld in: %.*s\n", c,
			(long long)i, (int)(len - from < 160 ? len - from
							     : 160),
			buf + from);
		fuzz_check(false, "decode: control character in the output");
	}
	free(buf);
}

int fuzz_decode(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct decode_opts opts;
	struct decode_ctx *c;
	struct decode_printer *p;
	struct decode_out *o;
	int fd = memfd_create("fuzz-decode", MFD_CLOEXEC);
	uint64_t frame = 0;
	size_t pos = 1;

	fuzz_check(mem != NULL && fd >= 0, "decode: setup");
	if (size < 1)
		goto done;
	decode_opts_default(&opts);
	c = decode_ctx_create(mem, &opts, dlts[data[0] & 3]);
	o = talloc_zero(mem, struct decode_out);
	fuzz_check(c != NULL && o != NULL, "decode: create");
	decode_out_init(o, fd);
	p = decode_printer_create(mem, modes[(data[0] >> 2) & 3], o);
	fuzz_check(p != NULL, "decode: printer");
	while (size - pos >= 2) {
		size_t len = ((size_t)data[pos] << 8) | data[pos + 1];
		struct timeval ts = { .tv_sec = 1, .tv_usec = 0 };
		const struct decode_dgram *r = NULL;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		frame++;
		ts.tv_usec = (suseconds_t)(frame % 1000000);
		if (decode_frame(c, frame, &ts, false, data + pos, len, &r) &&
		    r != NULL)
			decode_print(p, r, NULL);
		pos += len;
	}
	decode_out_flush(o);
	fuzz_check(!o->failed, "decode: output failed");
	check_printed(fd);
done:
	close(fd);
	talloc_free(mem);
	return 0;
}
