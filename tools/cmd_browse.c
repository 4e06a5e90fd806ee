/*
 * mailslot browse: listen on \MAILSLOT\BROWSE and \MAILSLOT\LANMAN through
 * mailslotd (or, --standalone, on our own sockets), ask the workgroup to
 * announce itself, print who is there.  --announce also announces this
 * host as Windows does ([MS-BRWS] §3.2.6).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "browse_table.h"
#include "commands.h"
#include "name_keep.h"
#include "libmailslot/mailslot.h"
#include "standalone_recv.h"
#include "tools/mailslotd/daemon_config.h"
#include "win32_error_print.h"

#define SLICE_MS 250		/* how often a signal is noticed */
#define MSG_MAX 65536
#define BROWSE_SLOT "\\MAILSLOT\\BROWSE"
#define LANMAN_SLOT "\\MAILSLOT\\LANMAN"
/* [MS-BRWS] §3.2.6: 1, 1, 2, 4, 8, then 12 minutes */
static const uint32_t announce_schedule_ms[] = {
	60000, 60000, 120000, 240000, 480000, 720000,
};
/* SV_TYPE_* of a Unix host that serves files, as Samba announces */
#define OUR_SERVER_TYPE (SV_TYPE_WORKSTATION | SV_TYPE_SERVER | \
			 SV_TYPE_SERVER_UNIX | SV_TYPE_NT)

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct browse_opts {
	const char *workgroup;
	const char *netbios_name;
	const char *comment;
	uint32_t wait_s;
	bool have_wait;
	bool json;
	bool announce;
	bool master;		/* also own W<1d> */
	uint32_t period_ms;	/* 0: the schedule */
	uint32_t answer_within_ms; /* AnnouncementRequest: random delay */
	struct mailslot_remote_options ro;
	struct standalone_recv *sa;	/* --standalone: our sockets */
};

static void browse_usage(FILE *out)
{
	fputs(
"usage: mailslot browse [--workgroup W] [--wait S] [--json] [--master]\n"
"                       [-s CONF]\n"
"                       [--announce [--comment C] [--period MS]\n"
"                                   [--answer-within MS]]\n"
"                       [--netbios-name N]\n"
"                       [--standalone --interface IP/BITS [--port N]]\n"
"\n"
"List the hosts and workgroups of the network neighbourhood from browser\n"
"announcements ([MS-BRWS]).  Through mailslotd: joins W<1e>, W<00> and\n"
"__MSBROWSE__<01> (groups), asks W<1e> and W<00> to announce\n"
"(AnnouncementRequest) and W<1d> for its backup browsers\n"
"(GetBackupListRequest), listens S seconds (default 5) on \\MAILSLOT\\BROWSE\n"
"and \\MAILSLOT\\LANMAN, then prints a table (or one JSON object with\n"
"hosts[] and workgroups[]).  Hosts answer an AnnouncementRequest after a\n"
"random 0-30 s; a master browser's own announcements arrive every 12 min.\n"
"\n"
"  --workgroup W      the workgroup (default: from CONF, else WORKGROUP)\n"
"  --wait S           listen S seconds (default 5; with --announce: until\n"
"                     SIGINT/SIGTERM)\n"
"  --master           also own the unique name W<1d>, which hosts announce\n"
"                     to, when no master browser runs (else only masters'\n"
"                     and backup browsers' names are heard)\n"
"  --announce         also send HostAnnouncements to W<1d> as Windows\n"
"                     does: soon, then after 1, 1, 2, 4, 8 and every 12\n"
"                     minutes; ServerType 0 on exit; and once more after\n"
"                     a random delay for each AnnouncementRequest heard\n"
"  --comment C        the announced comment (at most 43 bytes)\n"
"  --period MS        announce every MS ms instead of the schedule\n"
"  --answer-within MS answer an AnnouncementRequest after a random 0-MS\n"
"                     ms (default 30000, as [MS-BRWS] §3.2.5.1; 0: at once)\n"
"  --netbios-name N   the announced host name (default: from CONF, else\n"
"                     the host name)\n"
"  -s CONF            smb.conf-style file for workgroup and name\n"
"  --standalone       without mailslotd (no root needed with --port N):\n"
"                     bind IP:N and BROADCAST:N of --interface IP/BITS\n"
"                     (N: --port, default 138; shared with other\n"
"                     listeners), send and announce from IP:N to\n"
"                     BROADCAST:N and hear every announcement broadcast\n"
"                     there, W<1d>'s included (no name is owned, so\n"
"                     --master is not needed)\n", out);
}

