/*
 * tcp_pingpong.c - plain TCP round trip of 8-byte messages, the reference
 * for pingpong.c in tests/bench/run.sh (not installed).
 *
 *	tcp_pingpong local N WARMUP
 *		server (forked child) and client over 127.0.0.1
 *	tcp_pingpong server ADDR PORTFILE N WARMUP
 *		listen on ADDR, an ephemeral port, written to PORTFILE once
 *		listening; echo WARMUP + N messages of one connection
 *	tcp_pingpong client ADDR PORTFILE N WARMUP
 *		wait (up to 10 s) for PORTFILE, connect to ADDR:PORT, make
 *		WARMUP untimed round trips, then N timed ones
 *
 * Both ends set TCP_NODELAY and use blocking read()/write() of 8 bytes:
 * what a careful C programmer would write.  As in pingpong.c, a message
 * holds the round trip's number (the reply: number + 1) and both ends
 * check it.  The client prints "rtt_us MEDIAN MEAN MIN MAX N"
 * (microseconds), the server "echoed COUNT" on stderr.  Exit status 0 on
 * success, 1 on any error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "tcp_pingpong: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

#include "tcpnet.h"

static void server(int lfd, long total)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	uint64_t v;
	long i;

	if (fd < 0)
		die("accept");
	nodelay(fd);
	for (i = 0; i < total; i++) {
		full_read(fd, &v, sizeof v);
		if (v != 2 * (uint64_t)i)
			errno = 0, die("server: message out of sequence");
		v++;
		full_write(fd, &v, sizeof v);
	}
	close(fd);
	fprintf(stderr, "echoed %ld\n", total);
}

static void client(int fd, long n, long warm)
{
	double *rtt = malloc((size_t)n * sizeof *rtt), t0, sum = 0;
	uint64_t v;
	long i;

	if (!rtt)
		die("malloc");
	for (i = 0; i < warm + n; i++) {
		v = 2 * (uint64_t)i;
		t0 = now_ns();
		full_write(fd, &v, sizeof v);
		full_read(fd, &v, sizeof v);
		if (i >= warm)
			rtt[i - warm] = now_ns() - t0;
		if (v != 2 * (uint64_t)i + 1)
			errno = 0, die("client: reply out of sequence");
	}
	for (i = 0; i < n; i++)
		sum += rtt[i];
	qsort(rtt, (size_t)n, sizeof *rtt, cmp_dbl);
	printf("rtt_us %.3f %.3f %.3f %.3f %ld\n",
	       (n % 2 ? rtt[n / 2] : (rtt[n / 2 - 1] + rtt[n / 2]) / 2) / 1e3,
	       sum / (double)n / 1e3, rtt[0] / 1e3, rtt[n - 1] / 1e3, n);
	free(rtt);
}

int main(int argc, char **argv)
{
	long n, warm;
	int lfd, port, st;
	pid_t pid;

	if (argc == 4 && !strcmp(argv[1], "local")) {
		n = atol(argv[2]), warm = atol(argv[3]);
		if (n < 1 || warm < 0)
			errno = 0, die("N >= 1, WARMUP >= 0");
		lfd = listen_on("127.0.0.1", &port);
		if ((pid = fork()) < 0)
			die("fork");
		if (pid == 0) {
			server(lfd, n + warm);
			_exit(0);
		}
		close(lfd);
		client(connect_to("127.0.0.1", port), n, warm);
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			errno = 0, die("server failed");
		return 0;
	}
	if (argc == 6 && (!strcmp(argv[1], "server") || !strcmp(argv[1], "client"))) {
		n = atol(argv[4]), warm = atol(argv[5]);
		if (n < 1 || warm < 0)
			errno = 0, die("N >= 1, WARMUP >= 0");
		if (argv[1][0] == 's') {
			lfd = listen_on(argv[2], &port);
			write_port(argv[3], port);
			server(lfd, n + warm);
		} else
			client(connect_to(argv[2], read_port(argv[3])), n, warm);
		return 0;
	}
	fprintf(stderr, "usage: tcp_pingpong local N WARMUP\n"
			"       tcp_pingpong server|client ADDR PORTFILE N WARMUP\n");
	return 2;
}
