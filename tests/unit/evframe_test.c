/* evframe_test.c - frames read from a socket bufferevent (lib/wire/evframe.c):
 * pd_evframe_read reads the rest of a large frame itself, in large reads,
 * takes it whole and leaves the next frame in the socket to be read after
 * it, plain or sealed, across its 16 MiB blocks; pd_evframe_send writes
 * at once what nothing waits before (a large plain blob straight from the
 * caller's memory), and queues a copy of the rest in order. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "err.h"
#include "evframe.h"
#include "fdio.h"
#include "frame.h"
#include "seal.h"
#include "sealpair.h"
#include "t.h"

/* The reading side: frames taken so far, and how often libevent called. */
struct reader {
	struct pd_seal *seal;
	struct pd_msg got[2];
	int frames, calls, failed;
	char err[PD_ERRLEN];
};

/* The bufferevent's read callback, as the server's own: every complete frame. */
static void on_read(struct bufferevent *bev, void *arg)
{
	struct reader *r = arg;
	int rc;

	r->calls++;
	while (r->frames < 2 && (rc = pd_evframe_read(bev, 64u << 20, r->seal, &r->got[r->frames], r->err)))
		if (rc < 0) {
			r->failed = 1;
			return;
		} else
			r->frames++;
}

/* A frame of op `op` and the given blob, sealed with s when non-NULL. */
static void encode(struct pd_buf *b, struct pd_seal *s, const char *op, const char *blob, size_t len)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", op);
	pd_frame_encode_json(b, s, j, blob, len);
	cJSON_Delete(j);
}

struct writer {
	int fd;
	const struct pd_buf *wire;
};

/* The writing side, in its own thread, blocking: more than a socket holds. */
static void *write_side(void *arg)
{
	struct writer *w = arg;

	(void)pd_write_all(w->fd, w->wire->data, w->wire->len);
	return NULL;
}

struct flusher {
	struct event_base *base;
	struct bufferevent *bev;
};

/* The sending side's loop, in its own thread, until its output is empty. */
static void *flush_side(void *arg)
{
	struct flusher *f = arg;

	while (evbuffer_get_length(bufferevent_get_output(f->bev)) > 0)
		event_base_loop(f->base, EVLOOP_ONCE);
	return NULL;
}

/* Read a frame with a blob of len bytes and a small one after it, sent as
 * one stream (from a thread when `threaded`, else written whole first);
 * returns how often the read callback ran, or -1 when reading failed. */
static int round_trip(size_t len, int sealed, int threaded)
{
	struct pd_seal c, s;
	struct pd_buf wire = PD_BUF_INIT;
	struct reader r = {0};
	struct writer w;
	struct event_base *base = event_base_new();
	struct bufferevent *bev;
	char *blob = malloc(len ? len : 1);
	int sv[2], big = 1 << 20, i;
	pthread_t th;
	size_t k;

	for (k = 0; k < len; k++)
		blob[k] = (char)(k * 131 + (k >> 12));
	seal_pair(&c, &s);
	r.seal = sealed ? &s : NULL;
	encode(&wire, sealed ? &c : NULL, "run", blob, len);
	encode(&wire, sealed ? &c : NULL, "next", "tail", 4);
	pd_msg_init(&r.got[0]);
	pd_msg_init(&r.got[1]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	w = (struct writer){sv[0], &wire};
	if (threaded)
		pthread_create(&th, NULL, write_side, &w);
	else {
		/* all of it in the socket before the first read */
		fcntl(sv[0], F_SETFL, O_NONBLOCK);
		CHECK(write(sv[0], wire.data, wire.len) == (ssize_t)wire.len);
	}
	evutil_make_socket_nonblocking(sv[1]);
	bev = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, on_read, NULL, NULL, &r);
	bufferevent_enable(bev, EV_READ);
	for (i = 0; i < 1000000 && r.frames < 2 && !r.failed; i++)
		event_base_loop(base, EVLOOP_ONCE);
	if (threaded)
		pthread_join(th, NULL);
	if (r.failed)
		fprintf(stderr, "frame %d: %s\n", r.frames + 1, r.err);
	CHECK(!r.failed && r.frames == 2);
	if (r.frames == 2) {
		CHECK_STR(r.got[0].op, "run");
		CHECK(r.got[0].blob_len == len && memcmp(r.got[0].blob, blob, len) == 0);
		CHECK_STR(r.got[1].op, "next");
		CHECK(r.got[1].blob_len == 4 && memcmp(r.got[1].blob, "tail", 4) == 0);
	}
	CHECK(evbuffer_get_length(bufferevent_get_input(bev)) == 0);
	pd_msg_release(&r.got[0]);
	pd_msg_release(&r.got[1]);
	bufferevent_free(bev);
	event_base_free(base);
	close(sv[0]);
	pd_buf_release(&wire);
	pd_seal_wipe(&c);
	pd_seal_wipe(&s);
	free(blob);
	return r.failed ? -1 : r.calls;
}

/* Read frames from fd (blocking), after the `pre` bytes already read
 * from it, until n are taken into got. */
