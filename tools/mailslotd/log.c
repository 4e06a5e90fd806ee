#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "tools/field_text.h"

void mailslotd_log(const struct mailslotd *d, int level, const char *fmt, ...)
{
	va_list ap;

	if (level > d->debug_level)
		return;
	va_start(ap, fmt);
	if (d->use_syslog) {
		vsyslog(level == 0 ? LOG_ERR : level == 1 ? LOG_NOTICE
							    : LOG_DEBUG,
			fmt, ap);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld mailslotd[%ld]: ", when,
			ts.tv_nsec / 1000000, (long)getpid());
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

char *mailslotd_escape(TALLOC_CTX *mem_ctx, const char *s, size_t len)
{
	/* every byte escaped, and the room field_text_escape keeps */
	char *out = talloc_array(mem_ctx, char, 4 * len + 6);

	if (out == NULL)
		return NULL;
	/* Network names reach terminals and logs: no control characters. */
	field_text_escape(out, 4 * len + 6, s, len, 0);
	return out;
}
