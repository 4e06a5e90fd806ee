/* Helpers the test suites share: where things are, hex, capture loading. */
#ifndef MAILSLOT_TORTURE_UTIL_H
#define MAILSLOT_TORTURE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "tools/pcap_frame.h"

/*
 * A cmocka assertion on a codec result that names both errors when it
 * fails (cmocka alone would print two numbers).
 */
#define assert_codec(expr, want) do { \
	enum codec_error _e = (expr); \
	if (_e != (want)) \
		print_error("%s: got %s, want %s\n", #expr, \
			    codec_error_name(_e), codec_error_name(want)); \
	assert_int_equal(_e, (want)); \
} while (0)

/* xorshift32: deterministic, so a failing generated case reproduces. */
uint32_t torture_rng(uint32_t *state);

/* $MAILSLOT_SHARED_DIR/vectors if it exists, else NULL. */
const char *torture_shared_vectors(TALLOC_CTX *mem_ctx);

/* The conformance vectors of ../shared/vectors, NULL-terminated. */
extern const char *const torture_shared_vector_files[];

/* $MAILSLOT_SOURCE_DIR/rel (the source tree; "." if unset). */
const char *torture_source_path(TALLOC_CTX *mem_ctx, const char *rel);

/* "0a 0b0c" -> bytes; whitespace ignored.  NULL on bad input. */
uint8_t *torture_hex_decode(TALLOC_CTX *mem_ctx, const char *hex,
			    size_t *len);

/* Every UDP payload of a pcap file; aborts the test on failure. */
struct pcap_udp_packet *torture_pcap_load(TALLOC_CTX *mem_ctx,
					  const char *path, size_t *count);

/* A private directory under $TMPDIR, removed with the talloc context
 * (kept when $MAILSLOT_TEST_KEEP is set). */
const char *torture_tmpdir(TALLOC_CTX *mem_ctx);

#endif
