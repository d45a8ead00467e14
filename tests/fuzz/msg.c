/* msg.c - fuzz target: the message validators, without a network.
 *
 * The input is a message's JSON text, as a frame would carry it.  It goes
 * through the checks every handler relies on: pd_msg_check for either
 * sender (lib/wire/msgcheck.c, run by pd-serve's dispatcher on every client
 * message and by every client on every server message), and the
 * handlers' own checks (pd_json_need_*, pd_taskdetach_check).  A message
 * that passes is then read the way the handlers read it, casts included;
 * in the clang build (-fsanitize=undefined) a value the validator let
 * through that a cast cannot hold is reported as undefined behaviour. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frame.h"
#include "json.h"
#include "msgcheck.h"
#include "proto.h"
#include "taskdetach.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read a server's message as the clients do (peer.c, coord.c, client.c,
 * taskplan.c, taskrelay.c). */
static void read_as_client(const cJSON *j)
{
	volatile long long sink = 0;

	sink += (int)pd_json_num(j, "code", 0);
	sink += (long long)(uint64_t)pd_json_num(j, "batch", 0);
	sink += (int)pd_json_num(j, "shared", 0) - (int)pd_json_num(j, "busy", 0);
	sink += (int)pd_json_num(j, "node", 0);
	(void)sink;
}

/* The tubes of a task request as a topology file, as taskserve.c builds
 * it, parsed for k nodes. */
static void task_tubes(const cJSON *j, long long k)
{
	const cJSON *t;
	struct pd_buf spec = PD_BUF_INIT;
	struct pd_topology topo;
	char err[PD_ERRLEN];

	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(j, "tubes"))
		pd_buf_addf(&spec, "%s %d %d\n", cJSON_GetArrayItem(t, 0)->valuestring,
			    (int)cJSON_GetArrayItem(t, 1)->valuedouble, (int)cJSON_GetArrayItem(t, 2)->valuedouble);
	if (pd_topology_parse(&topo, spec.len ? spec.data : "", "task", (int)k, err) == 0)
		pd_topology_release(&topo);
	pd_buf_release(&spec);
}

/* Read a client's message as pd-serve's handlers do (server.c,
 * serverjobs.c, taskserve.c, runs.c, pool.c). */
static void read_as_server(const cJSON *j)
{
	const char *op = pd_json_str(j, "op", "");
	volatile long long sink = 0;
	const cJSON *v;
	char err[PD_ERRLEN];
	long long n;

	if (!strcmp(op, PD_OP_RUN)) {
		if (pd_json_need_int(j, "batch", 0, 1LL << 53, &n, err) ||
		    pd_json_need_int(j, "n", 1, PD_BATCH_RECORDS_MAX, &n, err))
			abort(); /* pd_msg_check promised both */
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "linenos"))
			sink += (long)v->valuedouble;
	}
	if (!strcmp(op, PD_OP_SUBMIT)) {
		sink += (int)pd_json_num(j, "retries", 0) + (int)pd_json_num(j, "timeout_ms", 0);
		err[0] = 0;
		if (!strcmp(pd_json_str(j, "kind", ""), "task") && pd_taskdetach_check(j, err) == 0)
			task_tubes(j, (long long)pd_json_num(j, "nodes", 1));
		else if (!strcmp(pd_json_str(j, "kind", ""), "task") && !err[0])
			abort();
	}
	if (!strcmp(op, PD_OP_TASK)) {
		if (pd_json_need_int(j, "nodes", 1, PD_TOPOLOGY_NODES_MAX, &n, err))
			abort();
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(j, "place"))
			sink += (int)v->valuedouble;
		task_tubes(j, n);
	}
	if (!strcmp(op, PD_OP_NODE_CMD))
		sink += (int)pd_json_num(j, "node", -1);
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);
	char err[PD_ERRLEN];
	int rc;

	if (!j)
		return 0;
	err[0] = 0;
	rc = pd_msg_check(j, PD_ROLE_SERVER, err);
	if (rc == 0)
		read_as_client(j);
	else if (!err[0])
		abort(); /* a refusal always says why */
	err[0] = 0;
	rc = pd_msg_check(j, PD_ROLE_CLIENT, err);
	if (rc == 0 && pd_json_str(j, "op", NULL))
		read_as_server(j);
	else if (rc && !err[0])
		abort();
	if (rc == 0 && (!cJSON_IsObject(j) || !pd_json_str(j, "op", NULL)))
		abort(); /* only objects with an op pass */
	cJSON_Delete(j);
	return 0;
}
