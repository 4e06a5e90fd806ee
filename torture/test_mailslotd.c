/*
 * mailslotd end to end on loopback, unprivileged: the real daemon with a
 * private runtime directory and random ports, the real mailslot command,
 * raw datagrams and name service packets built with our codecs.  Plus
 * unit tests of the smb.conf parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "nbt/codec_error.h"
#include "nbt/nbt_dgram.h"
#include "nbt/nbt_frag.h"
#include "nbt/nbt_ns.h"
#include "smb/smb_mailslot.h"
#include "test_mailslotd_util.h"
#include "tools/mailslotd/daemon_config.h"
#include "tools/pcap_frame.h"

#define LO 0x7f000001u
#define LO_BCAST 0x7fffffffu

/* ---------------------------------------------------------------- */
/* smb.conf parsing (daemon_config.c)                               */
/* ---------------------------------------------------------------- */

static char conf_dir[256];

static const char *conf_write(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	if (conf_dir[0] == '\0') {
		const char *t = getenv("TMPDIR");
		snprintf(conf_dir, sizeof(conf_dir), "%s/mslC.XXXXXX",
			 t && *t ? t : "/tmp");
		assert_non_null(mkdtemp(conf_dir));
	}
	snprintf(path, sizeof(path), "%s/%s", conf_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct mailslotd_config *conf_load(TALLOC_CTX *mem, const char *text,
					  char **err)
{
	const char *path = conf_write("t.conf", text);

	*err = NULL;
	return mailslotd_config_load(mem, path, true, err);
}

static void test_config_smbconf_layout(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *err;
	struct mailslotd_config *c = conf_load(mem,
		"# a comment\n"
		"; another comment\n"
		"[global]\n"
		"    netbios name = host1\n"
		"\tworkgroup = wg1\n"
		"    # indented comment\n"
		"    ; and this\n"
		"    interfaces = 10.0.0.1/24 192.168.1.5/255.255.0.0, "
		"172.16.0.1\n"
		"    bind interfaces only = Yes\n"
		"    name resolve order = bcast\n"
		"\n"
		"[homes]\n"
		"    netbios name = WRONG\n"
		"    interfaces = not-an-address\n"
		"    mailslot datagram port = banana\n"
		"[printers]\n"
		"    workgroup = ALSOWRONG\n", &err);

	assert_non_null(c);
	assert_string_equal(c->netbios_name, "HOST1");
	assert_string_equal(c->workgroup, "WG1");
	assert_int_equal(c->num_interfaces, 3);
	assert_int_equal(c->interfaces[0].ip, 0x0a000001);
	assert_int_equal(c->interfaces[0].mask, 0xffffff00);
	assert_int_equal(c->interfaces[1].ip, 0xc0a80105);
	assert_int_equal(c->interfaces[1].mask, 0xffff0000);
	assert_int_equal(c->interfaces[2].ip, 0xac100001);
	assert_int_equal(c->interfaces[2].mask, 0xffffffff);
	assert_true(c->bind_interfaces_only);
	assert_string_equal(c->name_resolve_order, "bcast");
	/* defaults untouched */
	assert_int_equal(c->dgram_port, 138);
	assert_int_equal(c->name_port, 137);
	talloc_free(mem);
}

static void test_config_spellings(void **state)
{
	static const char *const keys[] = {
		"netbios name", "NetBIOS Name", "netbios_name", "NETBIOSNAME",
		"  netbios   name", NULL,
	};
	TALLOC_CTX *mem = talloc_new(NULL);

	for (size_t i = 0; keys[i] != NULL; i++) {
		char text[256], *err;
		struct mailslotd_config *c;

		snprintf(text, sizeof(text), "[Global]\n%s = spell%zu\n"
			 "Mailslot_Datagram_Port = %zu\n", keys[i], i,
			 1000 + i);
		c = conf_load(mem, text, &err);
		assert_non_null(c);
		{
			char want[16];
			snprintf(want, sizeof(want), "SPELL%zu", i);
			assert_string_equal(c->netbios_name, want);
		}
		assert_int_equal(c->dgram_port, 1000 + i);
	}
	talloc_free(mem);
}

static void test_config_networks(void **state)
{
	struct mailslotd_network n;

	assert_true(mailslotd_network_parse("10.1.2.3/24", &n));
	assert_int_equal(n.ip, 0x0a010203);
	assert_int_equal(n.mask, 0xffffff00);
	assert_true(mailslotd_network_parse("10.1.2.3/255.255.252.0", &n));
	assert_int_equal(n.mask, 0xfffffc00);
	assert_true(mailslotd_network_parse("10.1.2.3", &n));
	assert_int_equal(n.mask, 0xffffffff);
	assert_true(mailslotd_network_parse("10.1.2.3/0", &n));
	assert_int_equal(n.mask, 0);
	assert_true(mailslotd_network_parse("10.1.2.3/32", &n));
	assert_int_equal(n.mask, 0xffffffff);

	assert_false(mailslotd_network_parse("10.1.2.3/33", &n));
	assert_false(mailslotd_network_parse("10.1.2.3/", &n));
	assert_false(mailslotd_network_parse("10.1.2.3/x", &n));
	assert_false(mailslotd_network_parse("10.1.2.3/24x", &n));
	assert_false(mailslotd_network_parse("10.1.2.3/-1", &n));
	assert_false(mailslotd_network_parse("/24", &n));
	assert_false(mailslotd_network_parse("300.1.2.3/24", &n));
	assert_false(mailslotd_network_parse("eth0", &n));
	assert_false(mailslotd_network_parse("10.1.2.3/255.255.0.300", &n));
	/* a netmask has its ones on the left */
	assert_false(mailslotd_network_parse("10.1.2.3/255.0.255.0", &n));
	assert_false(mailslotd_network_parse("10.1.2.3/0.0.0.255", &n));
}

/* "PATH:LINE: ..." with the line of the bad value */
static void expect_bad(const char *text, int line, const char *mention)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *err = NULL, want[600];
	const char *path = conf_write("t.conf", text);
	struct mailslotd_config *c = mailslotd_config_load(mem, path, true,
							   &err);

	if (c != NULL)
		fail_msg("accepted: %s", text);
	assert_non_null(err);
	snprintf(want, sizeof(want), "%s:%d:", path, line);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error '%s' does not start with '%s'", err, want);
	if (mention != NULL && strstr(err, mention) == NULL)
		fail_msg("error '%s' does not mention '%s'", err, mention);
	talloc_free(mem);
}

static void test_config_bad_values(void **state)
{
	expect_bad("[global]\n  workgroup = W\n\n  mailslot datagram port = "
		   "70000\n", 4, "70000");
	expect_bad("[global]\nmailslot name port = 0\n", 2, NULL);
	expect_bad("[global]\nmailslot datagram port = banana\n", 2,
		   "banana");
	expect_bad("# x\n[global]\n  netbios name = "
		   "SIXTEENCHARSLONG\n", 3, "SIXTEENCHARSLONG");
	expect_bad("[global]\n  workgroup =\n", 2, NULL);
	expect_bad("[global]\n\n\n  interfaces = 10.0.0.1/24 10.0.0.300/24\n",
		   4, "10.0.0.300");
	expect_bad("[global]\n  interfaces = 10.0.0.1/33\n", 2, NULL);
	expect_bad("[global]\n  bind interfaces only = perhaps\n", 2,
		   "perhaps");
	expect_bad("[global]\n  mailslot name service = maybe\n", 2, NULL);
	expect_bad("[global]\n  mailslot runtime dir = relative/dir\n", 2,
		   NULL);
	expect_bad("[global]\n  mailslot allow = 10.0.0.0/8 bogus\n", 2,
		   "bogus");
	expect_bad("[global]\n  mailslot reassembly timeout = -5\n", 2, NULL);
	/* not smb.conf at all */
	expect_bad("[global]\nthis line has no equals sign\n", 2, NULL);
}

static void test_config_unknown_ignored(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *err;
	struct mailslotd_config *c = conf_load(mem,
		"[global]\n"
		"  server string = %h server (Samba, Ubuntu)\n"
		"  os level = 65\n"
		"  nmbd:socket dir = /nonexistent\n"
		"  log file = /var/log/samba/log.%m\n"
		"  definitely not a samba parameter = whatever\n"
		"  netbios name = keep\n", &err);

	assert_non_null(c);
	assert_string_equal(c->netbios_name, "KEEP");
	/* an absent file: defaults unless the path was asked for */
	assert_non_null(mailslotd_config_load(mem, "/nonexistent/smb.conf",
					      false, &err));
	err = NULL;
	assert_null(mailslotd_config_load(mem, "/nonexistent/smb.conf", true,
					  &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent/smb.conf"));
	talloc_free(mem);
}

/* A Samba smb.conf as the interop harness writes it parses. */
static void test_config_real_samba(void **state)
{
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	char path[512], *text = NULL, *err = NULL;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslotd_config *c;
	FILE *f;
	size_t cap = 0, n = 0;

	snprintf(path, sizeof(path), "%s/captures/samba/peer-smb.conf",
		 shared && *shared ? shared : "../shared");
	f = fopen(path, "r");
	if (f == NULL) {
		printf("skip: %s not present (MAILSLOT_SHARED_DIR)\n", path);
		talloc_free(mem);
		skip();
	}
	for (;;) {
		char line[1024];
		char *r;
		if (fgets(line, sizeof(line), f) == NULL)
			break;
		/* RUNDIR -> a real directory */
		while ((r = strstr(line, "RUNDIR")) != NULL) {
			char rest[1024];
			snprintf(rest, sizeof(rest), "%s", r + 6);
			snprintf(r, sizeof(line) - (size_t)(r - line),
				 "/tmp/mslrun%s", rest);
		}
		if (n + strlen(line) + 1 > cap) {
			cap = (cap + strlen(line) + 1) * 2;
			text = talloc_realloc(mem, text, char, cap);
		}
		memcpy(text + n, line, strlen(line) + 1);
		n += strlen(line);
	}
	fclose(f);
	assert_non_null(text);
	c = conf_load(mem, text, &err);
	if (c == NULL)
		fail_msg("%s: %s", path, err ? err : "?");
	assert_string_equal(c->netbios_name, "MSLPEER");
	assert_string_equal(c->workgroup, "MSLDOM");
	assert_int_equal(c->num_interfaces, 1);
	assert_int_equal(c->interfaces[0].ip, 0x0a630001);
	assert_int_equal(c->interfaces[0].mask, 0xffffff00);
	assert_true(c->bind_interfaces_only);
	assert_string_equal(c->name_resolve_order, "bcast");
	talloc_free(mem);
}

/* ---------------------------------------------------------------- */
/* the daemon                                                       */
/* ---------------------------------------------------------------- */

static char tool[1024];

static int teardown_daemons(void **state)
{
	md_kill_all();
	return 0;
}

static void start_testa(struct md_daemon *d, const char *const *extra)
{
	uint16_t dp, np;

	md_pick_ports(&dp, &np);
	if (md_start(d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np, NULL,
		     extra) != 0)
		fail_msg("mailslotd did not come up (log %s)", d->log);
}

static struct mailslot *reader(TALLOC_CTX *mem, const struct md_daemon *d,
			       const char *path, uint32_t timeout_ms)
{
	char name[256];
	struct mailslot *s = NULL;
	enum mailslot_error err;

	setenv("MAILSLOT_RUNTIME_DIR", d->rt, 1);
	snprintf(name, sizeof(name), "\\\\.\\mailslot\\%s", path);
	err = mailslot_server_create(mem, name, 0, timeout_ms, &s);
	if (err != MAILSLOT_OK)
		fail_msg("create %s: %s", name, mailslot_error_name(err));
	return s;
}

/* One message within the slot's timeout: its length (buf filled). */
static size_t read_one(struct mailslot *s, void *buf, size_t len)
{
	size_t n = 0;
	enum mailslot_error err = mailslot_read(s, buf, len, &n);

	if (err != MAILSLOT_OK)
		fail_msg("read: %s", mailslot_error_name(err));
	return n;
}

/* Nothing more arrives within ms. */
static void read_none(struct mailslot *s, uint32_t ms)
{
	uint8_t buf[2048];
	size_t n;
	enum mailslot_error err = md_read_within(s, ms, buf, sizeof(buf), &n);

	if (err != MAILSLOT_ERROR_SEM_TIMEOUT)
		fail_msg("a second copy arrived (%s, %zu bytes)",
			 mailslot_error_name(err), n);
}

struct counters {
	long long received, delivered, sent, dropped, fragments;
};

static struct counters counters(const struct md_daemon *d)
{
	char *j = md_status(NULL, d);
	struct counters c;

	if (j == NULL)
		fail_msg("no status from mailslotd");
	c.received = md_json(j, NULL, "received");
	c.delivered = md_json(j, NULL, "delivered");
	c.sent = md_json(j, NULL, "sent");
	c.fragments = md_json(j, NULL, "fragments");
	c.dropped = md_json_dropped_sum(j);
	talloc_free(j);
	return c;
}

static int write_cli(const struct md_daemon *d, const char *name,
		     const char *text, const char *file, char *out,
		     size_t outlen)
{
	const char *argv[8];
	size_t n = 0;

	argv[n++] = tool;
	argv[n++] = "write";
	argv[n++] = name;
	if (file != NULL) {
		argv[n++] = "--file";
		argv[n++] = file;
	} else if (text != NULL) {
		argv[n++] = text;
	}
	argv[n] = NULL;
	return md_run(d->rt, out, outlen, 15000, argv);
}

/* Write through the daemon with `mailslot write`; delivered exactly once. */
static void deliver_once(const struct md_daemon *d, struct mailslot *s,
			 const char *name, const char *text)
{
	struct counters a = counters(d), b;
	char out[2048], buf[1024];
	size_t n;
	int rc = write_cli(d, name, text, NULL, out, sizeof(out));

	if (rc != 0)
		fail_msg("mailslot write %s: exit %d: %s", name, rc, out);
	n = read_one(s, buf, sizeof(buf));
	assert_int_equal(n, strlen(text));
	assert_memory_equal(buf, text, n);
	read_none(s, 300);
	b = counters(d);
	assert_int_equal(b.sent - a.sent, 1);
	assert_int_equal(b.delivered - a.delivered, 1);
	assert_int_equal(b.received - a.received, 1);
	assert_int_equal(b.dropped - a.dropped, 0);
}

static void test_delivery(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslot *s, *s5;
	uint8_t big[425], buf[1024];
	char out[2048], path[512];
	struct counters a, b;
	size_t n;
	int64_t t0;
	int rc;
	FILE *f;

	start_testa(&d, NULL);
	s = reader(mem, &d, "dx", 3000);
	deliver_once(&d, s, "\\\\TESTA\\mailslot\\dx", "to the computer");
	deliver_once(&d, s, "\\\\testa\\MAILSLOT\\DX", "case does not matter");
	deliver_once(&d, s, "\\\\*\\mailslot\\dx", "to everyone");
	deliver_once(&d, s, "\\\\TESTWG\\mailslot\\dx", "to the workgroup");

	/* the largest payload for a 5-character name, byte for byte */
	assert_int_equal(smb_mailslot_max_payload("\\MAILSLOT\\abcde",
						  SMB_MAILSLOT_LAYOUT_MAIL),
			 424);
	s5 = reader(mem, &d, "abcde", 3000);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	snprintf(path, sizeof(path), "%s/big424", d.rt);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, 424, f), 424);
	fclose(f);
	a = counters(&d);
	rc = write_cli(&d, "\\\\TESTA\\mailslot\\abcde", NULL, path, out,
		       sizeof(out));
	if (rc != 0)
		fail_msg("424 bytes: exit %d: %s", rc, out);
	n = read_one(s5, buf, sizeof(buf));
	assert_int_equal(n, 424);
	assert_memory_equal(buf, big, 424);
	b = counters(&d);
	assert_int_equal(b.sent - a.sent, 1);
	assert_int_equal(b.delivered - a.delivered, 1);

	/* one byte more: ERROR_BAD_NETPATH and nothing on the wire */
	snprintf(path, sizeof(path), "%s/big425", d.rt);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, 425, f), 425);
	fclose(f);
	a = counters(&d);
	rc = write_cli(&d, "\\\\TESTA\\mailslot\\abcde", NULL, path, out,
		       sizeof(out));
	assert_int_equal(rc, 1);
	if (strstr(out, "ERROR_BAD_NETPATH") == NULL)
		fail_msg("425 bytes: %s", out);
	read_none(s5, 300);
	b = counters(&d);
	assert_int_equal(b.sent, a.sent);
	assert_int_equal(b.received, a.received);

	/* nobody answers for the name: ERROR_BAD_NETPATH, soon */
	a = counters(&d);
	t0 = md_now_ms();
	rc = write_cli(&d, "\\\\NOBODY\\mailslot\\dx", "lost", NULL, out,
		       sizeof(out));
	t0 = md_now_ms() - t0;
	assert_int_equal(rc, 1);
	if (strstr(out, "ERROR_BAD_NETPATH") == NULL)
		fail_msg("NOBODY: %s", out);
	printf("# \\\\NOBODY: ERROR_BAD_NETPATH after %lld ms\n",
	       (long long)t0);
	assert_true(t0 >= 500);	/* three queries, 250 ms apart */
	assert_true(t0 < 2500);
	b = counters(&d);
	assert_int_equal(b.sent, a.sent);
	read_none(s, 200);

	assert_int_equal(md_stop(&d, 5000), 0);
	talloc_free(mem);
}

