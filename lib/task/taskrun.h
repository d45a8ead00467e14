/* taskrun.h - running a task's nodes as local processes. */
#ifndef PD_TASKRUN_H
#define PD_TASKRUN_H

#include <stddef.h>

#include "err.h"
#include "topology.h"

/*
 * Where the nodes run.  Without a launcher they are forked here.  With
 * one, launch() must give every node a control socket (ctl[i]) whose far
 * end reaches the node wherever it runs (pd-task relays through pd-serve
 * hosts); place[i] is node i's host and addr[h] the address other hosts
 * reach host h at, for tubes between hosts; stop() ends the launcher
 * (and so every node still running) after the run; a node whose host is
 * lost is reported (as failed) within lost_ms.
 */
struct pd_taskrun_launcher {
	int (*launch)(void *arg, int *ctl, char *err);
	void (*stop)(void *arg);
	void *arg;
	const int *place;
	char **addr;
	int lost_ms;
};

struct pd_taskrun_opts {
	const char *path, *sym, *name; /* the task .so, its task, its file name */
	int nodes;
	const struct pd_topology *topo;
	char **args;	 /* one argument line per node */
	long timeout_ms; /* the whole task; 0: none */
	const struct pd_taskrun_launcher *remote; /* NULL: local processes */
};

/* What one node ended with. */
struct pd_node_result {
	int ok;
	char *output; /* its result (malloc'd), when ok */
	size_t len;
	char phase[16]; /* where it failed: load, init, start, result, or "" */
	char error[PD_ERRLEN];
	double ms;
};

/*
 * Run every node (in a local process of its own, tubes as socketpairs,
 * or through o->remote), and referee until all are done.  A node that fails or crashes ends the task on every
 * node.  Returns PD_EX_OK; PD_EX_JOBFAIL with *failed set to the node
 * whose failure was the cause (its res entry says why: a node that failed
 * because its peer ended gives way to the peer's own failure, awaited a
 * bounded time) or -1 for a timeout;
 * PD_EX_DATAERR when the task could not be loaded (*failed set);
 * PD_EX_OSERR with err.  res has o->nodes entries.
 */
int pd_taskrun(const struct pd_taskrun_opts *o, struct pd_node_result *res, int *failed, char *err);

void pd_node_results_release(struct pd_node_result *res, int n);

#endif
