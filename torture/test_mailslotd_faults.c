/*
 * mailslotd under faults (issue 7, "the daemon under attack"): the real
 * daemon on loopback with a private runtime directory and random ports.
 *
 *   test_stuck_reader   a reader that never reads costs only its own quota
 *   test_reader_killed  a reader SIGKILLed: its name is reclaimed, what
 *                       arrives for it meanwhile is dropped and counted
 *   test_daemon_killed  mailslotd SIGKILLed and restarted under servers
 *   test_bad_sighup     SIGHUP with broken configurations
 *
 * Each prints its figures as "# ..." lines: datagrams sent, received,
 * delivered, dropped by reason, kernel drops, the daemon's peak VmRSS.
 * Every wait is bounded; everything happens on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "nbt/nbt_dgram.h"
#include "test_mailslotd_util.h"
#include "torture_util.h"

#define LO 0x7f000001u

#if defined(__SANITIZE_ADDRESS__)
#define RSS_LIMIT_KB (256 * 1024) /* shadow memory and quarantine */
#else
#define RSS_LIMIT_KB (64 * 1024)
#endif

/*
 * Each test's talloc context, reachable from here: a forked reader
 * inherits it and exits without freeing it (freeing would run the
 * destructors of the parent's handles), and valgrind must not take that
 * for a leak.  One byte of payload: talloc_new()'s pointer would point
 * just past its 96-byte block, which valgrind counts as no pointer at
 * all ("definitely lost"); a pointer inside the block is only "possibly
 * lost", which is no error.  Teardown frees it after a failure.
 */
static TALLOC_CTX *test_mem;

static TALLOC_CTX *test_mem_new(void)
{
	TALLOC_FREE(test_mem);
	test_mem = talloc_named_const(NULL, 1, "test_mailslotd_faults");
	assert_non_null(test_mem);
	return test_mem;
}

/* valgrind runs the daemon and us ~30 times slower */
static int T(int ms)
{
	return getenv("MAILSLOT_TEST_WRAPPER") ? ms * 10 : ms;
}

/* ---- reader children ---- */

/* Exactly len bytes from fd within timeout_ms. */
static bool read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	int64_t end = md_now_ms() + timeout_ms;
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int left = (int)(end - md_now_ms());
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return false;
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static void put(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		_exit(3);
}

/* "tag 00042" -> 42, or -1 */
static int seq_of(const uint8_t *buf, size_t n, const char *tag)
{
	char text[64];
	int seq = -1;
	size_t tl = strlen(tag);

	if (n >= sizeof(text) || n <= tl || memcmp(buf, tag, tl) != 0 ||
	    buf[tl] != ' ')
		return -1;
	memcpy(text, buf, n);
	text[n] = '\0';
	return sscanf(text + tl + 1, "%d", &seq) == 1 ? seq : -1;
}

enum child_mode {
	CHILD_READ_ALL,	/* read `want` numbered messages, then report */
	CHILD_STUCK,	/* never read until told to, then drain and report */
	CHILD_VICTIM,	/* read `want`, report each seq, then wait to die */
};

struct report {
	int got, in_order, bad, extra;
	int seqs[32];	/* CHILD_STUCK: what it held */
};

/*
 * Fork a reader of \\.\mailslot\<path> in d's runtime directory (quota
 * queue_messages, 0 = default).  *rep_fd reads its reports, *cmd_fd (may
 * be NULL) writes to it.  Returns once it created the mailslot.
 */
