/* why.c - pd-status --why: why a detached run waits, in plain words. */
#include "why.h"

#include <string.h>

#include "json.h"

#define HOSTS_MAX 256 /* hosts of one run that are explained */

/* One host of the run: the run's coordinator's view and pd-status's own. */
struct rhost {
	const char *name, *state, *why;
	const cJSON *info; /* NULL when pd-status did not reach it */
	int shared, inflight;
};

/* The view of the host at `address`; a run on its keeper alone has one. */
static const struct pd_host_view *view_of(const char *address, const struct pd_host_view *h, int n, int nhosts)
{
	int i;

	if (nhosts == 1 && n == 1)
		return &h[0];
	for (i = 0; i < n; i++)
		if (!strcmp(h[i].address, address))
			return &h[i];
	return NULL;
}

/* The run's hosts: from its coordinator ("on") merged with the views,
 * else from the views alone.  Returns how many. */
static int gather(const cJSON *st, const struct pd_host_view *h, int n, struct rhost *out)
{
	const cJSON *on = cJSON_GetObjectItemCaseSensitive(st, "on"), *o;
	const struct pd_host_view *v;
	int k = 0, non = cJSON_GetArraySize(on);

	cJSON_ArrayForEach(o, on) {
		if (k == HOSTS_MAX)
			break;
		v = view_of(pd_json_str(o, "address", ""), h, n, non);
		out[k] = (struct rhost){pd_json_str(o, "address", "?"), pd_json_str(o, "state", "?"),
					pd_json_str(o, "error", v ? v->error : ""), v ? v->info : NULL,
					(int)pd_json_num(o, "shared", 0), (int)pd_json_num(o, "inflight", 0)};
		if (v && v->info && !strcmp(out[k].name, "local"))
			out[k].name = pd_json_str(v->info, "host", "local");
		if (out[k].info) /* fresher than the coordinator's */
			out[k].shared = (int)pd_json_num(out[k].info, "shared", 0);
		k++;
	}
	if (on)
		return k;
	for (; k < n && k < HOSTS_MAX; k++)
		out[k] = (struct rhost){h[k].address, h[k].state, h[k].error, h[k].info,
					(int)pd_json_num(h[k].info, "shared", 0), 0};
	return k;
}

/* A run that has ended: how. */
static void ended(const cJSON *st, const char *id, const char *state, struct pd_buf *out)
{
	double done = pd_json_num(st, "done", 0), total = pd_json_num(st, "total", 0);
	double failed = pd_json_num(st, "failed", 0);

	if (!strcmp(state, "done"))
		pd_buf_addf(out, "run %s has finished: %g of %g records done, %g of them failed\n", id, done, total,
			    failed);
	else if (!strcmp(state, "failed"))
		pd_buf_addf(out, "run %s has failed: %s; %g of %g records had finished\n", id,
			    pd_json_str(st, "error", "no reason given"), done, total);
	else if (!strcmp(state, "cancelled"))
		pd_buf_addf(out, "run %s was cancelled; %g of %g records had finished\n", id, done, total);
	else
		pd_buf_addf(out, "run %s is %s\n", id, state);
}

/* Other work on a host: its attached clients other than this run,
 * appended to out.  Returns how many. */
static int others(const struct rhost *r, const char *id, struct pd_buf *out)
{
	const cJSON *a;
	const char *client;
	char mine[64];
	int k = 0;

	snprintf(mine, sizeof mine, "pd-serve run %s", id);
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(r->info, "attached")) {
		client = pd_json_str(a, "client", "?");
		if (!strcmp(client, mine) || pd_json_num(a, "running", 0) + pd_json_num(a, "queued", 0) <= 0)
			continue;
		pd_buf_addf(out, "%s%s from %s (%g running, %g queued batches)", k++ ? ", " : ": ",
			    !strncmp(client, "pd-serve run ", 13) ? client + 9 : client, pd_json_str(a, "from", "?"),
			    pd_json_num(a, "running", 0), pd_json_num(a, "queued", 0));
	}
	return k;
}

