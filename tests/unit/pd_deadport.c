/*
 * pd_deadport.c - holds a TCP port on 127.0.0.1 where nothing listens,
 * for tests of unreachable hosts.
 *
 *	pd_deadport FILE
 *
 * Binds a socket to 127.0.0.1 port 0 without listen(2), so connecting
 * to that port is refused, writes the port number to FILE (through a
 * temporary file and rename, so a reader never sees half of it) and
 * waits for a signal.  While it runs no other process can take the port,
 * unlike a port found free and released, which a server started by a
 * parallel test could bind in between.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	char tmp[4096];
	FILE *f;
	int fd;

	if (argc != 2) {
		fputs("usage: pd_deadport FILE\n", stderr);
		return 2;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		fprintf(stderr, "pd_deadport: %s\n", strerror(errno));
		return 1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(f) || rename(tmp, argv[1])) {
		fprintf(stderr, "pd_deadport: write %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;)
		pause();
}
