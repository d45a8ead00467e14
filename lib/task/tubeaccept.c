/* tubeaccept.c - accepting a node's tubes between hosts, despite strangers. */
#include "tubeaccept.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "peer.h"
#include "tubewire.h"
#include "xmalloc.h"

/* One connection in its handshake. */
struct hs {
	int used, done, ok;
	uint64_t deadline; /* ms on the monotonic clock */
	pthread_t th;
	int wake; /* write end of the acceptor's pipe */
	const unsigned char *key;
	const char *task;
	struct pd_tubeaccept_hit hit;
	char addr[80];
	char err[PD_ERRLEN];
	pthread_mutex_t *mu;
};

/* Milliseconds on the monotonic clock. */
static uint64_t now_ms(void)
{
	return pd_now_ns() / 1000000u;
}

/* "ADDR:PORT" of a peer, for the log. */
static void peer_name(int fd, char *out, size_t n)
{
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof ss;
	char a[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		ss.ss_family = AF_UNSPEC; /* named "?:0" */
	if (ss.ss_family == AF_INET6) {
		const struct in6_addr *v6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(v6))
			inet_ntop(AF_INET, &v6->s6_addr[12], a, sizeof a);
		else
			inet_ntop(AF_INET6, v6, a, sizeof a);
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof a);
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	snprintf(out, n, "%s:%d", a, port);
}

/* The thread of one handshake: blocking, ended from outside by shutdown. */
static void *hs_main(void *arg)
{
	struct hs *h = arg;
	int ok = pd_tubewire_handshake(h->hit.fd, h->key, h->task, h->hit.name, &h->hit.src, &h->hit.dst,
				       &h->hit.seal, h->err) == 0;

	pthread_mutex_lock(h->mu);
	h->ok = ok;
	h->done = 1;
	pthread_mutex_unlock(h->mu);
	(void)!write(h->wake, "x", 1);
	return NULL;
}

/* Accept one connection into a free handshake slot (or drop it); -1
 * when out of descriptors (EMFILE, ENFILE): the connection stays queued. */
static int take_conn(int lfd, struct hs *v, int hs_ms, uint64_t end)
{
	char addr[80];
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), i;

	if (fd < 0)
		return errno == EMFILE || errno == ENFILE ? -1 : 0;
	peer_name(fd, addr, sizeof addr);
	for (i = 0; i < PD_TUBEACCEPT_HS_MAX && v[i].used; i++)
		;
	if (i == PD_TUBEACCEPT_HS_MAX) {
		pd_log(PD_LOG_WARN, "tubes: dropped %s: %d handshakes already under way", addr, PD_TUBEACCEPT_HS_MAX);
		close(fd);
		return 0;
	}
	pd_peer_nodelay(fd);
	v[i].used = 1;
	v[i].done = v[i].ok = 0;
	v[i].err[0] = 0;
	v[i].hit.fd = fd;
	v[i].deadline = now_ms() + (uint64_t)hs_ms;
	if (v[i].deadline > end)
		v[i].deadline = end;
	snprintf(v[i].addr, sizeof v[i].addr, "%s", addr);
	if (pthread_create(&v[i].th, NULL, hs_main, &v[i])) {
		pd_log(PD_LOG_WARN, "tubes: dropped %s: cannot start its handshake", addr);
		close(fd);
		v[i].used = 0;
	}
	return 0;
}

/* Collect a finished handshake: the owner takes its tube or it is
 * dropped and logged.  1 when a tube was taken. */
static int reap(struct hs *h, pd_tubeaccept_fn fn, void *arg)
{
	char why[128] = "";

	pthread_join(h->th, NULL);
	h->used = 0;
	if (!h->ok) {
		pd_log(PD_LOG_WARN, "tubes: dropped %s: %s", h->addr, h->err[0] ? h->err : "handshake failed");
	} else if (fn(arg, &h->hit, why)) {
		pd_log(PD_LOG_WARN, "tubes: dropped %s: %s", h->addr, why);
	} else {
		return 1;
	}
	close(h->hit.fd);
	pd_seal_wipe(&h->hit.seal);
	return 0;
}

