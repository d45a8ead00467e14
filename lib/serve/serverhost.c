/* serverhost.c - pd-serve: this host as clients see it (info) and as its
 * owner shares it (CPU and GPU shares, pd-alloc, saved across restarts). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "fdio.h"
#include "json.h"
#include "log.h"
#include "peer.h"
#include "pool.h"
#include "proto.h"
#include "runs.h"
#include "serverint.h"
#include "taskserve.h"

/* Clients running work here now: who, from where, how much. */
static cJSON *attached_json(struct pd_server *s)
{
	cJSON *a = cJSON_CreateArray(), *j;
	struct sconn *c;
	int queued, running;

	LIST_FOREACH(c, &s->conns, link) {
		pd_pool_owner_load(s->pool, c, &queued, &running);
		if (!queued && !running && !c->records)
			continue;
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "client", c->client);
		cJSON_AddStringToObject(j, "from", pd_peer_name(c->peer));
		cJSON_AddNumberToObject(j, "running", running);
		cJSON_AddNumberToObject(j, "queued", queued);
		cJSON_AddNumberToObject(j, "records", (double)c->records);
		cJSON_AddItemToArray(a, j);
	}
	return a;
}

/* The GPUs found at start: [{index, name, memory (bytes)}]. */
static cJSON *gpus_json(const struct pd_server *s)
{
	cJSON *a = cJSON_CreateArray(), *d;
	int i;

	for (i = 0; i < s->gpus.n; i++) {
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "index", i);
		cJSON_AddStringToObject(d, "name", s->gpus.dev[i].name);
		cJSON_AddNumberToObject(d, "memory", (double)s->gpus.dev[i].memory);
		cJSON_AddItemToArray(a, d);
	}
	return a;
}

/* The host's description: name, version, CPUs, GPUs, load. */
cJSON *srv_info_json(struct pd_server *s)
{
	cJSON *j = srv_msg_new(PD_OP_INFO);

	cJSON_AddStringToObject(j, "host", s->host);
	cJSON_AddStringToObject(j, "version", PD_VERSION);
	cJSON_AddNumberToObject(j, "proto", PD_PROTO_VERSION);
	cJSON_AddNumberToObject(j, "cpus", s->cpus_total);
	cJSON_AddNumberToObject(j, "shared", s->shared);
	cJSON_AddNumberToObject(j, "busy", pd_pool_busy(s->pool) + pd_taskserve_reserved(s->tasks));
	cJSON_AddNumberToObject(j, "queued", pd_pool_queued(s->pool));
	cJSON_AddNumberToObject(j, "gpus", s->gpus.n);
	cJSON_AddNumberToObject(j, "gpus_shared", s->gpus_shared);
	cJSON_AddNumberToObject(j, "gpus_busy", pd_pool_gpus_busy(s->pool));
	cJSON_AddBoolToObject(j, "f64", 1); /* takes fitness points as binary doubles */
	cJSON_AddItemToObject(j, "gpu_devices", gpus_json(s));
	cJSON_AddNumberToObject(j, "clients", s->nconns);
	if (s->runs)
		cJSON_AddItemToObject(j, "runs", pd_runs_list(s->runs));
	cJSON_AddItemToObject(j, "attached", attached_json(s));
	return j;
}

/* Read the saved CPU and GPU shares, if any (a GPU share beyond the GPUs
 * found now is cut to them). */
void srv_alloc_load(struct pd_server *s)
{
	FILE *f = fopen(s->alloc, "r");
	int n;

	if (!f)
		return;
	if (fscanf(f, "cpu %d", &n) == 1 && n >= 0 && n <= PD_SLOTS_MAX)
		s->shared = n;
	if (fscanf(f, " gpu %d", &n) == 1 && n >= 0)
		s->gpus_shared = n < s->gpus.n ? n : s->gpus.n;
	fclose(f);
}

/* Save the shares so that a restart keeps them. */
static int alloc_save(struct pd_server *s, char *err)
{
	char text[64], e[PD_ERRLEN];

	snprintf(text, sizeof text, "cpu %d\ngpu %d\n", s->shared, s->gpus_shared);
	if (pd_replace_file(s->alloc, text, strlen(text), 0600, 1, e)) {
		pd_err(err, "save allocation to %s", e);
		return -1;
	}
	return 0;
}