static pid_t reader_spawn(const struct md_daemon *d, const char *path,
			  uint32_t queue_messages, enum child_mode mode,
			  const char *tag, int want, int *rep_fd, int *cmd_fd)
{
	int rep[2], cmd[2];
	char ready = 0;
	pid_t pid;

	assert_int_equal(pipe(rep), 0);
	assert_int_equal(pipe(cmd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mailslot_server_options o;
		struct mailslot *s;
		struct report r = { 0 };
		char name[128];
		uint8_t buf[256];
		int64_t end = md_now_ms() + T(60000);
		size_t n;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(rep[0]);
		close(cmd[1]);
		setenv("MAILSLOT_RUNTIME_DIR", d->rt, 1);
		snprintf(name, sizeof(name), "\\\\.\\mailslot\\%s", path);
		mailslot_server_options_init(&o);
		o.queue_messages = queue_messages;
		o.read_timeout = mode == CHILD_STUCK ? 0 : 200;
		if (mailslot_server_create_ex(NULL, name, &o, &s) !=
		    MAILSLOT_OK)
			_exit(2);
		put(rep[1], "R", 1);
		if (mode == CHILD_STUCK) {
			char c;
			/* blocked here: nothing is read until the parent
			 * says so (or goes away) */
			if (read(cmd[0], &c, 1) != 1)
				_exit(0);
			while (mailslot_read(s, buf, sizeof(buf), &n) ==
			       MAILSLOT_OK) {
				int seq = seq_of(buf, n, tag);
				if (r.got < 32)
					r.seqs[r.got] = seq;
				r.got++;
			}
			put(rep[1], &r, sizeof(r));
			talloc_free(s);
			_exit(0);
		}
		r.in_order = 1;
		while (r.got < want && md_now_ms() < end) {
			enum mailslot_error err =
				mailslot_read(s, buf, sizeof(buf), &n);
			int seq;

			if (err == MAILSLOT_ERROR_SEM_TIMEOUT)
				continue;
			if (err != MAILSLOT_OK)
				_exit(4);
			seq = seq_of(buf, n, tag);
			if (seq < 0)
				r.bad++;
			else if (seq != r.got)
				r.in_order = 0;
			r.got++;
			if (mode == CHILD_VICTIM)
				put(rep[1], &seq, sizeof(seq));
		}
		if (mode == CHILD_VICTIM) {
			for (;;)	/* reads no more: waits for SIGKILL */
				pause();
		}
		/* a second copy of anything would show up here */
		mailslot_set_info(s, 300);
		while (mailslot_read(s, buf, sizeof(buf), &n) == MAILSLOT_OK)
			r.extra++;
		put(rep[1], &r, sizeof(r));
		talloc_free(s);
		_exit(0);
	}
	assert_int_equal(md_kid_add(pid), 0);
	close(rep[1]);
	close(cmd[0]);
	if (!read_full(rep[0], &ready, 1, T(10000)) || ready != 'R')
		fail_msg("reader %s did not start (exit %d)", path,
			 md_kid_wait(pid, 1000));
	*rep_fd = rep[0];
	if (cmd_fd != NULL)
		*cmd_fd = cmd[1];
	else
		close(cmd[1]);
	return pid;
}

/* ---- the daemon ---- */

static void start_testa(struct md_daemon *d, const char *config)
{
	uint16_t dp, np;

	md_pick_ports(&dp, &np);
	if (md_start(d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np, config,
		     NULL) != 0)
		fail_msg("mailslotd did not come up (log %s)", d->log);
	setenv("MAILSLOT_RUNTIME_DIR", d->rt, 1);
}

/* "tag 00042" as a mailslot write to dest<suffix>, \MAILSLOT\<path>. */
static void send_seq(const struct md_daemon *d, int fd, const char *dest,
		     uint8_t suffix, const char *path, const char *tag,
		     int seq)
{
	char slot[128], text[64];
	size_t len;
	uint8_t *b;

	snprintf(slot, sizeof(slot), "\\MAILSLOT\\%s", path);
	snprintf(text, sizeof(text), "%s %05d", tag, seq);
	b = md_build_write(NULL, NBT_DGRAM_DIRECT_UNIQUE, (uint16_t)seq, dest,
			   suffix, slot, text, strlen(text), &len);
	assert_non_null(b);
	assert_int_equal(md_sendto(fd, LO, d->dport, b, len), 0);
	talloc_free(b);
}

static void rss_sample(const struct md_daemon *d, long *peak)
{
	long kb = d->pid > 0 ? md_rss_kb(d->pid) : -1;

	if (kb > *peak)
		*peak = kb;
}

/* The status JSON, bounded; fails the test if the daemon is silent. */
static char *status(TALLOC_CTX *mem, const struct md_daemon *d)
{
	char *j = md_status(mem, d);

	if (j == NULL)
		fail_msg("no status from mailslotd (log %s)", d->log);
	return j;
}

static long long delta(const char *j0, const char *j1, const char *obj,
		       const char *key)
{
	return md_json(j1, obj, key) - (j0 ? md_json(j0, obj, key) : 0);
}

/* Wait (bounded) until the daemon has read `want` datagrams in all. */
static void wait_received(const struct md_daemon *d, long long want)
{
	long long got = md_wait_counter(d, NULL, "received", want, T(10000));

	if (got != want)
		fail_msg("mailslotd received %lld datagrams, expected %lld",
			 got, want);
}

/*
 * The figures: what was sent, what the daemon did with it (between the
 * status snapshots j0 and j1; j0 NULL: since it started), by reason.
 */
static void figures(const char *what, long long sent, const char *j0,
		    const char *j1, const struct md_daemon *d, long peak_kb)
{
	char reasons[1024] = "", key[64];
	const char *p = strstr(j1, "\"dropped\":{");
	const char *end = p ? strchr(p, '}') : NULL;
	size_t used = 0;

	/* every reason the daemon reports, those that moved */
	for (p = p ? p + 11 : NULL; p != NULL && p < end;
	     p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		long long n;
		if (sscanf(p, "\"%63[^\"]\"", key) != 1)
			break;
		n = delta(j0, j1, "dropped", key);
		if (n != 0 && used < sizeof(reasons))
			used += (size_t)snprintf(reasons + used,
						 sizeof(reasons) - used,
						 " %s %lld", key, n);
	}
	printf("# %s: sent %lld, received %lld, delivered %lld, dropped:%s; "
	       "kernel receive drops %lld; mailslotd peak VmRSS %ld kB\n",
	       what, sent, delta(j0, j1, NULL, "received"),
	       delta(j0, j1, NULL, "delivered"),
	       used ? reasons : " none",
	       d->pid > 0 ? md_udp_drops(d->pid, d->dport) : -1, peak_kb);
	fflush(stdout);
}

static void rss_check(long peak_kb)
{
	assert_true(peak_kb > 0);
	/* valgrind's own memory is in the figure: report, do not bound */
	if (getenv("MAILSLOT_TEST_WRAPPER") == NULL)
		assert_true(peak_kb < RSS_LIMIT_KB);
}

/* The live mailslot \\.\mailslot\<path> in the listing, or NULL. */
static const struct mailslot_entry *listed(struct mailslot_entry *e,
					   size_t n, const char *path)
{
	char name[128];

	snprintf(name, sizeof(name), "\\\\.\\mailslot\\%s", path);
	for (size_t i = 0; i < n; i++) {
		if (e[i].name != NULL && strcmp(e[i].name, name) == 0)
			return &e[i];
	}
	return NULL;
}

/* Read one message within the slot's timeout; its seq under tag. */
static int read_seq(struct mailslot *s, const char *tag)
{
	uint8_t buf[256];
	size_t n = 0;
	enum mailslot_error err = mailslot_read(s, buf, sizeof(buf), &n);
	int seq;

	if (err != MAILSLOT_OK)
		fail_msg("read (%s expected): %s", tag,
			 mailslot_error_name(err));
	seq = seq_of(buf, n, tag);
	if (seq < 0)
		fail_msg("'%.*s' is not a '%s' message", (int)n, buf, tag);
	return seq;
}

/* Nothing (more) is queued, nor arrives within ms. */
static void read_none(struct mailslot *s, uint32_t ms)
{
	uint8_t buf[256];
	size_t n;
	enum mailslot_error err = md_read_within(s, ms, buf, sizeof(buf), &n);

	if (err != MAILSLOT_ERROR_SEM_TIMEOUT)
		fail_msg("unexpected message (%s): '%.*s'",
			 mailslot_error_name(err), (int)n, buf);
}

/* ---------------------------------------------------------------- */
/* 1. a reader that stops reading                                   */
/* ---------------------------------------------------------------- */

#define STUCK_N 600	/* numbered messages to each mailslot */
#define STUCK_QUOTA 16	/* the stuck reader's queue_messages */
#define LIVE_READERS 2
#define BURST 24	/* datagrams in flight at most: no kernel drops */

/*
 * Three readers in their own processes: two read, one never does (its
 * quota: 16 messages).  The sender writes 600 numbered messages to each,
 * interleaved, never more than 24 datagrams ahead of the daemon.  The
 * stuck one ends up holding exactly its first 16 messages, the other 584
 * are dropped as queue_full; the live ones get all 600 once, in order.
 */
static void test_stuck_reader(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = test_mem_new();
	static const char *const live_path[LIVE_READERS] = { "live1", "live2" };
	pid_t live_pid[LIVE_READERS], stuck_pid;
	int live_fd[LIVE_READERS], stuck_fd, stuck_cmd, fd;
	struct mailslot_entry *e;
	const struct mailslot_entry *se;
	struct report r;
	size_t ne;
	long peak = 0;
	long long base, sent = 0;
	char *j0, *j1;

	start_testa(&d, NULL);
	stuck_pid = reader_spawn(&d, "stuck", STUCK_QUOTA, CHILD_STUCK,
				 "stuck", 0, &stuck_fd, &stuck_cmd);
	for (int k = 0; k < LIVE_READERS; k++)
		live_pid[k] = reader_spawn(&d, live_path[k], 0, CHILD_READ_ALL,
					   live_path[k], STUCK_N, &live_fd[k],
					   NULL);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	j0 = status(mem, &d);
	base = md_json(j0, NULL, "received");
	rss_sample(&d, &peak);

	for (int i = 0; i < STUCK_N; i++) {
		send_seq(&d, fd, "TESTA", 0, "stuck", "stuck", i);
		for (int k = 0; k < LIVE_READERS; k++)
			send_seq(&d, fd, "TESTA", 0, live_path[k], live_path[k],
				 i);
		sent += 1 + LIVE_READERS;
		if (sent % BURST == 0 || i == STUCK_N - 1) {
			wait_received(&d, base + sent);
			rss_sample(&d, &peak);
		}
	}

	/* the live readers: everything, once, in order */
	for (int k = 0; k < LIVE_READERS; k++) {
		if (!read_full(live_fd[k], &r, sizeof(r), T(20000)))
			fail_msg("no report from %s", live_path[k]);
		printf("# %s: read %d of %d, in order %s, bad %d, second "
		       "copies %d\n", live_path[k], r.got, STUCK_N,
		       r.in_order ? "yes" : "no", r.bad, r.extra);
		assert_int_equal(r.got, STUCK_N);
		assert_int_equal(r.in_order, 1);
		assert_int_equal(r.bad, 0);
		assert_int_equal(r.extra, 0);
		assert_int_equal(md_kid_wait(live_pid[k], T(5000)), 0);
		close(live_fd[k]);
	}

	/* the stuck one holds exactly its quota, seen from outside */
	assert_int_equal(mailslot_list(mem, &e, &ne), MAILSLOT_OK);
	se = listed(e, ne, "stuck");
	assert_non_null(se);
	assert_int_equal(se->pid, stuck_pid);
	assert_int_equal(se->queue_messages, STUCK_QUOTA);
	assert_int_equal(se->message_count, STUCK_QUOTA);
	for (int k = 0; k < LIVE_READERS; k++) {
		const struct mailslot_entry *le =
			listed(e, ne, live_path[k]);
		/* read everything and exited: gone */
		assert_null(le);
	}

	j1 = status(mem, &d);
	rss_sample(&d, &peak);
	figures("stuck reader", sent, j0, j1, &d, peak);
	assert_int_equal(delta(j0, j1, NULL, "received"), sent);
	assert_int_equal(delta(j0, j1, NULL, "delivered"),
			 LIVE_READERS * STUCK_N + STUCK_QUOTA);
	assert_int_equal(delta(j0, j1, "dropped", "queue_full"),
			 STUCK_N - STUCK_QUOTA);
	assert_int_equal(md_json_dropped_sum(j1) - md_json_dropped_sum(j0),
			 STUCK_N - STUCK_QUOTA);
	assert_int_equal(md_udp_drops(d.pid, d.dport), 0);

	/* ... and what it holds are its first 16 messages, in order */
	assert_int_equal(write(stuck_cmd, "D", 1), 1);
	if (!read_full(stuck_fd, &r, sizeof(r), T(10000)))
		fail_msg("no report from the stuck reader");
	printf("# stuck: held %d messages (quota %d), seq %d..%d\n", r.got,
	       STUCK_QUOTA, r.seqs[0], r.seqs[r.got > 0 ? r.got - 1 : 0]);
	assert_int_equal(r.got, STUCK_QUOTA);
	for (int i = 0; i < STUCK_QUOTA; i++)
		assert_int_equal(r.seqs[i], i);
	assert_int_equal(md_kid_wait(stuck_pid, T(5000)), 0);
	close(stuck_fd);
	close(stuck_cmd);
	close(fd);

	rss_check(peak);
	assert_true(md_alive(&d));
	assert_int_equal(md_stop(&d, T(5000)), 0);
	TALLOC_FREE(test_mem);
}

/* ---------------------------------------------------------------- */
/* 2. a reader killed with SIGKILL                                  */
/* ---------------------------------------------------------------- */

#define VICTIM_READ 5	/* read by the victim before it stops */
#define VICTIM_QUEUED 3	/* delivered to it, never read */
#define TO_THE_DEAD 10	/* sent while no server exists */
#define AFTER 5		/* to the new server */

/* SIGKILL a reader child; it must die of it. */
static void kill_reader(pid_t pid)
{
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(md_kid_wait(pid, T(5000)), 128 + SIGKILL);
}

/* Does `mailslot list` show \\.\mailslot\<path>? */
static bool tool_lists(const struct md_daemon *d, const char *path)
{
	char tool[1024], out[8192], name[128];
	const char *argv[] = { tool, "list", NULL };
	size_t len;

	md_build_path(tool, sizeof(tool), "tools/mailslot");
	snprintf(name, sizeof(name), "\\\\.\\mailslot\\%s", path);
	len = strlen(name);
	assert_int_equal(md_run(d->rt, out, sizeof(out), T(10000), argv), 0);
	for (char *line = strtok(out, "\n"); line != NULL;
	     line = strtok(NULL, "\n")) {
		if (strncmp(line, name, len) == 0 && line[len] == ' ')
			return true;
	}
	return false;
}

/*
 * A reader process reads 5 messages, stops reading with 3 more queued,
 * and is SIGKILLed.  Its mailslot is no longer listed; 10 datagrams for
 * it are dropped as no_such_mailslot; a new server takes the name with
 * an empty queue (the 3 died with their reader) and gets what follows.
 * Second round: a reader killed and replaced before any datagram
 * arrives; the daemon's cached handle to the dead one must not lose the
 * next message.
 */
static void test_reader_killed(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = test_mem_new();
	struct mailslot_entry *e;
	const struct mailslot_entry *ve;
	struct mailslot *s;
	uint32_t count;
	size_t ne;
	long peak = 0;
	long long sent = 0;
	int rep, fd, seq = 0;
	pid_t pid;
	char *j0, *j1, *j2, *j3;

	start_testa(&d, NULL);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	j0 = status(mem, &d);

	pid = reader_spawn(&d, "victim", 0, CHILD_VICTIM, "victim",
			   VICTIM_READ, &rep, NULL);
	for (; seq < VICTIM_READ; seq++, sent++)
		send_seq(&d, fd, "TESTA", 0, "victim", "victim", seq);
	for (int i = 0; i < VICTIM_READ; i++) {
		int got = -1;
		if (!read_full(rep, &got, sizeof(got), T(10000)))
			fail_msg("the victim read %d of %d", i, VICTIM_READ);
		assert_int_equal(got, i);
	}
	/* it reads no more: these stay in its queue */
	for (; seq < VICTIM_READ + VICTIM_QUEUED; seq++, sent++)
		send_seq(&d, fd, "TESTA", 0, "victim", "victim", seq);
	assert_int_equal(md_wait_counter(&d, NULL, "delivered",
					 md_json(j0, NULL, "delivered") + seq,
					 T(10000)),
			 md_json(j0, NULL, "delivered") + seq);
	assert_int_equal(mailslot_list(mem, &e, &ne), MAILSLOT_OK);
	ve = listed(e, ne, "victim");
	assert_non_null(ve);
	assert_int_equal(ve->pid, pid);
	assert_int_equal(ve->message_count, VICTIM_QUEUED);
	assert_true(tool_lists(&d, "victim"));
	rss_sample(&d, &peak);

	kill_reader(pid);
	close(rep);
	/* no longer a live mailslot, whatever is left on disk */
	assert_int_equal(mailslot_list(mem, &e, &ne), MAILSLOT_OK);
	assert_null(listed(e, ne, "victim"));
	assert_false(tool_lists(&d, "victim"));
	assert_int_equal(mailslot_client_open(mem, "\\\\.\\mailslot\\victim",
					      &s), MAILSLOT_ERROR_FILE_NOT_FOUND);

	/* for the dead: dropped, counted */
	j1 = status(mem, &d);
	for (int i = 0; i < TO_THE_DEAD; i++, sent++)
		send_seq(&d, fd, "TESTA", 0, "victim", "dead", i);
	wait_received(&d, md_json(j1, NULL, "received") + TO_THE_DEAD);
	j2 = status(mem, &d);
	figures("to the dead reader", TO_THE_DEAD, j1, j2, &d, peak);
	assert_int_equal(delta(j1, j2, NULL, "delivered"), 0);
	assert_int_equal(delta(j1, j2, "dropped", "no_such_mailslot"),
			 TO_THE_DEAD);
	assert_int_equal(md_json_dropped_sum(j2) - md_json_dropped_sum(j1),
			 TO_THE_DEAD);

	/* the name is free again; the new queue starts empty */
	assert_int_equal(mailslot_server_create(mem, "\\\\.\\mailslot\\victim",
						0, T(3000), &s), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 0);
	assert_int_equal(mailslot_list(mem, &e, &ne), MAILSLOT_OK);
	ve = listed(e, ne, "victim");
	assert_non_null(ve);
	assert_int_equal(ve->pid, getpid());
	for (int i = 0; i < AFTER; i++, sent++)
		send_seq(&d, fd, "TESTA", 0, "victim", "after", i);
	for (int i = 0; i < AFTER; i++)
		assert_int_equal(read_seq(s, "after"), i);
	read_none(s, 300);
	talloc_free(s);

	/* round 2: killed and replaced with no datagram in between */
	pid = reader_spawn(&d, "victim", 0, CHILD_VICTIM, "second", 2, &rep,
			   NULL);
	for (int i = 0; i < 2; i++, sent++)
		send_seq(&d, fd, "TESTA", 0, "victim", "second", i);
	for (int i = 0; i < 2; i++) {
		int got = -1;
		if (!read_full(rep, &got, sizeof(got), T(10000)))
			fail_msg("the second victim read %d of 2", i);
		assert_int_equal(got, i);
	}
	kill_reader(pid);
	close(rep);
	assert_int_equal(mailslot_server_create(mem, "\\\\.\\mailslot\\victim",
						0, T(3000), &s), MAILSLOT_OK);
	j2 = status(mem, &d);
	for (int i = 0; i < AFTER; i++, sent++)
		send_seq(&d, fd, "TESTA", 0, "victim", "third", i);
	for (int i = 0; i < AFTER; i++)
		assert_int_equal(read_seq(s, "third"), i);
	read_none(s, 300);
	j3 = status(mem, &d);
	assert_int_equal(delta(j2, j3, NULL, "delivered"), AFTER);
	assert_int_equal(md_json_dropped_sum(j3) - md_json_dropped_sum(j2), 0);

	rss_sample(&d, &peak);
	figures("reader killed, in all", sent, j0, j3, &d, peak);
	assert_int_equal(delta(j0, j3, NULL, "received"), sent);
	assert_int_equal(delta(j0, j3, NULL, "delivered"),
			 sent - TO_THE_DEAD);
	assert_int_equal(md_json_dropped_sum(j3) - md_json_dropped_sum(j0),
			 TO_THE_DEAD);
	assert_int_equal(md_udp_drops(d.pid, d.dport), 0);
	rss_check(peak);
	close(fd);
	talloc_free(s);
	assert_int_equal(md_stop(&d, T(5000)), 0);
	TALLOC_FREE(test_mem);
}

/* ---------------------------------------------------------------- */
/* 3. mailslotd killed and restarted                                */
/* ---------------------------------------------------------------- */

#define PRE 10		/* delivered into the ring before the kill */
#define IN_FLIGHT 5	/* in the daemon's socket buffer at the kill */
#define WHILE_DOWN 5	/* sent while no daemon listens */
#define POST 10		/* after the restart */

/* Bytes waiting in the receive queues of UDP sockets on port. */
static long long udp_rx_queued(uint16_t port)
{
	FILE *f = fopen("/proc/net/udp", "r");
	char line[512];
	long long sum = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned lport, rxq;
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %*x %*x:%x", &lport,
			   &rxq) == 2 && lport == port)
			sum += rxq;
	}
	if (f != NULL)
		fclose(f);
	return sum;
}

