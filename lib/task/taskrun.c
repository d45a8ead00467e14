/* taskrun.c - local task runs: fork the nodes, wire their tubes, referee. */
#include "taskrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "frame.h"
#include "json.h"
#include "proto.h"
#include "task.h"
#include "worker.h"
#include "xmalloc.h"

/* The run's bookkeeping. */
struct run {
	const struct pd_taskrun_opts *o;
	int (*tfd)[2];	/* per tube: [0] source end, [1] target end */
	struct pd_tubering_shm **ring; /* per tube: its shared-memory ring, or NULL */
	int *ctl;	/* per node: coordinator's end */
	pid_t *pid;
	int *state;	/* per node: RUNNING, AT_BARRIER, DONE, DEAD */
	char (*phase)[16]; /* per node: the callback it last entered */
	int *port;	/* per node: its listener for tubes between hosts, -1 unknown */
	int wiring;	/* nodes still to report their port */
	uint64_t *t0;
	struct pd_node_result *res;
	int failed, code;
	char why[PD_ERRLEN];
	int *after;	/* per node: failed after this peer ended, else -1 */
	int *fcode;	/* per node: the exit status its failure means */
	int pending;	/* a node whose failure awaits its peer's, else -1 */
	uint64_t pending_until;
};

enum { RUNNING, AT_BARRIER, DONE, DEAD };

/* A dead process's sockets close at once: its end is soon known here. */
#define LOCAL_LOST_MS 2000

/* Close every descriptor of the run except the ones node i keeps. */
static void close_others(struct run *r, int i)
{
	const struct pd_topology *t = r->o->topo;
	int k;

	for (k = 0; k < t->n; k++) {
		if (t->v[k].src != i)
			close(r->tfd[k][0]);
		if (t->v[k].dst != i)
			close(r->tfd[k][1]);
	}
	for (k = 0; k < r->o->nodes; k++)
		if (k != i && r->ctl[k] >= 0)
			close(r->ctl[k]);
}

/* The node process: its tube ends, then the node's life. */
static void node_child(struct run *r, int i, int ctl) __attribute__((noreturn));
static void node_child(struct run *r, int i, int ctl)
{
	const struct pd_topology *t = r->o->topo;
	struct pd_tube *v = pd_xcalloc((size_t)t->n * 2 + 1, sizeof *v);
	struct pd_task_setup s;
	int k, n = 0;

	close_others(r, i);
	for (k = 0; k < t->n; k++) {
		if (t->v[k].src == i) {
			v[n] = (struct pd_tube){.out = 1, .peer = t->v[k].dst, .fd = r->tfd[k][0], .shm = r->ring[k]};
			snprintf(v[n].name, sizeof v[n].name, "%s", t->v[k].name);
			n++;
		}
		if (t->v[k].dst == i) {
			v[n] = (struct pd_tube){.out = 0, .peer = t->v[k].src, .fd = r->tfd[k][1], .shm = r->ring[k]};
			snprintf(v[n].name, sizeof v[n].name, "%s", t->v[k].name);
			n++;
		}
	}
	s = (struct pd_task_setup){
	    .ctl = ctl,
	    .node = i,
	    .nodes = r->o->nodes,
	    .path = r->o->path,
	    .sym = r->o->sym,
	    .name = r->o->name,
	    .args = r->o->args[i],
	    .tubes = v,
	    .ntubes = n,
	};
	pd_task_node_start(&s);
}

/* Create the tubes' and nodes' sockets, and the tubes' rings unless
 * PD_TUBES=socket.  0 or -1 with err. */
static int make_sockets(struct run *r, int (*child)[2], char *err)
{
	int k, shm = pd_tubes_shm_wanted();

	for (k = 0; k < r->o->topo->n; k++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->tfd[k])) {
			pd_err(err, "socketpair: %s", strerror(errno));
			return -1;
		}
		if (shm && !(r->ring[k] = pd_tubering_map(err)))
			return -1;
	}
	for (k = 0; k < r->o->nodes; k++) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, child[k])) {
			pd_err(err, "socketpair: %s", strerror(errno));
			return -1;
		}
		r->ctl[k] = child[k][0];
	}
	return 0;
}

