/*
 * Security boundaries (issue 7): mailslotd drops root for good; local
 * mailslots are owner-only and one uid cannot read or create in another's
 * runtime directory; hostile names never leave the runtime directory;
 * the source allow-list holds on 137 and 138; nothing answers what it
 * should not; control characters from the network never reach output
 * unescaped.  Tests that need root say SKIPPED without it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "nbt/nbt_dgram.h"
#include "nbt/nbt_ns.h"
#include "smb/smb_mailslot.h"
#include "test_mailslotd_util.h"

#define UID_A 65534	/* nobody */
#define UID_B 65533	/* a second unprivileged uid, no passwd entry */
#define LO 0x7f000001u

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	print_message("SKIPPED: needs root (setresuid to two uids, "
		      "mailslotd binding as root)\n");
	return false;
}

static void be_uid(uid_t uid)
{
	if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		_exit(90);
}

/* Exit status of a child, bounded in time. */
static int wait_child(pid_t pid, int timeout_ms)
{
	int64_t end = md_now_ms() + timeout_ms;
	int st;

	while (md_now_ms() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* "Key:\t..." of /proc/PID/status into buf. */
static bool proc_status(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(buf, len, "%s", line + klen + 1);
			buf[strcspn(buf, "\n")] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}

static int rm_cb(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* ---- mailslotd drops root ---------------------------------------- */

static void test_drop_root(void **state)
{
	char base[] = "/tmp/msl-bnd.XXXXXX", rt[64], conf[64], text[512];
	char bin[1024], v[128], dp[8], np[8];
	struct md_daemon d = { 0 };
	uint16_t dport, nport;
	pid_t pid;
	char *j = NULL;

	if (!need_root())
		return;
	assert_non_null(mkdtemp(base));
	assert_int_equal(chmod(base, 0755), 0);
	snprintf(rt, sizeof(rt), "%s/rt", base);
	assert_int_equal(mkdir(rt, 0700), 0);
	assert_int_equal(chown(rt, UID_A, UID_A), 0);
	snprintf(conf, sizeof(conf), "%s/mailslotd.conf", base);
	snprintf(text, sizeof(text), "[global]\n\tmailslot user = nobody\n"
		 "\tmailslot runtime dir = %s\n", rt);
	write_file(conf, text);
	md_pick_ports(&dport, &nport);
	snprintf(dp, sizeof(dp), "%u", dport);
	snprintf(np, sizeof(np), "%u", nport);
	md_build_path(bin, sizeof(bin), "tools/mailslotd/mailslotd");

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(bin, bin, "-F", "-d", "1", "-s", conf, "--interfaces",
		      "127.0.0.1/8", "--dgram-port", dp, "--name-port", np,
		      "--netbios-name", "BNDROOT", (char *)NULL);
		_exit(127);
	}
	snprintf(d.rt, sizeof(d.rt), "%s", rt);
	for (int i = 0; i < 300 && j == NULL; i++) {
		usleep(20000);
		j = md_status(NULL, &d);
	}
	if (j == NULL) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("mailslotd as root with 'mailslot user = nobody' "
			 "never answered");
	}
	talloc_free(j);
	/* every uid and gid is nobody's, and no capability is left */
	assert_true(proc_status(pid, "Uid", v, sizeof(v)));
	assert_string_equal(v, "\t65534\t65534\t65534\t65534");
	assert_true(proc_status(pid, "Gid", v, sizeof(v)));
	assert_string_equal(v, "\t65534\t65534\t65534\t65534");
	assert_true(proc_status(pid, "Groups", v, sizeof(v)));
	assert_true(strspn(v, "\t ") == strlen(v));
	assert_true(proc_status(pid, "CapEff", v, sizeof(v)));
	assert_string_equal(v, "\t0000000000000000");
	assert_true(proc_status(pid, "CapPrm", v, sizeof(v)));
	assert_string_equal(v, "\t0000000000000000");
	/* root is never needed again: a reload and a clean exit work */
	kill(pid, SIGHUP);
	usleep(200000);
	j = md_status(NULL, &d);
	assert_non_null(j);
	talloc_free(j);
	kill(pid, SIGTERM);
	assert_int_equal(wait_child(pid, 10000), 0);
	rm_tree(base);
}

/* ---- two uids, one runtime directory ------------------------------ */

/* Every path under dir (bounded) into out, one per line. */
static void tree(const char *dir, char *out, size_t len)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "find '%s' | sort | head -200", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	pclose(p);
}

