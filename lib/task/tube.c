/* tube.c - tube transport: an I/O thread drains incoming tubes into queues,
 * and a pop that finds its queue empty reads the socket itself. */
#include "tube.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "xmalloc.h"

#define READ_MAX (8u << 20) /* bytes read per tube per turn, for fairness */
#define HANDBACK_MS 1	    /* a socket a pop read is watched again within this */
#define HANDBACK_TICKS 8    /* ticks one pop may last before the pop hands back */
#define STAGE 65536	    /* small messages arrive whole in one read */

/*
 * Read up to want bytes for the message being received: from what was
 * read ahead first, directly for large remainders, else through the
 * staging buffer so a small message's header and body take one read.
 * The socket is blocking: the I/O thread reads with MSG_DONTWAIT, a pop
 * waiting for its message (t->block) waits in the read itself.
 */
static ssize_t tube_read(struct pd_tube *t, void *dst, size_t want)
{
	int flags = t->block ? 0 : MSG_DONTWAIT;
	size_t n;
	ssize_t r;

	if (t->stage_pos == t->stage_len) {
		if (want >= STAGE)
			return recv(t->fd, dst, want, flags);
		if (!t->stage)
			t->stage = pd_xmalloc(STAGE);
		r = recv(t->fd, t->stage, STAGE, flags);
		if (r <= 0)
			return r;
		t->stage_len = (size_t)r;
		t->stage_pos = 0;
	}
	n = t->stage_len - t->stage_pos < want ? t->stage_len - t->stage_pos : want;
	memcpy(dst, t->stage + t->stage_pos, n);
	t->stage_pos += n;
	return (ssize_t)n;
}

struct pd_tube *pd_tubes_find(struct pd_tubes *ts, const char *name, int out)
{
	int i;

	for (i = 0; i < ts->n; i++)
		if (ts->v[i].out == out && !strcmp(ts->v[i].name, name))
			return &ts->v[i];
	return NULL;
}

/*
 * A buffer for a message of n bytes: one of the tube's two spares when
 * it is large enough (a fresh buffer per big message would fault in and
 * zero every page of it, which costs more than the copy itself), else a
 * new one.  Two, because while the node holds the message it popped last
 * and the next waits in the queue, the one after is already arriving.
 */
static struct pd_tubemsg *msg_alloc(struct pd_tubes *ts, struct pd_tube *t, size_t n)
{
	struct pd_tubemsg *m = NULL;

	pthread_mutex_lock(&ts->mu);
	if (t->spare && t->spare->cap >= n) {
		m = t->spare;
		t->spare = t->spare2;
		t->spare2 = NULL;
	} else if (t->spare2 && t->spare2->cap >= n) {
		m = t->spare2;
		t->spare2 = NULL;
	}
	pthread_mutex_unlock(&ts->mu);
	if (!m) {
		m = pd_xmalloc(sizeof *m + n);
		m->cap = n;
	}
	return m;
}

/* Done with a popped message (mutex held): keep it as a spare, in place
 * of the smaller spare when both are taken and it is larger. */
static void msg_recycle(struct pd_tube *t, struct pd_tubemsg *m)
{
	struct pd_tubemsg **small;

	if (!m)
		return;
	if (!t->spare || !t->spare2) {
		*(t->spare ? &t->spare2 : &t->spare) = m;
		return;
	}
	small = t->spare->cap <= t->spare2->cap ? &t->spare : &t->spare2;
	if ((*small)->cap >= m->cap) {
		free(m);
		return;
	}
	free(*small);
	*small = m;
}

/* Plaintext bytes of the sealed chunk that starts at offset done. */
static size_t chunk_len(const struct pd_tube *t, size_t done)
{
	size_t left = t->cur->len - done;

	return left < PD_TUBE_CHUNK ? left : PD_TUBE_CHUNK;
}

/* Read the current message's body of a plain tube.  1 when it is
 * complete, 0 when more is to come, -1 with *r the failed read. */
static int body_plain(struct pd_tube *t, size_t *budget, ssize_t *r)
{
	if (t->got < t->cur->len) {
		*r = tube_read(t, t->cur->data + t->got, t->cur->len - t->got);
		if (*r <= 0)
			return -1;
		t->got += (size_t)*r;
		*budget = (size_t)*r < *budget ? *budget - (size_t)*r : 0;
	}
	return t->got == t->cur->len;
}

/* The same for a sealed tube: each chunk is opened as soon as it is
 * whole, into its place in the message.  -2: a chunk failed to open. */
