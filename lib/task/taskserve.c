/* taskserve.c - fork a task's nodes on this host and relay their control. */
#include "taskserve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "cache.h"
#include "err.h"
#include "evframe.h"
#include "json.h"
#include "log.h"
#include "pathfmt.h"
#include "proto.h"
#include "task.h"
#include "topology.h"
#include "xmalloc.h"

struct stask;

/* One node of a task running on this host. */
struct snode {
	struct stask *task;
	int index;
	pid_t pid;
	struct bufferevent *ctl;
	int done, exited;
	int released; /* its slot is free again (it said done or exited) */
	char phase[16];
};

/* This host's part of one task. */
struct stask {
	struct pd_taskserve *ts;
	void *owner; /* NULL once the client is gone */
	char id[65];
	char bind[64]; /* where nodes accept tubes from other hosts, "" all */
	struct snode *v;
	int n, running;
	LIST_ENTRY(stask) link;
};

struct pd_taskserve {
	struct event_base *base;
	char cache[PD_PATH_MAX];
	unsigned char key[PD_KEY_LEN];
	int have_key, reserved;
	struct pd_taskserve_cb cb;
	void *arg;
	LIST_HEAD(, stask) tasks;
};

/* Relay a node's message to its task's client. */
static void relay(struct snode *n, const cJSON *msg, const void *blob, size_t len)
{
	struct pd_taskserve *ts = n->task->ts;
	cJSON *j;

	if (!n->task->owner)
		return;
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "op", PD_OP_NODE);
	cJSON_AddNumberToObject(j, "node", n->index);
	cJSON_AddItemToObject(j, "msg", cJSON_Duplicate(msg, 1));
	ts->cb.send(ts->arg, n->task->owner, j, blob, len);
}

/* Give a node's slot back: once it is done, the next task may use it
 * while the process takes its last moments to exit. */
static void release_slot(struct snode *n)
{
	struct pd_taskserve *ts = n->task->ts;

	if (n->released)
		return;
	n->released = 1;
	ts->reserved--;
	ts->cb.reserved(ts->arg, ts->reserved);
}

/* Frames from a node's control socket. */
static void on_node_read(struct bufferevent *bev, void *arg)
{
	struct snode *n = arg;
	char err[PD_ERRLEN];
	struct pd_msg m;

	pd_msg_init(&m);
	while (pd_evframe_read(bev, PD_TASK_RESULT_MAX, NULL, &m, err) == 1) {
		if (!strcmp(m.op, "phase"))
			snprintf(n->phase, sizeof n->phase, "%s", pd_json_str(m.json, "phase", "start"));
		relay(n, m.json, m.blob, m.blob_len);
		if (!strcmp(m.op, "done")) {
			n->done = 1;
			release_slot(n);
		}
		pd_msg_release(&m);
	}
	pd_msg_release(&m);
}

/* Free a task whose nodes have all exited; give its slots back. */
static void task_maybe_free(struct stask *t)
{
	struct pd_taskserve *ts = t->ts;
	int i;

	if (t->running)
		return;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].ctl)
			bufferevent_free(t->v[i].ctl);
		if (!t->v[i].released)
			ts->reserved--;
	}
	LIST_REMOVE(t, link);
	free(t->v);
	free(t);
	ts->cb.reserved(ts->arg, ts->reserved);
}

int pd_taskserve_child(struct pd_taskserve *ts, pid_t pid, int status)
{
	struct stask *t;
	struct snode *n;
	char msg[PD_ERRLEN];
	cJSON *j;
	int i;

	LIST_FOREACH(t, &ts->tasks, link)
		for (i = 0; i < t->n; i++) {
			n = &t->v[i];
			if (n->pid != pid || n->exited)
				continue;
			n->exited = 1;
			t->running--;
			if (n->ctl)
				on_node_read(n->ctl, n); /* what it said before it went */
			if (!n->done) {
				pd_exit_reason(status, msg, sizeof msg);
				j = cJSON_CreateObject();
				cJSON_AddStringToObject(j, "op", "done");
				cJSON_AddBoolToObject(j, "ok", 0);
				cJSON_AddStringToObject(j, "phase", n->phase);
				cJSON_AddStringToObject(j, "error", msg);
				relay(n, j, NULL, 0);
				cJSON_Delete(j);
			}
			task_maybe_free(t);
			return 1;
		}
	return 0;
}

