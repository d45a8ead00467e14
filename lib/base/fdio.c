/* fdio.c - whole reads and writes on file descriptors and files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "pathfmt.h"
#include "xmalloc.h"
#include "fdio.h"

/* Write (or read) all n bytes at s, retrying short transfers and EINTR;
 * a transfer of 0 bytes fails with errno none.  s is only read from
 * when writing. */
static int whole(int fd, char *s, size_t n, int writing, int none)
{
	ssize_t k;

	while (n) {
		k = writing ? write(fd, s, n) : read(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = none;
			return -1;
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int pd_write_all(int fd, const void *p, size_t n) { return whole(fd, (char *)p, n, 1, EIO); }

int pd_read_exact(int fd, void *p, size_t n) { return whole(fd, p, n, 0, 0); }

/* Create a new temporary file next to path, under a random name: never
 * an existing file and never through a symbolic link planted there.
 * fd with tmp set, or -1 with errno. */
static int open_tmp(const char *path, char tmp[PD_PATH_MAX], int mode)
{
	unsigned char r[8];
	int fd = -1, tries;

	for (tries = 0; tries < 16 && fd < 0; tries++) {
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			return -1;
		if (pd_path_fmt(tmp, "%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", path, r[0], r[1], r[2], r[3],
				r[4], r[5], r[6], r[7]))
			return -1;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	return fd;
}

int pd_replace_file(const char *path, const void *p, size_t n, int mode, int durable, char *err)
{
	char tmp[PD_PATH_MAX];
	int fd, e;

	fd = open_tmp(path, tmp, mode);
	if (fd < 0) {
		e = errno;
		pd_err(err, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (pd_write_all(fd, p, n) || (durable && fsync(fd))) {
		e = errno;
		close(fd);
	} else if (close(fd)) {
		e = errno;
	} else if (rename(tmp, path)) {
		e = errno;
	} else {
		return 0;
	}
	unlink(tmp);
	pd_err(err, "%s: %s", path, strerror(e));
	errno = e;
	return -1;
}

/* Open /dev/null on each of fds 0-2 that is closed, lowest first, so that
 * no descriptor opened later (a socket, a log) lands on one of them. */
int pd_fd_reserve_std(void)
{
	int fd;

	while ((fd = fcntl(0, F_GETFD)) < 0 || fcntl(1, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
		if (fd > 2) {
			close(fd);
			return 0;
		}
	}
	return 0;
}

void pd_fd_close_from(int lo)
{
	int fd;

	if (close_range((unsigned)lo, ~0u, 0) == 0)
		return;
	for (fd = lo; fd < 65536; fd++)
		close(fd);
}

/* Read a whole regular file of at most `max` bytes (see fdio.h). */
int pd_read_file(const char *path, size_t max, char **p, size_t *n, char *err)
{
	struct stat st;
	ssize_t r;
	size_t got = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		pd_err(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		pd_err(err, "%s: not a regular file of at most %zu bytes", path, max);
		close(fd);
		return -1;
	}
	buf = pd_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		pd_err(err, "read %s: short read", path);
		free(buf);
		return -1;
	}
	buf[got] = 0;
	*p = buf;
	*n = got;
	return 0;
}

void pd_fd_wide(int fd)
{
	int size = PD_FD_WIDE;

	/* Best effort: the kernel caps it at net.core.[wr]mem_max. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}