static int body_sealed(struct pd_tube *t, size_t *budget, ssize_t *r)
{
	size_t want;

	do {
		want = chunk_len(t, t->got) + PD_SEAL_TAG;
		if (!t->chunk)
			t->chunk = pd_xmalloc(PD_TUBE_CHUNK + PD_SEAL_TAG);
		*r = tube_read(t, t->chunk + t->chunk_got, want - t->chunk_got);
		if (*r <= 0)
			return -1;
		t->chunk_got += (size_t)*r;
		*budget = (size_t)*r < *budget ? *budget - (size_t)*r : 0;
		if (t->chunk_got < want)
			continue;
		if (pd_seal_open(t->seal, t->hdr, sizeof t->hdr, t->chunk, want, t->cur->data + t->got))
			return -2; /* altered or replayed: the link is not to be trusted */
		t->got += want - PD_SEAL_TAG;
		t->chunk_got = 0;
		if (t->got == t->cur->len)
			return 1;
	} while (*budget);
	return 0;
}

/* Append a completed message to its tube's queue (mutex held); the
 * caller wakes the popper after unlocking. */
static void enqueue(struct pd_tubes *ts, struct pd_tube *t)
{
	struct pd_tubemsg *m = t->cur;

	(void)ts;
	m->next = NULL;
	if (t->tail)
		t->tail->next = m;
	else
		t->head = m;
	t->tail = m;
	t->queued += m->len;
	if (t->queued >= PD_TUBE_QUEUE_MAX)
		t->paused = 1;
	t->cur = NULL;
	t->hdr_got = t->got = 0;
}

/* Read what is there on one incoming tube.  -1 at its end. */
static int drain(struct pd_tubes *ts, struct pd_tube *t)
{
	size_t budget = READ_MAX;
	unsigned long long len;
	ssize_t r = 0;
	int done;

	while (budget) {
		if (t->hdr_got < sizeof t->hdr) {
			r = tube_read(t, t->hdr + t->hdr_got, sizeof t->hdr - t->hdr_got);
			if (r <= 0)
				goto end;
			t->hdr_got += (size_t)r;
			if (t->hdr_got < sizeof t->hdr)
				continue;
			len = pd_get_be64(t->hdr);
			if (len > PD_TUBE_MSG_MAX)
				return -1; /* not a tube peer: treat as gone */
			t->cur = msg_alloc(ts, t, (size_t)len);
			t->cur->len = (size_t)len;
		}
		done = t->seal ? body_sealed(t, &budget, &r) : body_plain(t, &budget, &r);
		if (done == -2)
			return -1;
		if (done < 0)
			goto end;
		if (done == 1) {
			pthread_mutex_lock(&ts->mu);
			enqueue(ts, t);
			pthread_mutex_unlock(&ts->mu);
			/* Signalled after unlocking: the popper wakes to a free mutex. */
			pthread_cond_signal(&t->cv);
			/* Nothing read ahead: poll says when more comes, no read
			 * needs to find the socket empty.  A pop reading for
			 * itself stops at its message: the rest can wait. */
			if (t->paused || t->block || t->stage_pos == t->stage_len)
				return 0;
		}
	}
	return 0;
end:
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

/* Whether the I/O thread should watch incoming tube t (mutex held): not
 * once it has ended or its queue is full, nor while a pop reads its
 * socket; a ring's socket (wake-ups and the pusher's end) always else. */
static int io_wants(struct pd_tube *t)
{
	if (t->out || t->closed || t->paused || atomic_load(&t->gone))
		return 0;
	return t->ring.m || !t->reading;
}

/* Put t in or out of the I/O thread's epoll to match io_wants (mutex
 * held).  Level-triggered: a socket left with bytes is reported again. */
static void rewatch(struct pd_tubes *ts, struct pd_tube *t)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)(t - ts->v)};
	int on = io_wants(t);

	if (t->armed == on)
		return;
	if (epoll_ctl(ts->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, t->fd, &ev) == 0 || !on)
		t->armed = on;
}

/* Mark a tube's sender gone; pops see the end after its queue. */
static void close_in(struct pd_tubes *ts, struct pd_tube *t)
{
	pthread_mutex_lock(&ts->mu);
	t->closed = 1;
	rewatch(ts, t);
	free(t->cur);
	t->cur = NULL;
	pthread_mutex_unlock(&ts->mu);
	pthread_cond_signal(&t->cv);
}

#define RING_WAIT_MS 100		 /* a sleeping pusher checks its popper is alive this often */
#define RING_PIECE ((size_t)256 << 10) /* a large message is published in pieces of this */

