/*
 * pd_proxy.c - a man in the middle between an honest client and pd-serve,
 * for tests/proxy.bats.
 *
 *	pd_proxy PORTFILE SERVER_PORT MODE [DIR [N]]
 *
 * Listens on 127.0.0.1 port 0 (the bound port is written to PORTFILE
 * through a temporary file and rename), and relays every connection to
 * 127.0.0.1:SERVER_PORT frame by frame (playdoh-protocol(7)), counting the
 * frames of each connection in each direction from 1: DIR is c2s (client
 * to server) or s2c.  On every connection, MODE does one thing:
 *
 *	pass		relay unchanged
 *	flip DIR N	change one byte of frame N (see flip() below)
 *	drop DIR N	never relay frame N
 *	swap DIR N	relay frame N+1 before frame N
 *	replay DIR N	on the second and later connections, relay the first
 *			connection's frames N, N+1, ... in place of this one's
 *			(the first connection is relayed unchanged and recorded)
 *	downgrade DIR	rewrite "proto":1 in the first frame (the hello, or
 *			the challenge) to "proto":0, an older protocol
 *	rewrite DIR OLD NEW  replace the first OLD in the first frame's JSON
 *			with NEW (the AEAD offer of the hello, the choice of
 *			the challenge), fixing the frame's JSON length
 *
 * Frames 1 and 2 of each direction are the plain handshake (hello, auth;
 * challenge, welcome); sealed frames follow.  Each tampering is reported
 * on stderr ("pd_proxy: conn 1 c2s frame 3 flipped"), so a test can check
 * that it happened; with PD_PROXY_VERBOSE set, every frame is.  Runs
 * until killed.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXCONN 64
#define HDR 16
#define TAG 16

enum mode { PASS, FLIP, DROP, SWAP, REPLAY, DOWNGRADE, REWRITE };

/* A frame as bytes. */
struct frame {
	unsigned char *p;
	size_t n;
};

/* One direction of one connection. */
struct dir {
	int from, to;	       /* descriptors */
	unsigned char *buf;    /* bytes read, not yet a whole frame */
	size_t len, cap;
	long count;	       /* frames seen */
	struct frame held;     /* swap: the frame held back */
	int eof;
};

struct conn {
	int id;
	struct dir d[2]; /* 0: c2s, 1: s2c */
	int used;
};

static enum mode mode;
static int tamper_dir; /* 0 c2s, 1 s2c */
static long tamper_n;
static const char *rw_old, *rw_new; /* rewrite: OLD and NEW */
static struct conn conns[MAXCONN];
static int nconn_total;
/* replay: the first connection's frames in each direction */
static struct frame *rec[2];
static long nrec[2];

static const char *const dirname_[2] = {"c2s", "s2c"};

