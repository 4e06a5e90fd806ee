/*
 * mailslot netsend and mailslot messenger end to end: two mailslotd on
 * loopback (ALPHA on 127.0.0.1, BRAVO on 127.0.0.2, workgroup TESTWG,
 * private runtime dirs, the same random high ports), the real commands
 * run as child processes; and a standalone messenger (CHARLIE on
 * 127.0.0.3, no daemon, a port of its own).  Every wait is bounded; only
 * our own children are ever killed.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "test_mailslotd_util.h"
#include "torture_util.h"


static struct md_daemon alpha, bravo;
static char tool[512];
/* the run's directory: removed with tmp_ctx unless MAILSLOT_TEST_KEEP */
static TALLOC_CTX *tmp_ctx;
static const char *tmp;
static char sport[16];	/* the standalone messenger's port */

struct messenger_run {
	pid_t pid;
	char out[320], err[320];
};

/* A failed test leaves tools behind: end them (ours only). */
static int kill_kids(void **state)
{
	md_kids_kill();
	return 0;
}

/*
 * mailslot messenger ARGS... against daemon d (NULL: none, for
 * --standalone), output in files; returns once it said it is listening
 * (its names are registered).
 */
static void messenger_start(struct messenger_run *r,
			    const struct md_daemon *d, const char *tag,
			    const char *const *args)
{
	const char *argv[24] = { tool, "messenger" };
	size_t n = 2;
	int64_t end;

	snprintf(r->out, sizeof(r->out), "%s/%s.out", tmp, tag);
	snprintf(r->err, sizeof(r->err), "%s/%s.err", tmp, tag);
	for (size_t i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	r->pid = md_spawn(d ? d->rt : tmp, r->out, r->err, 0, argv);
	assert_true(r->pid > 0);
	end = md_now_ms() + 10000;
	while (md_now_ms() < end) {
		char *e = md_slurp(NULL, r->err);
		const char *l = strstr(e, "listening as");
		/* the whole line: stderr is unbuffered, written in pieces */
		bool up = l != NULL && strchr(l, '\n') != NULL;

		talloc_free(e);
		if (up)
			return;
		if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
			md_kid_forget(r->pid);
			r->pid = 0;
			fail_msg("messenger %s exited early: %s", tag,
				 md_slurp(NULL, r->err));
		}
		usleep(20000);
	}
	fail_msg("messenger %s did not come up", tag);
}

/* mailslot netsend ARGS... through d (NULL: no daemon); exit code. */
static int netsend(const struct md_daemon *d, char *out, size_t outlen,
		   const char *const *args)
{
	const char *argv[24] = { tool, "netsend" };
	size_t n = 2;

	for (size_t i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return md_run(d ? d->rt : tmp, out, outlen, 15000, argv);
}

static void test_directed(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run a, b;
	char out[4096];
	char *got;

	messenger_start(&b, &bravo, "dir-b", (const char *[]){
		"--json", "--count", "1", "--timeout", "10000", NULL });
	/* ALPHA's own messenger must see nothing of a directed message */
	messenger_start(&a, &alpha, "dir-a", (const char *[]){
		"--json", "--count", "1", "--timeout", "2500", NULL });
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"bravo", "Hello BRAVO", NULL }), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	got = md_slurp(mem, b.out);
	if (strstr(got, "\"from\":\"ALPHA\",\"to\":\"BRAVO\",\"text\":"
		   "\"Hello BRAVO\",") == NULL)
		fail_msg("BRAVO printed: %s", got);
	/* exactly one line */
	assert_int_equal(strchr(got, '\n') - got + 1, (long)strlen(got));
	/* exit 3: read timeout */
	assert_int_equal(md_kid_wait(a.pid, 10000), 3);
	assert_string_equal(md_slurp(mem, a.out), "");
	talloc_free(mem);
}

