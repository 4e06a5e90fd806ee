/*
 * bench_mailslotd: datagrams per second from UDP into a local mailslot
 * through mailslotd, against a raw C loop that only receives the same
 * datagrams on a UDP socket.  One sender process, 424-byte messages (the
 * most a 5-character mailslot name allows), both on loopback, same count
 * and the same flow control in the same run: the sender keeps at most
 * WINDOW datagrams in flight (sent and not yet received by the reader),
 * so neither path loses anything to a full socket and the rates measure
 * the receive path.
 *
 *   bench_mailslotd [--count N] [--window W]
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libmailslot/mailslot.h"
#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "../test_mailslotd_util.h"

#define LO 0x7f000001u
#define PAYLOAD 424

struct shared {
	volatile uint64_t received;	/* by the reader */
	volatile uint64_t sent;
};

static struct shared *sh;

/* The sender: count datagrams to port, at most window in flight. */
static pid_t sender(const uint8_t *pkt, size_t len, uint16_t port,
		    uint64_t count, uint64_t window)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	{
		int fd = md_udp_socket("127.0.0.1");
		int64_t stall = 0;
		if (fd < 0)
			_exit(1);
		for (uint64_t i = 0; i < count; i++) {
			while (i - __atomic_load_n(&sh->received,
						   __ATOMIC_ACQUIRE) >= window) {
				/* a lost datagram must not stall us forever */
				if (stall == 0)
					stall = md_now_ms();
				else if (md_now_ms() - stall > 2000)
					break;
				sched_yield();
			}
			stall = 0;
			if (md_sendto(fd, LO, port, pkt, len) != 0)
				_exit(1);
			__atomic_store_n(&sh->sent, i + 1, __ATOMIC_RELEASE);
		}
		_exit(0);
	}
}

struct result {
	uint64_t got;
	double seconds;
};

static void reap(pid_t pid)
{
	int st;
	int64_t end = md_now_ms() + 10000;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (md_now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return;
		}
		usleep(1000);
	}
}

static struct result run_raw(const uint8_t *pkt, size_t len, uint64_t count,
			     uint64_t window)
{
	struct result r = { 0, 0 };
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	int fd = md_udp_socket("127.0.0.1"), big = 4 << 20;
	uint8_t buf[2048];
	int64_t t0 = 0, t1 = 0;
	pid_t pid;

	if (fd < 0)
		return r;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	getsockname(fd, (struct sockaddr *)&me, &ml);
	sh->received = sh->sent = 0;
	pid = sender(pkt, len, ntohs(me.sin_port), count, window);
	while (r.got < count) {
		ssize_t n = md_recv(fd, buf, sizeof(buf), 2000, NULL);
		if (n < 0)
			break;
		if (r.got == 0)
			t0 = md_now_ms();
		t1 = md_now_ms();
		r.got++;
		__atomic_store_n(&sh->received, r.got, __ATOMIC_RELEASE);
	}
	reap(pid);
	close(fd);
	r.seconds = (double)(t1 - t0) / 1000.0;
	return r;
}

