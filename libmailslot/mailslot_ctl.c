#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mailslot_ctl.h"
#include "nbt/byteorder.h"

uint8_t *mailslot_ctl_request_encode(TALLOC_CTX *mem_ctx,
				     const struct mailslot_ctl_request *r,
				     size_t *len)
{
	size_t total = MAILSLOT_CTL_REQ_HDR + r->name_len + r->slot_len +
		       r->data_len;
	uint8_t *b;

	if (r->name_len > 1024 || r->slot_len > 1024 ||
	    total > MAILSLOT_CTL_MAX)
		return NULL;
	b = talloc_zero_size(mem_ctx, total);
	if (b == NULL)
		return NULL;
	put_le32(b, r->op);
	b[4] = r->flags;
	b[5] = r->suffix;
	put_le16(b + 8, (uint16_t)r->name_len);
	put_le16(b + 10, (uint16_t)r->slot_len);
	put_le32(b + 12, (uint32_t)r->data_len);
	/* name and slot may be NULL when empty (STATUS, \\*): no memcpy */
	if (r->name_len > 0)
		memcpy(b + MAILSLOT_CTL_REQ_HDR, r->name, r->name_len);
	if (r->slot_len > 0)
		memcpy(b + MAILSLOT_CTL_REQ_HDR + r->name_len, r->slot,
		       r->slot_len);
	if (r->data_len > 0)
		memcpy(b + MAILSLOT_CTL_REQ_HDR + r->name_len + r->slot_len,
		       r->data, r->data_len);
	*len = total;
	return b;
}

bool mailslot_ctl_request_decode(const uint8_t *buf, size_t len,
				 struct mailslot_ctl_request *r)
{
	size_t need;

	if (len < MAILSLOT_CTL_REQ_HDR)
		return false;
	memset(r, 0, sizeof(*r));
	r->op = get_le32(buf);
	r->flags = buf[4];
	r->suffix = buf[5];
	r->name_len = get_le16(buf + 8);
	r->slot_len = get_le16(buf + 10);
	r->data_len = get_le32(buf + 12);
	need = MAILSLOT_CTL_REQ_HDR + r->name_len + r->slot_len + r->data_len;
	if (r->data_len > MAILSLOT_CTL_MAX || need != len)
		return false;
	r->name = (const char *)buf + MAILSLOT_CTL_REQ_HDR;
	r->slot = r->name + r->name_len;
	r->data = (const uint8_t *)r->slot + r->slot_len;
	return true;
}

uint8_t *mailslot_ctl_reply_encode(TALLOC_CTX *mem_ctx, uint32_t status,
				   const void *body, size_t body_len,
				   size_t *len)
{
	uint8_t *b = talloc_size(mem_ctx, MAILSLOT_CTL_REPLY_HDR + body_len);

	if (b == NULL)
		return NULL;
	put_le32(b, status);
	put_le32(b + 4, (uint32_t)body_len);
	if (body_len > 0)
		memcpy(b + MAILSLOT_CTL_REPLY_HDR, body, body_len);
	*len = MAILSLOT_CTL_REPLY_HDR + body_len;
	return b;
}

bool mailslot_ctl_reply_decode(const uint8_t *buf, size_t len,
			       uint32_t *status, const uint8_t **body,
			       size_t *body_len)
{
	if (len < MAILSLOT_CTL_REPLY_HDR ||
	    get_le32(buf + 4) != len - MAILSLOT_CTL_REPLY_HDR)
		return false;
	*status = get_le32(buf);
	*body = buf + MAILSLOT_CTL_REPLY_HDR;
	*body_len = len - MAILSLOT_CTL_REPLY_HDR;
	return true;
}

bool mailslot_ctl_idle(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 0;
}

int mailslot_ctl_connect(const char *runtime_dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
			     runtime_dir, MAILSLOT_CTL_SOCKET) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int mailslot_ctl_call(TALLOC_CTX *mem_ctx, int fd,
		      const struct mailslot_ctl_request *r, int timeout_ms,
		      uint32_t *status, uint8_t **body, size_t *body_len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t *req, *reply;
	const uint8_t *b;
	size_t len;
	ssize_t n;
	int rc;

	req = mailslot_ctl_request_encode(mem_ctx, r, &len);
	if (req == NULL) {
		errno = EMSGSIZE;
		return -1;
	}
	n = send(fd, req, len, MSG_NOSIGNAL);
	talloc_free(req);
	if (n != (ssize_t)len)
		return -1;
	do {
		rc = poll(&pfd, 1, timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	if (rc <= 0)
		return -1;
	reply = talloc_size(mem_ctx, 1 << 20);
	if (reply == NULL)
		return -1;
	n = recv(fd, reply, 1 << 20, 0);
	if (n <= 0 || !mailslot_ctl_reply_decode(reply, (size_t)n, status, &b,
						 body_len)) {
		talloc_free(reply);
		errno = n == 0 ? ECONNRESET : EPROTO;
		return -1;
	}
	*body = talloc_memdup(mem_ctx, b, *body_len + 1);
	if (*body != NULL)
		(*body)[*body_len] = '\0';
	talloc_free(reply);
	return *body ? 0 : -1;
}