static void test_popup_text(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run b;
	char out[4096];
	char *got, *body;

	messenger_start(&b, &bravo, "popup-b", (const char *[]){
		"--name", "bob", "--count", "1", "--timeout", "10000", NULL });
	/* to a user name the messenger registered; a break and non-ASCII */
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"BOB", "line 1\nline 2: caf\xc3\xa9 \x1b[2J", NULL }), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	got = md_slurp(mem, b.out);
	if (strncmp(got, "Message from ALPHA to BOB on ", 29) != 0)
		fail_msg("BRAVO printed: %s", got);
	body = strstr(got, "\n\n");
	assert_non_null(body);
	/* CP850 on the wire, UTF-8 again here; ESC shown, never sent raw */
	assert_string_equal(body, "\n\nline 1\nline 2: caf\xc3\xa9 "
				  "\\x1b[2J\n\n");
	talloc_free(mem);
}

static void test_domain(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run a, b;
	static const char want1[] = "\"from\":\"ALPHA\",\"to\":\"TESTWG\","
				    "\"text\":\"to everyone\",";
	static const char want2[] = "\"from\":\"ALPHA\",\"to\":\"TESTWG\","
				    "\"text\":\"to TESTWG by name\",";
	char out[4096];

	messenger_start(&a, &alpha, "dom-a", (const char *[]){
		"--json", "--count", "2", "--timeout", "10000", NULL });
	messenger_start(&b, &bravo, "dom-b", (const char *[]){
		"--json", "--count", "2", "--timeout", "10000", NULL });
	/* the daemon's workgroup, then the domain by name */
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"--domain", "to everyone", NULL }), 0);
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"--domain", "testwg", "to TESTWG by name", NULL }), 0);
	/* both hosts are in TESTWG, the sender's own messenger too */
	assert_int_equal(md_kid_wait(a.pid, 10000), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	for (int i = 0; i < 2; i++) {
		char *got = md_slurp(mem, i ? b.out : a.out);

		if (strstr(got, want1) == NULL || strstr(got, want2) == NULL)
			fail_msg("%s printed: %s", i ? "BRAVO" : "ALPHA", got);
	}
	/* another workgroup: sent, but nobody here is in it */
	messenger_start(&b, &bravo, "dom-b2", (const char *[]){
		"--count", "1", "--timeout", "1500", NULL });
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"--domain", "OTHERWG", "not for TESTWG", NULL }), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 3);
	talloc_free(mem);
}

/* An --exec hook that writes what it got into files under tmp. */
static void hook_write(char *script, size_t len)
{
	FILE *f;

	snprintf(script, len, "%s/hook.sh", tmp);
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n"
		   "printf '%%s' \"$MAILSLOT_TEXT\" > '%s/env.txt'\n"
		   "printf '%%s|%%s' \"$MAILSLOT_FROM\" \"$MAILSLOT_TO\" "
		   "> '%s/names.txt'\n"
		   "cat > '%s/stdin.txt'\n"
		   "printf '%%s' \"$1\" > '%s/arg.txt'\n", tmp, tmp, tmp, tmp);
	fclose(f);
	assert_int_equal(chmod(script, 0700), 0);
}

/* Shell syntax that creates tmp/pwnedN if anything ever runs it. */
static char *hook_text(TALLOC_CTX *mem)
{
	return talloc_asprintf(mem, "$(touch %s/pwned1); `touch %s/pwned2`; "
			       "\"quotes\" 'single' & | > %s/pwned3 ;x",
			       tmp, tmp, tmp);
}

/* The hook got text and "FROM|TO" intact, and nothing ran the text. */
static void hook_check(TALLOC_CTX *mem, const char *text, const char *names)
{
	assert_string_equal(md_slurp(mem, talloc_asprintf(mem, "%s/env.txt",
						       tmp)), text);
	assert_string_equal(md_slurp(mem, talloc_asprintf(mem, "%s/stdin.txt",
						       tmp)), text);
	assert_string_equal(md_slurp(mem, talloc_asprintf(mem, "%s/names.txt",
						       tmp)), names);
	for (int i = 1; i <= 3; i++) {
		char *p = talloc_asprintf(mem, "%s/pwned%d", tmp, i);

		if (access(p, F_OK) == 0)
			fail_msg("the text was run by a shell: %s exists", p);
	}
}

