/* ga.h - island genetic algorithm for pd-opt: seeded ask/tell, exact save/load. */
#ifndef PD_OPT_GA_H
#define PD_OPT_GA_H

#include <stddef.h>
#include <stdint.h>

#include "opt/asktell.h"
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
 *
 * Operators (ga.c), all in units of each parameter's hi - lo:
 *  - ranking: by value, non-finite last, ties by index; selection is a
 *    binary tournament on the ranks (Goldberg and Deb 1991);
 *  - elite: the best ceil(elite * popsize) go on unchanged (and are
 *    asked again: every generation asks all npoints);
 *  - crossover: floor(crossover * popsize) children of two tournament
 *    winners by BLX-0.5 (Eshelman and Schaffer 1993): each coordinate
 *    uniform on the parents' interval widened by half its length;
 *  - mutation: the rest, a tournament winner plus a normal step of
 *    standard deviation sigma (hi - lo) in every coordinate; each island
 *    adapts its sigma by Rechenberg's 1/5 success rule, comparing every
 *    mutant with its parent (sigma starts at 0.1, stays in [1e-12, 1]);
 *  - a coordinate leaving the hard bounds is reflected off them
 *    (pd_opt_reflect: as often as it takes, never clamped).
 * Defaults are Playdoh's: elite 0.05, crossover 0.65, mutation 0.30,
 * migration every 20 generations of ceil(0.2 * popsize) individuals.
 * Migration (islands > 1) is synchronous: after the tell of every
 * migration_interval-th generation, copies of the best of every island
 * are taken first, then each replaces the worst of the next island
 * (k -> k + 1 mod islands), before the next generation is bred.
 */
#define PD_GA_MAXDIM 1000
#define PD_GA_MAXISLANDS 10000
#define PD_GA_MAXPOINTS 10000000 /* islands * popsize */
#define PD_GA_MAXSIZE 20000000	 /* islands * popsize * dim */

#define PD_GA_ELITE_DEFAULT 0.05
#define PD_GA_CROSSOVER_DEFAULT 0.65 /* mutation: the rest, 0.30 */

struct pd_ga_params {
	int islands;		  /* 0: 1 */
	int popsize;		  /* per island; 0: the default (100); at least 2 */
	double elite, crossover, mutation; /* proportions; all 0 or all < 0: the
					    * defaults; else each >= 0, summing to 1
					    * within 1e-9 (an error otherwise) */
	int migration_interval;	  /* generations; 0: the default (20) */
	double migration_proportion; /* < 0 or 0: the default (0.2); at most 1 */
};

struct pd_ga;

/* Set up islands of dim parameters (lo < hi finite, min <= lo, max >= hi,
 * min/max NULL: lo/hi; par NULL: all defaults).  Returns the GA, or NULL
 * with err filled. */
struct pd_ga *pd_ga_new(int dim, const double *lo, const double *hi, const double *min,
			const double *max, const struct pd_ga_params *par, uint64_t seed, char *err);
void pd_ga_free(struct pd_ga *g);

/* Before the first tell: make individual 1 of island 1 x0, which must
 * lie within the hard bounds.  0, or -1 with err. */
int pd_ga_set_x0(struct pd_ga *g, const double *x0, char *err);

/* The ask/tell face (opt/asktell.h): pd_ga_npoints (islands * popsize,
 * island-major), pd_ga_ask (a whole generation), pd_ga_tell (bests, step
 * sizes, migration when due, then the next generation is bred),
 * pd_ga_best, _evals, _iter, _nonfinite, pd_ga_spread (the mutation step
 * size: the mean of the islands' sigmas), pd_ga_save and pd_ga_load. */
PD_ASKTELL_DECLARE(pd_ga, struct pd_ga);

#endif
