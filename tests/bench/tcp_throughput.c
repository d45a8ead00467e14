/*
 * tcp_throughput.c - plain TCP throughput of large messages, the
 * reference for throughput.c in tests/bench/run.sh (not installed).
 *
 *	tcp_throughput local SIZE K WARMUP
 *		receiver (forked child) and sender over 127.0.0.1
 *	tcp_throughput recv ADDR PORTFILE SIZE K WARMUP
 *		listen on ADDR, an ephemeral port, written to PORTFILE once
 *		listening; receive WARMUP + K messages of one connection
 *	tcp_throughput send ADDR PORTFILE SIZE K WARMUP
 *		wait (up to 10 s) for PORTFILE, connect and send
 *
 * The same exchange as throughput.c: the sender writes WARMUP messages of
 * SIZE bytes (one write() call per message, looping on short writes),
 * waits for the receiver's 8-byte acknowledgement, takes the time, writes
 * K messages and waits for the acknowledgement the receiver sends after
 * reading the last one.  The receiver read()s each message whole into one
 * SIZE-byte buffer and checks it as throughput.c does (length, its number
 * in its first and last 8 bytes, 64 pattern bytes).  TCP_NODELAY on both
 * ends; socket buffers left to the kernel's autotuning.  The sender prints
 * "gbps GB_PER_S BYTES SECONDS K" (GB = 10^9 bytes), the receiver
 * "received COUNT SIZE ok" on stderr.  Exit status 0 on success, 1 on any
 * error.
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

#include "benchtime.h"

#define SAMPLES 64

static void die(const char *what)
{
	fprintf(stderr, "tcp_throughput: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static double now_s(void) { return now_ns() / 1e9; }

static unsigned char pattern(size_t j) { return (unsigned char)(j * 131 + 7); }

#include "tcpnet.h"

static void receiver(int lfd, size_t size, long k, long warm)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	unsigned char *m = malloc(size);
	uint64_t i, v, total = (uint64_t)(k + warm);
	size_t j, s;

	if (fd < 0)
		die("accept");
	if (!m)
		die("malloc");
	nodelay(fd);
	for (i = 0; i < total; i++) {
		full_read(fd, m, size);
		memcpy(&v, m, sizeof v);
		if (v != i)
			errno = 0, die("message out of sequence (start)");
		memcpy(&v, m + size - sizeof v, sizeof v);
		if (v != i)
			errno = 0, die("message out of sequence (end)");
		for (s = 0; s < SAMPLES; s++) {
			j = 8 + (size - 16) / SAMPLES * s + s % 7;
			if (j < size - 8 && m[j] != pattern(j))
				errno = 0, die("message altered");
		}
		if (i + 1 == (uint64_t)warm || i + 1 == total) {
			v = i + 1;
			full_write(fd, &v, sizeof v);
		}
	}
	close(fd);
	free(m);
	fprintf(stderr, "received %llu %zu ok\n", (unsigned long long)total, size);
}

static void ack(int fd, uint64_t want)
{
	uint64_t v;

	full_read(fd, &v, sizeof v);
	if (v != want)
		errno = 0, die("wrong acknowledgement");
}

static void sender(int fd, size_t size, long k, long warm)
{
	unsigned char *b = malloc(size);
	uint64_t i, total = (uint64_t)(k + warm);
	double t0 = 0, dt;
	size_t j;

	if (!b)
		die("malloc");
	for (j = 0; j < size; j++)
		b[j] = pattern(j);
	for (i = 0; i < total; i++) {
		if (i == (uint64_t)warm) {
			if (warm)
				ack(fd, i);
			t0 = now_s();
		}
		memcpy(b, &i, sizeof i);
		memcpy(b + size - sizeof i, &i, sizeof i);
		full_write(fd, b, size);
	}
	ack(fd, total);
	dt = now_s() - t0;
	printf("gbps %.3f %.0f %.6f %ld\n", (double)size * (double)k / dt / 1e9,
	       (double)size * (double)k, dt, k);
	free(b);
}

int main(int argc, char **argv)
{
	unsigned long long size;
	long k, warm;
	int lfd, port, st;
	pid_t pid;

	if (argc == 5 && !strcmp(argv[1], "local")) {
		size = strtoull(argv[2], NULL, 10), k = atol(argv[3]), warm = atol(argv[4]);
		if (size < 16 || k < 1 || warm < 0)
			errno = 0, die("SIZE >= 16, K >= 1, WARMUP >= 0");
		lfd = listen_on("127.0.0.1", &port);
		if ((pid = fork()) < 0)
			die("fork");
		if (pid == 0) {
			receiver(lfd, (size_t)size, k, warm);
			_exit(0);
		}
		close(lfd);
		sender(connect_to("127.0.0.1", port), (size_t)size, k, warm);
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			errno = 0, die("receiver failed");
		return 0;
	}
	if (argc == 7 && (!strcmp(argv[1], "recv") || !strcmp(argv[1], "send"))) {
		size = strtoull(argv[4], NULL, 10), k = atol(argv[5]), warm = atol(argv[6]);
		if (size < 16 || k < 1 || warm < 0)
			errno = 0, die("SIZE >= 16, K >= 1, WARMUP >= 0");
		if (argv[1][0] == 'r') {
			lfd = listen_on(argv[2], &port);
			write_port(argv[3], port);
			receiver(lfd, (size_t)size, k, warm);
		} else
			sender(connect_to(argv[2], read_port(argv[3])), (size_t)size, k, warm);
		return 0;
	}
	fprintf(stderr, "usage: tcp_throughput local SIZE K WARMUP\n"
			"       tcp_throughput recv|send ADDR PORTFILE SIZE K WARMUP\n");
	return 2;
}