static void test_exec(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run b;
	char out[4096], script[320], *text = hook_text(mem);

	hook_write(script, sizeof(script));
	messenger_start(&b, &bravo, "exec-b", (const char *[]){
		"--count", "1", "--timeout", "10000", "--exec", script,
		"--count", NULL });
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"BRAVO", text, NULL }), 0);
	assert_int_equal(md_kid_wait(b.pid, 15000), 0);
	hook_check(mem, text, "ALPHA|BRAVO");
	/* words after --exec are the command's, not ours */
	assert_string_equal(md_slurp(mem, talloc_asprintf(mem, "%s/arg.txt",
						       tmp)), "--count");
	talloc_free(mem);
}

static void test_size_limit(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run b;
	/* 424 - "ALPHA" - "BRAVO" - 3 NULs */
	char *max = talloc_zero_size(mem, 412), *over = talloc_zero_size(mem,
									 413);
	char out[4096], *ja, *jb, *got;
	long long sent, received;

	memset(max, 'm', 411);
	memset(over, 'o', 412);
	ja = md_status(mem, &alpha);
	jb = md_status(mem, &bravo);
	assert_non_null(ja);
	assert_non_null(jb);
	sent = md_json(ja, NULL, "sent");
	received = md_json(jb, NULL, "received");
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"BRAVO", over, NULL }), 1);
	if (strstr(out, "too long: 412 text bytes, at most 411 fit "
			"(424-byte \\MAILSLOT\\MESSNGR limit") == NULL)
		fail_msg("netsend said: %s", out);
	/* nothing left ALPHA, nothing reached BRAVO */
	usleep(300000);
	assert_int_equal(md_json(md_status(mem, &alpha), NULL, "sent"), sent);
	assert_int_equal(md_json(md_status(mem, &bravo), NULL, "received"),
			 received);
	/* a line break counts as CR LF on the wire */
	max[409] = '\n';
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"BRAVO", max, NULL }), 1);
	max[409] = 'm';
	messenger_start(&b, &bravo, "max-b", (const char *[]){
		"--count", "1", "--timeout", "10000", NULL });
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"BRAVO", max, NULL }), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	got = md_slurp(mem, b.out);
	assert_non_null(strstr(got, talloc_asprintf(mem, "\n\n%s\n\n", max)));
	talloc_free(mem);
}