/*
 * A reader, a remote handle and a NetBIOS name (MSGR<03>) exist; 12
 * messages are delivered into the reader's ring and not read.  The
 * daemon is stopped, 5 datagrams queue in its socket buffer, it is
 * SIGKILLed; 5 more are sent while nothing listens.  While it is down,
 * local writes work and remote ones fail with ERROR_SERVICE_NOT_ACTIVE.
 * Restarted on the same runtime dir and ports (its control socket left
 * behind), it serves again: the 12 are still in the ring, followed by
 * the local write and nothing else (the 10 died with its sockets); new
 * datagrams are delivered once each, and the remote handle opened
 * before the kill works again.  MSGR<03> went with the old daemon's
 * connection: datagrams for it are not_our_name until the program calls
 * mailslot_netbios_name_refresh(), which registers it again.
 */
static void test_daemon_killed(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = test_mem_new();
	struct mailslot *inbox, *remote, *local, *again;
	struct mailslot_netbios_name *nb;
	char sock[512], name[64], *j0, *j1, *j2;
	long peak = 0, peak2 = 0;
	long long sent = 0, queued;
	int fd;
	pid_t old_pid;

	start_testa(&d, NULL);
	snprintf(sock, sizeof(sock), "%s/mailslotd.sock", d.rt);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	assert_int_equal(mailslot_server_create(mem, "\\\\.\\mailslot\\inbox",
						0, T(3000), &inbox),
			 MAILSLOT_OK);
	/* a remote handle, and a name, both through the control socket */
	assert_int_equal(mailslot_client_open(mem,
					      "\\\\TESTA\\mailslot\\inbox",
					      &remote), MAILSLOT_OK);
	assert_int_equal(mailslot_netbios_name_register(mem, "MSGR", 0x03,
							false, &nb),
			 MAILSLOT_OK);
	j0 = status(mem, &d);
	assert_string_equal(md_name_state(j0, "MSGR<03>", name, sizeof(name)),
			    "active");

	/* delivered into the reader's ring, not read yet */
	for (int i = 0; i < PRE; i++, sent++)
		send_seq(&d, fd, "TESTA", 0, "inbox", "pre", i);
	/* the daemon sends this one to itself */
	assert_int_equal(mailslot_write(remote, "remote 00000", 12),
			 MAILSLOT_OK);
	sent++;
	send_seq(&d, fd, "MSGR", 0x03, "inbox", "msgr", 0);
	sent++;
	assert_int_equal(md_wait_counter(&d, NULL, "delivered", PRE + 2,
					 T(10000)), PRE + 2);
	rss_sample(&d, &peak);
	j1 = status(mem, &d);
	figures("before the kill", sent, NULL, j1, &d, peak);
	assert_int_equal(md_json(j1, NULL, "received"), sent);
	assert_int_equal(md_json_dropped_sum(j1), 0);

	/* in flight: in the stopped daemon's socket buffer when it dies */
	assert_int_equal(kill(d.pid, SIGSTOP), 0);
	for (int i = 0; i < IN_FLIGHT; i++)
		send_seq(&d, fd, "TESTA", 0, "inbox", "inflight", i);
	queued = udp_rx_queued(d.dport);
	assert_true(queued > 0);
	old_pid = d.pid;
	assert_int_equal(md_kill9(&d), 0);

	/* down: the control socket is stale, local mailslots work */
	assert_int_equal(access(sock, F_OK), 0);
	for (int i = 0; i < WHILE_DOWN; i++)
		send_seq(&d, fd, "TESTA", 0, "inbox", "down", i);
	assert_int_equal(mailslot_client_open(mem, "\\\\.\\mailslot\\inbox",
					      &local), MAILSLOT_OK);
	assert_int_equal(mailslot_write(local, "local 00000", 11),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_write(remote, "remote 00001", 12),
			 MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
	assert_int_equal(mailslot_client_open(mem,
					      "\\\\TESTA\\mailslot\\inbox",
					      &again),
			 MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
	assert_int_equal(mailslot_netbios_name_refresh(nb),
			 MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);

	/* the same runtime dir and ports */
	if (md_restart(&d, "127.0.0.1/8", "TESTA", "TESTWG", NULL, NULL) != 0)
		fail_msg("mailslotd did not come back (log %s)", d.log);
	assert_true(d.pid != old_pid);
	j2 = status(mem, &d);
	/* its counters start at zero: nothing in flight reached it */
	assert_int_equal(md_json(j2, NULL, "received"), 0);
	assert_int_equal(md_json(j2, NULL, "delivered"), 0);

	/* the ring survived: what was delivered before, then the local
	 * write, nothing else */
	for (int i = 0; i < PRE; i++)
		assert_int_equal(read_seq(inbox, "pre"), i);
	assert_int_equal(read_seq(inbox, "remote"), 0);
	assert_int_equal(read_seq(inbox, "msgr"), 0);
	assert_int_equal(read_seq(inbox, "local"), 0);
	read_none(inbox, 300);

	/* delivery resumes, from the network and for new handles */
	sent = 0;
	for (int i = 0; i < POST; i++, sent++)
		send_seq(&d, fd, "TESTA", 0, "inbox", "post", i);
	for (int i = 0; i < POST; i++)
		assert_int_equal(read_seq(inbox, "post"), i);
	/* the handle opened before the kill connects again */
	assert_int_equal(mailslot_write(remote, "remote 00002", 12),
			 MAILSLOT_OK);
	sent++;
	assert_int_equal(read_seq(inbox, "remote"), 2);
	assert_int_equal(mailslot_client_open(mem,
					      "\\\\TESTA\\mailslot\\inbox",
					      &again), MAILSLOT_OK);
	assert_int_equal(mailslot_write(again, "remote 00003", 12),
			 MAILSLOT_OK);
	sent++;
	assert_int_equal(read_seq(inbox, "remote"), 3);

	/* a name registered through the dead daemon's socket is not the
	 * new daemon's: datagrams for it are not_our_name ... */
	j2 = status(mem, &d);
	assert_string_equal(md_name_state(j2, "MSGR<03>", name, sizeof(name)),
			    "");
	send_seq(&d, fd, "MSGR", 0x03, "inbox", "msgr", 1);
	sent++;
	wait_received(&d, sent);
	read_none(inbox, 300);
	/* ... until the program refreshes it */
	assert_int_equal(mailslot_netbios_name_refresh(nb), MAILSLOT_OK);
	j2 = status(mem, &d);
	assert_string_equal(md_name_state(j2, "MSGR<03>", name, sizeof(name)),
			    "active");
	send_seq(&d, fd, "MSGR", 0x03, "inbox", "msgr", 2);
	sent++;
	assert_int_equal(read_seq(inbox, "msgr"), 2);
	/* held: no second registration */
	{
		int64_t t0 = md_now_ms();
		assert_int_equal(mailslot_netbios_name_refresh(nb),
				 MAILSLOT_OK);
		assert_true(md_now_ms() - t0 < T(200));
	}
	read_none(inbox, 300);

	rss_sample(&d, &peak2);
	j2 = status(mem, &d);
	printf("# lost with the daemon: %d datagrams (%lld bytes) in its "
	       "socket buffer at the kill, %d sent while it was down\n",
	       IN_FLIGHT, queued, WHILE_DOWN);
	figures("after the restart", sent, NULL, j2, &d, peak2);
	assert_int_equal(md_json(j2, NULL, "received"), sent);
	assert_int_equal(md_json(j2, NULL, "delivered"), sent - 1);
	assert_int_equal(md_json(j2, "dropped", "not_our_name"), 1);
	assert_int_equal(md_json_dropped_sum(j2), 1);
	assert_int_equal(md_udp_drops(d.pid, d.dport), 0);
	rss_check(peak);
	rss_check(peak2);
	close(fd);
	talloc_free(nb);
	assert_int_equal(md_stop(&d, T(5000)), 0);
	TALLOC_FREE(test_mem);
}

/* ---------------------------------------------------------------- */
/* 4. SIGHUP with a broken configuration                            */
/* ---------------------------------------------------------------- */

/* How many lines of d's log hold text; the last one into last. */
static int log_count(const struct md_daemon *d, const char *text,
		     char *last, size_t len)
{
	FILE *f = fopen(d->log, "r");
	char line[4096];
	int count = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, text) == NULL)
			continue;
		count++;
		if (last != NULL)
			snprintf(last, len, "%.*s", (int)strcspn(line, "\n"),
				 line);
	}
	if (f != NULL)
		fclose(f);
	return count;
}

