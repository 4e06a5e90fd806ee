/*
 * mailslotd under garbage: while one sender writes 500 numbered messages
 * (one per ms), another blasts both ports for ~3 s with everything a
 * broken or hostile network sends.  The daemon must stay up, deliver
 * every valid message once and in order, account for every datagram in
 * its counters, keep reassembly bounded and its memory small.
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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "nbt/nbt_dgram.h"
#include "nbt/nbt_frag.h"
#include "nbt/nbt_ns.h"
#include "smb/smb_mailslot.h"
#include "test_mailslotd_util.h"

#define LO 0x7f000001u
#define VALID_COUNT 500
#define BLAST_MS 3000
#define BLAST_MAX 120000	/* datagrams, whatever the machine's speed */
#define REASM_PENDING_LIMIT 64	/* the daemon's default */

#if defined(__SANITIZE_ADDRESS__)
#define RSS_LIMIT_KB (256 * 1024) /* shadow memory and quarantine */
#else
#define RSS_LIMIT_KB (64 * 1024)
#endif

struct blast_result {
	uint64_t dgram_sent, ns_sent, first_frags, by_kind[12];
};

static const char *const kind_names[12] = {
	"empty", "short 1-13", "every type", "bad name", "pointer name",
	"lying DGM_LENGTH", "lying SMB counts", "oversize", "lone first frag",
	"random", "ns garbage", "ns mutated query",
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd();
}

