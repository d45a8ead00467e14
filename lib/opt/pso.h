/* pso.h - particle swarm optimisation for pd-opt: seeded ask/tell, exact save/load. */
#ifndef PD_OPT_PSO_H
#define PD_OPT_PSO_H

#include <stddef.h>
#include <stdint.h>

#include "opt/asktell.h"
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
 *
 * The update, for particle k with position x, velocity v, own best p and
 * the swarm's best g (p itself while no finite value is known):
 *
 *	v = omega v + cl r1 (p - x) + cg r2 (g - x),	x = x + v
 *
 * With PD_PSO_LINEAR r1 and r2 are one pair of uniform draws per
 * particle and iteration, the "linear" rule of Wilke, Kok and Groenwold
 * (2007, Int. J. Numer. Meth. Eng. 70:985): rotation invariant, but it
 * searches only the plane of p - x and g - x and loses diversity.  With
 * PD_PSO_CLASSIC (Kennedy and Eberhart 1995 / Clerc and Kennedy 2002)
 * fresh r1, r2 are drawn per coordinate.  pd_pso_new() starts with
 * PD_PSO_LINEAR (what old saved states hold); pd-opt's default is
 * PD_PSO_DEFAULT, the classical rule: on 10-D Ackley it reached 4e-15 on
 * 5 of 5 seeds where the linear rule stalled at 2-3 on all 5, and it was
 * better on 10-D Rosenbrock (median 0.39 against 6.9); the linear rule
 * won only on 5-D Rosenbrock (0 against 0.013; with 80 particles and 150
 * iterations, 3e-10 against 0.31 over 25 seeds).  Velocities
 * start as (u - x) / 2 with u uniform in [lo, hi] (SPSO-2007) and are
 * clamped per coordinate to |v| <= hi - lo (Eberhart and Shi 2000:
 * Vmax = the dynamic range, with constriction).  A position leaving the
 * hard bounds is reflected off them and that velocity coordinate
 * reversed (not put on the bound with a zero velocity, which pins
 * particles to a wall and loses that coordinate's diversity).  The rule is chosen
 * with pd_pso_set_rule(), not in the parameters, so that code filling
 * struct pd_pso_params positionally stays valid.
 */
enum pd_pso_rule {
	PD_PSO_LINEAR = 0, /* one r1, r2 per particle */
	PD_PSO_CLASSIC = 1 /* one r1, r2 per coordinate (pd-opt's default) */
};
#define PD_PSO_DEFAULT PD_PSO_CLASSIC /* pd-opt's default rule (pd-opt(1) says why) */

#define PD_PSO_MAXDIM 1000
#define PD_PSO_MAXPARTICLES 1000000
#define PD_PSO_MAXSIZE 10000000 /* particles * dim */

struct pd_pso_params {
	int particles;		/* 0: the default (40) */
	double omega, cl, cg;	/* 0: the defaults above; omega < 2, cl, cg <= 10 */
};

struct pd_pso; /* defined in pso.c; allocated by init */

/* Set up a swarm of dim parameters (lo < hi finite, min <= lo, max >= hi,
 * min/max NULL: lo/hi; par NULL: all defaults).  Returns the swarm, or
 * NULL with err filled. */
struct pd_pso *pd_pso_new(int dim, const double *lo, const double *hi, const double *min,
			  const double *max, const struct pd_pso_params *par, uint64_t seed, char *err);
void pd_pso_free(struct pd_pso *p);
/* Choose the update rule (PD_PSO_LINEAR after new); it applies from the
 * next tell on and is saved.  Returns 0, or -1 with err for a bad rule. */
int pd_pso_set_rule(struct pd_pso *p, int rule, char *err);
/* Before the first tell: put particle 1 (and its own best) at x0, which
 * must lie within the hard bounds.  0, or -1 with err. */
int pd_pso_set_x0(struct pd_pso *p, const double *x0, char *err);

/* The ask/tell face (opt/asktell.h): pd_pso_npoints (the particles),
 * pd_pso_ask (their positions), pd_pso_tell (update the bests, then move
 * every particle), pd_pso_best, _evals, _iter, _nonfinite, pd_pso_spread
 * (the RMS distance of the particles from their mean), pd_pso_save and
 * pd_pso_load. */
PD_ASKTELL_DECLARE(pd_pso, struct pd_pso);

#endif
