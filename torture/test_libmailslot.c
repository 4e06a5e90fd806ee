/*
 * libmailslot in one process: names, create/open, message boundaries,
 * FIFO, short buffers, timeouts, info, access checks, quotas, the tevent
 * read and error texts.  test_libmailslot_procs covers several processes.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "libmailslot/mailslot.h"
#include "test_libmailslot_util.h"

static const char *rt_dir;

static void test_names(void **state)
{
	static const char *invalid[] = {
		"blah", "\\\\.\\pipe\\x", "\\\\.\\mailslotx\\a",
		"\\\\.\\mailslot\\a\\\\b", "\\\\.\\mailslot\\a\\",
		"\\\\.\\mailslot\\a:b", "\\\\.\\mailslot\\a/b", "\\.\\mailslot\\a",
		"\\\\\\mailslot\\a", "\\\\.\\mailslot\\a\x01",
	};
	static const char *missing[] = {
		NULL, "", "\\\\.\\mailslot", "\\\\.\\mailslot\\",
	};
	struct mailslot *s = NULL, *c = NULL;
	char longname[400];

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		assert_int_equal(mailslot_server_create(NULL, invalid[i], 0, 0,
							&s),
				 MAILSLOT_ERROR_INVALID_NAME);
		assert_int_equal(mailslot_client_open(NULL, invalid[i], &c),
				 MAILSLOT_ERROR_INVALID_NAME);
	}
	for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
		assert_int_equal(mailslot_server_create(NULL, missing[i], 0, 0,
							&s),
				 MAILSLOT_ERROR_PATH_NOT_FOUND);
	/* remote forms parse; without mailslotd they cannot be opened */
	assert_int_equal(mailslot_client_open(NULL, "\\\\*\\mailslot\\x", &c),
			 MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
	assert_int_equal(mailslot_client_open(NULL,
					      "\\\\WORKGROUP\\mailslot\\x", &c),
			 MAILSLOT_ERROR_SERVICE_NOT_ACTIVE);
	assert_int_equal(mailslot_server_create(NULL, "\\\\PC1\\mailslot\\x",
						0, 0, &s),
			 MAILSLOT_ERROR_INVALID_NAME);
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "\\\\.\\mailslot\\", 13);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(mailslot_server_create(NULL, longname, 0, 0, &s),
			 MAILSLOT_ERROR_FILENAME_EXCED_RANGE);
}

static void test_case_insensitive_multilevel(void **state)
{
	struct mailslot *s, *s2 = NULL, *c;
	char buf[8];
	size_t n;

	assert_int_equal(mailslot_server_create(NULL,
				"\\\\.\\mailslot\\Dir\\Sub\\Name", 0, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_server_create(NULL,
				"\\\\.\\MAILSLOT\\dir\\SUB\\name", 0, 0, &s2),
			 MAILSLOT_ERROR_ALREADY_EXISTS);
	assert_null(s2);
	assert_int_equal(mailslot_client_open(NULL,
				"\\\\.\\MailSlot\\DIR\\sub\\NAME", &c),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "hi", 2), MAILSLOT_OK);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 2);
	/* a different level is a different mailslot */
	assert_int_equal(mailslot_client_open(NULL,
				"\\\\.\\mailslot\\dir\\name", &c),
			 MAILSLOT_ERROR_FILE_NOT_FOUND);
	talloc_free(c);
	talloc_free(s);
}

/* Names full of path tricks stay single entries inside the directory. */
static void test_entries_stay_inside(void **state)
{
	static const char *tricky[] = {
		"\\\\.\\mailslot\\..\\..\\etc",
		"\\\\.\\mailslot\\.",
		"\\\\.\\mailslot\\%2f..%2f",
		"\\\\.\\mailslot\\a b\\.hidden",
	};
	struct mailslot *s[4];
	struct dirent *de;
	int dirs = 0, others = 0;
	DIR *d;

	for (int i = 0; i < 4; i++)
		assert_int_equal(mailslot_server_create(NULL, tricky[i], 0, 0,
							&s[i]),
				 MAILSLOT_OK);
	d = opendir(rt_dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR && de->d_name[0] != '.' &&
		    strchr(de->d_name, '/') == NULL)
			dirs++;
		else
			others++;
	}
	closedir(d);
	assert_int_equal(dirs, 4);
	assert_int_equal(others, 0);
	for (int i = 0; i < 4; i++)
		talloc_free(s[i]);
}