static int owner_child(const char *rt, int go_fd, int ready_fd)
{
	struct mailslot *s;
	char c;

	be_uid(UID_A);
	setenv("MAILSLOT_RUNTIME_DIR", rt, 1);
	if (mailslot_server_create(NULL, "\\\\.\\mailslot\\secret", 0, 0,
				   &s) != MAILSLOT_OK)
		return 1;
	if (write(ready_fd, "r", 1) != 1)
		return 2;
	/* hold the mailslot until the other uid has tried everything */
	if (read(go_fd, &c, 1) != 1)
		return 3;
	return 0;
}

/* As UID_B: every way in must fail.  Bit per way that worked. */
static int intruder_child(const char *rt)
{
	char path[512], buf[64];
	struct mailslot *s = NULL;
	struct mailslot_entry *e = NULL;
	size_t count = 0;
	int fails = 0;
	DIR *dir;

	be_uid(UID_B);
	setenv("MAILSLOT_RUNTIME_DIR", rt, 1);
	dir = opendir(rt);
	if (dir != NULL) {
		fails |= 1; /* could list the runtime directory */
		closedir(dir);
	}
	if (mailslot_server_create(NULL, "\\\\.\\mailslot\\secret", 0, 0,
				   &s) == MAILSLOT_OK)
		fails |= 2;
	if (mailslot_server_create(NULL, "\\\\.\\mailslot\\mine", 0, 0,
				   &s) == MAILSLOT_OK)
		fails |= 4; /* created in another user's directory */
	if (mailslot_client_open(NULL, "\\\\.\\mailslot\\secret", &s) ==
	    MAILSLOT_OK)
		fails |= 8; /* opened an owner-only mailslot to write */
	if (mailslot_list(NULL, &e, &count) == MAILSLOT_OK) {
		for (size_t i = 0; i < count; i++)
			if (e[i].state_visible)
				fails |= 16;
	}
	snprintf(path, sizeof(path), "%s/x", rt);
	if (mkdir(path, 0700) == 0 || open(path, O_CREAT | O_WRONLY, 0600)
	    >= 0)
		fails |= 32;
	/* the entry's files, by any name we can guess */
	for (const char *const *f = (const char *const[]){ "secret",
			"secret/hdr", "secret/ring", "secret/data", NULL };
	     *f != NULL; f++) {
		int fd;
		snprintf(path, sizeof(path), "%s/%s", rt, *f);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
			fails |= 64;
		if (fd >= 0)
			close(fd);
	}
	return fails;
}

static void check_modes(const char *path, const struct stat *st)
{
	if (st->st_uid != UID_A)
		fail_msg("%s owned by %u, not the creator", path,
			 (unsigned)st->st_uid);
	/* the runtime directory may be searched (0711), never listed */
	if (S_ISDIR(st->st_mode) && (st->st_mode & 0066) != 0)
		fail_msg("%s is mode %o", path, st->st_mode & 0777);
	if (!S_ISDIR(st->st_mode) && (st->st_mode & 0077) != 0)
		fail_msg("%s is mode %o", path, st->st_mode & 0777);
}

static int modes_cb(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	if (ftw->level > 0 && S_ISDIR(st->st_mode) &&
	    (st->st_mode & 0077) != 0)
		fail_msg("entry %s is mode %o", path, st->st_mode & 0777);
	check_modes(path, st);
	return 0;
}

