/* sshhost.c - hosts reached through ssh, with a pd-serve started there for the run. */
#include "sshhost.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "client.h"
#include "clock.h"
#include "err.h"
#include "fdio.h"
#include "json.h"
#include "proto.h"
#include "xmalloc.h"

#define SAID_MAX 4096 /* what an ssh may say before its port: kept for the message */

/* A growable NULL-terminated argument vector. */
struct words {
	char **v;
	int n;
};

/* Append a copy of w. */
static void word(struct words *a, const char *w)
{
	a->v = pd_xrealloc(a->v, (size_t)(a->n + 2) * sizeof *a->v);
	a->v[a->n++] = pd_xstrdup(w);
	a->v[a->n] = NULL;
}

/* Append "-o" and the option o. */
static void option(struct words *a, const char *o)
{
	word(a, "-o");
	word(a, o);
}

/* The ssh command: $PD_SSH split at whitespace (no quoting), or "ssh",
 * with the options every use needs: no prompt (BatchMode), no agent or
 * X11 forwarded to the host, no pseudo-terminal. */
static void ssh_command(struct words *a)
{
	const char *env = getenv("PD_SSH");
	char *copy = pd_xstrdup(env && *env ? env : "ssh"), *w, *save = NULL;

	for (w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		word(a, w);
	free(copy);
	if (!a->n)
		word(a, "ssh");
	option(a, "BatchMode=yes");
	word(a, "-a");
	word(a, "-x");
	word(a, "-T");
}

/* Free a vector. */
static void words_free(char **v)
{
	int i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Where ssh binds a control socket: sun_path, less the suffix ssh adds
 * to the path while binding it. */
#define CTL_MAX (sizeof((struct sockaddr_un *)0)->sun_path - 18)

/* 1 when path fits a control socket and holds no character ssh would
 * read specially. */
static int ctl_ok(const char *path, int len)
{
	return len >= 0 && (size_t)len < CTL_MAX && !strpbrk(path, "% \t\n\"'");
}

/* Make s->tmp: a private directory (mkdtemp, mode 0700) in
 * $XDG_RUNTIME_DIR, $TMPDIR or /tmp, the first where one can be made
 * whose sockets' paths fit.  0, or -1 with errno. */
static int make_tmp(struct pd_sshhosts *s)
{
	const char *base[] = {getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR"), "/tmp"};
	char probe[sizeof s->tmp + 32];
	int i, len, e = ENAMETOOLONG;

	for (i = 0; i < 3; i++) {
		if (!base[i] || base[i][0] != '/')
			continue;
		len = snprintf(s->tmp, sizeof s->tmp, "%s/playdoh-ssh-XXXXXX", base[i]);
		if (len < 0 || (size_t)len >= sizeof s->tmp ||
		    !ctl_ok(probe, snprintf(probe, sizeof probe, "%s/ssh-%ld-%d", s->tmp, (long)getpid(), INT_MAX)))
			continue;
		if (mkdtemp(s->tmp))
			return 0;
		e = errno;
	}
	s->tmp[0] = 0;
	errno = e;
	return -1;
}

/* The ControlPath for session i: in dir (private, ours), or when that
 * does not fit a socket's path or holds a character ssh would read
 * specially (or dir is NULL), in a private directory made for the run.
 * 0, or -1 with err. */
static int control_path(struct pd_sshhosts *s, char *out, size_t n, const char *dir, int i, char *err)
{
	if (dir && ctl_ok(out, snprintf(out, n, "%s/ssh-%ld-%d", dir, (long)getpid(), i)))
		return 0;
	if (!s->tmp[0] && make_tmp(s)) {
		pd_err(err, "make a private directory for ssh's control socket: %s", strerror(errno));
		return -1;
	}
	snprintf(out, n, "%s/ssh-%ld-%d", s->tmp, (long)getpid(), i);
	return 0;
}

/* Remove the run's private directory and the sockets left in it. */
static void remove_tmp(struct pd_sshhosts *s)
{
	int i;

	if (!s->tmp[0])
		return;
	for (i = 0; i < s->n; i++)
		if (!strncmp(s->v[i].ctl, s->tmp, strlen(s->tmp)))
			unlink(s->v[i].ctl);
	rmdir(s->tmp);
	s->tmp[0] = 0;
}

/* The remote command: "$PD_SSH_SERVE --ephemeral [--cpu N]". */
static void remote_command(char *out, size_t n, const struct pd_host *h)
{
	const char *env = getenv("PD_SSH_SERVE");
	int len = snprintf(out, n, "%s --ephemeral", env && *env ? env : "pd-serve");

	if (h->slots && len > 0 && (size_t)len < n)
		snprintf(out + len, n - (size_t)len, " --cpu %d", h->slots);
}

/* The child: stdin, stdout and stderr on the pipes, a session of its own
 * (the terminal's ^C goes to the tool, which ends the run in order). */
static void spawn_child(char **argv, int in, int out, int err) __attribute__((noreturn));
static void spawn_child(char **argv, int in, int out, int err)
{
	setsid();
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	pd_fd_close_from(3);
	execvp(argv[0], argv);
	_exit(127);
}

/* Start the master ssh of session x; 0 or -1 with err. */
static int spawn_master(struct pd_sshsess *x, char **argv, char *err)
{
	int in[2], out[2], er[2] = {-1, -1};

	if (pipe2(in, O_CLOEXEC) || (pipe2(out, O_CLOEXEC) && (close(in[0]), close(in[1]), 1)) ||
	    (pipe2(er, O_CLOEXEC) && (close(in[0]), close(in[1]), close(out[0]), close(out[1]), 1))) {
		pd_err(err, "pipe: %s", strerror(errno));
		return -1;
	}
	x->pid = fork();
	if (x->pid == 0)
		spawn_child(argv, in[0], out[1], er[1]);
	close(in[0]);
	close(out[1]);
	close(er[1]);
	x->in = in[1];
	x->out = out[0];
	x->err = er[0];
	if (x->pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		x->pid = 0;
		return -1;
	}
	return 0;
}

/* Start session x for host h: the master ssh, and the key on its stdin. */
static int start_one(struct pd_sshhosts *s, struct pd_sshsess *x, const struct pd_host *h, const unsigned char *key,
		     const char *dir, int i, char *err)
{
	struct words m = {0};
	char opt[160], cmd[PATH_MAX + 64];
	int rc;

	x->h = h;
	snprintf(x->dest, sizeof x->dest, "%s%s%s", h->user, h->user[0] ? "@" : "", h->name);
	if (control_path(s, x->ctl, sizeof x->ctl, dir, i, err))
		return -1;
	remote_command(cmd, sizeof cmd, h);
	ssh_command(&m);
	option(&m, "ConnectTimeout=10");
	option(&m, "ControlMaster=yes");
	snprintf(opt, sizeof opt, "ControlPath=%s", x->ctl);
	option(&m, opt);
	option(&m, "ControlPersist=no");
	option(&m, "ClearAllForwardings=yes");
	word(&m, x->dest);
	word(&m, cmd);
	rc = spawn_master(x, m.v, err);
	words_free(m.v);
	/* 32 bytes fit any pipe's buffer: this write does not block. */
	if (!rc && pd_write_all(x->in, key, PD_KEY_LEN)) {
		pd_err(err, "hand the key to ssh: %s", strerror(errno));
		rc = -1;
	}
	return rc;
}

/* The line "ready PORT ADDR" in what x said: its port, or 0. */
static int ready_port(struct pd_sshsess *x, char *addr, size_t n)
{
	const char *p = x->got.len ? strstr(x->got.data, "ready ") : NULL;
	char a[64];
	int port;

	while (p && p != x->got.data && p[-1] != '\n')
		p = strstr(p + 1, "ready ");
	if (!p || !strchr(p, '\n') || sscanf(p, "ready %d %63s", &port, a) != 2 || port < 1 || port > 65535)
		return 0;
	snprintf(addr, n, "%s", strcmp(a, "-") ? a : "");
	return port;
}

/* Read what fd has into b (up to SAID_MAX); 0 at its end. */
static int take(struct pd_buf *b, int fd)
{
	char buf[1024];
	ssize_t r = read(fd, buf, sizeof buf);

	if (r < 0 && errno == EINTR)
		return 1;
	if (r <= 0)
		return 0;
	if (b->len < SAID_MAX)
		pd_buf_add(b, buf, (size_t)r);
	return 1;
}

/* Wait until every session reported its port, or its ssh went quiet
 * (both pipes at their end), or the deadline; ready set on each that
 * reported. */
static void wait_ready(struct pd_sshhosts *s)
{
	long long deadline = (long long)pd_now_ns() + PD_SSH_START_S * 1000000000LL;
	struct pollfd *p = pd_xcalloc((size_t)s->n * 2, sizeof *p);
	char addr[64];
	int i, left, ms;

	for (;;) {
		left = 0;
		for (i = 0; i < s->n; i++) {
			struct pd_sshsess *x = &s->v[i];

			if (!x->ready && x->pid && ready_port(x, addr, sizeof addr))
				x->ready = 1;
			p[2 * i] = (struct pollfd){x->ready || !x->pid ? -1 : x->out, POLLIN, 0};
			p[2 * i + 1] = (struct pollfd){x->ready || !x->pid ? -1 : x->err, POLLIN, 0};
			left += p[2 * i].fd >= 0 || p[2 * i + 1].fd >= 0;
		}
		ms = (int)((deadline - (long long)pd_now_ns()) / 1000000);
		if (!left || ms <= 0 || poll(p, (nfds_t)s->n * 2, ms) < 0)
			break;
		for (i = 0; i < 2 * s->n; i++)
			if (p[i].revents && !take(i % 2 ? &s->v[i / 2].said : &s->v[i / 2].got, p[i].fd)) {
				close(p[i].fd);
				*(i % 2 ? &s->v[i / 2].err : &s->v[i / 2].out) = -1;
			}
	}
	free(p);
}

/* Why session x did not come up: the last line ssh or the remote side
 * wrote, or how it ended. */
static void why_not(struct pd_sshsess *x, char *why, size_t n)
{
	struct pd_buf *b = x->said.len ? &x->said : &x->got;
	char *end, *line;

	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = 0;
	if (b->len) {
		line = (end = strrchr(b->data, '\n')) ? end + 1 : b->data;
		snprintf(why, n, "%s", line);
		return;
	}
	snprintf(why, n, x->out < 0 ? "ssh ended without a word" : "no answer within %d s", PD_SSH_START_S);
}

/* End session x's ssh: close its stdin (the remote server stops), then
 * wait for it until `deadline` (ns), then kill it. */
static void reap(struct pd_sshsess *x, long long deadline)
{
	int status;

	if (!x->pid)
		return;
	while (waitpid(x->pid, &status, WNOHANG) == 0) {
		if ((long long)pd_now_ns() >= deadline) {
			kill(x->pid, SIGTERM);
			waitpid(x->pid, &status, 0);
			break;
		}
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	x->pid = 0;
}

/* Close session x's pipes. */
static void close_pipes(struct pd_sshsess *x)
{
	int *fd[3] = {&x->in, &x->out, &x->err}, i;

	for (i = 0; i < 3; i++)
		if (*fd[i] >= 0) {
			close(*fd[i]);
			*fd[i] = -1;
		}
}

/* The target of a ready session: each connection runs ssh -W through
 * its master to the server's port, sealed with the run's key (or, shared,
 * the cluster key). */
static void make_target(const struct pd_sshhosts *s, struct pd_sshsess *x, struct pd_target *t)
{
	struct words w = {0};
	char opt[160], addr[64];
	int port = ready_port(x, addr, sizeof addr);

	ssh_command(&w);
	option(&w, "ControlMaster=no");
	snprintf(opt, sizeof opt, "ControlPath=%s", x->ctl);
	option(&w, opt);
	option(&w, "LogLevel=ERROR");
	word(&w, "-W");
	snprintf(opt, sizeof opt, "127.0.0.1:%d", port);
	word(&w, opt);
	word(&w, x->dest);
	x->argv = w.v;
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "ssh:%s", x->dest);
	t->kind = PD_T_CMD;
	t->fd = -1;
	t->argv = x->argv;
	snprintf(t->addr, sizeof t->addr, "%s", addr);
	t->key = s->shared ? NULL : s->run_key;
}

/* Which ssh hosts of l already run a pd-serve that takes our key: up[i]
 * set for the i-th ssh host, whose TCP target goes to tcp[i]. */
static void probe(const struct pd_hostlist *l, const unsigned char *key, struct pd_target *tcp, int *up)
{
	struct pd_target *t = pd_xcalloc((size_t)l->n + 1, sizeof *t);
	struct pd_reply *r = pd_xcalloc((size_t)l->n + 1, sizeof *r);
	int *of = pd_xcalloc((size_t)l->n + 1, sizeof *of);
	char e[PD_ERRLEN];
	cJSON *req = pd_json_op(PD_OP_INFO);
	int i, j, n = 0;

	for (i = j = 0; i < l->n; i++) {
		if (!l->v[i].ssh)
			continue;
		up[j] = 0;
		if (pd_target_tcp(&tcp[j], &l->v[i], e) == 0) {
			t[n] = tcp[j];
			of[n++] = j;
		}
		j++;
	}
	if (n)
		pd_client_multi(t, n, key, "pd-ssh", req, PD_SSH_PROBE_S, r);
	for (i = 0; i < n; i++) {
		up[of[i]] = r[i].code == 0 && r[i].json;
		cJSON_Delete(r[i].json);
	}
	cJSON_Delete(req);
	free(t);
	free(r);
	free(of);
}

/* Choose the key the started servers get: a fresh one for the run, or
 * the cluster key when they must reach hosts that take only that (see
 * sshhost.h); the one to hand them. */
static const unsigned char *run_key(struct pd_sshhosts *s, const unsigned char *key, int tubes, int ntcp,
				    const int *up, int nssh)
{
	int i;

	for (i = 0; i < nssh; i++)
		ntcp += up[i];
	s->shared = tubes && ntcp > 0;
	if (s->shared)
		return key;
	sodium_mlock(s->run_key, sizeof s->run_key); /* best effort: kept out of swap */
	randombytes_buf(s->run_key, sizeof s->run_key);
	return s->run_key;
}

int pd_sshhosts_start(struct pd_sshhosts *s, const struct pd_hostlist *l, const unsigned char key[PD_KEY_LEN],
		      int tubes, int ntcp, const char *ctl_dir, struct pd_target *t,
		      void (*note)(void *arg, const char *msg), void *arg)
{
	int nssh = pd_hosts_count_ssh(l), *up = pd_xcalloc((size_t)nssh + 1, sizeof *up), i, j, n = 0;
	struct pd_target *tcp = pd_xcalloc((size_t)nssh + 1, sizeof *tcp);
	char err[PD_ERRLEN], msg[PD_ERRLEN + 400];
	const unsigned char *hand;

	memset(s, 0, sizeof *s);
	s->v = pd_xcalloc((size_t)nssh + 1, sizeof *s->v);
	if (sodium_init() < 0) {
		note(arg, "libsodium failed to initialise: no ssh host started");
		free(up);
		free(tcp);
		return 0;
	}
	probe(l, key, tcp, up);
	hand = run_key(s, key, tubes, ntcp, up, nssh);
	for (i = j = 0; i < l->n; i++) {
		struct pd_sshsess *x;

		if (!l->v[i].ssh)
			continue;
		if (up[j]) {
			t[n++] = tcp[j++];
			continue;
		}
		j++;
		x = &s->v[s->n++];
		x->in = x->out = x->err = -1;
		pd_buf_init(&x->got);
		pd_buf_init(&x->said);
		if (start_one(s, x, &l->v[i], hand, ctl_dir, s->n, err)) {
			snprintf(msg, sizeof msg, "ssh %s: %s", x->dest, err);
			note(arg, msg);
		}
	}
	wait_ready(s);
	for (i = 0; i < s->n; i++) {
		struct pd_sshsess *x = &s->v[i];

		if (x->ready) {
			make_target(s, x, &t[n++]);
			continue;
		}
		if (!x->pid)
			continue;
		why_not(x, err, sizeof err);
		snprintf(msg, sizeof msg, "ssh %s: %s", x->dest, err);
		note(arg, msg);
		close_pipes(x);
		reap(x, (long long)pd_now_ns() + 2000000000LL);
	}
	if (!n)
		remove_tmp(s); /* nothing came up: the caller may not stop s */
	free(up);
	free(tcp);
	return n;
}

void pd_sshhosts_stop(struct pd_sshhosts *s)
{
	long long deadline = (long long)pd_now_ns() + PD_SSH_STOP_S * 1000000000LL;
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].in >= 0) {
			close(s->v[i].in);
			s->v[i].in = -1;
		}
	for (i = 0; i < s->n; i++) {
		reap(&s->v[i], deadline);
		close_pipes(&s->v[i]);
		pd_buf_release(&s->v[i].got);
		pd_buf_release(&s->v[i].said);
		words_free(s->v[i].argv);
	}
	remove_tmp(s);
	if (!s->shared)
		sodium_munlock(s->run_key, sizeof s->run_key); /* zeroes it */
	free(s->v);
	memset(s, 0, sizeof *s);
}
