/* Helpers for the mailslotd tests and benchmark; see the header. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libmailslot/mailslot_ctl.h"
#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot_dgram.h"
#include "test_mailslotd_util.h"

#define MD_MAX_DAEMONS 16

/* Copies, not pointers: a test's md_daemon lives on its stack. */
static struct {
	bool used;
	pid_t pid;
	char rt[256];
} started[MD_MAX_DAEMONS];

int64_t md_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *md_build_path(char *buf, size_t len, const char *rel)
{
	const char *b = getenv("MAILSLOT_BUILD_DIR");

	snprintf(buf, len, "%s/%s", b && *b ? b : ".", rel);
	return buf;
}

static bool port_free(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

void md_pick_ports(uint16_t *dport, uint16_t *nport)
{
	static unsigned seed;

	if (seed == 0)
		seed = (unsigned)getpid() ^ (unsigned)md_now_ms();
	for (int i = 0; i < 1000; i++) {
		uint16_t p = (uint16_t)(20000 + (rand_r(&seed) % 20000) * 2);
		if (port_free(p) && port_free((uint16_t)(p + 1))) {
			*dport = p;
			*nport = (uint16_t)(p + 1);
			return;
		}
	}
	*dport = 45138;
	*nport = 45139;
}

static void reap(struct md_daemon *d, int timeout_ms)
{
	int64_t end = md_now_ms() + timeout_ms;
	int st;

	while (d->pid > 0) {
		pid_t r = waitpid(d->pid, &st, WNOHANG);
		if (r == d->pid) {
			d->exit_status = st;
			d->pid = 0;
			return;
		}
		if (r < 0) {
			d->pid = 0;
			return;
		}
		if (md_now_ms() >= end)
			return;
		usleep(5000);
	}
}

bool md_alive(struct md_daemon *d)
{
	reap(d, 0);
	return d->pid > 0;
}

int md_stop(struct md_daemon *d, int timeout_ms)
{
	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	reap(d, timeout_ms);
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		reap(d, 5000);
		return -1;
	}
	return WIFEXITED(d->exit_status) ? WEXITSTATUS(d->exit_status) : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	remove(path);
	return 0;
}

