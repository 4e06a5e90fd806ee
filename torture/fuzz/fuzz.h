/*
 * libFuzzer targets (see docs/fuzzing.md).  Each fuzz_NAME() is one
 * target's body: fuzz_entry.c turns it into LLVMFuzzerTestOneInput for
 * the fuzz build, and test_fuzz_regressions replays saved inputs through
 * the same functions in the normal build.
 */
#ifndef MAILSLOT_FUZZ_H
#define MAILSLOT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int fuzz_nbt_name(const uint8_t *data, size_t size);
int fuzz_nbt_dgram(const uint8_t *data, size_t size);
int fuzz_nbt_frag(const uint8_t *data, size_t size);
int fuzz_nbt_ns(const uint8_t *data, size_t size);
int fuzz_smb_mailslot(const uint8_t *data, size_t size);
int fuzz_browser(const uint8_t *data, size_t size);
int fuzz_messenger(const uint8_t *data, size_t size);
int fuzz_netlogon(const uint8_t *data, size_t size);
int fuzz_frame(const uint8_t *data, size_t size);
int fuzz_config(const uint8_t *data, size_t size);
int fuzz_decode(const uint8_t *data, size_t size);

/* A broken invariant: say which and abort, so libFuzzer keeps the input. */
void fuzz_check(bool ok, const char *what);

/* Encode-side check shared by the round trips: same length and bytes. */
void fuzz_check_same(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen, const char *what);

#endif
