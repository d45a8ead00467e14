/* key.c - creating and loading the cluster key file. */
#include "key.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "pathfmt.h"
#include "paths.h"

/* Create each missing directory above the last '/' of path (mkdir -p,
 * mode 0700). */
static int mkparents(const char *path, char *err)
{
	char dir[PD_PATH_MAX];
	char *p;

	if (pd_path_fmt(dir, "%s", path)) {
		pd_err(err, "key file %s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = 0;
	return pd_mkdirs(dir, 0700, err);
}

/* Read exactly n bytes from fd into p; -1 with errno, or 0 at early EOF. */
static ssize_t read_all(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Fill the freshly created fd with a random key and flush it to disk. */
static int fill_key(int fd, const char *path, char *err)
{
	unsigned char key[PD_KEY_LEN];
	int rc = 0;

	randombytes_buf(key, sizeof key);
	if (pd_write_all(fd, key, sizeof key) < 0) {
		pd_err(err, "write %s: %s", path, strerror(errno));
		rc = -1;
	} else if (fsync(fd) < 0) {
		pd_err(err, "fsync %s: %s", path, strerror(errno));
		rc = -1;
	}
	sodium_memzero(key, sizeof key);
	return rc;
}

/* Create a new random key file; never overwrite one. */
int pd_key_generate(const char *path, char *err)
{
	int fd;

	if (sodium_init() < 0) {
		pd_err(err, "initialise libsodium: failed");
		return -1;
	}
	if (mkparents(path, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0 && errno == EEXIST) {
		pd_err(err, "key file %s already exists; remove it first to make a new one",
		       path);
		return -1;
	}
	if (fd < 0) {
		pd_err(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fill_key(fd, path, err) < 0) {
		close(fd);
		unlink(path); /* never leave a short key behind */
		return -1;
	}
	if (close(fd) < 0) {
		pd_err(err, "close %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* Open the key file read-only; explain a missing file or a symlink. */
static int open_key(const char *path, int *perm, char *err)
{
	/* O_NONBLOCK: a FIFO planted at path must not hang us in open(). */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int e = errno;

	if (fd >= 0)
		return fd;
	if (e == ENOENT)
		pd_err(err, "no cluster key at %s; create one with: pd-serve --keygen",
		       path);
	else if (e == ELOOP)
		pd_err(err, "key file %s is a symbolic link; refusing to follow it",
		       path);
	else
		pd_err(err, "open %s: %s", path, strerror(e));
	*perm = e == EACCES;
	return -1;
}

/* Refuse a key file that is not a private regular file of the right size. */
static int check_key(int fd, const char *path, int *perm, char *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		pd_err(err, "stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		pd_err(err, "key file %s is not a regular file", path);
		return -1;
	}
	if (st.st_mode & 077) {
		pd_err(err, "key file %s is accessible by group or others (mode %04o); fix it with: chmod 600 %s",
		       path, (unsigned)(st.st_mode & 07777), path);
		*perm = 1;
		return -1;
	}
	if (st.st_size != PD_KEY_LEN) {
		pd_err(err, "key file %s holds %lld bytes, expected %d", path,
		       (long long)st.st_size, PD_KEY_LEN);
		return -1;
	}
	return 0;
}

/* Load the key after checking type, mode and size. */
int pd_key_load(const char *path, unsigned char key[PD_KEY_LEN], int *perm, char *err)
{
	int dummy, fd, rc = -1;
	ssize_t r;

	if (!perm)
		perm = &dummy;
	*perm = 0;
	if (sodium_init() < 0) {
		pd_err(err, "initialise libsodium: failed");
		return -1;
	}
	fd = open_key(path, perm, err);
	if (fd < 0)
		return -1;
	if (check_key(fd, path, perm, err) < 0)
		goto out;
	r = read_all(fd, key, PD_KEY_LEN);
	if (r < 0)
		pd_err(err, "read %s: %s", path, strerror(errno));
	else if (r < PD_KEY_LEN)
		pd_err(err, "key file %s holds %zd bytes, expected %d", path, r,
		       PD_KEY_LEN);
	else
		rc = 0;
	if (rc < 0)
		sodium_memzero(key, PD_KEY_LEN);
out:
	close(fd);
	return rc;
}