static struct result run_daemon(const struct md_daemon *d,
				const uint8_t *pkt, size_t len,
				uint64_t count, uint64_t window)
{
	struct result r = { 0, 0 };
	struct mailslot *s;
	uint8_t buf[1024];
	int64_t t0 = 0, t1 = 0;
	pid_t pid;

	setenv("MAILSLOT_RUNTIME_DIR", d->rt, 1);
	if (mailslot_server_create(NULL, "\\\\.\\mailslot\\bench", 0, 2000,
				   &s) != MAILSLOT_OK)
		return r;
	sh->received = sh->sent = 0;
	pid = sender(pkt, len, d->dport, count, window);
	while (r.got < count) {
		size_t n;
		if (mailslot_read(s, buf, sizeof(buf), &n) != MAILSLOT_OK)
			break;
		if (n != PAYLOAD || buf[0] != 0xa5 || buf[PAYLOAD - 1] != 0x5a) {
			fprintf(stderr, "bench: a corrupt message (%zu bytes)\n",
				n);
			break;
		}
		if (r.got == 0)
			t0 = md_now_ms();
		t1 = md_now_ms();
		r.got++;
		__atomic_store_n(&sh->received, r.got, __ATOMIC_RELEASE);
	}
	reap(pid);
	talloc_free(s);
	r.seconds = (double)(t1 - t0) / 1000.0;
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "window", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 50000, window = 64;
	TALLOC_CTX *mem = talloc_new(NULL);
	struct md_daemon d;
	uint8_t data[PAYLOAD], *pkt;
	size_t len;
	uint16_t dp, np;
	struct result raw, dmn;
	double raw_rate, d_rate;
	char *j;
	int c;

	while ((c = getopt_long(argc, argv, "c:w:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': count = strtoull(optarg, NULL, 10); break;
		case 'w': window = strtoull(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_mailslotd [--count N] "
				"[--window W]\n");
			return 2;
		}
	}
	if (count < 2 || window < 1)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	if (smb_mailslot_max_payload("\\MAILSLOT\\bench",
				     SMB_MAILSLOT_LAYOUT_MAIL) != PAYLOAD) {
		fprintf(stderr, "bench: 424 is no longer the limit\n");
		return 1;
	}
	for (size_t i = 0; i < PAYLOAD; i++)
		data[i] = (uint8_t)(i * 31);
	data[0] = 0xa5;
	data[PAYLOAD - 1] = 0x5a;
	pkt = md_build_write(mem, NBT_DGRAM_DIRECT_UNIQUE, 1, "TESTA", 0,
			     "\\MAILSLOT\\bench", data, PAYLOAD, &len);
	if (pkt == NULL)
		return 1;

	md_pick_ports(&dp, &np);
	if (md_start(&d, "127.0.0.1/8", "TESTA", "TESTWG", dp, np, NULL,
		     (const char *const[]){ "-d", "1", NULL }) != 0) {
		fprintf(stderr, "bench: mailslotd did not start (%s)\n",
			d.log);
		md_kill_all();
		return 1;
	}
	raw = run_raw(pkt, len, count, window);
	dmn = run_daemon(&d, pkt, len, count, window);
	j = md_status(mem, &d);
	raw_rate = raw.seconds > 0 ? (double)raw.got / raw.seconds : 0;
	d_rate = dmn.seconds > 0 ? (double)dmn.got / dmn.seconds : 0;

	printf("%d-byte messages (%zu-byte datagrams), %llu per path, at most "
	       "%llu in flight, one sender, loopback\n\n", PAYLOAD, len,
	       (unsigned long long)count, (unsigned long long)window);
	printf("%-34s %10s %8s %9s %12s\n", "path", "received", "lost",
	       "seconds", "datagrams/s");
	printf("%-34s %10llu %8llu %9.3f %12.0f\n", "raw UDP receive loop",
	       (unsigned long long)raw.got,
	       (unsigned long long)(count - raw.got), raw.seconds, raw_rate);
	printf("%-34s %10llu %8llu %9.3f %12.0f\n",
	       "mailslotd -> mailslot reader", (unsigned long long)dmn.got,
	       (unsigned long long)(count - dmn.got), dmn.seconds, d_rate);
	printf("\nratio mailslotd / raw: %.2fx (target >= 0.5x)\n",
	       raw_rate > 0 ? d_rate / raw_rate : 0);
	printf("daemon: received %lld, delivered %lld, dropped %lld, kernel "
	       "receive drops %lld\n", md_json(j, NULL, "received"),
	       md_json(j, NULL, "delivered"), md_json_dropped_sum(j),
	       md_udp_drops(d.pid, d.dport));
	md_stop(&d, 5000);
	md_kill_all();
	talloc_free(mem);
	return dmn.got == count && raw.got == count ? 0 : 1;
}
