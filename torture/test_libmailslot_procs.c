/*
 * libmailslot across processes (fork and exec): wake-ups, a creator killed
 * with SIGKILL, racing creators, many writers to one reader, permissions
 * for another user.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "test_libmailslot_util.h"

#define WRITERS 8
#define PER_WRITER 10000

static const char *self_path;
static const char *rt_dir;

/* exec'd child: `--write NAME TEXT DELAY_MS` */
static int child_write(const char *name, const char *text, int delay_ms)
{
	struct mailslot *c;
	int rc;

	usleep((useconds_t)delay_ms * 1000);
	if (mailslot_client_open(NULL, name, &c) != MAILSLOT_OK)
		return 10;
	rc = mailslot_write(c, text, strlen(text)) == MAILSLOT_OK ? 0 : 11;
	talloc_free(c);
	return rc;
}

static int spawn_writer(const char *name, const char *text, int delay_ms)
{
	char delay[16];
	pid_t pid;

	snprintf(delay, sizeof(delay), "%d", delay_ms);
	pid = fork();
	if (pid == 0) {
		execl(self_path, self_path, "--write", name, text, delay,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void test_exec_writer_wakes_forever_reader(void **state)
{
	const char *name = tl_name("wake");
	struct mailslot *s;
	char buf[64];
	size_t n;
	int pid;
	int64_t t0;

	assert_int_equal(mailslot_server_create(NULL, name, 0,
						MAILSLOT_WAIT_FOREVER, &s),
			 MAILSLOT_OK);
	t0 = tl_now_ms();
	pid = spawn_writer(name, "hello from exec", 200);
	assert_true(pid > 0);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 15);
	assert_memory_equal(buf, "hello from exec", 15);
	assert_true(tl_now_ms() - t0 >= 150);
	assert_int_equal(tl_wait_child(pid, 10000), 0);
	talloc_free(s);
}

/* Child creates NAME, says so on `ready`, then sleeps until killed. */
static int spawn_creator(const char *name, int *pid)
{
	int p[2];
	char c;

	assert_int_equal(pipe(p), 0);
	*pid = fork();
	if (*pid == 0) {
		struct mailslot *s;

		close(p[0]);
		if (mailslot_server_create(NULL, name, 0, 0, &s) !=
		    MAILSLOT_OK)
			_exit(1);
		(void)!write(p[1], "k", 1);
		for (int i = 0; i < 600; i++)
			sleep(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		c = 0;
	close(p[0]);
	return c == 'k' ? 0 : -1;
}

static void test_sigkill_creator_name_reusable(void **state)
{
	const char *name = tl_name("kill");
	struct mailslot *s = NULL, *c, *c2 = NULL;
	int pid;

	assert_int_equal(spawn_creator(name, &pid), 0);
	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_ERROR_ALREADY_EXISTS);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "x", 1), MAILSLOT_OK);
	kill(pid, SIGKILL);
	assert_int_equal(tl_wait_child(pid, 10000), 128 + SIGKILL);
	/* no SIGPIPE, no crash: a clean error */
	assert_int_equal(mailslot_write(c, "x", 1),
			 MAILSLOT_ERROR_BROKEN_PIPE);
	assert_int_equal(mailslot_client_open(NULL, name, &c2),
			 MAILSLOT_ERROR_FILE_NOT_FOUND);
	/* the stale entry is reclaimed, without the dead one's messages */
	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_OK);
	uint32_t count;
	assert_int_equal(mailslot_get_info(s, NULL, NULL, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 0);
	assert_int_equal(mailslot_write(c, "x", 1),
			 MAILSLOT_ERROR_BROKEN_PIPE);
	assert_int_equal(mailslot_client_open(NULL, name, &c2), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c2, "y", 1), MAILSLOT_OK);
	talloc_free(c2);
	talloc_free(c);
	talloc_free(s);
}

