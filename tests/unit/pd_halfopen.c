/*
 * pd_halfopen.c - many connections that never finish the handshake, for
 * tests/load.bats and tests/reliability/load-report.sh.
 *
 *	pd_halfopen ADDRESS PORT N MODE SECONDS
 *
 * Opens N TCP connections to pd-serve at ADDRESS:PORT, sends on each
 * what MODE says, and holds them, reading and discarding whatever the
 * server sends, until the server has closed every one (EOF or reset)
 * or SECONDS have passed.  Modes:
 *	silent	nothing at all
 *	partial	the first 7 bytes of a frame header
 *	hello	a complete hello (the server answers with its challenge),
 *		then never the proof
 *	flood	a header announcing 1 MiB of JSON, then 16 KiB of it: more
 *		than a handshake may send
 *	mixed	the first four in turn
 * Prints "opened N" (flushed) once every connection is open, then
 * "closed K of N", and when K > 0 "first close after A s, last after
 * B s" counted from the moment all were open (negative: closed while
 * the rest were being opened).  Exit status: 0 when the server closed
 * all N, 1 when some were still open after SECONDS, 2 on a usage or
 * set-up error (no server, too few descriptors).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "frame.h"
#include "proto.h"
#include "seal.h"

#define N_MAX 100000

static const char *const modes[] = {"silent", "partial", "hello", "flood"};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "pd_halfopen: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Room for n connections: raise the soft descriptor limit. */
static void want_fds(long n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 16 ? rl.rlim_max : (rlim_t)n + 16;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
	}
	if (rl.rlim_cur < (rlim_t)n + 16) {
		fprintf(stderr, "pd_halfopen: %ld connections need %ld descriptors; the limit is %lu\n", n, n + 16,
			(unsigned long)rl.rlim_cur);
		exit(2);
	}
}

/* The bytes mode m sends. */
static void opening(int m, struct pd_buf *out)
{
	unsigned char nonce[PD_NONCE_LEN], hdr[PD_FRAME_HDR] = {'P', 'D', 1, 0, 0, 0x10, 0, 0};
	char hex[2 * PD_NONCE_LEN + 1];
	cJSON *j;

	pd_buf_reset(out);
	if (m == 1 || m == 3) {
		pd_buf_add(out, hdr, m == 1 ? 7 : sizeof hdr); /* JSON length 0x100000 */
		while (m == 3 && out->len < PD_FRAME_HDR + 16384)
			pd_buf_add(out, "{\"op\":\"hello\"} ", 15);
	} else if (m == 2) {
		j = cJSON_CreateObject();
		pd_seal_nonce(nonce);
		pd_hex_encode(nonce, PD_NONCE_LEN, hex);
		cJSON_AddStringToObject(j, "op", PD_OP_HELLO);
		cJSON_AddNumberToObject(j, "proto", PD_PROTO_VERSION);
		cJSON_AddStringToObject(j, "client", "pd_halfopen");
		cJSON_AddStringToObject(j, "nonce", hex);
		pd_frame_encode_json(out, NULL, j, NULL, 0);
		cJSON_Delete(j);
	}
}

/* Connect and send the opening; the socket is left non-blocking. */
static int open_one(const struct sockaddr_in *sa, const struct pd_buf *out)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)sa, sizeof *sa))
		die("connect");
	if (out->len && send(fd, out->data, out->len, MSG_NOSIGNAL) < 0 && errno != ECONNRESET && errno != EPIPE)
		die("send");
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* 1 when the server has closed fd (EOF or an error); drains its data. */
static int closed(int fd)
{
	char buf[4096];
	ssize_t r;

	for (;;) {
		r = read(fd, buf, sizeof buf);
		if (r > 0)
			continue;
		return r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
	}
}

/* Poll the open connections once (at most ms); note the ones closed. */
static void watch(struct pollfd *pf, long n, int ms, double t0, long *nclosed, double *first, double *last)
{
	long i;

	if (poll(pf, (nfds_t)n, ms) <= 0)
		return;
	for (i = 0; i < n; i++) {
		if (pf[i].fd < 0 || !pf[i].revents || !closed(pf[i].fd))
			continue;
		close(pf[i].fd);
		pf[i].fd = -1;
		if (*nclosed == 0)
			*first = now_s() - t0;
		*last = now_s() - t0;
		(*nclosed)++;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct pd_buf out = PD_BUF_INIT;
	struct pollfd *pf;
	long n, i, port, nclosed = 0;
	double t0, deadline, first = 0, last = 0, secs;
	int mode = -1, m;
	char *end;

	if (argc != 6) {
		fprintf(stderr, "usage: pd_halfopen ADDRESS PORT N silent|partial|hello|flood|mixed SECONDS\n");
		return 2;
	}
	port = strtol(argv[2], &end, 10);
	n = strtol(argv[3], &end, 10);
	secs = strtod(argv[5], NULL);
	for (m = 0; m < 4; m++)
		if (!strcmp(argv[4], modes[m]))
			mode = m;
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 || port < 1 || port > 65535 || n < 1 ||
	    n > N_MAX || secs <= 0 || (mode < 0 && strcmp(argv[4], "mixed"))) {
		fprintf(stderr, "pd_halfopen: bad arguments\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)port);
	want_fds(n);
	pf = calloc((size_t)n, sizeof *pf);
	if (!pf)
		die("calloc");
	t0 = now_s();
	for (i = 0; i < n; i++) {
		opening(mode < 0 ? (int)(i % 4) : mode, &out);
		pf[i].fd = open_one(&sa, &out);
		pf[i].events = POLLIN;
		if (i % 64 == 63) /* closes while opening count too */
			watch(pf, i + 1, 0, t0, &nclosed, &first, &last);
	}
	first -= now_s() - t0; /* times from now on, earlier ones negative */
	last -= now_s() - t0;
	t0 = now_s();
	printf("opened %ld\n", n);
	fflush(stdout);
	deadline = t0 + secs;
	while (nclosed < n && now_s() < deadline)
		watch(pf, n, 100, t0, &nclosed, &first, &last);
	printf("closed %ld of %ld\n", nclosed, n);
	if (nclosed)
		printf("first close after %.2f s, last after %.2f s\n", first, last);
	for (i = 0; i < n; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(pf);
	pd_buf_release(&out);
	return nclosed == n ? 0 : 1;
}
