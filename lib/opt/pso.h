/* pso.h - particle swarm optimisation for pd-opt: seeded ask/tell, exact save/load. */
#ifndef PD_OPT_PSO_H
#define PD_OPT_PSO_H

#include <stddef.h>
#include <stdint.h>

#include "opt/rng.h"

struct pd_buf;

/*
 * Global-best PSO with the constriction coefficients of Clerc and Kennedy
 * (2002) as defaults: omega 0.7298, cl = cg = 1.49618 (Playdoh's names:
 * omega the inertia, cl the pull toward a particle's own best, cg toward
 * the swarm's best).  Master-worker in Playdoh's sense: the swarm's best
 * is exchanged once per iteration (synchronous update).
 *
 * Every asked point lies inside the hard bounds [min, max]; the first
 * positions are uniform in [lo, hi].  Fitness is minimised; NaN and
 * +-infinity count as worse than any finite value, are counted in
 * nonfinite and never become a best.  A seed gives bit-identical runs.
 */
struct pd_pso_params {
	int particles;		/* 0: the default (40) */
	double omega, cl, cg;	/* 0: the defaults above */
};

struct pd_pso; /* defined in pso.c; allocated by init */

/* Set up a swarm of dim parameters (lo < hi finite, min <= lo, max >= hi,
 * min/max NULL: lo/hi).  Returns the swarm, or NULL with err filled. */
struct pd_pso *pd_pso_new(int dim, const double *lo, const double *hi, const double *min,
			  const double *max, const struct pd_pso_params *par, uint64_t seed, char *err);
void pd_pso_free(struct pd_pso *p);

int pd_pso_npoints(const struct pd_pso *p);	/* particles: points per ask */
/* Fill x (npoints * dim, row-major) with the positions to evaluate. */
void pd_pso_ask(struct pd_pso *p, double *x);
/* Tell the npoints values of the asked positions (minimised). */
void pd_pso_tell(struct pd_pso *p, const double *f);

double pd_pso_best(const struct pd_pso *p, double *x); /* best ever; x may be NULL */
long long pd_pso_evals(const struct pd_pso *p);
long long pd_pso_iter(const struct pd_pso *p);
long long pd_pso_nonfinite(const struct pd_pso *p);
/* The swarm's spread for the trace: RMS distance of the particles from
 * their mean, in units of (hi - lo). */
double pd_pso_spread(const struct pd_pso *p);

/* Append the whole state as text; load rebuilds it (NULL with err). */
void pd_pso_save(const struct pd_pso *p, struct pd_buf *out);
struct pd_pso *pd_pso_load(const char *text, size_t len, char *err);

#endif