/* Check what the message table (wire/msgcheck.c, which has already passed
 * req: types and ranges) cannot: the task id's length, that the job is
 * here, the tube count, and one place and one argument line per node.
 * 0 or -1 with err. */
static int check_request(struct pd_taskserve *ts, const cJSON *req, long long *nodes, long long *me, char *err)
{
	const char *id = pd_json_str(req, "task", ""), *hash = pd_json_str(req, "hash", "");
	const cJSON *place, *tubes, *args;

	*nodes = (long long)pd_json_num(req, "nodes", 0);
	*me = (long long)pd_json_num(req, "me", 0);
	place = cJSON_GetObjectItemCaseSensitive(req, "place");
	tubes = cJSON_GetObjectItemCaseSensitive(req, "tubes");
	args = cJSON_GetObjectItemCaseSensitive(req, "args");
	if (!*id || strlen(id) > 64 || !pd_hash_valid(hash) || !pd_cache_has(ts->cache, hash) ||
	    cJSON_GetArraySize(place) != *nodes || cJSON_GetArraySize(tubes) > PD_TOPOLOGY_TUBES_MAX ||
	    !cJSON_IsArray(args) || cJSON_GetArraySize(args) != *nodes) {
		pd_err(err, "message 'task': malformed (task id, job hash, place, tubes or args)");
		return -1;
	}
	return 0;
}

/* 1 when a tube of a node placed here leads to or from another host. */
static int crosses_here(const struct pd_topology *topo, const cJSON *place, int me)
{
	int k, src, dst;

	for (k = 0; k < topo->n; k++) {
		src = (int)cJSON_GetArrayItem(place, topo->v[k].src)->valuedouble;
		dst = (int)cJSON_GetArrayItem(place, topo->v[k].dst)->valuedouble;
		if ((src == me) != (dst == me))
			return 1;
	}
	return 0;
}

/* The tube list of a request, checked like a topology file. */
static int request_tubes(const cJSON *req, int nodes, struct pd_topology *topo, char *err)
{
	const cJSON *tubes = cJSON_GetObjectItemCaseSensitive(req, "tubes"), *t;
	struct pd_buf spec = PD_BUF_INIT;
	int rc;

	cJSON_ArrayForEach(t, tubes)
		pd_buf_addf(&spec, "%s %d %d\n", cJSON_GetArrayItem(t, 0)->valuestring,
			    (int)cJSON_GetArrayItem(t, 1)->valuedouble, (int)cJSON_GetArrayItem(t, 2)->valuedouble);
	rc = pd_topology_parse(topo, spec.data, "task", nodes, err);
	pd_buf_release(&spec);
	return rc;
}

/* The tubes whose two ends are both on this host: per tube, a socketpair
 * (-1 when not) and a shared-memory ring (NULL when not, or PD_TUBES=socket). */
struct local {
	int (*pair)[2];
	struct pd_tubering_shm **ring;
};

/* The tube ends node i gets (local fds and rings, fd -1 between hosts). */
static struct pd_tube *node_tubes(const struct pd_topology *topo, const struct local *l, const cJSON *place,
				  int me, int i, int *n)
{
	int (*pair)[2] = l->pair;
	struct pd_tube *v = pd_xcalloc((size_t)topo->n * 2 + 1, sizeof *v);
	const struct pd_tube_def *d;
	int k, local;

	*n = 0;
	for (k = 0; k < topo->n; k++) {
		d = &topo->v[k];
		local = (int)cJSON_GetArrayItem(place, d->src)->valuedouble == me &&
			(int)cJSON_GetArrayItem(place, d->dst)->valuedouble == me;
		if (d->src == i) {
			v[*n] = (struct pd_tube){.out = 1, .peer = d->dst, .fd = local ? pair[k][0] : -1,
						 .shm = local ? l->ring[k] : NULL};
			snprintf(v[*n].name, sizeof v[*n].name, "%s", d->name);
			(*n)++;
		}
		if (d->dst == i) {
			v[*n] = (struct pd_tube){.out = 0, .peer = d->src, .fd = local ? pair[k][1] : -1,
						 .shm = local ? l->ring[k] : NULL};
			snprintf(v[*n].name, sizeof v[*n].name, "%s", d->name);
			(*n)++;
		}
	}
	return v;
}

