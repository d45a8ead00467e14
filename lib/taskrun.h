/* taskrun.h - running a task's nodes as local processes. */
#ifndef PD_TASKRUN_H
#define PD_TASKRUN_H

#include <stddef.h>

#include "err.h"
#include "topology.h"

struct pd_taskrun_opts {
	const char *path, *sym, *name; /* the task .so, its task, its file name */
	int nodes;
	const struct pd_topology *topo;
	char **args;	 /* one argument line per node */
	long timeout_ms; /* the whole task; 0: none */
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
 * Run every node in a process of its own, tubes as socketpairs, and wait
 * for all of them.  A node that fails or crashes ends the task on every
 * node.  Returns PD_EX_OK; PD_EX_JOBFAIL with *failed set to the node
 * that failed first (its res entry says why) or -1 for a timeout;
 * PD_EX_DATAERR when the task could not be loaded (*failed set);
 * PD_EX_OSERR with err.  res has o->nodes entries.
 */
int pd_taskrun_local(const struct pd_taskrun_opts *o, struct pd_node_result *res, int *failed, char *err);

void pd_node_results_release(struct pd_node_result *res, int n);

#endif
