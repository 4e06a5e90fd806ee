#include <stdio.h>
#include <time.h>

#include "name_keep.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void name_keep_add(struct name_keep *k, struct mailslot_netbios_name *n)
{
	if (n != NULL && k->count < NAME_KEEP_MAX)
		k->names[k->count++] = n;
}

enum mailslot_error name_keep_refresh(struct name_keep *k)
{
	uint64_t now = now_ms();

	if (now < k->next_ms)
		return MAILSLOT_OK;
	k->next_ms = now + NAME_KEEP_PERIOD_MS;
	for (size_t i = 0; i < k->count; i++) {
		enum mailslot_error err =
			mailslot_netbios_name_refresh(k->names[i]);

		if (err == MAILSLOT_ERROR_SERVICE_NOT_ACTIVE) {
			if (!k->daemon_gone)
				fprintf(stderr, "mailslot %s: mailslotd is not "
					"running; datagrams for our names "
					"wait for it to come back\n", k->who);
			k->daemon_gone = true;
			return MAILSLOT_OK;
		}
		if (err != MAILSLOT_OK) {
			/* lost for good: not tried again every period */
			k->names[i] = k->names[--k->count];
			return err;
		}
	}
	if (k->daemon_gone)
		fprintf(stderr, "mailslot %s: mailslotd is back; our names "
			"are registered again\n", k->who);
	k->daemon_gone = false;
	return MAILSLOT_OK;
}

enum mailslot_error name_keep_read(struct name_keep *k, struct mailslot *slot,
				   void *buf, size_t len, size_t *n,
				   uint32_t timeout_ms)
{
	bool forever = timeout_ms == MAILSLOT_WAIT_FOREVER;
	uint64_t end = now_ms() + (forever ? 0 : timeout_ms);

	if (k->count == 0) {
		mailslot_set_info(slot, timeout_ms);
		return mailslot_read(slot, buf, len, n);
	}
	for (;;) {
		uint64_t now = now_ms();
		uint32_t slice = NAME_KEEP_PERIOD_MS;
		enum mailslot_error err;

		if (!forever && now >= end && timeout_ms != 0)
			return MAILSLOT_ERROR_SEM_TIMEOUT;
		if (!forever && end - now < slice)
			slice = (uint32_t)(end - now);
		mailslot_set_info(slot, slice);
		err = mailslot_read(slot, buf, len, n);
		if (err != MAILSLOT_ERROR_SEM_TIMEOUT || slice == 0)
			return err;
		err = name_keep_refresh(k);
		if (err != MAILSLOT_OK)
			return err;
	}
}
