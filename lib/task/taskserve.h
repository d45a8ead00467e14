/* taskserve.h - pd-serve's side of pd-task: this host's nodes of tasks. */
#ifndef PD_TASKSERVE_H
#define PD_TASKSERVE_H

#include <sys/types.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "key.h"

/*
 * A client (the task's coordinator) sends
 *   task {task, hash, sym, name, nodes, tubes: [[name, src, dst]...],
 *         place: [host of each node], me, args: [line of each node],
 *         oversubscribe?}
 * and this host forks the nodes placed on it (place[i] == me), wiring the
 * tubes between them as socketpairs and leaving the others to be wired
 * between hosts (task.h).  Each node's control frames travel through the
 * server:
 *   server -> client  node {node, msg} + blob     (what the node said)
 *   client -> server  node_cmd {node, msg}        (for the node)
 * A node that dies without saying done is reported as a failed done with
 * the signal.  When the client goes, its nodes are killed.  The slots the
 * nodes use are reserved: taken from the map workers while they run.
 */
struct pd_taskserve;

struct pd_taskserve_cb {
	/* Send a message to the client `owner`. */
	void (*send)(void *arg, void *owner, cJSON *msg, const void *blob, size_t len);
	/* The number of reserved slots changed. */
	void (*reserved)(void *arg, int reserved);
};

struct pd_taskserve *pd_taskserve_new(struct event_base *base, const char *cache,
				      const unsigned char *key, const struct pd_taskserve_cb *cb, void *arg);

/* Start this host's nodes of a task for `owner`, with `free` slots
 * available (more only when the request says oversubscribe, and never
 * any when `shares` is 0: the owner shares no CPU); nodes accept tubes from other hosts on address `bind` (the
 * one the coordinator reached us at; NULL or "": every address).  0, or
 * an exit status with err (65 bad request, 69 not enough slots, 71 fork
 * failed).  req is a 'task' message that pd_msg_check has passed. */
int pd_taskserve_start(struct pd_taskserve *ts, void *owner, const cJSON *req, int free, int shares,
		       const char *bind, char *err);

/* A node_cmd from `owner`.  0, or -1 with err (no such node). */
int pd_taskserve_cmd(struct pd_taskserve *ts, void *owner, const cJSON *req, char *err);

/* The client `owner` is gone: kill its nodes. */
void pd_taskserve_drop_owner(struct pd_taskserve *ts, void *owner);

/* A child process ended: 1 when it was a node (handled), else 0. */
int pd_taskserve_child(struct pd_taskserve *ts, pid_t pid, int status);

/* Slots reserved by running nodes. */
int pd_taskserve_reserved(const struct pd_taskserve *ts);

/* Kill every node and free everything.  NULL-safe. */
void pd_taskserve_free(struct pd_taskserve *ts);

#endif
