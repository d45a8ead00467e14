/* serveradmit.c - pd-serve's door: room for newcomers, dead peers found. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "peer.h"
#include "proto.h"
#include "serverint.h"

/*
 * A client that vanished without closing (power cut, cable, suspended
 * laptop) leaves an idle connection that nothing would ever end: the
 * kernel probes it after KEEPIDLE_S of silence and drops it when
 * KEEPCNT probes KEEPINTVL_S apart go unanswered, and gives up on data
 * left unacknowledged for USER_TIMEOUT_S.  Live clients ping every few
 * seconds, and a peer's kernel answers probes even when its program is
 * busy, so none of this touches a live one.
 */
#define KEEPIDLE_S 60
#define KEEPINTVL_S 10
#define KEEPCNT 6
#define USER_TIMEOUT_S 120
#define WARN_EVERY_S 60 /* at most one warning about evictions this often */

void srv_tcp_keepalive(int fd)
{
	int on = 1, idle = KEEPIDLE_S, intvl = KEEPINTVL_S, cnt = KEEPCNT;
	unsigned tmo = USER_TIMEOUT_S * 1000u;

	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &tmo, sizeof tmo))
		pd_log(PD_LOG_DEBUG, "TCP keepalive not set on a connection");
}

/* 1 when c is a TCP connection that has not finished its handshake. */
static int in_handshake(const struct sconn *c)
{
	return !c->local && pd_peer_state(c->peer) != PD_PEER_READY;
}

/* Count the handshakes in progress; *oldest gets the oldest of them
 * (connections are listed newest first). */
static int handshakes(struct pd_server *s, struct sconn **oldest)
{
	struct sconn *c;
	int n = 0;

	*oldest = NULL;
	LIST_FOREACH(c, &s->conns, link) {
		if (in_handshake(c)) {
			n++;
			*oldest = c;
		}
	}
	return n;
}

/* Say, now and then, that handshakes are being cut short. */
static void warn_evictions(void)
{
	static time_t last;
	static long count;
	time_t now = time(NULL);

	count++;
	if (now - last < WARN_EVERY_S)
		return;
	pd_log(PD_LOG_WARN, "%d connections in handshake at once: closed the oldest (%ld so far)",
	       PD_HANDSHAKE_MAX, count);
	last = now;
}

int srv_evict_handshake(struct pd_server *s)
{
	struct sconn *c;

	handshakes(s, &c);
	if (!c)
		return 0;
	pd_log(PD_LOG_DEBUG, "%s: handshake cut short to make room", pd_peer_name(c->peer));
	warn_evictions();
	pd_peer_close(c->peer); /* never READY: nothing in the pool or tasks */
	LIST_REMOVE(c, link);
	s->nconns--;
	free(c);
	return 1;
}

void srv_make_room(struct pd_server *s)
{
	struct sconn *oldest;

	if (handshakes(s, &oldest) >= PD_HANDSHAKE_MAX || s->nconns >= PD_CONN_MAX)
		srv_evict_handshake(s);
}