/* Fork every node.  0 or -1 with err. */
static int start_nodes(struct run *r, char *err)
{
	int (*child)[2] = pd_xcalloc((size_t)r->o->nodes, sizeof *child), i, k, rc = -1;

	for (i = 0; i < r->o->nodes; i++)
		r->ctl[i] = -1;
	if (make_sockets(r, child, err))
		goto out;
	for (i = 0; i < r->o->nodes; i++) {
		r->t0[i] = pd_now_ns();
		r->pid[i] = fork();
		if (r->pid[i] < 0) {
			pd_err(err, "fork: %s", strerror(errno));
			goto out;
		}
		if (r->pid[i] == 0) {
			for (k = 0; k < r->o->nodes; k++)
				if (k != i)
					close(child[k][1]);
			node_child(r, i, child[i][1]);
		}
	}
	rc = 0;
out:
	for (i = 0; i < r->o->nodes; i++)
		if (child[i][1] > 0)
			close(child[i][1]);
	for (k = 0; k < r->o->topo->n; k++) {
		close(r->tfd[k][0]);
		close(r->tfd[k][1]);
		pd_tubering_unmap(r->ring[k]); /* the nodes keep theirs */
	}
	free(child);
	return rc;
}

/* Send a control message to node i, with a reason when why is set. */
static void tell(struct run *r, int i, const char *op, const char *why)
{
	struct pd_buf b = PD_BUF_INIT;
	char err[PD_ERRLEN];
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", op);
	if (why)
		cJSON_AddStringToObject(j, "why", why);
	pd_frame_encode_json(&b, NULL, j, NULL, 0);
	if (r->ctl[i] >= 0)
		pd_frame_write_fd(r->ctl[i], &b, err);
	pd_buf_release(&b);
	cJSON_Delete(j);
}

/* The pending failure's cause so far: follow "failed after" to the last
 * node known to have failed. */
static int pending_root(const struct run *r)
{
	int x = r->pending, steps;

	for (steps = 0; steps < r->o->nodes && r->after[x] >= 0 && r->fcode[r->after[x]]; steps++)
		x = r->after[x];
	return x;
}

/* The pending failure is the cause after all: its peer ended well, or
 * did not end in time. */
static void settle_pending(struct run *r)
{
	int x;

	if (r->pending < 0 || r->failed >= 0 || r->code)
		return;
	x = pending_root(r);
	r->failed = x;
	r->code = r->fcode[x];
}

/*
 * Record node i's failure.  The first cause wins, the others follow from
 * it; a failure after peer's end (after >= 0) is a consequence unless the
 * peer ended well, so it waits (bounded) for the peer's own failure,
 * which outranks it: a lost host rather than "node 3 has ended".
 */
static void node_failed(struct run *r, int i, int code, const char *phase, const char *msg, int after)
{
	struct pd_node_result *x = &r->res[i];
	int lost_ms = r->o->remote ? r->o->remote->lost_ms : LOCAL_LOST_MS;

	x->ok = 0;
	snprintf(x->phase, sizeof x->phase, "%s", phase);
	snprintf(x->error, sizeof x->error, "%s", msg);
	r->fcode[i] = code;
	if (r->failed >= 0 || r->code)
		return;
	if (after >= 0 && after < r->o->nodes && after != i && !(r->state[after] == DONE && r->res[after].ok)) {
		r->after[i] = after;
		if (r->pending < 0) {
			r->pending = i;
			r->pending_until = pd_now_ns() + (uint64_t)lost_ms * 1000000u;
		}
		return;
	}
	r->failed = i;
	r->code = code;
}

/* Node i's control socket ended without a done: how did it die?  After
 * a malformed message (why set) it may live on: end it first. */
