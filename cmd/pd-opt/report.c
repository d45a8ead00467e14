/* report.c - what pd-opt tells: the progress line, the --trace file, the
 * summary, the best point on stdout, the --plot SVG. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "json.h"
#include "opt/optim.h"
#include "opt/svgplot.h"
#include "opt/trace.h"
#include "xmalloc.h"
#include "pdopt.h"

/* User-facing fitness from the minimised one. */
static double user_f(double f) { return O.maximize ? -f : f; }

/* Seconds since t. */
static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

/* One progress line on stderr: redrawn in place on a terminal, else at
 * most every two seconds. */
void progress(int force)
{
	int tty = isatty(2);

	if (O.quiet || (!force && !tty && since(&R.last_progress) < 2))
		return;
	if (tty && !force && since(&R.last_progress) < 0.1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &R.last_progress);
	fprintf(stderr, "%spd-opt: iteration %lld, %lld evaluations, best %.10g, step %.3g%s", tty ? "\r\033[K" : "",
		pd_optim_iter(R.o), pd_optim_evals(R.o), user_f(pd_optim_best(R.o, NULL)), pd_optim_step(R.o),
		tty ? "" : "\n");
	R.progress_drawn = tty;
}

/* Clear a progress line drawn in place. */
void progress_clear(void)
{
	if (R.progress_drawn)
		fputs("\r\033[K", stderr);
	R.progress_drawn = 0;
}

/* The iteration's record in the trace file and the plot's history. */
void record_iteration(const double *f, long n, int restarted)
{
	double best = user_f(pd_optim_best(R.o, NULL)), sum = 0;
	long i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(f[i]))
			sum += f[i], k++;
	if (R.trace) {
		fprintf(R.trace, "{\"iter\":%lld,\"evals\":%lld,\"best\":%.17g,\"mean\":", pd_optim_iter(R.o),
			pd_optim_evals(R.o), best);
		if (k)
			fprintf(R.trace, "%.17g", user_f(sum / (double)k));
		else
			fputs("null", R.trace);
		fprintf(R.trace, ",\"step\":%.17g,\"nonfinite\":%lld,\"restarts\":%d%s", pd_optim_step(R.o),
			pd_optim_nonfinite(R.o), pd_optim_restarts(R.o), restarted ? ",\"restarted\":true" : "");
		fprintf(R.trace, ",\"eval_ms\":%.3f,\"fitness_ms\":%.3f,\"update_ms\":%.3f}\n", R.eval_ms,
			R.fitness_ms, R.update_ms);
		if (fflush(R.trace) || ferror(R.trace)) {
			pd_cli_epipe(errno); /* --trace /dev/stdout | head: quietly */
			pd_cli_die(PD_EX_OSERR, "--trace %s: %s", O.trace, strerror(errno));
		}
	}
	if (R.hn == R.hcap) {
		R.hcap = R.hcap ? 2 * R.hcap : 256;
		R.hx = pd_xrealloc(R.hx, sizeof *R.hx * R.hcap);
		R.hy = pd_xrealloc(R.hy, sizeof *R.hy * R.hcap);
	}
	R.hx[R.hn] = (double)pd_optim_evals(R.o);
	R.hy[R.hn++] = best;
}

/* The best point on stdout: name=value lines, or one JSON object. */
static void print_result(void)
{
	double *x = pd_xmalloc(sizeof *x * (size_t)O.params.dim), best = user_f(pd_optim_best(R.o, x));
	cJSON *j, *p;
	char *text;
	int i;

	if (!O.json) {
		for (i = 0; i < O.params.dim; i++)
			printf("%s=%.17g\n", O.params.name[i], x[i]);
		printf("fitness=%.17g\n", best);
	} else {
		j = cJSON_CreateObject();
		p = cJSON_AddObjectToObject(j, "params");
		for (i = 0; i < O.params.dim; i++)
			pd_json_add_double(p, O.params.name[i], x[i]);
		pd_json_add_double(j, "fitness", isfinite(best) ? best : 0);
		cJSON_AddStringToObject(j, "algorithm", pd_optim_algo_name(pd_optim_algo(R.o)));
		cJSON_AddNumberToObject(j, "evaluations", (double)pd_optim_evals(R.o));
		cJSON_AddNumberToObject(j, "iterations", (double)pd_optim_iter(R.o));
		cJSON_AddNumberToObject(j, "restarts", pd_optim_restarts(R.o));
		cJSON_AddNumberToObject(j, "nonfinite", (double)pd_optim_nonfinite(R.o));
		cJSON_AddStringToObject(j, "stop", R.stop ? R.stop : "");
		text = cJSON_PrintUnformatted(j);
		puts(text);
		cJSON_free(text);
		cJSON_Delete(j);
	}
	free(x);
}

/* Write the --plot file; 0 or an exit status. */
static int write_plot(void)
{
	struct pd_buf svg = PD_BUF_INIT;
	char title[400];
	FILE *f;
	int ok;

	snprintf(title, sizeof title, "pd-opt %s: %s, best %s fitness", pd_optim_algo_name(pd_optim_algo(R.o)),
		 R.job, O.maximize ? "(highest)" : "(lowest)");
	pd_svg_plot(&svg, R.hx, R.hy, (int)R.hn, title, "evaluations", "best fitness");
	f = fopen(O.plot, "w");
	ok = f && fwrite(svg.data, 1, svg.len, f) == svg.len;
	if (f)
		ok &= fclose(f) == 0;
	pd_buf_release(&svg);
	if (!ok) {
		pd_cli_say("--plot %s: %s", O.plot, strerror(errno));
		return PD_EX_OSERR;
	}
	return 0;
}

/* The end of a run: summary on stderr, result on stdout, plot. */
int finish(int code)
{
	char restarts[40] = "";

	if (pd_optim_restarts(R.o))
		snprintf(restarts, sizeof restarts, ", %d restarts", pd_optim_restarts(R.o));
	/* A run that stopped before any evaluation has said why already: a
	 * "0 evaluations ... stopped early" summary would only bury it. */
	if ((!O.quiet || code) && (!code || pd_optim_evals(R.o) > 0))
		pd_cli_say("%s: %lld evaluations in %lld iterations%s; %s", pd_optim_algo_name(pd_optim_algo(R.o)),
			   pd_optim_evals(R.o), pd_optim_iter(R.o), restarts,
			   code ? "stopped early" : R.stop ? R.stop : "done");
	if (pd_optim_nonfinite(R.o))
		pd_cli_say("%lld evaluations gave NaN or infinity (ranked worst)", pd_optim_nonfinite(R.o));
	if (!code && pd_optim_evals(R.o))
		print_result();
	if (O.plot && R.hn && !code)
		code = write_plot();
	return code;
}

/* A resumed run's trace goes on from the checkpoint's iteration: the
 * lines a killed run wrote after its last checkpoint go. */
void trace_resume(void)
{
	char err[PD_ERRLEN];
	long dropped;

	if (pd_trace_cut(O.trace, pd_optim_iter(R.o), &dropped, err))
		pd_cli_die(PD_EX_OSERR, "--trace %s", err);
	if (dropped && !O.quiet)
		pd_cli_say("--trace %s: %ld line%s after the checkpoint's iteration %lld removed", O.trace, dropped,
			   dropped == 1 ? "" : "s", pd_optim_iter(R.o));
}
