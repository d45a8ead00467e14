/* target.c - resolving hosts, probing the local server, wrapping a connected socket. */
#include "target.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "fdio.h"
#include "xmalloc.h"

int pd_target_tcp(struct pd_target *t, const struct pd_host *h, char *err)
{
	struct addrinfo hints = {0}, *res;
	char port[16];
	int rc;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, strchr(h->name, ':') ? "[%s]:%d" : "%s:%d", h->name, h->port);
	snprintf(port, sizeof port, "%d", h->port);
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(h->name, port, &hints, &res);
	if (rc) {
		pd_err(err, "resolve %s: %s", h->name, gai_strerror(rc));
		return -1;
	}
	memcpy(&t->ss, res->ai_addr, res->ai_addrlen);
	t->sslen = res->ai_addrlen;
	t->kind = PD_T_TCP;
	t->fd = -1;
	freeaddrinfo(res);
	return 0;
}

void pd_target_unix(struct pd_target *t, const char *path)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&t->ss;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "local");
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof sun->sun_path, "%s", path);
	t->sslen = sizeof *sun;
	t->kind = PD_T_UNIX;
	t->fd = -1;
}

/* Connect to the socket at path; fd or -1 with err. */
static int unix_connect(const struct pd_target *t, char *err)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	if (fd < 0 || connect(fd, (const struct sockaddr *)&t->ss, t->sslen)) {
		e = errno;
		pd_err(err, "connect to %s: %s", ((const struct sockaddr_un *)&t->ss)->sun_path, strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return -1;
	}
	pd_fd_wide(fd);
	return fd;
}

/* Refuse a listener that is not us: whoever could put a socket at our
 * path (a squatted /tmp/playdoh-UID) must not receive jobs or records. */
static int check_listener(int fd, const char *path, char *err)
{
	struct ucred cred = {0, (uid_t)-1, (gid_t)-1};
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == geteuid())
		return 0;
	pd_err(err, "refusing the pd-serve on %s: it runs as uid %ld, not as you (uid %lu); another user "
	       "may have taken its place, nothing was sent", path, cred.uid == (uid_t)-1 ? -1L : (long)cred.uid,
	       (unsigned long)geteuid());
	errno = EPERM;
	return -1;
}

int pd_target_unix_connect(const struct pd_target *t, char *err)
{
	int fd = unix_connect(t, err);

	if (fd >= 0 && check_listener(fd, ((const struct sockaddr_un *)&t->ss)->sun_path, err)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int pd_target_unix_owned(const char *path, char *err)
{
	struct pd_target t;
	char e[PD_ERRLEN];
	int fd, rc;

	pd_target_unix(&t, path);
	if ((fd = unix_connect(&t, e)) < 0)
		return 0;
	rc = check_listener(fd, path, err) ? -1 : 1;
	close(fd);
	return rc;
}

int pd_target_unix_alive(const char *path)
{
	struct pd_target t;
	char err[PD_ERRLEN];
	int fd;

	pd_target_unix(&t, path);
	fd = unix_connect(&t, err);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

void pd_target_fd(struct pd_target *t, int fd)
{
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "local");
	t->kind = PD_T_FD;
	t->fd = fd;
}

int pd_target_sealed(const struct pd_target *t)
{
	return t->kind == PD_T_TCP || t->kind == PD_T_CMD;
}

const unsigned char *pd_target_key(const struct pd_target *t, const unsigned char *cluster)
{
	return t->key ? t->key : cluster;
}

/* The grandchild: run argv on fd (stdin and stdout), in a session of its
 * own so that the terminal's ^C reaches only the tool, which then closes
 * its end in order. */
static void cmd_exec(char *const *argv, int fd) __attribute__((noreturn));
static void cmd_exec(char *const *argv, int fd)
{
	setsid();
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		_exit(127);
	pd_fd_close_from(3);
	execvp(argv[0], argv);
	_exit(127);
}

/* Start t's command on a new socketpair, orphaned at once (a child that
 * forks it and exits) so that no one has to reap it; our end, or -1. */
static int cmd_connect(const struct pd_target *t, char *err)
{
	int sv[2], status, e;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pd_err(err, "%s: socketpair: %s", t->name, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (fork() == 0)
			cmd_exec(t->argv, sv[1]);
		_exit(0);
	}
	e = errno;
	close(sv[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		pd_err(err, "%s: fork: %s", t->name, strerror(pid < 0 ? e : errno));
		close(sv[0]);
		return -1;
	}
	return sv[0];
}

int pd_target_open(const struct pd_target *t, char *err)
{
	switch (t->kind) {
	case PD_T_UNIX: return pd_target_unix_connect(t, err);
	case PD_T_CMD: return cmd_connect(t, err);
	case PD_T_FD: return t->fd;
	default: break;
	}
	pd_err(err, "%s: not a target to open", t->name);
	errno = EINVAL;
	return -1;
}

int pd_targets_resolve(const struct pd_hostlist *l, struct pd_target *t,
		       void (*note)(void *arg, const char *msg), void *arg)
{
	char e[PD_ERRLEN];
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		if (pd_target_tcp(&t[n], &l->v[i], e) == 0)
			n++;
		else if (note)
			note(arg, e);
	return n;
}

int pd_targets_parse(const char *spec, const char *what, struct pd_target **t,
		     void (*note)(void *arg, const char *msg), void *arg, char *err)
{
	struct pd_hostlist l = {0};
	int n;

	if (pd_hosts_parse(&l, spec, what, err))
		return -1;
	*t = pd_xcalloc((size_t)l.n + 1, sizeof **t);
	n = pd_targets_resolve(&l, *t, note, arg);
	pd_hosts_release(&l);
	return n;
}