/* End handshakes past their deadline (all of them when `all`); one that
 * already succeeded is a tube and is left alone until it is reaped. */
static void expire(struct hs *v, uint64_t now, int all)
{
	int i, done;

	for (i = 0; i < PD_TUBEACCEPT_HS_MAX; i++) {
		if (!v[i].used || (!all && now < v[i].deadline))
			continue;
		pthread_mutex_lock(v[i].mu);
		done = v[i].done;
		pthread_mutex_unlock(v[i].mu);
		if (all || !done)
			shutdown(v[i].hit.fd, SHUT_RDWR);
	}
}

/* The poll timeout: until the nearest deadline. */
static int next_wait(const struct hs *v, uint64_t now, uint64_t end)
{
	uint64_t t = end;
	int i;

	for (i = 0; i < PD_TUBEACCEPT_HS_MAX; i++)
		if (v[i].used && v[i].deadline < t)
			t = v[i].deadline;
	return t <= now ? 0 : (int)(t - now);
}

int pd_tubeaccept_run(int lfd, const unsigned char key[PD_KEY_LEN], const char *task, int want,
		      int total_ms, int hs_ms, pd_tubeaccept_fn fn, void *arg, char *err)
{
	struct hs *v;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	uint64_t end = now_ms() + (uint64_t)total_ms, now, paused_until = 0;
	int pipefd[2], got = 0, i, busy, wait_ms;
	struct pollfd pf[2];
	char c[64];

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK)) {
		pd_err(err, "tube acceptor: pipe: %s", strerror(errno));
		return -1;
	}
	v = pd_xcalloc(PD_TUBEACCEPT_HS_MAX, sizeof *v);
	for (i = 0; i < PD_TUBEACCEPT_HS_MAX; i++)
		v[i] = (struct hs){.wake = pipefd[1], .key = key, .task = task, .mu = &mu};
	while (got < want && (now = now_ms()) < end) {
		expire(v, now, 0);
		/* Out of descriptors: leave the listener alone for a moment
		 * rather than spin on a connection that cannot be accepted. */
		pf[0] = (struct pollfd){now < paused_until ? -1 : lfd, POLLIN, 0};
		pf[1] = (struct pollfd){pipefd[0], POLLIN, 0};
		wait_ms = next_wait(v, now, end);
		if (now < paused_until && paused_until - now < (uint64_t)wait_ms)
			wait_ms = (int)(paused_until - now);
		if (poll(pf, 2, wait_ms) < 0 && errno != EINTR)
			break;
		while (read(pipefd[0], c, sizeof c) > 0)
			;
		for (i = 0; i < PD_TUBEACCEPT_HS_MAX && got < want; i++) {
			pthread_mutex_lock(&mu);
			busy = v[i].used && v[i].done;
			pthread_mutex_unlock(&mu);
			if (busy)
				got += reap(&v[i], fn, arg);
		}
		if (got < want && (pf[0].revents & POLLIN))
			if (take_conn(lfd, v, hs_ms, end))
				paused_until = now_ms() + 100;
	}
	/* Whatever is still shaking hands now ends. */
	expire(v, 0, 1);
	for (i = 0; i < PD_TUBEACCEPT_HS_MAX; i++)
		if (v[i].used) {
			pthread_join(v[i].th, NULL);
			v[i].used = 0;
			close(v[i].hit.fd);
			pd_seal_wipe(&v[i].hit.seal);
		}
	close(pipefd[0]);
	close(pipefd[1]);
	free(v);
	if (got < want) {
		pd_err(err, "only %d of %d tubes from other hosts arrived within %d s", got, want, total_ms / 1000);
		return -1;
	}
	return 0;
}