int pd_tubes_shm_wanted(void)
{
	const char *e = getenv("PD_TUBES");

	return !e || strcmp(e, "socket");
}

/* Taken from the ring: whether the pusher's socket has ended. */
static int pusher_gone(void *arg)
{
	return atomic_load(&((struct pd_tube *)arg)->gone);
}

/*
 * Read the current message from a ring (this thread holds t->reading),
 * into t->cur as on a socket.  1 when it is whole, 0 when the ring is
 * empty (block 0), -1 when the pusher is gone before it was whole.
 */
static int ring_read(struct pd_tubes *ts, struct pd_tube *t, int block)
{
	unsigned long long len;

	for (;;) {
		if (t->hdr_got < sizeof t->hdr) {
			t->hdr_got += pd_tubering_get(&t->ring, t->hdr + t->hdr_got, sizeof t->hdr - t->hdr_got);
			if (t->hdr_got == sizeof t->hdr) {
				memcpy(&len, t->hdr, sizeof len);
				if (len > PD_TUBE_MSG_MAX)
					return -1; /* cannot be: our own pusher wrote it */
				t->cur = msg_alloc(ts, t, (size_t)len);
				t->cur->len = (size_t)len;
				t->got = 0;
			}
		}
		if (t->cur) {
			t->got += pd_tubering_get(&t->ring, t->cur->data + t->got, t->cur->len - t->got);
			if (t->got == t->cur->len)
				return 1;
		}
		if (pd_tubering_ready(&t->ring))
			continue;
		if (!block)
			return 0;
		if (atomic_load(&t->gone) && !pd_tubering_ready(&t->ring))
			return -1; /* the socket ended after the pusher's last write */
		pd_tubering_wait(&t->ring, 1000, pusher_gone, t);
	}
}

/* The I/O thread's turn on a ring: the pusher asked for room (or ended);
 * move the whole messages there into the queue, unless a pop reads. */
static void drain_ring(struct pd_tubes *ts, struct pd_tube *t)
{
	char junk[64];
	ssize_t r = recv(t->fd, junk, sizeof junk, MSG_DONTWAIT);

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		atomic_store(&t->gone, 1);
		pd_tubering_kick(&t->ring); /* a pop asleep on the ring sees it */
	}
	pthread_mutex_lock(&ts->mu);
	if (t->reading || t->paused || t->closed) {
		pthread_mutex_unlock(&ts->mu);
		return;
	}
	t->reading = 1;
	pthread_mutex_unlock(&ts->mu);
	while (!t->paused && ring_read(ts, t, 0) == 1) {
		pthread_mutex_lock(&ts->mu);
		enqueue(ts, t);
		pthread_mutex_unlock(&ts->mu);
	}
	pthread_mutex_lock(&ts->mu);
	t->reading = 0;
	pthread_mutex_unlock(&ts->mu);
	pthread_cond_broadcast(&t->cv);
}

/* A pop on a ring with nothing queued: read the next message from the
 * ring into the queue (the mutex is held on entry and exit, not while
 * reading); the tube is closed when the pusher is gone before a whole one. */
static void ring_fill(struct pd_tubes *ts, struct pd_tube *t)
{
	int rc;

	while (!t->head && !t->closed && t->reading)
		pthread_cond_wait(&t->cv, &ts->mu);
	if (t->head || t->closed)
		return;
	t->reading = 1;
	pthread_mutex_unlock(&ts->mu);
	pd_tubering_reading(&t->ring, 1);
	rc = ring_read(ts, t, 1);
	pd_tubering_reading(&t->ring, 0);
	pthread_mutex_lock(&ts->mu);
	t->reading = 0;
	if (rc == 1) {
		enqueue(ts, t);
		return;
	}
	free(t->cur);
	t->cur = NULL;
	t->closed = 1;
}

/* A byte on the I/O thread's wake pipe.  A failed write is EAGAIN: the
 * pipe is full, so the thread wakes anyway. */
static void wake_io(struct pd_tubes *ts, char c)
{
	ssize_t w = write(ts->wake[1], &c, 1);

	(void)w;
}

/*
 * A pop on a socket with nothing queued and no other reader: read the
 * socket in this thread until a message is whole, so that its arrival
 * wakes this thread and no other (the mutex is held on entry and exit,
 * not while reading).  The I/O thread stops watching it, and takes it
 * back at its next tick (HANDBACK_MS): pops in a row pay no epoll call.
 * A pop that outlasts HANDBACK_TICKS ticks stops them (a waiting node
 * then costs nothing) and hands the socket back itself.
 */
