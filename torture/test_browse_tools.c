/*
 * mailslot browse --standalone end to end on loopback, no mailslotd and
 * no root: the real command as a child process on a random free port;
 * this test watches the wire on BROADCAST:port (shared, as the command's
 * own sockets are) and sends announcements of its own.  Every wait is
 * bounded; only our own children are ever killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "browser/browser.h"
#include "nbt/nbt_frag.h"
#include "smb/smb_mailslot_dgram.h"
#include "test_mailslotd_util.h"
#include "torture_util.h"

#define BCAST 0x7fffffffu	/* 127.255.255.255, loopback's /8 */

static char tool[512];
/* the run's directory: removed with tmp_ctx unless MAILSLOT_TEST_KEEP */
static TALLOC_CTX *tmp_ctx;
static const char *tmp;
static uint16_t port;

struct run {
	pid_t pid;
	char out[320], err[320];
};

/* One datagram seen on the wire, decoded down to the browser message. */
struct wire {
	uint8_t pkt[2048];
	uint32_t from_ip;
	uint16_t from_port;
	struct nbt_dgram dg;
	struct smb_mailslot_write w;
	struct browser_msg m;
};

static int kill_kids(void **state)
{
	md_kids_kill();
	return 0;
}

/*
 * mailslot browse -s /dev/null --standalone --port PORT --workgroup
 * TESTWG ARGS... in the background, stdout and stderr in files.  uid
 * non-zero: run as that user (root only).
 */
static void browse_start(struct run *r, const char *tag, uid_t uid,
			 const char *const *args)
{
	const char *argv[32] = { tool, "browse", "-s", "/dev/null",
				 "--standalone", "--workgroup", "testwg" };
	char portarg[16];
	size_t n = 7;

	snprintf(portarg, sizeof(portarg), "%u", port);
	snprintf(r->out, sizeof(r->out), "%s/%s.out", tmp, tag);
	snprintf(r->err, sizeof(r->err), "%s/%s.err", tmp, tag);
	/* a later --port wins (getopt): the error test picks its own */
	argv[n++] = "--port";
	argv[n++] = portarg;
	for (size_t i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/* standalone needs no runtime directory, but never the host's */
	r->pid = md_spawn(tmp, r->out, r->err, uid, argv);
	assert_true(r->pid > 0);
}

/* A socket that shares BROADCAST:port with the command, to watch. */
static int wire_open(void)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(BCAST),
	};
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/*
 * The next browser message with this opcode from NAME<00> on the wire
 * within timeout_ms (others are skipped); false if none came.
 */
static bool wire_next(int fd, int timeout_ms, uint8_t opcode,
		      const char *src, struct wire *x)
{
	int64_t end = md_now_ms() + timeout_ms;
	struct nbt_name want;

	assert_int_equal(nbt_name_make(&want, src, 0x00, NULL), CODEC_OK);
	while (md_now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (poll(&p, 1, (int)(end - md_now_ms())) <= 0)
			continue;
		n = recvfrom(fd, x->pkt, sizeof(x->pkt), 0,
			     (struct sockaddr *)&from, &flen);
		if (n <= 0 ||
		    nbt_dgram_decode(x->pkt, (size_t)n, &x->dg) != CODEC_OK ||
		    !nbt_name_equal(&x->dg.source, &want) ||
		    smb_mailslot_decode(x->dg.user_data, x->dg.user_data_len,
					&x->w) != CODEC_OK ||
		    browser_decode(x->w.data, x->w.data_len,
				   browser_layout_for_slot(x->w.name,
							   x->w.name_len),
				   &x->m) != CODEC_OK ||
		    x->m.opcode != opcode)
			continue;
		x->from_ip = ntohl(from.sin_addr.s_addr);
		x->from_port = ntohs(from.sin_port);
		return true;
	}
	return false;
}

static void assert_dest(const struct wire *x, const char *name,
			uint8_t suffix, uint8_t type)
{
	struct nbt_name n;

	assert_int_equal(nbt_name_make(&n, name, suffix, NULL), CODEC_OK);
	assert_true(nbt_name_equal(&x->dg.dest, &n));
	assert_int_equal(x->dg.type, type);
}

