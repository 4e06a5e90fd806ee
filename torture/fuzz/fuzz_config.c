/*
 * mailslotd's smb.conf parser (libinih and mailslotd_config_set): the
 * input is the file.  Whatever it says, the result obeys the limits the
 * daemon relies on.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <talloc.h>
#include <unistd.h>

#include "fuzz.h"
#include "tools/mailslotd/daemon_config.h"

int fuzz_config(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct mailslotd_config *cfg;
	char path[64], *err = NULL;
	int fd = memfd_create("fuzz-config", MFD_CLOEXEC);

	fuzz_check(mem != NULL && fd >= 0, "config: memfd");
	fuzz_check(write(fd, data, size) == (ssize_t)size, "config: write");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cfg = mailslotd_config_load(mem, path, true, &err);
	if (cfg == NULL) {
		fuzz_check(err != NULL, "config: refused without a reason");
		goto done;
	}
	fuzz_check(cfg->netbios_name != NULL &&
		   strlen(cfg->netbios_name) <= 15,
		   "config: netbios name longer than 15");
	fuzz_check(cfg->workgroup != NULL && strlen(cfg->workgroup) <= 15,
		   "config: workgroup longer than 15");
	fuzz_check(cfg->num_interfaces <= MAILSLOTD_MAX_INTERFACES &&
		   cfg->num_allow <= MAILSLOTD_MAX_ALLOW,
		   "config: too many interfaces or allowed networks");
	for (size_t i = 0; i < cfg->num_allow; i++) {
		uint32_t m = cfg->allow[i].mask;
		fuzz_check((m & (~m >> 1)) == 0,
			   "config: allow mask not contiguous");
	}
done:
	close(fd);
	talloc_free(mem);
	return 0;
}
