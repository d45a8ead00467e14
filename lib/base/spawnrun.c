/* spawnrun.c - run a program, feed its stdin, keep its stdout and stderr's tail. */
#include "spawnrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"

/* How long the pipes are still read after the program exits, when
 * something it left running holds them open. */
#define GRACE_NS (100 * 1000000ull)

extern char **environ;

/* The three pipes of a child, as the parent holds them (-1: closed). */
struct ends {
	int in, out, err;
};

/* Close whichever of the parent's pipe ends are still open. */
static void close_ends(struct ends *e)
{
	if (e->in >= 0)
		close(e->in);
	if (e->out >= 0)
		close(e->out);
	if (e->err >= 0)
		close(e->err);
	e->in = e->out = e->err = -1;
}

/* The child's side: stdin, stdout, stderr from the pipes (or /dev/null),
 * and nothing else of the caller's descriptors. */
static int file_actions(posix_spawn_file_actions_t *fa, const int p_in[2], const int p_out[2],
			const int p_err[2])
{
	int rc = posix_spawn_file_actions_init(fa);

	if (rc)
		return rc;
	if (p_in[0] >= 0)
		rc = posix_spawn_file_actions_adddup2(fa, p_in[0], 0);
	else
		rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(fa, p_out[1], 1);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(fa, p_err[1], 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* What the caller forgot to mark close-on-exec stays behind too. */
	if (!rc)
		rc = posix_spawn_file_actions_addclosefrom_np(fa, 3);
#endif
	return rc;
}

/* Default dispositions (the caller ignores SIGPIPE; its child must not)
 * and an empty mask. */
static int spawn_attrs(posix_spawnattr_t *at)
{
	sigset_t all, none;
	int rc = posix_spawnattr_init(at);

	if (rc)
		return rc;
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	sigemptyset(&none);
	rc = posix_spawnattr_setsigdefault(at, &all);
	if (!rc)
		rc = posix_spawnattr_setsigmask(at, &none);
	if (!rc)
		rc = posix_spawnattr_setflags(at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	return rc;
}

/* Start the child on fresh pipes; its pid, or -1 with err. */
static pid_t start(struct pd_spawn *s, struct ends *e, char *err)
{
	int p_in[2] = {-1, -1}, p_out[2] = {-1, -1}, p_err[2] = {-1, -1}, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid = -1;

	if ((s->in && pipe2(p_in, O_CLOEXEC)) || pipe2(p_out, O_CLOEXEC) || pipe2(p_err, O_CLOEXEC)) {
		rc = errno;
		goto out;
	}
	if ((rc = file_actions(&fa, p_in, p_out, p_err)))
		goto out;
	if (!(rc = spawn_attrs(&at))) {
		rc = posix_spawnp(&pid, s->argv[0], &fa, &at, s->argv, environ);
		posix_spawnattr_destroy(&at);
	}
	posix_spawn_file_actions_destroy(&fa);
out:
	if (rc) {
		pd_err(err, "%s: %s", s->argv[0], strerror(rc));
		pid = -1;
	}
	e->in = p_in[1];
	e->out = p_out[0];
	e->err = p_err[0];
	if (p_in[0] >= 0)
		close(p_in[0]);
	if (p_out[1] >= 0)
		close(p_out[1]);
	if (p_err[1] >= 0)
		close(p_err[1]);
	if (pid < 0)
		close_ends(e);
	return pid;
}

/* Keep the last PD_SPAWN_TAIL bytes of what b holds. */
static void keep_tail(struct pd_buf *b)
{
	if (b->len > PD_SPAWN_TAIL)
		pd_buf_consume(b, b->len - PD_SPAWN_TAIL);
}

/* Read what fd has into b; at its end (or an error) close it. */
static void drain(int *fd, struct pd_buf *b)
{
	ssize_t n;

	pd_buf_grow(b, 8192);
	n = read(*fd, b->data + b->len, 8192);
	if (n > 0) {
		b->len += (size_t)n; /* read into the room pd_buf_grow made */
		b->data[b->len] = 0;
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	close(*fd);
	*fd = -1;
}

/* A descriptor that polls readable when pid exits (pidfd_open, Linux
 * 5.3), or -1 where there is none. */
static int exit_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0 && fcntl((int)fd, F_SETFD, FD_CLOEXEC) == 0)
		return (int)fd;
	if (fd >= 0)
		close((int)fd);
#else
	(void)pid;
#endif
	return -1;
}

/* Read what fd holds right now (all that an exited program wrote), never
 * waiting for more. */
static void drain_held(int *fd, struct pd_buf *b, int tail)
{
	size_t before;
	int left;

	if (*fd < 0 || ioctl(*fd, FIONREAD, &left) < 0)
		return;
	while (left > 0 && *fd >= 0) {
		before = b->len;
		drain(fd, b);
		if (b->len == before)
			break;
		left -= (int)(b->len - before);
		if (tail)
			keep_tail(b);
	}
}

/* Write what stdin can take now; close it when all is fed or the program
 * stopped reading. */
static void feed(struct pd_spawn *s, struct ends *e, short revents, size_t *fed)
{
	/* POLLERR or POLLHUP without POLLOUT: the program closed its stdin
	 * (errno may be a stale EAGAIN: not looked at) */
	int gone = !(revents & POLLOUT);
	ssize_t n = gone ? -1 : write(e->in, (const char *)s->in + *fed, s->in_len - *fed);

	if (n > 0)
		*fed += (size_t)n;
	if (gone || (n < 0 && errno != EAGAIN && errno != EINTR) || *fed == s->in_len) {
		close(e->in); /* done, or the program stopped reading */
		e->in = -1;
	}
}

/*
 * Feed stdin, read stdout and stderr, until both outputs end.  With an
 * exit descriptor (xfd), the program's exit ends it too: what it wrote
 * is read at once, and the pipes are read on for GRACE_NS at most, so
 * that a child it left running in the background with the pipes open
 * does not hold the record until that child ends.
 */
static void pump(struct pd_spawn *s, struct ends *e, int xfd)
{
	size_t fed = 0;
	struct pollfd p[4];
	uint64_t until = 0, now;
	int wait_ms = -1;

	if (e->in >= 0 && s->in_len == 0) {
		close(e->in);
		e->in = -1;
	}
	if (e->in >= 0)
		fcntl(e->in, F_SETFL, O_NONBLOCK);
	while (e->out >= 0 || e->err >= 0) {
		p[0] = (struct pollfd){e->out, POLLIN, 0};
		p[1] = (struct pollfd){e->err, POLLIN, 0};
		p[2] = (struct pollfd){e->in, POLLOUT, 0};
		p[3] = (struct pollfd){until ? -1 : xfd, POLLIN, 0};
		if (until) {
			now = pd_now_ns();
			if (now >= until)
				break;
			wait_ms = (int)((until - now + 999999) / 1000000);
		}
		if (poll(p, 4, wait_ms) < 0)
			continue; /* EINTR */
		if (p[3].revents) {
			/* exited: all it wrote is in the pipes now; nobody
			 * reads its stdin any more */
			until = pd_now_ns() + GRACE_NS;
			drain_held(&e->out, &s->out, 0);
			drain_held(&e->err, &s->tail, 1);
			if (e->in >= 0) {
				close(e->in);
				e->in = -1;
			}
			continue;
		}
		if (p[0].revents)
			drain(&e->out, &s->out);
		if (p[1].revents) {
			drain(&e->err, &s->tail);
			keep_tail(&s->tail);
		}
		if (p[2].revents)
			feed(s, e, p[2].revents, &fed);
	}
	close_ends(e);
}

int pd_spawn_run(struct pd_spawn *s, char *err)
{
	struct ends e;
	pid_t pid;
	int xfd;

	pd_buf_reset(&s->out);
	pd_buf_reset(&s->tail);
	s->status = 0;
	pid = start(s, &e, err);
	if (pid < 0)
		return -1;
	xfd = exit_fd(pid);
	pump(s, &e, xfd);
	if (xfd >= 0)
		close(xfd);
	while (waitpid(pid, &s->status, 0) < 0) {
		if (errno != EINTR) {
			pd_err(err, "%s: wait: %s", s->argv[0], strerror(errno));
			return -1;
		}
	}
	return 0;
}

int pd_spawn_failed(const struct pd_spawn *s, struct pd_buf *msg)
{
	char why[128];
	size_t n = s->tail.len, at;
	int lines = 0;

	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return 0;
	if (WIFEXITED(s->status))
		snprintf(why, sizeof why, "exit %d", WEXITSTATUS(s->status));
	else
		pd_exit_reason(s->status, why, sizeof why);
	pd_buf_adds(msg, why);
	while (n && (s->tail.data[n - 1] == '\n' || s->tail.data[n - 1] == '\r'))
		n--;
	for (at = n; at && !(s->tail.data[at - 1] == '\n' && ++lines == PD_SPAWN_TAIL_LINES); at--)
		;
	if (n > at) {
		pd_buf_add(msg, ": ", 2);
		pd_buf_add(msg, s->tail.data + at, n - at);
	}
	return 1;
}
