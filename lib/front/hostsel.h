/* hostsel.h - which hosts a client runs on, and how to reach them. */
#ifndef PD_HOSTSEL_H
#define PD_HOSTSEL_H

#include <sys/types.h>

#include "hosts.h"
#include "key.h"
#include "paths.h"
#include "sshhost.h"
#include "target.h"

enum pd_sel_kind {
	PD_SEL_REMOTE,	/* -H, -S, $PD_HOSTS or the hosts file: TCP or ssh, sealed */
	PD_SEL_LOCAL,	/* no hosts configured, a local pd-serve runs */
	PD_SEL_EMBEDDED /* neither: fork local workers */
};

struct pd_hostsel {
	enum pd_sel_kind kind;
	const char *source; /* "-H", "-S", "PD_HOSTS", the hosts file's path, ... */
	struct pd_paths paths;
	struct pd_hostlist hosts;
	unsigned char key[PD_KEY_LEN];
	struct pd_sshhosts ssh; /* the sessions of its ssh hosts, once started */
	int tubes;	/* set by a tool whose servers connect to each other
			 * (pd-task): see pd_sshhosts_start */
	int cpu_only;	/* the run asks for no GPU (pd_hostsel_coord): an
			 * embedded server skips its GPU probe */
};

/*
 * Decide: -H and -S (opt_hosts, opt_ssh: either non-NULL), else
 * $PD_HOSTS, else the hosts file (whose "ssh" lines are ssh hosts), else
 * the local pd-serve's socket, else embedded.  For remote hosts the
 * cluster key is loaded too.  Returns 0, or an exit status (PD_EX_USAGE
 * for a bad list, PD_EX_NOPERM for a key problem, ...) with err.
 */
int pd_hostsel_init(struct pd_hostsel *s, const char *opt_hosts, const char *opt_ssh, char *err);

/*
 * Fill `t` (room for s->hosts.n, at least 1) with the targets; an
 * embedded server is started with `slots` workers, and a server on each
 * ssh host that runs none (sshhost.h; stopped by pd_hostsel_release).
 * Hosts that do not resolve, or ssh cannot reach, are reported through
 * note() and skipped.  Returns the number of targets, or -1 with err when
 * none is usable.
 */
int pd_hostsel_targets(struct pd_hostsel *s, int slots, struct pd_target *t, pid_t *embedded,
		       void (*note)(const char *msg), char *err);

/* For a tool that starts no servers (pd-status): the ssh hosts of s are
 * looked for as plain hosts, where a pd-serve already running there
 * listens (port 2718). */
void pd_hostsel_no_ssh(struct pd_hostsel *s);

struct pd_coord;
struct pd_coord_opts;
struct pd_coord_cb;
struct event_base;

/*
 * A tool's attached run: a coordinator on base with options o and
 * callbacks cb(arg), given every target of s (pd_hostsel_targets, with
 * `slots` for an embedded server, whose pid goes to *embedded).  NULL
 * with err when no host is usable.
 */
struct pd_coord *pd_hostsel_coord(struct pd_hostsel *s, int slots, struct event_base *base,
				  const struct pd_coord_opts *o, const struct pd_coord_cb *cb, void *arg,
				  pid_t *embedded, void (*note)(const char *msg), char *err);

/* Stop the servers started on ssh hosts (after the run's connections
 * closed), forget the key. */
void pd_hostsel_release(struct pd_hostsel *s);

#endif