/* What a standalone browse sends first: from IP:port, as Windows does. */
static void assert_requests(int wire, const char *name, uint32_t ip)
{
	struct wire *x = talloc(NULL, struct wire);

	assert_non_null(x);
	if (!wire_next(wire, 10000, BROWSER_ANNOUNCEMENT_REQUEST, name, x))
		fail_msg("no AnnouncementRequest from %s on the wire", name);
	assert_dest(x, "TESTWG", 0x1e, NBT_DGRAM_DIRECT_GROUP);
	assert_int_equal(x->from_ip, ip);
	assert_int_equal(x->from_port, port);
	assert_int_equal(x->dg.src_ip, ip);
	assert_int_equal(x->dg.src_port, port);
	assert_true(smb_mailslot_name_equal(x->w.name, x->w.name_len,
					    "\\MAILSLOT\\BROWSE", 16));
	assert_int_equal(x->m.name.len, strlen(name));
	assert_memory_equal(x->m.name.ptr, name, strlen(name));
	assert_true(wire_next(wire, 5000, BROWSER_ANNOUNCEMENT_REQUEST, name,
			      x));
	assert_dest(x, "TESTWG", 0x00, NBT_DGRAM_DIRECT_GROUP);
	assert_true(wire_next(wire, 5000, BROWSER_GET_BACKUP_LIST_REQUEST,
			      name, x));
	assert_dest(x, "TESTWG", 0x1d, NBT_DGRAM_DIRECT_UNIQUE);
	assert_int_equal(x->m.backup.count, 4);
	talloc_free(x);
}

/* One browser message to dest<suffix> on slot, from 127.0.0.5. */
static void send_browser(int fd, uint8_t type, const char *dest,
			 uint8_t suffix, const char *slot,
			 const struct browser_msg *m)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t buf[512], *pkt;
	size_t len, plen;
	static uint16_t id = 0x5100;

	assert_int_equal(browser_encode(m, buf, sizeof(buf), &len), CODEC_OK);
	pkt = md_build_write(mem, type, id++, dest, suffix, slot, buf, len,
			     &plen);
	assert_non_null(pkt);
	assert_int_equal(md_sendto(fd, BCAST, port, pkt, plen), 0);
	talloc_free(mem);
}

static void announcement(struct browser_msg *m, uint8_t opcode,
			 const char *name, uint8_t major, uint8_t minor,
			 uint32_t type, const char *comment)
{
	browser_msg_init(m, BROWSER_LAYOUT_BROWSE, opcode);
	m->ann.periodicity_ms = 720000;
	m->ann.server_name = browser_str(name);
	m->ann.os_major = major;
	m->ann.os_minor = minor;
	m->ann.server_type = type;
	m->ann.comment = browser_str(comment);
}

/* A HostAnnouncement to TESTWG<1d> split into NBT fragments. */
static void send_fragmented(int fd, const struct browser_msg *m)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct smb_mailslot_write w;
	struct nbt_dgram d;
	struct nbt_packet *pkts;
	uint8_t buf[512], whole[SMB_MAILSLOT_DGRAM_MAX];
	size_t len, count;

	assert_int_equal(browser_encode(m, buf, sizeof(buf), &len), CODEC_OK);
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_BROWSE);
	w.name = "\\MAILSLOT\\BROWSE";
	w.name_len = 16;
	w.data = buf;
	w.data_len = len;
	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, 0x6200,
		       0x7f000005, 138);
	assert_int_equal(nbt_name_make(&d.source, "FRAGSRC", 0, NULL),
			 CODEC_OK);
	assert_int_equal(nbt_name_make(&d.dest, "TESTWG", 0x1d, NULL),
			 CODEC_OK);
	/* whole first: d's USER_DATA is then its SMB, to be split */
	assert_int_equal(smb_mailslot_dgram_encode(&d, &w, whole,
						   sizeof(whole), NULL),
			 CODEC_OK);
	assert_int_equal(nbt_dgram_fragment(mem, &d, 120, &pkts, &count),
			 CODEC_OK);
	assert_true(count >= 2);
	/* last first: the reassembler takes any order */
	for (size_t i = count; i-- > 0;)
		assert_int_equal(md_sendto(fd, BCAST, port, pkts[i].data,
					   pkts[i].len), 0);
	talloc_free(mem);
}

/* An own socket of this test to send from: 127.0.0.5, any port. */
static int sender_open(void)
{
	int fd = md_udp_socket("127.0.0.5");

	assert_true(fd >= 0);
	return fd;
}

/*
 * A listener hears what the test sends: every announcement kind, to
 * every name it should hear, one in fragments; not what is for other
 * names or other mailslots.  Its own requests are on the wire.
 */