static void sock_fill(struct pd_tubes *ts, struct pd_tube *t)
{
	int rc, whole, tell = 0;

	t->reading = 1;
	if (t->armed) {
		rewatch(ts, t);
		tell = ts->io_forever; /* the I/O thread must start its ticks */
		ts->io_forever = 0;
	}
	pthread_mutex_unlock(&ts->mu);
	if (tell)
		wake_io(ts, 't');
	/* Blocking reads, as a plain socket program's: a wait in poll and
	 * then a read would cost a system call more per message. */
	t->block = 1;
	for (;;) {
		rc = drain(ts, t);
		if (rc < 0)
			break;
		pthread_mutex_lock(&ts->mu);
		whole = t->head != NULL;
		pthread_mutex_unlock(&ts->mu);
		if (whole)
			break;
	}
	t->block = 0;
	if (rc < 0)
		close_in(ts, t);
	pthread_mutex_lock(&ts->mu);
	t->reading = 0;
	t->pops++;
	if (ts->io_forever) /* no tick is coming: give it back now */
		rewatch(ts, t);
	pthread_cond_broadcast(&t->cv); /* another pop may wait for the reader */
}

/*
 * Before the I/O thread waits (mutex held): watch again every socket a
 * pop has finished reading.  The wait's timeout: HANDBACK_MS while pops
 * keep reading a socket (to take it back soon after the last), none when
 * none does or one pop has lasted HANDBACK_TICKS ticks.
 */
static int io_catch_up(struct pd_tubes *ts)
{
	struct pd_tube *t;
	int i, lent = 0;

	for (i = 0; i < ts->n; i++) {
		t = &ts->v[i];
		rewatch(ts, t);
		if (t->out || t->ring.m || t->armed || !t->reading)
			continue;
		if (t->pops != t->pops_seen) {
			t->pops_seen = t->pops;
			t->ticks_still = 0;
		}
		if (t->ticks_still < HANDBACK_TICKS) {
			t->ticks_still++;
			lent = 1;
		}
	}
	ts->io_forever = !lent;
	return lent ? HANDBACK_MS : -1;
}

/* The I/O thread's turn on an incoming tube that epoll says is readable. */
static void io_turn(struct pd_tubes *ts, struct pd_tube *t)
{
	pthread_mutex_lock(&ts->mu);
	if (!io_wants(t)) { /* a pop took the socket since epoll_wait */
		pthread_mutex_unlock(&ts->mu);
		return;
	}
	if (!t->ring.m)
		t->reading = 1;
	pthread_mutex_unlock(&ts->mu);
	if (t->ring.m)
		drain_ring(ts, t);
	else if (drain(ts, t) < 0)
		close_in(ts, t);
	pthread_mutex_lock(&ts->mu);
	if (!t->ring.m)
		t->reading = 0;
	rewatch(ts, t);
	pthread_mutex_unlock(&ts->mu);
	pthread_cond_broadcast(&t->cv);
}

/* The I/O thread: drain the incoming tubes that epoll reports, until stop. */
static void *io_main(void *arg)
{
	struct pd_tubes *ts = arg;
	struct epoll_event ev[16];
	char junk[64];
	int n, i, ms, stop = 0;

	while (!stop) {
		pthread_mutex_lock(&ts->mu);
		ms = io_catch_up(ts);
		pthread_mutex_unlock(&ts->mu);
		n = epoll_wait(ts->ep, ev, (int)(sizeof ev / sizeof ev[0]), ms);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++)
			if ((int)ev[i].data.u32 == ts->n) {
				if (read(ts->wake[0], junk, sizeof junk) < 0 && errno != EAGAIN)
					stop = 1;
			} else
				io_turn(ts, &ts->v[ev[i].data.u32]);
		pthread_mutex_lock(&ts->mu);
		stop |= ts->stop;
		pthread_mutex_unlock(&ts->mu);
	}
	return NULL;
}

/*
 * Large buffers for a socket pair: fewer, larger handoffs for big
 * messages.  A TCP socket (a sealed tube between hosts) is left alone:
 * setting its buffers turns off the kernel's autotuning, which grows
 * them further as needed (net.ipv4.tcp_rmem), and caps them at
 * net.core.rmem_max, 208 KiB by default, which starves a fast link.
 */
static void widen(int fd)
{
	int size = PD_TUBE_SOCKBUF, domain = AF_UNIX;
	socklen_t len = sizeof domain;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain != AF_UNIX)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