static void test_two_uids(void **state)
{
	char base[] = "/tmp/msl-uid.XXXXXX", rt[64];
	int go[2], ready[2], rc;
	pid_t owner, intruder;
	char c;

	if (!need_root())
		return;
	assert_non_null(mkdtemp(base));
	/* A's own directory, as /run/user/UID is; A makes rt in it */
	assert_int_equal(chmod(base, 0755), 0);
	assert_int_equal(chown(base, UID_A, UID_A), 0);
	snprintf(rt, sizeof(rt), "%s/rt", base);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	owner = fork();
	assert_true(owner >= 0);
	if (owner == 0)
		_exit(owner_child(rt, go[0], ready[1]));
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		kill(owner, SIGKILL);
		fail_msg("the owner could not create its mailslot (exit %d)",
			 wait_child(owner, 2000));
	}
	/* created by the library with its defaults: owner-only */
	assert_int_equal(nftw(rt, modes_cb, 16, FTW_PHYS), 0);
	intruder = fork();
	assert_true(intruder >= 0);
	if (intruder == 0)
		_exit(intruder_child(rt));
	rc = wait_child(intruder, 10000);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(wait_child(owner, 5000), 0);
	if (rc != 0)
		fail_msg("uid %d got into uid %d's mailslots: bits %#x "
			 "(1 list, 2 take, 4 create, 8 write, 16 state, "
			 "32 create file, 64 read)", UID_B, UID_A, rc);
	rm_tree(base);
}

/* ---- hostile names stay inside the runtime directory ---------------- */

static const char *const hostile[] = {
	"..\\..\\escaped", "..\\escaped", "a/../../escaped", "/escaped",
	"..", ".", "a\\..\\..\\escaped", "%2e%2e\\escaped",
	"\xff\xfe\\escaped", "\xc0\xaf\xc0\xae\\escaped", "e\x1b[31mscaped",
	NULL
};

/* Only base/rt (and what is below it) exists under base. */
static void only_rt(const char *base)
{
	char out[16384], expect[256];
	DIR *dir = opendir(base);
	struct dirent *e;

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "rt") == 0)
			continue;
		tree(base, out, sizeof(out));
		fail_msg("'%s' appeared beside the runtime directory:\n%s",
			 e->d_name, out);
	}
	closedir(dir);
	snprintf(expect, sizeof(expect), "%s/escaped", base);
	assert_int_equal(access(expect, F_OK), -1);
}

static void test_hostile_local_names(void **state)
{
	char base[] = "/tmp/msl-names.XXXXXX", rt[64], name[4200];
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslot *s;
	size_t made = 0;

	assert_non_null(mkdtemp(base));
	snprintf(rt, sizeof(rt), "%s/rt", base);
	setenv("MAILSLOT_RUNTIME_DIR", rt, 1);
	for (size_t i = 0; hostile[i] != NULL; i++) {
		snprintf(name, sizeof(name), "\\\\.\\mailslot\\%s", hostile[i]);
		if (mailslot_server_create(mem, name, 0, 0, &s) == MAILSLOT_OK)
			made++;
		(void)mailslot_client_open(mem, name, &s);
		snprintf(name, sizeof(name), "\\\\%s\\mailslot\\x", hostile[i]);
		(void)mailslot_client_open(mem, name, &s);
	}
	/* very long: one component and many */
	snprintf(name, sizeof(name), "\\\\.\\mailslot\\");
	memset(name + strlen(name), 'a', 4100 - strlen(name));
	name[4100] = '\0';
	(void)mailslot_server_create(mem, name, 0, 0, &s);
	for (size_t i = 13; i + 3 < 4100; i += 3)
		memcpy(name + i, "..\\", 3);
	(void)mailslot_server_create(mem, name, 0, 0, &s);
	only_rt(base);
	print_message("%zu of the hostile names made a mailslot, every one "
		      "inside %s\n", made, rt);
	talloc_free(mem);
	unsetenv("MAILSLOT_RUNTIME_DIR");
	rm_tree(base);
}