/* Send raw bytes to the datagram port; exactly one drop of reason. */
static void expect_drop(const struct md_daemon *d, int fd, const void *buf,
			size_t len, const char *reason, const char *malformed)
{
	char *before = md_status(NULL, d), *after = NULL;
	long long r0 = md_json(before, NULL, "received");
	int64_t end = md_now_ms() + 5000;

	assert_non_null(before);
	assert_int_equal(md_sendto(fd, d->ip_h, d->dport, buf, len), 0);
	while (md_now_ms() < end) {
		talloc_free(after);
		after = md_status(NULL, d);
		if (md_json(after, NULL, "received") > r0)
			break;
		usleep(5000);
	}
	assert_non_null(after);
	assert_int_equal(md_json(after, NULL, "received"), r0 + 1);
	if (md_json(after, "dropped", reason) !=
	    md_json(before, "dropped", reason) + 1)
		fail_msg("expected one more %s drop:\nbefore %s\nafter %s",
			 reason, before, after);
	assert_int_equal(md_json_dropped_sum(after),
			 md_json_dropped_sum(before) + 1);
	assert_int_equal(md_json(after, NULL, "delivered"),
			 md_json(before, NULL, "delivered"));
	if (malformed != NULL &&
	    md_json(after, "malformed", malformed) !=
		    md_json(before, "malformed", malformed) + 1)
		fail_msg("expected malformed.%s + 1: %s", malformed, after);
	talloc_free(before);
	talloc_free(after);
}