/* SIGHUP, then wait (bounded) for the next log line holding text. */
static void hup_and_wait(const struct md_daemon *d, const char *text,
			 char *line, size_t len)
{
	int before = log_count(d, text, NULL, 0);
	int64_t end;

	assert_int_equal(kill(d->pid, SIGHUP), 0);
	end = md_now_ms() + T(5000);
	while (log_count(d, text, line, len) <= before) {
		if (md_now_ms() >= end)
			fail_msg("no '%s' in %s after SIGHUP", text, d->log);
		usleep(20000);
	}
}

static void conf_put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * The daemon runs with "mailslot allow = 127.0.0.0/8".  Each broken file
 * below would allow only 127.0.0.2 if any of it were applied; after each
 * SIGHUP the log names the file, the line and the culprit, the daemon
 * runs on with its ports and names, and a datagram from 127.0.0.1 is
 * still delivered.  A good file then does change the allow-list: the
 * next datagram from 127.0.0.1 is dropped as source_not_allowed.
 */
static void test_bad_sighup(void **state)
{
	static const struct {
		const char *what, *text, *mention[4];
	} bad[] = {
		{ "a bad value",
		  "[global]\n  mailslot allow = 127.0.0.2/32\n"
		  "  mailslot datagram port = banana\n",
		  { ":3:", "banana", "mailslot datagram port" } },
		{ "a bad network",
		  "[global]\n  workgroup = TESTWG\n"
		  "  mailslot allow = 127.0.0.2/32 not-a-network\n",
		  { ":3:", "not-a-network", "mailslot allow" } },
		{ "not smb.conf",
		  "[global]\n  mailslot allow = 127.0.0.2/32\n"
		  "this line has no equals sign\n",
		  { ":3:", NULL } },
		{ "a missing file", NULL, { "cannot read", NULL } },
	};
	struct md_daemon d;
	TALLOC_CTX *mem = test_mem_new();
	char cfg[320], line[4096], name[64], *j0, *j1;
	struct mailslot *s;
	long peak = 0;
	long long sent = 0;
	int fd, seq = 0;

	/* removed with mem, even when a check fails */
	snprintf(cfg, sizeof(cfg), "%s/hup.conf", torture_tmpdir(mem));
	conf_put(cfg, "[global]\n  workgroup = TESTWG\n"
		      "  mailslot allow = 127.0.0.0/8\n");
	start_testa(&d, cfg);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	assert_int_equal(mailslot_server_create(mem, "\\\\.\\mailslot\\hup", 0,
						T(3000), &s), MAILSLOT_OK);
	j0 = status(mem, &d);
	send_seq(&d, fd, "TESTA", 0, "hup", "hup", seq);
	assert_int_equal(read_seq(s, "hup"), seq++);
	sent++;

	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		if (bad[b].text != NULL)
			conf_put(cfg, bad[b].text);
		else
			assert_int_equal(unlink(cfg), 0);
		hup_and_wait(&d, "keeping the old configuration", line,
			     sizeof(line));
		printf("# SIGHUP with %s: %s\n", bad[b].what,
		       strstr(line, "SIGHUP") ? strstr(line, "SIGHUP")
					      : line);
		/* it says which file, where and what */
		assert_non_null(strstr(line, cfg));
		for (int m = 0; bad[b].mention[m] != NULL; m++) {
			if (strstr(line, bad[b].mention[m]) == NULL)
				fail_msg("'%s' does not mention '%s'", line,
					 bad[b].mention[m]);
		}
		/* running, same ports and names, old allow-list */
		assert_true(md_alive(&d));
		j1 = status(mem, &d);
		assert_int_equal(md_json(j1, "ports", "datagram"), d.dport);
		assert_int_equal(md_json(j1, "ports", "name"), d.nport);
		assert_string_equal(md_name_state(j1, "TESTA<00>", name,
						  sizeof(name)), "active");
		send_seq(&d, fd, "TESTA", 0, "hup", "hup", seq);
		assert_int_equal(read_seq(s, "hup"), seq++);
		sent++;
		rss_sample(&d, &peak);
	}
	read_none(s, 200);
	j1 = status(mem, &d);
	assert_int_equal(delta(j0, j1, NULL, "delivered"), sent);
	assert_int_equal(md_json_dropped_sum(j1) - md_json_dropped_sum(j0), 0);

	/* a good file is applied: the broken ones were refused, not lost */
	conf_put(cfg, "[global]\n  workgroup = TESTWG\n"
		      "  mailslot allow = 127.0.0.2/32\n");
	hup_and_wait(&d, "configuration reloaded", line, sizeof(line));
	send_seq(&d, fd, "TESTA", 0, "hup", "hup", seq++);
	sent++;
	wait_received(&d, md_json(j0, NULL, "received") + sent);
	read_none(s, 200);
	rss_sample(&d, &peak);
	j1 = status(mem, &d);
	figures("SIGHUP", sent, j0, j1, &d, peak);
	assert_int_equal(delta(j0, j1, "dropped", "source_not_allowed"), 1);
	assert_int_equal(delta(j0, j1, NULL, "delivered"), sent - 1);
	rss_check(peak);

	close(fd);
	assert_int_equal(md_stop(&d, T(5000)), 0);
	TALLOC_FREE(test_mem);
}

static int teardown(void **state)
{
	TALLOC_FREE(test_mem);
	md_kids_kill();
	md_kill_all();
	unsetenv("MAILSLOT_RUNTIME_DIR");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_stuck_reader, teardown),
		cmocka_unit_test_teardown(test_reader_killed, teardown),
		cmocka_unit_test_teardown(test_daemon_killed, teardown),
		cmocka_unit_test_teardown(test_bad_sighup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("test_mailslotd_faults", tests,
					   NULL, NULL);
}
