/*
 * Replays every saved input under torture/fuzz/regressions/TARGET/ (the
 * crashes fuzzing found, and a few seeds so every target has inputs)
 * through the same fuzz_TARGET bodies libFuzzer runs.  A broken invariant
 * aborts; under --sanitize a memory error does.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <cmocka.h>

#include "torture/fuzz/fuzz.h"

#define REPLAY_MAX_INPUT (1024 * 1024)
#define MAX_FILES 10000

struct target {
	const char *name;
	int (*body)(const uint8_t *data, size_t size);
};

static size_t replay_dir(const struct target *t)
{
	const char *src = getenv("MAILSLOT_SOURCE_DIR");
	char dir[4096];
	struct dirent **names = NULL;
	int n;
	size_t done = 0;

	assert_non_null(src);
	snprintf(dir, sizeof(dir), "%s/torture/fuzz/regressions/%s", src,
		 t->name);
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n && i < MAX_FILES; i++) {
		char path[4096 + 256];
		uint8_t *buf;
		size_t len;
		FILE *f;

		if (names[i]->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		buf = malloc(REPLAY_MAX_INPUT);
		assert_non_null(buf);
		len = fread(buf, 1, REPLAY_MAX_INPUT, f);
		fclose(f);
		/* an exact-size copy, so ASan sees any read past the end */
		buf = realloc(buf, len ? len : 1);
		assert_non_null(buf);
		assert_int_equal(t->body(buf, len), 0);
		free(buf);
		done++;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return done;
}

static void test_replay(void **state)
{
	const struct target *t = *state;
	size_t n = replay_dir(t);

	print_message("%s: %zu inputs replayed\n", t->name, n);
	assert_true(n > 0); /* an empty directory would prove nothing */
}

static const struct target targets[] = {
	{ "nbt_name", fuzz_nbt_name },
	{ "nbt_dgram", fuzz_nbt_dgram },
	{ "nbt_frag", fuzz_nbt_frag },
	{ "nbt_ns", fuzz_nbt_ns },
	{ "smb_mailslot", fuzz_smb_mailslot },
	{ "browser", fuzz_browser },
	{ "messenger", fuzz_messenger },
#ifdef FUZZ_HAVE_NETLOGON
	{ "netlogon", fuzz_netlogon },
#endif
	{ "frame", fuzz_frame },
	{ "config", fuzz_config },
#ifdef FUZZ_HAVE_DECODE
	{ "decode", fuzz_decode },
#endif
};

int main(void)
{
	struct CMUnitTest tests[sizeof(targets) / sizeof(targets[0])];

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		struct CMUnitTest t = {
			.name = targets[i].name,
			.test_func = test_replay,
			.initial_state = (void *)&targets[i],
		};
		tests[i] = t;
	}
	return _cmocka_run_group_tests("fuzz_regressions", tests,
				       sizeof(tests) / sizeof(tests[0]),
				       NULL, NULL);
}