/* Fork node i of task t; its control socket is watched from the loop. */
static int fork_node(struct stask *t, struct snode *n, const cJSON *req, const struct pd_topology *topo,
		     const struct local *l, int me, char *err)
{
	struct pd_taskserve *ts = t->ts;
	struct pd_task_setup s;
	char path[PD_PATH_MAX];
	int ctl[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl)) {
		pd_err(err, "socketpair: %s", strerror(errno));
		return -1;
	}
	n->pid = fork();
	if (n->pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		close(ctl[0]);
		close(ctl[1]);
		return -1;
	}
	if (n->pid == 0) {
		pd_cache_path(ts->cache, pd_json_str(req, "hash", ""), path, sizeof path);
		s = (struct pd_task_setup){
		    .ctl = ctl[1],
		    .node = n->index,
		    .nodes = (int)pd_json_num(req, "nodes", 0),
		    .path = path,
		    .sym = pd_json_str(req, "sym", ""),
		    .name = pd_json_str(req, "name", "task"),
		    .args = cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "args"), n->index)),
		    .key = ts->key,
		    .task = t->id,
		    .bind = t->bind[0] ? t->bind : NULL,
		};
		s.tubes = node_tubes(topo, l, cJSON_GetObjectItemCaseSensitive(req, "place"), me, n->index, &s.ntubes);
		pd_task_node_start(&s);
	}
	close(ctl[1]);
	n->ctl = bufferevent_socket_new(ts->base, ctl[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(n->ctl, on_node_read, NULL, pd_evframe_stop_at_end, n);
	bufferevent_enable(n->ctl, EV_READ | EV_WRITE);
	t->running++;
	return 0;
}

/* Socketpairs and rings for the tubes whose two ends are both on this
 * host (a tube whose ring cannot be mapped stays a socket). */
static void local_tubes(struct local *l, const struct pd_topology *topo, const cJSON *place, int me)
{
	int k, shm = pd_tubes_shm_wanted();
	char err[PD_ERRLEN];

	l->pair = pd_xcalloc((size_t)topo->n + 1, sizeof *l->pair);
	l->ring = pd_xcalloc((size_t)topo->n + 1, sizeof *l->ring);
	for (k = 0; k < topo->n; k++) {
		l->pair[k][0] = l->pair[k][1] = -1;
		if ((int)cJSON_GetArrayItem(place, topo->v[k].src)->valuedouble == me &&
		    (int)cJSON_GetArrayItem(place, topo->v[k].dst)->valuedouble == me &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->pair[k]))
			l->pair[k][0] = l->pair[k][1] = -1;
		if (l->pair[k][0] >= 0 && shm)
			l->ring[k] = pd_tubering_map(err);
	}
}