static void test_duplicate_and_reuse(void **state)
{
	const char *name = tl_name("dup");
	struct mailslot *s, *s2 = NULL, *c = NULL;

	assert_int_equal(mailslot_client_open(NULL, name, &c),
			 MAILSLOT_ERROR_FILE_NOT_FOUND);
	assert_null(c);
	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s2),
			 MAILSLOT_ERROR_ALREADY_EXISTS);
	assert_int_equal(mailslot_write(s, "x", 1),
			 MAILSLOT_ERROR_ACCESS_DENIED);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	talloc_free(s);
	/* the server went away: the client fails cleanly */
	assert_int_equal(mailslot_write(c, "x", 1),
			 MAILSLOT_ERROR_BROKEN_PIPE);
	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s2),
			 MAILSLOT_OK);
	/* an old client does not reach the new mailslot */
	assert_int_equal(mailslot_write(c, "x", 1),
			 MAILSLOT_ERROR_BROKEN_PIPE);
	talloc_free(c);
	talloc_free(s2);
	assert_int_equal(mailslot_client_open(NULL, name, &c),
			 MAILSLOT_ERROR_FILE_NOT_FOUND);
}

static void test_fifo_and_zero_length(void **state)
{
	const char *name = tl_name("fifo");
	struct mailslot *s, *c;
	uint32_t next, count;
	char buf[16];
	size_t n;

	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, NULL, 0), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "one", 3), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "", 0), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "three", 5), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, &next, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(next, 0);
	assert_int_equal(count, 4);

	n = 99;
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "one", 3);
	/* a zero-length read buffer takes a zero-length message */
	assert_int_equal(mailslot_read(s, NULL, 0, &n), MAILSLOT_OK);
	assert_int_equal(n, 0);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "three", 5);
	assert_int_equal(mailslot_get_info(s, NULL, &next, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(next, MAILSLOT_NO_MESSAGE);
	assert_int_equal(count, 0);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n),
			 MAILSLOT_ERROR_SEM_TIMEOUT);
	talloc_free(c);
	talloc_free(s);
}

static void check_boundary(struct mailslot *s, struct mailslot *c,
			   uint8_t *out, uint8_t *in, size_t len)
{
	uint32_t next;
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(i * 7 + len);
	assert_int_equal(mailslot_write(c, out, len), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, &next, NULL, NULL),
			 MAILSLOT_OK);
	assert_int_equal(next, len);
	if (len > 0) {
		assert_int_equal(mailslot_read(s, in, len - 1, &n),
				 MAILSLOT_ERROR_INSUFFICIENT_BUFFER);
	}
	assert_int_equal(mailslot_read(s, in, len + 100, &n), MAILSLOT_OK);
	assert_int_equal(n, len);
	assert_memory_equal(in, out, len);
}

static void test_boundaries(void **state)
{
	const uint32_t max = 100000;
	const size_t sizes[] = { 0, 1, 424, 65536, 65535, 65537, max };
	const char *name = tl_name("bound");
	struct mailslot *s, *c;
	uint32_t count, gotmax;
	uint8_t *out = talloc_size(NULL, max + 1);
	uint8_t *in = talloc_size(NULL, max + 200);

	assert_int_equal(mailslot_server_create(NULL, name, max, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_boundary(s, c, out, in, sizes[i]);
	/* one byte over the maximum: refused, nothing queued */
	assert_int_equal(mailslot_write(c, out, max + 1),
			 MAILSLOT_ERROR_INVALID_PARAMETER);
	assert_int_equal(mailslot_get_info(s, &gotmax, NULL, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 0);
	assert_int_equal(gotmax, max);
	/* many wraps of the ring keep boundaries exact */
	for (int round = 0; round < 200; round++)
		check_boundary(s, c, out, in, (size_t)(round * 4099) % 70001);
	talloc_free(in);
	talloc_free(out);
	talloc_free(c);
	talloc_free(s);
}

static void test_short_buffer(void **state)
{
	const char *name = tl_name("short");
	struct mailslot *s, *c;
	uint32_t count;
	char buf[10];
	size_t n;

	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "0123456789", 10), MAILSLOT_OK);
	assert_int_equal(mailslot_read(s, buf, 9, &n),
			 MAILSLOT_ERROR_INSUFFICIENT_BUFFER);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 1);
	assert_int_equal(mailslot_read(s, buf, 10, &n), MAILSLOT_OK);
	assert_int_equal(n, 10);
	assert_memory_equal(buf, "0123456789", 10);
	talloc_free(c);
	talloc_free(s);
}