/* A datagram from src<00> to dest<00> for slot; nbt names taken raw. */
static uint8_t *raw_write(TALLOC_CTX *mem, const uint8_t src_raw[16],
			  const char *dest, const char *slot, size_t slot_len,
			  const char *data, size_t *len)
{
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	uint8_t smb[1024], *out;
	size_t smb_len;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = slot;
	w.name_len = slot_len;
	w.data = (const uint8_t *)data;
	w.data_len = strlen(data);
	assert_int_equal(smb_mailslot_encode(&w, smb, sizeof(smb), &smb_len),
			 CODEC_OK);
	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, 77, LO, 138);
	memcpy(d.source.raw, src_raw, 16);
	assert_int_equal(nbt_name_make(&d.dest, dest, 0, NULL), CODEC_OK);
	d.user_data = smb;
	d.user_data_len = smb_len;
	*len = nbt_dgram_encoded_len(&d);
	out = talloc_size(mem, *len);
	assert_non_null(out);
	assert_int_equal(nbt_dgram_encode(&d, out, *len, len), CODEC_OK);
	return out;
}

static const uint8_t esc_source[16] = "EVIL\x1b[31m\x1b]0;x\x07 ";

static void start_in(struct md_daemon *d, const char *tmpdir,
		     const char *config, const char *const *extra)
{
	uint16_t dp, np;

	if (tmpdir != NULL)
		setenv("TMPDIR", tmpdir, 1);
	md_pick_ports(&dp, &np);
	if (md_start(d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np, config,
		     extra) != 0)
		fail_msg("mailslotd did not come up (log %s)", d->log);
	unsetenv("TMPDIR");
}

/* No byte of the file is ESC or BEL (escape sequences need ESC). */
static void no_escape_bytes(const char *what, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\x1b' || text[i] == '\x07' || text[i] == '\x9b')
			fail_msg("%s carries a raw control byte at %zu: %.*s",
				 what, i, (int)len, text);
}

/* ... and, so that it proves something, it holds want (escaped). */
static void file_no_escapes(const char *what, const char *path,
			    const char *want)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	no_escape_bytes(what, buf, n);
	if (want != NULL && strstr(buf, want) == NULL)
		fail_msg("%s lacks '%s': %s", what, want, buf);
}

/* A ".." component anywhere in path. */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; *p != '\0'; p++) {
		if ((p == path || p[-1] == '/') && p[0] == '.' &&
		    p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return true;
	}
	return false;
}

/*
 * Every path the daemon's file calls named (strace -f, traced from its
 * start): absolute ones inside rt or the system's, relative ones (to the
 * runtime dir's fd) without a ".." component.  How many it checked.
 */
static size_t check_trace(const char *trace, const char *rt,
			  size_t *hostile_seen)
{
	static const char *const system[] = { "/etc/", "/lib", "/usr/",
		"/proc/", "/dev/", "/sys/", NULL };
	const char *bld = getenv("MAILSLOT_BUILD_DIR");
	char line[4096];
	size_t checked = 0;
	FILE *f = fopen(trace, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *q = strchr(line, '"'), *end;
		bool ok = false;

		if (q == NULL || strstr(line, "execve(") != NULL)
			continue;
		end = strchr(q + 1, '"');
		if (end == NULL)
			continue;
		*end = '\0';
		q++;
		checked++;
		*hostile_seen += strstr(q, "escaped") != NULL;
		if (q[0] == '/') {
			ok = strncmp(q, rt, strlen(rt)) == 0 && !has_dotdot(q);
			for (size_t i = 0; !ok && system[i] != NULL; i++)
				ok = strncmp(q, system[i],
					     strlen(system[i])) == 0;
			/* the loader looking for libraries (rpath) */
			ok = ok || ((strstr(q, ".so") != NULL ||
				     (bld != NULL &&
				      strncmp(q, bld, strlen(bld)) == 0)) &&
				    strstr(q, "escaped") == NULL);
		} else {
			ok = !has_dotdot(q);
		}
		if (!ok)
			fail_msg("mailslotd touched '%s' (runtime dir %s)", q,
				 rt);
	}
	fclose(f);
	return checked;
}