static void test_table_json(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct browser_msg *m = talloc(mem, struct browser_msg);
	struct run r;
	int wire = wire_open(), fd = sender_open();
	char *got;

	assert_non_null(m);
	browse_start(&r, "json", 0, (const char *[]){
		"--interface", "127.0.0.1/8", "--netbios-name", "listener",
		"--wait", "4", "--json", NULL });
	assert_requests(wire, "LISTENER", 0x7f000001);

	announcement(m, BROWSER_LOCAL_MASTER_ANNOUNCEMENT, "MASTERX", 6, 1,
		     SV_TYPE_WORKSTATION | SV_TYPE_SERVER | SV_TYPE_NT |
		     SV_TYPE_POTENTIAL_BROWSER | SV_TYPE_MASTER_BROWSER,
		     "master of testwg");
	send_browser(fd, NBT_DGRAM_DIRECT_GROUP, "TESTWG", 0x1e,
		     "\\MAILSLOT\\BROWSE", m);
	announcement(m, BROWSER_HOST_ANNOUNCEMENT, "HOSTF", 10, 0,
		     SV_TYPE_WORKSTATION | SV_TYPE_NT, "came in fragments");
	send_fragmented(fd, m);
	announcement(m, BROWSER_DOMAIN_ANNOUNCEMENT, "OTHERWG", 6, 1,
		     SV_TYPE_DOMAIN_ENUM | SV_TYPE_NT, "OTHERMASTER");
	send_browser(fd, NBT_DGRAM_DIRECT_GROUP, "\x01\x02__MSBROWSE__\x02",
		     0x01, "\\MAILSLOT\\BROWSE", m);
	announcement(m, BROWSER_HOST_ANNOUNCEMENT, "LMHOST", 3, 51,
		     SV_TYPE_WORKSTATION | SV_TYPE_SERVER, "lan manager");
	m->layout = BROWSER_LAYOUT_LANMAN;
	m->ann.periodicity_ms = 60000;
	send_browser(fd, NBT_DGRAM_DIRECT_GROUP, "TESTWG", 0x00,
		     "\\MAILSLOT\\LANMAN", m);
	announcement(m, BROWSER_HOST_ANNOUNCEMENT, "EVIL", 5, 0,
		     SV_TYPE_WORKSTATION, "a\x1b[2J\"\\b");
	send_browser(fd, NBT_DGRAM_BROADCAST, "*", 0x00,
		     "\\mailslot\\browse", m);
	/* for nobody here: another workgroup, another mailslot */
	announcement(m, BROWSER_HOST_ANNOUNCEMENT, "NOTHERE", 5, 0,
		     SV_TYPE_WORKSTATION, "");
	send_browser(fd, NBT_DGRAM_DIRECT_UNIQUE, "OTHERWG", 0x1d,
		     "\\MAILSLOT\\BROWSE", m);
	announcement(m, BROWSER_HOST_ANNOUNCEMENT, "WRONGSLOT", 5, 0,
		     SV_TYPE_WORKSTATION, "");
	send_browser(fd, NBT_DGRAM_DIRECT_UNIQUE, "TESTWG", 0x1d,
		     "\\MAILSLOT\\OTHER", m);
	/* ours, but no browser message: counted, not listed */
	browser_msg_init(m, BROWSER_LAYOUT_BROWSE, BROWSER_RESET_STATE_REQUEST);
	send_browser(fd, NBT_DGRAM_DIRECT_UNIQUE, "LISTENER", 0x00,
		     "\\MAILSLOT\\BROWSE", m);
	{
		size_t len;
		uint8_t *pkt = md_build_write(mem, NBT_DGRAM_DIRECT_GROUP, 7,
					      "TESTWG", 0x1e,
					      "\\MAILSLOT\\BROWSE", "\xff\x01",
					      2, &len);
		assert_int_equal(md_sendto(fd, BCAST, port, pkt, len), 0);
	}

	assert_int_equal(md_kid_wait(r.pid, 15000), 0);
	got = md_slurp(mem, r.out);
	if (strncmp(got, "{\"workgroup\":\"TESTWG\",\"hosts\":[", 31) != 0 ||
	    strchr(got, '\n') != got + strlen(got) - 1)
		fail_msg("not one JSON object: %s", got);
	/* messages: 3 own requests looped back by the broadcast, 5
	 * announcements, the reset request; undecodable apart */
	static const char *const want[] = {
		"{\"name\":\"MASTERX\",\"os_version\":\"6.1\","
		"\"browser_version\":\"15.1\",\"server_type\":331779,"
		"\"server_type_names\":\"WORKSTATION SERVER NT "
		"POTENTIAL_BROWSER MASTER_BROWSER\",\"comment\":"
		"\"master of testwg\",\"period_ms\":720000,\"lanman\":false,"
		"\"backup\":false,\"shutting_down\":false,\"last_seen_s\":",
		"{\"name\":\"HOSTF\",\"os_version\":\"10.0\","
		"\"browser_version\":\"15.1\",\"server_type\":4097,"
		"\"server_type_names\":\"WORKSTATION NT\",\"comment\":"
		"\"came in fragments\",\"period_ms\":720000,",
		"{\"name\":\"LMHOST\",\"os_version\":\"3.51\","
		"\"browser_version\":\"0.0\",\"server_type\":3,"
		"\"server_type_names\":\"WORKSTATION SERVER\",\"comment\":"
		"\"lan manager\",\"period_ms\":60000,\"lanman\":true,",
		"{\"name\":\"EVIL\",\"os_version\":\"5.0\",\"browser_version\":"
		"\"15.1\",\"server_type\":1,\"server_type_names\":"
		"\"WORKSTATION\",\"comment\":\"a\\u001b[2J\\\"\\\\b\",",
		"\"workgroups\":[{\"name\":\"TESTWG\",\"master\":\"MASTERX\",",
		"{\"name\":\"OTHERWG\",\"master\":\"OTHERMASTER\","
		"\"os_version\":\"6.1\",\"server_type\":2147487744,",
		"\"messages\":9,\"election_requests\":0,"
		"\"announcement_requests\":2,\"undecodable\":1}\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (strstr(got, want[i]) == NULL)
			fail_msg("missing %s in: %s", want[i], got);
	}
	assert_null(strstr(got, "NOTHERE"));
	assert_null(strstr(got, "WRONGSLOT"));
	close(wire);
	close(fd);
	talloc_free(mem);
}

