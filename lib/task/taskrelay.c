/* taskrelay.c - start a task's nodes on hosts and relay their control. */
#include "taskrelay.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "cache.h"
#include "clock.h"
#include "err.h"
#include "evframe.h"
#include "jobx.h"
#include "json.h"
#include "peer.h"
#include "proto.h"
#include "worker.h"
#include "xmalloc.h"

#define DRAIN_MS 2000 /* at the end, time to pass the last messages on */
#define PING_S 2      /* hosts are pinged this often ... */
#define SILENCE_S 10  /* ... and a host unheard this long is gone */
_Static_assert((SILENCE_S + PING_S) * 1000 < PD_TASKRELAY_LOST_MS, "PD_TASKRELAY_LOST_MS covers the liveness check");

struct relay;

/* A host running some of the nodes. */
struct rhost {
	struct relay *r;
	int index, ready;
	struct pd_peer *peer;
	uint64_t heard_ns; /* when the host last said anything */
};

/* A node's end of its control socket, on the relay's side. */
struct rnode {
	struct relay *r;
	int index, failed;
	struct bufferevent *bev;
};

struct relay {
	struct pd_taskrelay_opts o;
	char hash[PD_HASH_HEX];
	struct event_base *base;
	struct rhost *hosts;
	struct rnode *nodes;
	pthread_t thread;
	int started, wake[2], stopping;
	struct event *wake_ev, *drain_ev, *ping_ev;
};

/* A node's host failed: the node reports it (with the exit status it
 * means), then its socket closes. */
static void node_fails(struct rnode *n, const char *why, int code)
{
	cJSON *j;

	if (!n->bev)
		return;
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "op", "done");
	cJSON_AddBoolToObject(j, "ok", 0);
	cJSON_AddStringToObject(j, "phase", n->r->hosts[n->r->o.place[n->index]].ready ? "start" : "load");
	cJSON_AddStringToObject(j, "error", why);
	cJSON_AddNumberToObject(j, "code", code);
	pd_evframe_put(bufferevent_get_output(n->bev), NULL, j, NULL, 0);
	cJSON_Delete(j);
	bufferevent_disable(n->bev, EV_READ);
	n->failed = 1; /* closed once the report is flushed: on_node_flushed */
}

/* Every node of host h fails with why: a host lost while its nodes ran
 * fails them (1); one that would not start them says why (code). */
static void host_fails(struct rhost *h, const char *why, int code)
{
	char msg[PD_ERRLEN];
	int i;

	snprintf(msg, sizeof msg, "host %.100s: %.140s", h->r->o.hosts[h->index].name, why);
	for (i = 0; i < h->r->o.nodes; i++)
		if (h->r->o.place[i] == h->index)
			node_fails(&h->r->nodes[i], msg, h->ready ? PD_EX_JOBFAIL : code);
}

/* Send and free. */
static void send_msg(struct rhost *h, cJSON *j, const void *blob, size_t len)
{
	pd_peer_send(h->peer, j, blob, len);
	cJSON_Delete(j);
}

/* Ask host h to start its nodes. */
static void send_task(struct rhost *h)
{
	const struct pd_taskrelay_opts *o = &h->r->o;
	cJSON *j = pd_json_op(PD_OP_TASK), *a;
	int i, k;

	cJSON_AddStringToObject(j, "task", o->task);
	cJSON_AddStringToObject(j, "hash", h->r->hash);
	cJSON_AddStringToObject(j, "sym", o->sym);
	cJSON_AddStringToObject(j, "name", o->name);
	cJSON_AddNumberToObject(j, "nodes", o->nodes);
	cJSON_AddNumberToObject(j, "me", h->index);
	if (o->oversubscribe)
		cJSON_AddBoolToObject(j, "oversubscribe", 1);
	a = cJSON_AddArrayToObject(j, "place");
	for (i = 0; i < o->nodes; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(o->place[i]));
	a = cJSON_AddArrayToObject(j, "args");
	for (i = 0; i < o->nodes; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->args[i]));
	a = cJSON_AddArrayToObject(j, "tubes");
	for (k = 0; k < o->topo->n; k++) {
		cJSON *t = cJSON_CreateArray();

		cJSON_AddItemToArray(t, cJSON_CreateString(o->topo->v[k].name));
		cJSON_AddItemToArray(t, cJSON_CreateNumber(o->topo->v[k].src));
		cJSON_AddItemToArray(t, cJSON_CreateNumber(o->topo->v[k].dst));
		cJSON_AddItemToArray(a, t);
	}
	send_msg(h, j, NULL, 0);
}

/* Host h runs its nodes: their control flows from now on. */
static void host_ready(struct rhost *h)
{
	int i;

	h->ready = 1;
	for (i = 0; i < h->r->o.nodes; i++)
		if (h->r->o.place[i] == h->index && h->r->nodes[i].bev)
			bufferevent_enable(h->r->nodes[i].bev, EV_READ);
}

