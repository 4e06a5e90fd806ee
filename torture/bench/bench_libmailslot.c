/*
 * libmailslot against a raw AF_UNIX SOCK_DGRAM socketpair, same run, same
 * machine: throughput (messages/s) and write-to-read latency (p50, p99)
 * for 16- and 424-byte messages, one writer and eight.  Not a test: run
 * build/torture/bench/bench_libmailslot and read the ratios.
 *
 * Fairness: both sides run the same message counts, the same way: the
 * writers are forked and open their handle first, then wait at a start
 * barrier; the clock starts when they are released, so process creation
 * and open are timed for neither.  Each configuration is run once untimed
 * first (warm-up).  The runtime directory is on tmpfs (/dev/shm), as
 * $XDG_RUNTIME_DIR and /run are in real use, unless --dir says otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libmailslot/mailslot.h"

#define TPUT_TOTAL 200000
#define LAT_PER_WRITER 4000
#define LAT_GAP_US 200
#define WARMUP_TOTAL 20000
#define MAXW 8

struct stamp {
	uint64_t ns;
	uint32_t writer;
	uint32_t seq;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct impl {
	const char *label;
	/* parent: prepare the reader; child: open a writer */
	void (*setup)(void);
	void (*writer_open)(void);
	int (*write)(const void *buf, size_t len);
	int (*read)(void *buf, size_t len);
	void (*teardown)(void);
};

/* raw socketpair: every writer process shares sv[1] */
static int sv[2];

static void raw_setup(void)
{
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
		exit(1);
}

static void raw_writer_open(void)
{
}

