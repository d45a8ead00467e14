/* task.c - a task node: the job's init/start/result, tubes, barrier. */
#include "task.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "err.h"
#include "fdio.h"
#include "frame.h"
#include "tubeaccept.h"
#include "json.h"
#include "tubewire.h"
#include "playdoh.h"
#include "rec.h"
#include "worker.h"
#include "xmalloc.h"

/* A node's state behind its pd_task handle. */
struct node {
	const struct pd_task_setup *s;
	struct pd_tubes tubes;
	void *data;
	struct pd_buf error; /* set by pd_task_error or a failed call */
	int after; /* the first failure followed from this peer's end, else -1 */
	int aborted;
};

/* Keep the first failure message of the node. */
static void fail(struct node *n, const char *msg)
{
	if (!n->error.len)
		pd_buf_adds(&n->error, msg);
}

/* A failed push or pop: the first failure, and the peer whose end
 * caused it when that was the cause (the referee ranks by it). */
static void fail_tube(struct node *n, const char *msg)
{
	if (!n->error.len)
		n->after = n->tubes.ended;
	fail(n, msg);
}

static struct node *node_of(const pd_task *t) { return t->impl; }

static int api_node(const pd_task *t) { return node_of(t)->s->node; }
static int api_nodes(const pd_task *t) { return node_of(t)->s->nodes; }

static int api_push(pd_task *t, const char *tube, const void *data, size_t len)
{
	char err[PD_ERRLEN];

	if (pd_tubes_push(&node_of(t)->tubes, tube, data, len, err)) {
		fail_tube(node_of(t), err);
		return PD_ERROR;
	}
	return PD_OK;
}

static const void *api_pop(pd_task *t, const char *tube, size_t *len)
{
	char err[PD_ERRLEN];
	const void *p;
	size_t n;

	p = pd_tubes_pop(&node_of(t)->tubes, tube, &n, err);
	if (!p)
		fail_tube(node_of(t), err);
	else if (len)
		*len = n;
	return p;
}

/* Send a control message to the coordinator. */
static int ctl_send(struct node *n, cJSON *j, const void *blob, size_t len)
{
	char err[PD_ERRLEN];
	int rc = pd_frame_write_json_fd(n->s->ctl, j, blob, len, err);

	cJSON_Delete(j);
	return rc;
}

/* A control message with just an op. */
static cJSON *op(const char *name)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", name);
	return j;
}

/* Wait at the barrier: the coordinator answers go when every node is there. */
static int api_barrier(pd_task *t)
{
	struct node *n = node_of(t);
	char err[PD_ERRLEN];
	struct pd_msg m;
	int ok;

	if (ctl_send(n, op("barrier"), NULL, 0)) {
		fail(n, "barrier: the coordinator is gone");
		return PD_ERROR;
	}
	pd_msg_init(&m);
	ok = pd_frame_read_fd(n->s->ctl, 1 << 20, &m, err) == 0 && !strcmp(m.op, "go");
	if (!ok) {
		n->aborted = 1;
		snprintf(err, sizeof err, "barrier: %s", m.json ? pd_json_str(m.json, "why", "the task is ending")
								 : "the task is ending");
		fail(n, err);
	}
	pd_msg_release(&m);
	if (!ok)
		return PD_ERROR;
	return PD_OK;
}

static int api_ntubes(const pd_task *t, int out)
{
	const struct node *n = node_of(t);
	int i, c = 0;

	for (i = 0; i < n->s->ntubes; i++)
		c += n->s->tubes[i].out == out;
	return c;
}

static const char *api_tube(const pd_task *t, int out, int k)
{
	const struct node *n = node_of(t);
	int i;

	for (i = 0; i < n->s->ntubes; i++)
		if (n->s->tubes[i].out == out && k-- == 0)
			return n->s->tubes[i].name;
	return NULL;
}

static int api_has_tube(const pd_task *t, int out, const char *name)
{
	return pd_tubes_find(&node_of(t)->tubes, name, out) != NULL;
}

static void api_set_data(pd_task *t, void *data) { node_of(t)->data = data; }
static void *api_data(const pd_task *t) { return node_of(t)->data; }

static int api_task_verror(pd_task *t, const char *fmt, va_list ap)
{
	struct node *n = node_of(t);

	pd_buf_reset(&n->error);
	pd_buf_vaddf(&n->error, fmt, ap);
	return PD_ERROR;
}

/* The job API with the task functions filled in. */
static struct pd_api task_api(void)
{
	struct pd_api a = pd_worker_api;

	a.node = api_node;
	a.nodes = api_nodes;
	a.push = api_push;
	a.pop = api_pop;
	a.barrier = api_barrier;
	a.ntubes = api_ntubes;
	a.tube = api_tube;
	a.has_tube = api_has_tube;
	a.set_data = api_set_data;
	a.data = api_data;
	a.task_verror = api_task_verror;
	return a;
}

