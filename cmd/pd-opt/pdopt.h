/* pdopt.h - what pd-opt's files share: its options and run state, and the
 * functions one file calls in another (cmd/pd-opt/: main.c the job and
 * the flow, optcli.c the options, search.c the generations through the
 * coordinator, report.c progress, trace, result and plot). */
#ifndef PD_PDOPT_H
#define PD_PDOPT_H

#include <stdio.h>
#include <time.h>

#include "coord.h"
#include "err.h"
#include "hostsel.h"
#include "opt/optim.h"
#include "opt/param.h"
#include "pathfmt.h"
#include "runopt.h"

/* Options. */
struct opts {
	struct pd_params params;
	struct pd_optim_conf conf;
	int maximize, json, quiet, have_target, seed_given;
	long dim, iterations, max_evals, nodes, every;
	long gpu; /* --gpu N; -1: a GPU job without it (every shared GPU slot) */
	struct pd_runopts run; /* --timeout, --mem, ... (runcli.h) */
	double target;
	const char *bounds, *hosts, *ssh, *trace, *plot, *checkpoint, *resume;
	const char *x0, *step; /* lists, parsed once the parameters are known */
	const char *fitness_cmd; /* --fitness-cmd: a program is the fitness */
	int fitness_in;		 /* --fitness-input: 'a'rgs, 'j'son, 'l'ines; 0: not given */
	long fitness_batch;	 /* --fitness-batch K: points per call (lines); 0: default */
	double *x0v, *stepv;
	int restarts_given, rule_given, sigma0_given;
};

/* The run: the optimiser, the generation being evaluated, the history. */
struct run {
	struct pd_optim *o;
	char job[256], jobpath[PD_PATH_MAX];
	char sym[256];		 /* the job asked of hosts ("" for a source without :NAME) */
	int src;		 /* the job is C source, compiled by each host */
	char *args;		 /* --fitness-cmd: the runner's argument string */
	struct pd_coord *coord;
	double *f;		 /* its values */
	const double *x;	 /* the generation's points (valid until the next ask) */
	long base, np;		 /* line number before the generation, its size */
	long nrec;		 /* its records: np, or fewer with --fitness-input lines */
	long got;		 /* values received */
	char fail[2 * PD_ERRLEN]; /* why an evaluation failed (the first by index) */
	long fail_i;		  /* that record's index in its generation */
	FILE *trace;
	double *hx, *hy;	 /* evaluations and best so far, per iteration */
	size_t hn, hcap;
	const char *stop;	 /* why the run ended */
	int code;
	struct timespec last_progress;
	int progress_drawn;
	/* the iteration's time, for the trace: fed at, job time reported by
	 * the workers, the optimiser's ask and tell */
	double fed_s, eval_ms, fitness_ms, update_ms;
};

extern struct opts O;
extern struct run R;

/* optcli.c */
extern const char *const usage_text;
/* Options of pd-opt, then the checks between them; exits 64 on bad ones. */
void parse_options(int argc, char **argv);
/* Without --iterations or --max-evals: the default budget. */
void default_budget(void);

/* search.c */
/* Evaluate generations over the selected hosts until a stop; exit status. */
int run_search(struct pd_hostsel *sel, const char *job, size_t joblen);

/* report.c */
/* One progress line on stderr (force: whatever the time since the last). */
void progress(int force);
/* Clear a progress line drawn in place. */
void progress_clear(void);
/* The iteration's record in the trace file and the plot's history. */
void record_iteration(const double *f, long n, int restarted);
/* A resumed run's trace goes on from the checkpoint's iteration. */
void trace_resume(void);
/* The end of a run: summary on stderr, result on stdout, plot; the exit status. */
int finish(int code);

#endif