/*
 * Two standalone browse processes on one port: HOSTB --announce (from
 * 127.0.0.2:port) is listed by a listener on 127.0.0.1; its ServerType 0
 * on SIGTERM is on the wire and in a second listener's table.
 */
static void test_announce(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct wire *x = talloc(mem, struct wire);
	struct run l1, l2, b;
	int wire = wire_open();
	char *got;

	assert_non_null(x);
	/* listen windows with room for HOSTB's start under valgrind */
	browse_start(&l1, "ann-l1", 0, (const char *[]){
		"--interface", "127.0.0.1/8", "--netbios-name", "LISTENER",
		"--wait", "8", "--json", NULL });
	assert_requests(wire, "LISTENER", 0x7f000001);
	browse_start(&b, "ann-b", 0, (const char *[]){
		"--interface", "127.0.0.2/8", "--netbios-name", "hostb",
		"--announce", "--comment", "host B, standalone", "--period",
		"1000", NULL });
	assert_requests(wire, "HOSTB", 0x7f000002);
	if (!wire_next(wire, 5000, BROWSER_HOST_ANNOUNCEMENT, "HOSTB", x))
		fail_msg("HOSTB did not announce");
	assert_dest(x, "TESTWG", 0x1d, NBT_DGRAM_DIRECT_UNIQUE);
	assert_int_equal(x->from_ip, 0x7f000002);
	assert_int_equal(x->from_port, port);
	assert_int_equal(x->m.ann.server_type, 0x1803);
	assert_int_equal(md_kid_wait(l1.pid, 20000), 0);
	got = md_slurp(mem, l1.out);
	if (strstr(got, "\"hosts\":[{\"name\":\"HOSTB\",\"os_version\":\"4.9\","
			"\"browser_version\":\"15.1\",\"server_type\":6147,"
			"\"server_type_names\":\"WORKSTATION SERVER "
			"SERVER_UNIX NT\",\"comment\":\"host B, standalone\","
			"\"period_ms\":1000,\"lanman\":false,\"backup\":false,"
			"\"shutting_down\":false,") == NULL)
		fail_msg("the listener printed: %s", got);

	/* the table form; HOSTB leaves while it listens */
	browse_start(&l2, "ann-l2", 0, (const char *[]){
		"--interface", "127.0.0.1/8", "--netbios-name", "LISTENER",
		"--wait", "6", NULL });
	assert_requests(wire, "LISTENER", 0x7f000001);
	/* one more announcement heard, then the goodbye */
	assert_true(wire_next(wire, 5000, BROWSER_HOST_ANNOUNCEMENT, "HOSTB",
			      x));
	kill(b.pid, SIGTERM);
	assert_int_equal(md_kid_wait(b.pid, 10000), 0);
	/* a periodic one may still be on its way before it */
	for (int i = 0; i < 5; i++) {
		if (!wire_next(wire, 5000, BROWSER_HOST_ANNOUNCEMENT, "HOSTB",
			       x) || x->m.ann.server_type == 0)
			break;
	}
	if (x->m.ann.server_type != 0)
		fail_msg("no ServerType 0 from HOSTB");
	assert_int_equal(x->m.ann.periodicity_ms, 0);
	assert_int_equal(md_kid_wait(l2.pid, 15000), 0);
	got = md_slurp(mem, l2.out);
	if (strncmp(got, "HOST            OS    BROWSER SEEN     TYPE", 43) !=
	    0 ||
	    strstr(got, "\nHOSTB           4.9   15.1    ") == NULL ||
	    strstr(got, "NONE (shutting down)                 host B, "
			"standalone \n") == NULL ||
	    strstr(got, "\n\nWORKGROUP       MASTER          OS    SEEN\n") ==
	    NULL)
		fail_msg("the listener printed: %s", got);
	assert_string_equal(md_slurp(mem, l2.err), "");
	close(wire);
	talloc_free(mem);
}