void md_kill_all(void)
{
	for (size_t i = 0; i < MD_MAX_DAEMONS; i++) {
		int st;
		if (!started[i].used)
			continue;
		/* only a child of ours that has not been reaped yet */
		if (started[i].pid > 0 &&
		    waitpid(started[i].pid, &st, WNOHANG) == 0) {
			struct md_daemon d = { .pid = started[i].pid };
			kill(d.pid, SIGKILL);
			reap(&d, 5000);
		}
		if (getenv("MAILSLOT_TEST_KEEP") == NULL)
			nftw(started[i].rt, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		started[i].used = false;
	}
}

/*
 * execv(bin, argv), behind $MAILSLOT_TEST_WRAPPER when set (`./waf test
 * --valgrind` puts valgrind there, so the daemon and tools are checked
 * too).  Returns only if the exec failed.
 */
static void md_exec_wrapped(const char *bin, const char *const *argv)
{
	const char *wrapper = getenv("MAILSLOT_TEST_WRAPPER");
	char *words, *save = NULL;
	const char *all[80];
	size_t n = 0;

	if (wrapper == NULL || wrapper[0] == '\0') {
		execv(bin, (char *const *)argv);
		return;
	}
	words = strdup(wrapper);
	if (words == NULL)
		return;
	for (char *w = strtok_r(words, " ", &save); w != NULL && n < 40;
	     w = strtok_r(NULL, " ", &save))
		all[n++] = w;
	all[n++] = bin;
	for (size_t i = 1; argv[i] != NULL && n < 79; i++)
		all[n++] = argv[i];
	all[n] = NULL;
	execvp(all[0], (char *const *)all);
}

static bool all_registered(const char *j)
{
	return j != NULL && strstr(j, "\"state\":\"registering\"") == NULL &&
	       strstr(j, "\"names\":[") != NULL;
}

/* fresh: a new runtime directory and log; else d's, log appended to */
static int start(struct md_daemon *d, bool fresh, const char *cidr,
		 const char *name, const char *workgroup, uint16_t dport,
		 uint16_t nport, const char *config, const char *const *extra)
{
	char bin[1024], dp[16], np[16];
	const char *argv[40];
	size_t n = 0;
	const char *tmp = getenv("TMPDIR");
	int64_t end;
	size_t slot;

	if (fresh) {
		memset(d, 0, sizeof(*d));
		snprintf(d->rt, sizeof(d->rt), "%s/mslD.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(d->rt) == NULL)
			return -1;
	} else if (d->pid > 0) {
		return -1;	/* still running */
	}
	/* a restart keeps its slot: md_kill_all() still cleans up once */
	for (slot = 0; !fresh && slot < MD_MAX_DAEMONS; slot++) {
		if (started[slot].used && strcmp(started[slot].rt, d->rt) == 0)
			break;
	}
	if (fresh || slot == MD_MAX_DAEMONS) {
		for (slot = 0; slot < MD_MAX_DAEMONS; slot++) {
			if (!started[slot].used) {
				started[slot].used = true;
				snprintf(started[slot].rt,
					 sizeof(started[slot].rt), "%s", d->rt);
				break;
			}
		}
	}
	if (slot < MD_MAX_DAEMONS)
		started[slot].pid = 0;
	snprintf(d->log, sizeof(d->log), "%s/log", d->rt);
	snprintf(d->ip, sizeof(d->ip), "%.*s", (int)strcspn(cidr, "/"), cidr);
	{
		struct in_addr a;
		if (inet_pton(AF_INET, d->ip, &a) != 1)
			return -1;
		d->ip_h = ntohl(a.s_addr);
	}
	d->dport = dport;
	d->nport = nport;
	snprintf(dp, sizeof(dp), "%u", dport);
	snprintf(np, sizeof(np), "%u", nport);
	md_build_path(bin, sizeof(bin), "tools/mailslotd/mailslotd");
	argv[n++] = bin;
	argv[n++] = "-F";
	argv[n++] = "-d";
	argv[n++] = "3";
	argv[n++] = "-s";
	argv[n++] = config ? config : "/dev/null";
	argv[n++] = "--interfaces";
	argv[n++] = cidr;
	argv[n++] = "--dgram-port";
	argv[n++] = dp;
	argv[n++] = "--name-port";
	argv[n++] = np;
	argv[n++] = "--netbios-name";
	argv[n++] = name;
	argv[n++] = "--workgroup";
	argv[n++] = workgroup;
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 38; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	d->pid = fork();
	if (d->pid < 0) {
		d->pid = 0;
		return -1;
	}
	if (d->pid > 0 && slot < MD_MAX_DAEMONS)
		started[slot].pid = d->pid;
	if (d->pid == 0) {
		int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND |
			      (fresh ? O_TRUNC : 0), 0644);
		int nul = open("/dev/null", O_RDWR);
		/* never outlive the test */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		if (nul >= 0)
			dup2(nul, 0);
		setenv("MAILSLOT_RUNTIME_DIR", d->rt, 1);
		md_exec_wrapped(bin, argv);
		_exit(127);
	}
	/* registration takes ~0.75 s; sanitizer builds and valgrind start
	 * slower */
	end = md_now_ms() + (getenv("MAILSLOT_TEST_WRAPPER") ? 30000 : 10000);
	while (md_now_ms() < end) {
		char *j = md_status(NULL, d);
		bool ok = all_registered(j);
		talloc_free(j);
		if (ok)
			return 0;
		if (!md_alive(d))
			return -1;
		usleep(20000);
	}
	return -1;
}

int md_start(struct md_daemon *d, const char *cidr, const char *name,
	     const char *workgroup, uint16_t dport, uint16_t nport,
	     const char *config, const char *const *extra)
{
	return start(d, true, cidr, name, workgroup, dport, nport, config,
		     extra);
}

int md_restart(struct md_daemon *d, const char *cidr, const char *name,
	       const char *workgroup, const char *config,
	       const char *const *extra)
{
	return start(d, false, cidr, name, workgroup, d->dport, d->nport,
		     config, extra);
}

int md_kill9(struct md_daemon *d)
{
	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGKILL);
	reap(d, 10000);
	return d->pid == 0 && WIFSIGNALED(d->exit_status) &&
	       WTERMSIG(d->exit_status) == SIGKILL ? 0 : -1;
}

char *md_status(TALLOC_CTX *mem_ctx, const struct md_daemon *d)
{
	struct mailslot_ctl_request req = { .op = MAILSLOT_CTL_STATUS };
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *body = NULL;
	size_t len = 0;
	uint32_t status = 1;
	char *j = NULL;
	int fd = mailslot_ctl_connect(d->rt);

	if (fd >= 0) {
		if (mailslot_ctl_call(tmp, fd, &req, 3000, &status, &body,
				      &len) == 0 && status == 0 && body != NULL)
			j = talloc_strndup(mem_ctx, (const char *)body, len);
		close(fd);
	}
	talloc_free(tmp);
	return j;
}

