/* task.h - one node of a task: load it, run it, talk to the coordinator. */
#ifndef PD_TASK_H
#define PD_TASK_H

#include "tube.h"

/*
 * What a node process is given.  The coordinator talks to it over ctl
 * with frames:
 *   node -> coord  barrier {}                 coord -> node  go {} / abort {}
 *   node -> coord  done {ok:true} + output    coord -> node  exit {}
 *   node -> coord  done {ok:false, phase, error}
 * A node that is done waits for exit, keeping its tubes open, so that
 * messages pushed to it late are still delivered.
 */
#define PD_TASK_RESULT_MAX ((size_t)256 << 20) /* bytes of one node's result */

struct pd_task_setup {
	int ctl;		/* control socket to the coordinator */
	int node, nodes;
	const char *path;	/* the task .so */
	const char *sym;	/* its task name */
	const char *name;	/* the job file's name, for messages */
	const char *args;	/* this node's argument line */
	struct pd_tube *tubes;	/* fds set */
	int ntubes;
};

/* Run one node to its end and exit the process (0: done, 1: failed). */
void pd_task_node_main(const struct pd_task_setup *s) __attribute__((noreturn));

#endif