static void test_standalone(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run b;
	char out[4096], port[16], *got;

	snprintf(port, sizeof(port), "%u", bravo.dport);
	messenger_start(&b, &bravo, "sa-b", (const char *[]){
		"--json", "--count", "1", "--timeout", "10000", NULL });
	/* no daemon in this runtime dir: straight from our own socket */
	assert_int_equal(netsend(NULL, out, sizeof(out), (const char *[]){
		"--standalone", "--interface", "127.0.0.1/8", "--target",
		"127.0.0.2", "--port", port, "--from", "loner", "BRAVO",
		"no daemon here", NULL }), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	got = md_slurp(mem, b.out);
	if (strstr(got, "\"from\":\"LONER\",\"to\":\"BRAVO\",\"text\":"
		   "\"no daemon here\",") == NULL)
		fail_msg("BRAVO printed: %s", got);
	/* and without a daemon the normal form says so */
	assert_int_equal(netsend(NULL, out, sizeof(out), (const char *[]){
		"BRAVO", "x", NULL }), 1);
	assert_non_null(strstr(out, "ERROR_SERVICE_NOT_ACTIVE"));
	talloc_free(mem);
}

/*
 * mailslot messenger --standalone as CHARLIE<03> and CAROL<03> of TESTWG
 * on 127.0.0.3:port (NULL: sport), then more args.
 */
static void sa_start(struct messenger_run *r, const char *tag,
		     const char *port, const char *const *more)
{
	const char *argv[24] = { "--standalone", "--interface", "127.0.0.3/8",
				 "--port", port ? port : sport,
				 "--netbios-name", "charlie", "--name", "carol",
				 "--workgroup", "testwg" };
	size_t n = 11;

	for (size_t i = 0; more[i] != NULL && n < 20; i++)
		argv[n++] = more[i];
	argv[n] = NULL;
	messenger_start(r, NULL, tag, argv);
}

/* netsend --standalone from LONER on 127.0.0.1 to sport, then args. */
static int sa_netsend(char *out, size_t outlen, const char *const *args)
{
	const char *argv[24] = { "--standalone", "--interface", "127.0.0.1/8",
				 "--port", sport, "--from", "loner" };
	size_t n = 7;

	for (size_t i = 0; args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return netsend(NULL, out, outlen, argv);
}

/* One --json line: "time", then exactly these fields. */
static const char *json_line(const char *line, const char *from,
			     const char *to, const char *text)
{
	char want[512];
	const char *end = strchr(line, '\n');

	snprintf(want, sizeof(want), "\",\"from\":\"%s\",\"to\":\"%s\","
		 "\"text\":\"%s\",\"text_unterminated\":false,"
		 "\"trailing_bytes\":0}\n", from, to, text);
	/* {"time":"YYYY-MM-DD HH:MM:SS */
	if (end == NULL || strncmp(line, "{\"time\":\"", 9) != 0 ||
	    strlen(line) < 28 || line[13] != '-' || line[22] != ':' ||
	    strncmp(line + 28, want, strlen(want)) != 0)
		fail_msg("want from %s to %s \"%s\", got: %s", from, to, text,
			 line);
	return end + 1;
}

/*
 * No daemon: directed to our address, to a user by broadcast, to the
 * domain; nothing for a name or a domain that is not ours.
 */
static void test_standalone_receive(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run c;
	char out[4096], *got;
	const char *p;

	sa_start(&c, "sa-recv", NULL, (const char *[]){
		"--json", "--count", "3", "--timeout", "10000", NULL });
	got = md_slurp(mem, c.err);
	if (strstr(got, talloc_asprintf(mem, "mailslot messenger: listening "
					 "as CHARLIE<03> and CAROL<03>, domain "
					 "TESTWG<00> (standalone on "
					 "127.0.0.3:%s and 127.255.255.255:%s;"
					 " no name registered)\n", sport,
					 sport)) == NULL)
		fail_msg("CHARLIE said: %s", got);
	/* not ours: first, so they would be among the three if heard */
	assert_int_equal(sa_netsend(out, sizeof(out), (const char *[]){
		"--target", "127.0.0.3", "NOBODY", "not for charlie", NULL }),
			 0);
	assert_int_equal(sa_netsend(out, sizeof(out), (const char *[]){
		"--domain", "OTHERWG", "not for TESTWG", NULL }), 0);
	assert_int_equal(sa_netsend(out, sizeof(out), (const char *[]){
		"--target", "127.0.0.3", "charlie", "Hello CHARLIE", NULL }),
			 0);
	assert_int_equal(sa_netsend(out, sizeof(out), (const char *[]){
		"CAROL", "to carol, broadcast", NULL }), 0);
	assert_int_equal(sa_netsend(out, sizeof(out), (const char *[]){
		"--domain", "testwg", "to everyone", NULL }), 0);
	assert_int_equal(md_kid_wait(c.pid, 10000), 0);
	got = md_slurp(mem, c.out);
	p = json_line(got, "LONER", "CHARLIE", "Hello CHARLIE");
	p = json_line(p, "LONER", "CAROL", "to carol, broadcast");
	p = json_line(p, "LONER", "TESTWG", "to everyone");
	assert_string_equal(p, "");
	talloc_free(mem);
}

/* The popup form, a line break, an escape, and --exec, standalone. */
static void test_standalone_exec(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run c;
	char out[4096], script[320], *text = hook_text(mem), *got, *body;

	hook_write(script, sizeof(script));
	text = talloc_asprintf(mem, "%s\nline 2 \x1b[2J", text);
	sa_start(&c, "sa-exec", NULL, (const char *[]){
		"--count", "1", "--timeout", "10000", "--exec", script, NULL });
	assert_int_equal(sa_netsend(out, sizeof(out), (const char *[]){
		"--target", "127.0.0.3", "CHARLIE", text, NULL }), 0);
	assert_int_equal(md_kid_wait(c.pid, 15000), 0);
	got = md_slurp(mem, c.out);
	if (strncmp(got, "Message from LONER to CHARLIE on ", 33) != 0)
		fail_msg("CHARLIE printed: %s", got);
	body = strstr(got, "\n\n");
	assert_non_null(body);
	/* the terminal gets the escape shown, never sent raw */
	assert_string_equal(body, talloc_asprintf(mem, "\n\n%s\nline 2 "
						  "\\x1b[2J\n\n",
						  hook_text(mem)));
	/* the hook gets the text itself, as data */
	hook_check(mem, text, "LONER|CHARLIE");
	talloc_free(mem);
}

/*
 * On the port of a running mailslotd (both share it, SO_REUSEADDR): a
 * domain-wide message from ALPHA reaches CHARLIE and BRAVO alike.
 */
static void test_standalone_beside_daemon(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct messenger_run b, c;
	char out[4096], dport[16];

	snprintf(dport, sizeof(dport), "%u", alpha.dport);
	sa_start(&c, "sa-beside", dport, (const char *[]){
		"--json", "--count", "1", "--timeout", "10000", NULL });
	messenger_start(&b, &bravo, "beside-b", (const char *[]){
		"--json", "--count", "1", "--timeout", "10000", NULL });
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"--domain", "to TESTWG, daemon or not", NULL }), 0);
	assert_int_equal(md_kid_wait(c.pid, 10000), 0);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	json_line(md_slurp(mem, c.out), "ALPHA", "TESTWG",
		  "to TESTWG, daemon or not");
	json_line(md_slurp(mem, b.out), "ALPHA", "TESTWG",
		  "to TESTWG, daemon or not");
	talloc_free(mem);
}

