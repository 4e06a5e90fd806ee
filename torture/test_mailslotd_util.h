/*
 * Helpers for the mailslotd tests and benchmark: run the real daemon on
 * loopback with a private runtime directory and random ports, ask it for
 * its counters, build and send raw datagrams.  No cmocka here: failures
 * are return values, so the benchmark can use it too.
 */
#ifndef TORTURE_TEST_MAILSLOTD_UTIL_H
#define TORTURE_TEST_MAILSLOTD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>

#include "libmailslot/mailslot.h"

struct md_daemon {
	pid_t pid;		/* 0 once reaped */
	int exit_status;	/* raw waitpid status once reaped */
	char rt[256];		/* private runtime directory (mkdtemp) */
	char log[320];		/* its stderr */
	char ip[32];		/* "127.0.0.1" */
	uint32_t ip_h;
	uint16_t dport, nport;
};

int64_t md_now_ms(void);
/* $MAILSLOT_BUILD_DIR/rel (or ./rel), in a static buffer per call slot. */
const char *md_build_path(char *buf, size_t len, const char *rel);
/* Two free UDP ports, dport and dport + 1. */
void md_pick_ports(uint16_t *dport, uint16_t *nport);

/*
 * Start mailslotd -F on cidr ("127.0.0.1/8") with -s config (NULL:
 * /dev/null) and extra argv (NULL-terminated, may be NULL).  Waits
 * (bounded) until the control socket answers and no name is still
 * registering.  0 or -1.  Every started daemon is killed by
 * md_kill_all().
 */
int md_start(struct md_daemon *d, const char *cidr, const char *name,
	     const char *workgroup, uint16_t dport, uint16_t nport,
	     const char *config, const char *const *extra);
/*
 * Start mailslotd again in d's runtime directory, on d's ports, once the
 * previous one is gone (reaped); its log is appended to.  0 or -1.
 */
int md_restart(struct md_daemon *d, const char *cidr, const char *name,
	       const char *workgroup, const char *config,
	       const char *const *extra);
/* SIGKILL and reap (bounded): 0 if it died of that signal. */
int md_kill9(struct md_daemon *d);
/* SIGTERM, wait up to timeout_ms; the exit code, or -1 (then killed). */
int md_stop(struct md_daemon *d, int timeout_ms);
/* SIGKILL whatever is still running, reap, remove runtime dirs. */
void md_kill_all(void);
bool md_alive(struct md_daemon *d);

/* The status JSON, or NULL when the daemon does not answer. */
char *md_status(TALLOC_CTX *mem_ctx, const struct md_daemon *d);
/* A number: top level when obj is NULL, else inside "obj":{...}; -1 if
 * absent (0 for absent keys of "malformed", which lists only non-zero). */
long long md_json(const char *j, const char *obj, const char *key);
/* Sum of every "dropped" counter. */
long long md_json_dropped_sum(const char *j);
/* "active", "registering", "conflict" of a name like "TESTA<00>", or "". */
const char *md_name_state(const char *j, const char *name, char *buf,
			  size_t len);
/* Poll until md_json(obj, key) >= want or timeout; the last value. */
long long md_wait_counter(const struct md_daemon *d, const char *obj,
			  const char *key, long long want, int timeout_ms);
/* Poll the log until it contains text (bounded). */
bool md_log_wait(const struct md_daemon *d, const char *text,
		 int timeout_ms);

/*
 * One mailslot_read() that waits at most ms, the handle's own read
 * timeout restored after: MAILSLOT_ERROR_SEM_TIMEOUT when nothing came.
 */
enum mailslot_error md_read_within(struct mailslot *s, uint32_t ms,
				   void *buf, size_t len, size_t *n);

/* A UDP socket bound to ip:0 (SO_BROADCAST on), or -1. */
int md_udp_socket(const char *ip);
int md_sendto(int fd, uint32_t ip_h, uint16_t port, const void *buf,
	      size_t len);
/* Receive one datagram within timeout_ms: its length, or -1. */
ssize_t md_recv(int fd, void *buf, size_t len, int timeout_ms,
		uint32_t *from_ip);

/*
 * A datagram from MDTEST<00> at src_ip:138 to dest<suffix> carrying a
 * mailslot write of data to slot ("\MAILSLOT\x").  Talloc'd, *len set.
 */
uint8_t *md_build_write(TALLOC_CTX *mem_ctx, uint8_t type, uint16_t id,
			const char *dest, uint8_t suffix, const char *slot,
			const void *data, size_t data_len, size_t *len);

/*
 * Run argv (argv[0] a path) with MAILSLOT_RUNTIME_DIR=rt; stdout and
 * stderr into out (NUL-terminated); exit code, or -1 (killed on timeout).
 */
int md_run(const char *rt, char *out, size_t outlen, int timeout_ms,
	   const char *const *argv);

/*
 * argv (argv[0] a path) in the background, behind $MAILSLOT_TEST_WRAPPER
 * when set (valgrind in `./waf test --valgrind`), with
 * MAILSLOT_RUNTIME_DIR=rt, stdout and stderr into the files out and err;
 * uid non-zero: as that user (root only).  Recorded with md_kid_add():
 * its pid, or -1.
 */
pid_t md_spawn(const char *rt, const char *out, const char *err, uid_t uid,
	       const char *const *argv);

/*
 * Reap pid within timeout_ms: its exit code, 128 + the signal that
 * killed it (as a shell reports it), or -1 when it had to be killed for
 * lateness or is not a child of ours.
 */
int md_wait_exit(pid_t pid, int timeout_ms);


/* A file's first 64 KiB, NUL-terminated, talloc'd; "" if missing, NULL
 * only when out of memory. */
char *md_slurp(TALLOC_CTX *mem_ctx, const char *path);

/*
 * Children a test started (tools it runs in the background), so a failed
 * test does not leave them behind: md_kid_add() records one (-1, and the
 * child killed, beyond MD_MAX_KIDS), md_kid_forget() drops one the test
 * reaped itself, md_kid_wait() reaps one within
 * timeout_ms (as md_wait_exit()),
 * md_kids_kill() SIGKILLs and reaps whatever is left.
 */
#define MD_MAX_KIDS 8
int md_kid_add(pid_t pid);
void md_kid_forget(pid_t pid);
int md_kid_wait(pid_t pid, int timeout_ms);
void md_kids_kill(void);

/* VmRSS of pid in kB, or -1. */
long md_rss_kb(pid_t pid);
/* Kernel receive drops (/proc/net/udp) of pid's UDP sockets on port. */
long long md_udp_drops(pid_t pid, uint16_t port);

#endif
