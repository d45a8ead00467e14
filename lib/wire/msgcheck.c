/* msgcheck.c - one table of message shapes, checked before any handler. */
#include "msgcheck.h"

#include <string.h>

#include "err.h"
#include "frame.h"
#include "hosts.h"
#include "json.h"
#include "proto.h"
#include "topology.h"

#define WHOLE (1LL << 53) /* integers a double holds exactly */
#define COUNT (1LL << 30) /* counts of CPUs, records, clients */

/* Member types: string, integer, boolean, array, array of integers,
 * array of tubes ([name, src, dst] with src, dst integers), the protocol
 * version (PD_PROTO_VERSION: an older one is a downgrade). */
enum mtype { M_STR, M_INT, M_BOOL, M_ARR, M_INTS, M_TUBES, M_PROTO };

struct mrule {
	char from;	  /* PD_ROLE_CLIENT or PD_ROLE_SERVER */
	const char *op;
	const char *name; /* member */
	enum mtype type;
	int required;
	long long lo, hi; /* integer range (M_INT, M_INTS, M_TUBES) */
};

#define C PD_ROLE_CLIENT
#define S PD_ROLE_SERVER
static const struct mrule rules[] = {
    /* client -> server */
    {C, PD_OP_HELLO, "client", M_STR, 0, 0, 0},
    {C, PD_OP_JOB, "hash", M_STR, 1, 0, 0},
    {C, PD_OP_JOB, "sym", M_STR, 0, 0, 0},
    {C, PD_OP_JOB, "path", M_STR, 0, 0, 0},
    {C, PD_OP_UPLOAD, "hash", M_STR, 1, 0, 0},
    {C, PD_OP_RUN, "batch", M_INT, 1, 0, WHOLE},
    {C, PD_OP_RUN, "hash", M_STR, 1, 0, 0},
    {C, PD_OP_RUN, "sym", M_STR, 1, 0, 0},
    {C, PD_OP_RUN, "first", M_INT, 1, 1, WHOLE},
    {C, PD_OP_RUN, "n", M_INT, 1, 1, PD_BATCH_RECORDS_MAX},
    {C, PD_OP_RUN, "timeout_ms", M_INT, 0, 0, 1LL << 40},
    {C, PD_OP_RUN, "name", M_STR, 0, 0, 0},
    {C, PD_OP_RUN, "kind", M_STR, 0, 0, 0},
    {C, PD_OP_RUN, "share", M_STR, 0, 0, 0},
    {C, PD_OP_RUN, "linenos", M_INTS, 0, 1, WHOLE},
    {C, PD_OP_SUBMIT, "hash", M_STR, 1, 0, 0},
    {C, PD_OP_SUBMIT, "sym", M_STR, 1, 0, 0},
    {C, PD_OP_SUBMIT, "kind", M_STR, 0, 0, 0},
    {C, PD_OP_SUBMIT, "hosts", M_STR, 0, 0, 0},
    {C, PD_OP_SUBMIT, "retries", M_INT, 0, 0, 1 << 20},
    {C, PD_OP_SUBMIT, "timeout_ms", M_INT, 0, 0, 0x7fffffff},
    {C, PD_OP_SUBMIT, "unordered", M_BOOL, 0, 0, 0},
    {C, PD_OP_SUBMIT, "nodes", M_INT, 0, 1, PD_TOPOLOGY_NODES_MAX},
    {C, PD_OP_SUBMIT, "tubes", M_TUBES, 0, 0, PD_TOPOLOGY_NODES_MAX - 1},
    {C, PD_OP_RUNSTAT, "id", M_STR, 1, 0, 0},
    {C, PD_OP_FETCH, "id", M_STR, 1, 0, 0},
    {C, PD_OP_FETCH, "wait", M_BOOL, 0, 0, 0},
    {C, PD_OP_CANCEL, "id", M_STR, 1, 0, 0},
    {C, PD_OP_TASK, "task", M_STR, 1, 0, 0},
    {C, PD_OP_TASK, "nodes", M_INT, 1, 1, PD_TOPOLOGY_NODES_MAX},
    {C, PD_OP_TASK, "me", M_INT, 1, 0, PD_HOSTS_MAX},
    {C, PD_OP_TASK, "place", M_INTS, 1, 0, PD_HOSTS_MAX},
    {C, PD_OP_TASK, "tubes", M_TUBES, 1, 0, PD_TOPOLOGY_NODES_MAX - 1},
    {C, PD_OP_TASK, "timeout_ms", M_INT, 0, 0, 0x7fffffff},
    {C, PD_OP_NODE_CMD, "node", M_INT, 1, 0, PD_TOPOLOGY_NODES_MAX - 1},
    /* server -> client */
    {S, PD_OP_ERROR, "error", M_STR, 0, 0, 0},
    {S, PD_OP_ERROR, "code", M_INT, 0, 0, 255},
    {S, PD_OP_CHALLENGE, "proto", M_PROTO, 1, 0, 0},
    {S, PD_OP_CHALLENGE, "nonce", M_STR, 1, 0, 0},
    {S, PD_OP_WELCOME, "proto", M_PROTO, 1, 0, 0},
    {S, PD_OP_WELCOME, "proof", M_STR, 0, 0, 0},
    {S, PD_OP_INFO, "host", M_STR, 0, 0, 0},
    {S, PD_OP_INFO, "cpus", M_INT, 0, 0, COUNT},
    {S, PD_OP_INFO, "shared", M_INT, 0, 0, COUNT},
    {S, PD_OP_INFO, "busy", M_INT, 0, 0, COUNT},
    {S, PD_OP_INFO, "queued", M_INT, 0, 0, COUNT},
    {S, PD_OP_INFO, "gpus", M_INT, 0, 0, COUNT},
    {S, PD_OP_INFO, "gpus_shared", M_INT, 0, 0, COUNT},
    {S, PD_OP_INFO, "gpus_busy", M_INT, 0, 0, COUNT},
    {S, PD_OP_SLOTS, "shared", M_INT, 1, 0, COUNT},
    {S, PD_OP_JOB, "hash", M_STR, 1, 0, 0},
    {S, PD_OP_RESULT, "batch", M_INT, 1, 0, WHOLE},
    {S, PD_OP_RESULT, "n", M_INT, 1, 0, PD_BATCH_RECORDS_MAX},
    {S, PD_OP_RESULT, "load_error", M_STR, 0, 0, 0},
    {S, PD_OP_HANDBACK, "batch", M_INT, 1, 0, WHOLE},
    {S, PD_OP_SUBMITTED, "id", M_STR, 1, 0, 0},
    {S, PD_OP_NODE, "node", M_INT, 1, 0, PD_TOPOLOGY_NODES_MAX - 1},
};
#undef C
#undef S