static void test_timeouts(void **state)
{
	const char *name = tl_name("tmo");
	struct mailslot *s;
	uint32_t tmo;
	int64_t t0, dt;
	char buf[4];
	size_t n;

	assert_int_equal(mailslot_server_create(NULL, name, 0, 0, &s),
			 MAILSLOT_OK);
	t0 = tl_now_ms();
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n),
			 MAILSLOT_ERROR_SEM_TIMEOUT);
	assert_true(tl_now_ms() - t0 < 1000);

	assert_int_equal(mailslot_set_info(s, 200), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, NULL, &tmo),
			 MAILSLOT_OK);
	assert_int_equal(tmo, 200);
	t0 = tl_now_ms();
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n),
			 MAILSLOT_ERROR_SEM_TIMEOUT);
	dt = tl_now_ms() - t0;
	print_message("200 ms read timeout took %lld ms\n", (long long)dt);
	assert_true(dt >= 150 && dt <= 5000);
	talloc_free(s);

	assert_int_equal(mailslot_server_create(NULL, name,
						0, MAILSLOT_WAIT_FOREVER, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, NULL, &tmo),
			 MAILSLOT_OK);
	assert_int_equal(tmo, MAILSLOT_WAIT_FOREVER);
	talloc_free(s);
}

static void test_info(void **state)
{
	const char *name = tl_name("info");
	struct mailslot *s, *c;
	uint32_t max = 1, next = 1, count = 1, tmo = 1;

	assert_int_equal(mailslot_server_create(NULL, name, 0xFFFFFFFF, 77,
						&s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, NULL, NULL),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, &max, &next, &count, &tmo),
			 MAILSLOT_OK);
	assert_int_equal(max, 0xFFFFFFFF);
	assert_int_equal(next, MAILSLOT_NO_MESSAGE);
	assert_int_equal(count, 0);
	assert_int_equal(tmo, 77);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(c, &max, NULL, NULL, NULL),
			 MAILSLOT_ERROR_ACCESS_DENIED);
	assert_int_equal(mailslot_set_info(c, 5),
			 MAILSLOT_ERROR_ACCESS_DENIED);
	assert_int_equal(mailslot_read(c, &max, sizeof(max), NULL),
			 MAILSLOT_ERROR_ACCESS_DENIED);
	assert_int_equal(mailslot_get_info(NULL, NULL, NULL, NULL, NULL),
			 MAILSLOT_ERROR_INVALID_HANDLE);
	assert_int_equal(mailslot_write(c, "abc", 3), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, &next, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(next, 3);
	assert_int_equal(count, 1);
	talloc_free(c);
	talloc_free(s);
}

static void test_quota(void **state)
{
	const char *name = tl_name("quota");
	struct mailslot_server_options o;
	struct mailslot *s, *c;
	uint32_t count;
	char buf[500] = { 0 };
	size_t n;

	mailslot_server_options_init(&o);
	o.queue_messages = 5;
	o.queue_bytes = 1000;
	assert_int_equal(mailslot_server_create_ex(NULL, name, &o, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(mailslot_write(c, buf, 1), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, buf, 0),
			 MAILSLOT_ERROR_NOT_ENOUGH_QUOTA);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 5);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, buf, 1), MAILSLOT_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n),
				 MAILSLOT_OK);

	/* bytes: 400 + 400 fit in 1000, a third 400 does not */
	assert_int_equal(mailslot_write(c, buf, 400), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, buf, 400), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, buf, 400),
			 MAILSLOT_ERROR_NOT_ENOUGH_QUOTA);
	assert_int_equal(mailslot_write(c, buf, 200), MAILSLOT_OK);
	assert_int_equal(mailslot_get_info(s, NULL, NULL, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 3);
	talloc_free(c);
	talloc_free(s);

	/* unlimited size is still bounded by the byte quota */
	o.queue_messages = 0;
	o.queue_bytes = 100;
	assert_int_equal(mailslot_server_create_ex(NULL, name, &o, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, buf, 101),
			 MAILSLOT_ERROR_NOT_ENOUGH_QUOTA);
	assert_int_equal(mailslot_write(c, buf, 100), MAILSLOT_OK);
	talloc_free(c);
	talloc_free(s);

	o.queue_bytes = MAILSLOT_MAX_QUEUE_BYTES + 1;
	assert_int_equal(mailslot_server_create_ex(NULL, name, &o, &s),
			 MAILSLOT_ERROR_INVALID_PARAMETER);
}