static void node_died(struct run *r, int i, const char *why)
{
	char msg[PD_ERRLEN];
	int status = 0;

	if (why) {
		if (r->pid[i] > 0) {
			kill(r->pid[i], SIGKILL);
			waitpid(r->pid[i], &status, 0);
		}
		r->pid[i] = 0;
		snprintf(msg, sizeof msg, "sent a malformed control message: %.200s", why);
		node_failed(r, i, PD_EX_JOBFAIL, r->phase[i], msg, -1);
		return;
	}
	if (r->pid[i] <= 0) {
		node_failed(r, i, PD_EX_UNAVAILABLE, r->phase[i], "its host is gone (connection lost)", -1);
		return;
	}
	waitpid(r->pid[i], &status, 0);
	r->pid[i] = 0;
	pd_exit_reason(status, msg, sizeof msg);
	node_failed(r, i, PD_EX_JOBFAIL, r->phase[i], msg, -1);
}

/* Every node not done is at the barrier: let them all go.  A node that
 * is done can never reach it: those waiting are told to give up. */
static void check_barrier(struct run *r)
{
	int i, waiting = 0, running = 0, done = -1;
	char why[64];

	for (i = 0; i < r->o->nodes; i++) {
		waiting += r->state[i] == AT_BARRIER;
		running += r->state[i] == RUNNING;
		if (r->state[i] == DONE && done < 0)
			done = i;
	}
	if (!waiting || running)
		return;
	snprintf(why, sizeof why, "node %d ended without reaching it", done);
	for (i = 0; i < r->o->nodes; i++)
		if (r->state[i] == AT_BARRIER) {
			r->state[i] = RUNNING;
			tell(r, i, done >= 0 ? "abort" : "go", done >= 0 ? why : NULL);
		}
}

static int crosses(const struct run *r, int k);

/* 1 when node i has a tube to or from another host. */
static int has_cross(const struct run *r, int i)
{
	int k;

	for (k = 0; k < r->o->topo->n; k++)
		if (crosses(r, k) && (r->o->topo->v[k].src == i || r->o->topo->v[k].dst == i))
			return 1;
	return 0;
}

/* 1 when tube k joins nodes on different hosts. */
static int crosses(const struct run *r, int k)
{
	const struct pd_taskrun_launcher *l = r->o->remote;

	return l && l->place[r->o->topo->v[k].src] != l->place[r->o->topo->v[k].dst];
}

/* Nodes with a tube to or from another host: they report a port. */
static int count_wiring(struct run *r)
{
	int *w = pd_xcalloc((size_t)r->o->nodes, sizeof *w), k, n = 0;

	for (k = 0; k < r->o->topo->n; k++)
		if (crosses(r, k))
			w[r->o->topo->v[k].src] = w[r->o->topo->v[k].dst] = 1;
	for (k = 0; k < r->o->nodes; k++) {
		n += w[k];
		r->port[k] = w[k] ? -1 : 0;
	}
	free(w);
	return n;
}

/* Every port is known: tell each wiring node where its tubes go. */
static void send_endpoints(struct run *r)
{
	const struct pd_topology *t = r->o->topo;
	struct pd_buf b = PD_BUF_INIT;
	char err[PD_ERRLEN];
	cJSON *j, *eps, *e;
	int i, k;

	for (i = 0; i < r->o->nodes; i++) {
		if (r->port[i] == 0 && !r->o->remote)
			continue;
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "op", "connect");
		eps = cJSON_AddArrayToObject(j, "endpoints");
		for (k = 0; k < t->n; k++) {
			if (t->v[k].src != i || !crosses(r, k))
				continue;
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", t->v[k].name);
			cJSON_AddNumberToObject(e, "dst", t->v[k].dst);
			cJSON_AddStringToObject(e, "addr", r->o->remote->addr[r->o->remote->place[t->v[k].dst]]);
			cJSON_AddNumberToObject(e, "port", r->port[t->v[k].dst]);
			cJSON_AddItemToArray(eps, e);
		}
		pd_buf_reset(&b);
		pd_frame_encode_json(&b, NULL, j, NULL, 0);
		if (r->ctl[i] >= 0 && r->state[i] != DONE && has_cross(r, i))
			pd_frame_write_fd(r->ctl[i], &b, err);
		cJSON_Delete(j);
	}
	pd_buf_release(&b);
}

