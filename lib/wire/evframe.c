/* evframe.c - frames over evbuffers, for peers and worker pipes. */
#include "evframe.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "err.h"

/* Frees a buffer handed to evbuffer_add_reference: the block that
 * starts at arg (the part handed over may start later in it). */
static void free_ref(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	free(arg);
}

/*
 * Missing bytes of a frame from which its reader reads them itself:
 * libevent 2.1 reads a socket 4 KiB at a time (with an ioctl and a loop
 * turn for each), so an 8 MiB batch took 2,000 reads and 6,000 system
 * calls.  The rest of such a frame goes into blocks of at most
 * DIRECT_BLOCK bytes (the first one short, so that every later read
 * fits the block already reserved).
 */
#define DIRECT_MIN (64u << 10)
#define DIRECT_BLOCK ((size_t)(16u << 20) - 4096)

/* Read the missing bytes of a frame from fd straight into the end of in,
 * until they are all there or the socket has none for now (end of file
 * and errors are left to the bufferevent's own next read).  A
 * bufferevent keeps its input's end frozen outside its own reads. */
static void read_rest(struct evbuffer *in, evutil_socket_t fd, size_t missing)
{
	struct evbuffer_iovec v;
	size_t want;
	ssize_t n;

	evbuffer_unfreeze(in, 0);
	while (missing > 0) {
		want = (missing - 1) % DIRECT_BLOCK + 1;
		if (evbuffer_reserve_space(in, (ev_ssize_t)want, &v, 1) != 1)
			break;
		do
			n = read(fd, v.iov_base, want);
		while (n < 0 && errno == EINTR);
		v.iov_len = n > 0 ? (size_t)n : 0;
		evbuffer_commit_space(in, &v, n > 0 ? 1 : 0);
		if (n <= 0)
			break;
		missing -= (size_t)n;
	}
	evbuffer_freeze(in, 0);
}

/* Move a complete plain frame out of in: one copy, into m->body. */
static int take_plain(struct evbuffer *in, const struct pd_frame_hdr *h, struct pd_msg *m, char *err)
{
	size_t plain = h->json_len + h->blob_len;

	pd_msg_release(m);
	if (plain >= DIRECT_MIN)
		pd_buf_want_huge(&m->body); /* filled once, a batch or a result */
	pd_buf_grow(&m->body, plain);
	evbuffer_drain(in, PD_FRAME_HDR);
	evbuffer_remove(in, m->body.data, plain);
	return pd_frame_open_plain(h, m, err);
}

/* The header at the front of in, checked: 1 with *h and *need (the
 * frame's length on the wire), 0 while a header is not there yet, -1
 * with err. */
static int peek(struct evbuffer *in, uint64_t blob_max, struct pd_frame_hdr *h, uint64_t *need, char *err)
{
	unsigned char hdr[PD_FRAME_HDR];

	if (evbuffer_get_length(in) < PD_FRAME_HDR)
		return 0;
	evbuffer_copyout(in, hdr, PD_FRAME_HDR);
	if (pd_frame_hdr_parse(hdr, blob_max, h, err))
		return -1;
	*need = PD_FRAME_HDR + pd_frame_body_len(h);
	return 1;
}

/* Take the frame of header h (need bytes) once all of it is in in. */
static int take_whole(struct evbuffer *in, const struct pd_frame_hdr *h, uint64_t need, struct pd_seal *s,
		      struct pd_msg *m, char *err)
{
	unsigned char *p;

	if (evbuffer_get_length(in) < need)
		return 0;
	if (!(h->flags & PD_FRAME_SEALED) && !s)
		return take_plain(in, h, m, err) ? -1 : 1;
	p = evbuffer_pullup(in, (ev_ssize_t)need);
	if (!p) {
		pd_err(err, "out of memory reading a frame");
		return -1;
	}
	if (pd_frame_decode(h, p, p + PD_FRAME_HDR, s, m, err))
		return -1;
	evbuffer_drain(in, need);
	return 1;
}