/* Exit with a message (set-up errors only). */
static void die(const char *what)
{
	fprintf(stderr, "pd_proxy: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Write all n bytes; 0 or -1. */
static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Big-endian integers of the frame header. */
static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Length of the whole frame at the front of b, or 0 when not complete.
 * A header that is not a frame's makes the rest pass through raw. */
static size_t frame_len(const unsigned char *b, size_t len)
{
	uint64_t n;

	if (len < HDR)
		return 0;
	if (b[0] != 'P' || b[1] != 'D')
		return len;
	n = HDR + be(b + 4, 4) + be(b + 8, 8) + ((b[3] & 1) ? TAG : 0);
	return n <= len ? (size_t)n : 0;
}

/* Keep a copy of a frame. */
static struct frame copy(const unsigned char *p, size_t n)
{
	struct frame f = {malloc(n ? n : 1), n};

	if (!f.p)
		die("malloc");
	memcpy(f.p, p, n);
	return f;
}

/* Rewrite "proto":1 to "proto":0 in a frame's JSON; 1 when done. */
static int downgrade(unsigned char *p, size_t n)
{
	unsigned char *q = memmem(p + HDR, n - HDR, "\"proto\":1", 9);

	if (!q || (p[3] & 1))
		return 0;
	q[8] = '0';
	return 1;
}

/* Send frame p (n bytes, plain) to fd with its JSON's first rw_old
 * replaced by rw_new; 1 when it was there (and the frame sent), 0 when
 * not (nothing sent), -1 on a write error. */
static int rewrite(int fd, const unsigned char *p, size_t n)
{
	size_t lo = strlen(rw_old), ln = strlen(rw_new), jl = (size_t)be(p + 4, 4), at, m;
	const unsigned char *q = memmem(p + HDR, jl, rw_old, lo);
	unsigned char *out;
	int i, rc;

	if (!q || (p[3] & 1))
		return 0;
	at = (size_t)(q - p);
	m = n - lo + ln;
	if (!(out = malloc(m)))
		die("malloc");
	memcpy(out, p, at);
	memcpy(out + at, rw_new, ln);
	memcpy(out + at + ln, q + lo, n - at - lo);
	for (i = 0; i < 4; i++)
		out[4 + i] = (unsigned char)((jl - lo + ln) >> (24 - 8 * i));
	rc = write_all(fd, out, m);
	free(out);
	return rc ? -1 : 1;
}

/* Change one byte of a frame: in the middle of a sealed body; in a plain
 * (handshake) frame, a hex digit of its nonce or proof, so that the JSON
 * stays valid and the change reaches the cryptography. */
static void flip(unsigned char *p, size_t n)
{
	unsigned char *q = memmem(p + HDR, n - HDR, "\"nonce\":\"", 9);

	if (!q)
		q = memmem(p + HDR, n - HDR, "\"proof\":\"", 9);
	if ((p[3] & 1) || !q || q + 9 + 10 >= p + n) {
		p[HDR + (n - HDR) / 2] ^= 0x10;
		return;
	}
	q += 9 + 10;
	*q = *q == '0' ? '1' : '0';
}

/* Relay (or tamper with) frame k of direction di of connection c. */
static int relay_frame(struct conn *c, int di, unsigned char *p, size_t n)
{
	struct dir *d = &c->d[di];
	long k = ++d->count;
	int mine = di == tamper_dir;
	struct frame f;
	int rc;

	if (c->id == 1 && mode == REPLAY) {
		rec[di] = realloc(rec[di], (size_t)(nrec[di] + 1) * sizeof *rec[di]);
		if (!rec[di])
			die("realloc");
		rec[di][nrec[di]++] = copy(p, n);
	}
	if (getenv("PD_PROXY_VERBOSE"))
		fprintf(stderr, "pd_proxy: conn %d %s frame %ld: %zu bytes%s%.*s\n", c->id, dirname_[di], k, n,
			n > 3 && (p[3] & 1) ? " sealed" : " ", n > 3 && (p[3] & 1) ? 0 : (int)(n > 80 ? 64 : n - HDR),
			(const char *)p + HDR);
	if (!mine)
		return write_all(d->to, p, n);
	if (mode == FLIP && k == tamper_n && n > HDR) {
		flip(p, n);
		fprintf(stderr, "pd_proxy: conn %d %s frame %ld flipped\n", c->id, dirname_[di], k);
	} else if (mode == DROP && k == tamper_n) {
		fprintf(stderr, "pd_proxy: conn %d %s frame %ld dropped\n", c->id, dirname_[di], k);
		return 0;
	} else if (mode == SWAP && k == tamper_n) {
		d->held = copy(p, n);
		return 0;
	} else if (mode == SWAP && k == tamper_n + 1 && d->held.p) {
		rc = write_all(d->to, p, n) || write_all(d->to, d->held.p, d->held.n);
		free(d->held.p);
		d->held.p = NULL;
		fprintf(stderr, "pd_proxy: conn %d %s frames %ld and %ld swapped\n", c->id, dirname_[di],
			tamper_n, tamper_n + 1);
		return rc;
	} else if (mode == REPLAY && c->id > 1 && k >= tamper_n && k <= nrec[di]) {
		f = rec[di][k - 1];
		fprintf(stderr, "pd_proxy: conn %d %s frame %ld replaced by conn 1's\n", c->id, dirname_[di], k);
		return write_all(d->to, f.p, f.n);
	} else if (mode == REWRITE && k == 1 && (rc = rewrite(d->to, p, n)) != 0) {
		fprintf(stderr, "pd_proxy: conn %d %s frame 1 rewritten: %s -> %s\n", c->id, dirname_[di], rw_old,
			rw_new);
		return rc < 0 ? -1 : 0;
	} else if (mode == DOWNGRADE && k == 1 && downgrade(p, n)) {
		fprintf(stderr, "pd_proxy: conn %d %s frame 1 downgraded to proto 0\n", c->id, dirname_[di]);
	}
	return write_all(d->to, p, n);
}

/* Read what direction di has and relay its complete frames; -1 when
 * the connection must end. */
static int pump(struct conn *c, int di)
{
	struct dir *d = &c->d[di];
	size_t n, off = 0;
	ssize_t r;

	if (d->cap - d->len < 65536) {
		d->cap = d->cap * 2 + 65536;
		d->buf = realloc(d->buf, d->cap);
		if (!d->buf)
			die("realloc");
	}
	r = read(d->from, d->buf + d->len, d->cap - d->len);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0)
		return -1;
	if (r == 0) {
		/* Pass on the end of the stream (and whatever was held). */
		if (d->held.p)
			write_all(d->to, d->held.p, d->held.n);
		if (d->len)
			write_all(d->to, d->buf, d->len);
		d->len = 0;
		d->eof = 1;
		shutdown(d->to, SHUT_WR);
		return c->d[!di].eof ? -1 : 0;
	}
	d->len += (size_t)r;
	while ((n = frame_len(d->buf + off, d->len - off)) > 0) {
		if (relay_frame(c, di, d->buf + off, n))
			return -1;
		off += n;
	}
	memmove(d->buf, d->buf + off, d->len - off);
	d->len -= off;
	return 0;
}

/* Close both sockets of c and free it. */
static void conn_end(struct conn *c)
{
	int i;

	close(c->d[0].from);
	close(c->d[1].from);
	for (i = 0; i < 2; i++) {
		free(c->d[i].buf);
		free(c->d[i].held.p);
	}
	memset(c, 0, sizeof *c);
}

/* A client connected: connect to the server and start relaying. */
static void conn_start(int cfd, int server_port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
	struct conn *c = NULL;
	int sfd, i;

	for (i = 0; i < MAXCONN && !c; i++)
		if (!conns[i].used)
			c = &conns[i];
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!c || sfd < 0 || connect(sfd, (struct sockaddr *)&sa, sizeof sa)) {
		fprintf(stderr, "pd_proxy: cannot relay a connection: %s\n", c ? strerror(errno) : "too many");
		close(cfd);
		if (sfd >= 0)
			close(sfd);
		return;
	}
	memset(c, 0, sizeof *c);
	c->used = 1;
	c->id = ++nconn_total;
	c->d[0].from = cfd;
	c->d[0].to = sfd;
	c->d[1].from = sfd;
	c->d[1].to = cfd;
	fprintf(stderr, "pd_proxy: conn %d opened\n", c->id);
}

