/* search.c - pd-opt's generations through the coordinator: feed the
 * optimiser's points, collect their values, tell, decide whether to stop. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "cli.h"
#include "coord.h"
#include "err.h"
#include "f64.h"
#include "hostsel.h"
#include "num.h"
#include "opt/checkpoint.h"
#include "opt/fitbatch.h"
#include "opt/optim.h"
#include "proto.h"
#include "xmalloc.h"
#include "pdopt.h"

/* Why the run should stop now, or NULL to go on. */
static const char *should_stop(int *restarted)
{
	double best = pd_optim_best(R.o, NULL);
	char err[PD_ERRLEN];
	const char *why;

	*restarted = 0;
	if (O.have_target && (O.maximize ? -best >= O.target : best <= O.target))
		return "target reached";
	if (O.iterations && pd_optim_iter(R.o) >= O.iterations)
		return "iterations done";
	if (O.max_evals && pd_optim_evals(R.o) >= O.max_evals)
		return "evaluation budget spent";
	why = pd_optim_converged(R.o, restarted, err);
	if (why && !strcmp(why, "restart failed")) {
		pd_cli_say("restart: %s", err);
		return "could not restart";
	}
	return why;
}

/* Monotonic seconds. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Points per program call with --fitness-input lines: --fitness-batch,
 * or the generation spread over the slots in use, one call each (before
 * any host has answered: -c, or this machine's CPUs). */
static long batch_points(void)
{
	struct pd_coord_stats s;
	long slots;

	if (O.fitness_batch)
		return O.fitness_batch;
	pd_coord_stats(R.coord, &s);
	slots = s.slots > 0 ? s.slots : O.nodes ? O.nodes : pd_ncpus();
	return (R.np + slots - 1) / slots;
}

/* Ask for the next generation and hand it to the coordinator. */
static void feed_generation(void)
{
	double t0 = now_s();
	struct pd_buf recs = PD_BUF_INIT;

	R.x = pd_optim_ask(R.o);
	R.np = R.nrec = pd_optim_npoints(R.o);
	R.f = pd_xrealloc(R.f, sizeof *R.f * (size_t)R.np);
	R.got = 0;
	R.fitness_ms = 0;
	if (O.fitness_in == 'l')
		R.nrec = pd_fitbatch_pack(&recs, R.x, R.np, pd_optim_dim(R.o), batch_points());
	R.fed_s = now_s();
	R.update_ms = (R.fed_s - t0) * 1e3;
	if (O.fitness_in == 'l')
		pd_coord_feed(R.coord, recs.data, recs.len);
	else
		pd_coord_feed_points(R.coord, R.x, R.np);
	pd_buf_release(&recs);
}

/* Why record i failed, into R.fail: the failure of the lowest index, as
 * successes come in any order; without --fitness-input lines, record i
 * is point i. */
static void record_failed(long i, const char *why, size_t whylen)
{
	long first = pd_fitbatch_first(R.np, R.nrec, i), n = pd_fitbatch_first(R.np, R.nrec, i + 1) - first;

	if (R.fail[0] && i >= R.fail_i)
		return;
	R.fail_i = i;
	pd_fitbatch_failure(R.fail, sizeof R.fail, R.x + first * pd_optim_dim(R.o), n, pd_optim_dim(R.o), why, whylen);
}

/* Coordinator: one record's value, or with --fitness-input lines its
 * points' values; successes in any order, failures in input order. */
static void result_cb(void *arg, const struct pd_coord_result *r)
{
	long i = r->lineno - 1 - R.base, first, n;
	char err[PD_ERRLEN], why[PD_ERRLEN + 80];

	(void)arg;
	if (i < 0 || i >= R.nrec)
		return;
	if (r->status != PD_R_OK) {
		record_failed(i, r->out, r->outlen);
		return;
	}
	R.fitness_ms += r->ms;
	if (O.fitness_in != 'l') {
		pd_f64_get(&R.f[i], r->out, 1);
		R.got++;
		return;
	}
	first = pd_fitbatch_first(R.np, R.nrec, i);
	n = pd_fitbatch_first(R.np, R.nrec, i + 1) - first;
	if (pd_fitbatch_values(r->out, r->outlen, n, R.f + first, err, sizeof err)) {
		/* the generation stays short: drained_cb ends the run */
		snprintf(why, sizeof why, "'%.60s%s' printed %s", O.fitness_cmd, strlen(O.fitness_cmd) > 60 ? "..." : "",
			 err);
		record_failed(i, why, strlen(why));
		return;
	}
	R.got += n;
}