/* SIGTERM to the daemon under strace; strace exits with its status. */
static void stop_traced(struct md_daemon *d)
{
	char path[64];
	int child = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)d->pid,
		 (int)d->pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &child), 1);
	fclose(f);
	assert_int_equal(kill(child, SIGTERM), 0);
	for (int i = 0; i < 1000 && md_alive(d); i++)
		usleep(10000);
	assert_false(md_alive(d));
	assert_true(WIFEXITED(d->exit_status));
	assert_int_equal(WEXITSTATUS(d->exit_status), 0);
}

static void test_hostile_network_names(void **state)
{
	char base[] = "/tmp/msl-net.XXXXXX", slot[1100];
	char tdir[] = "/tmp/msl-trace.XXXXXX", trace[600];
	TALLOC_CTX *mem = talloc_new(NULL);
	struct md_daemon d;
	uint8_t *pkt;
	size_t len, sent = 0;
	const char *asan_options = getenv("ASAN_OPTIONS");
	char *asan_saved = NULL;
	bool traced = getenv("MAILSLOT_TEST_WRAPPER") == NULL &&
		      access("/usr/bin/strace", X_OK) == 0;
	int fd;

	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(tdir));
	snprintf(trace, sizeof(trace), "strace -f -qq -o %s/trace "
		 "-e trace=%%file", tdir);
	if (traced) {
		setenv("MAILSLOT_TEST_WRAPPER", trace, 1);
		/* LeakSanitizer cannot run under ptrace and would fail the
		 * exit; the daemon's leaks are checked untraced elsewhere */
		if (asan_options != NULL)
			asan_saved = talloc_strdup(mem, asan_options);
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
	}
	start_in(&d, base, NULL, NULL);
	unsetenv("MAILSLOT_TEST_WRAPPER");
	if (asan_saved != NULL)
		setenv("ASAN_OPTIONS", asan_saved, 1);
	else if (traced)
		unsetenv("ASAN_OPTIONS");
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	for (size_t i = 0; hostile[i] != NULL; i++) {
		snprintf(slot, sizeof(slot), "\\MAILSLOT\\%s", hostile[i]);
		pkt = raw_write(mem, esc_source, "TESTA", slot, strlen(slot),
				"x", &len);
		assert_int_equal(md_sendto(fd, LO, d.dport, pkt, len), 0);
		sent++;
	}
	/* a NUL inside the name: on the wire the name ends there and
	 * the rest reads as data */
	pkt = raw_write(mem, esc_source, "TESTA", "\\MAILSLOT\\a", 11,
			"../../escaped", &len);
	assert_int_equal(md_sendto(fd, LO, d.dport, pkt, len), 0);
	sent++;
	/* as long as a datagram allows */
	snprintf(slot, sizeof(slot), "\\MAILSLOT\\");
	memset(slot + 10, 'x', 389);
	for (size_t i = 10; i + 3 < 400; i += 3)
		memcpy(slot + i, "..\\", 3);
	slot[399] = '\0';
	pkt = raw_write(mem, esc_source, "TESTA", slot, strlen(slot), "x",
			&len);
	assert_int_equal(md_sendto(fd, LO, d.dport, pkt, len), 0);
	sent++;
	assert_true(md_wait_counter(&d, NULL, "received", (long long)sent,
				    5000) >= (long long)sent);
	close(fd);
	if (traced)
		stop_traced(&d);
	else
		assert_int_equal(md_stop(&d, 10000), 0);
	/* mkdtemp put the daemon's runtime dir (and log) under base */
	{
		DIR *dir = opendir(base);
		struct dirent *e;
		assert_non_null(dir);
		while ((e = readdir(dir)) != NULL) {
			char out[16384];
			if (e->d_name[0] == '.' ||
			    strncmp(e->d_name, "mslD.", 5) == 0)
				continue;
			tree(base, out, sizeof(out));
			fail_msg("'%s' appeared outside the runtime "
				 "directory:\n%s", e->d_name, out);
		}
		closedir(dir);
	}
	file_no_escapes("mailslotd's log", d.log, NULL);
	if (traced) {
		snprintf(trace, sizeof(trace), "%s/trace", tdir);
		size_t seen = 0, n = check_trace(trace, d.rt, &seen);
		print_message("strace: %zu paths mailslotd named (%zu from "
			      "the hostile names), all inside %s or the "
			      "system's\n", n, seen, d.rt);
	} else {
		print_message("no strace (or under a wrapper): checked the "
			      "file system only\n");
	}
	md_kill_all();
	talloc_free(mem);
	rm_tree(base);
	rm_tree(tdir);
}