int pd_taskserve_start(struct pd_taskserve *ts, void *owner, const cJSON *req, int free_slots, int shares,
		       const char *bind, char *err)
{
	const cJSON *place = cJSON_GetObjectItemCaseSensitive(req, "place");
	struct pd_topology topo;
	long long nodes, me;
	struct stask *t;
	struct local l;
	int i, k, mine = 0, rc = 0;

	if (check_request(ts, req, &nodes, &me, err) || request_tubes(req, (int)nodes, &topo, err))
		return PD_EX_DATAERR;
	if (!ts->have_key && crosses_here(&topo, place, (int)me)) {
		pd_topology_release(&topo);
		pd_err(err, "this server has no cluster key for tubes between hosts");
		return PD_EX_NOPERM;
	}
	for (i = 0; i < nodes; i++)
		mine += cJSON_IsNumber(cJSON_GetArrayItem(place, i)) && cJSON_GetArrayItem(place, i)->valuedouble == me;
	if (mine > 0 && !shares) {
		pd_err(err, "this host shares no CPU (pd-alloc --cpu 0): no task node runs here");
		return PD_EX_UNAVAILABLE;
	}
	if (mine > free_slots && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "oversubscribe"))) {
		pd_err(err, "this host has %d free slot%s; the task places %d node%s here", free_slots,
		       free_slots == 1 ? "" : "s", mine, mine == 1 ? "" : "s");
		pd_topology_release(&topo);
		return PD_EX_UNAVAILABLE;
	}
	t = pd_xcalloc(1, sizeof *t);
	t->v = pd_xcalloc((size_t)mine + 1, sizeof *t->v);
	t->ts = ts;
	t->owner = owner;
	snprintf(t->id, sizeof t->id, "%s", pd_json_str(req, "task", ""));
	snprintf(t->bind, sizeof t->bind, "%s", bind ? bind : "");
	LIST_INSERT_HEAD(&ts->tasks, t, link);
	ts->reserved += mine;
	local_tubes(&l, &topo, place, (int)me);
	for (i = 0; i < nodes && rc == 0; i++)
		if (cJSON_GetArrayItem(place, i)->valuedouble == me) {
			t->v[t->n] = (struct snode){.task = t, .index = i};
			snprintf(t->v[t->n].phase, sizeof t->v[t->n].phase, "load");
			rc = fork_node(t, &t->v[t->n], req, &topo, &l, (int)me, err);
			t->n++;
		}
	for (k = 0; k < topo.n; k++) {
		if (l.pair[k][0] >= 0) {
			close(l.pair[k][0]);
			close(l.pair[k][1]);
		}
		pd_tubering_unmap(l.ring[k]); /* the nodes keep theirs */
	}
	free(l.pair);
	free(l.ring);
	pd_topology_release(&topo);
	ts->cb.reserved(ts->arg, ts->reserved);
	pd_log(PD_LOG_INFO, "task %s: started %d node%s here", t->id, mine, mine == 1 ? "" : "s");
	if (rc) {
		pd_taskserve_drop_owner(ts, owner);
		return PD_EX_OSERR;
	}
	return 0;
}

int pd_taskserve_cmd(struct pd_taskserve *ts, void *owner, const cJSON *req, char *err)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(req, "msg");
	int node = (int)pd_json_num(req, "node", -1), i;
	struct stask *t;

	if (!cJSON_IsObject(msg) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(msg, "op"))) {
		pd_err(err, "message 'node_cmd': no message for the node");
		return -1;
	}
	LIST_FOREACH(t, &ts->tasks, link) {
		if (t->owner != owner)
			continue;
		for (i = 0; i < t->n; i++)
			if (t->v[i].index == node && !t->v[i].exited) {
				pd_evframe_put(bufferevent_get_output(t->v[i].ctl), NULL, msg, NULL, 0);
				return 0;
			}
	}
	pd_err(err, "message 'node_cmd': node %d of this client's task is not running here", node);
	return -1;
}

void pd_taskserve_drop_owner(struct pd_taskserve *ts, void *owner)
{
	struct stask *t;
	int i;

	LIST_FOREACH(t, &ts->tasks, link) {
		if (t->owner != owner)
			continue;
		t->owner = NULL;
		for (i = 0; i < t->n; i++)
			if (t->v[i].pid > 0 && !t->v[i].exited)
				kill(t->v[i].pid, SIGKILL);
	}
}

int pd_taskserve_reserved(const struct pd_taskserve *ts) { return ts->reserved; }

struct pd_taskserve *pd_taskserve_new(struct event_base *base, const char *cache,
				      const unsigned char *key, const struct pd_taskserve_cb *cb, void *arg)
{
	struct pd_taskserve *ts = pd_xcalloc(1, sizeof *ts);

	ts->base = base;
	pd_path_fmt(ts->cache, "%s", cache);
	if (key) {
		memcpy(ts->key, key, PD_KEY_LEN);
		ts->have_key = 1;
	}
	ts->cb = *cb;
	ts->arg = arg;
	LIST_INIT(&ts->tasks);
	return ts;
}

void pd_taskserve_free(struct pd_taskserve *ts)
{
	struct stask *t;
	int i, status;

	if (!ts)
		return;
	while ((t = LIST_FIRST(&ts->tasks))) {
		for (i = 0; i < t->n; i++) {
			if (t->v[i].pid > 0 && !t->v[i].exited) {
				kill(t->v[i].pid, SIGKILL);
				waitpid(t->v[i].pid, &status, 0);
			}
			if (t->v[i].ctl)
				bufferevent_free(t->v[i].ctl);
		}
		LIST_REMOVE(t, link);
		free(t->v);
		free(t);
	}
	free(ts);
}