/* Standalone: from IP:port, as Windows' browser does from IP:138. */
static bool send_own(const struct browse_opts *o, uint8_t suffix, bool group,
		     const uint8_t *buf, size_t len, const char *what)
{
	if (standalone_recv_send(o->sa, o->netbios_name, o->workgroup, suffix,
				 group, BROWSE_SLOT, SMB_MAILSLOT_LAYOUT_BROWSE,
				 buf, len) == 0)
		return true;
	fprintf(stderr, "mailslot browse: %s to %s<%02x> from %s: %s\n", what,
		o->workgroup, suffix, standalone_recv_where(o->sa),
		strerror(errno));
	return false;
}

static bool send_to(TALLOC_CTX *mem_ctx, const struct browse_opts *o,
		    uint8_t suffix, bool group, const struct browser_msg *m,
		    const char *what)
{
	struct mailslot_remote_options ro = o->ro;
	char name[64];
	uint8_t buf[512];
	size_t len;
	struct mailslot *slot;
	enum mailslot_error err;

	if (browser_encode(m, buf, sizeof(buf), &len) != CODEC_OK) {
		win32_error_print("browse", what,
				  MAILSLOT_ERROR_INVALID_PARAMETER);
		return false;
	}
	if (o->sa != NULL)
		return send_own(o, suffix, group, buf, len, what);
	ro.suffix = suffix;
	ro.group = group;
	ro.bcast_unique = !group;	/* <1d>: as Samba, to the broadcast */
	ro.workgroup = o->workgroup;
	ro.netbios_name = o->netbios_name;
	snprintf(name, sizeof(name), "\\\\%s\\mailslot\\BROWSE", o->workgroup);
	err = mailslot_client_open_remote(mem_ctx, name, &ro, &slot);
	if (err == MAILSLOT_OK)
		err = mailslot_write(slot, buf, len);
	if (err == MAILSLOT_OK)
		talloc_free(slot);
	if (err != MAILSLOT_OK)
		win32_error_print("browse", what, err);
	return err == MAILSLOT_OK;
}

static void send_requests(TALLOC_CTX *mem_ctx, const struct browse_opts *o)
{
	struct browser_msg m;

	browser_msg_init(&m, BROWSER_LAYOUT_BROWSE,
			 BROWSER_ANNOUNCEMENT_REQUEST);
	m.name = browser_str(o->netbios_name);
	if (!send_to(mem_ctx, o, 0x1e, true, &m, "requests") ||
	    !send_to(mem_ctx, o, 0x00, true, &m, "requests"))
		return;
	browser_msg_init(&m, BROWSER_LAYOUT_BROWSE,
			 BROWSER_GET_BACKUP_LIST_REQUEST);
	m.backup.count = 4;	/* as Windows ([MS-BRWS] <15>) */
	m.backup.token = (uint32_t)getpid();
	send_to(mem_ctx, o, 0x1d, false, &m, "requests");
}

