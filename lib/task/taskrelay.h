/* taskrelay.h - pd-task's link to the hosts that run its nodes. */
#ifndef PD_TASKRELAY_H
#define PD_TASKRELAY_H

#include <stddef.h>

#include "target.h"
#include "topology.h"

/*
 * A thread of its own, with its own event loop, connects to every host
 * that runs nodes, makes sure it holds the task file (uploading it when
 * it does not), asks it to start its nodes (taskserve.h), and then pumps
 * each node's control frames between a local socket (the referee's
 * ctl[i], taskrun.h) and the node's host.  A host that refuses, fails or
 * drops its connection has each of its nodes report a failed done naming
 * the host, then their sockets close.
 */
struct pd_taskrelay_opts {
	const struct pd_target *hosts;
	int nhosts;
	const unsigned char *key;
	const char *job_path, *sym, *name; /* the task file, its task, its name */
	const void *job;
	size_t job_len;
	const char *task; /* the task's id */
	int nodes;
	const int *place; /* host of each node */
	const struct pd_topology *topo;
	char **args;
	int oversubscribe;
};

struct pd_taskrelay;

struct pd_taskrelay *pd_taskrelay_new(const struct pd_taskrelay_opts *o);

/* A lost host's nodes are reported within this long (its 10 s of
 * silence, noticed at the next 2 s ping, and a margin). */
#define PD_TASKRELAY_LOST_MS 15000

/* Launcher callbacks (struct pd_taskrun_launcher). */
int pd_taskrelay_launch(void *relay, int *ctl, char *err);
void pd_taskrelay_stop(void *relay);

void pd_taskrelay_free(struct pd_taskrelay *r);

#endif
