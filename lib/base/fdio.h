/* fdio.h - whole reads and writes on file descriptors and files. */
#ifndef PD_FDIO_H
#define PD_FDIO_H

#include <stddef.h>

/* Write all n bytes at p to fd, retrying short writes and EINTR.
 * 0, or -1 with errno (a write of 0 bytes counts as EIO). */
int pd_write_all(int fd, const void *p, size_t n);

/* Read exactly n bytes from fd into p, retrying EINTR.  0; -1 with
 * errno on an error, or with errno 0 at an early end of file. */
int pd_read_exact(int fd, void *p, size_t n);

/* Replace the file at path with the n bytes at p, all or nothing: a
 * new temporary file beside it under a random name (O_EXCL|O_NOFOLLOW:
 * nothing planted there is followed or reused; created with mode less
 * the umask), fsync'd when durable,
 * renamed over path.  0, or -1 with err "PATH: REASON" and errno, and no
 * temporary file left. */
int pd_replace_file(const char *path, const void *p, size_t n, int mode, int durable, char *err);

/* Open /dev/null on every one of fds 0-2 that is closed: the first thing
 * a tool does, before it opens anything else.  0, or -1 with errno. */
int pd_fd_reserve_std(void);

/* Close every descriptor from lo up (close_range, or one by one where the
 * kernel lacks it): what a child or a daemon must not inherit. */
void pd_fd_close_from(int lo);

/* Read a whole regular file of at most `max` bytes into *p (malloc'd,
 * NUL-terminated), its length in *n.  0, or -1 with err. */
int pd_read_file(const char *path, size_t max, char **p, size_t *n, char *err);

/* Socket buffers of a local link that carries large frames (batches of
 * points, their results), so that one batch crosses in a write or two
 * instead of a wake-up per 200 KiB. */
#define PD_FD_WIDE (4 << 20)
void pd_fd_wide(int fd);

#endif