static uint8_t *encode_dgram(TALLOC_CTX *mem, const struct nbt_dgram *dg,
			     size_t *len)
{
	uint8_t *b;

	*len = nbt_dgram_encoded_len(dg);
	b = talloc_size(mem, *len);
	assert_non_null(b);
	assert_int_equal(nbt_dgram_encode(dg, b, *len, NULL), CODEC_OK);
	return b;
}

static void test_drops(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct nbt_dgram dg, chk;
	struct smb_mailslot_write w;
	uint8_t *b, raw[64], smb[600];
	size_t len, smb_len;
	enum codec_error err;
	int fd;

	start_testa(&d, NULL);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);

	/* a well-formed write to somebody else */
	b = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 1, "OTHERHOST", 0,
			   "\\MAILSLOT\\dx", "x", 1, &len);
	assert_non_null(b);
	expect_drop(&d, fd, b, len, "not_our_name", NULL);
	/* our name with another suffix is not ours either */
	b = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 2, "TESTA", 0x20,
			   "\\MAILSLOT\\dx", "x", 1, &len);
	expect_drop(&d, fd, b, len, "not_our_name", NULL);
	/* BROADCAST to a name that is not "*" and not ours */
	b = md_build_write(mem, NBT_DGRAM_BROADCAST, 3, "SOMEONE", 0,
			   "\\MAILSLOT\\dx", "x", 1, &len);
	expect_drop(&d, fd, b, len, "not_our_name", NULL);

	/* malformed datagrams, with the codec's reason */
	memcpy(raw, (const uint8_t[]){ 0x10, 0x02, 0x00, 0x01, 0x7f }, 5);
	err = nbt_dgram_decode(raw, 5, &chk);
	assert_int_not_equal(err, CODEC_OK);
	expect_drop(&d, fd, raw, 5, "malformed_datagram",
		    codec_error_name(err));
	memset(raw, 0, 14);
	raw[0] = 0x20;	/* no such MSG_TYPE */
	err = nbt_dgram_decode(raw, 14, &chk);
	assert_int_equal(err, CODEC_ERR_DGRAM_UNKNOWN_TYPE);
	expect_drop(&d, fd, raw, 14, "malformed_datagram",
		    "CODEC_ERR_DGRAM_UNKNOWN_TYPE");
	expect_drop(&d, fd, raw, 0, "malformed_datagram",
		    codec_error_name(nbt_dgram_decode(raw, 0, &chk)));
	/* a name pointer where a datagram's name must be */
	b = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 4, "TESTA", 0,
			   "\\MAILSLOT\\dx", "x", 1, &len);
	{
		uint8_t *p = talloc_memdup(mem, b, len);
		p[14] = 0xc0;
		p[15] = 0x0c;
		err = nbt_dgram_decode(p, len, &chk);
		assert_int_not_equal(err, CODEC_OK);
		expect_drop(&d, fd, p, len, "malformed_datagram",
			    codec_error_name(err));
	}

	/* DATAGRAM ERROR and the NBDD query types */
	nbt_dgram_init(&dg, NBT_DGRAM_ERROR, NBT_NODE_B, 5, LO, 138);
	dg.error_code = NBT_DGRAM_ERR_NAME_NOT_PRESENT;
	b = encode_dgram(mem, &dg, &len);
	assert_int_equal(len, NBT_DGRAM_ERROR_LEN);
	expect_drop(&d, fd, b, len, "datagram_error", NULL);
	for (uint8_t t = NBT_DGRAM_QUERY_REQUEST;
	     t <= NBT_DGRAM_NEGATIVE_QUERY_RESPONSE; t++) {
		nbt_dgram_init(&dg, t, NBT_NODE_B, 6, LO, 138);
		assert_int_equal(nbt_name_make(&dg.dest, "TESTA", 0, NULL),
				 CODEC_OK);
		b = encode_dgram(mem, &dg, &len);
		expect_drop(&d, fd, b, len, "datagram_query", NULL);
	}

	/* for us, but not an SMB mailslot write */
	nbt_dgram_init(&dg, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, 7, LO, 138);
	nbt_name_make(&dg.source, "MDTEST", 0, NULL);
	nbt_name_make(&dg.dest, "TESTA", 0, NULL);
	dg.user_data = (const uint8_t *)"this is not an SMB";
	dg.user_data_len = 18;
	b = encode_dgram(mem, &dg, &len);
	err = smb_mailslot_decode(dg.user_data, dg.user_data_len, &w);
	assert_int_not_equal(err, CODEC_OK);
	expect_drop(&d, fd, b, len, "malformed_smb", codec_error_name(err));
	/* a real SMB whose DataCount and DataOffset lie */
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = "\\MAILSLOT\\dx";
	w.name_len = strlen(w.name);
	w.data = (const uint8_t *)"payload";
	w.data_len = 7;
	assert_int_equal(smb_mailslot_encode(&w, smb, sizeof(smb), &smb_len),
			 CODEC_OK);
	for (int which = 0; which < 2; which++) {
		uint8_t lie[600];
		struct smb_mailslot_write w2;
		memcpy(lie, smb, smb_len);
		/* DataCount at 55, DataOffset at 57 (SMB header 32 + WCT) */
		if (which == 0) {
			lie[55] = 0xff;
			lie[56] = 0x7f;
		} else {
			lie[57] = 0xf0;
			lie[58] = 0x0f;
		}
		err = smb_mailslot_decode(lie, smb_len, &w2);
		assert_int_not_equal(err, CODEC_OK);
		dg.id = (uint16_t)(8 + which);
		dg.user_data = lie;
		dg.user_data_len = smb_len;
		b = encode_dgram(mem, &dg, &len);
		expect_drop(&d, fd, b, len, "malformed_smb",
			    codec_error_name(err));
	}

	/* for us, well formed, but nobody reads that mailslot */
	b = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 10, "TESTA", 0,
			   "\\MAILSLOT\\nobody\\here", "x", 1, &len);
	expect_drop(&d, fd, b, len, "no_such_mailslot", NULL);
	b = md_build_write(mem, NBT_DGRAM_DIRECT_GROUP, 11, "TESTWG", 0,
			   "\\MAILSLOT\\nobody", "x", 1, &len);
	expect_drop(&d, fd, b, len, "no_such_mailslot", NULL);

	close(fd);
	assert_true(md_alive(&d));
	assert_int_equal(md_stop(&d, 5000), 0);
	talloc_free(mem);
}