/* Parse MODE [DIR [N]] from argv[3...]; exits 64 on a bad one. */
static void parse_mode(int argc, char **argv)
{
	static const char *const names[] = {"pass", "flip", "drop", "swap", "replay", "downgrade", "rewrite"};
	int i, need, found = 0;

	for (i = 0; i < 7; i++)
		if (!strcmp(argv[3], names[i])) {
			mode = (enum mode)i;
			found = 1;
		}
	if (!found)
		goto usage;
	need = mode == PASS ? 4 : mode == DOWNGRADE ? 5 : mode == REWRITE ? 7 : 6;
	if (argc != need)
		goto usage;
	if (mode != PASS) {
		if (strcmp(argv[4], "c2s") && strcmp(argv[4], "s2c"))
			goto usage;
		tamper_dir = !strcmp(argv[4], "s2c");
	}
	if (mode == REWRITE) {
		rw_old = argv[5];
		rw_new = argv[6];
		if (!*rw_old)
			goto usage;
		return;
	}
	if (need == 6 && (tamper_n = strtol(argv[5], NULL, 10)) < 1)
		goto usage;
	return;
usage:
	fprintf(stderr, "usage: pd_proxy PORTFILE SERVER_PORT pass|flip|drop|swap|replay|downgrade|rewrite [c2s|s2c [N | OLD NEW]]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	struct pollfd pf[1 + 2 * MAXCONN];
	struct conn *who[1 + 2 * MAXCONN];
	int side[1 + 2 * MAXCONN];
	char tmp[4096];
	int lfd, port, i, n, k;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: pd_proxy PORTFILE SERVER_PORT MODE [DIR [N]]\n");
		return 64;
	}
	parse_mode(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	port = atoi(argv[2]);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) || listen(lfd, 16) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len))
		die("listen");
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(f) ||
	    rename(tmp, argv[1]))
		die(argv[1]);
	for (;;) {
		pf[0] = (struct pollfd){lfd, POLLIN, 0};
		n = 1;
		for (i = 0; i < MAXCONN; i++)
			for (k = 0; k < 2 && conns[i].used; k++)
				if (!conns[i].d[k].eof) {
					pf[n] = (struct pollfd){conns[i].d[k].from, POLLIN, 0};
					who[n] = &conns[i];
					side[n++] = k;
				}
		if (poll(pf, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		for (i = 1; i < n; i++)
			if (who[i]->used && (pf[i].revents & (POLLIN | POLLHUP | POLLERR)) && pump(who[i], side[i])) {
				fprintf(stderr, "pd_proxy: conn %d closed\n", who[i]->id);
				conn_end(who[i]);
			}
		if (pf[0].revents & POLLIN) {
			k = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (k >= 0)
				conn_start(k, port);
		}
	}
}