static void read_frames(int fd, const char *pre, size_t npre, struct pd_seal *s, struct pd_msg *got, int n)
{
	struct evbuffer *in = evbuffer_new();
	char chunk[65536], err[PD_ERRLEN];
	ssize_t r;
	int k = 0, rc;

	evbuffer_add(in, pre, npre);
	while (k < n) {
		while (k < n && (rc = pd_evframe_take(in, 64u << 20, s, &got[k], err)) == 1)
			k++;
		if (k == n || rc < 0 || (r = read(fd, chunk, sizeof chunk)) <= 0)
			break;
		evbuffer_add(in, chunk, (size_t)r);
	}
	CHECK(k == n && evbuffer_get_length(in) == 0);
	evbuffer_free(in);
}

/*
 * pd_evframe_send: on an empty output a frame goes into the socket at
 * once, with nothing left queued; a frame larger than the socket takes
 * leaves its rest queued, and a frame sent after it waits behind it;
 * the reader gets all of them whole and in order, sealed too.  A plain
 * one goes out from the caller's blob itself (header and JSON, then the
 * blob, in one sendmsg), so the rest queued must be a copy: the caller
 * overwrites its blob at once, and the reader still gets the original.
 */
static void test_send(int sealed)
{
	struct pd_seal c, s;
	struct event_base *base = event_base_new();
	struct bufferevent *bev;
	struct pd_msg got[3];
	const size_t big = 8u << 20;
	char *blob = malloc(big), *want = malloc(big);
	cJSON *j = cJSON_CreateObject();
	int sv[2], i, small = 1 << 16;
	static char first[4u << 20];
	ssize_t pre, r;
	size_t k;

	for (k = 0; k < big; k++)
		blob[k] = (char)(k * 7 + (k >> 10));
	memcpy(want, blob, big);
	seal_pair(&c, &s);
	cJSON_AddStringToObject(j, "op", "x");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	evutil_make_socket_nonblocking(sv[0]);
	bev = bufferevent_socket_new(base, sv[0], 0);
	bufferevent_enable(bev, EV_WRITE);
	for (i = 0; i < 3; i++)
		pd_msg_init(&got[i]);
	/* a small frame: in the socket before any loop turn, nothing queued */
	pd_evframe_send(bev, sealed ? &c : NULL, j, "abc", 3);
	CHECK(evbuffer_get_length(bufferevent_get_output(bev)) == 0);
	read_frames(sv[1], "", 0, sealed ? &s : NULL, &got[0], 1);
	CHECK(got[0].blob_len == 3 && memcmp(got[0].blob, "abc", 3) == 0);
	/* 8 MiB into a 64 KiB socket buffer: the rest queued, the next frame behind it */
	pd_evframe_send(bev, sealed ? &c : NULL, j, blob, big);
	memset(blob, 0x5a, big);
	CHECK(evbuffer_get_length(bufferevent_get_output(bev)) > 0);
	CHECK(evbuffer_get_length(bufferevent_get_output(bev)) < big + 100);
	/* room in the socket again (all it held read), while the rest still
	 * waits in the output */
	pre = 0;
	while ((r = recv(sv[1], first + pre, sizeof first - (size_t)pre, MSG_DONTWAIT)) > 0)
		pre += r;
	CHECK(pre > 0);
	pd_evframe_send(bev, sealed ? &c : NULL, j, "tail", 4);
	{
		pthread_t th;
		struct flusher f = {base, bev};

		pthread_create(&th, NULL, flush_side, &f);
		read_frames(sv[1], first, pre > 0 ? (size_t)pre : 0, sealed ? &s : NULL, &got[1], 2);
		pthread_join(th, NULL);
	}
	CHECK(got[1].blob_len == big && memcmp(got[1].blob, want, big) == 0);
	CHECK(got[2].blob_len == 4 && memcmp(got[2].blob, "tail", 4) == 0);
	for (i = 0; i < 3; i++)
		pd_msg_release(&got[i]);
	bufferevent_free(bev);
	event_base_free(base);
	close(sv[0]);
	close(sv[1]);
	cJSON_Delete(j);
	free(blob);
	free(want);
	pd_seal_wipe(&c);
	pd_seal_wipe(&s);
}

int main(void)
{
	int calls;

	/* 100 KiB already in the socket: libevent alone reads 4 KiB a call
	 * (25 calls or more); the frame's reader takes the rest at once */
	calls = round_trip(100u << 10, 0, 0);
	fprintf(stderr, "100 KiB frame in the socket: %d read calls\n", calls);
	CHECK(calls >= 1 && calls <= 3);
	calls = round_trip(100u << 10, 1, 0);
	CHECK(calls >= 1 && calls <= 3);
	/* small frames, and frames under the threshold, as before */
	CHECK(round_trip(0, 0, 0) >= 1);
	CHECK(round_trip(60u << 10, 0, 0) >= 1);
	/* larger than a socket buffer, and past the first 16 MiB block */
	CHECK(round_trip(8u << 20, 0, 1) >= 1);
	CHECK(round_trip((17u << 20) + 5, 0, 1) >= 1);
	CHECK(round_trip((17u << 20) + 5, 1, 1) >= 1);
	test_send(0);
	test_send(1);
	return t_done("evframe_test");
}
