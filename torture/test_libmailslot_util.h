/* Helpers shared by the libmailslot and tools test suites. */
#ifndef TORTURE_TEST_LIBMAILSLOT_UTIL_H
#define TORTURE_TEST_LIBMAILSLOT_UTIL_H

#include <stdint.h>

/* mkdtemp a private runtime directory and export MAILSLOT_RUNTIME_DIR. */
const char *tl_runtime_setup(void);
/* Remove it (bounded, best effort). */
void tl_runtime_teardown(void);
/* CLOCK_MONOTONIC in milliseconds. */
int64_t tl_now_ms(void);
/* waitpid with a deadline; kills the child on expiry.  Exit status or -1. */
int tl_wait_child(int pid, int timeout_ms);
/* A unique mailslot name for this test: "\\.\mailslot\tl\<tag>-<pid>". */
const char *tl_name(const char *tag);

#endif
