/*
 * mailslotd: the NetBIOS datagram server.  Binds UDP 138 (and 137) on each
 * interface, drops root, and runs one tevent loop: datagrams in (recv.c),
 * name service (nameservice.c), local programs (control.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"		/* the build's: MAILSLOT_VERSION */
#include "daemon_config.h"
#include "daemon.h"
#include "libmailslot/mailslot.h"
#include "libmailslot/mailslot_ctl.h"
#include "names.h"
#include "tools/pcap_frame.h"

static void usage(FILE *out)
{
	fprintf(out,
"usage: mailslotd [-F] [-d LEVEL] [-s FILE] [--syslog] [--pcap FILE]\n"
"                 [--netbios-name NAME] [--workgroup NAME]\n"
"                 [--interfaces 'IP/BITS ...'] [--dgram-port N]\n"
"                 [--name-port N] [--no-name-service]\n"
"                 [--runtime-dir DIR] [--user USER]\n\n"
"The NetBIOS datagram server: delivers datagrams for this host's names\n"
"into local mailslots, sends remote writes for local programs, and\n"
"answers NetBIOS name service for its names.\n\n"
"  -F, --foreground     do not detach\n"
"  -d, --debug LEVEL    0 errors, 1 notices (default), 2 drops, 3 every\n"
"                       delivery, 4 everything\n"
"  -s, --config FILE    smb.conf syntax, [global] (default %s)\n"
"      --syslog         log to syslog instead of stderr\n"
"      --pcap FILE      record every datagram sent and received\n"
"  the others override the configuration file's settings\n\n"
"`mailslot status` shows names, sockets and counters. SIGHUP reloads the\n"
"configuration; SIGTERM releases the names and exits.  See mailslotd(8).\n",
		MAILSLOTD_DEFAULT_CONFIG);
}

static bool quit;
static bool reload;

static void on_signal(struct tevent_context *ev, struct tevent_signal *se,
		      int signum, int count, void *siginfo, void *priv)
{
	if (signum == SIGHUP)
		reload = true;
	else
		quit = true;
}

static void expire_tick(struct tevent_context *ev, struct tevent_timer *te,
			struct timeval now, void *priv)
{
	struct mailslotd *d = priv;

	nbt_reasm_expire(d->reasm, nbt_reasm_now_ms());
	tevent_add_timer(ev, d, tevent_timeval_current_ofs(1, 0), expire_tick,
			 d);
}

/* Pid file with a lock: a second daemon on the same runtime dir refuses. */
static int pidfile_take(struct mailslotd *d)
{
	char *path = talloc_asprintf(d, "%s/%s", d->runtime_dir,
				     MAILSLOT_CTL_PIDFILE);
	int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
	char buf[32];

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		mailslotd_log(d, 0, "another mailslotd runs on %s (%s)",
			      d->runtime_dir, path ? path : "?");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, strlen(buf)) < 0)
		return -1;
	return fd; /* kept open: the lock lives as long as we do */
}

static int drop_root(struct mailslotd *d)
{
	struct passwd *pw;

	if (d->cfg->user == NULL || geteuid() != 0)
		return 0;
	pw = getpwnam(d->cfg->user);
	if (pw == NULL) {
		mailslotd_log(d, 0, "no such user '%s'", d->cfg->user);
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
		mailslotd_log(d, 0, "cannot drop root to '%s'", d->cfg->user);
		return -1;
	}
	mailslotd_log(d, 1, "running as %s (uid %ld)", d->cfg->user,
		      (long)pw->pw_uid);
	return 0;
}