/* A datagram to TESTA \MAILSLOT\frag split into exactly 2 fragments. */
static struct nbt_packet *two_fragments(TALLOC_CTX *mem, uint16_t id,
					const uint8_t *data, size_t data_len)
{
	struct smb_mailslot_write w;
	struct nbt_dgram dg;
	struct nbt_packet *pk = NULL;
	uint8_t *smb;
	size_t smb_len, count = 0, whole;

	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = "\\MAILSLOT\\frag";
	w.name_len = strlen(w.name);
	w.data = data;
	w.data_len = data_len;
	smb_len = smb_mailslot_encoded_len(&w);
	smb = talloc_size(mem, smb_len);
	assert_int_equal(smb_mailslot_encode(&w, smb, smb_len, NULL),
			 CODEC_OK);
	nbt_dgram_init(&dg, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, id, LO, 138);
	nbt_name_make(&dg.source, "MDTEST", 0, NULL);
	nbt_name_make(&dg.dest, "TESTA", 0, NULL);
	dg.user_data = smb;
	dg.user_data_len = smb_len;
	whole = nbt_dgram_encoded_len(&dg);
	assert_int_equal(nbt_dgram_fragment(mem, &dg, whole / 2 + 60, &pk,
					    &count), CODEC_OK);
	assert_int_equal(count, 2);
	return pk;
}

