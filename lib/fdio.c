/* fdio.c - whole reads and writes on file descriptors. */
#include <errno.h>
#include <unistd.h>

#include "fdio.h"

int pd_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int pd_read_exact(int fd, void *p, size_t n)
{
	char *s = p;
	ssize_t r;

	while (n) {
		r = read(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		s += r;
		n -= (size_t)r;
	}
	return 0;
}