/* ---- the allow-list on 137 and 138 ---------------------------------- */

static bool ns_query(int fd, const struct md_daemon *d, uint32_t dst,
		     const char *name, uint16_t id, size_t *req_len,
		     size_t *ans_len, int timeout_ms)
{
	struct nbt_ns_packet q, a;
	struct nbt_name n;
	uint8_t buf[1500];
	size_t len;
	ssize_t r;
	int64_t end = md_now_ms() + timeout_ms;

	assert_int_equal(nbt_name_make(&n, name, 0, NULL), CODEC_OK);
	nbt_ns_build_query(&q, id, &n, dst != d->ip_h);
	assert_int_equal(nbt_ns_encode(&q, buf, sizeof(buf), &len), CODEC_OK);
	if (req_len != NULL)
		*req_len = len;
	assert_int_equal(md_sendto(fd, dst, d->nport, buf, len), 0);
	while (md_now_ms() < end) {
		r = md_recv(fd, buf, sizeof(buf), (int)(end - md_now_ms()),
			    NULL);
		if (r < 0)
			return false;
		if (nbt_ns_decode(buf, (size_t)r, &a) == CODEC_OK &&
		    a.response && a.id == id) {
			if (ans_len != NULL)
				*ans_len = (size_t)r;
			return true;
		}
	}
	return false;
}

static void test_allow_list(void **state)
{
	char base[] = "/tmp/msl-allow.XXXXXX", conf[64], *j;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct md_daemon d;
	struct mailslot *s;
	uint8_t *pkt, buf[64];
	size_t len, n = 0;
	int ok_fd, bad_fd;
	long long before;

	assert_non_null(mkdtemp(base));
	snprintf(conf, sizeof(conf), "%s/allow.conf", base);
	write_file(conf, "[global]\n\tmailslot allow = 127.0.0.1/32\n");
	start_in(&d, NULL, conf, NULL);
	setenv("MAILSLOT_RUNTIME_DIR", d.rt, 1);
	assert_int_equal(mailslot_server_create(mem, "\\\\.\\mailslot\\allow",
						0, 3000, &s), MAILSLOT_OK);
	ok_fd = md_udp_socket("127.0.0.1");
	bad_fd = md_udp_socket("127.0.0.2");
	assert_true(ok_fd >= 0 && bad_fd >= 0);

	/* 138: from 127.0.0.2 dropped and counted, from 127.0.0.1 kept */
	pkt = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 1, "TESTA", 0,
			     "\\MAILSLOT\\allow", "no", 2, &len);
	j = md_status(mem, &d);
	before = md_json(j, "dropped", "source_not_allowed");
	assert_int_equal(md_sendto(bad_fd, d.ip_h, d.dport, pkt, len), 0);
	assert_true(md_wait_counter(&d, "dropped", "source_not_allowed",
				    before + 1, 3000) == before + 1);
	pkt = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 2, "TESTA", 0,
			     "\\MAILSLOT\\allow", "yes", 3, &len);
	assert_int_equal(md_sendto(ok_fd, d.ip_h, d.dport, pkt, len), 0);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "yes", 3);

	/* 137: 127.0.0.2 gets no answer for our own name, 127.0.0.1 does */
	assert_false(ns_query(bad_fd, &d, d.ip_h, "TESTA", 0x2001, NULL, NULL,
			      700));
	assert_true(ns_query(ok_fd, &d, d.ip_h, "TESTA", 0x2002, NULL, NULL,
			     1500));
	assert_false(ns_query(bad_fd, &d, d.ip_h, "TESTA", 0x2003, NULL, NULL,
			      700));
	close(ok_fd);
	close(bad_fd);
	assert_int_equal(md_stop(&d, 10000), 0);
	unsetenv("MAILSLOT_RUNTIME_DIR");
	talloc_free(mem);
	rm_tree(base);
}