int pd_tubes_start(struct pd_tubes *ts, struct pd_tube *v, int n, char *err)
{
	int i;

	struct epoll_event wake = {.events = EPOLLIN, .data.u32 = (uint32_t)n};

	memset(ts, 0, sizeof *ts);
	ts->v = v;
	ts->n = n;
	ts->ended = -1;
	ts->ep = -1;
	pthread_mutex_init(&ts->mu, NULL);
	pthread_cond_init(&ts->cv, NULL);
	if (pipe2(ts->wake, O_CLOEXEC | O_NONBLOCK)) {
		pd_err(err, "pipe: %s", strerror(errno));
		return -1;
	}
	ts->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ts->ep < 0 || epoll_ctl(ts->ep, EPOLL_CTL_ADD, ts->wake[0], &wake)) {
		pd_err(err, "epoll: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		pthread_cond_init(&v[i].cv, NULL);
		atomic_init(&v[i].gone, 0);
		v[i].reading = v[i].armed = 0;
		if (v[i].shm)
			pd_tubering_attach(&v[i].ring, v[i].shm, v[i].out);
		else
			widen(v[i].fd);
		if (!v[i].out) /* blocking: see tube_read */
			fcntl(v[i].fd, F_SETFL, fcntl(v[i].fd, F_GETFL) & ~O_NONBLOCK);
		rewatch(ts, &v[i]); /* no thread yet: the mutex is not needed */
	}
	if (pthread_create(&ts->io, NULL, io_main, ts)) {
		pd_err(err, "cannot start the tube thread");
		return -1;
	}
	ts->running = 1;
	return 0;
}