/* Map workers: the share less the slots task nodes hold. */
void srv_pool_resize(struct pd_server *s)
{
	int n = s->shared - pd_taskserve_reserved(s->tasks);

	pd_pool_set_slots(s->pool, s->stopping || n < 0 ? 0 : n);
}

/* Tell every client how many CPU and GPU slots this host now shares. */
void srv_broadcast_slots(struct pd_server *s, int shared, int gpus_shared)
{
	struct sconn *o;
	cJSON *j;

	LIST_FOREACH(o, &s->conns, link) {
		if (pd_peer_state(o->peer) != PD_PEER_READY)
			continue; /* mid-handshake: it asks for info once in */
		j = srv_msg_new(PD_OP_SLOTS);
		cJSON_AddNumberToObject(j, "shared", shared);
		cJSON_AddNumberToObject(j, "gpus_shared", gpus_shared);
		srv_reply(o, j, NULL, 0);
	}
}

/* alloc's gpu member: the GPU share, at most the GPUs found; 0 or -1. */
static int alloc_gpu(struct sconn *c, const struct pd_msg *m)
{
	struct pd_server *s = c->s;
	char err[PD_ERRLEN];
	long long n;

	if (!cJSON_GetObjectItemCaseSensitive(m->json, "gpu"))
		return 0;
	if (pd_json_need_int(m->json, "gpu", 0, s->gpus.n, &n, err)) {
		if (s->gpus.n == 0)
			pd_peer_fail(c->peer, PD_EX_DATAERR, "this host has 0 GPUs to share (%s)",
				     s->gpus.why[0] ? s->gpus.why : "none found");
		else
			pd_peer_fail(c->peer, PD_EX_DATAERR, "gpu share must be between 0 and %d: this host has %d GPU%s",
				     s->gpus.n, s->gpus.n, s->gpus.n == 1 ? "" : "s");
		return -1;
	}
	s->gpus_shared = (int)n;
	pd_log(PD_LOG_INFO, "allocation changed: sharing %d of %d GPUs", s->gpus_shared, s->gpus.n);
	return 0;
}

/* alloc {cpu?, gpu?}: local owner only; applies at once, tells everyone. */
void srv_on_alloc(struct sconn *c, const struct pd_msg *m)
{
	struct pd_server *s = c->s;
	char err[PD_ERRLEN];
	long long n;

	if (!c->local) {
		pd_peer_fail(c->peer, PD_EX_NOPERM, "allocation can only be changed on the host itself (pd-alloc is local only)");
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(m->json, "cpu") &&
	    pd_json_need_int(m->json, "cpu", 0, PD_SLOTS_MAX, &n, err)) {
		pd_peer_fail(c->peer, PD_EX_DATAERR, "cpu share must be between 0 and %d", PD_SLOTS_MAX);
		return;
	}
	if (alloc_gpu(c, m))
		return;
	if (cJSON_GetObjectItemCaseSensitive(m->json, "cpu")) {
		s->shared = (int)n;
		pd_log(PD_LOG_INFO, "allocation changed: sharing %d of %d CPUs", s->shared, s->cpus_total);
	}
	if (cJSON_GetObjectItemCaseSensitive(m->json, "cpu") || cJSON_GetObjectItemCaseSensitive(m->json, "gpu")) {
		if (s->persist && alloc_save(s, err))
			pd_log(PD_LOG_ERR, "%s", err);
		/* Clients hear of the change before any handback it causes, so
		 * that they send the returned records elsewhere. */
		srv_broadcast_slots(s, s->shared, s->gpus_shared);
		srv_pool_resize(s);
		pd_pool_set_gpus(s->pool, s->gpus.n, s->gpus_shared);
	}
	srv_reply(c, srv_info_json(s), NULL, 0);
}

/* Find this host's GPUs (all shared until pd-alloc says otherwise). */
void srv_gpus_find(struct pd_server *s)
{
	int i;

	pd_gpus_detect(&s->gpus);
	s->gpus_shared = s->gpus.n;
	if (!s->gpus.n)
		pd_log(PD_LOG_INFO, "no GPU: %s", s->gpus.why[0] ? s->gpus.why : "none found");
	for (i = 0; i < s->gpus.n; i++)
		pd_log(PD_LOG_INFO, "GPU %d: %s, %llu MiB", i, s->gpus.dev[i].name,
		       (unsigned long long)(s->gpus.dev[i].memory >> 20));
}