struct async_ctx {
	struct mailslot *c;
	enum mailslot_error err;
	uint8_t *data;
	size_t len;
	bool done;
};

static void async_done(struct tevent_req *req)
{
	struct async_ctx *a = tevent_req_callback_data_void(req);

	a->err = mailslot_read_recv(req, a, &a->data, &a->len);
	a->done = true;
	talloc_free(req);
}

static void async_write(struct tevent_context *ev, struct tevent_timer *te,
			struct timeval now, void *priv)
{
	struct async_ctx *a = priv;

	assert_int_equal(mailslot_write(a->c, "later", 5), MAILSLOT_OK);
}

static void noop_timer(struct tevent_context *ev, struct tevent_timer *te,
		       struct timeval now, void *priv)
{
}

static void run_until_done(struct tevent_context *ev, struct async_ctx *a)
{
	int64_t end = tl_now_ms() + 10000;

	while (!a->done && tl_now_ms() < end)
		tevent_loop_once(ev);
	assert_true(a->done);
}

static void test_async_read(void **state)
{
	const char *name = tl_name("async");
	struct tevent_context *ev = tevent_context_init(NULL);
	struct async_ctx *a = talloc_zero(ev, struct async_ctx);
	struct tevent_req *req;
	struct mailslot *s;
	char buf[16];
	size_t n;
	int64_t t0, dt;

	assert_int_equal(mailslot_server_create(ev, name, 0,
						MAILSLOT_WAIT_FOREVER, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(ev, name, &a->c), MAILSLOT_OK);

	/* already queued */
	assert_int_equal(mailslot_write(a->c, "now", 3), MAILSLOT_OK);
	req = mailslot_read_send(ev, ev, s, 16);
	tevent_req_set_callback(req, async_done, a);
	run_until_done(ev, a);
	assert_int_equal(a->err, MAILSLOT_OK);
	assert_int_equal(a->len, 3);
	assert_memory_equal(a->data, "now", 3);

	/* arrives while waiting */
	a->done = false;
	req = mailslot_read_send(ev, ev, s, 16);
	tevent_req_set_callback(req, async_done, a);
	tevent_add_timer(ev, ev, tevent_timeval_current_ofs(0, 50000),
			 async_write, a);
	run_until_done(ev, a);
	assert_int_equal(a->err, MAILSLOT_OK);
	assert_int_equal(a->len, 5);
	assert_memory_equal(a->data, "later", 5);

	/* cancelled by freeing: the message stays for the next read */
	req = mailslot_read_send(ev, ev, s, 16);
	assert_non_null(req);
	/* nothing there: it sleeps (the timer bounds the loop) */
	tevent_add_timer(ev, ev, tevent_timeval_current_ofs(0, 10000),
			 noop_timer, NULL);
	tevent_loop_once(ev);
	talloc_free(req);
	assert_int_equal(mailslot_write(a->c, "kept", 4), MAILSLOT_OK);
	assert_int_equal(mailslot_set_info(s, 0), MAILSLOT_OK);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 4);

	/* short buffer */
	assert_int_equal(mailslot_write(a->c, "0123456789", 10), MAILSLOT_OK);
	a->done = false;
	req = mailslot_read_send(ev, ev, s, 4);
	tevent_req_set_callback(req, async_done, a);
	run_until_done(ev, a);
	assert_int_equal(a->err, MAILSLOT_ERROR_INSUFFICIENT_BUFFER);
	assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n), MAILSLOT_OK);
	assert_int_equal(n, 10);

	/* timeout 0 and 200 ms */
	a->done = false;
	req = mailslot_read_send(ev, ev, s, 16);
	tevent_req_set_callback(req, async_done, a);
	run_until_done(ev, a);
	assert_int_equal(a->err, MAILSLOT_ERROR_SEM_TIMEOUT);
	assert_int_equal(mailslot_set_info(s, 200), MAILSLOT_OK);
	a->done = false;
	t0 = tl_now_ms();
	req = mailslot_read_send(ev, ev, s, 16);
	tevent_req_set_callback(req, async_done, a);
	run_until_done(ev, a);
	dt = tl_now_ms() - t0;
	assert_int_equal(a->err, MAILSLOT_ERROR_SEM_TIMEOUT);
	assert_true(dt >= 150 && dt <= 5000);

	/* a client handle cannot read */
	a->done = false;
	req = mailslot_read_send(ev, ev, a->c, 16);
	tevent_req_set_callback(req, async_done, a);
	run_until_done(ev, a);
	assert_int_equal(a->err, MAILSLOT_ERROR_ACCESS_DENIED);
	talloc_free(ev);
}