long long md_json(const char *j, const char *obj, const char *key)
{
	char pat[128];
	const char *start = j, *end = NULL, *p;

	if (j == NULL)
		return -1;
	if (obj != NULL) {
		snprintf(pat, sizeof(pat), "\"%s\":{", obj);
		start = strstr(j, pat);
		if (start == NULL)
			return -1;
		end = strchr(start + strlen(pat), '}');
	}
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(start, pat);
	if (p == NULL || (end != NULL && p > end))
		return obj != NULL && strcmp(obj, "malformed") == 0 ? 0 : -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

long long md_json_dropped_sum(const char *j)
{
	const char *p = j ? strstr(j, "\"dropped\":{") : NULL;
	const char *end = p ? strchr(p, '}') : NULL;
	long long sum = 0;

	if (p == NULL || end == NULL)
		return -1;
	for (p = strchr(p + 11, ':'); p != NULL && p < end;
	     p = strchr(p + 1, ':'))
		sum += strtoll(p + 1, NULL, 10);
	return sum;
}

const char *md_name_state(const char *j, const char *name, char *buf,
			  size_t len)
{
	char pat[128];
	const char *p, *s;

	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "{\"name\":\"%s\"", name);
	p = j ? strstr(j, pat) : NULL;
	s = p ? strstr(p, "\"state\":\"") : NULL;
	if (s != NULL)
		snprintf(buf, len, "%.*s", (int)strcspn(s + 9, "\""), s + 9);
	return buf;
}

long long md_wait_counter(const struct md_daemon *d, const char *obj,
			  const char *key, long long want, int timeout_ms)
{
	int64_t end = md_now_ms() + timeout_ms;
	long long v = -1;

	for (;;) {
		char *j = md_status(NULL, d);
		v = md_json(j, obj, key);
		talloc_free(j);
		if (v >= want || md_now_ms() >= end)
			return v;
		usleep(10000);
	}
}

bool md_log_wait(const struct md_daemon *d, const char *text,
		 int timeout_ms)
{
	int64_t end = md_now_ms() + timeout_ms;

	for (;;) {
		FILE *f = fopen(d->log, "r");
		char line[4096];
		bool found = false;

		while (f != NULL && !found && fgets(line, sizeof(line), f))
			found = strstr(line, text) != NULL;
		if (f != NULL)
			fclose(f);
		if (found)
			return true;
		if (md_now_ms() >= end)
			return false;
		usleep(20000);
	}
}

int md_udp_socket(const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int one = 1, fd;

	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int md_sendto(int fd, uint32_t ip_h, uint16_t port, const void *buf,
	      size_t len)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(ip_h),
	};

	for (int i = 0; i < 1000; i++) {
		ssize_t n = sendto(fd, len ? buf : "", len, 0,
				   (struct sockaddr *)&to, sizeof(to));
		if (n == (ssize_t)len)
			return 0;
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN &&
		    errno != EINTR)
			return -1;
		usleep(100);
	}
	return -1;
}

ssize_t md_recv(int fd, void *buf, size_t len, int timeout_ms,
		uint32_t *from_ip)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -1;
	n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&from,
		     &fl);
	if (n >= 0 && from_ip != NULL)
		*from_ip = ntohl(from.sin_addr.s_addr);
	return n;
}

enum mailslot_error md_read_within(struct mailslot *s, uint32_t ms,
				   void *buf, size_t len, size_t *n)
{
	uint32_t old;
	enum mailslot_error err;

	*n = 0;
	err = mailslot_get_info(s, NULL, NULL, NULL, &old);
	if (err == MAILSLOT_OK)
		err = mailslot_set_info(s, ms);
	if (err != MAILSLOT_OK)
		return err;
	err = mailslot_read(s, buf, len, n);
	/* a reader that cannot restore its timeout would mislead later reads */
	if (mailslot_set_info(s, old) != MAILSLOT_OK)
		return MAILSLOT_ERROR_INTERNAL_ERROR;
	return err;
}