static void announce(TALLOC_CTX *mem_ctx, const struct browse_opts *o,
		     uint32_t type, uint32_t period_ms)
{
	struct browser_msg m;

	browser_msg_init(&m, BROWSER_LAYOUT_BROWSE, BROWSER_HOST_ANNOUNCEMENT);
	m.ann.periodicity_ms = period_ms;
	m.ann.server_name = browser_str(o->netbios_name);
	m.ann.os_major = 4;	/* as Samba: no Windows version claimed */
	m.ann.os_minor = 9;
	m.ann.server_type = type;
	m.ann.comment = browser_str(o->comment);
	send_to(mem_ctx, o, 0x1d, false, &m, "HostAnnouncement");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct listener {
	struct mailslot *slot[2];	/* BROWSE, LANMAN */
	struct mailslot_netbios_name *names[4];
	struct standalone_recv *sa;	/* instead of both, standalone */
};

/*
 * Standalone: the names mailslotd would have joined for us, W<1d> too
 * (its broadcasts reach us whoever owns it), and our own name for
 * GetBackupListResponses.
 */
static int listen_open_own(TALLOC_CTX *mem_ctx, struct browse_opts *o,
			   struct listener *l)
{
	static const uint8_t wg_suffixes[3] = { 0x1e, 0x00, 0x1d };
	struct nbt_name n;

	l->sa = standalone_recv_open(mem_ctx, "browse", o->ro.interface_ip,
				     o->ro.interface_mask, o->ro.port);
	if (l->sa == NULL)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (nbt_name_make(&n, o->workgroup, wg_suffixes[i], NULL) !=
		    CODEC_OK)
			goto bad_name;
		standalone_recv_add_name(l->sa, &n);
	}
	nbt_name_make_msbrowse(&n, NULL);
	standalone_recv_add_name(l->sa, &n);
	if (nbt_name_make(&n, o->netbios_name, 0x00, NULL) != CODEC_OK)
		goto bad_name;
	standalone_recv_add_name(l->sa, &n);
	standalone_recv_add_slot(l->sa, BROWSE_SLOT);
	standalone_recv_add_slot(l->sa, LANMAN_SLOT);
	o->sa = l->sa;
	return 0;
bad_name:
	fprintf(stderr, "mailslot browse: the workgroup or name is not a "
		"NetBIOS name (1-15 characters)\n");
	return -1;
}

static int listen_open(TALLOC_CTX *mem_ctx, struct browse_opts *o,
		       struct listener *l)
{
	static const char *const slots[2] = { "\\\\.\\mailslot\\BROWSE",
					      "\\\\.\\mailslot\\LANMAN" };
	static const struct { const char *name; uint8_t suffix; } names[3] = {
		{ NULL, 0x1e }, { NULL, 0x00 },
		/* nbt_name_make gives __MSBROWSE__'s 16 bytes from this */
		{ "\x01\x02__MSBROWSE__\x02", 0x01 },
	};

	if (o->ro.standalone)
		return listen_open_own(mem_ctx, o, l);
	for (size_t i = 0; i < 2; i++) {
		enum mailslot_error err = mailslot_server_create(mem_ctx,
				slots[i], 0, 0, &l->slot[i]);
		if (err != MAILSLOT_OK) {
			win32_error_print("browse", slots[i], err);
			return -1;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		const char *n = names[i].name ? names[i].name : o->workgroup;
		enum mailslot_error err = mailslot_netbios_name_register(
			mem_ctx, n, names[i].suffix, true, &l->names[i]);

		if (err != MAILSLOT_OK)
			fprintf(stderr, "mailslot browse: cannot join "
				"%s<%02x>: %s\n", i == 2 ? "__MSBROWSE__" : n,
				names[i].suffix, mailslot_error_name(err));
	}
	/* HostAnnouncements go to the unique W<1d>: only its owner hears */
	if (o->master) {
		enum mailslot_error err = mailslot_netbios_name_register(
			mem_ctx, o->workgroup, 0x1d, false, &l->names[3]);
		if (err != MAILSLOT_OK)
			fprintf(stderr, "mailslot browse: cannot own %s<1d>: %s "
				"(a master browser runs: its hosts are not "
				"heard, only its own and the other masters' "
				"announcements)\n", o->workgroup,
				mailslot_error_name(err));
	}
	return 0;
}

/* What the listener heard: the table, and whether somebody asked us. */
struct heard {
	struct browse_table *t;
	const char *self;	/* our name: our own requests loop back */
	bool asked;		/* an AnnouncementRequest of another */
};

static void heard_add(struct heard *h, const uint8_t *buf, size_t n,
		      enum browser_layout layout)
{
	struct browser_msg m;