/* One control message from node i (or its end). */
static void on_ctl(struct run *r, int i)
{
	struct pd_node_result *x = &r->res[i];
	char err[PD_ERRLEN];
	struct pd_msg m;
	int ok, rc;

	pd_msg_init(&m);
	if ((rc = pd_frame_read_fd(r->ctl[i], PD_TASK_RESULT_MAX + (1u << 20), &m, err))) {
		close(r->ctl[i]);
		r->ctl[i] = -1;
		if (r->state[i] != DONE) {
			r->state[i] = DEAD;
			node_died(r, i, rc < 0 && strstr(err, "end of stream") == NULL ? err : NULL);
		}
		pd_msg_release(&m);
		return;
	}
	if (!strcmp(m.op, "phase"))
		snprintf(r->phase[i], sizeof r->phase[i], "%s", pd_json_str(m.json, "phase", "start"));
	else if (!strcmp(m.op, "ports") && r->port[i] < 0) {
		r->port[i] = (int)pd_json_num(m.json, "port", 0);
		if (--r->wiring == 0)
			send_endpoints(r);
	}
	else if (!strcmp(m.op, "barrier")) {
		r->state[i] = AT_BARRIER;
		check_barrier(r);
	} else if (!strcmp(m.op, "done")) {
		ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m.json, "ok"));
		x->ms = (pd_now_ns() - r->t0[i]) / 1e6;
		r->state[i] = DONE;
		if (ok) {
			x->ok = 1;
			x->output = pd_msg_take_blob(&m, &x->len);
		} else {
			const char *phase = pd_json_str(m.json, "phase", "start");
			int code = strcmp(phase, "load") ? PD_EX_JOBFAIL : PD_EX_DATAERR;

			double c = pd_json_num(m.json, "code", 0), after = pd_json_num(m.json, "after", -1);

			/* A relay names the status a lost or refusing host means;
			 * both numbers come from a frame: range-checked before the
			 * cast. */
			if (c >= 1 && c <= 255)
				code = (int)c;
			node_failed(r, i, code, phase, pd_json_str(m.json, "error", "failed"),
				    after >= 0 && after < r->o->nodes ? (int)after : -1);
		}
		if (r->pending >= 0 && r->after[pending_root(r)] == i && x->ok)
			settle_pending(r); /* the peer ended well: no other cause */
		check_barrier(r);
	}
	pd_msg_release(&m);
}

/* Milliseconds left before the deadline, or -1 for none. */
static int time_left(uint64_t deadline)
{
	uint64_t now = pd_now_ns();

	if (!deadline)
		return -1;
	return now >= deadline ? 0 : (int)((deadline - now) / 1000000) + 1;
}

/* The poll timeout: the task's deadline, or a pending failure's. */
static int wait_ms(const struct run *r, uint64_t deadline)
{
	int t = time_left(deadline), p;

	if (r->pending < 0)
		return t;
	p = time_left(r->pending_until);
	return t < 0 || p < t ? p : t;
}