uint8_t *md_build_write(TALLOC_CTX *mem_ctx, uint8_t type, uint16_t id,
			const char *dest, uint8_t suffix, const char *slot,
			const void *data, size_t data_len, size_t *len)
{
	struct smb_mailslot_write w;
	struct nbt_dgram dg;
	uint8_t *out;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = slot;
	w.name_len = strlen(slot);
	w.data = data;
	w.data_len = data_len;
	nbt_dgram_init(&dg, type, NBT_NODE_B, id, 0x7f000001, 138);
	if (nbt_name_make(&dg.source, "MDTEST", 0x00, NULL) != CODEC_OK ||
	    nbt_name_make(&dg.dest, dest, suffix, NULL) != CODEC_OK)
		return NULL;
	*len = smb_mailslot_dgram_encoded_len(&dg, &w);
	out = talloc_size(mem_ctx, *len);
	if (out == NULL ||
	    smb_mailslot_dgram_encode(&dg, &w, out, *len, NULL) != CODEC_OK)
		return NULL;
	return out;
}

int md_run(const char *rt, char *out, size_t outlen, int timeout_ms,
	   const char *const *argv)
{
	int p[2];
	size_t used = 0;
	int64_t end = md_now_ms() + timeout_ms;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (nul >= 0)
			dup2(nul, 0);
		setenv("MAILSLOT_RUNTIME_DIR", rt, 1);
		md_exec_wrapped(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		int left = (int)(end - md_now_ms());
		char buf[1024];
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			break;
		n = read(p[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (used + (size_t)n < outlen) {
			memcpy(out + used, buf, (size_t)n);
			used += (size_t)n;
			out[used] = '\0';
		}
	}
	close(p[0]);
	return md_wait_exit(pid, (int)(end - md_now_ms()));
}

int md_wait_exit(pid_t pid, int timeout_ms)
{
	int64_t end = md_now_ms() + timeout_ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		if (r < 0)
			return -1;
		if (md_now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(5000);
	}
}

pid_t md_spawn(const char *rt, const char *out, const char *err, uid_t uid,
	       const char *const *argv)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (uid != 0 && (setgroups(0, NULL) != 0 || setgid(uid) != 0 ||
				 setuid(uid) != 0))
			_exit(125);
		setenv("MAILSLOT_RUNTIME_DIR", rt, 1);
		md_exec_wrapped(argv[0], argv);
		_exit(127);
	}
	return md_kid_add(pid) == 0 ? pid : -1;
}

long md_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	if (f != NULL)
		fclose(f);
	return kb;
}

/* Is socket inode ino one of pid's open files? */
static bool pid_has_inode(pid_t pid, unsigned long ino)
{
	char path[64], want[64], link[128];
	struct dirent *e;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	dir = opendir(path);
	while (dir != NULL && !found && (e = readdir(dir)) != NULL) {
		char fp[320];
		ssize_t n;
		snprintf(fp, sizeof(fp), "%s/%s", path, e->d_name);
		n = readlink(fp, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = strcmp(link, want) == 0;
		}
	}
	if (dir != NULL)
		closedir(dir);
	return found;
}

long long md_udp_drops(pid_t pid, uint16_t port)
{
	FILE *f = fopen("/proc/net/udp", "r");
	char line[512];
	long long sum = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned lport, uid;
		unsigned long ino;
		unsigned long long drops;
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode
		 * ref pointer drops */
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %*x %*x:%*x %*x:%*x "
			   "%*x %u %*d %lu %*d %*x %llu", &lport, &uid, &ino,
			   &drops) != 4)
			continue;
		if (lport == port && pid_has_inode(pid, ino))
			sum += (long long)drops;
	}
	fclose(f);
	return sum;
}

char *md_slurp(TALLOC_CTX *mem_ctx, const char *path)
{
	char *buf = talloc_zero_size(mem_ctx, 65537);
	int fd;
	ssize_t n;

	if (buf == NULL)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, 65536);
	close(fd);
	if (n > 0)
		buf[n] = '\0';
	return buf;
}

static pid_t md_kids[MD_MAX_KIDS];

int md_kid_add(pid_t pid)
{
	for (size_t i = 0; i < MD_MAX_KIDS; i++) {
		if (md_kids[i] == 0) {
			md_kids[i] = pid;
			return 0;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

void md_kid_forget(pid_t pid)
{
	for (size_t i = 0; i < MD_MAX_KIDS; i++) {
		if (md_kids[i] == pid)
			md_kids[i] = 0;
	}
}

int md_kid_wait(pid_t pid, int timeout_ms)
{
	md_kid_forget(pid);
	return md_wait_exit(pid, timeout_ms);
}

void md_kids_kill(void)
{
	for (size_t i = 0; i < MD_MAX_KIDS; i++) {
		if (md_kids[i] > 0) {
			kill(md_kids[i], SIGKILL);
			waitpid(md_kids[i], NULL, 0);
			md_kids[i] = 0;
		}
	}
}
