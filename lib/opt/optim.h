/* optim.h - one face for pd-opt's three optimisers: CMA-ES, PSO, island GA. */
#ifndef PD_OPT_OPTIM_H
#define PD_OPT_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "opt/param.h"

struct pd_buf;

enum pd_algo { PD_ALGO_CMAES, PD_ALGO_PSO, PD_ALGO_GA };

/* Algorithm settings; 0 (or negative proportions) means the default of
 * each algorithm (documented in its header and in pd-opt(1)). */
struct pd_optim_conf {
	enum pd_algo algo;
	uint64_t seed;
	int popsize;	 /* CMA-ES lambda, PSO particles, GA individuals per island */
	double sigma0;	 /* CMA-ES, in units of HI - LO */
	int restarts;	 /* CMA-ES: IPOP restarts (BIPOP, NBIPOP: large-population runs) allowed */
	int restart_mode; /* CMA-ES: enum pd_cmaes_restart_mode (opt/cmaes.h), IPOP 0 */
	int noise;	 /* CMA-ES: uncertainty handling (UH-CMA-ES) */
	const double *x0;   /* dim: the start point (CMA-ES mean, PSO particle 1,
			     * GA individual 1), or NULL; not kept */
	const double *step; /* dim: CMA-ES initial step per parameter, or NULL */
	double omega, cl, cg; /* PSO */
	int pso_rule;	      /* PSO: PD_PSO_LINEAR or PD_PSO_CLASSIC (opt/pso.h) */
	int islands, migration_interval; /* GA */
	double elite, crossover, mutation, migration_proportion;
};

/*
 * An optimiser that minimises: ask for points, tell their values, until
 * the caller's budget or the algorithm's own stop.  The points depend on
 * the seed and the told values only, so however they are evaluated a
 * seed gives the same run, bit for bit.
 */
struct pd_optim;

/* A new optimiser over the parameters p (copied); NULL with err. */
struct pd_optim *pd_optim_new(const struct pd_params *p, const struct pd_optim_conf *conf, char *err);
void pd_optim_free(struct pd_optim *o);

const char *pd_optim_algo_name(enum pd_algo a);
/* "cmaes" / "pso" / "ga" to the enum; -1 when unknown. */
int pd_optim_algo_parse(const char *s);

enum pd_algo pd_optim_algo(const struct pd_optim *o);
int pd_optim_dim(const struct pd_optim *o);
/* Points the next ask gives (it may change after an IPOP restart). */
int pd_optim_npoints(const struct pd_optim *o);
/* The next points, npoints * dim row-major, all within the hard bounds;
 * valid until the next ask.  Asking again without a tell redraws. */
const double *pd_optim_ask(struct pd_optim *o);
/* The values of the asked points (minimised; non-finite ones rank worst). */
void pd_optim_tell(struct pd_optim *o, const double *f);

/*
 * After a tell: NULL to go on, or why the algorithm stopped by itself
 * ("tolfun", ...).  A CMA-ES with restarts left restarts instead (IPOP:
 * population doubled; BIPOP: a large or a small run), returns NULL and
 * sets *restarted.
 */
const char *pd_optim_converged(struct pd_optim *o, int *restarted, char *err);

double pd_optim_best(const struct pd_optim *o, double *x); /* best ever, INFINITY before */
long long pd_optim_evals(const struct pd_optim *o);
long long pd_optim_iter(const struct pd_optim *o);
long long pd_optim_nonfinite(const struct pd_optim *o);
int pd_optim_restarts(const struct pd_optim *o);
/* The kind of the current CMA-ES run under BIPOP, "large" or "small"
 * (the first run is "small" in its budget); NULL otherwise. */
const char *pd_optim_regime(const struct pd_optim *o);
/* Step size for the trace (CMA-ES sigma, PSO spread, GA mutation step),
 * in units of HI - LO. */
double pd_optim_step(const struct pd_optim *o);

/* The whole state as text; load rebuilds it bit for bit (NULL with err). */
void pd_optim_save(const struct pd_optim *o, struct pd_buf *out);
struct pd_optim *pd_optim_load(const char *text, size_t len, char *err);

#endif
