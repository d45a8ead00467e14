/* jobx.h - the job exchange: does the server hold this file?  Then upload it. */
#ifndef PD_JOBX_H
#define PD_JOBX_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct pd_session;

/*
 * The request asking a server whether it holds the file with content
 * hash `hash` (a job, a task file or --share data): a "job" message
 * naming sym, and path when the link is local (path non-NULL) so the
 * server may read the file itself.  The reply is a "job" message.
 */
cJSON *pd_jobx_ask(const char *hash, const char *sym, const char *path);

/* 1 when a "job" reply says the server holds the file. */
int pd_jobx_held(const cJSON *reply);

/* The request uploading the file `hash`; its bytes go as the blob. */
cJSON *pd_jobx_upload(const char *hash);

/*
 * The whole exchange on a synchronous session: ask, and upload the n
 * bytes at data when the server lacks them.  0, or an exit status with
 * err (as pd_session_call).
 */
int pd_jobx_ensure(struct pd_session *s, const char *hash, const char *sym, const char *path,
		   const void *data, size_t n, char *err);

#endif
