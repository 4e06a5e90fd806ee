/*
 * The mailslot command's local subcommands end to end: `read` in the
 * background, `write` and `list` against it, errors and exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "test_libmailslot_util.h"

static char tool[1024];

/* Run the tool with `sh -c`; its stdout+stderr in out; exit status. */
static int run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[4096], line[4096];
	va_list ap;
	size_t used = 0;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	out[0] = '\0';
	while (fgets(line, sizeof(line), p) != NULL) {
		size_t l = strlen(line);

		if (used + l < outlen) {
			memcpy(out + used, line, l + 1);
			used += l;
		}
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Wait (bounded) until `name` exists, as the reader creates it. */
static void wait_for_slot(const char *name)
{
	int64_t end = tl_now_ms() + 10000;
	struct mailslot *c;

	while (tl_now_ms() < end) {
		if (mailslot_client_open(NULL, name, &c) == MAILSLOT_OK) {
			talloc_free(c);
			return;
		}
		usleep(10000);
	}
	fail_msg("%s never appeared", name);
}

static void test_read_write_list(void **state)
{
	const char *name = "\\\\.\\mailslot\\tools\\rw";
	char out[8192], path[256];
	FILE *f;
	int pid, st;

	snprintf(path, sizeof(path), "/tmp/test-tools-%d.out", (int)getpid());
	pid = fork();
	if (pid == 0) {
		char cmd[2048];

		snprintf(cmd, sizeof(cmd),
			 "'%s' read '%s' --count 4 --timeout 10000 --json > %s",
			 tool, name, path);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	wait_for_slot(name);
	assert_int_equal(run(out, sizeof(out), "'%s' list", tool), 0);
	assert_non_null(strstr(out, "\\\\.\\mailslot\\tools\\rw"));
	assert_non_null(strstr(out, "0/16384"));
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s' hello", tool,
			     name), 0);
	assert_int_equal(run(out, sizeof(out),
			     "printf '\\000\\001\\377' | '%s' write '%s' -",
			     tool, name), 0);
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s'", tool, name),
			 0);
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s' --file '%s'",
			     tool, name, "/etc/hostname"), 0);
	st = tl_wait_child(pid, 20000);
	assert_int_equal(st, 0);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(out, 0, sizeof(out));
	assert_true(fread(out, 1, sizeof(out) - 1, f) > 0);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(out, "{\"length\":5,\"data\":\"aGVsbG8=\"}\n"
				    "{\"length\":3,\"data\":\"AAH/\"}\n"
				    "{\"length\":0,\"data\":\"\"}\n"));
	/* the reader is gone, and so is its mailslot */
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s' x 2>&1", tool,
			     name), 1);
	assert_non_null(strstr(out, "ERROR_FILE_NOT_FOUND (2)"));
}

static void test_text_and_hex(void **state)
{
	const char *name = "\\\\.\\mailslot\\tools\\hex";
	char out[4096];
	int pid;
	int p[2];

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execl(tool, tool, "read", name, "--count", "2", "--timeout",
		      "10000", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	wait_for_slot(name);
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s' 'plain text'",
			     tool, name), 0);
	assert_int_equal(run(out, sizeof(out),
			     "printf 'a\\001' | '%s' write '%s' -", tool, name),
			 0);
	assert_int_equal(tl_wait_child(pid, 20000), 0);
	memset(out, 0, sizeof(out));
	assert_true(read(p[0], out, sizeof(out) - 1) > 0);
	close(p[0]);
	assert_string_equal(out, "plain text\n6101\n");
}

static void test_errors_and_timeout(void **state)
{
	char out[4096];
	int64_t t0;

	assert_int_equal(run(out, sizeof(out),
			     "'%s' write '\\\\.\\blah' x 2>&1", tool), 1);
	assert_non_null(strstr(out, "ERROR_INVALID_NAME (123)"));
	/* a bare name is a local one: \\.\mailslot\blah does not exist */
	assert_int_equal(run(out, sizeof(out), "'%s' write blah x 2>&1", tool),
			 1);
	assert_non_null(strstr(out, "ERROR_FILE_NOT_FOUND (2)"));
	/* remote names need mailslotd, and say so */
	assert_int_equal(run(out, sizeof(out),
			     "'%s' write '\\\\*\\mailslot\\x' x 2>&1", tool), 1);
	assert_non_null(strstr(out, "ERROR_SERVICE_NOT_ACTIVE (1062)"));
	t0 = tl_now_ms();
	assert_int_equal(run(out, sizeof(out),
			     "'%s' read '\\\\.\\mailslot\\tools\\t' "
			     "--timeout 200 2>&1", tool), 3);
	assert_true(tl_now_ms() - t0 >= 150);
	assert_non_null(strstr(out, "ERROR_SEM_TIMEOUT (121)"));
	assert_int_equal(run(out, sizeof(out), "'%s' read 2>&1", tool), 2);
	assert_non_null(strstr(out, "usage: mailslot read"));
	assert_int_equal(run(out, sizeof(out), "'%s' write --help", tool), 0);
	assert_non_null(strstr(out, "usage: mailslot write"));
	assert_int_equal(run(out, sizeof(out), "'%s' list --help", tool), 0);
	assert_non_null(strstr(out, "usage: mailslot list"));
	assert_int_equal(run(out, sizeof(out), "'%s' read --count x n 2>&1",
			     tool), 2);
}

static void test_max_size_and_duplicate(void **state)
{
	const char *name = "\\\\.\\mailslot\\tools\\max";
	struct mailslot *s;
	char out[4096];

	assert_int_equal(mailslot_server_create(NULL, name, 4, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(run(out, sizeof(out), "'%s' read '%s' 2>&1", tool,
			     name), 1);
	assert_non_null(strstr(out, "ERROR_ALREADY_EXISTS (183)"));
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s' 12345 2>&1",
			     tool, name), 1);
	assert_non_null(strstr(out, "ERROR_INVALID_PARAMETER (87)"));
	assert_int_equal(run(out, sizeof(out), "'%s' write '%s' 1234 2>&1",
			     tool, name), 0);
	talloc_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write_list),
		cmocka_unit_test(test_text_and_hex),
		cmocka_unit_test(test_errors_and_timeout),
		cmocka_unit_test(test_max_size_and_duplicate),
	};
	const char *bdir = getenv("MAILSLOT_BUILD_DIR");
	int rc;

	snprintf(tool, sizeof(tool), "%s/tools/mailslot", bdir ? bdir : ".");
	if (access(tool, X_OK) != 0) {
		fprintf(stderr, "no %s: set MAILSLOT_BUILD_DIR\n", tool);
		return 1;
	}
	tl_runtime_setup();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tl_runtime_teardown();
	return rc;
}
