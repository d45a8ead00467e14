/* target.c - resolving hosts, probing the local server, embedded servers. */
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "log.h"
#include "server.h"

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

/* Remove the embedded server's private directory: DIR/cache/ and DIR/alloc. */
static void remove_tree(const char *dir)
{
	char cache[4200], path[4600];
	struct dirent *d;
	DIR *dp;

	snprintf(cache, sizeof cache, "%s/cache", dir);
	dp = opendir(cache);
	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", cache, d->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(cache);
	snprintf(path, sizeof path, "%s/alloc", dir);
	unlink(path);
	rmdir(dir);
}

/* The embedded server: serve fd until it closes, then clean up. */
static void embedded_main(int fd, int slots) __attribute__((noreturn));
static void embedded_main(int fd, int slots)
{
	struct pd_server_opts o = {0};
	const char *tmp = getenv("TMPDIR");
	char dir[4096], err[PD_ERRLEN];
	struct event_base *base;
	struct pd_server *s;

	/* Out of the terminal's process group: ^C reaches pd-map, whose exit
	 * closes the socket, and this server then cleans up and exits. */
	setpgid(0, 0);
	/* Nor does it hold pd-map's input or output open: a pipeline ends
	 * when pd-map does. */
	{
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			close(null);
		}
	}
	snprintf(dir, sizeof dir, "%s/playdoh-embedded-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	pd_log_open("pd-map (embedded server)", PD_LOG_WARN, 0);
	base = event_base_new();
	if (!base || !mkdtemp(dir)) {
		fprintf(stderr, "pd-map: embedded server: cannot start\n");
		_exit(71);
	}
	o.state = dir;
	o.cpus_total = slots;
	o.cpus_shared = slots;
	o.host = "embedded";
	s = pd_server_new(base, &o, err);
	if (!s) {
		fprintf(stderr, "pd-map: embedded server: %s\n", err);
		rmdir(dir);
		_exit(71);
	}
	pd_server_add_local(s, fd);
	pd_server_exit_when_alone(s);
	event_base_dispatch(base);
	pd_server_free(s);
	remove_tree(dir);
	_exit(0);
}

int pd_target_embedded(struct pd_target *t, int slots, pid_t *pid, char *err)
{
	int sv[2];

	memset(t, 0, sizeof *t);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pd_err(err, "socketpair: %s", strerror(errno));
		return -1;
	}
	*pid = fork();
	if (*pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (*pid == 0) {
		close(sv[0]);
		embedded_main(sv[1], slots);
	}
	close(sv[1]);
	snprintf(t->name, sizeof t->name, "local");
	t->kind = PD_T_FD;
	t->fd = sv[0];
	return 0;
}
