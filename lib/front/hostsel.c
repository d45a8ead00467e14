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

int pd_hostsel_init(struct pd_hostsel *s, const char *opt_hosts, char *err)
{
	const char *env = getenv("PD_HOSTS");
	int found = 0, perm = 0;

	memset(s, 0, sizeof *s);
	if (pd_paths_init(&s->paths, err))
		return PD_EX_USAGE;
	if (opt_hosts) {
		s->source = "-H";
		if (pd_hosts_parse(&s->hosts, opt_hosts, "-H", err))
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
	if (s->hosts.n == 0 && (opt_hosts || (env && *env))) {
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

		if (pd_embedded_start(slots, &fd, embedded, err))
			return -1;
		pd_target_fd(&t[0], fd);
		return 1;
	}
	n = pd_targets_resolve(&s->hosts, t, note ? pass_note : NULL, &note);
	if (!n)
		pd_err(err, "no host in %s could be resolved", s->source);
	return n ? n : -1;
}

struct pd_coord *pd_hostsel_coord(struct pd_hostsel *s, int slots, struct event_base *base,
				  const struct pd_coord_opts *o, const struct pd_coord_cb *cb, void *arg,
				  pid_t *embedded, void (*note)(const char *msg), char *err)
{
	struct pd_target *t = pd_xcalloc((size_t)s->hosts.n + 1, sizeof *t);
	struct pd_coord *c = NULL;
	int n = pd_hostsel_targets(s, slots, t, embedded, note, err), i;

	if (n >= 0) {
		c = pd_coord_new(base, o, cb, arg);
		for (i = 0; i < n; i++)
			pd_coord_add_target(c, &t[i]);
	}
	free(t);
	return c;
}

void pd_hostsel_release(struct pd_hostsel *s)
{
	pd_hosts_release(&s->hosts);
	memset(s->key, 0, sizeof s->key);
}
