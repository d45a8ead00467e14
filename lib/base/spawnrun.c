/* spawnrun.c - run a program, feed its stdin, keep its stdout and stderr's tail. */
#include "spawnrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"

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

/* Feed stdin, read stdout and stderr, until both outputs end. */
static void pump(struct pd_spawn *s, struct ends *e)
{
	size_t fed = 0;
	struct pollfd p[3];
	ssize_t n;

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
		if (poll(p, 3, -1) < 0)
			continue; /* EINTR */
		if (p[0].revents)
			drain(&e->out, &s->out);
		if (p[1].revents) {
			drain(&e->err, &s->tail);
			keep_tail(&s->tail);
		}
		if (p[2].revents) {
			/* POLLERR or POLLHUP without POLLOUT: the program closed
			 * its stdin (errno may be a stale EAGAIN: not looked at) */
			int gone = !(p[2].revents & POLLOUT);

			n = gone ? -1 : write(e->in, (const char *)s->in + fed, s->in_len - fed);
			if (n > 0)
				fed += (size_t)n;
			if (gone || (n < 0 && errno != EAGAIN && errno != EINTR) || fed == s->in_len) {
				close(e->in); /* done, or the program stopped reading */
				e->in = -1;
			}
		}
	}
	close_ends(e);
}

int pd_spawn_run(struct pd_spawn *s, char *err)
{
	struct ends e;
	pid_t pid;

	pd_buf_reset(&s->out);
	pd_buf_reset(&s->tail);
	s->status = 0;
	pid = start(s, &e, err);
	if (pid < 0)
		return -1;
	pump(s, &e);
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