	if (browser_decode(buf, n, layout, &m) != CODEC_OK) {
		h->t->undecodable++;
		return;
	}
	if (m.opcode == BROWSER_ANNOUNCEMENT_REQUEST &&
	    !browser_string_is(&m.name, h->self))
		h->asked = true;
	browse_table_add(h->t, &m, time(NULL));
}

static void heard_add_own(const struct standalone_dgram *d, void *priv)
{
	heard_add(priv, d->data, d->data_len,
		  browser_layout_for_slot(d->slot, d->slot_len));
}

/* Drain both mailslots into the table; wait at most wait_ms for the first. */
static void listen_once(const struct listener *l, struct heard *h,
			uint8_t *buf, uint32_t wait_ms)
{
	if (l->sa != NULL) {
		/* bounded as below: at most 1000 per call */
		for (size_t k = 0; k < 1000; k++) {
			if (standalone_recv_poll(l->sa, k ? 0 : wait_ms,
						 heard_add_own, h) != 1)
				break;
		}
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		uint32_t timeout = i == 0 ? wait_ms : 0;

		mailslot_set_info(l->slot[i], timeout);
		for (size_t k = 0; k < 1000; k++) {
			size_t n;

			if (mailslot_read(l->slot[i], buf, MSG_MAX, &n) !=
			    MAILSLOT_OK)
				break;
			mailslot_set_info(l->slot[i], 0);
			heard_add(h, buf, n, i ? BROWSER_LAYOUT_LANMAN :
				  BROWSER_LAYOUT_BROWSE);
		}
	}
}

static int parse(int argc, char **argv, struct browse_opts *o,
		 const char **conf)
{
	static const struct option opts[] = {
		{ "workgroup", required_argument, NULL, 'W' },
		{ "wait", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "announce", no_argument, NULL, 'a' },
		{ "master", no_argument, NULL, 'M' },
		{ "comment", required_argument, NULL, 'c' },
		{ "period", required_argument, NULL, 'p' },
		{ "answer-within", required_argument, NULL, 'A' },
		{ "netbios-name", required_argument, NULL, 'N' },
		{ "standalone", no_argument, NULL, 'S' },
		{ "interface", required_argument, NULL, 'I' },
		{ "port", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mailslotd_network net;
	unsigned long port;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'W': o->workgroup = optarg; break;
		case 'w':
			o->wait_s = (uint32_t)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->wait_s > 86400)
				return 2;
			o->have_wait = true;
			break;
		case 'j': o->json = true; break;
		case 'a': o->announce = true; break;
		case 'M': o->master = true; break;
		case 'c': o->comment = optarg; break;
		case 'p':
			o->period_ms = (uint32_t)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->period_ms < 1000)
				return 2;
			break;
		case 'A':
			o->answer_within_ms = (uint32_t)strtoul(optarg, &end,
								10);
			if (*optarg == '\0' || *end != '\0' ||
			    o->answer_within_ms > 600000)
				return 2;
			break;
		case 'N': o->netbios_name = optarg; break;
		case 's': *conf = optarg; break;
		case 'S': o->ro.standalone = true; break;
		case 'I':
			if (!mailslotd_network_parse(optarg, &net))
				return 2;
			o->ro.interface_ip = net.ip;
			o->ro.interface_mask = net.mask;
			break;
		case 'P':
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port == 0 ||
			    port > 65535)
				return 2;
			o->ro.port = (uint16_t)port;
			break;
		case 'h': return 1;
		default: return 2;
		}
	}
	if (optind != argc || (o->ro.standalone && o->ro.interface_ip == 0))
		return 2;
	if (strlen(o->comment) > BROWSER_COMMENT_MAX) {
		fprintf(stderr, "mailslot browse: the comment is over %d "
			"bytes\n", BROWSER_COMMENT_MAX);
		return 2;
	}
	return 0;
}

