/* runs.h - detached runs: kept on disk by pd-serve, resumed after a restart. */
#ifndef PD_RUNS_H
#define PD_RUNS_H

#include <sys/types.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "buf.h"
#include "key.h"

/*
 * A detached run lives in STATE/runs/ID/:
 *   meta.json  what to run (job hash and name, hosts, options) and its state
 *   input      the records, as submitted
 *   log        one JSON line per finished record (a joblog with inputs)
 * pd-serve is its coordinator: it runs the records on the hosts named at
 * submission (or on itself, through its own socket), appends every result
 * to the log, and on a restart resumes every run still "running", skipping
 * the records the log already holds.  A finished result is never lost.
 */
struct pd_runs;

/* Called when a run reaches an end state (done, failed, cancelled). */
typedef void (*pd_runs_end_fn)(void *arg, const char *id);

#define PD_RUN_ID_LEN 12 /* "r" + 10 hex digits + NUL */

/* Load the runs under state and resume the unfinished ones.  `sock` is
 * the server's own socket; `key` (may be NULL) is for remote hosts. */
struct pd_runs *pd_runs_new(struct event_base *base, const char *state, const char *sock,
			    const unsigned char *key, pd_runs_end_fn end, void *arg, char *err);

/*
 * Start a run: `req` is the submit message (hash, sym, hosts?, retries?,
 * timeout_ms?, unordered?), `input` the records.  The job must be in the
 * cache.  id gets the new run's id.  0, or an exit status with err:
 * PD_EX_DATAERR (a bad request), PD_EX_OSERR (it cannot be stored:
 * disk full, ...; nothing of it is left behind).
 */
int pd_runs_submit(struct pd_runs *r, const cJSON *req, const void *input, size_t len,
		   char id[PD_RUN_ID_LEN], char *err);

/* A run's state and progress as a JSON object (owned), or NULL. */
cJSON *pd_runs_status(struct pd_runs *r, const char *id);

/* Every run's status, as a JSON array (owned). */
cJSON *pd_runs_list(struct pd_runs *r);

/* 1 when the run has reached an end state. */
int pd_runs_ended(struct pd_runs *r, const char *id);

/* Append the run's log to out.  0 or -1 with err (unknown id). */
int pd_runs_log(struct pd_runs *r, const char *id, struct pd_buf *out, char *err);

/* Stop a run; its finished results stay.  0 or -1 with err. */
int pd_runs_cancel(struct pd_runs *r, const char *id, char *err);

/* 1 when s looks like a run id. */
int pd_run_id_valid(const char *s);

/* A child process ended: 1 when it was a detached task's coordinator
 * (its run then ends), else 0. */
int pd_runs_child(struct pd_runs *r, pid_t pid, int status);

void pd_runs_free(struct pd_runs *r);

#endif
