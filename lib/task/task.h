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
 *
 * Tubes to or from nodes on other hosts (fd -1 in the setup) are wired
 * first:
 *   node -> coord  ports {port}      (its tube listener, 0 when none)
 *   coord -> node  connect {endpoints: [{name, addr, port}]}
 * for each outgoing tube between hosts; the node accepts its incoming
 * ones meanwhile (tubewire.h), then runs the task.
 */
#define PD_TASK_RESULT_MAX ((size_t)256 << 20) /* bytes of one node's result */

struct pd_task_setup {
	int ctl;		/* control socket to the coordinator */
	int node, nodes;
	const char *path;	/* the task .so */
	const char *sym;	/* its task name */
	const char *name;	/* the job file's name, for messages */
	const char *args;	/* this node's argument line */
	struct pd_tube *tubes;	/* fds set; -1 for a tube between hosts */
	int ntubes;
	const unsigned char *key; /* cluster key, for tubes between hosts */
	const char *task;	/* the task's id, naming its tubes between hosts */
	const char *bind;	/* address to accept tubes on (the one the
				 * coordinator reached this host at); NULL: all */
};

/* Run one node to its end and exit the process (0: done, 1: failed). */
void pd_task_node_main(const struct pd_task_setup *s) __attribute__((noreturn));

/*
 * In a freshly forked child: keep only the node's descriptors (its ctl
 * and tube fds, moved to 3, 4, ...; stdin from /dev/null, stdout to
 * stderr), reset signals, then pd_task_node_main.  s is updated.
 */
void pd_task_node_start(struct pd_task_setup *s) __attribute__((noreturn));

#endif
