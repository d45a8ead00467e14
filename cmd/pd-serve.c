/* pd-serve - the per-host Playdoh server. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/event.h>

#include "fdio.h"
#include "cli.h"
#include "ephemeral.h"
#include "err.h"
#include "hostsel.h"
#include "hosts.h"
#include "key.h"
#include "log.h"
#include "memlimit.h"
#include "num.h"
#include "pathfmt.h"
#include "paths.h"
#include "proto.h"
#include "server.h"

static const char *usage_text =
    "usage: pd-serve [-h] [--version] [-f] [-v]... [-p PORT] [-b ADDRESS] [--port-file FILE]\n"
    "                [--cpu N] [--mem SIZE] [--grace SEC] [--local]\n"
    "       pd-serve --keygen\n"
    "       pd-serve --ephemeral [-v]... [--cpu N] [--mem SIZE]\n";

struct serve_opts {
	int foreground, verbose, local_only, keygen, ephemeral, placed;
	long port, cpu, grace_ms;
	long long mem;
	const char *bind, *port_file;
};

/* 1 when s is a numeric IPv4 or IPv6 address. */
static int numeric_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Options of pd-serve. */
static void parse_options(int argc, char **argv, struct serve_opts *o)
{
	enum { O_VERSION = 256, O_KEYGEN, O_PORTFILE, O_CPU, O_LOCAL, O_MEM, O_GRACE, O_EPHEMERAL };
	static const struct option longopts[] = {
	    {"help", no_argument, 0, 'h'},	     {"version", no_argument, 0, O_VERSION},
	    {"foreground", no_argument, 0, 'f'},    {"verbose", no_argument, 0, 'v'},
	    {"port", required_argument, 0, 'p'},    {"bind", required_argument, 0, 'b'},
	    {"port-file", required_argument, 0, O_PORTFILE}, {"cpu", required_argument, 0, O_CPU},
	    {"local", no_argument, 0, O_LOCAL},	     {"keygen", no_argument, 0, O_KEYGEN},
	    {"mem", required_argument, 0, O_MEM},    {"grace", required_argument, 0, O_GRACE},
	    {"ephemeral", no_argument, 0, O_EPHEMERAL}, {0, 0, 0, 0}};
	int ch;

	o->port = PD_DEFAULT_PORT;
	o->cpu = -1;
	o->grace_ms = 30000;
	while ((ch = pd_cli_getopt(argc, argv, "hfvp:b:", longopts, O_VERSION)) != -1) {
		switch (ch) {
		case 'f': o->foreground = o->placed = 1; break;
		case 'v': o->verbose++; break;
		case 'p':
			if (pd_parse_long(optarg, 0, 65535, &o->port))
				pd_cli_die(PD_EX_USAGE, "-p: '%s' is not a port number from 0 to 65535", optarg);
			o->placed = 1;
			break;
		case 'b':
			if (!numeric_address(optarg))
				pd_cli_die(PD_EX_USAGE, "-b: '%s' is not a numeric IPv4 or IPv6 address", optarg);
			o->bind = optarg;
			o->placed = 1;
			break;
		case O_PORTFILE: o->port_file = optarg; o->placed = 1; break;
		case O_CPU:
			if (pd_parse_long(optarg, 0, PD_SLOTS_MAX, &o->cpu))
				pd_cli_die(PD_EX_USAGE, "--cpu: '%s' is not a number of slots from 0 to %d", optarg, PD_SLOTS_MAX);
			break;
		case O_MEM:
			if (pd_size_parse(optarg, &o->mem))
				pd_cli_die(PD_EX_USAGE, "--mem: '%s' is not a size (bytes, or a number with K, M, G or T)", optarg);
			break;
		case O_GRACE:
			if (pd_parse_seconds_ms(optarg, &o->grace_ms) || o->grace_ms < 0 || o->grace_ms > 86400000)
				pd_cli_die(PD_EX_USAGE, "--grace: '%s' is not a number of seconds from 0 to 86400", optarg);
			break;
		case O_LOCAL: o->local_only = o->placed = 1; break;
		case O_KEYGEN: o->keygen = o->placed = 1; break;
		case O_EPHEMERAL: o->ephemeral = 1; break;
		default: pd_cli_usage(PD_EX_USAGE);
		}
	}
	if (optind != argc)
		pd_cli_die(PD_EX_USAGE, "unexpected argument '%s'", argv[optind]);
	if (o->ephemeral && o->placed)
		pd_cli_die(PD_EX_USAGE, "--ephemeral takes only -v, --cpu and --mem (it listens where its ssh "
			   "client reaches it, in the foreground, and keeps nothing)");
}

