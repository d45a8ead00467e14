/* msgcheck.c - the table of messages and their shapes, checked before any handler. */
#include "msgcheck.h"

#include <string.h>

#include "err.h"
#include "frame.h"
#include "hosts.h"
#include "json.h"
#include "proto.h"
#include "runopt.h"
#include "topology.h"

#define WHOLE (1LL << 53) /* integers a double holds exactly */
#define COUNT (1LL << 30) /* counts of CPUs, records, clients */

/* Member types: string, integer, boolean, array, array of integers,
 * array of tubes ([name, src, dst] with src, dst integers), the protocol
 * version (PD_PROTO_VERSION: an older one is a downgrade). */
enum mtype { M_STR, M_INT, M_BOOL, M_ARR, M_INTS, M_TUBES, M_PROTO };

/* One member of a message: name, type, required, integer range (M_INT,
 * M_INTS, M_TUBES).  A message's list ends with a NULL name. */
struct pd_msg_member {
	const char *name;
	enum mtype type;
	int required;
	long long lo, hi;
};

static const struct pd_msg_member c_hello[] = {
    {"client", M_STR, 0, 0, 0},
    {"aead", M_ARR, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_job[] = {
    {"hash", M_STR, 1, 0, 0},
    {"sym", M_STR, 0, 0, 0},
    {"path", M_STR, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_upload[] = {
    {"hash", M_STR, 1, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_run[] = {
    {"batch", M_INT, 1, 0, WHOLE},
    {"hash", M_STR, 1, 0, 0},
    {"sym", M_STR, 1, 0, 0},
    {"first", M_INT, 1, 1, WHOLE},
    {"n", M_INT, 1, 1, PD_BATCH_RECORDS_MAX},
    {"name", M_STR, 0, 0, 0},
    {"kind", M_STR, 0, 0, 0},
    {"share", M_STR, 0, 0, 0},
    {"args", M_STR, 0, 0, 0},
    {"linenos", M_INTS, 0, 1, WHOLE},
    {"f64", M_INT, 0, 1, PD_POINT_DIM_MAX},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_submit[] = {
    {"hash", M_STR, 1, 0, 0},
    {"sym", M_STR, 1, 0, 0},
    {"kind", M_STR, 0, 0, 0},
    {"hosts", M_STR, 0, 0, 0},
    {"retries", M_INT, 0, 0, 1 << 20},
    {"unordered", M_BOOL, 0, 0, 0},
    {"nodes", M_INT, 0, 1, PD_TOPOLOGY_NODES_MAX},
    {"tubes", M_TUBES, 0, 0, PD_TOPOLOGY_NODES_MAX - 1},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_runstat[] = {
    {"id", M_STR, 1, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_fetch[] = {
    {"id", M_STR, 1, 0, 0},
    {"wait", M_BOOL, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_cancel[] = {
    {"id", M_STR, 1, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_task[] = {
    {"task", M_STR, 1, 0, 0},
    {"hash", M_STR, 1, 0, 0},
    {"sym", M_STR, 1, 0, 0},
    {"nodes", M_INT, 1, 1, PD_TOPOLOGY_NODES_MAX},
    {"me", M_INT, 1, 0, PD_HOSTS_MAX},
    {"place", M_INTS, 1, 0, PD_HOSTS_MAX},
    {"tubes", M_TUBES, 1, 0, PD_TOPOLOGY_NODES_MAX - 1},
    {"timeout_ms", M_INT, 0, 0, 0x7fffffff},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member c_node_cmd[] = {
    {"node", M_INT, 1, 0, PD_TOPOLOGY_NODES_MAX - 1},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_error[] = {
    {"error", M_STR, 0, 0, 0},
    {"code", M_INT, 0, 0, 255},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_challenge[] = {
    {"proto", M_PROTO, 1, 0, 0},
    {"nonce", M_STR, 1, 0, 0},
    {"aead", M_STR, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_welcome[] = {
    {"proto", M_PROTO, 1, 0, 0},
    {"proof", M_STR, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_info[] = {
    {"host", M_STR, 0, 0, 0},
    {"cpus", M_INT, 0, 0, COUNT},
    {"shared", M_INT, 0, 0, COUNT},
    {"busy", M_INT, 0, 0, COUNT},
    {"queued", M_INT, 0, 0, COUNT},
    {"gpus", M_INT, 0, 0, COUNT},
    {"gpus_shared", M_INT, 0, 0, COUNT},
    {"gpus_busy", M_INT, 0, 0, COUNT},
    {"f64", M_BOOL, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_slots[] = {
    {"shared", M_INT, 1, 0, COUNT},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_job[] = {
    {"hash", M_STR, 1, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_result[] = {
    {"batch", M_INT, 1, 0, WHOLE},
    {"n", M_INT, 1, 0, PD_BATCH_RECORDS_MAX},
    {"load_error", M_STR, 0, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_handback[] = {
    {"batch", M_INT, 1, 0, WHOLE},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_submitted[] = {
    {"id", M_STR, 1, 0, 0},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member s_node[] = {
    {"node", M_INT, 1, 0, PD_TOPOLOGY_NODES_MAX - 1},
    {NULL, M_STR, 0, 0, 0},
};
static const struct pd_msg_member none[] = {{NULL, M_STR, 0, 0, 0}};

#define C PD_ROLE_CLIENT
#define S PD_ROLE_SERVER
/* Every message of playdoh-protocol(7), by sender (tests/protocol-table.bats
 * checks the page's list against it); a request's handler is in the
 * receiver's table (serve/server.c). */
static const struct pd_msgdef msgs[] = {
    /* client -> server */
    {C, PD_OP_HELLO, c_hello, 0},
    {C, PD_OP_JOB, c_job, 0},
    {C, PD_OP_UPLOAD, c_upload, 0},
    {C, PD_OP_RUN, c_run, 1},
    {C, PD_OP_SUBMIT, c_submit, 1},
    {C, PD_OP_RUNSTAT, c_runstat, 0},
    {C, PD_OP_FETCH, c_fetch, 0},
    {C, PD_OP_CANCEL, c_cancel, 0},
    {C, PD_OP_TASK, c_task, 0},
    {C, PD_OP_NODE_CMD, c_node_cmd, 0},
    {C, PD_OP_AUTH, none, 0},
    {C, PD_OP_INFO, none, 0},
    {C, PD_OP_ALLOC, none, 0},
    {C, PD_OP_PING, none, 0},
    /* server -> client */
    {S, PD_OP_ERROR, s_error, 0},
    {S, PD_OP_CHALLENGE, s_challenge, 0},
    {S, PD_OP_WELCOME, s_welcome, 0},
    {S, PD_OP_INFO, s_info, 0},
    {S, PD_OP_SLOTS, s_slots, 0},
    {S, PD_OP_JOB, s_job, 0},
    {S, PD_OP_RESULT, s_result, 0},
    {S, PD_OP_HANDBACK, s_handback, 0},
    {S, PD_OP_SUBMITTED, s_submitted, 0},
    {S, PD_OP_NODE, s_node, 0},
    {S, PD_OP_RUNINFO, none, 0},
    {S, PD_OP_FETCHED, none, 0},
    {S, PD_OP_TASK_STARTED, none, 0},
    {S, PD_OP_PONG, none, 0},
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
static int check_member(const cJSON *j, const char *op, const struct pd_msg_member *r, char *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, r->name);
	static const char *const what[] = {"a string", "an integer", "a boolean", "an array",
					   "an array of integers", "a list of [name, src, dst] tubes"};
	int ok;

	if (r->type == M_PROTO && v && !int_in(v, PD_PROTO_VERSION, PD_PROTO_VERSION)) {
		pd_err(err, "message '%s': protocol version %.17g not supported (this is %d)", op,
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
		pd_err(err, "message '%s': member '%s' missing", op, r->name);
	else if (r->type == M_STR || r->type == M_BOOL || r->type == M_ARR)
		pd_err(err, "message '%s': member '%s' %snot %s", op, r->name,
		       r->required ? "missing or " : "", what[r->type]);
	else
		pd_err(err, "message '%s': member '%s' %snot %s in [%lld, %lld]", op, r->name,
		       r->required ? "missing or " : "", what[r->type], r->lo, r->hi);
	return -1;
}

/* Check a run's per-run options (runopt.c's table): optional integers,
 * 0 (unset) or within the row's range. */
static int check_runopts(const cJSON *j, const char *op, char *err)
{
	const struct pd_runopt *o;
	struct pd_msg_member r = {NULL, M_INT, 0, 0, 0};

	for (o = pd_runopt_table; o->option; o++) {
		r.name = o->member;
		r.hi = o->hi;
		if (check_member(j, op, &r, err))
			return -1;
	}
	return 0;
}

int pd_msg_check(const cJSON *j, enum pd_role from, char *err)
{
	const char *op = pd_json_str(j, "op", NULL);
	const struct pd_msg_member *r;
	size_t i;

	if (!cJSON_IsObject(j) || !op) {
		pd_err(err, "message without a string member 'op'");
		return -1;
	}
	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		if (msgs[i].from == from && !strcmp(msgs[i].op, op))
			break;
	if (i == sizeof msgs / sizeof msgs[0])
		return 0;
	for (r = msgs[i].members; r->name; r++)
		if (check_member(j, op, r, err))
			return -1;
	return msgs[i].runopts ? check_runopts(j, op, err) : 0;
}

const struct pd_msgdef *pd_msgdef(size_t i)
{
	return i < sizeof msgs / sizeof msgs[0] ? &msgs[i] : NULL;
}