static void test_errors(void **state)
{
	assert_string_equal(mailslot_error_name(MAILSLOT_ERROR_SEM_TIMEOUT),
			    "ERROR_SEM_TIMEOUT");
	assert_int_equal(MAILSLOT_ERROR_SEM_TIMEOUT, 121);
	assert_int_equal(MAILSLOT_ERROR_INSUFFICIENT_BUFFER, 122);
	assert_int_equal(MAILSLOT_ERROR_INVALID_NAME, 123);
	assert_int_equal(MAILSLOT_ERROR_ALREADY_EXISTS, 183);
	assert_int_equal(MAILSLOT_ERROR_FILE_NOT_FOUND, 2);
	assert_int_equal(MAILSLOT_ERROR_PATH_NOT_FOUND, 3);
	assert_int_equal(MAILSLOT_ERROR_ACCESS_DENIED, 5);
	assert_string_equal(mailslot_error_name(MAILSLOT_ERROR_ALREADY_EXISTS),
			    "ERROR_ALREADY_EXISTS");
	assert_string_equal(mailslot_error_name((enum mailslot_error)4242),
			    "ERROR_UNKNOWN");
	assert_true(strlen(mailslot_error_string(
			    MAILSLOT_ERROR_NOT_ENOUGH_QUOTA)) > 10);
}

static void test_list(void **state)
{
	const char *name = tl_name("list");
	struct mailslot_entry *e;
	struct mailslot *s, *c;
	size_t n, found = 0;

	assert_int_equal(mailslot_server_create(NULL, name, 424, 0, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	assert_int_equal(mailslot_write(c, "abcd", 4), MAILSLOT_OK);
	assert_int_equal(mailslot_list(NULL, &e, &n), MAILSLOT_OK);
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(e[i].name, name) != 0)
			continue;
		found++;
		assert_true(e[i].state_visible);
		assert_int_equal(e[i].message_count, 1);
		assert_int_equal(e[i].queued_bytes, 4);
		assert_int_equal(e[i].max_message_size, 424);
		assert_int_equal(e[i].pid, getpid());
		assert_int_equal(e[i].owner, geteuid());
		assert_int_equal(e[i].queue_bytes,
				 MAILSLOT_DEFAULT_QUEUE_BYTES);
	}
	assert_int_equal(found, 1);
	talloc_free(e);
	talloc_free(c);
	talloc_free(s);
	assert_int_equal(mailslot_list(NULL, &e, &n), MAILSLOT_OK);
	for (size_t i = 0; i < n; i++)
		assert_true(strcasecmp(e[i].name, name) != 0);
	talloc_free(e);
}

/*
 * Many laps of a small ring with odd sizes, so records and payloads wrap
 * at its end: OWNER clients write through a mapping, GROUP/EVERYONE ones
 * with pwrite; the reader hands messages out of its read-ahead buffer or
 * preads them directly.  Every message must come back whole and in order,
 * interleaved with info and short-buffer reads.
 */