int pd_evframe_take(struct evbuffer *in, uint64_t blob_max, struct pd_seal *s,
		    struct pd_msg *m, char *err)
{
	struct pd_frame_hdr h;
	uint64_t need;
	int rc = peek(in, blob_max, &h, &need, err);

	return rc <= 0 ? rc : take_whole(in, &h, need, s, m, err);
}

int pd_evframe_read(struct bufferevent *bev, uint64_t blob_max, struct pd_seal *s,
		    struct pd_msg *m, char *err)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	struct pd_frame_hdr h;
	uint64_t need, have = evbuffer_get_length(in);
	int rc = peek(in, blob_max, &h, &need, err);

	if (rc <= 0)
		return rc;
	if (have < need && need - have >= DIRECT_MIN)
		read_rest(in, bufferevent_getfd(bev), (size_t)(need - have));
	return take_whole(in, &h, need, s, m, err);
}

void pd_evframe_put(struct evbuffer *out, struct pd_seal *s, const cJSON *j,
		    const void *blob, size_t blob_len)
{
	struct pd_buf b = PD_BUF_INIT;
	size_t len;
	char *p;

	pd_frame_encode_json(&b, s, j, blob, blob_len);
	p = pd_buf_detach(&b, &len);
	/* Hand the buffer over instead of copying it a second time. */
	if (evbuffer_add_reference(out, p, len, free_ref, p))
		free(p);
}

/* Queue n bytes at p behind what out holds; out of memory aborts, as
 * pd_xmalloc does, rather than send a frame with a hole in it. */
static void queue_copy(struct evbuffer *out, const void *p, size_t n)
{
	if (n && evbuffer_add(out, p, n))
		abort();
}

/*
 * Send a plain frame with a large blob on an idle socket without first
 * copying the blob into the frame: its header and JSON, then the
 * caller's blob, in one sendmsg.  What the socket does not take is
 * copied into out behind them (the blob is the caller's).
 */
static void send_gather(struct evbuffer *out, evutil_socket_t fd, const cJSON *j,
			const void *blob, size_t blob_len)
{
	struct pd_buf head = PD_BUF_INIT;
	struct iovec v[2];
	struct msghdr mh = {.msg_iov = v, .msg_iovlen = 2};
	size_t done;
	ssize_t n;

	pd_frame_encode_head_json(&head, j, blob_len);
	v[0] = (struct iovec){.iov_base = head.data, .iov_len = head.len};
	v[1] = (struct iovec){.iov_base = (void *)blob, .iov_len = blob_len};
	do
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	done = n > 0 ? (size_t)n : 0; /* errors: the bufferevent's own write meets them */
	if (done < head.len) {
		queue_copy(out, head.data + done, head.len - done);
		done = head.len;
	}
	queue_copy(out, (const char *)blob + (done - head.len), blob_len - (done - head.len));
	pd_buf_release(&head);
}

void pd_evframe_send(struct bufferevent *bev, struct pd_seal *s, const cJSON *j,
		     const void *blob, size_t blob_len)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	evutil_socket_t fd = bufferevent_getfd(bev);
	struct pd_buf b = PD_BUF_INIT;
	size_t len, done = 0;
	ssize_t n;
	char *p;

	if (fd >= 0 && evbuffer_get_length(out) == 0 && !s && blob_len >= DIRECT_MIN) {
		send_gather(out, fd, j, blob, blob_len);
		return;
	}
	pd_frame_encode_json(&b, s, j, blob, blob_len);
	p = pd_buf_detach(&b, &len);
	if (fd >= 0 && evbuffer_get_length(out) == 0) {
		do
			n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		done = n > 0 ? (size_t)n : 0; /* errors: the bufferevent's own write meets them */
	}
	if (done == len)
		free(p);
	else if (evbuffer_add_reference(out, p + done, len - done, free_ref, p))
		free(p);
}

void pd_evframe_stop_at_end(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_disable(bev, EV_READ | EV_WRITE);
}