static void test_fragments(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslot *s;
	struct nbt_packet *pk;
	uint8_t data[400], buf[1024];
	struct counters a, b;
	int64_t t0;
	long long v;
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	start_testa(&d, NULL);
	s = reader(mem, &d, "frag", 3000);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);

	/* in order */
	a = counters(&d);
	pk = two_fragments(mem, 100, data, sizeof(data));
	assert_int_equal(md_sendto(fd, LO, d.dport, pk[0].data, pk[0].len), 0);
	assert_int_equal(md_sendto(fd, LO, d.dport, pk[1].data, pk[1].len), 0);
	assert_int_equal(read_one(s, buf, sizeof(buf)), sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(md_wait_counter(&d, "reassembly", "completed", 1,
					 2000), 1);
	b = counters(&d);
	assert_int_equal(b.fragments - a.fragments, 2);
	assert_int_equal(b.delivered - a.delivered, 1);

	/* out of order */
	data[0] = 0xee;
	pk = two_fragments(mem, 101, data, sizeof(data));
	assert_int_equal(md_sendto(fd, LO, d.dport, pk[1].data, pk[1].len), 0);
	assert_int_equal(md_wait_counter(&d, "reassembly", "pending", 1,
					 2000), 1);
	assert_int_equal(md_sendto(fd, LO, d.dport, pk[0].data, pk[0].len), 0);
	assert_int_equal(read_one(s, buf, sizeof(buf)), sizeof(data));
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(md_wait_counter(&d, "reassembly", "completed", 2,
					 2000), 2);
	assert_int_equal(md_wait_counter(&d, "reassembly", "pending", 0, 0),
			 0);
	read_none(s, 200);

	/* a first fragment alone waits, then expires (2 s, checked 1/s) */
	pk = two_fragments(mem, 102, data, sizeof(data));
	t0 = md_now_ms();
	assert_int_equal(md_sendto(fd, LO, d.dport, pk[0].data, pk[0].len), 0);
	assert_int_equal(md_wait_counter(&d, "reassembly", "pending", 1,
					 2000), 1);
	v = md_wait_counter(&d, "reassembly", "expired", 1, 6000);
	t0 = md_now_ms() - t0;
	printf("# lone first fragment expired after %lld ms\n",
	       (long long)t0);
	assert_int_equal(v, 1);
	assert_true(t0 >= 1900);
	assert_true(t0 <= 4500);
	assert_int_equal(md_wait_counter(&d, "reassembly", "pending", 0, 0),
			 0);
	/* its second half now arrives alone: pending again, never delivered */
	read_none(s, 200);
	close(fd);
	assert_int_equal(md_stop(&d, 5000), 0);
	talloc_free(mem);
}