/* 1 when v is a number holding a whole value within [lo, hi]. */
static int int_in(const cJSON *v, long long lo, long long hi)
{
	double d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	return d == d && d >= (double)lo && d <= (double)hi && d == (double)(long long)d;
}

/* 1 when every item of array a is an integer within [lo, hi]. */
static int ints_in(const cJSON *a, long long lo, long long hi)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, a)
		if (!int_in(v, lo, hi))
			return 0;
	return 1;
}

/* 1 when every item of a is a tube [name, src, dst] with ends in [lo, hi]. */
static int tubes_ok(const cJSON *a, long long lo, long long hi)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, a)
		if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) != 3 ||
		    !cJSON_IsString(cJSON_GetArrayItem(t, 0)) || !int_in(cJSON_GetArrayItem(t, 1), lo, hi) ||
		    !int_in(cJSON_GetArrayItem(t, 2), lo, hi))
			return 0;
	return 1;
}

/* Check one member against its rule; 0 or -1 with err. */
static int check_member(const cJSON *j, const struct mrule *r, char *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, r->name);
	static const char *const what[] = {"a string", "an integer", "a boolean", "an array",
					   "an array of integers", "a list of [name, src, dst] tubes"};
	int ok;

	if (r->type == M_PROTO && v && !int_in(v, PD_PROTO_VERSION, PD_PROTO_VERSION)) {
		pd_err(err, "message '%s': protocol version %.17g not supported (this is %d)", r->op,
		       cJSON_IsNumber(v) ? v->valuedouble : -1.0, PD_PROTO_VERSION);
		return -1;
	}
	if (!v)
		ok = !r->required;
	else if (r->type == M_PROTO)
		ok = 1;
	else if (r->type == M_STR)
		ok = cJSON_IsString(v);
	else if (r->type == M_INT)
		ok = int_in(v, r->lo, r->hi);
	else if (r->type == M_BOOL)
		ok = cJSON_IsBool(v);
	else
		ok = cJSON_IsArray(v) && (r->type == M_ARR || (r->type == M_INTS ? ints_in(v, r->lo, r->hi)
										 : tubes_ok(v, r->lo, r->hi)));
	if (ok)
		return 0;
	if (r->type == M_PROTO)
		pd_err(err, "message '%s': member '%s' missing", r->op, r->name);
	else if (r->type == M_STR || r->type == M_BOOL || r->type == M_ARR)
		pd_err(err, "message '%s': member '%s' %snot %s", r->op, r->name,
		       r->required ? "missing or " : "", what[r->type]);
	else
		pd_err(err, "message '%s': member '%s' %snot %s in [%lld, %lld]", r->op, r->name,
		       r->required ? "missing or " : "", what[r->type], r->lo, r->hi);
	return -1;
}

int pd_msg_check(const cJSON *j, enum pd_role from, char *err)
{
	const char *op = pd_json_str(j, "op", NULL);
	size_t i;

	if (!cJSON_IsObject(j) || !op) {
		pd_err(err, "message without a string member 'op'");
		return -1;
	}
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].from == (char)from && !strcmp(rules[i].op, op) && check_member(j, &rules[i], err))
			return -1;
	return 0;
}
