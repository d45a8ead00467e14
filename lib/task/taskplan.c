/* taskplan.c - placing a task's nodes on hosts and running them there. */
#include "taskplan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "client.h"
#include "err.h"
#include "fdio.h"
#include "jobfile.h"
#include "json.h"
#include "proto.h"
#include "seal.h"
#include "taskrelay.h"
#include "xmalloc.h"

/* Ask every host for its free slots; keep those that answer, in order. */
static int *ask_hosts(struct pd_taskplan *p, const unsigned char *key, void (*note)(const char *), int *refused)
{
	struct pd_reply *r = pd_xcalloc((size_t)p->n, sizeof *r);
	int *free_slots = pd_xcalloc((size_t)p->n, sizeof *free_slots), i, k = 0;
	cJSON *req = cJSON_CreateObject();
	char msg[PD_ERRLEN];

	cJSON_AddStringToObject(req, "op", PD_OP_INFO);
	pd_client_multi(p->t, p->n, key, "pd-task", req, 5, r);
	cJSON_Delete(req);
	*refused = 0;
	for (i = 0; i < p->n; i++) {
		if (!r[i].json) {
			snprintf(msg, sizeof msg, "%.100s: %.140s", p->t[i].name,
				 r[i].code == PD_EX_NOPERM ? "authentication failed" : r[i].err);
			if (note)
				note(msg);
			*refused += r[i].code == PD_EX_NOPERM;
			continue;
		}
		free_slots[k] = (int)(pd_json_num(r[i].json, "shared", 0) - pd_json_num(r[i].json, "busy", 0));
		if (free_slots[k] < 0)
			free_slots[k] = 0;
		/* A host sharing nothing takes no node, oversubscribed or not. */
		if (pd_json_num(r[i].json, "shared", 0) < 1)
			free_slots[k] = -1;
		p->t[k++] = p->t[i];
		cJSON_Delete(r[i].json);
	}
	free(r);
	p->n = k;
	return free_slots;
}

/* Fill each host's free slots in order; the rest round-robin if allowed,
 * over the hosts that share at least one CPU (free_slots -1: none). */
static int place_nodes(struct pd_taskplan *p, const int *free_slots, int nodes, int oversubscribe, char *err)
{
	long total = 0, left = nodes, used;
	int h, i = 0;

	int sharing = 0;

	for (h = 0; h < p->n; h++) {
		total += free_slots[h] > 0 ? free_slots[h] : 0;
		sharing += free_slots[h] >= 0;
	}
	if (!sharing) {
		pd_err(err, "no host shares a CPU (each has pd-alloc --cpu 0)");
		return -1;
	}
	if (total < nodes && !oversubscribe) {
		pd_err(err, "%d nodes but the hosts have %ld free slot%s; --oversubscribe runs them anyway", nodes,
		       total, total == 1 ? "" : "s");
		return -1;
	}
	p->place = pd_xcalloc((size_t)nodes, sizeof *p->place);
	for (h = 0; h < p->n && left; h++)
		for (used = 0; used < free_slots[h] && left; used++, left--)
			p->place[i++] = h;
	for (h = 0; left; h = (h + 1) % p->n)
		if (free_slots[h] >= 0) {
			p->place[i++] = h;
			left--;
		}
	return 0;
}

/* The address other hosts reach a host at, for tubes between hosts. */
static char *host_addr(const struct pd_target *t)
{
	char buf[INET6_ADDRSTRLEN] = "127.0.0.1";

	if (t->kind == PD_T_CMD && t->addr[0])
		return pd_xstrdup(t->addr);
	if (t->kind == PD_T_TCP && t->ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->ss)->sin_addr, buf, sizeof buf);
	else if (t->kind == PD_T_TCP && t->ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&t->ss)->sin6_addr, buf, sizeof buf);
	return pd_xstrdup(buf);
}

int pd_taskplan_make(struct pd_taskplan *p, const struct pd_target *t, int n, const unsigned char *key,
		     int nodes, int oversubscribe, void (*note)(const char *msg), char *err)
{
	int refused, *free_slots, h, rc;

	memset(p, 0, sizeof *p);
	p->t = pd_xcalloc((size_t)n + 1, sizeof *p->t);
	memcpy(p->t, t, sizeof *t * (size_t)n);
	p->n = n;
	free_slots = ask_hosts(p, key, note, &refused);
	if (!p->n) {
		free(free_slots);
		pd_err(err, "no host is up to run the task");
		return refused == n ? PD_EX_NOPERM : PD_EX_UNAVAILABLE;
	}
	rc = place_nodes(p, free_slots, nodes, oversubscribe, err);
	free(free_slots);
	if (rc)
		return PD_EX_UNAVAILABLE;
	p->addr = pd_xcalloc((size_t)p->n, sizeof *p->addr);
	for (h = 0; h < p->n; h++)
		p->addr[h] = host_addr(&p->t[h]);
	return 0;
}

void pd_taskplan_release(struct pd_taskplan *p)
{
	int h;

	for (h = 0; p->addr && h < p->n; h++)
		free(p->addr[h]);
	free(p->addr);
	free(p->place);
	free(p->t);
	memset(p, 0, sizeof *p);
}

/* A fresh task id. */
static void task_id(char id[33])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof b);
	pd_hex_encode(b, sizeof b, id);
}

int pd_taskplan_run(const struct pd_taskplan *p, const struct pd_taskjob *j, struct pd_node_result *res,
		    int *failed, char *err)
{
	struct pd_taskrun_launcher l;
	struct pd_taskrelay *relay;
	char id[33], *job;
	size_t joblen;
	int code;

	if (pd_read_file(j->path, PD_JOB_MAX, &job, &joblen, err)) {
		*failed = -1;
		return PD_EX_DATAERR;
	}
	task_id(id);
	relay = pd_taskrelay_new(&(struct pd_taskrelay_opts){
	    .hosts = p->t,
	    .nhosts = p->n,
	    .key = j->key,
	    .job_path = j->path,
	    .sym = j->sym,
	    .name = j->name,
	    .job = job,
	    .job_len = joblen,
	    .task = id,
	    .nodes = j->nodes,
	    .place = p->place,
	    .topo = j->topo,
	    .args = j->args,
	    .oversubscribe = j->oversubscribe,
	});
	l = (struct pd_taskrun_launcher){pd_taskrelay_launch, pd_taskrelay_stop, relay, p->place, p->addr,
					 PD_TASKRELAY_LOST_MS};
	code = pd_taskrun(&(struct pd_taskrun_opts){j->path, j->sym, j->name, j->nodes, j->topo, j->args,
						    j->timeout_ms, &l},
			  res, failed, err);
	pd_taskrelay_free(relay);
	free(job);
	return code;
}