/* ---- name service ---- */

static bool ns_ask(int fd, uint32_t ip, uint16_t port,
		   const struct nbt_ns_packet *q, struct nbt_ns_packet *a,
		   int timeout_ms)
{
	uint8_t buf[1500];
	size_t len;
	ssize_t n;
	int64_t end = md_now_ms() + timeout_ms;

	assert_int_equal(nbt_ns_encode(q, buf, sizeof(buf), &len), CODEC_OK);
	assert_int_equal(md_sendto(fd, ip, port, buf, len), 0);
	for (;;) {
		int left = (int)(end - md_now_ms());
		if (left <= 0)
			return false;
		n = md_recv(fd, buf, sizeof(buf), left, NULL);
		if (n < 0)
			return false;
		if (nbt_ns_decode(buf, (size_t)n, a) == CODEC_OK &&
		    a->id == q->id && a->response)
			return true;
	}
}

static void expect_query_answer(int fd, const struct md_daemon *d,
				uint16_t id, const char *name, bool group)
{
	struct nbt_ns_packet q, a;
	struct nbt_name n;

	nbt_name_make(&n, name, 0, NULL);
	nbt_ns_build_query(&q, id, &n, false);
	if (!ns_ask(fd, d->ip_h, d->nport, &q, &a, 1500))
		fail_msg("no answer to a query for %s<00>", name);
	assert_int_equal(a.opcode, NBT_NS_OP_QUERY);
	assert_int_equal(a.rcode, NBT_NS_RCODE_OK);
	assert_true(a.has_answer);
	assert_true(nbt_name_equal(&a.answer.name, &n));
	assert_int_equal(a.answer.num_addrs, 1);
	assert_int_equal(a.answer.addrs[0].ip, d->ip_h);
	assert_int_equal(!!(a.answer.addrs[0].nb_flags & NBT_NS_NB_GROUP),
			 group);
}

static void test_name_service(void **state)
{
	struct md_daemon d;
	struct nbt_ns_packet q, a;
	struct nbt_name n;
	bool saw_a = false, saw_wg = false;
	char *j, st[32];
	int fd, fd9;

	uint16_t dp, np;

	/* node status answers are off by default (docs/security.md) */
	md_pick_ports(&dp, &np);
	if (md_start(&d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np,
		     conf_write("ns.conf", "[global]\n"
				"  mailslot node status = yes\n"), NULL) != 0)
		fail_msg("mailslotd did not come up (log %s)", d.log);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);

	expect_query_answer(fd, &d, 0x1001, "TESTA", false);
	expect_query_answer(fd, &d, 0x1002, "TESTWG", true);

	/* a name nobody here owns: B-nodes stay silent */
	nbt_name_make(&n, "NOSUCHNAME", 0, NULL);
	nbt_ns_build_query(&q, 0x1003, &n, false);
	assert_false(ns_ask(fd, LO, d.nport, &q, &a, 700));
	nbt_name_make(&n, "TESTA", 0x20, NULL);
	nbt_ns_build_query(&q, 0x1004, &n, true);
	assert_false(ns_ask(fd, LO_BCAST, d.nport, &q, &a, 500));
	/* the socket still works: the silence meant something */
	expect_query_answer(fd, &d, 0x1005, "TESTA", false);

	/* unicast node status: both names, TESTWG as a group */
	nbt_name_make(&n, "*", 0, NULL);
	nbt_ns_build_status_request(&q, 0x1006, &n);
	if (!ns_ask(fd, LO, d.nport, &q, &a, 1500))
		fail_msg("no node status answer");
	assert_true(a.has_answer);
	assert_int_equal(a.answer.type, NBT_NS_TYPE_NBSTAT);
	for (size_t i = 0; i < a.answer.num_names; i++) {
		struct nbt_name e;
		nbt_name_make(&e, "TESTA", 0, NULL);
		if (memcmp(a.answer.names[i].raw, e.raw, NBT_NAME_LEN) == 0) {
			saw_a = true;
			assert_false(a.answer.names[i].flags &
				     NBT_NS_NAME_GROUP);
			assert_true(a.answer.names[i].flags &
				    NBT_NS_NAME_ACTIVE);
		}
		nbt_name_make(&e, "TESTWG", 0, NULL);
		if (memcmp(a.answer.names[i].raw, e.raw, NBT_NAME_LEN) == 0) {
			saw_wg = true;
			assert_true(a.answer.names[i].flags &
				    NBT_NS_NAME_GROUP);
		}
	}
	assert_true(saw_a);
	assert_true(saw_wg);

	/* broadcast node status: never answered (amplification) */
	nbt_ns_build_status_request(&q, 0x1007, &n);
	assert_false(ns_ask(fd, LO_BCAST, d.nport, &q, &a, 700));
	expect_query_answer(fd, &d, 0x1008, "TESTA", false);

	/* another address registers our unique name: refused */
	fd9 = md_udp_socket("127.0.0.9");
	assert_true(fd9 >= 0);
	nbt_name_make(&n, "TESTA", 0, NULL);
	nbt_ns_build_registration(&q, 0x1009, &n, 0, 0x7f000009, 300, false);
	if (!ns_ask(fd9, LO, d.nport, &q, &a, 1500))
		fail_msg("our unique name was not defended");
	assert_int_equal(a.opcode, NBT_NS_OP_REGISTRATION);
	assert_int_equal(a.rcode, NBT_NS_RCODE_ACT_ERR);
	assert_true(a.has_answer);
	assert_int_equal(a.answer.num_addrs, 1);
	assert_int_equal(a.answer.addrs[0].ip, LO);
	/* the same by broadcast, as a B-node registers */
	nbt_ns_build_registration(&q, 0x100a, &n, 0, 0x7f000009, 300, true);
	if (!ns_ask(fd9, LO_BCAST, d.nport, &q, &a, 1500))
		fail_msg("our unique name was not defended (broadcast)");
	assert_int_equal(a.rcode, NBT_NS_RCODE_ACT_ERR);
	/* joining our group is fine: no answer */
	nbt_name_make(&n, "TESTWG", 0, NULL);
	nbt_ns_build_registration(&q, 0x100b, &n, NBT_NS_NB_GROUP,
				  0x7f000009, 300, true);
	assert_false(ns_ask(fd9, LO_BCAST, d.nport, &q, &a, 500));
	j = md_status(NULL, &d);
	assert_string_equal(md_name_state(j, "TESTA<00>", st, sizeof(st)),
			    "active");
	talloc_free(j);
	close(fd9);
	close(fd);
	assert_int_equal(md_stop(&d, 5000), 0);
}