int cmd_browse(int argc, char **argv)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	struct browse_opts o = { .comment = "", .answer_within_ms = 30000 };
	struct browse_table *t = talloc_zero(mem_ctx, struct browse_table);
	struct mailslotd_config *cfg;
	struct listener l = { { NULL } };
	/* our group names live in mailslotd: kept across its restart */
	struct name_keep keep = { .who = "browse" };
	enum mailslot_error lost;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *conf = NULL;
	char *err = NULL;
	uint8_t *buf = talloc_size(mem_ctx, MSG_MAX);
	struct heard heard = { .t = t };
	uint64_t start, deadline, next_announce = 0, answer_at = 0;
	uint32_t period = 0;
	size_t announced = 0;
	int rc = parse(argc, argv, &o, &conf);

	if (rc != 0 || t == NULL || buf == NULL) {
		browse_usage(rc == 1 ? stdout : stderr);
		talloc_free(mem_ctx);
		return rc == 1 ? 0 : 2;
	}
	cfg = mailslotd_config_load(mem_ctx, conf ? conf
				    : MAILSLOTD_DEFAULT_CONFIG, conf != NULL,
				    &err);
	if (cfg == NULL) {
		fprintf(stderr, "mailslot browse: %s\n", err ? err : conf);
		talloc_free(mem_ctx);
		return 1;
	}
	if (o.workgroup == NULL)
		o.workgroup = cfg->workgroup;
	if (o.netbios_name == NULL)
		o.netbios_name = cfg->netbios_name;
	/* NetBIOS names are upper case on the wire, in payloads too */
	o.workgroup = mailslotd_config_upper_dup(mem_ctx, o.workgroup);
	o.netbios_name = mailslotd_config_upper_dup(mem_ctx, o.netbios_name);
	if (o.workgroup == NULL || o.netbios_name == NULL) {
		talloc_free(mem_ctx);
		return 1;
	}
	t->workgroup = o.workgroup;
	heard.self = o.netbios_name;
	if (listen_open(mem_ctx, &o, &l) != 0) {
		talloc_free(mem_ctx);
		return 1;
	}
	for (size_t i = 0; i < 4; i++)
		name_keep_add(&keep, l.names[i]);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	send_requests(mem_ctx, &o);

	start = now_ms();
	deadline = o.have_wait || !o.announce ?
		start + 1000ull * (o.have_wait ? o.wait_s : 5) : UINT64_MAX;
	/* first announcement quickly, as a booting Windows host does */
	next_announce = start + 1000;
	for (uint64_t now = start; now < deadline && !stop_signal;
	     now = now_ms()) {
		uint64_t until = deadline;

		if (o.announce && now >= next_announce) {
			period = o.period_ms ? o.period_ms :
				announce_schedule_ms[announced <
				sizeof(announce_schedule_ms) / 4 - 1 ?
				announced : sizeof(announce_schedule_ms) / 4 - 1];
			announce(mem_ctx, &o, OUR_SERVER_TYPE, period);
			announced++;
			next_announce = now + period;
			answer_at = 0;	/* whoever asked has heard us now */
		}
		/* [MS-BRWS] §3.2.5.1: answer after a random 0-30 s, so a
		 * whole subnet does not answer at once; the schedule stays */
		if (o.announce && heard.asked && answer_at == 0)
			answer_at = now + arc4random_uniform(
					o.answer_within_ms + 1);
		heard.asked = false;
		if (answer_at != 0 && now >= answer_at) {
			announce(mem_ctx, &o, OUR_SERVER_TYPE, period);
			answer_at = 0;
		}
		if (o.announce && next_announce < until)
			until = next_announce;
		if (answer_at != 0 && answer_at < until)
			until = answer_at;
		listen_once(&l, &heard, buf, (uint32_t)(until - now < SLICE_MS ?
						       until - now : SLICE_MS));
		lost = name_keep_refresh(&keep);
		if (lost != MAILSLOT_OK)
			fprintf(stderr, "mailslot browse: a name we held "
				"through mailslotd is lost: %s\n",
				mailslot_error_name(lost));
	}
	/* [MS-BRWS] §3.2.7: a host leaving announces ServerType 0 */
	if (o.announce && announced > 0)
		announce(mem_ctx, &o, 0, 0);
	if (o.json)
		browse_table_print_json(t, stdout, time(NULL));
	else
		browse_table_print(t, stdout, time(NULL));
	talloc_free(mem_ctx);
	return 0;
}
