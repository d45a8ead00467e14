/* hostsel.c - choosing hosts for a client run; small parsing helpers. */
#include "hostsel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

int pd_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

int pd_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (!s || !*s || *s == ' ' || *s == '+')
		return -1;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int pd_parse_seconds_ms(const char *s, long *ms)
{
	char *end;
	double v;

	errno = 0;
	if (!s || !*s)
		return -1;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > 1e9 || isnan(v))
		return -1;
	*ms = (long)ceil(v * 1000);
	return 0;
}

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

int pd_hostsel_targets(struct pd_hostsel *s, int slots, struct pd_target *t, pid_t *embedded,
		       void (*note)(const char *msg), char *err)
{
	char e[PD_ERRLEN];
	int i, n = 0;

	*embedded = 0;
	if (s->kind == PD_SEL_LOCAL) {
		pd_target_unix(&t[0], s->paths.sock);
		return 1;
	}
	if (s->kind == PD_SEL_EMBEDDED)
		return pd_target_embedded(&t[0], slots, embedded, err) ? -1 : 1;
	for (i = 0; i < s->hosts.n; i++) {
		if (pd_target_tcp(&t[n], &s->hosts.v[i], e) == 0)
			n++;
		else if (note)
			note(e);
	}
	if (!n)
		pd_err(err, "no host in %s could be resolved", s->source);
	return n ? n : -1;
}

void pd_hostsel_release(struct pd_hostsel *s)
{
	pd_hosts_release(&s->hosts);
	memset(s->key, 0, sizeof s->key);
}