static void test_name_conflict(void **state)
{
	struct md_daemon a, b;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslot *sa, *sb;
	uint8_t *pkt, buf[512];
	size_t len;
	char *j, st[32];
	int fd;

	start_testa(&a, NULL);
	if (md_start(&b, "127.0.0.2/8", "TESTA", "TESTWG", a.dport, a.nport,
		     NULL, NULL) != 0)
		fail_msg("second mailslotd did not come up (log %s)", b.log);
	assert_true(md_log_wait(&b, "is in use", 2000));
	j = md_status(NULL, &b);
	assert_string_equal(md_name_state(j, "TESTA<00>", st, sizeof(st)),
			    "conflict");
	assert_string_equal(md_name_state(j, "TESTWG<00>", st, sizeof(st)),
			    "active");
	talloc_free(j);
	j = md_status(NULL, &a);
	assert_string_equal(md_name_state(j, "TESTA<00>", st, sizeof(st)),
			    "active");
	talloc_free(j);

	/* a datagram for TESTA that both daemons see reaches only A */
	sa = reader(mem, &a, "cf", 2000);
	sb = reader(mem, &b, "cf", 2000);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	pkt = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 77, "TESTA", 0,
			     "\\MAILSLOT\\cf", "only A", 6, &len);
	assert_int_equal(md_sendto(fd, LO_BCAST, a.dport, pkt, len), 0);
	assert_int_equal(read_one(sa, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "only A", 6);
	assert_int_equal(md_wait_counter(&b, "dropped", "not_our_name", 1,
					 2000), 1);
	read_none(sb, 300);
	read_none(sa, 100);
	j = md_status(NULL, &b);
	assert_int_equal(md_json(j, NULL, "delivered"), 0);
	talloc_free(j);
	close(fd);
	assert_int_equal(md_stop(&b, 5000), 0);
	assert_int_equal(md_stop(&a, 5000), 0);
	talloc_free(mem);
}

/* ---- signals and --pcap ---- */

static void test_signals(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct pcap_udp_packet *pk = NULL;
	char cfg[512], cap[512], sock[512], err[512];
	const char *extra[] = { "--pcap", cap, NULL };
	uint16_t dp, np;
	size_t count = 0;
	bool released = false;
	int64_t t0;
	int rc;
	FILE *f;

	conf_write("sig.conf", "[global]\n  workgroup = TESTWG\n");
	snprintf(cfg, sizeof(cfg), "%s/sig.conf", conf_dir);
	snprintf(cap, sizeof(cap), "%s/sig.pcap", conf_dir);
	md_pick_ports(&dp, &np);
	if (md_start(&d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np, cfg,
		     extra) != 0)
		fail_msg("mailslotd did not come up (log %s)", d.log);

	/* a good file is reloaded (broken ones: test_mailslotd_faults) */
	f = fopen(cfg, "w");
	assert_non_null(f);
	fputs("[global]\n  mailslot allow = 127.0.0.0/8\n", f);
	fclose(f);
	assert_int_equal(kill(d.pid, SIGHUP), 0);
	assert_true(md_log_wait(&d, "configuration reloaded", 3000));
	assert_true(md_alive(&d));

	/* SIGTERM: exit 0 quickly, socket gone, names released */
	snprintf(sock, sizeof(sock), "%s/mailslotd.sock", d.rt);
	assert_int_equal(access(sock, F_OK), 0);
	t0 = md_now_ms();
	rc = md_stop(&d, 2000);
	t0 = md_now_ms() - t0;
	assert_int_equal(rc, 0);
	assert_true(t0 < 2000);
	assert_int_equal(access(sock, F_OK), -1);
	assert_int_equal(errno, ENOENT);

	assert_int_equal(pcap_file_read_udp(mem, cap, &pk, &count, err), 0);
	for (size_t i = 0; i < count; i++) {
		struct nbt_ns_packet p;
		struct nbt_name n;
		nbt_name_make(&n, "TESTA", 0, NULL);
		if (pk[i].ep.src_port != np ||
		    nbt_ns_decode(pk[i].data, pk[i].len, &p) != CODEC_OK)
			continue;
		if (p.opcode == NBT_NS_OP_RELEASE && !p.response &&
		    nbt_name_equal(&p.question_name, &n) &&
		    pk[i].ep.dst_ip == LO_BCAST) {
			assert_true(p.has_additional);
			assert_int_equal(p.additional.addrs[0].ip, LO);
			released = true;
		}
	}
	if (!released)
		fail_msg("no release of TESTA<00> among %zu packets", count);
	talloc_free(mem);
}

