#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_libmailslot_util.h"

static char runtime_dir[256];

const char *tl_runtime_setup(void)
{
	snprintf(runtime_dir, sizeof(runtime_dir), "/tmp/mailslot-test-XXXXXX");
	if (mkdtemp(runtime_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	setenv("MAILSLOT_RUNTIME_DIR", runtime_dir, 1);
	return runtime_dir;
}

/* Two levels are all the library ever makes. */
static void remove_tree(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[1024];

	if (d != NULL && depth < 3) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (unlink(sub) != 0 && errno == EISDIR)
				remove_tree(sub, depth + 1);
		}
	}
	if (d != NULL)
		closedir(d);
	rmdir(path);
}

void tl_runtime_teardown(void)
{
	if (runtime_dir[0] != '\0')
		remove_tree(runtime_dir, 0);
}

int64_t tl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tl_wait_child(int pid, int timeout_ms)
{
	int64_t end = tl_now_ms() + timeout_ms;
	int status;

	while (tl_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status)
						 : 128 + WTERMSIG(status);
		if (r < 0)
			return -1;
		usleep(2000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

const char *tl_name(const char *tag)
{
	static char buf[8][200];
	static int next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), "\\\\.\\mailslot\\tl\\%s-%d", tag,
		 (int)getpid());
	return b;
}