static void note_cb(void *arg, const char *msg)
{
	(void)arg;
	progress_clear();
	pd_cli_say("%s", msg);
}

static void note_plain(const char *msg) { note_cb(NULL, msg); }

/* Coordinator: the generation is evaluated; tell, record, go on or end. */
static void drained_cb(void *arg)
{
	char err[PD_ERRLEN];
	int restarted;
	double t0;
	long i;

	(void)arg;
	if (R.got != R.np) {
		pd_coord_end_input(R.coord);
		return;
	}
	R.eval_ms = (now_s() - R.fed_s) * 1e3;
	t0 = now_s();
	if (O.maximize)
		for (i = 0; i < R.np; i++)
			R.f[i] = -R.f[i];
	pd_optim_tell(R.o, R.f);
	R.update_ms += (now_s() - t0) * 1e3;
	R.base += R.nrec;
	R.stop = should_stop(&restarted);
	record_iteration(R.f, R.np, restarted);
	if (restarted && !O.quiet) {
		progress_clear();
		pd_cli_say("restart %d: population %d%s%s", pd_optim_restarts(R.o), pd_optim_npoints(R.o),
			   pd_optim_regime(R.o) ? ", " : "", pd_optim_regime(R.o) ? pd_optim_regime(R.o) : "");
	}
	progress(0);
	if (O.checkpoint && (R.stop || pd_optim_iter(R.o) % O.every == 0) &&
	    pd_checkpoint_write(O.checkpoint, R.job, O.maximize, &O.params, R.o, err)) {
		progress_clear();
		pd_cli_say("%s", err);
		R.code = PD_EX_OSERR;
		R.stop = "checkpoint failed";
	}
	if (R.stop)
		pd_coord_end_input(R.coord);
	else
		feed_generation();
}

/* Evaluate generations over the selected hosts until a stop; exit status. */
int run_search(struct pd_hostsel *sel, const char *job, size_t joblen)
{
	struct pd_coord_cb cb = {result_cb, note_cb, NULL, NULL, drained_cb, NULL};
	struct event_base *base = event_base_new();
	char err[PD_ERRLEN];
	pid_t embedded;
	int code;

	R.coord = pd_hostsel_coord(sel, O.nodes ? (int)O.nodes : pd_ncpus(), base, &(struct pd_coord_opts){
	    .job_path = R.jobpath, .sym = R.sym, .src = R.src, .job = job, .job_len = joblen, .key = sel->key,
	    .client = "pd-opt", .in_fd = -1, .fitness = !R.args, .args = R.args, .nul = O.fitness_in == 'l',
	    .f64_dim = O.fitness_in == 'l' ? 0 : pd_optim_dim(R.o),
	    /* a program's points go as text lines: the runner is a map job */
	    .f64_text = R.args || (getenv("PD_OPT_TEXT_POINTS") && *getenv("PD_OPT_TEXT_POINTS")),
	    .max_slots = (int)O.nodes, .gpu = (int)O.gpu,
	    .run = O.run, .halt = 1, .order = PD_ORDER_FAILURES}, &cb, NULL, &embedded, note_plain, err);
	if (!R.coord) {
		pd_cli_say("%s", err);
		event_base_free(base);
		return PD_EX_UNAVAILABLE;
	}
	clock_gettime(CLOCK_MONOTONIC, &R.last_progress);
	feed_generation();
	code = pd_coord_run(R.coord, err);
	progress_clear();
	if (!code && R.fail[0]) /* a batch's output that gave no values */
		code = PD_EX_JOBFAIL;
	if (code == PD_EX_JOBFAIL)
		pd_cli_say("fitness failed %s", R.fail[0] ? R.fail : err);
	else if (code)
		pd_cli_say("%s", err);
	pd_coord_free(R.coord);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	(void)embedded;
	return code ? code : R.code;
}
