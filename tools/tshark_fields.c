#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tshark_fields.h"

const char *tshark_find(void)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/local/bin",
					    "/bin", NULL };
	const char *env = getenv("MAILSLOT_TSHARK");
	static char path[256];

	if (env != NULL && *env != '\0')
		return access(env, X_OK) == 0 ? env : NULL;
	for (size_t i = 0; dirs[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/tshark", dirs[i]);
		if (access(path, X_OK) == 0)
			return path;
	}
	return NULL;
}

/* Split one tab-separated line into exactly n strings. */
static char **split_tabs(TALLOC_CTX *mem_ctx, const char *line, size_t n)
{
	char **v = talloc_zero_array(mem_ctx, char *, n);
	const char *p = line;

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *tab = p ? strchr(p, '\t') : NULL;
		size_t len = p ? (tab ? (size_t)(tab - p) : strlen(p)) : 0;
		v[i] = talloc_strndup(v, p ? p : "", len);
		p = tab ? tab + 1 : NULL;
	}
	return v;
}

static char *read_all(TALLOC_CTX *mem_ctx, int fd)
{
	char *buf = talloc_array(mem_ctx, char, 65536);
	size_t len = 0, cap = 65536;

	while (buf != NULL) {
		ssize_t n;
		if (len + 1 >= cap) {
			cap *= 2;
			buf = talloc_realloc(mem_ctx, buf, char, cap);
			if (buf == NULL)
				break;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

int tshark_fields_read(TALLOC_CTX *mem_ctx, const char *tshark,
		       const char *pcap, const char *const *fields,
		       size_t nfields,
		       const struct tshark_fields_options *opts,
		       struct tshark_frame **frames, size_t *nframes,
		       const char **err)
{
	static const struct tshark_fields_options defaults;
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	const char **argv;
	size_t argc = 0, n = 0;
	struct tshark_frame *out;
	char *text, *line, *save = NULL;
	int pipefd[2], status;
	pid_t pid;

	if (opts == NULL)
		opts = &defaults;
	if (tshark == NULL)
		tshark = tshark_find();
	if (tshark == NULL) {
		*err = "tshark not found (apt-get install tshark)";
		goto fail;
	}
	argv = talloc_array(tmp, const char *, 2 * nfields + 24);
	argv[argc++] = tshark;
	argv[argc++] = "-n";
	argv[argc++] = "-r";
	argv[argc++] = pcap;
	if (opts->disable_smb) {
		argv[argc++] = "--disable-protocol";
		argv[argc++] = "smb";
	}
	if (opts->filter != NULL) {
		argv[argc++] = "-Y";
		argv[argc++] = opts->filter;
	}
	argv[argc++] = "-T";
	argv[argc++] = "fields";
	argv[argc++] = "-E";
	argv[argc++] = "separator=/t";
	argv[argc++] = "-E";
	argv[argc++] = opts->all_occurrences ? "occurrence=a" : "occurrence=f";
	argv[argc++] = "-E";
	argv[argc++] = "aggregator=|";
	for (size_t i = 0; i < nfields; i++) {
		argv[argc++] = "-e";
		argv[argc++] = fields[i];
	}
	argv[argc++] = "-e";
	argv[argc++] = "_ws.malformed";
	argv[argc++] = "-e";
	argv[argc++] = "_ws.expert.message";
	argv[argc] = NULL;

	if (pipe(pipefd) != 0) {
		*err = "pipe failed";
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		*err = "fork failed";
		goto fail;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(pipefd[1], 1);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 2);
		}
		close(pipefd[0]);
		execv(tshark, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	text = read_all(tmp, pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (text == NULL || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*err = "tshark failed (run it by hand on the file to see why)";
		goto fail;
	}

	out = talloc_array(mem_ctx, struct tshark_frame, 0);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char **v = split_tabs(out, line, nfields + 2);
		out = talloc_realloc(mem_ctx, out, struct tshark_frame, n + 1);
		if (v == NULL || out == NULL) {
			*err = "out of memory";
			goto fail;
		}
		out[n].values = v;
		out[n].malformed = v[nfields];
		out[n].expert = v[nfields + 1];
		n++;
	}
	talloc_free(tmp);
	*frames = out;
	*nframes = n;
	return 0;
fail:
	talloc_free(tmp);
	return -1;
}