/* Write all of an iovec array, blocking. */
static int write_all(int fd, struct iovec *iov, int cnt)
{
	ssize_t w;

	while (cnt > 0) {
		w = writev(fd, iov, cnt);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Send a sealed message: the header, then each chunk sealed in turn, so
 * the receiver opens one while the next is sealed. */
static int push_sealed(struct pd_tube *t, unsigned char *hdr, const unsigned char *p, size_t len)
{
	struct iovec iov[2] = {{hdr, 8}, {NULL, 0}};
	size_t done = 0, n;
	int first = 1;

	if (!t->sealbuf)
		t->sealbuf = pd_xmalloc(PD_TUBE_CHUNK + PD_SEAL_TAG);
	do {
		n = len - done < PD_TUBE_CHUNK ? len - done : PD_TUBE_CHUNK;
		pd_seal_close(t->seal, hdr, 8, p + done, n, t->sealbuf);
		iov[1] = (struct iovec){t->sealbuf, n + PD_SEAL_TAG};
		if (write_all(t->fd, first ? iov : iov + 1, first ? 2 : 1))
			return -1;
		first = 0;
		done += n;
	} while (done < len);
	return 0;
}

/*
 * Before a pusher sleeps for room in a ring: unless a pop is reading it,
 * ask the popper's I/O thread to drain it (a byte on the tube's socket;
 * a full socket already holds such a request).  1 when the popper is gone.
 */
static int ask_room(void *arg)
{
	struct pd_tube *t = arg;

	if (pd_tubering_peer_reading(&t->ring))
		return 0;
	return send(t->fd, "r", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN && errno != EINTR;
}

/* Wait for room in a ring; -1 (errno EPIPE) when the popper is gone: its
 * end of the socket, which never carries anything our way, has ended. */
static int ring_room(struct pd_tube *t)
{
	struct pollfd pf;

	while (!pd_tubering_wait(&t->ring, RING_WAIT_MS, ask_room, t)) {
		pf = (struct pollfd){t->fd, POLLIN, 0};
		if (poll(&pf, 1, 0) > 0) {
			errno = EPIPE;
			return -1;
		}
	}
	return 0;
}

/* Copy len bytes into a ring, publishing each piece of a large message
 * so that the popper copies it out while the rest goes in. */
static int ring_put_all(struct pd_tube *t, const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t k;

	while (len) {
		k = pd_tubering_put(&t->ring, c, len < RING_PIECE ? len : RING_PIECE);
		c += k;
		len -= k;
		if (!len)
			break;
		if (k)
			pd_tubering_flush(&t->ring);
		else if (ring_room(t))
			return -1;
	}
	return 0;
}

/* Push a message through a ring: its length (native order: both ends are
 * on this host), then its bytes. */
static int push_ring(struct pd_tube *t, const void *p, size_t len)
{
	unsigned long long n = len;

	if (ring_put_all(t, &n, sizeof n) || ring_put_all(t, p, len))
		return -1;
	pd_tubering_flush(&t->ring);
	return 0;
}

int pd_tubes_push(struct pd_tubes *ts, const char *name, const void *p, size_t len, char *err)
{
	struct pd_tube *t = pd_tubes_find(ts, name, 1);
	unsigned char hdr[8];
	struct iovec iov[2];
	int rc;

	if (!t) {
		pd_err(err, "push: this node has no outgoing tube '%s'", name);
		return -1;
	}
	if ((unsigned long long)len > PD_TUBE_MSG_MAX) {
		pd_err(err, "push on '%s': message of %zu bytes over the limit", name, len);
		return -1;
	}
	pd_put_be64(hdr, len);
	iov[0] = (struct iovec){hdr, sizeof hdr};
	iov[1] = (struct iovec){(void *)p, len};
	if (t->ring.m)
		rc = push_ring(t, p, len);
	else if (t->seal)
		rc = push_sealed(t, hdr, p, len);
	else
		rc = write_all(t->fd, iov, len ? 2 : 1);
	if (rc) {
		pd_err(err, "push on '%s': node %d is gone (%s)", name, t->peer, strerror(errno));
		ts->ended = t->peer;
		return -1;
	}
	return 0;
}

const void *pd_tubes_pop(struct pd_tubes *ts, const char *name, size_t *len, char *err)
{
	struct pd_tube *t = pd_tubes_find(ts, name, 0);
	struct pd_tubemsg *m;

	if (!t) {
		pd_err(err, "pop: this node has no incoming tube '%s'", name);
		return NULL;
	}
	pthread_mutex_lock(&ts->mu);
	msg_recycle(t, t->last);
	t->last = NULL;
	if (t->ring.m)
		ring_fill(ts, t);
	while (!t->head && !t->closed)
		if (!t->ring.m && !t->reading)
			sock_fill(ts, t);
		else
			pthread_cond_wait(&t->cv, &ts->mu);
	m = t->head;
	if (m) {
		t->head = m->next;
		if (!t->head)
			t->tail = NULL;
		t->queued -= m->len;
		t->last = m;
		if (t->paused && t->queued < PD_TUBE_QUEUE_MAX / 2) {
			t->paused = 0;
			rewatch(ts, t); /* the I/O thread drains it again */
		}
	}
	pthread_mutex_unlock(&ts->mu);
	if (!m) {
		pd_err(err, "pop on '%s': node %d has ended and sent nothing more", name, t->peer);
		ts->ended = t->peer;
		return NULL;
	}
	*len = m->len;
	return m->data;
}

void pd_tubes_stop(struct pd_tubes *ts)
{
	struct pd_tubemsg *m;
	int i;

	if (ts->running) {
		pthread_mutex_lock(&ts->mu);
		ts->stop = 1;
		pthread_mutex_unlock(&ts->mu);
		wake_io(ts, 's');
		pthread_join(ts->io, NULL);
		ts->running = 0;
	}
	for (i = 0; i < ts->n; i++) {
		while ((m = ts->v[i].head)) {
			ts->v[i].head = m->next;
			free(m);
		}
		free(ts->v[i].last);
		free(ts->v[i].cur);
		free(ts->v[i].spare);
		free(ts->v[i].spare2);
		ts->v[i].spare2 = NULL;
		free(ts->v[i].stage);
		ts->v[i].stage = NULL;
		free(ts->v[i].chunk);
		ts->v[i].chunk = NULL;
		free(ts->v[i].sealbuf);
		ts->v[i].sealbuf = NULL;
		free(ts->v[i].seal);
		ts->v[i].seal = NULL;
		ts->v[i].head = ts->v[i].tail = ts->v[i].last = ts->v[i].cur = ts->v[i].spare = NULL;
		pd_tubering_unmap(ts->v[i].shm);
		ts->v[i].shm = ts->v[i].ring.m = NULL;
		if (ts->v[i].fd >= 0)
			close(ts->v[i].fd);
		ts->v[i].fd = -1;
	}
	if (ts->wake[0] > 0) {
		close(ts->wake[0]);
		close(ts->wake[1]);
	}
	if (ts->ep >= 0)
		close(ts->ep);
	for (i = 0; i < ts->n; i++)
		pthread_cond_destroy(&ts->v[i].cv);
	pthread_mutex_destroy(&ts->mu);
	pthread_cond_destroy(&ts->cv);
}