/* Poll the nodes until all are done or one fails (or time runs out). */
static void referee(struct run *r)
{
	struct pollfd *pf = pd_xcalloc((size_t)r->o->nodes, sizeof *pf);
	uint64_t deadline = r->o->timeout_ms ? pd_now_ns() + (uint64_t)r->o->timeout_ms * 1000000u : 0;
	int *who = pd_xcalloc((size_t)r->o->nodes, sizeof *who), i, n, rc;

	while (r->failed < 0) {
		for (n = 0, i = 0; i < r->o->nodes; i++)
			if (r->ctl[i] >= 0 && r->state[i] != DONE) {
				pf[n] = (struct pollfd){r->ctl[i], POLLIN, 0};
				who[n++] = i;
			}
		if (!n) {
			settle_pending(r);
			break; /* every node is done */
		}
		rc = poll(pf, (nfds_t)n, wait_ms(r, deadline));
		if (rc == 0 && r->pending >= 0 && time_left(r->pending_until) == 0) {
			settle_pending(r); /* the peer's end did not come in time */
			break;
		}
		if (rc == 0) {
			snprintf(r->why, sizeof r->why, "the task timed out after %g s", r->o->timeout_ms / 1000.0);
			r->code = PD_EX_JOBFAIL;
			break;
		}
		for (i = 0; i < n && rc > 0; i++)
			if (pf[i].revents)
				on_ctl(r, who[i]);
	}
	free(pf);
	free(who);
}

/* End every node: exit for the done ones when all went well, else kill. */
static void finish(struct run *r)
{
	int i;

	for (i = 0; i < r->o->nodes; i++) {
		if (r->o->remote && !r->code && r->ctl[i] >= 0)
			tell(r, i, "exit", NULL);
		if (r->pid[i] <= 0)
			continue;
		if (r->code)
			kill(r->pid[i], SIGKILL);
		else
			tell(r, i, "exit", NULL);
	}
	for (i = 0; i < r->o->nodes; i++) {
		if (r->pid[i] > 0)
			waitpid(r->pid[i], NULL, 0);
		if (r->ctl[i] >= 0)
			close(r->ctl[i]);
		r->ctl[i] = -1;
	}
	if (r->o->remote)
		r->o->remote->stop(r->o->remote->arg);
}

int pd_taskrun(const struct pd_taskrun_opts *o, struct pd_node_result *res, int *failed, char *err)
{
	struct run r = {0};
	int code;

	memset(res, 0, sizeof *res * (size_t)o->nodes);
	r.o = o;
	r.res = res;
	r.failed = -1;
	r.tfd = pd_xcalloc((size_t)o->topo->n + 1, sizeof *r.tfd);
	r.ring = pd_xcalloc((size_t)o->topo->n + 1, sizeof *r.ring);
	r.ctl = pd_xcalloc((size_t)o->nodes, sizeof *r.ctl);
	r.pid = pd_xcalloc((size_t)o->nodes, sizeof *r.pid);
	r.state = pd_xcalloc((size_t)o->nodes, sizeof *r.state);
	r.t0 = pd_xcalloc((size_t)o->nodes, sizeof *r.t0);
	r.phase = pd_xcalloc((size_t)o->nodes, sizeof *r.phase);
	r.port = pd_xcalloc((size_t)o->nodes, sizeof *r.port);
	r.after = pd_xcalloc((size_t)o->nodes, sizeof *r.after);
	r.fcode = pd_xcalloc((size_t)o->nodes, sizeof *r.fcode);
	r.pending = -1;
	for (code = 0; code < o->nodes; code++) {
		r.after[code] = -1;
		snprintf(r.phase[code], sizeof r.phase[code], "load");
		r.ctl[code] = -1;
		r.t0[code] = pd_now_ns();
	}
	r.wiring = count_wiring(&r);
	if (o->remote ? o->remote->launch(o->remote->arg, r.ctl, err) : start_nodes(&r, err)) {
		r.code = PD_EX_OSERR;
		finish(&r);
		code = PD_EX_OSERR;
	} else {
		referee(&r);
		finish(&r);
		code = r.code;
		if (r.why[0])
			pd_err(err, "%s", r.why);
	}
	*failed = r.failed;
	free(r.tfd);
	free(r.ring);
	free(r.ctl);
	free(r.pid);
	free(r.state);
	free(r.t0);
	free(r.phase);
	free(r.port);
	free(r.after);
	free(r.fcode);
	return code;
}

void pd_node_results_release(struct pd_node_result *res, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(res[i].output);
}
