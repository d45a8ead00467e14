/* serverjobs.c - pd-serve's answers about detached runs and task nodes. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "log.h"
#include "peer.h"
#include "pool.h"
#include "proto.h"
#include "runs.h"
#include "server.h"
#include "serverint.h"
#include "taskserve.h"

/* Tasks: the slots their nodes hold changed. */
void srv_tasks_reserved(void *arg, int reserved)
{
	(void)reserved;
	srv_pool_resize(arg);
}

/* Tasks: relay a node's message to its client. */
void srv_tasks_send(void *arg, void *owner, cJSON *msg, const void *blob, size_t len)
{
	(void)arg;
	srv_reply(owner, msg, blob, len);
}

/* Pool: a child that is not a map worker ended (a task node or a
 * detached task's coordinator). */
void srv_node_exited(void *arg, pid_t pid, int status)
{
	struct pd_server *s = arg;

	if (!pd_taskserve_child(s->tasks, pid, status))
		pd_runs_child(s->runs, pid, status);
}

/* task {...}: start this host's nodes of a task for the client. */
void srv_on_task(struct sconn *c, const struct pd_msg *m)
{
	struct pd_server *s = c->s;
	char err[PD_ERRLEN], bind[64];
	int code, free_slots = s->shared - pd_taskserve_reserved(s->tasks);
	cJSON *j;

	if (s->stopping) {
		pd_peer_fail(c->peer, PD_EX_TEMPFAIL, "this server is stopping");
		return;
	}
	/* Tubes from other hosts come to the address the coordinator used,
	 * unless the server was told another (one started over ssh). */
	if (s->tube_addr[0])
		snprintf(bind, sizeof bind, "%s", s->tube_addr);
	else if (pd_peer_local_addr(c->peer, bind, sizeof bind))
		bind[0] = 0;
	code = pd_taskserve_start(s->tasks, c, m->json, free_slots < 0 ? 0 : free_slots, s->shared > 0, bind,
				  err);
	if (code) {
		pd_peer_fail(c->peer, code, "%s", err);
		return;
	}
	j = srv_msg_new(PD_OP_TASK_STARTED);
	cJSON_AddStringToObject(j, "task", pd_json_str(m->json, "task", ""));
	srv_reply(c, j, NULL, 0);
}

/* node_cmd {node, msg}: for one of the client's task nodes here. */
void srv_on_node_cmd(struct sconn *c, const struct pd_msg *m)
{
	char err[PD_ERRLEN];

	if (pd_taskserve_cmd(c->s->tasks, c, m->json, err))
		pd_peer_fail(c->peer, PD_EX_DATAERR, "%s", err);
}

/* A run's id from a message, or NULL after failing the connection. */
static const char *run_id(struct sconn *c, const struct pd_msg *m)
{
	const char *id = pd_json_str(m->json, "id", "");

	if (!c->s->runs) {
		pd_peer_fail(c->peer, PD_EX_UNAVAILABLE, "this server keeps no detached runs");
		return NULL;
	}
	if (!pd_run_id_valid(id)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "message '%s': malformed run id", m->op);
		return NULL;
	}
	return id;
}

/* The reply to fetch: the run's state and its log. */
static void send_fetched(struct sconn *c, const char *id)
{
	struct pd_buf log = PD_BUF_INIT;
	char err[PD_ERRLEN];
	cJSON *j = pd_runs_status(c->s->runs, id);

	if (!j || pd_runs_log(c->s->runs, id, &log, err)) {
		cJSON_Delete(j);
		pd_peer_fail(c->peer, PD_EX_DATAERR, "no run %s on this host", id);
		pd_buf_release(&log);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(j, "op");
	cJSON_AddStringToObject(j, "op", PD_OP_FETCHED);
	srv_reply(c, j, log.data, log.len);
	pd_buf_release(&log);
}

/* submit {...} + records: start a detached run (local owner only). */
void srv_on_submit(struct sconn *c, const struct pd_msg *m)
{
	char id[PD_RUN_ID_LEN], err[PD_ERRLEN];
	cJSON *j;
	int code;

	if (!c->local) {
		pd_peer_fail(c->peer, PD_EX_NOPERM, "detached runs are submitted to the local pd-serve only");
		return;
	}
	if (!c->s->runs) {
		pd_peer_fail(c->peer, PD_EX_UNAVAILABLE, "this server keeps no detached runs");
		return;
	}
	if ((code = pd_runs_submit(c->s->runs, m->json, m->blob, m->blob_len, id, err))) {
		if (code == PD_EX_OSERR)
			pd_log(PD_LOG_ERR, "submit: %s", err);
		pd_peer_fail(c->peer, code, "%s", err);
		return;
	}
	j = srv_msg_new(PD_OP_SUBMITTED);
	cJSON_AddStringToObject(j, "id", id);
	srv_reply(c, j, NULL, 0);
}

/* run_status, fetch, cancel: questions about one detached run. */
void srv_on_run_query(struct sconn *c, const struct pd_msg *m)
{
	const char *id = run_id(c, m);
	char err[PD_ERRLEN];
	cJSON *j;

	if (!id)
		return;
	if (!strcmp(m->op, PD_OP_CANCEL) && pd_runs_cancel(c->s->runs, id, err)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "%s", err);
		return;
	}
	if (!strcmp(m->op, PD_OP_FETCH)) {
		if (!pd_runs_ended(c->s->runs, id) && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m->json, "wait")))
			snprintf(c->waiting, sizeof c->waiting, "%s", id);
		else
			send_fetched(c, id);
		return;
	}
	j = pd_runs_status(c->s->runs, id);
	if (!j) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "no run %s on this host", id);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(j, "op");
	cJSON_AddStringToObject(j, "op", PD_OP_RUNINFO);
	srv_reply(c, j, NULL, 0);
}

/* Runs: one ended; answer the clients waiting for it. */
static void run_ended(void *arg, const char *id)
{
	struct pd_server *s = arg;
	struct sconn *c;

	LIST_FOREACH(c, &s->conns, link)
		if (!strcmp(c->waiting, id)) {
			c->waiting[0] = 0;
			send_fetched(c, id);
		}
}

int pd_server_start_runs(struct pd_server *s, char *err)
{
	s->runs = pd_runs_new(s->base, s->state, s->unix_path, s->have_key ? s->key : NULL, run_ended, s, err);
	return s->runs ? 0 : -1;
}

