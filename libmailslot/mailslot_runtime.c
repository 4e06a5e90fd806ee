/* Where local mailslots live (docs/libmailslot.md, "Runtime directory"). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mailslot_private.h"

#define SYSTEM_RUNTIME_DIR "/run/mailslot"

enum mailslot_error mailslot_runtime_dir(TALLOC_CTX *mem_ctx, char **dir)
{
	const char *env = getenv("MAILSLOT_RUNTIME_DIR");
	char *path;

	if (env != NULL && env[0] != '\0')
		path = talloc_strdup(mem_ctx, env);
	else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0')
		path = talloc_asprintf(mem_ctx, "%s/mailslot", env);
	else if (geteuid() == 0)
		path = talloc_strdup(mem_ctx, SYSTEM_RUNTIME_DIR);
	else
		return MAILSLOT_ERROR_PATH_NOT_FOUND;
	if (path == NULL)
		return MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
	/*
	 * 0711: others may reach a mailslot whose own permissions let them,
	 * but may not list the directory.
	 */
	if (mkdir(path, 0711) != 0 && errno != EEXIST) {
		int err = errno;

		talloc_free(path);
		return err == ENOENT ? MAILSLOT_ERROR_PATH_NOT_FOUND
				     : mailslot_errno_map(err);
	}
	*dir = path;
	return MAILSLOT_OK;
}

enum mailslot_error mailslot_runtime_open(int *pfd)
{
	char *path = NULL;
	enum mailslot_error err;
	int fd;

	err = mailslot_runtime_dir(NULL, &path);
	if (err != MAILSLOT_OK)
		return err;
	/* O_PATH: others may search the directory without reading it */
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	talloc_free(path);
	if (fd < 0)
		return errno == ENOENT ? MAILSLOT_ERROR_PATH_NOT_FOUND
				       : mailslot_errno_map(errno);
	*pfd = fd;
	return MAILSLOT_OK;
}