/* A node's message from its host: on to the referee. */
static void from_host(struct rhost *h, const struct pd_msg *m)
{
	int node = (int)pd_json_num(m->json, "node", -1);
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(m->json, "msg");

	if (node < 0 || node >= h->r->o.nodes || h->r->o.place[node] != h->index || !cJSON_IsObject(msg) ||
	    !h->r->nodes[node].bev)
		return;
	pd_evframe_put(bufferevent_get_output(h->r->nodes[node].bev), NULL, msg, m->blob, m->blob_len);
}

/* Messages from a host. */
static void host_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg)
{
	struct rhost *h = arg;
	cJSON *j;

	h->heard_ns = pd_now_ns();
	if (!m) {
		h->peer = NULL;
		if (!h->r->stopping)
			host_fails(h, pd_peer_refused(p) ? "authentication failed" : why,
				   pd_peer_refused(p) ? PD_EX_NOPERM
				   : pd_peer_error_code(p) ? pd_peer_error_code(p) : PD_EX_UNAVAILABLE);
		return;
	}
	if (!strcmp(m->op, PD_OP_WELCOME)) {
		j = pd_jobx_ask(h->r->hash, h->r->o.sym,
				!pd_target_sealed(&h->r->o.hosts[h->index]) ? h->r->o.job_path : NULL);
		send_msg(h, j, NULL, 0);
	} else if (!strcmp(m->op, PD_OP_JOB)) {
		if (pd_jobx_held(m->json))
			send_task(h);
		else
			send_msg(h, pd_jobx_upload(h->r->hash), h->r->o.job, h->r->o.job_len);
	} else if (!strcmp(m->op, PD_OP_TASK_STARTED))
		host_ready(h);
	else if (!strcmp(m->op, PD_OP_NODE))
		from_host(h, m);
	else if (!strcmp(m->op, PD_OP_ERROR))
		host_fails(h, pd_json_str(m->json, "error", "error"), (int)pd_json_num(m->json, "code", PD_EX_UNAVAILABLE));
	/* pong and slots notices only show the host is alive */
}

/* Frames from the referee for node n: on to its host. */
static void on_node_read(struct bufferevent *bev, void *arg)
{
	struct rnode *n = arg;
	struct rhost *h = &n->r->hosts[n->r->o.place[n->index]];
	char err[PD_ERRLEN];
	struct pd_msg m;
	cJSON *j;

	pd_msg_init(&m);
	while (h->peer && h->ready && pd_evframe_read(bev, 1 << 20, NULL, &m, err) == 1) {
		j = pd_json_op(PD_OP_NODE_CMD);
		cJSON_AddNumberToObject(j, "node", n->index);
		cJSON_AddItemToObject(j, "msg", cJSON_Duplicate(m.json, 1));
		send_msg(h, j, NULL, 0);
		pd_msg_release(&m);
	}
	pd_msg_release(&m);
}

/* Close a failed node's socket once its report is out. */
static void on_node_flushed(struct bufferevent *bev, void *arg)
{
	struct rnode *n = arg;

	if (n->failed) {
		bufferevent_free(bev);
		n->bev = NULL;
	}
}

/*
 * Liveness: a host whose machine vanished closes nothing, so ping every
 * host, and count one gone when it has said nothing for SILENCE_S: its
 * nodes fail, which ends the task instead of leaving it waiting.
 */
static void ping_hosts(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct rhost *h;
	char why[64];
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < r->o.nhosts; i++) {
		h = &r->hosts[i];
		if (!h->peer)
			continue;
		if (pd_now_ns() - h->heard_ns > (uint64_t)SILENCE_S * 1000000000u) {
			snprintf(why, sizeof why, "no answer for %d s", SILENCE_S);
			pd_peer_close(h->peer);
			h->peer = NULL;
			host_fails(h, why, PD_EX_UNAVAILABLE);
		} else if (h->ready)
			send_msg(h, pd_json_op(PD_OP_PING), NULL, 0);
	}
}

/* Connect to host h. */
static void host_connect(struct relay *r, int h)
{
	const struct pd_target *t = &r->o.hosts[h];
	struct pd_peer_opts po = {PD_ROLE_CLIENT, pd_target_sealed(t), pd_target_key(t, r->o.key), t->name,
				  PD_BLOB_MAX, "pd-task", 0};
	char err[PD_ERRLEN];
	int fd;

	r->hosts[h] = (struct rhost){r, h, 0, NULL, pd_now_ns()};
	if (t->kind == PD_T_TCP)
		r->hosts[h].peer = pd_peer_connect(r->base, (const struct sockaddr *)&t->ss, t->sslen, &po, host_msg,
						   &r->hosts[h]);
	else if ((fd = pd_target_open(t, err)) >= 0)
		r->hosts[h].peer = pd_peer_new(r->base, fd, &po, host_msg, &r->hosts[h]);
	else
		host_fails(&r->hosts[h], err, PD_EX_UNAVAILABLE);
}

