/* ephemeral.c - a pd-serve for one client's run, started by it over ssh. */
#include "ephemeral.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "key.h"
#include "log.h"
#include "num.h"
#include "server.h"
#include "tmpstate.h"

/* The address the client's ssh reached us at: the third word of
 * $SSH_CONNECTION ("client port server port"), into out (64 bytes), or
 * "-" when it is missing or not a numeric address. */
static void ssh_server_addr(char *out)
{
	const char *v = getenv("SSH_CONNECTION");
	unsigned char buf[sizeof(struct in6_addr)];
	char a[64];

	snprintf(out, 64, "-");
	if (v && sscanf(v, "%*s %*s %63s", a) == 1 &&
	    (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1))
		snprintf(out, 64, "%s", a);
}

/* The watched input: any read of 0 bytes or an error ends the run; bytes
 * beyond the key are read and dropped. */
static void on_input(evutil_socket_t fd, short what, void *arg)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf);

	(void)what;
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return;
	pd_log(PD_LOG_INFO, "the client's ssh connection closed: stopping");
	pd_server_shutdown(arg);
}

/* SIGTERM, SIGINT, SIGHUP: stop as at the end of the input. */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	pd_log(PD_LOG_INFO, "signal %d: stopping", (int)sig);
	pd_server_shutdown(arg);
}

/* Point fd at /dev/null. */
static void to_null(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, fd);
		close(null);
	}
}

/* Listen, report, serve until the input ends.  0 or an exit status. */
static int serve(struct event_base *base, struct pd_server *s, int in, int out, int level, char *err)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct event *ev[4];
	char line[128], addr[64];
	int port, watch, i;

	if (pd_server_listen_tcp(s, "127.0.0.1", 0, &port, err))
		return PD_EX_UNAVAILABLE;
	ssh_server_addr(addr);
	snprintf(line, sizeof line, "ready %d %s\n", port, addr);
	if ((watch = fcntl(in, F_DUPFD_CLOEXEC, 3)) < 0 || pd_write_all(out, line, strlen(line))) {
		pd_err(err, "report the port: %s", strerror(errno));
		if (watch >= 0)
			close(watch);
		return PD_EX_OSERR;
	}
	to_null(in);
	to_null(out);
	pd_log_open("pd-serve", level, 1);
	to_null(2);
	fcntl(watch, F_SETFL, fcntl(watch, F_GETFL) | O_NONBLOCK);
	ev[0] = event_new(base, watch, EV_READ | EV_PERSIST, on_input, s);
	for (i = 0; i < 3; i++)
		ev[i + 1] = evsignal_new(base, sigs[i], on_signal, s);
	for (i = 0; i < 4; i++)
		event_add(ev[i], NULL);
	pd_log(PD_LOG_INFO, "listening on 127.0.0.1 port %d for the client's ssh connection", port);
	event_base_dispatch(base);
	for (i = 0; i < 4; i++)
		event_free(ev[i]);
	close(watch);
	return 0;
}

int pd_ephemeral_serve(int in, int out, const struct pd_ephemeral_opts *o, char *err)
{
	unsigned char key[PD_KEY_LEN];
	char dir[PD_PATH_MAX], addr[64];
	struct pd_server_opts so;
	struct event_base *base;
	struct pd_server *s;
	int rc;

	if (sodium_init() < 0) {
		pd_err(err, "initialise libsodium: failed");
		return PD_EX_SOFTWARE;
	}
	sodium_mlock(key, sizeof key); /* best effort: never swapped out */
	if (pd_read_exact(in, key, sizeof key)) {
		pd_err(err, "no key on standard input: %s", errno ? strerror(errno) : "it ended early");
		sodium_munlock(key, sizeof key);
		return PD_EX_DATAERR;
	}
	if (pd_tmpstate_make(dir, "ssh")) {
		pd_err(err, "make a state directory in %s: %s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		       strerror(errno));
		sodium_munlock(key, sizeof key);
		return PD_EX_OSERR;
	}
	ssh_server_addr(addr);
	so = (struct pd_server_opts){dir, key, pd_ncpus(), o->cpus, 0, o->host, 1, o->mem, 1,
				     strcmp(addr, "-") ? addr : NULL, 0, 0};
	base = event_base_new();
	s = base ? pd_server_new(base, &so, err) : NULL;
	sodium_munlock(key, sizeof key); /* zeroes our copy: the server holds its own, locked */
	if (!s) {
		if (!base)
			pd_err(err, "event_base_new: failed");
		rc = PD_EX_OSERR;
	} else {
		rc = serve(base, s, in, out, o->log_level, err);
	}
	pd_server_free(s);
	if (base) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		event_base_free(base);
	}
	pd_tmpstate_remove(dir);
	return rc;
}