/* The blaster, in a child process: counts what it sent into *res. */
static void blast(const struct md_daemon *d, struct blast_result *res)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	int fd = md_udp_socket("127.0.0.1");
	int nsfd = md_udp_socket("127.0.0.1");
	static uint8_t big[65000];
	uint8_t *tmpl, buf[2048], smb[600];
	size_t tlen, smb_len;
	struct smb_mailslot_write w;
	struct nbt_dgram dg;
	uint16_t frag_id = 1000;
	int64_t end = md_now_ms() + BLAST_MS;
	uint64_t n = 0;

	memset(res, 0, sizeof(*res));
	if (fd < 0 || nsfd < 0)
		return;
	rng_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	/* a valid write to TESTA for a mailslot nobody reads */
	tmpl = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 1, "TESTA", 0,
			      "\\MAILSLOT\\junk", "junk data", 9, &tlen);
	smb_mailslot_write_init(&w, SMB_MAILSLOT_LAYOUT_MAIL);
	w.name = "\\MAILSLOT\\junk";
	w.name_len = strlen(w.name);
	w.data = (const uint8_t *)"0123456789abcdef";
	w.data_len = 16;
	smb_mailslot_encode(&w, smb, sizeof(smb), &smb_len);
	nbt_dgram_init(&dg, NBT_DGRAM_DIRECT_UNIQUE, NBT_NODE_B, 1, LO, 138);
	nbt_name_make(&dg.source, "BLASTER", 0, NULL);
	nbt_name_make(&dg.dest, "TESTA", 0, NULL);

	while (md_now_ms() < end && n < BLAST_MAX) {
		unsigned kind = (unsigned)(n % 12);
		size_t len = 0;
		bool to_ns = kind >= 10;
		const uint8_t *p = buf;

		switch (kind) {
		case 0:
			len = 0;
			break;
		case 1:
			len = 1 + rnd() % 13;
			fill_random(buf, len);
			buf[0] = (uint8_t)(0x10 + rnd() % 7);
			break;
		case 2:
			memcpy(buf, tmpl, tlen);
			buf[0] = (uint8_t)(n / 12);
			len = tlen;
			break;
		case 3:
			memcpy(buf, tmpl, tlen);
			len = tlen;
			buf[14 + rnd() % 34] = (uint8_t)rnd();
			if (rnd() & 1)
				buf[14] = (uint8_t)(rnd() % 64);
			break;
		case 4:
			memcpy(buf, tmpl, tlen);
			len = tlen;
			buf[(rnd() & 1) ? 14 : 48] = 0xc0;
			buf[(rnd() & 1) ? 15 : 49] = (uint8_t)rnd();
			break;
		case 5:
			memcpy(buf, tmpl, tlen);
			len = tlen;
			buf[10] = (uint8_t)rnd();
			buf[11] = (uint8_t)rnd();
			buf[12] = (uint8_t)rnd();
			buf[13] = (uint8_t)(rnd() % 3);
			break;
		case 6: {
			uint8_t lie[600];
			size_t ulen;
			memcpy(lie, smb, smb_len);
			/* TotalDataCount, ParamCount/Offset, DataCount/Offset,
			 * BCC: somewhere among bytes 35..68 */
			for (int k = 0; k < 2; k++)
				lie[35 + rnd() % 34] = (uint8_t)rnd();
			dg.id = (uint16_t)n;
			dg.user_data = lie;
			dg.user_data_len = smb_len;
			ulen = nbt_dgram_encoded_len(&dg);
			if (nbt_dgram_encode(&dg, buf, sizeof(buf), NULL) ==
			    CODEC_OK)
				len = ulen;
			break;
		}
		case 7:
			/* a real header, then far too much */
			memcpy(big, tmpl, tlen);
			len = (rnd() & 1) ? 65000 : 600 + rnd() % 3000;
			fill_random(big + tlen, len - tlen);
			p = big;
			break;
		case 8: {
			/* F and M set: a first fragment that never completes */
			memcpy(buf, tmpl, tlen);
			len = tlen;
			buf[1] |= NBT_DGRAM_FLAG_FIRST | NBT_DGRAM_FLAG_MORE;
			buf[2] = (uint8_t)(frag_id >> 8);
			buf[3] = (uint8_t)frag_id;
			frag_id++;
			res->first_frags++;
			break;
		}
		case 9:
			len = 14 + rnd() % 600;
			fill_random(buf, len);
			break;
		case 10:
			len = rnd() % 80;
			fill_random(buf, len);
			break;
		case 11: {
			struct nbt_ns_packet q;
			struct nbt_name nm;
			nbt_name_make(&nm, (rnd() & 3) ? "SOMEONE" : "TESTA",
				      0, NULL);
			if (rnd() & 1)
				nbt_ns_build_query(&q, (uint16_t)n, &nm, false);
			else
				nbt_ns_build_registration(&q, (uint16_t)n, &nm,
							  0, 0x7f000009, 60,
							  true);
			nbt_ns_encode(&q, buf, sizeof(buf), &len);
			if (len > 12 && (rnd() & 1))
				buf[12 + rnd() % (len - 12)] =
					(uint8_t)rnd();
			if (rnd() % 4 == 0)
				len = rnd() % len;
			break;
		}
		}
		if (md_sendto(to_ns ? nsfd : fd, LO,
			      to_ns ? d->nport : d->dport, p, len) == 0) {
			if (to_ns)
				res->ns_sent++;
			else
				res->dgram_sent++;
			res->by_kind[kind]++;
		}
		n++;
		/* drain name service answers so they cost nothing */
		if (n % 64 == 0) {
			while (md_recv(nsfd, buf, sizeof(buf), 0, NULL) >= 0)
				;
			usleep(300);
		}
	}
	talloc_free(mem);
}

static void send_valid(const struct md_daemon *d)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	int fd = md_udp_socket("127.0.0.1");

	for (int i = 0; fd >= 0 && i < VALID_COUNT; i++) {
		char text[32];
		size_t len;
		uint8_t *b;

		snprintf(text, sizeof(text), "valid %05d", i);
		b = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, (uint16_t)i,
				   "TESTA", 0, "\\MAILSLOT\\valid", text,
				   strlen(text), &len);
		if (b == NULL || md_sendto(fd, LO, d->dport, b, len) != 0)
			_exit(1);
		talloc_free(b);
		usleep(1000);
	}
	talloc_free(mem);
}

static pid_t spawn(void (*fn)(const struct md_daemon *, int),
		   const struct md_daemon *d, int wfd)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(d, wfd);
		_exit(0);
	}
	return pid;
}