/* Load the task's descriptor; NULL with err. */
static const struct pd_task_ops *load(const struct pd_task_setup *s, char *err)
{
	const struct pd_job_desc *d;
	char sym[300];
	void *h = dlopen(s->path, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		pd_err(err, "%s: cannot load: %s", s->name, dlerror());
		return NULL;
	}
	snprintf(sym, sizeof sym, PD_DESC_PREFIX "%s", s->sym);
	d = dlsym(h, sym);
	if (!d || d->magic != PD_DESC_MAGIC)
		pd_err(err, "%s: no task '%s'", s->name, s->sym);
	else if (d->abi != PD_ABI_VERSION)
		pd_err(err, "%s: task built for job ABI version %u, this node runs version %d; rebuild it against this playdoh.h",
		       s->name, d->abi, PD_ABI_VERSION);
	else if (d->kind != PD_KIND_TASK || !d->task)
		pd_err(err, "%s: '%s' is not a task (see PD_TASK in playdoh(3))", s->name, s->sym);
	else
		return d->task;
	return NULL;
}

/* Report failure in a phase and end the node. */
static void die_in(struct node *n, const char *phase, const char *dflt) __attribute__((noreturn));
static void die_in(struct node *n, const char *phase, const char *dflt)
{
	cJSON *j = op("done");

	cJSON_AddBoolToObject(j, "ok", 0);
	cJSON_AddStringToObject(j, "phase", phase);
	cJSON_AddStringToObject(j, "error", n->error.len ? n->error.data : dflt);
	if (n->error.len && n->after >= 0)
		cJSON_AddNumberToObject(j, "after", n->after);
	ctl_send(n, j, NULL, 0);
	_exit(1);
}

#define WIRE_TIMEOUT_MS 30000 /* every tube between hosts, together */
#define WIRE_HANDSHAKE_MS 5000 /* one connection's handshake */

/* The accepting side of wiring, run in a thread. */
struct acceptor {
	const struct pd_task_setup *s;
	int lfd, want, rc;
	char err[PD_ERRLEN];
};

/* An authenticated tube: put it in place if this node expects it. */
static int place_tube(void *arg, struct pd_tubeaccept_hit *h, char *why)
{
	struct acceptor *a = arg;
	int i;

	for (i = 0; i < a->s->ntubes; i++) {
		struct pd_tube *t = &a->s->tubes[i];

		if (!t->out && t->fd < 0 && t->peer == h->src && h->dst == a->s->node && !strcmp(t->name, h->name))
			break;
	}
	if (i == a->s->ntubes) {
		snprintf(why, 128, "node %d offered tube '%.20s' that node %d does not expect", h->src, h->name,
			 a->s->node);
		return -1;
	}
	a->s->tubes[i].seal = pd_xmalloc(sizeof h->seal);
	*a->s->tubes[i].seal = h->seal;
	a->s->tubes[i].fd = h->fd;
	return 0;
}

/* Accept every incoming tube between hosts; strangers are dropped. */
static void *accept_tubes(void *arg)
{
	struct acceptor *a = arg;

	a->rc = pd_tubeaccept_run(a->lfd, a->s->key, a->s->task, a->want, WIRE_TIMEOUT_MS, WIRE_HANDSHAKE_MS,
				  place_tube, a, a->err);
	return NULL;
}

/* Connect one outgoing tube between hosts to its endpoint. */
static int connect_tube(struct node *n, struct pd_tube *t, const cJSON *eps, char *err)
{
	const cJSON *e;
	struct pd_seal seal;

	cJSON_ArrayForEach(e, eps)
		if (!strcmp(pd_json_str(e, "name", ""), t->name) && pd_json_num(e, "dst", -1) == t->peer)
			break;
	if (!e) {
		pd_err(err, "no endpoint for tube '%s' to node %d", t->name, t->peer);
		return -1;
	}
	t->fd = pd_tubewire_connect(pd_json_str(e, "addr", ""), (int)pd_json_num(e, "port", 0), n->s->key,
				    n->s->task, t->name, n->s->node, t->peer, &seal, WIRE_TIMEOUT_MS, err);
	if (t->fd < 0)
		return -1;
	t->seal = pd_xmalloc(sizeof seal);
	*t->seal = seal;
	return 0;
}

/* Wire the tubes between hosts (see task.h).  0 or -1 with err. */
static int wire(struct node *n, char *err)
{
	struct acceptor a = {n->s, -1, 0, 0, ""};
	struct pd_msg m;
	pthread_t th;
	int i, port = 0, rc = 0;
	cJSON *j;

	for (i = 0; i < n->s->ntubes; i++)
		a.want += !n->s->tubes[i].out && n->s->tubes[i].fd < 0;
	if (a.want && (a.lfd = pd_tubewire_listen(n->s->bind, &port, err)) < 0)
		return -1;
	j = op("ports");
	cJSON_AddNumberToObject(j, "port", port);
	pd_msg_init(&m);
	if (ctl_send(n, j, NULL, 0) || pd_frame_read_fd(n->s->ctl, 1 << 20, &m, err) || strcmp(m.op, "connect")) {
		pd_err(err, "wiring the tubes: the coordinator did not answer");
		rc = -1;
		goto out;
	}
	if (a.want && pthread_create(&th, NULL, accept_tubes, &a)) {
		pd_err(err, "cannot start the tube acceptor");
		rc = -1;
		goto out;
	}
	for (i = 0; i < n->s->ntubes && rc == 0; i++)
		if (n->s->tubes[i].out && n->s->tubes[i].fd < 0)
			rc = connect_tube(n, &n->s->tubes[i], cJSON_GetObjectItemCaseSensitive(m.json, "endpoints"), err);
	if (a.want) {
		pthread_join(th, NULL);
		if (a.rc && rc == 0) {
			pd_err(err, "%s", a.err);
			rc = -1;
		}
	}
out:
	pd_msg_release(&m);
	if (a.lfd >= 0)
		close(a.lfd);
	return rc;
}