/* Racers: a barrier pipe starts them; each reports its result. */
static void race_round(const char *name, bool stale)
{
	int start[2], result[2], hold[2];
	int pids[WRITERS], wins = 0, exists = 0;
	int creator = -1;

	if (stale) {
		assert_int_equal(spawn_creator(name, &creator), 0);
		kill(creator, SIGKILL);
		assert_int_equal(tl_wait_child(creator, 10000),
				 128 + SIGKILL);
	}
	assert_int_equal(pipe(start), 0);
	assert_int_equal(pipe(result), 0);
	assert_int_equal(pipe(hold), 0);
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct mailslot *s;
			unsigned char r;
			char c;

			close(start[1]);
			close(hold[1]);
			(void)!read(start[0], &c, 1);
			r = (unsigned char)(mailslot_server_create(NULL, name,
								   0, 0, &s) ==
					    MAILSLOT_OK ? 'W' : 'L');
			(void)!write(result[1], &r, 1);
			/* winners keep the name until the parent says */
			(void)!read(hold[0], &c, 1);
			_exit(0);
		}
	}
	close(start[0]);
	close(hold[0]);
	close(start[1]);	/* EOF releases every racer at once */
	for (int i = 0; i < WRITERS; i++) {
		unsigned char r = 0;

		assert_int_equal(read(result[0], &r, 1), 1);
		if (r == 'W')
			wins++;
		else
			exists++;
	}
	close(hold[1]);
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(tl_wait_child(pids[i], 10000), 0);
	close(result[0]);
	close(result[1]);
	assert_int_equal(wins, 1);
	assert_int_equal(exists, WRITERS - 1);
}

static void test_create_race_exactly_one_wins(void **state)
{
	const char *name = tl_name("race");

	for (int round = 0; round < 10; round++)
		race_round(name, round % 2 == 1);
}

struct msg {
	uint32_t writer;
	uint32_t seq;
	uint8_t pad[8];
};

static int writer_child(const char *name, uint32_t id, int count,
			uint64_t *quota_hits)
{
	struct mailslot *c;
	int64_t end = tl_now_ms() + 120000;

	if (mailslot_client_open(NULL, name, &c) != MAILSLOT_OK)
		return 20;
	for (int i = 0; i < count; i++) {
		struct msg m = { .writer = id, .seq = (uint32_t)i };
		enum mailslot_error err;

		for (;;) {
			err = mailslot_write(c, &m, sizeof(m));
			if (err != MAILSLOT_ERROR_NOT_ENOUGH_QUOTA)
				break;
			/* the queue is full: nothing queued, try again */
			(*quota_hits)++;
			if (tl_now_ms() > end)
				return 21;
			usleep(200);
		}
		if (err != MAILSLOT_OK)
			return 22;
	}
	return 0;
}

static void test_many_writers_exactly_once_in_order(void **state)
{
	const char *name = tl_name("many");
	struct mailslot_server_options o;
	uint32_t next[WRITERS] = { 0 };
	struct mailslot *s;
	int pids[WRITERS];
	int64_t t0 = tl_now_ms();
	uint64_t total = 0;

	mailslot_server_options_init(&o);
	o.read_timeout = 20000;
	/* small enough that writers hit the quota and must retry */
	o.queue_messages = 256;
	assert_int_equal(mailslot_server_create_ex(NULL, name, &o, &s),
			 MAILSLOT_OK);
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			uint64_t hits = 0;

			_exit(writer_child(name, (uint32_t)i, PER_WRITER,
					   &hits));
		}
	}
	while (total < (uint64_t)WRITERS * PER_WRITER) {
		struct msg m;
		size_t n;

		assert_int_equal(mailslot_read(s, &m, sizeof(m), &n),
				 MAILSLOT_OK);
		assert_int_equal(n, sizeof(m));
		assert_true(m.writer < WRITERS);
		/* exactly once, in order per writer */
		assert_int_equal(m.seq, next[m.writer]);
		next[m.writer]++;
		total++;
	}
	for (int i = 0; i < WRITERS; i++) {
		assert_int_equal(tl_wait_child(pids[i], 60000), 0);
		assert_int_equal(next[i], PER_WRITER);
	}
	print_message("%d writers x %d messages in %lld ms\n", WRITERS,
		      PER_WRITER, (long long)(tl_now_ms() - t0));
	/* nothing extra */
	assert_int_equal(mailslot_set_info(s, 0), MAILSLOT_OK);
	{
		struct msg m;
		size_t n;

		assert_int_equal(mailslot_read(s, &m, sizeof(m), &n),
				 MAILSLOT_ERROR_SEM_TIMEOUT);
	}
	talloc_free(s);
}