static int raw_write(const void *buf, size_t len)
{
	return send(sv[1], buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static int raw_read(void *buf, size_t len)
{
	return recv(sv[0], buf, len, 0) < 0 ? -1 : 0;
}

static void raw_teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

static struct mailslot *ms_server, *ms_client;
static const char ms_name[] = "\\\\.\\mailslot\\bench";

static void ms_setup(void)
{
	if (mailslot_server_create(NULL, ms_name, 0, MAILSLOT_WAIT_FOREVER,
				   &ms_server) != MAILSLOT_OK)
		exit(1);
}

static void ms_writer_open(void)
{
	talloc_free(ms_server);	/* the child's copy only closes fds */
	if (mailslot_client_open(NULL, ms_name, &ms_client) != MAILSLOT_OK)
		exit(2);
}

static int ms_write(const void *buf, size_t len)
{
	for (int i = 0; i < 1000000; i++) {
		enum mailslot_error err = mailslot_write(ms_client, buf, len);

		if (err != MAILSLOT_ERROR_NOT_ENOUGH_QUOTA)
			return err == MAILSLOT_OK ? 0 : -1;
		usleep(50);	/* queue full: wait for the reader */
	}
	return -1;
}

static int ms_read(void *buf, size_t len)
{
	size_t n;

	return mailslot_read(ms_server, buf, len, &n) == MAILSLOT_OK ? 0 : -1;
}

static void ms_teardown(void)
{
	TALLOC_FREE(ms_server);
}

static const struct impl impls[] = {
	{ "raw AF_UNIX", raw_setup, raw_writer_open, raw_write, raw_read,
	  raw_teardown },
	{ "libmailslot", ms_setup, ms_writer_open, ms_write, ms_read,
	  ms_teardown },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double mps;
	double p50_us, p99_us;
};

/*
 * One run: writers write `per` messages each, `gap_us` apart.  Returns the
 * seconds from releasing the writers to reading the last message.
 */
static double run(const struct impl *im, size_t size, int writers, int per,
		  int gap_us, uint64_t *lat)
{
	uint8_t buf[512] = { 0 };
	pid_t pids[MAXW];
	int total = writers * per;
	int barrier[2];
	uint64_t t0;
	double secs;

	/* the ms server must be freed in the child, not unlinked: fork
	 * children drop it through talloc_free, which would remove it, so
	 * the child only closes its descriptors by exiting via _exit. */
	if (pipe(barrier) != 0)
		exit(1);
	im->setup();
	for (int w = 0; w < writers; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			char c;

			if (im == &impls[1]) {
				/* keep the parent's mailslot alive */
				talloc_set_destructor(ms_server, NULL);
				ms_server = NULL;
				if (mailslot_client_open(NULL, ms_name,
							 &ms_client) !=
				    MAILSLOT_OK)
					_exit(2);
			} else {
				im->writer_open();
			}
			close(barrier[1]);
			/* start barrier: EOF when the parent starts the clock */
			(void)!read(barrier[0], &c, 1);
			for (int i = 0; i < per; i++) {
				struct stamp *s = (struct stamp *)buf;

				s->writer = (uint32_t)w;
				s->seq = (uint32_t)i;
				s->ns = now_ns();
				if (im->write(buf, size) != 0)
					_exit(3);
				if (gap_us)
					usleep((useconds_t)gap_us);
			}
			_exit(0);
		}
	}
	close(barrier[0]);
	t0 = now_ns();
	close(barrier[1]);
	for (int i = 0; i < total; i++) {
		if (im->read(buf, sizeof(buf)) != 0) {
			fprintf(stderr, "%s: read failed\n", im->label);
			exit(1);
		}
		lat[i] = now_ns() - ((struct stamp *)buf)->ns;
	}
	secs = (double)(now_ns() - t0) / 1e9;
	for (int w = 0; w < writers; w++)
		waitpid(pids[w], NULL, 0);
	im->teardown();
	return secs;
}

static struct result measure(const struct impl *im, size_t size,
			     int writers)
{
	uint64_t *lat = calloc(TPUT_TOTAL + MAXW * LAT_PER_WRITER,
			       sizeof(uint64_t));
	struct result r;
	int n = writers * LAT_PER_WRITER;

	/* warm-up, untimed: page cache, ring pages, scheduler */
	run(im, size, writers, WARMUP_TOTAL / writers, 0, lat);
	r.mps = TPUT_TOTAL / run(im, size, writers, TPUT_TOTAL / writers, 0,
				 lat);
	/* latency: paced writers, so queueing does not dominate */
	run(im, size, writers, LAT_PER_WRITER, LAT_GAP_US, lat);
	qsort(lat, (size_t)n, sizeof(uint64_t), cmp_u64);
	r.p50_us = (double)lat[n / 2] / 1000.0;
	r.p99_us = (double)lat[(n * 99) / 100] / 1000.0;
	free(lat);
	return r;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_libmailslot [--dir DIR] [--rounds N]\n"
		"  libmailslot against a raw AF_UNIX SOCK_DGRAM socketpair,\n"
		"  same run: throughput and write-to-read latency (p50, p99)\n"
		"  for 16/424-byte messages, 1 and 8 writers, with ratios.\n"
		"  --dir DIR  parent of the temporary runtime directory\n"
		"             (default /dev/shm, tmpfs like a real runtime\n"
		"             directory; /tmp when /dev/shm is unusable)\n"
		"  --rounds N raw and libmailslot alternate N times per\n"
		"             case (default 5); the ratios printed are the\n"
		"             medians of the per-round ratios, so load that\n"
		"             drifts during the run hits both sides alike\n");
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 16, 424 };
	static const int writers[] = { 1, 8 };
	const char *parent = NULL;
	char dir[PATH_MAX];
	int rounds = 5;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			parent = argv[++i];
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1 || rounds > 99) {
				usage(stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (parent == NULL)
		parent = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm"
							     : "/tmp";
	snprintf(dir, sizeof(dir), "%s/mailslot-bench-XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	setenv("MAILSLOT_RUNTIME_DIR", dir, 1);
	printf("runtime directory: %s\n", dir);
	signal(SIGPIPE, SIG_IGN);
	printf("%-5s %-3s %-12s %12s %10s %10s\n", "size", "wr", "impl",
	       "msgs/s", "p50 us", "p99 us");
	for (size_t s = 0; s < 2; s++) {
		for (size_t w = 0; w < 2; w++) {
			double tput[99], p99[99];

			for (int k = 0; k < rounds; k++) {
				struct result raw = measure(&impls[0], sizes[s],
							    writers[w]);
				struct result ms = measure(&impls[1], sizes[s],
							   writers[w]);

				printf("%-5zu %-3d %-12s %12.0f %10.1f %10.1f\n",
				       sizes[s], writers[w], impls[0].label,
				       raw.mps, raw.p50_us, raw.p99_us);
				printf("%-5zu %-3d %-12s %12.0f %10.1f %10.1f\n",
				       sizes[s], writers[w], impls[1].label,
				       ms.mps, ms.p50_us, ms.p99_us);
				tput[k] = ms.mps / raw.mps;
				p99[k] = ms.p99_us / raw.p99_us;
			}
			qsort(tput, (size_t)rounds, sizeof(double), cmp_double);
			qsort(p99, (size_t)rounds, sizeof(double), cmp_double);
			printf("      ratio (median of %d rounds): throughput "
			       "%.2fx [%.2f..%.2f] (target >= 0.7), p99 latency "
			       "%.2fx [%.2f..%.2f] (target <= 1.5)\n", rounds,
			       tput[rounds / 2], tput[0], tput[rounds - 1],
			       p99[rounds / 2], p99[0], p99[rounds - 1]);
			fflush(stdout);
		}
	}
	rmdir(dir);
	return 0;
}
