/* ga.h - island genetic algorithm for pd-opt: seeded ask/tell, exact save/load. */
#ifndef PD_OPT_GA_H
#define PD_OPT_GA_H

#include <stddef.h>
#include <stdint.h>

#include "opt/rng.h"

struct pd_buf;

/*
 * The island model of Playdoh (paper section 2.2, Figure 2B): K islands
 * of popsize individuals evolve independently; every migration_interval
 * generations the best migration_proportion of each island replace the
 * worst of the next island in a ring.  Each generation keeps the elite
 * proportion unchanged, makes the crossover proportion from selected
 * parents, and mutates the rest (Playdoh's proportions; defaults in
 * ga.c and pd-opt(1)).  Each island draws from its own stream derived
 * from the seed, so islands are an algorithm parameter and the result
 * does not depend on how the points are evaluated.
 *
 * Every asked point lies inside the hard bounds [min, max]; the first
 * population is uniform in [lo, hi].  Fitness is minimised; NaN and
 * +-infinity count as worse than any finite value, are counted in
 * nonfinite and never become a best.
 */
struct pd_ga_params {
	int islands;		  /* 0: 1 */
	int popsize;		  /* per island; 0: the default (100) */
	double elite, crossover, mutation; /* proportions; < 0 (or all 0): the defaults */
	int migration_interval;	  /* generations; 0: the default (20) */
	double migration_proportion; /* < 0 or 0: the default */
};

struct pd_ga;

struct pd_ga *pd_ga_new(int dim, const double *lo, const double *hi, const double *min,
			const double *max, const struct pd_ga_params *par, uint64_t seed, char *err);
void pd_ga_free(struct pd_ga *g);

int pd_ga_npoints(const struct pd_ga *g); /* islands * popsize, island-major */
void pd_ga_ask(struct pd_ga *g, double *x);
void pd_ga_tell(struct pd_ga *g, const double *f);

double pd_ga_best(const struct pd_ga *g, double *x);
long long pd_ga_evals(const struct pd_ga *g);
long long pd_ga_iter(const struct pd_ga *g);
long long pd_ga_nonfinite(const struct pd_ga *g);
/* Mutation step size for the trace, in units of (hi - lo). */
double pd_ga_spread(const struct pd_ga *g);

void pd_ga_save(const struct pd_ga *g, struct pd_buf *out);
struct pd_ga *pd_ga_load(const char *text, size_t len, char *err);

#endif
