/* jobx.c - the job exchange: does the server hold this file?  Then upload it. */
#include "jobx.h"

#include "client.h"
#include "json.h"
#include "proto.h"

/* A message {"op": op, "hash": hash}. */
static cJSON *hash_msg(const char *op, const char *hash)
{
	cJSON *j = pd_json_op(op);

	cJSON_AddStringToObject(j, "hash", hash);
	return j;
}

cJSON *pd_jobx_ask(const char *hash, const char *sym, const char *path)
{
	cJSON *j = hash_msg(PD_OP_JOB, hash);

	cJSON_AddStringToObject(j, "sym", sym);
	if (path)
		cJSON_AddStringToObject(j, "path", path);
	return j;
}

int pd_jobx_held(const cJSON *reply)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"));
}

cJSON *pd_jobx_upload(const char *hash)
{
	return hash_msg(PD_OP_UPLOAD, hash);
}

int pd_jobx_ensure(struct pd_session *s, const char *hash, const char *sym, const char *path,
		   const void *data, size_t n, char *err)
{
	struct pd_msg m;
	cJSON *j = pd_jobx_ask(hash, sym, path);
	int code;

	pd_msg_init(&m);
	code = pd_session_call(s, j, NULL, 0, 30, &m, err);
	cJSON_Delete(j);
	if (!code && !pd_jobx_held(m.json)) {
		j = pd_jobx_upload(hash);
		code = pd_session_call(s, j, data, n, 60, &m, err);
		cJSON_Delete(j);
	}
	pd_msg_release(&m);
	return code;
}
