/*
 * mailslot messenger: the Messenger service.  Owns THISHOST<03> (and
 * USER<03>) through mailslotd, reads \\.\mailslot\MESSNGR and shows each
 * message as the popup would; --exec hands it to a program.  --standalone
 * hears the same datagrams on its own sockets, without the daemon.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "messenger/messenger.h"
#include "messenger_tool.h"
#include "name_keep.h"
#include "standalone_recv.h"
#include "tools/mailslotd/daemon_config.h"
#include "win32_error_print.h"

/* a datagram's user data can never be larger */
#define MSGR_BUF 65536
#define MSGR_EXEC_TIMEOUT_MS 10000
#define MSGR_MAX_NAMES 8	/* --name, each USER<03> */
#define MSGR_SLICE_MS 60000	/* standalone, no --timeout: wait in slices */

static void messenger_usage(FILE *out)
{
	fputs(
"usage: mailslot messenger [--name USER]... [--json] [--count N]\n"
"                          [--timeout MS] [--codepage CP]\n"
"                          [--exec-timeout MS] [--exec CMD [ARG...]]\n"
"       mailslot messenger --standalone --interface IP/BITS [--port N]\n"
"                          [--netbios-name NAME] [--workgroup W] ...\n"
"\n"
"Run the Messenger service: own THISHOST<03> (mailslotd's name) and, with\n"
"--name (repeatable), USER<03> on the network, create\n"
"\\\\.\\mailslot\\MESSNGR and show each NET SEND message as the popup\n"
"would:\n"
"\n"
"    Message from FROM to TO on YYYY-MM-DD HH:MM:SS\n"
"\n"
"    TEXT\n"
"\n"
"The text is converted from the OEM code page CP (CP850) to UTF-8, line\n"
"breaks (CR, LF, CRLF, LFCR, 0x14) become newlines, and other control\n"
"characters are printed as \\xNN.  --json prints one object per message\n"
"instead: {\"time\":...,\"from\":...,\"to\":...,\"text\":...}.\n"
"\n"
"--exec CMD [ARG...] (the rest of the line) also runs CMD for each\n"
"message, without a shell: MAILSLOT_FROM, MAILSLOT_TO, MAILSLOT_TEXT and\n"
"MAILSLOT_TIME in its environment and the text on its standard input.\n"
"It is waited for, at most --exec-timeout ms (10000), then killed.\n"
"--count N: exit 0 after N messages; --timeout MS: exit 3 when no message\n"
"arrives for MS ms.\n"
"\n"
"--standalone: without mailslotd, bind IP:N and BROADCAST:N of --interface\n"
"(N: --port, default 138; shared with other listeners) and show what is\n"
"sent there to NAME<03> (--netbios-name, default the host name), to each\n"
"USER<03>, to W<00> (--workgroup, default WORKGROUP: domain-wide\n"
"messages) and to * (BROADCAST datagrams).  No name is registered (no\n"
"name service runs), so senders need this IP (netsend --standalone\n"
"--target IP) or the broadcast address.\n",
	      out);
}

struct messenger_args {
	char names[MSGR_MAX_NAMES][MSGR_NAME_BUF];
	size_t nnames;
	bool json;
	bool have_count;
	uint32_t count;
	uint32_t timeout;
	uint32_t exec_timeout;
	const char *codepage;
	char **exec_argv;	/* NULL-terminated, or NULL */
	/* --standalone */
	bool standalone;
	struct mailslotd_network iface;
	uint16_t port;		/* 0: 138 */
	char netbios_name[MSGR_NAME_BUF];	/* "": the host name */
	char workgroup[MSGR_NAME_BUF];		/* "": WORKGROUP */
};

static bool parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	if (*s == '\0' || *s == '-')
		return false;
	x = strtoull(s, &end, 10);
	if (*end != '\0' || x > 0xFFFFFFFFull)
		return false;
	*v = (uint32_t)x;
	return true;
}