static void config_reload(struct mailslotd *d, const char *path)
{
	char *err = NULL;
	struct mailslotd_config *cfg = mailslotd_config_load(d, path, true,
							     &err);

	if (cfg == NULL) {
		mailslotd_log(d, 0, "SIGHUP: keeping the old configuration: %s",
			      err ? err : "?");
		return;
	}
	/* what can change without rebinding sockets */
	memcpy(d->cfg->allow, cfg->allow, sizeof(cfg->allow));
	d->cfg->num_allow = cfg->num_allow;
	d->cfg->node_status = cfg->node_status;
	if (cfg->num_interfaces != d->cfg->num_interfaces ||
	    cfg->dgram_port != d->cfg->dgram_port ||
	    cfg->name_port != d->cfg->name_port ||
	    strcmp(cfg->netbios_name, d->cfg->netbios_name) != 0 ||
	    strcmp(cfg->workgroup, d->cfg->workgroup) != 0)
		mailslotd_log(d, 0, "SIGHUP: names, interfaces and ports "
			      "change only on restart");
	mailslotd_log(d, 1, "SIGHUP: configuration reloaded from %s", path);
	talloc_free(cfg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "debug", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 's' },
		{ "syslog", no_argument, NULL, 'L' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "netbios-name", required_argument, NULL, 'n' },
		{ "workgroup", required_argument, NULL, 'w' },
		{ "interfaces", required_argument, NULL, 'i' },
		{ "dgram-port", required_argument, NULL, 'g' },
		{ "name-port", required_argument, NULL, 'm' },
		{ "no-name-service", no_argument, NULL, 'N' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[128] = {
		['n'] = "netbios name", ['w'] = "workgroup",
		['i'] = "interfaces", ['g'] = "mailslot datagram port",
		['m'] = "mailslot name port", ['r'] = "mailslot runtime dir",
		['u'] = "mailslot user",
	};
	TALLOC_CTX *top = talloc_new(NULL);
	struct mailslotd *d = talloc_zero(top, struct mailslotd);
	const char *path = MAILSLOTD_DEFAULT_CONFIG, *pcap_path = NULL;
	const char *over_key[16], *over_val[16];
	size_t nover = 0;
	bool foreground = false, path_given = false, no_ns = false;
	char *err = NULL, *rdir = NULL;
	int c, rc = 1;

	d->debug_level = 1;
	while ((c = getopt_long(argc, argv, "Fd:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': foreground = true; break;
		case 'd': d->debug_level = atoi(optarg); break;
		case 's': path = optarg; path_given = true; break;
		case 'L': d->use_syslog = true; break;
		case 'P': pcap_path = optarg; break;
		case 'N': no_ns = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mailslotd %s\n", MAILSLOT_VERSION); return 0;
		case 'n': case 'w': case 'i': case 'g': case 'm': case 'r':
		case 'u':
			if (nover < 16) {
				over_key[nover] = keys[c];
				over_val[nover++] = optarg;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (d->use_syslog)
		openlog("mailslotd", LOG_PID, LOG_DAEMON);
	d->cfg = mailslotd_config_load(d, path, path_given, &err);
	if (d->cfg == NULL) {
		fprintf(stderr, "mailslotd: %s\n", err);
		goto done;
	}
	for (size_t i = 0; i < nover; i++) {
		if (!mailslotd_config_set(d->cfg, over_key[i], over_val[i],
					  &err)) {
			fprintf(stderr, "mailslotd: %s\n", err);
			goto done;
		}
	}
	if (no_ns)
		d->cfg->name_service = false;
	if (d->cfg->runtime_dir != NULL)
		setenv("MAILSLOT_RUNTIME_DIR", d->cfg->runtime_dir, 1);
	if (mailslot_runtime_dir(d, &rdir) != MAILSLOT_OK) {
		fprintf(stderr, "mailslotd: no runtime directory: set "
				"'mailslot runtime dir' or MAILSLOT_RUNTIME_DIR\n");
		goto done;
	}
	d->runtime_dir = rdir;

	d->ev = tevent_context_init(d);
	if (d->ev == NULL || pidfile_take(d) < 0)
		goto done;
	/* DGM_IDs only need to differ between datagrams in flight */
	d->next_dgram_id = (uint16_t)(getpid() * 2654435761u >> 16);
	if (mailslotd_ifaces_open(d) != 0)
		goto done;
	if (pcap_path != NULL) {
		char perr[256];
		d->pcap = pcap_frame_writer_open(d, pcap_path, perr);
		if (d->pcap == NULL) {
			fprintf(stderr, "mailslotd: --pcap %s: %s\n", pcap_path,
				perr);
			goto done;
		}
	}
	/* every privileged port is bound: root is no longer needed */
	if (drop_root(d) != 0)
		goto done;
	d->deliver = mailslotd_deliver_create(d);
	if (d->deliver == NULL || mailslotd_recv_start(d) != 0 ||
	    mailslotd_ns_start(d) != 0 || mailslotd_control_start(d) != 0 ||
	    mailslotd_names_init(d) != 0)
		goto done;
	tevent_add_signal(d->ev, d, SIGTERM, 0, on_signal, d);
	tevent_add_signal(d->ev, d, SIGINT, 0, on_signal, d);
	tevent_add_signal(d->ev, d, SIGHUP, 0, on_signal, d);
	signal(SIGPIPE, SIG_IGN);
	tevent_add_timer(d->ev, d, tevent_timeval_current_ofs(1, 0),
			 expire_tick, d);
	if (!foreground && daemon(0, 0) != 0)
		goto done;
	mailslotd_log(d, 1, "ready: %s in %s, runtime dir %s",
		      d->cfg->netbios_name, d->cfg->workgroup, d->runtime_dir);

	while (!quit) {
		if (tevent_loop_once(d->ev) != 0 && errno != EINTR)
			break;
		if (reload) {
			reload = false;
			config_reload(d, path);
		}
	}
	mailslotd_log(d, 1, "SIGTERM: releasing names and exiting");
	mailslotd_names_release_all(d);
	rc = 0;
done:
	talloc_free(top);
	return rc;
}