static void ring_laps(enum mailslot_access access)
{
	const char *name = tl_name("laps");
	struct mailslot_server_options o;
	struct mailslot *s, *c;
	uint8_t out[700], in[700];
	uint32_t next, count;
	size_t n;
	unsigned seq = 0, got = 0;

	mailslot_server_options_init(&o);
	o.queue_bytes = 3000;	/* ring: one 4096-byte page */
	o.queue_messages = 64;
	o.access = access;
	assert_int_equal(mailslot_server_create_ex(NULL, name, &o, &s),
			 MAILSLOT_OK);
	assert_int_equal(mailslot_client_open(NULL, name, &c), MAILSLOT_OK);
	for (int round = 0; round < 200; round++) {
		int burst = 1 + round % 7;

		for (int i = 0; i < burst; i++, seq++) {
			size_t len = (seq * 37) % 611;

			for (size_t k = 0; k < len; k++)
				out[k] = (uint8_t)(seq + k);
			if (mailslot_write(c, out, len) ==
			    MAILSLOT_ERROR_NOT_ENOUGH_QUOTA)
				break;	/* full: drain first */
		}
		while (got < seq) {
			size_t len = (got * 37) % 611;

			assert_int_equal(mailslot_get_info(s, NULL, &next,
							   &count, NULL),
					 MAILSLOT_OK);
			assert_int_equal(next, len);
			if (len > 0)
				assert_int_equal(mailslot_read(s, in, len - 1,
							       &n),
						 MAILSLOT_ERROR_INSUFFICIENT_BUFFER);
			assert_int_equal(mailslot_read(s, in, sizeof(in), &n),
					 MAILSLOT_OK);
			assert_int_equal(n, len);
			for (size_t k = 0; k < len; k++)
				assert_int_equal(in[k], (uint8_t)(got + k));
			got++;
		}
	}
	assert_true(got > 500);
	assert_int_equal(mailslot_get_info(s, NULL, &next, &count, NULL),
			 MAILSLOT_OK);
	assert_int_equal(count, 0);
	assert_int_equal(next, MAILSLOT_NO_MESSAGE);
	talloc_free(c);
	talloc_free(s);
}

static void test_ring_laps_mapped_writer(void **state)
{
	ring_laps(MAILSLOT_ACCESS_OWNER);
}

static void test_ring_laps_pwrite_writer(void **state)
{
	ring_laps(MAILSLOT_ACCESS_EVERYONE);
}

static void *create_in_thread(void *arg)
{
	struct mailslot **s = arg;

	if (mailslot_server_create(NULL, tl_name("thread"), 0, 0, s) !=
	    MAILSLOT_OK)
		*s = NULL;
	return NULL;	/* the thread ends; the mailslot lives on */
}

/*
 * The creating thread exits: the kernel marks the server's `alive` mutex
 * owner-died although the process (and its OFD lock) lives, so writers
 * must fall back to the lock and keep succeeding.  Freed from another
 * thread, the mailslot must still close cleanly.
 */
static void test_creator_thread_exits(void **state)
{
	struct mailslot *s = NULL, *c;
	pthread_t t;
	char buf[8];
	size_t n;

	assert_int_equal(pthread_create(&t, NULL, create_in_thread, &s), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_non_null(s);
	assert_int_equal(mailslot_client_open(NULL, tl_name("thread"), &c),
			 MAILSLOT_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(mailslot_write(c, "abc", 3), MAILSLOT_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mailslot_read(s, buf, sizeof(buf), &n),
				 MAILSLOT_OK);
		assert_int_equal(n, 3);
	}
	talloc_free(s);
	assert_int_equal(mailslot_write(c, "abc", 3),
			 MAILSLOT_ERROR_BROKEN_PIPE);
	talloc_free(c);
	/* the name is free again */
	assert_int_equal(mailslot_server_create(NULL, tl_name("thread"), 0, 0,
						&s),
			 MAILSLOT_OK);
	talloc_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_case_insensitive_multilevel),
		cmocka_unit_test(test_entries_stay_inside),
		cmocka_unit_test(test_duplicate_and_reuse),
		cmocka_unit_test(test_fifo_and_zero_length),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_async_read),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_ring_laps_mapped_writer),
		cmocka_unit_test(test_ring_laps_pwrite_writer),
		cmocka_unit_test(test_creator_thread_exits),
	};
	int rc;

	rt_dir = tl_runtime_setup();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tl_runtime_teardown();
	return rc;
}