/* --ephemeral: the server a client's ssh started for one run. */
static int ephemeral(const struct serve_opts *o)
{
	int level = o->verbose >= 2 ? PD_LOG_DEBUG : o->verbose ? PD_LOG_INFO : PD_LOG_WARN, rc;
	struct pd_ephemeral_opts eo = {(int)o->cpu, o->mem, NULL, level};
	char err[PD_ERRLEN], host[256];

	pd_log_open("pd-serve", level, 0);
	if (gethostname(host, sizeof host))
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = 0;
	eo.host = host;
	rc = pd_ephemeral_serve(0, 1, &eo, err);
	if (rc)
		pd_cli_die(rc, "%s", err);
	return 0;
}

/* Create the control socket's directory (mode 0700) if it is missing, and
 * refuse one that is not private (another user could swap the socket). */
static int make_sock_dir(const char *sock, char *err)
{
	char dir[sizeof ((struct pd_paths *)0)->sock];
	char *slash;

	snprintf(dir, sizeof dir, "%s", sock);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	return pd_private_dir(dir, err);
}

/* Hold the state directory's lock: one server per PD_HOME. */
static int take_lock(const char *state)
{
	char path[PD_PATH_MAX], pid[32];
	int fd;

	if (pd_path_fmt(path, "%s/lock", state))
		pd_cli_die(PD_EX_USAGE, "state directory path too long: %.60s...", state);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		pd_cli_die(PD_EX_OSERR, "open %s: %s", path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);

		pid[n > 0 ? n : 0] = 0;
		pd_cli_die(PD_EX_TEMPFAIL, "another pd-serve (pid %ld) is already running for %s",
		    strtol(pid, NULL, 10), state);
	}
	return fd;
}

/* Record our pid in the lock file (after daemonising). */
static void write_pid(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());

	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n)
		pd_log(PD_LOG_WARN, "cannot write pid to lock file");
}

/* Write the bound port for scripts: to a new temporary file, then rename
 * (pd_replace_file: a link planted at a guessable name is not followed). */
static void write_port(const char *path, int port)
{
	char text[32], err[PD_ERRLEN];

	snprintf(text, sizeof text, "%d\n", port);
	if (pd_replace_file(path, text, strlen(text), 0644, 0, err))
		pd_cli_die(PD_EX_OSERR, "write port file %s", err);
}

/* The caller's stderr while a detaching server starts, or NULL. */
static FILE *caller_err;

/* Point 0, 1 and 2 at /dev/null, so that no process forked from here on
 * (workers, task nodes) holds the caller's terminal, pipe or session. */
static void null_stdio(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		pd_cli_die(PD_EX_OSERR, "open /dev/null: %s", strerror(errno));
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		pd_cli_die(PD_EX_OSERR, "dup2 /dev/null: %s", strerror(errno));
	if (null > 2)
		close(null);
}

/*
 * Detach: the parent waits until the child reports that it listens (then
 * exits 0) or dies (then exits with the child's status), so errors still
 * reach the terminal and scripts.  The child's own 0, 1 and 2 are
 * /dev/null from the start; its start-up errors go to a close-on-exec
 * copy of the caller's stderr at 64 or above (every child the server
 * forks closes all but its first few descriptors), closed once it is
 * ready.  Returns the child's end of the pipe.
 */
static int daemon_start(void)
{
	int fds[2], status, fd;
	char ok;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		pd_cli_die(PD_EX_OSERR, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		pd_cli_die(PD_EX_OSERR, "fork: %s", strerror(errno));
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &ok, 1) == 1)
			_exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			_exit(WEXITSTATUS(status));
		_exit(PD_EX_SOFTWARE);
	}
	close(fds[0]);
	setsid();
	fd = fcntl(2, F_DUPFD_CLOEXEC, 64);
	caller_err = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (caller_err) {
		setvbuf(caller_err, NULL, _IOLBF, 0);
		pd_cli_errors_to(caller_err);
		pd_log_to(caller_err);
	} else if (fd >= 0) {
		close(fd);
	}
	null_stdio();
	return fds[1];
}

/* The daemon is ready: release the parent, let go of its stderr. */
static void daemon_ready(int fd)
{
	if (chdir("/"))
		pd_log(PD_LOG_WARN, "chdir /: %s", strerror(errno));
	if (caller_err) {
		pd_cli_errors_to(NULL);
		pd_log_to(NULL);
		fclose(caller_err);
		caller_err = NULL;
	}
	if (write(fd, "k", 1) != 1)
		pd_log(PD_LOG_WARN, "cannot notify the starting process");
	close(fd);
}

