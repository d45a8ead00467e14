/* detach.h - the client side of detached runs: submit, ask, fetch, cancel. */
#ifndef PD_DETACH_H
#define PD_DETACH_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "runopt.h"
#include "runs.h"
#include "target.h"

struct pd_detach_req {
	const char *job_path, *sym; /* the job, already checked */
	const void *job;
	size_t job_len;
	const char *hosts; /* "host:port,..." to run on, or NULL: the server itself */
	int retries, unordered;
	int in_fd;		/* records, read to the end */
	struct pd_runopts run;	/* --timeout, --mem, ... (runopt.h) */
};

/* Submit a detached run to the local server at t.  Returns 0 with id,
 * or an exit status with err. */
int pd_detach_submit(const struct pd_target *t, const struct pd_detach_req *r,
		     char id[PD_RUN_ID_LEN], char *err);

/* Submit a detached task: `task` holds its members (nodes, tubes, args,
 * hosts?, timeout_ms?, oversubscribe?); the job file is uploaded when the
 * server lacks it.  0 with id, or an exit status with err. */
int pd_detach_submit_task(const struct pd_target *t, const struct pd_detach_req *job, cJSON *task,
			  char id[PD_RUN_ID_LEN], char *err);

/*
 * Ask a server about run id: op is "run_status", "fetch" or "cancel".
 * For fetch, `wait` blocks until the run ends and *log gets its log
 * lines.  *status gets the run's state (owned).  0 or an exit status.
 */
int pd_detach_ask(const struct pd_target *t, const unsigned char *key, const char *op,
		  const char *id, int wait, cJSON **status, struct pd_buf *log, char *err);

/* The server that keeps a detached run: the first -H host (by TCP, with
 * the key) when -H was given, else this host's pd-serve.  0, or 69 with
 * err when neither can be reached. */
struct pd_hostsel;
int pd_detach_server(struct pd_hostsel *sel, int by_host, struct pd_target *t, const unsigned char **key, char *err);


struct pd_coord_result;

/*
 * Replay a fetched log: every record once (the last entry of a line
 * wins), in line order, through fn, exactly as an attached run delivers
 * them.  Returns the number of records, or -1 with err on a malformed log.
 */
long pd_detach_replay(const struct pd_buf *log, void (*fn)(void *arg, const struct pd_coord_result *r),
		      void *arg, char *err);

#endif
