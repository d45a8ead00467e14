/* hostsel.c - choosing hosts for a client run. */
#include "hostsel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord.h"
#include "embedded.h"
#include "err.h"
#include "xmalloc.h"

int pd_hostsel_init(struct pd_hostsel *s, const char *opt_hosts, const char *opt_ssh, char *err)
{
	const char *env = getenv("PD_HOSTS");
	int found = 0, perm = 0;

	memset(s, 0, sizeof *s);
	if (pd_paths_init(&s->paths, err))
		return PD_EX_USAGE;
	if (opt_hosts || opt_ssh) {
		s->source = opt_hosts ? "-H" : "-S";
		if (pd_hosts_parse(&s->hosts, opt_hosts, "-H", err) ||
		    pd_hosts_parse_ssh(&s->hosts, opt_ssh, "-S", err))
			return PD_EX_USAGE;
	} else if (env && *env) {
		s->source = "PD_HOSTS";
		if (pd_hosts_parse(&s->hosts, env, "PD_HOSTS", err))
			return PD_EX_USAGE;
	} else {
		s->source = s->paths.hosts;
		if (pd_hosts_file(&s->hosts, s->paths.hosts, &found, err))
			return PD_EX_DATAERR;
	}
	if (s->hosts.n == 0 && (opt_hosts || opt_ssh || (env && *env))) {
		pd_err(err, "%s: no hosts given", s->source);
		return PD_EX_USAGE;
	}
	if (s->hosts.n == 0) {
		switch (pd_target_unix_owned(s->paths.sock, err)) {
		case -1: return PD_EX_NOPERM; /* a squatter: send it nothing */
		case 1: s->kind = PD_SEL_LOCAL; break;
		default: s->kind = PD_SEL_EMBEDDED;
		}
		return 0;
	}
	s->kind = PD_SEL_REMOTE;
	if (pd_key_load(s->paths.key, s->key, &perm, err))
		return PD_EX_NOPERM;
	return 0;
}

/* A host that did not resolve, to the caller's note(msg). */
static void pass_note(void *arg, const char *msg)
{
	void (**note)(const char *msg) = arg;

	(*note)(msg);
}

/* Every host of s that is not an ssh host, resolved into t; how many. */
static int resolve_tcp(struct pd_hostsel *s, struct pd_target *t, void (*note)(const char *msg))
{
	struct pd_hostlist tcp = {0};
	int i, n;

	tcp.v = pd_xcalloc((size_t)s->hosts.n + 1, sizeof *tcp.v);
	for (i = 0; i < s->hosts.n; i++)
		if (!s->hosts.v[i].ssh)
			tcp.v[tcp.n++] = s->hosts.v[i];
	n = pd_targets_resolve(&tcp, t, note ? pass_note : NULL, &note);
	pd_hosts_release(&tcp);
	return n;
}

/* A note nobody hears. */
static void no_note(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Start (or find) the servers of s's ssh hosts, their targets into t;
 * how many.  ssh's control sockets go beside our own server's socket
 * when that directory is private, else in one made for the run. */
static int start_ssh(struct pd_hostsel *s, int ntcp, struct pd_target *t, void (*note)(const char *msg))
{
	char dir[sizeof s->paths.sock], e[PD_ERRLEN], *slash;
	int ok;

	snprintf(dir, sizeof dir, "%s", s->paths.sock);
	if ((slash = strrchr(dir, '/')) && slash != dir)
		*slash = 0;
	ok = slash && slash != dir && !pd_private_dir(dir, e);
	return pd_sshhosts_start(&s->ssh, &s->hosts, s->key, s->tubes, ntcp, ok ? dir : NULL, t,
				 note ? pass_note : no_note, &note);
}

int pd_hostsel_targets(struct pd_hostsel *s, int slots, struct pd_target *t, pid_t *embedded,
		       void (*note)(const char *msg), char *err)
{
	int n;

	*embedded = 0;
	if (s->kind == PD_SEL_LOCAL) {
		pd_target_unix(&t[0], s->paths.sock);
		return 1;
	}
	if (s->kind == PD_SEL_EMBEDDED) {
		int fd;

		if (pd_embedded_start(slots, !s->cpu_only, &fd, embedded, err))
			return -1;
		pd_target_fd(&t[0], fd);
		return 1;
	}
	n = resolve_tcp(s, t, note);
	if (pd_hosts_count_ssh(&s->hosts))
		n += start_ssh(s, n, t + n, note);
	if (!n)
		pd_err(err, "no host in %s could be %s", s->source,
		       pd_hosts_count_ssh(&s->hosts) ? "reached" : "resolved");
	return n ? n : -1;
}

struct pd_coord *pd_hostsel_coord(struct pd_hostsel *s, int slots, struct event_base *base,
				  const struct pd_coord_opts *o, const struct pd_coord_cb *cb, void *arg,
				  pid_t *embedded, void (*note)(const char *msg), char *err)
{
	struct pd_target *t = pd_xcalloc((size_t)s->hosts.n + 1, sizeof *t);
	struct pd_coord *c = NULL;
	int n, i;

	s->cpu_only = !o->gpu;
	n = pd_hostsel_targets(s, slots, t, embedded, note, err);

	if (n >= 0) {
		c = pd_coord_new(base, o, cb, arg);
		for (i = 0; i < n; i++)
			pd_coord_add_target(c, &t[i]);
	}
	free(t);
	return c;
}

void pd_hostsel_no_ssh(struct pd_hostsel *s)
{
	int i;

	for (i = 0; i < s->hosts.n; i++)
		s->hosts.v[i].ssh = 0;
}

void pd_hostsel_release(struct pd_hostsel *s)
{
	pd_sshhosts_stop(&s->ssh);
	pd_hosts_release(&s->hosts);
	memset(s->key, 0, sizeof s->key);
}