/*
 * --announce answers another host's AnnouncementRequest with one more
 * HostAnnouncement within --answer-within, the schedule unchanged; a
 * request naming itself (its own, looped back) gets no answer.
 */
static void test_answer_request(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct wire *x = talloc(mem, struct wire);
	struct browser_msg *m = talloc(mem, struct browser_msg);
	struct run c;
	int wire = wire_open(), fd = sender_open();

	assert_non_null(x);
	assert_non_null(m);
	browse_start(&c, "answer", 0, (const char *[]){
		"--interface", "127.0.0.3/8", "--netbios-name", "hostc",
		"--announce", "--period", "600000", "--answer-within", "300",
		NULL });
	assert_requests(wire, "HOSTC", 0x7f000003);
	if (!wire_next(wire, 5000, BROWSER_HOST_ANNOUNCEMENT, "HOSTC", x))
		fail_msg("HOSTC did not announce");
	/* the next scheduled one is 10 minutes away */
	if (wire_next(wire, 2000, BROWSER_HOST_ANNOUNCEMENT, "HOSTC", x))
		fail_msg("HOSTC announced again unasked");

	browser_msg_init(m, BROWSER_LAYOUT_BROWSE,
			 BROWSER_ANNOUNCEMENT_REQUEST);
	m->name = browser_str("ASKER");
	send_browser(fd, NBT_DGRAM_DIRECT_GROUP, "TESTWG", 0x1e,
		     "\\MAILSLOT\\BROWSE", m);
	if (!wire_next(wire, 5000, BROWSER_HOST_ANNOUNCEMENT, "HOSTC", x))
		fail_msg("HOSTC did not answer the AnnouncementRequest");
	assert_dest(x, "TESTWG", 0x1d, NBT_DGRAM_DIRECT_UNIQUE);
	assert_int_equal(x->m.ann.server_type, 0x1803);
	assert_int_equal(x->m.ann.periodicity_ms, 600000);

	m->name = browser_str("hostc");	/* as its own would read */
	send_browser(fd, NBT_DGRAM_DIRECT_GROUP, "TESTWG", 0x00,
		     "\\MAILSLOT\\BROWSE", m);
	if (wire_next(wire, 2000, BROWSER_HOST_ANNOUNCEMENT, "HOSTC", x))
		fail_msg("HOSTC answered a request in its own name");

	kill(c.pid, SIGTERM);
	assert_int_equal(md_kid_wait(c.pid, 10000), 0);
	if (!wire_next(wire, 5000, BROWSER_HOST_ANNOUNCEMENT, "HOSTC", x) ||
	    x->m.ann.server_type != 0)
		fail_msg("no ServerType 0 from HOSTC");
	assert_string_equal(md_slurp(mem, c.err), "");
	close(wire);
	close(fd);
	talloc_free(mem);
}

