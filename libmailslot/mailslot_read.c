/* ReadFile on a mailslot: blocking, and as a tevent request. */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "mailslot_private.h"

static enum mailslot_error read_check(struct mailslot *slot)
{
	if (slot == NULL)
		return MAILSLOT_ERROR_INVALID_HANDLE;
	/* Windows: ReadFile on a client handle fails with access denied */
	if (!slot->server)
		return MAILSLOT_ERROR_ACCESS_DENIED;
	return MAILSLOT_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum mailslot_error mailslot_read(struct mailslot *slot, void *buf,
				  size_t bufsize, size_t *nread)
{
	enum mailslot_error err;
	uint32_t timeout;
	int64_t deadline = 0;
	size_t dummy;

	err = read_check(slot);
	if (err != MAILSLOT_OK)
		return err;
	if (buf == NULL && bufsize > 0)
		return MAILSLOT_ERROR_INVALID_PARAMETER;
	if (nread == NULL)
		nread = &dummy;
	timeout = slot->read_timeout;
	if (timeout != MAILSLOT_WAIT_FOREVER)
		deadline = now_ms() + timeout;
	for (;;) {
		int wait_ms;
		struct pollfd pfd = { .fd = slot->bell_fd, .events = POLLIN };
		char b;

		err = mailslot_queue_pop(slot, buf, bufsize, nread,
					 timeout != 0);
		if (err != MAILSLOT_QUEUE_EMPTY)
			return err;
		/*
		 * reader_waiting is set: the next writer rings exactly once.
		 * A stale ring left over only costs one more look.
		 */
		if (timeout == MAILSLOT_WAIT_FOREVER) {
			/* the bell is a blocking socket: one call per sleep */
			if (recv(slot->bell_fd, &b, sizeof(b), 0) < 0 &&
			    errno != EINTR && errno != EAGAIN)
				return MAILSLOT_ERROR_INTERNAL_ERROR;
			continue;
		}
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return MAILSLOT_ERROR_SEM_TIMEOUT;
		wait_ms = left > 60000 ? 60000 : (int)left;
		if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR)
			return MAILSLOT_ERROR_INTERNAL_ERROR;
		if (pfd.revents & POLLIN)
			(void)!recv(slot->bell_fd, &b, sizeof(b), MSG_DONTWAIT);
	}
}

struct mailslot_read_state {
	struct tevent_context *ev;
	struct mailslot *slot;
	size_t bufsize;
	uint8_t *data;
	size_t len;
	enum mailslot_error err;
	struct tevent_fd *fde;
	struct tevent_timer *te;
};

static void mailslot_read_bell(struct tevent_context *ev,
			       struct tevent_fd *fde, uint16_t flags,
			       void *private_data);
static void mailslot_read_timeout(struct tevent_context *ev,
				  struct tevent_timer *te, struct timeval now,
				  void *private_data);

/* true when finished (a message, or an error in state->err) */
static bool mailslot_read_try(struct mailslot_read_state *state)
{
	/* one locked step: empty -> reader_waiting set, no lost wake-up */
	state->err = mailslot_queue_pop_alloc(state->slot, NULL, state,
					      &state->data, state->bufsize,
					      &state->len, true);
	return state->err != MAILSLOT_QUEUE_EMPTY;
}

/* Events go first: the callback may free the request. */
static void mailslot_read_finish(struct tevent_req *req)
{
	struct mailslot_read_state *state =
		tevent_req_data(req, struct mailslot_read_state);

	TALLOC_FREE(state->fde);
	TALLOC_FREE(state->te);
	if (state->err == MAILSLOT_OK)
		tevent_req_done(req);
	else
		tevent_req_error(req, (int)state->err);
}

struct tevent_req *mailslot_read_send(TALLOC_CTX *mem_ctx,
				      struct tevent_context *ev,
				      struct mailslot *slot, size_t bufsize)
{
	struct tevent_req *req;
	struct mailslot_read_state *state;
	uint32_t timeout;

	req = tevent_req_create(mem_ctx, &state, struct mailslot_read_state);
	if (req == NULL)
		return NULL;
	state->ev = ev;
	state->slot = slot;
	state->bufsize = bufsize;
	state->err = read_check(slot);
	if (state->err != MAILSLOT_OK || mailslot_read_try(state)) {
		mailslot_read_finish(req);
		return tevent_req_post(req, ev);
	}
	timeout = slot->read_timeout;
	if (timeout == 0) {
		state->err = MAILSLOT_ERROR_SEM_TIMEOUT;
		mailslot_read_finish(req);
		return tevent_req_post(req, ev);
	}
	state->fde = tevent_add_fd(ev, state, slot->bell_fd, TEVENT_FD_READ,
				   mailslot_read_bell, req);
	if (tevent_req_nomem(state->fde, req))
		return tevent_req_post(req, ev);
	if (timeout != MAILSLOT_WAIT_FOREVER) {
		state->te = tevent_add_timer(
			ev, state,
			tevent_timeval_current_ofs(timeout / 1000,
						   (timeout % 1000) * 1000),
			mailslot_read_timeout, req);
		if (tevent_req_nomem(state->te, req))
			return tevent_req_post(req, ev);
	}
	return req;
}

static void mailslot_read_bell(struct tevent_context *ev,
			       struct tevent_fd *fde, uint16_t flags,
			       void *private_data)
{
	struct tevent_req *req =
		talloc_get_type_abort(private_data, struct tevent_req);
	struct mailslot_read_state *state =
		tevent_req_data(req, struct mailslot_read_state);

	mailslot_bell_drain(state->slot);
	if (mailslot_read_try(state))
		mailslot_read_finish(req);
}

static void mailslot_read_timeout(struct tevent_context *ev,
				  struct tevent_timer *te, struct timeval now,
				  void *private_data)
{
	struct tevent_req *req =
		talloc_get_type_abort(private_data, struct tevent_req);
	struct mailslot_read_state *state =
		tevent_req_data(req, struct mailslot_read_state);

	state->te = NULL;	/* tevent frees a timer once it fired */
	/* a message may have slipped in without a bell: look once more */
	if (!mailslot_read_try(state))
		state->err = MAILSLOT_ERROR_SEM_TIMEOUT;
	mailslot_read_finish(req);
}

enum mailslot_error mailslot_read_recv(struct tevent_req *req,
				       TALLOC_CTX *mem_ctx, uint8_t **data,
				       size_t *len)
{
	struct mailslot_read_state *state =
		tevent_req_data(req, struct mailslot_read_state);
	enum tevent_req_state st;
	uint64_t err;

	if (tevent_req_is_error(req, &st, &err)) {
		enum mailslot_error e = state->err;

		if (st == TEVENT_REQ_NO_MEMORY)
			e = MAILSLOT_ERROR_NOT_ENOUGH_MEMORY;
		tevent_req_received(req);
		return e;
	}
	if (data != NULL)
		*data = talloc_move(mem_ctx, &state->data);
	if (len != NULL)
		*len = state->len;
	tevent_req_received(req);
	return MAILSLOT_OK;
}