static void test_pcap(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct pcap_udp_packet *pk = NULL;
	struct mailslot *s;
	char cap[512], out[1024], err[512], *j;
	const char *extra[] = { "--pcap", cap, NULL };
	uint8_t *mine[8], buf[256];
	size_t mine_len[8], nmine = 0, count = 0, dgram_frames = 0;
	size_t seen[8] = { 0 }, ns_mine = 0, ns_answers = 0, ns_frames = 0;
	long long received, sent, ns_received;
	struct nbt_ns_packet q, a;
	struct nbt_name n;
	uint16_t myport;
	int fd, rc;

	if (conf_dir[0] == '\0')
		conf_write("dummy", "");
	snprintf(cap, sizeof(cap), "%s/count.pcap", conf_dir);
	start_testa(&d, extra);
	s = reader(mem, &d, "pc", 3000);
	fd = md_udp_socket("127.0.0.1");
	assert_true(fd >= 0);
	{
		struct sockaddr_in me;
		socklen_t ml = sizeof(me);
		getsockname(fd, (struct sockaddr *)&me, &ml);
		myport = ntohs(me.sin_port);
	}

	for (int i = 0; i < 4; i++) {
		char text[32];
		snprintf(text, sizeof(text), "raw %d", i);
		mine[nmine] = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE,
					     (uint16_t)(200 + i), "TESTA", 0,
					     i % 2 ? "\\MAILSLOT\\pc"
						   : "\\MAILSLOT\\none",
					     text, strlen(text),
					     &mine_len[nmine]);
		nmine++;
	}
	mine[nmine] = talloc_memdup(mem, "garbage", 7);
	mine_len[nmine++] = 7;
	for (size_t i = 0; i < nmine; i++)
		assert_int_equal(md_sendto(fd, LO, d.dport, mine[i],
					   mine_len[i]), 0);
	for (int i = 0; i < 2; i++)
		read_one(s, buf, sizeof(buf));
	rc = write_cli(&d, "\\\\TESTA\\mailslot\\pc", "via the daemon", NULL,
		       out, sizeof(out));
	assert_int_equal(rc, 0);
	read_one(s, buf, sizeof(buf));
	nbt_name_make(&n, "TESTA", 0, NULL);
	nbt_ns_build_query(&q, 0x2001, &n, false);
	assert_true(ns_ask(fd, LO, d.nport, &q, &a, 1500));
	assert_int_equal(md_wait_counter(&d, NULL, "received", 6, 2000), 6);

	j = md_status(mem, &d);
	received = md_json(j, NULL, "received");
	sent = md_json(j, NULL, "sent");
	ns_received = md_json(j, "name_service", "received");
	assert_int_equal(sent, 1);
	assert_int_equal(md_stop(&d, 5000), 0);

	assert_int_equal(pcap_file_read_udp(mem, cap, &pk, &count, err), 0);
	for (size_t i = 0; i < count; i++) {
		const struct udp_endpoints *ep = &pk[i].ep;
		if (ep->src_port == d.dport || ep->dst_port == d.dport) {
			dgram_frames++;
			for (size_t k = 0; k < nmine; k++)
				if (pk[i].len == mine_len[k] &&
				    memcmp(pk[i].data, mine[k],
					   mine_len[k]) == 0 &&
				    ep->src_port == myport)
					seen[k]++;
		}
		if (ep->src_port == d.nport || ep->dst_port == d.nport) {
			ns_frames++;
			if (ep->src_port == myport)
				ns_mine++;
			if (ep->dst_port == myport)
				ns_answers++;
		}
	}
	printf("# pcap: %zu frames; datagram port %zu = received %lld + sent "
	       "%lld; name port %zu (received %lld)\n", count, dgram_frames,
	       received, sent, ns_frames, ns_received);
	assert_int_equal(dgram_frames, received + sent);
	for (size_t k = 0; k < nmine; k++)
		assert_int_equal(seen[k], 1);
	assert_int_equal(ns_mine, 1);
	assert_int_equal(ns_answers, 1);
	assert_true((long long)ns_frames >= ns_received);
	close(fd);
	talloc_free(mem);
}

static int setup_tool(void **state)
{
	md_build_path(tool, sizeof(tool), "tools/mailslot");
	if (access(tool, X_OK) != 0) {
		printf("%s missing: build first\n", tool);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	md_kill_all();
	if (conf_dir[0] != '\0' && getenv("MAILSLOT_TEST_KEEP") == NULL) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", conf_dir);
		if (system(cmd) != 0)
			printf("could not remove %s\n", conf_dir);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_smbconf_layout),
		cmocka_unit_test(test_config_spellings),
		cmocka_unit_test(test_config_networks),
		cmocka_unit_test(test_config_bad_values),
		cmocka_unit_test(test_config_unknown_ignored),
		cmocka_unit_test(test_config_real_samba),
		cmocka_unit_test_teardown(test_delivery, teardown_daemons),
		cmocka_unit_test_teardown(test_drops, teardown_daemons),
		cmocka_unit_test_teardown(test_fragments, teardown_daemons),
		cmocka_unit_test_teardown(test_name_service, teardown_daemons),
		cmocka_unit_test_teardown(test_name_conflict,
					  teardown_daemons),
		cmocka_unit_test_teardown(test_signals, teardown_daemons),
		cmocka_unit_test_teardown(test_pcap, teardown_daemons),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("test_mailslotd", tests,
					   setup_tool, group_teardown);
}