/* The table form escapes what the network sends. */
static void test_table_escapes(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct browser_msg *m = talloc(mem, struct browser_msg);
	struct run r;
	int wire = wire_open(), fd = sender_open();
	char *got;

	assert_non_null(m);
	browse_start(&r, "esc", 0, (const char *[]){
		"--interface", "127.0.0.1/8", "--netbios-name", "LISTENER",
		"--wait", "2", NULL });
	assert_requests(wire, "LISTENER", 0x7f000001);
	announcement(m, BROWSER_HOST_ANNOUNCEMENT, "EV\x07L", 5, 0,
		     SV_TYPE_WORKSTATION, "x\x1b[2J\ry");
	send_browser(fd, NBT_DGRAM_DIRECT_UNIQUE, "TESTWG", 0x1d,
		     "\\MAILSLOT\\BROWSE", m);
	assert_int_equal(md_kid_wait(r.pid, 15000), 0);
	got = md_slurp(mem, r.out);
	if (strstr(got, "\nEV\\x07L         5.0   15.1    ") == NULL ||
	    strstr(got, "WORKSTATION                          "
			"x\\x1b[2J\\x0dy \n") == NULL)
		fail_msg("the listener printed: %s", got);
	for (const char *p = got; *p; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("a raw control byte 0x%02x in: %s", *p, got);
	}
	close(wire);
	close(fd);
	talloc_free(mem);
}

/* A port nobody shares, one that needs root, bad arguments. */
static void test_errors(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct run r;
	char out[4096], busy[16], *got;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	/* held without SO_REUSEADDR: nobody may share it */
	a.sin_addr.s_addr = htonl(0x7f000001);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	snprintf(busy, sizeof(busy), "%u", ntohs(a.sin_port));
	browse_start(&r, "busy", 0, (const char *[]){
		"--interface", "127.0.0.1/8", "--port", busy, "--wait", "1",
		NULL });
	assert_int_equal(md_kid_wait(r.pid, 10000), 1);
	got = md_slurp(mem, r.err);
	if (strstr(got, talloc_asprintf(mem, "mailslot browse: cannot bind "
					 "127.0.0.1:%s: Address already in "
					 "use", busy)) == NULL ||
	    strstr(got, "use --port N for a free port, or run mailslotd") ==
	    NULL)
		fail_msg("said: %s", got);
	assert_string_equal(md_slurp(mem, r.out), "");
	close(fd);

	/* 138 without privileges (as nobody when we are root) */
	browse_start(&r, "priv", geteuid() == 0 ? 65534 : 0, (const char *[]){
		"--interface", "127.0.0.1/8", "--port", "138", "--wait", "1",
		NULL });
	got = talloc_strdup(mem, "");
	switch (md_kid_wait(r.pid, 10000)) {
	case 1:
		got = md_slurp(mem, r.err);
		if (strstr(got, "cannot bind 127.0.0.1:138: Permission denied "
				"(ports below 1024 need root or "
				"CAP_NET_BIND_SERVICE); use --port N") == NULL)
			fail_msg("said: %s", got);
		break;
	case 0:
		/* ip_unprivileged_port_start allows it here */
		printf("port 138 is not privileged here: skipped\n");
		break;
	default:
		fail_msg("as nobody: %s", md_slurp(mem, r.err));
	}

	/* usage errors: exit 2, nothing bound */
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "browse", "--standalone", "--wait", "1", NULL }), 2);
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "browse", "--standalone", "--interface", "127.0.0.1/8",
		"--port", "0", NULL }), 2);
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "browse", "--standalone", "--interface", "127.0.0.1/8",
		"--port", "65536", NULL }), 2);
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "browse", "--standalone", "--interface", "127.0.0.1/8",
		"--announce", "--answer-within", "30s", NULL }), 2);
	assert_int_equal(md_run(tmp, out, sizeof(out), 10000, (const char *[]){
		tool, "browse", "--standalone", "--interface", "127.0.0.1/8",
		"--announce", "--answer-within", "600001", NULL }), 2);
	talloc_free(mem);
}

static int group_setup(void **state)
{
	uint16_t unused;

	md_build_path(tool, sizeof(tool), "tools/mailslot");
	if (access(tool, X_OK) != 0) {
		printf("%s missing: build first\n", tool);
		return -1;
	}
	tmp_ctx = talloc_new(NULL);
	tmp = torture_tmpdir(tmp_ctx);
	md_pick_ports(&port, &unused);
	return 0;
}

static int group_teardown(void **state)
{
	kill_kids(state);
	TALLOC_FREE(tmp_ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_table_json, kill_kids),
		cmocka_unit_test_teardown(test_announce, kill_kids),
		cmocka_unit_test_teardown(test_answer_request, kill_kids),
		cmocka_unit_test_teardown(test_table_escapes, kill_kids),
		cmocka_unit_test_teardown(test_errors, kill_kids),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
