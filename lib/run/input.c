/* input.c - a line reader for event-driven programs. */
#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define READ_CHUNK 65536

/* 1 when fd can be waited on; epoll refuses regular files and /dev/null. */
static int pollable(int fd)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int ep = epoll_create1(EPOLL_CLOEXEC), ok;

	if (ep < 0)
		return 0;
	ok = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
	close(ep);
	return ok;
}

/* Read one chunk into the buffer.  1 if bytes came, 0 if none. */
static int fill(struct pd_input *in)
{
	ssize_t r;

	if (in->eof)
		return 0;
	if (in->fd < 0)
		return 0; /* fed: lines come from pd_input_feed */
	if (in->pos > 0 && in->pos == in->buf.len) {
		pd_buf_reset(&in->buf);
		in->pos = 0;
	} else if (in->pos > (1u << 20)) {
		pd_buf_consume(&in->buf, in->pos);
		in->pos = 0;
	}
	pd_buf_grow(&in->buf, READ_CHUNK);
	r = read(in->fd, in->buf.data + in->buf.len, READ_CHUNK);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0) {
		in->error = r < 0 ? errno : 0;
		in->eof = 1;
		if (in->buf.len > in->pos && in->buf.data[in->buf.len - 1] != in->sep)
			pd_buf_addc(&in->buf, in->sep);
		return 0;
	}
	in->buf.len += (size_t)r;
	in->buf.data[in->buf.len] = 0;
	return 1;
}

/* The descriptor is readable. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct pd_input *in = arg;

	(void)fd;
	(void)what;
	in->waiting = 0;
	fill(in);
	in->ready(in->arg);
}

void pd_input_init(struct pd_input *in, struct event_base *base, int fd,
		   void (*ready)(void *arg), void *arg)
{
	memset(in, 0, sizeof *in);
	pd_buf_init(&in->buf);
	in->fd = fd;
	in->sep = '\n';
	in->direct = fd < 0 || !pollable(fd);
	in->ready = ready;
	in->arg = arg;
	if (fd >= 0)
		in->ev = event_new(base, fd, EV_READ, on_readable, in);
}

/* The bytes that input holds now: its own buffer's, or those lent. */
static const char *held(const struct pd_input *in, size_t *len)
{
	*len = in->lent ? in->lent_len : in->buf.len;
	return in->lent ? in->lent : in->buf.data;
}

int pd_input_taken(const struct pd_input *in)
{
	size_t len;

	held(in, &len);
	return in->pos == len;
}

/* Before fed bytes come: forget what has all been taken. */
static void drop_taken(struct pd_input *in)
{
	if (in->pos > 0 && pd_input_taken(in)) {
		pd_buf_reset(&in->buf);
		in->lent = NULL;
		in->pos = 0;
	}
}

void pd_input_feed(struct pd_input *in, const char *lines, size_t len)
{
	drop_taken(in);
	pd_buf_add(&in->buf, lines, len);
	if (!in->recsize && in->buf.len > in->pos && in->buf.data[in->buf.len - 1] != in->sep)
		pd_buf_addc(&in->buf, in->sep);
}

void *pd_input_feed_room(struct pd_input *in, size_t len)
{
	drop_taken(in);
	pd_buf_grow(&in->buf, len);
	in->buf.len += len;
	in->buf.data[in->buf.len] = 0;
	return in->buf.data + in->buf.len - len;
}

void pd_input_lend(struct pd_input *in, const void *p, size_t len)
{
	drop_taken(in);
	if (!pd_input_taken(in) || !in->recsize)
		abort(); /* a caller's bug: records would be lost */
	pd_buf_reset(&in->buf);
	in->lent = p;
	in->lent_len = len;
	in->pos = 0;
}

void pd_input_close(struct pd_input *in) { in->eof = 1; }

const char *pd_input_records(struct pd_input *in, long max, long *n)
{
	size_t len, have;
	const char *p = held(in, &len);

	have = in->recsize ? (len - in->pos) / in->recsize : 0;
	*n = max < 0 ? 0 : (size_t)max < have ? max : (long)have;
	if (!*n)
		return NULL;
	in->pos += (size_t)*n * in->recsize;
	return p + in->pos - (size_t)*n * in->recsize;
}

const char *pd_input_line(struct pd_input *in, size_t *len)
{
	const char *p, *nl;

	if (in->recsize) { /* fed fixed-size records */
		long n;

		*len = in->recsize;
		return pd_input_records(in, 1, &n);
	}
	for (;;) {
		p = in->buf.data + in->pos;
		nl = memchr(p, in->sep, in->buf.len - in->pos);
		if (nl) {
			*len = (size_t)(nl - p);
			in->pos += *len + 1;
			return p;
		}
		if (in->eof)
			return NULL;
		if (!in->direct) {
			if (!in->waiting) {
				in->waiting = 1;
				event_add(in->ev, NULL);
			}
			return NULL;
		}
		if (!fill(in) && !in->eof)
			return NULL;
	}
}

int pd_input_done(const struct pd_input *in)
{
	return in->eof && pd_input_taken(in);
}

void pd_input_stop(struct pd_input *in)
{
	if (in->ev)
		event_del(in->ev);
	in->waiting = 0;
}

void pd_input_release(struct pd_input *in)
{
	if (in->ev)
		event_free(in->ev);
	in->ev = NULL;
	pd_buf_release(&in->buf);
}
