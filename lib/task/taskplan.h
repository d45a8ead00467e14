/* taskplan.h - which hosts run a task's nodes, and running it there. */
#ifndef PD_TASKPLAN_H
#define PD_TASKPLAN_H

#include <stddef.h>

#include "target.h"
#include "taskrun.h"
#include "topology.h"

/* The hosts that answered, the address others reach each at, and the
 * host of every node. */
struct pd_taskplan {
	struct pd_target *t;
	int n;
	char **addr;
	int *place;
};

/*
 * Ask each of the n targets for its free slots (shared - busy), keep the
 * ones that answer (note() hears of the others), and place the nodes in
 * order, filling each host's free slots so that line neighbours share a
 * host; nodes beyond the free slots go round-robin only when
 * oversubscribe is set.  t is copied.  0, or an exit status with err
 * (69 none up or too few slots, 77 every host refused the key).
 */
int pd_taskplan_make(struct pd_taskplan *p, const struct pd_target *t, int n, const unsigned char *key,
		     int nodes, int oversubscribe, void (*note)(const char *msg), char *err);

void pd_taskplan_release(struct pd_taskplan *p);

/* A task to run on a plan. */
struct pd_taskjob {
	const char *path, *sym, *name; /* the task file, its task, its name */
	int nodes;
	const struct pd_topology *topo;
	char **args;
	long timeout_ms;
	int oversubscribe;
	const unsigned char *key; /* for TCP hosts, else NULL */
};

/* Run the task on the plan's hosts (taskrelay.h), as pd_taskrun does. */
int pd_taskplan_run(const struct pd_taskplan *p, const struct pd_taskjob *j, struct pd_node_result *res,
		    int *failed, char *err);

#endif