static void run_blaster(const struct md_daemon *d, int wfd)
{
	struct blast_result r;

	usleep(100000);
	blast(d, &r);
	if (write(wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		_exit(1);
}

static void run_valid(const struct md_daemon *d, int wfd)
{
	usleep(800000); /* well inside the blast */
	send_valid(d);
}

static void test_garbage(void **state)
{
	struct md_daemon d;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslot *s;
	struct blast_result br;
	uint16_t dp, np;
	pid_t bpid, vpid;
	int p[2], last = -1, got = 0, out_of_order = 0;
	long peak_rss = 0, rss0;
	int64_t deadline;
	char *j0, *j = NULL, name[64];
	long long kd, kn, recv_want, received, delivered, dropped_sum;
	long long fragments, drop_frag, pending, expired, completed;

	md_pick_ports(&dp, &np);
	if (md_start(&d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np, NULL,
		     NULL) != 0)
		fail_msg("mailslotd did not come up (log %s)", d.log);
	setenv("MAILSLOT_RUNTIME_DIR", d.rt, 1);
	assert_int_equal(mailslot_server_create(mem,
						"\\\\.\\mailslot\\valid", 0,
						20, &s), MAILSLOT_OK);
	j0 = md_status(mem, &d);
	assert_non_null(j0);
	rss0 = md_rss_kb(d.pid);

	assert_int_equal(pipe(p), 0);
	bpid = spawn(run_blaster, &d, p[1]);
	vpid = spawn(run_valid, &d, p[1]);
	assert_true(bpid > 0 && vpid > 0);
	close(p[1]);

	/* read the valid ones while it all happens; watch the memory */
	deadline = md_now_ms() + BLAST_MS + 8000;
	while (md_now_ms() < deadline && got < VALID_COUNT) {
		uint8_t buf[256];
		size_t n;
		long rss = md_rss_kb(d.pid);
		enum mailslot_error err;

		if (rss > peak_rss)
			peak_rss = rss;
		err = mailslot_read(s, buf, sizeof(buf), &n);
		if (err == MAILSLOT_ERROR_SEM_TIMEOUT) {
			/* after both senders are done, quiet means done */
			int vst;
			if (vpid > 0 && waitpid(vpid, &vst, WNOHANG) == vpid) {
				assert_true(WIFEXITED(vst));
				assert_int_equal(WEXITSTATUS(vst), 0);
				vpid = 0;
			}
			if (vpid == 0 && md_now_ms() > deadline - 6000)
				break;
			continue;
		}
		assert_int_equal(err, MAILSLOT_OK);
		buf[n < sizeof(buf) ? n : sizeof(buf) - 1] = '\0';
		{
			int seq = -1;
			if (sscanf((char *)buf, "valid %d", &seq) != 1)
				fail_msg("not a valid message: '%s'", buf);
			if (seq <= last)
				out_of_order++;
			last = seq;
		}
		got++;
	}
	if (vpid > 0)
		assert_int_equal(md_wait_exit(vpid, 10000), 0);
	assert_int_equal(read(p[0], &br, sizeof(br)), sizeof(br));
	assert_int_equal(md_wait_exit(bpid, 10000), 0);
	close(p[0]);

	assert_true(md_alive(&d));
	/* everything sent has been read by the daemon or dropped by the
	 * kernel; wait (bounded) for the counters to settle */
	kd = md_udp_drops(d.pid, d.dport);
	kn = md_udp_drops(d.pid, d.nport);
	recv_want = md_json(j0, NULL, "received") + (long long)br.dgram_sent +
		    VALID_COUNT - kd;
	md_wait_counter(&d, NULL, "received", recv_want, 5000);
	j = md_status(mem, &d);
	assert_non_null(j);
	{
		long rss = md_rss_kb(d.pid);
		if (rss > peak_rss)
			peak_rss = rss;
	}

	received = md_json(j, NULL, "received") - md_json(j0, NULL, "received");
	delivered = md_json(j, NULL, "delivered") -
		    md_json(j0, NULL, "delivered");
	dropped_sum = md_json_dropped_sum(j) - md_json_dropped_sum(j0);
	fragments = md_json(j, NULL, "fragments");
	drop_frag = md_json(j, "dropped", "fragment");
	pending = md_json(j, "reassembly", "pending");
	expired = md_json(j, "reassembly", "expired");
	completed = md_json(j, "reassembly", "completed");

	printf("# sent: %llu garbage datagrams to the datagram port, %llu to "
	       "the name port, %d valid\n",
	       (unsigned long long)br.dgram_sent,
	       (unsigned long long)br.ns_sent, VALID_COUNT);
	for (int k = 0; k < 12; k++)
		printf("#   %-18s %llu\n", kind_names[k],
		       (unsigned long long)br.by_kind[k]);
	printf("# kernel receive drops: datagram port %lld, name port %lld\n",
	       kd, kn);
	printf("# daemon: received %lld, delivered %lld, dropped %lld, "
	       "fragments %lld (refused %lld), reassembly pending %lld "
	       "expired %lld completed %lld\n", received, delivered,
	       dropped_sum, fragments, drop_frag, pending, expired,
	       completed);
	{
		const char *dr = strstr(j, "\"dropped\":{");
		const char *mf = strstr(j, "\"malformed\":{");
		printf("# dropped by reason: %.*s\n",
		       (int)(strchr(dr, '}') - dr + 1), dr);
		printf("# malformed by codec error: %.*s\n",
		       (int)(strchr(mf, '}') - mf + 1), mf);
	}
	printf("# name service: received %lld, answered %lld, dropped %lld\n",
	       md_json(j, "name_service", "received") -
		       md_json(j0, "name_service", "received"),
	       md_json(j, "name_service", "answered") -
		       md_json(j0, "name_service", "answered"),
	       md_json(j, "name_service", "dropped") -
		       md_json(j0, "name_service", "dropped"));
	printf("# valid messages read: %d of %d, out of order %d; daemon "
	       "VmRSS %ld kB at start, peak %ld kB (limit %d kB)\n", got,
	       VALID_COUNT, out_of_order, rss0, peak_rss, RSS_LIMIT_KB);

	/* every datagram the kernel let through was counted once */
	assert_int_equal(received + kd, (long long)br.dgram_sent +
					    VALID_COUNT);
	assert_int_equal(md_json(j, "name_service", "received") -
				 md_json(j0, "name_service", "received") + kn,
			 (long long)br.ns_sent);
	/* ... and ended somewhere: delivered, dropped by reason, or held
	 * by (then expired from) reassembly; no garbage fragment completes */
	assert_int_equal(completed, 0);
	assert_int_equal(fragments - drop_frag, pending + expired);
	assert_int_equal(received, delivered + dropped_sum +
				   (fragments - drop_frag));
	assert_true(fragments >= 1);
	assert_true(pending <= REASM_PENDING_LIMIT);
	assert_true(md_json(j, "reassembly", "bytes") <= 64 * (2048 + 256));

	/* the valid ones: once each, in order; kernel losses reported */
	assert_int_equal(out_of_order, 0);
	assert_int_equal(delivered, got);
	if (got < VALID_COUNT) {
		printf("# %d valid messages lost, all of them in the kernel "
		       "(%lld receive drops on the datagram port)\n",
		       VALID_COUNT - got, kd);
		assert_true(VALID_COUNT - got <= kd);
	}
	assert_true(peak_rss > 0);
	assert_true(peak_rss < RSS_LIMIT_KB);

	/* and it still works */
	assert_non_null(md_status(mem, &d));
	assert_string_equal(md_name_state(j, "TESTA<00>", name,
					  sizeof(name)), "active");
	assert_int_equal(md_stop(&d, 5000), 0);
	talloc_free(mem);
}

static int teardown(void **state)
{
	md_kill_all();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_garbage, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("test_mailslotd_garbage", tests,
					   NULL, NULL);
}
