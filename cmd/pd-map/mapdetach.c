/* mapdetach.c - pd-map --detach, --fetch and --cancel: runs handed to the local pd-serve. */
#include <stdlib.h>
#include <string.h>

#include "detach.h"
#include "err.h"
#include "json.h"
#include "proto.h"
#include "map.h"

/* Replay callback: count failures like an attached run. */
static long fetched_failed;
static void fetched_cb(void *arg, const struct pd_coord_result *r)
{
	fetched_failed += r->status != PD_R_OK;
	result_cb(arg, r);
}

/* --fetch ID [--wait] and --cancel ID. */
int ask_run(struct pd_hostsel *sel)
{
	const unsigned char *key;
	struct pd_buf log = PD_BUF_INIT;
	char err[PD_ERRLEN];
	struct pd_target t;
	const char *state;
	cJSON *st = NULL;
	long n;
	int code = pd_detach_server(sel, M.hosts != NULL, &t, &key, err);

	if (!code)
		code = pd_detach_ask(&t, key, M.fetch ? PD_OP_FETCH : PD_OP_CANCEL, M.fetch ? M.fetch : M.cancel,
				     M.wait, &st, M.fetch ? &log : NULL, err);
	if (code) {
		say("%s", err);
		goto out;
	}
	state = pd_json_str(st, "state", "?");
	if (M.cancel) {
		say("run %s cancelled (%g of %g records done)", M.cancel, pd_json_num(st, "done", 0),
		    pd_json_num(st, "total", 0));
		goto out;
	}
	if (!strcmp(state, "running")) {
		say("run %s is still running (%g of %g records done); --wait waits for it", M.fetch,
		    pd_json_num(st, "done", 0), pd_json_num(st, "total", 0));
		code = PD_EX_TEMPFAIL;
		goto out;
	}
	if ((code = open_results()) != 0)
		goto out;
	n = pd_detach_replay(&log, fetched_cb, NULL, err);
	if (n < 0) {
		say("%s", err);
		code = PD_EX_DATAERR;
	} else if (strcmp(state, "done")) {
		say("run %s %s%s%s (%ld of %g records have results)", M.fetch, state,
		    pd_json_str(st, "error", NULL) ? ": " : "", pd_json_str(st, "error", ""), n,
		    pd_json_num(st, "total", 0));
		code = pd_json_num(st, "code", 0) == PD_EX_OSERR ? PD_EX_OSERR : PD_EX_JOBFAIL;
	} else if (fetched_failed + M.unprintable) {
		say("%ld of %ld records failed", fetched_failed + M.unprintable, n);
		code = PD_EX_JOBFAIL;
	}
out:
	cJSON_Delete(st);
	pd_buf_release(&log);
	return finish_results(code);
}

/* --detach: hand the records to the local pd-serve, print the run id. */
int detach(struct pd_hostsel *sel, const char *jobpath, const char *sym, const char *job, size_t joblen)
{
	struct pd_detach_req r = {jobpath, sym, job, joblen, NULL, (int)M.retries, M.unordered, 0, M.run};
	char err[PD_ERRLEN], id[PD_RUN_ID_LEN];
	struct pd_target t;
	int code;

	if (!pd_target_unix_alive(sel->paths.sock)) {
		say("--detach needs a pd-serve running on this host (no answer on %s)", sel->paths.sock);
		return PD_EX_UNAVAILABLE;
	}
	pd_target_unix(&t, sel->paths.sock);
	if (sel->kind == PD_SEL_REMOTE)
		r.hosts = pd_hosts_spec(&sel->hosts);
	code = pd_detach_submit(&t, &r, id, err);
	free((char *)r.hosts);
	if (code) {
		say("%s", err);
		return code;
	}
	printf("%s\n", id);
	return 0;
}