/* 1 when some tube of the node crosses to another host. */
static int has_remote(const struct pd_task_setup *s)
{
	int i;

	for (i = 0; i < s->ntubes; i++)
		if (s->tubes[i].fd < 0)
			return 1;
	return 0;
}

/* Tell the coordinator which callback runs now (for crash reports). */
static void enter(struct node *n, const char *phase)
{
	cJSON *j = op("phase");

	cJSON_AddStringToObject(j, "phase", phase);
	ctl_send(n, j, NULL, 0);
}

/* After done: keep the tubes open until the coordinator says exit. */
static void wait_exit(struct node *n)
{
	char err[PD_ERRLEN];
	struct pd_msg m;

	pd_msg_init(&m);
	while (pd_frame_read_fd(n->s->ctl, 1 << 20, &m, err) == 0 && strcmp(m.op, "exit"))
		;
	pd_msg_release(&m);
}

/* Move fd to the lowest free number >= *next (after parking it high). */
static int settle_fd(int fd, int *next)
{
	int to = (*next)++;

	if (fd == to)
		return fd;
	dup2(fd, to);
	close(fd);
	return to;
}

void pd_task_node_start(struct pd_task_setup *s)
{
	int i, next = 3, null;

	pd_child_reset_signals(); /* SIGPIPE is ignored again in pd_task_node_main */
	/* A node dies with whoever forked it (pd-task or pd-serve). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	/* Park the kept fds above everything, then bring them down to 3... */
	s->ctl = fcntl(s->ctl, F_DUPFD, 1 << 14);
	for (i = 0; i < s->ntubes; i++)
		if (s->tubes[i].fd >= 0)
			s->tubes[i].fd = fcntl(s->tubes[i].fd, F_DUPFD, 1 << 14);
	if (s->ctl < 0)
		_exit(127);
	s->ctl = settle_fd(s->ctl, &next);
	for (i = 0; i < s->ntubes; i++)
		if (s->tubes[i].fd >= 0)
			s->tubes[i].fd = settle_fd(s->tubes[i].fd, &next);
	pd_fd_close_from(next);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	dup2(2, 1); /* a task's printf goes to stderr, never the results */
	pd_task_node_main(s);
}

void pd_task_node_main(const struct pd_task_setup *s)
{
	static struct node n;
	struct pd_api api = task_api();
	pd_task t = {&api, &n};
	struct pd_result res;
	const struct pd_buf *text;
	const struct pd_task_ops *ops;
	char err[PD_ERRLEN];
	pd_out out;
	cJSON *j;
	int i;

	signal(SIGPIPE, SIG_IGN);
	n.s = s;
	n.after = -1;
	pd_buf_init(&n.error);
	pd_result_init(&res);
	pd_buf_want_huge(pd_result_out(&res)); /* the node's result: filled once, sent whole */
	ops = load(s, err);
	if (!ops) {
		fail(&n, err);
		die_in(&n, "load", err);
	}
	if (has_remote(s) && wire(&n, err)) {
		fail(&n, err);
		die_in(&n, "wire", err);
	}
	if (pd_tubes_start(&n.tubes, s->tubes, s->ntubes, err)) {
		fail(&n, err);
		die_in(&n, "load", err);
	}
	enter(&n, "init");
	if (ops->init && ops->init(&t, s->args ? s->args : "") != PD_OK)
		die_in(&n, "init", "init failed");
	enter(&n, "start");
	if (ops->start && ops->start(&t) != PD_OK)
		die_in(&n, "start", "start failed");
	enter(&n, "result");
	out = pd_out_wrap(&res);
	if (ops->result && (ops->result(&t, &out) != PD_OK || res.err.len)) {
		if (res.err.len)
			fail(&n, res.err.data);
		die_in(&n, "result", "result failed");
	}
	text = pd_result_out(&res);
	if (text->len > PD_TASK_RESULT_MAX) {
		snprintf(err, sizeof err, "result of %zu bytes over the limit of %zu", text->len, (size_t)PD_TASK_RESULT_MAX);
		fail(&n, err);
		die_in(&n, "result", err);
	}
	/* Nothing more will be sent: a peer popping now sees the end. */
	for (i = 0; i < s->ntubes; i++)
		if (s->tubes[i].out)
			shutdown(s->tubes[i].fd, SHUT_WR);
	j = op("done");
	cJSON_AddBoolToObject(j, "ok", 1);
	ctl_send(&n, j, text->data, text->len);
	wait_exit(&n);
	_exit(0);
}