/* A port held by someone who does not share it; no --interface; quiet. */
static void test_standalone_errors(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	char out[4096], busy[16], want[320];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(0x7f000003);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(busy, sizeof(busy), "%u", ntohs(a.sin_port));
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "messenger", "--standalone", "--interface",
		"127.0.0.3/8", "--port", busy, NULL }), 1);
	snprintf(want, sizeof(want), "mailslot messenger: cannot bind "
		 "127.0.0.3:%s: Address already in use (another program "
		 "holds it and does not share it); use --port N for a free "
		 "port, or run mailslotd and leave out --standalone\n", busy);
	assert_string_equal(out, want);
	close(fd);
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "messenger", "--standalone", "--port", sport, NULL }), 2);
	assert_non_null(strstr(out, "--standalone needs --interface"));
	/* --timeout: exit 3 when nothing comes */
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "messenger", "--standalone", "--interface",
		"127.0.0.3/8", "--port", sport, "--timeout", "300", NULL }),
			 3);
	assert_non_null(strstr(out, "ERROR_SEM_TIMEOUT"));
}

/* Lines in a file (0 if missing). */
static int line_count(const char *path)
{
	char *t = md_slurp(NULL, path);
	int n = 0;

	for (const char *c = t; *c; c++)
		n += *c == '\n';
	talloc_free(t);
	return n;
}

/*
 * mailslotd SIGKILLed and restarted under a running messenger: the
 * messenger's <03> name went with the daemon; it registers it again by
 * itself, and directed messages reach it again.
 */
