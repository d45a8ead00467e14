/* tcpnet.h - socket helpers shared by the plain-TCP bench references
 * (tcp_pingpong.c, tcp_throughput.c); each defines die() before
 * including it. */
#ifndef TCPNET_H
#define TCPNET_H

#include "benchtime.h"

/* Write all n bytes, or die. */
static void full_write(int fd, const void *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* Read exactly n bytes, or die. */
static void full_read(int fd, void *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = 0, die("read: connection closed early");
		if (r < 0)
			die("read");
		p = (char *)p + r;
		n -= (size_t)r;
	}
}

/* Send small messages at once. */
static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one))
		die("TCP_NODELAY");
}

/* Listen on addr, an ephemeral port; returns the socket, *port set. */
static int listen_on(const char *addr, int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		errno = 0, die("bad address");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1))
		die("bind/listen");
	if (getsockname(fd, (struct sockaddr *)&sa, &sl))
		die("getsockname");
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Connect to addr:port with TCP_NODELAY. */
static int connect_to(const char *addr, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		errno = 0, die("bad address");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
		die("connect");
	nodelay(fd);
	return fd;
}

/* Publish the port for the other side (written, then renamed). */
static void write_port(const char *file, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", file);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", port) < 0 || fclose(f) || rename(tmp, file))
		die(file);
}

/* Wait (at most 10 s) for the other side's port file. */
static int read_port(const char *file)
{
	double end = now_ns() + 10e9;
	FILE *f;
	int port;

	for (;;) {
		if ((f = fopen(file, "r"))) {
			if (fscanf(f, "%d", &port) == 1) {
				fclose(f);
				return port;
			}
			fclose(f);
		}
		if (now_ns() > end)
			errno = 0, die("no port file after 10 s");
		usleep(2000);
	}
}

#endif