/* Raise the descriptor limit to the hard limit: connections, worker
 * pipes and task nodes may need more than the usual soft 1024, and the
 * event loop (epoll) has no use for a low one. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			pd_log(PD_LOG_WARN, "cannot raise the open files limit: %s", strerror(errno));
	}
}

/* SIGTERM/SIGINT: graceful stop. */
static void on_term(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	pd_log(PD_LOG_INFO, "signal %d: stopping", (int)sig);
	pd_server_shutdown(arg);
}

int main(int argc, char **argv)
{
	struct serve_opts o = {0};
	struct pd_server_opts so = {0};
	unsigned char key[PD_KEY_LEN];
	char err[PD_ERRLEN], host[256];
	struct event *sigterm, *sigint;
	struct event_base *base;
	struct pd_server *s;
	struct pd_paths paths;
	int perm = 0, lockfd, port = 0, ready_fd = -1, have_key;

	pd_cli_start(argv, "pd-serve", usage_text);
	/* Every descriptor above 2 is inherited, none ours: a reader at the
	 * far end of a pipe would wait for a daemon holding it. */
	pd_fd_close_from(3);

	signal(SIGPIPE, SIG_IGN);
	parse_options(argc, argv, &o);
	if (o.ephemeral)
		return ephemeral(&o);
	if (pd_paths_init(&paths, err))
		pd_cli_die(PD_EX_USAGE, "%s", err);
	if (o.keygen) {
		if (pd_key_generate(paths.key, err))
			pd_cli_die(PD_EX_OSERR, "%s", err);
		printf("pd-serve: wrote a new cluster key to %s; copy it (mode 0600) to every lab machine\n", paths.key);
		return 0;
	}
	/* --local needs no key, but uses one that is there (detached runs on
	 * other hosts); a key that others can read is refused either way. */
	have_key = pd_key_load(paths.key, key, &perm, err) == 0;
	if (!have_key && (!o.local_only || perm || access(paths.key, F_OK) == 0))
		pd_cli_die(PD_EX_NOPERM, "%s", err);
	if (pd_private_dir(paths.state, err) || make_sock_dir(paths.sock, err))
		pd_cli_die(errno == EACCES ? PD_EX_NOPERM : PD_EX_OSERR, "%s", err);
	if (!o.foreground)
		ready_fd = daemon_start();
	lockfd = take_lock(paths.state);
	pd_log_open("pd-serve", o.verbose >= 2 ? PD_LOG_DEBUG : o.verbose ? PD_LOG_INFO : PD_LOG_NOTICE, 0);
	raise_nofile();
	if (gethostname(host, sizeof host))
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = 0;
	so = (struct pd_server_opts){paths.state, have_key ? key : NULL, pd_ncpus(), (int)o.cpu,
				     1, host, 1, o.mem, o.grace_ms ? (int)o.grace_ms : 1, NULL, 0, 0};
	base = event_base_new();
	s = pd_server_new(base, &so, err);
	if (!s)
		pd_cli_die(PD_EX_OSERR, "%s", err);
	if (!o.local_only && pd_server_listen_tcp(s, o.bind, (int)o.port, &port, err))
		pd_cli_die(PD_EX_UNAVAILABLE, "%s", err);
	if (pd_server_listen_unix(s, paths.sock, err))
		pd_cli_die(PD_EX_UNAVAILABLE, "%s", err);
	if (pd_server_start_runs(s, err))
		pd_cli_die(PD_EX_OSERR, "%s", err);
	if (o.port_file)
		write_port(o.port_file, port);
	if (!o.local_only)
		pd_log(o.foreground ? PD_LOG_NOTICE : PD_LOG_INFO, "listening on %s port %d and %s",
		       o.bind ? o.bind : "all addresses", port, paths.sock);
	if (!o.foreground) {
		pd_log_open("pd-serve", o.verbose >= 2 ? PD_LOG_DEBUG : o.verbose ? PD_LOG_INFO : PD_LOG_NOTICE, 1);
		daemon_ready(ready_fd);
	}
	write_pid(lockfd);
	sigterm = evsignal_new(base, SIGTERM, on_term, s);
	sigint = evsignal_new(base, SIGINT, on_term, s);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	event_base_dispatch(base);
	pd_server_free(s);
	event_free(sigterm);
	event_free(sigint);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	pd_log(PD_LOG_INFO, "stopped");
	return 0;
}