/* ---- no amplification ----------------------------------------------- */

static void test_no_amplification(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct md_daemon d;
	uint8_t *pkt, buf[1500];
	size_t len, req = 0, ans = 0;
	unsigned answered = 0;
	int fd;

	start_in(&d, NULL, NULL, NULL);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	/* a datagram (unicast and broadcast) to a name nobody here has:
	 * no DATAGRAM ERROR, nothing at all */
	pkt = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 3, "NOBODYHERE", 0,
			     "\\MAILSLOT\\x", "x", 1, &len);
	assert_int_equal(md_sendto(fd, d.ip_h, d.dport, pkt, len), 0);
	pkt = md_build_write(mem, NBT_DGRAM_BROADCAST, 4, "NOBODYHERE", 0,
			     "\\MAILSLOT\\x", "x", 1, &len);
	assert_int_equal(md_sendto(fd, 0x7fffffff, d.dport, pkt, len), 0);
	assert_true(md_recv(fd, buf, sizeof(buf), 700, NULL) < 0);
	/* a broadcast query for a name nobody here has: silence */
	assert_false(ns_query(fd, &d, 0x7fffffff, "NOBODYHERE", 0x3001, NULL,
			      NULL, 700));
	/* a query answer: the RFC 1002 form, 12 bytes over the question */
	assert_true(ns_query(fd, &d, d.ip_h, "TESTA", 0x3002, &req, &ans,
			     1500));
	print_message("name query %zu bytes, answer %zu bytes\n", req, ans);
	assert_true(ans <= req + 12);
	/* a unicast node status request: its answer would be several
	 * times its size, so by default nothing (mailslot node status) */
	{
		struct nbt_ns_packet q;
		struct nbt_name n;
		nbt_name_make(&n, "*", 0, NULL);
		nbt_ns_build_status_request(&q, 0x3003, &n);
		assert_int_equal(nbt_ns_encode(&q, buf, sizeof(buf), &len),
				 CODEC_OK);
		assert_int_equal(md_sendto(fd, d.ip_h, d.nport, buf, len), 0);
		assert_true(md_recv(fd, buf, sizeof(buf), 700, NULL) < 0);
	}
	/* the per-source rate limit (20 answers a second, see
	 * docs/mailslotd.md): 60 queries at once get at most two
	 * seconds' worth */
	for (uint16_t i = 0; i < 60; i++) {
		struct nbt_ns_packet q;
		struct nbt_name n;
		nbt_name_make(&n, "TESTA", 0, NULL);
		nbt_ns_build_query(&q, (uint16_t)(0x4000 + i), &n, false);
		assert_int_equal(nbt_ns_encode(&q, buf, sizeof(buf), &len),
				 CODEC_OK);
		assert_int_equal(md_sendto(fd, d.ip_h, d.nport, buf, len), 0);
	}
	while (md_recv(fd, buf, sizeof(buf), 500, NULL) >= 0 && answered < 100)
		answered++;
	print_message("60 queries at once: %u answers\n", answered);
	assert_true(answered >= 1 && answered <= 40);
	close(fd);
	assert_int_equal(md_stop(&d, 10000), 0);
	talloc_free(mem);
}