/* One indented line per host that holds the run back, or runs it. */
static void details(const struct rhost *r, int n, const char *id, int gpu, struct pd_buf *out)
{
	struct pd_buf other = PD_BUF_INIT;
	int i, busy, shared;

	for (i = 0; i < n; i++) {
		busy = (int)pd_json_num(r[i].info, "busy", 0);
		shared = r[i].shared;
		if (!strcmp(r[i].state, "down") || !strcmp(r[i].state, "refused"))
			pd_buf_addf(out, "  %s is %s: %s\n", r[i].name, r[i].state, r[i].why[0] ? r[i].why : "no reason known");
		else if (!strcmp(r[i].state, "connecting"))
			pd_buf_addf(out, "  %s: the run is still connecting to it\n", r[i].name);
		else if (shared <= 0)
			pd_buf_addf(out, "  %s shares 0 of its %g CPUs: its owner reserved them (pd-alloc --cpu 0)\n",
				    r[i].name, pd_json_num(r[i].info, "cpus", 0));
		else if (gpu && pd_json_num(r[i].info, "gpus_shared", 0) <= 0)
			pd_buf_addf(out, "  %s shares 0 of its %g GPUs\n", r[i].name, pd_json_num(r[i].info, "gpus", 0));
		if (r[i].inflight > 0)
			pd_buf_addf(out, "  %s: %d records of this run in flight\n", r[i].name, r[i].inflight);
		if (!r[i].info || shared <= 0 || busy < shared)
			continue;
		pd_buf_reset(&other);
		/* busy with this run alone is no obstacle */
		if (others(&r[i], id, &other))
			pd_buf_addf(out, "  %s: all %d shared CPUs are busy, also with%s\n", r[i].name, shared, other.data);
		else if (!r[i].inflight)
			pd_buf_addf(out, "  %s: all %d shared CPUs are busy (task nodes, or clients gone)\n", r[i].name,
				    shared);
	}
	pd_buf_release(&other);
}

/* The first line for a map run still running: running or waiting, why. */
static void headline(const cJSON *st, const char *id, const struct rhost *r, int n, int gpu, struct pd_buf *out)
{
	double done = pd_json_num(st, "done", 0), total = pd_json_num(st, "total", 0);
	int i, up = 0, connecting = 0, sharing = 0, idle = 0, gpus = 0, inflight = 0;

	for (i = 0; i < n; i++) {
		inflight += r[i].inflight;
		connecting += !strcmp(r[i].state, "connecting");
		if (strcmp(r[i].state, "up"))
			continue;
		up++;
		sharing += r[i].shared > 0;
		idle += r[i].shared > 0 && (!r[i].info || pd_json_num(r[i].info, "busy", 0) < r[i].shared);
		gpus += pd_json_num(r[i].info, "gpus_shared", 0) > 0;
	}
	if (inflight > 0)
		pd_buf_addf(out, "run %s is running: %d records in flight, %g of %g done\n", id, inflight, done, total);
	else if (!up)
		pd_buf_addf(out, "run %s is waiting: %s\n", id,
			    connecting ? "it is still connecting to its hosts" : "none of its hosts is up");
	else if (!sharing)
		pd_buf_addf(out, "run %s is waiting: no host shares a CPU with it (%g of %g done)\n", id, done, total);
	else if (gpu && !gpus)
		pd_buf_addf(out, "run %s is waiting: its job needs a GPU and no host shares one\n", id);
	else if (!idle)
		pd_buf_addf(out, "run %s is waiting: every shared CPU of its hosts is busy with other work\n", id);
	else
		pd_buf_addf(out, "run %s is running: no record in flight at this moment, %g of %g done\n", id, done,
			    total);
}

void pd_why_explain(const cJSON *st, const struct pd_host_view *h, int n, struct pd_buf *out)
{
	struct rhost r[HOSTS_MAX];
	const char *id = pd_json_str(st, "id", "?"), *state = pd_json_str(st, "state", "?");
	const cJSON *g = cJSON_GetObjectItemCaseSensitive(st, "gpu");
	int k, gpu = cJSON_IsTrue(g) || (cJSON_IsNumber(g) && g->valuedouble != 0);

	if (strcmp(state, "running")) {
		ended(st, id, state, out);
		return;
	}
	if (!strcmp(pd_json_str(st, "kind", "map"), "task")) {
		pd_buf_addf(out, "run %s is running: a detached task (%s, %g nodes); its nodes are counted when it ends\n",
			    id, pd_json_str(st, "name", "?"), pd_json_num(st, "nodes", 0));
		return;
	}
	k = gather(st, h, n, r);
	headline(st, id, r, k, gpu, out);
	details(r, k, id, gpu, out);
}