static int parse_args(int argc, char **argv, struct messenger_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "exec-timeout", required_argument, NULL, 'e' },
		{ "codepage", required_argument, NULL, 'p' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "interface", required_argument, NULL, 'I' },
		{ "port", required_argument, NULL, 'P' },
		{ "netbios-name", required_argument, NULL, 'N' },
		{ "workgroup", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t port;
	int c, i;

	/* --exec takes the rest of the line, as find -exec does */
	for (i = 1; i < argc && strcmp(argv[i], "--exec") != 0; i++)
		;
	if (i < argc) {
		if (i + 1 >= argc) {
			fprintf(stderr, "mailslot messenger: --exec needs a "
				"command\n");
			return 2;
		}
		a->exec_argv = argv + i + 1;
		argc = i;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (a->nnames == MSGR_MAX_NAMES) {
				fprintf(stderr, "mailslot messenger: at most "
					"%d --name\n", MSGR_MAX_NAMES);
				return 2;
			}
			if (!msgr_name_arg(optarg, a->names[a->nnames++]))
				goto bad_name;
			break;
		case 'N':
			if (!msgr_name_arg(optarg, a->netbios_name))
				goto bad_name;
			break;
		case 'W':
			if (!msgr_name_arg(optarg, a->workgroup))
				goto bad_name;
			break;
		case 'S':
			a->standalone = true;
			break;
		case 'I':
			if (!mailslotd_network_parse(optarg, &a->iface)) {
				fprintf(stderr, "mailslot messenger: '%s' is "
					"not an IPv4 address[/bits]\n", optarg);
				return 2;
			}
			break;
		case 'P':
			if (!parse_u32(optarg, &port) || port == 0 ||
			    port > 65535)
				goto bad;
			a->port = (uint16_t)port;
			break;
		case 'j':
			a->json = true;
			break;
		case 'c':
			if (!parse_u32(optarg, &a->count))
				goto bad;
			a->have_count = true;
			break;
		case 't':
			if (!parse_u32(optarg, &a->timeout))
				goto bad;
			break;
		case 'e':
			if (!parse_u32(optarg, &a->exec_timeout))
				goto bad;
			break;
		case 'p':
			a->codepage = optarg;
			break;
		case 'h':
			messenger_usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (a->standalone && a->iface.ip == 0) {
		fprintf(stderr, "mailslot messenger: --standalone needs "
			"--interface IP/BITS\n");
		return 2;
	}
	return -1;
bad_name:
	fprintf(stderr, "mailslot messenger: '%s' is not a NetBIOS name (1-15 "
		"characters)\n", optarg);
	return 2;
bad:
	messenger_usage(stderr);
	return 2;
}

/* Wait for pid at most timeout_ms; kill it beyond.  Its wait status. */
static int wait_bounded(pid_t pid, uint32_t timeout_ms, bool *killed)
{
	int status = 0;

	*killed = false;
	for (uint32_t waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		if (waited >= timeout_ms)
			break;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	*killed = true;
	/* SIGKILL cannot be caught: this returns */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* The command with the message in its environment and on stdin. */
static void run_exec(const struct messenger_args *a,
		     const struct messenger_json *j, const char *when)
{
	int fds[2];
	pid_t pid;
	bool killed;
	int status;
	size_t len = strlen(j->text);

	if (pipe(fds) != 0) {
		perror("mailslot messenger: pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("mailslot messenger: fork");
		close(fds[0]);
		close(fds[1]);
		return;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		close(fds[1]);
		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(127);
		close(fds[0]);
		if (setenv("MAILSLOT_FROM", j->from, 1) != 0 ||
		    setenv("MAILSLOT_TO", j->to, 1) != 0 ||
		    setenv("MAILSLOT_TEXT", j->text, 1) != 0 ||
		    setenv("MAILSLOT_TIME", when, 1) != 0)
			_exit(127);
		execvp(a->exec_argv[0], a->exec_argv);
		fprintf(stderr, "mailslot messenger: %s: %s\n",
			a->exec_argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	/* at most 4 x 424 bytes: within any pipe buffer, never blocks;
	 * SIGPIPE is ignored, so a command that does not read is fine */
	if (write(fds[1], j->text, len) != (ssize_t)len && errno != EPIPE)
		perror("mailslot messenger: write to command");
	close(fds[1]);
	status = wait_bounded(pid, a->exec_timeout, &killed);
	if (killed)
		fprintf(stderr, "mailslot messenger: %s ran over %u ms and "
			"was killed\n", a->exec_argv[0], a->exec_timeout);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "mailslot messenger: %s failed (status "
			"0x%x)\n", a->exec_argv[0], (unsigned)status);
}

static void show(TALLOC_CTX *mem, const struct messenger_args *a,
		 const struct messenger_msg *m)
{
	struct messenger_json *j = messenger_to_json_struct(mem, m,
							    a->codepage);
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (j == NULL)
		return;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
		 localtime_r(&now, &tm));
	if (a->json) {
		char *o = messenger_json_object(mem, j);

		/* our object with the time in front */
		if (o != NULL)
			printf("{\"time\":\"%s\",%s\n", when, o + 1);
	} else {
		printf("Message from %s to %s on %s\n\n%s\n\n",
		       messenger_escape(mem, j->from, strlen(j->from), false),
		       messenger_escape(mem, j->to, strlen(j->to), false),
		       when, messenger_escape(mem, j->text, strlen(j->text),
					      true));
	}
	fflush(stdout);
	if (a->exec_argv != NULL)
		run_exec(a, j, when);
}

/* One payload of \MAILSLOT\MESSNGR; false if it is not a message. */
static bool handle(TALLOC_CTX *mem, const struct messenger_args *a,
		   const uint8_t *buf, size_t n)
{
	TALLOC_CTX *tmp;
	struct messenger_msg m;
	enum codec_error cerr = messenger_decode(buf, n, &m);

	if (cerr != CODEC_OK) {
		fprintf(stderr, "mailslot messenger: dropped a %zu-byte "
			"message: %s\n", n, codec_error_name(cerr));
		return false;
	}
	tmp = talloc_new(mem);
	show(tmp, a, &m);
	talloc_free(tmp);
	return true;
}

/* "listening as HOST<03>, A<03> and B<03>" */
static void say_listening(const char *host, const struct messenger_args *a,
			  const char *how)
{
	fprintf(stderr, "mailslot messenger: listening as %s<03>", host);
	for (size_t i = 0; i < a->nnames; i++)
		fprintf(stderr, "%s%s<03>", i + 1 < a->nnames ? ", " : " and ",
			a->names[i]);
	fprintf(stderr, "%s\n", how);
}

static int serve(TALLOC_CTX *mem, const struct messenger_args *a)
{
	char host[MSGR_NAME_BUF];
	struct mailslot *slot;
	struct mailslot_netbios_name *nb;
	struct name_keep keep = { .who = "messenger" };
	enum mailslot_error err;
	uint8_t *buf = talloc_size(mem, MSGR_BUF);

	if (buf == NULL)
		return 1;
	if (!msgr_daemon_identity(host, NULL)) {
		win32_error_print("messenger", "mailslotd",
				  MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
		return 1;
	}
	err = mailslot_server_create(mem, MESSENGER_LOCAL_SLOT, 0,
				     MAILSLOT_WAIT_FOREVER, &slot);
	if (err != MAILSLOT_OK) {
		win32_error_print("messenger", MESSENGER_LOCAL_SLOT, err);
		return 1;
	}
	/* ours while slot lives; kept across a restart of mailslotd */
	err = mailslot_netbios_name_register(slot, host, MESSENGER_NAME_SUFFIX,
					     false, &nb);
	name_keep_add(&keep, err == MAILSLOT_OK ? nb : NULL);
	for (size_t i = 0; i < a->nnames && err == MAILSLOT_OK; i++) {
		err = mailslot_netbios_name_register(slot, a->names[i],
						     MESSENGER_NAME_SUFFIX,
						     false, &nb);
		name_keep_add(&keep, err == MAILSLOT_OK ? nb : NULL);
	}
	if (err != MAILSLOT_OK) {
		win32_error_print("messenger", "NetBIOS name <03>", err);
		return 1;
	}
	say_listening(host, a, "");
	for (uint32_t got = 0; !a->have_count || got < a->count;) {
		size_t n;

		err = name_keep_read(&keep, slot, buf, MSGR_BUF, &n,
				     a->timeout ? a->timeout
						: MAILSLOT_WAIT_FOREVER);
		if (err != MAILSLOT_OK) {
			win32_error_print("messenger", MESSENGER_LOCAL_SLOT,
					  err);
			return err == MAILSLOT_ERROR_SEM_TIMEOUT ? 3 : 1;
		}
		if (handle(mem, a, buf, n))
			got++;
	}
	return 0;
}

struct own_ctx {
	TALLOC_CTX *mem;
	const struct messenger_args *a;
	bool shown;
};

static void handle_own(const struct standalone_dgram *d, void *priv)
{
	struct own_ctx *c = priv;

	c->shown = handle(c->mem, c->a, d->data, d->data_len);
}

/* The names a datagram may be sent to and still be ours. */
static bool names_add(struct standalone_recv *s, const char *host,
		      const struct messenger_args *a)
{
	struct nbt_name n;

	if (nbt_name_make(&n, host, MESSENGER_NAME_SUFFIX, NULL) != CODEC_OK ||
	    !standalone_recv_add_name(s, &n))
		return false;
	for (size_t i = 0; i < a->nnames; i++) {
		if (nbt_name_make(&n, a->names[i], MESSENGER_NAME_SUFFIX,
				  NULL) != CODEC_OK ||
		    !standalone_recv_add_name(s, &n))
			return false;
	}
	/* domain-wide: netsend --domain sends DIRECT_GROUP to W<00> */
	return nbt_name_make(&n, a->workgroup[0] ? a->workgroup : "WORKGROUP",
			     0x00, NULL) == CODEC_OK &&
	       standalone_recv_add_name(s, &n) &&
	       standalone_recv_add_slot(s, MESSENGER_MAILSLOT);
}

/* --standalone: our own sockets, the same output; no name registered. */
static int serve_own(TALLOC_CTX *mem, const struct messenger_args *a)
{
	char host[MSGR_NAME_BUF], *how;
	struct standalone_recv *s;
	struct own_ctx c = { .mem = mem, .a = a };
	uint32_t slice = a->timeout ? a->timeout : MSGR_SLICE_MS;

	if (a->netbios_name[0] != '\0')
		memcpy(host, a->netbios_name, sizeof(host));
	else
		msgr_host_name(host);
	s = standalone_recv_open(mem, "messenger", a->iface.ip, a->iface.mask,
				 a->port);
	if (s == NULL)
		return 1;
	if (!names_add(s, host, a)) {
		fprintf(stderr, "mailslot messenger: too many names\n");
		return 1;
	}
	how = talloc_asprintf(mem, ", domain %s<00> (standalone on %s; no "
			      "name registered)", a->workgroup[0] ?
			      a->workgroup : "WORKGROUP",
			      standalone_recv_where(s));
	if (how == NULL)
		return 1;
	say_listening(host, a, how);
	for (uint32_t got = 0; !a->have_count || got < a->count;) {
		/* --timeout: MS without a message that is shown */
		int r = standalone_recv_poll(s, slice, handle_own, &c);

		if (r < 0) {
			fprintf(stderr, "mailslot messenger: receive on %s: "
				"%s\n", standalone_recv_where(s),
				strerror(errno));
			return 1;
		}
		if (r == 0 && a->timeout != 0) {
			win32_error_print("messenger", MESSENGER_LOCAL_SLOT,
					  MAILSLOT_ERROR_SEM_TIMEOUT);
			return 3;
		}
		if (r == 1 && c.shown)
			got++;
	}
	return 0;
}

int cmd_messenger(int argc, char **argv)
{
	struct messenger_args a = { .exec_timeout = MSGR_EXEC_TIMEOUT_MS };
	TALLOC_CTX *mem;
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	/* a command that exits without reading must not kill us */
	signal(SIGPIPE, SIG_IGN);
	mem = talloc_new(NULL);
	rc = a.standalone ? serve_own(mem, &a) : serve(mem, &a);
	talloc_free(mem);
	return rc;
}