/* ---- control characters in every output ----------------------------- */

static void test_escapes(void **state)
{
	char base[] = "/tmp/msl-esc.XXXXXX", out[16384], path[64], tool[1024];
	static const char evil[] = "\x1b[31mred\x1b]0;title\x07\x9b" "2J";
	TALLOC_CTX *mem = talloc_new(NULL);
	struct md_daemon d;
	struct mailslot *probe;
	uint8_t *pkt;
	size_t len;
	int fd;

	assert_non_null(mkdtemp(base));
	start_in(&d, NULL, NULL, NULL);
	md_build_path(tool, sizeof(tool), "tools/mailslot");
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	setenv("MAILSLOT_RUNTIME_DIR", d.rt, 1);
	for (int json = 0; json < 2; json++) {
		pid_t pid;
		int i;

		snprintf(path, sizeof(path), "%s/read%d", base, json);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int o = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			dup2(o, 1);
			dup2(o, 2);
			execl(tool, tool, "read", "\\\\.\\mailslot\\esc",
			      "--count", "1", "--timeout", "5000",
			      json ? "--json" : NULL, (char *)NULL);
			_exit(127);
		}
		for (i = 0; i < 200; i++) {
			if (mailslot_client_open(mem, "\\\\.\\mailslot\\esc",
						 &probe) == MAILSLOT_OK)
				break;
			usleep(20000);
		}
		if (i == 200) {
			wait_child(pid, 1000);
			fail_msg("mailslot read never made its mailslot");
		}
		pkt = raw_write(mem, esc_source, "TESTA", "\\MAILSLOT\\esc",
				13, evil, &len);
		assert_int_equal(md_sendto(fd, LO, d.dport, pkt, len), 0);
		assert_int_equal(wait_child(pid, 10000), 0);
		file_no_escapes(json ? "mailslot read --json"
				     : "mailslot read", path,
				json ? "\"length\":21" : "1b5b33316d");
	}
	/* a datagram whose mailslot name carries them, too */
	pkt = raw_write(mem, esc_source, "TESTA", "\\MAILSLOT\\\x1b[2Jx",
			strlen("\\MAILSLOT\\\x1b[2Jx"), evil, &len);
	assert_int_equal(md_sendto(fd, LO, d.dport, pkt, len), 0);
	usleep(300000);
	assert_true(md_run(d.rt, out, sizeof(out), 5000, (const char *[]){
			tool, "status", NULL }) == 0);
	no_escape_bytes("mailslot status", out, strlen(out));
	assert_true(md_run(d.rt, out, sizeof(out), 5000, (const char *[]){
			tool, "list", NULL }) == 0);
	no_escape_bytes("mailslot list", out, strlen(out));
	close(fd);
	assert_int_equal(md_stop(&d, 10000), 0);
	file_no_escapes("mailslotd's log (-d 3)", d.log, "EVIL<1b>[31m");
	unsetenv("MAILSLOT_RUNTIME_DIR");
	talloc_free(mem);
	rm_tree(base);
}

static int teardown(void **state)
{
	md_kill_all();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_drop_root, teardown),
		cmocka_unit_test_teardown(test_two_uids, teardown),
		cmocka_unit_test_teardown(test_hostile_local_names, teardown),
		cmocka_unit_test_teardown(test_hostile_network_names,
					  teardown),
		cmocka_unit_test_teardown(test_allow_list, teardown),
		cmocka_unit_test_teardown(test_no_amplification, teardown),
		cmocka_unit_test_teardown(test_escapes, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