/* Child: drop to nobody, then run one check; exit code is the result. */
static int as_nobody(int (*fn)(const char *), const char *name)
{
	int pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0)
			_exit(90);
		_exit(fn(name));
	}
	return tl_wait_child(pid, 10000);
}

static int nobody_open(const char *name)
{
	struct mailslot *c;

	return (int)mailslot_client_open(NULL, name, &c);
}

static int nobody_write_and_snoop(const char *name)
{
	struct mailslot *c, *s;
	char path[512];
	enum mailslot_error err = mailslot_client_open(NULL, name, &c);

	if (err != MAILSLOT_OK) {
		fprintf(stderr, "as uid 65534: open: %s\n",
			mailslot_error_name(err));
		return 1;
	}
	if (mailslot_write(c, "from nobody", 11) != MAILSLOT_OK)
		return 2;
	/* allowed to write, never to read the queue or take the name */
	if (mailslot_server_create(NULL, name, 0, 0, &s) !=
	    MAILSLOT_ERROR_ALREADY_EXISTS)
		return 3;
	snprintf(path, sizeof(path), "%s/tl%%5cperm-%d/ring", rt_dir,
		 (int)getppid());
	if (open(path, O_RDONLY) >= 0 || errno != EACCES)
		return 4;
	return 0;
}

static void test_permissions_other_user(void **state)
{
	const char *name = tl_name("perm");
	struct mailslot_server_options o;
	struct mailslot *s;
	char buf[32];
	size_t n;

	if (geteuid() != 0) {
		print_message("SKIPPED: needs root to run a check as uid "
			      "65534\n");
		skip();
	}
	/* others must be able to traverse the runtime directory */
	assert_int_equal(chmod(rt_dir, 0711), 0);
	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(as_nobody(nobody_open, name),
			 MAILSLOT_ERROR_ACCESS_DENIED);
	talloc_free(s);

	mailslot_server_options_init(&o);
	o.access = MAILSLOT_ACCESS_EVERYONE;
	assert_int_equal(mailslot_server_create_ex(NULL, name, &o, &s),
			 MAILSLOT_OK);
	assert_int_equal(as_nobody(nobody_write_and_snoop, name), 0);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 11);
	assert_memory_equal(buf, "from nobody", 11);
	talloc_free(s);
	assert_int_equal(chmod(rt_dir, 0700), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_writer_wakes_forever_reader),
		cmocka_unit_test(test_sigkill_creator_name_reusable),
		cmocka_unit_test(test_create_race_exactly_one_wins),
		cmocka_unit_test(test_many_writers_exactly_once_in_order),
		cmocka_unit_test(test_permissions_other_user),
	};
	int rc;

	if (argc == 5 && strcmp(argv[1], "--write") == 0)
		return child_write(argv[2], argv[3], atoi(argv[4]));
	self_path = argv[0][0] == '/' ? argv[0] : realpath(argv[0], NULL);
	signal(SIGPIPE, SIG_DFL);	/* a SIGPIPE must kill us: it is a bug */
	rt_dir = tl_runtime_setup();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tl_runtime_teardown();
	return rc;
}