static void test_daemon_restart(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct md_daemon charlie;
	struct messenger_run c;
	char out[4096];
	int64_t end;
	int tries = 0;

	if (md_start(&charlie, "127.0.0.3/8", "CHARLIE", "TESTWG",
		     alpha.dport, alpha.nport, NULL, NULL) != 0)
		fail_msg("mailslotd CHARLIE did not come up (log %s)",
			 charlie.log);
	messenger_start(&c, &charlie, "restart-c", (const char *[]){
		"--json", "--count", "2", "--timeout", "30000", NULL });
	assert_int_equal(netsend(&alpha, out, sizeof(out), (const char *[]){
		"charlie", "before the restart", NULL }), 0);
	for (end = md_now_ms() + 10000;
	     md_now_ms() < end && line_count(c.out) < 1;)
		usleep(20000);
	assert_int_equal(line_count(c.out), 1);

	assert_int_equal(md_kill9(&charlie), 0);
	assert_int_equal(md_restart(&charlie, "127.0.0.3/8", "CHARLIE",
				    "TESTWG", NULL, NULL), 0);
	/* until the messenger owns CHARLIE<03> again, ALPHA's datagrams are
	 * dropped (not_our_name) or its name query goes unanswered */
	for (end = md_now_ms() + 15000;
	     md_now_ms() < end && line_count(c.out) < 2; tries++) {
		netsend(&alpha, out, sizeof(out), (const char *[]){
			"charlie", "after the restart", NULL });
		for (int64_t t = md_now_ms() + 500;
		     md_now_ms() < t && line_count(c.out) < 2;)
			usleep(20000);
	}
	printf("# messenger after mailslotd SIGKILL + restart: reached after "
	       "%d netsend tries\n", tries);
	assert_int_equal(md_kid_wait(c.pid, 5000), 0);
	if (strstr(md_slurp(mem, c.out), "\"text\":\"after the restart\"") ==
	    NULL)
		fail_msg("CHARLIE printed: %s", md_slurp(mem, c.out));
	assert_int_equal(md_stop(&charlie, 5000), 0);
	talloc_free(mem);
}

static int group_setup(void **state)
{
	uint16_t dport, nport;

	md_build_path(tool, sizeof(tool), "tools/mailslot");
	if (access(tool, X_OK) != 0) {
		printf("%s missing: build first\n", tool);
		return -1;
	}
	tmp_ctx = talloc_new(NULL);
	tmp = torture_tmpdir(tmp_ctx);
	md_pick_ports(&dport, &nport);
	/* the standalone messenger's: another pair, not the daemons' */
	for (uint16_t sp = dport, np; sp == dport;) {
		md_pick_ports(&sp, &np);
		snprintf(sport, sizeof(sport), "%u", sp);
	}
	if (md_start(&alpha, "127.0.0.1/8", "ALPHA", "TESTWG", dport, nport,
		     NULL, NULL) != 0 ||
	    md_start(&bravo, "127.0.0.2/8", "BRAVO", "TESTWG", dport, nport,
		     NULL, NULL) != 0) {
		printf("mailslotd did not come up (logs %s, %s)\n", alpha.log,
		       bravo.log);
		md_kill_all();
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	kill_kids(state);
	md_kill_all();
	TALLOC_FREE(tmp_ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_directed, kill_kids),
		cmocka_unit_test_teardown(test_popup_text, kill_kids),
		cmocka_unit_test_teardown(test_domain, kill_kids),
		cmocka_unit_test_teardown(test_exec, kill_kids),
		cmocka_unit_test_teardown(test_size_limit, kill_kids),
		cmocka_unit_test_teardown(test_standalone, kill_kids),
		cmocka_unit_test_teardown(test_standalone_receive, kill_kids),
		cmocka_unit_test_teardown(test_standalone_exec, kill_kids),
		cmocka_unit_test_teardown(test_standalone_beside_daemon,
					  kill_kids),
		cmocka_unit_test_teardown(test_standalone_errors, kill_kids),
		cmocka_unit_test_teardown(test_daemon_restart, kill_kids),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