/* The end: pass on what the referee last said, then leave the loop. */
static void drain_done(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	int i, pending = 0;

	(void)fd;
	for (i = 0; i < r->o.nhosts; i++)
		if (r->hosts[i].peer)
			pending += pd_peer_pending(r->hosts[i].peer) > 0;
	if (pending && !(what & EV_TIMEOUT && r->stopping++ > DRAIN_MS / 10)) {
		struct timeval tv = {0, 10000};

		evtimer_add(r->drain_ev, &tv);
		return;
	}
	event_base_loopexit(r->base, NULL);
}

/* The main thread asks to stop. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	char c;
	int i;

	(void)what;
	if (read(fd, &c, 1) < 0 && errno != EAGAIN)
		return;
	r->stopping = 1;
	for (i = 0; i < r->o.nodes; i++)
		if (r->nodes[i].bev)
			on_node_read(r->nodes[i].bev, &r->nodes[i]);
	drain_done(-1, 0, r);
}

/* The relay thread. */
static void *relay_main(void *arg)
{
	struct relay *r = arg;

	event_base_dispatch(r->base);
	return NULL;
}

struct pd_taskrelay *pd_taskrelay_new(const struct pd_taskrelay_opts *o)
{
	struct relay *r = pd_xcalloc(1, sizeof *r);

	r->o = *o;
	pd_hash_hex(o->job, o->job_len, r->hash);
	r->wake[0] = r->wake[1] = -1;
	return (struct pd_taskrelay *)r;
}

int pd_taskrelay_launch(void *arg, int *ctl, char *err)
{
	struct relay *r = arg;
	int i, sv[2];

	r->base = event_base_new();
	r->hosts = pd_xcalloc((size_t)r->o.nhosts, sizeof *r->hosts);
	r->nodes = pd_xcalloc((size_t)r->o.nodes, sizeof *r->nodes);
	if (!r->base || pipe2(r->wake, O_CLOEXEC | O_NONBLOCK)) {
		pd_err(err, "task relay: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < r->o.nodes; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
			pd_err(err, "socketpair: %s", strerror(errno));
			return -1;
		}
		ctl[i] = sv[0];
		r->nodes[i] = (struct rnode){r, i, 0, bufferevent_socket_new(r->base, sv[1], BEV_OPT_CLOSE_ON_FREE)};
		bufferevent_setcb(r->nodes[i].bev, on_node_read, on_node_flushed, pd_evframe_stop_at_end, &r->nodes[i]);
		bufferevent_enable(r->nodes[i].bev, EV_WRITE); /* read once its host is ready */
	}
	r->wake_ev = event_new(r->base, r->wake[0], EV_READ | EV_PERSIST, on_wake, r);
	r->drain_ev = evtimer_new(r->base, drain_done, r);
	r->ping_ev = event_new(r->base, -1, EV_PERSIST, ping_hosts, r);
	event_add(r->wake_ev, NULL);
	{
		struct timeval tv = {PING_S, 0};

		event_add(r->ping_ev, &tv);
	}
	for (i = 0; i < r->o.nhosts; i++)
		host_connect(r, i);
	if (pthread_create(&r->thread, NULL, relay_main, r)) {
		pd_err(err, "cannot start the task relay");
		return -1;
	}
	r->started = 1;
	return 0;
}

void pd_taskrelay_stop(void *arg)
{
	struct relay *r = arg;

	if (!r->started)
		return;
	if (write(r->wake[1], "s", 1) < 0)
		return;
	pthread_join(r->thread, NULL);
	r->started = 0;
}

void pd_taskrelay_free(struct pd_taskrelay *rl)
{
	struct relay *r = (struct relay *)rl;
	int i;

	if (!r)
		return;
	pd_taskrelay_stop(r);
	for (i = 0; r->nodes && i < r->o.nodes; i++)
		if (r->nodes[i].bev) {
			bufferevent_free(r->nodes[i].bev);
			r->nodes[i].bev = NULL;
		}
	if (r->ping_ev)
		event_del(r->ping_ev); /* the loop below must not ping a closed peer */
	for (i = 0; r->hosts && i < r->o.nhosts; i++)
		if (r->hosts[i].peer) {
			pd_peer_close(r->hosts[i].peer);
			r->hosts[i].peer = NULL;
		}
	if (r->base) {
		event_base_loop(r->base, EVLOOP_NONBLOCK); /* closed peers free themselves */
		if (r->wake_ev)
			event_free(r->wake_ev);
		if (r->drain_ev)
			event_free(r->drain_ev);
		if (r->ping_ev)
			event_free(r->ping_ev);
		event_base_free(r->base);
	}
	if (r->wake[0] >= 0) {
		close(r->wake[0]);
		close(r->wake[1]);
	}
	free(r->hosts);
	free(r->nodes);
	free(r);
}
