/* cmaes.h - the CMA-ES core of pd-opt: ask/tell, IPOP restarts, exact save/load. */
#ifndef PD_OPT_CMAES_H
#define PD_OPT_CMAES_H

#include <stddef.h>
#include <stdint.h>

#include "opt/rng.h"

struct pd_buf;

/*
 * (mu/mu_w, lambda)-CMA-ES after Hansen, "The CMA Evolution Strategy: A
 * Tutorial" (purecmaes), with its default strategy parameters: lambda =
 * 4 + floor(3 ln n), mu = floor(lambda / 2), log weights, cc, cs, c1, cmu,
 * damps as there; the eigendecomposition of C (cyclic Jacobi) is updated
 * lazily, every lambda / (c1 + cmu) / n / 10 evaluations.
 *
 * Coordinates.  The search runs in normalised coordinates y, where
 * x = lo + (hi - lo) * y: the initial interval [lo, hi] of every parameter
 * is [0, 1].  sigma (and sigma0) are in these units: the default sigma0 is
 * 0.3, i.e. 0.3 * (hi - lo) in each parameter.  The first mean is the
 * middle of [lo, hi] (deterministic); each IPOP restart draws a new mean
 * uniformly in [lo, hi] from the seeded stream.
 *
 * Hard bounds [min, max] (min <= lo, max >= hi, may be infinite) are never
 * violated by an asked point: a point outside them is resampled (the whole
 * vector, up to PD_CMAES_TRIES draws), then clamped into the box.  A
 * clamped point is used in the update as evaluated, its step shortened to
 * a Mahalanobis norm of sqrt(n) + 2n / (n + 2) (tutorial, injected
 * solutions); the mean, a convex combination of in-bound points, stays in.
 *
 * Fitness is minimised: to maximise, tell the negated values.  NaN and
 * +-infinity rank worst (below every finite value, in index order among
 * themselves) and are counted in nonfinite; they never become the best.
 *
 * Random numbers: xoshiro256** seeded through splitmix64 from the seed
 * only, normal deviates by Marsaglia's polar method.  The sequence depends
 * on nothing but the seed and the calls, so a seed gives bit-identical
 * results however the asked points are evaluated.
 *
 * All state lives in the struct; pd_cmaes_save() writes all of it as text
 * (doubles as the 16 hex digits of their bits), so save -> load -> go on
 * is bit-identical to an uninterrupted run, also between ask and tell.
 */

#define PD_CMAES_MAXDIM 1000
#define PD_CMAES_MAXLAMBDA 1000000
#define PD_CMAES_TRIES 10 /* draws of a point before it is clamped */

/* Why a run should stop (or restart); 0 while it should go on. */
enum pd_cmaes_stop {
	PD_CMAES_GOING = 0,
	PD_CMAES_TOLFUN,	/* best values of recent iterations within tolfun */
	PD_CMAES_TOLX,		/* sigma * pc and sigma * sqrt(C_ii) below tolx */
	PD_CMAES_CONDITION,	/* condition number of C above 1e14 */
	PD_CMAES_NOEFFECTAXIS,	/* 0.1 sigma along an axis leaves the mean */
	PD_CMAES_NOEFFECTCOORD, /* 0.2 sigma in a coordinate leaves the mean */
	PD_CMAES_TOLUPSIGMA	/* sigma grew absurdly: diverging */
};

/* One entry of the ranking of a generation (internal). */
struct pd_cmaes_rank {
	double f;
	int bad; /* non-finite */
	int i;
};

struct pd_cmaes {
	int n, lambda, mu;
	/* strategy parameters, derived from n and lambda */
	double *w, mueff, cc, cs, c1, cmu, damps, chin;
	int histlen;
	/* the problem (user coordinates) and its hard bounds normalised */
	double *lo, *hi, *min, *max, *ymin, *ymax;
	double sigma0, tolfun, tolx; /* tolerances may be set after init */
	/* the distribution (normalised coordinates) */
	double *mean, *pc, *ps, *C, *B, *D, *invsqrtc, sigma;
	long long evals, eigeneval, iter, gen, nonfinite;
	int restarts;
	struct pd_rng rng;
	/* the asked generation: lambda * n normalised points */
	int asked;
	double *arx;
	unsigned char *repaired;
	/* best ever (user coordinates) and recent history for TOLFUN */
	double *best_x, best_f, *hist, fworst;
	int hist_n, hist_pos;
	/* scratch */
	double *work, *tmp, *tmp2, *mold;
	struct pd_cmaes_rank *rank;
};

/*
 * Set up a search of dim parameters in the initial intervals [lo[i],
 * hi[i]] (lo < hi, finite) within hard bounds [min[i], max[i]] (NULL: the
 * same as lo / hi).  sigma0 is in units of hi - lo (0: 0.3); lambda 0 is
 * the default.  Returns 0, or -1 with err filled (nothing to release).
 */
int pd_cmaes_init(struct pd_cmaes *c, int dim, const double *lo, const double *hi,
		  const double *min, const double *max, double sigma0, int lambda,
		  uint64_t seed, char *err);
/* Free what init or load allocated; safe on a zeroed or released struct. */
void pd_cmaes_release(struct pd_cmaes *c);

/* Fill x (lambda * dim, row-major, user coordinates) with the points to
 * evaluate, all inside the hard bounds.  Asking again redraws them. */
void pd_cmaes_ask(struct pd_cmaes *c, double *x);
/* Tell the lambda fitness values (minimised) of the asked points; does
 * nothing if no points are pending. */
void pd_cmaes_tell(struct pd_cmaes *c, const double *f);

/* The stop test; call after tell. */
enum pd_cmaes_stop pd_cmaes_stop(const struct pd_cmaes *c);
const char *pd_cmaes_stop_name(enum pd_cmaes_stop s);
/*
 * IPOP restart: population times factor, new mean uniform in [lo, hi],
 * sigma0, fresh paths and C; keeps the best ever, the counters and the
 * random stream.  Returns 0, or -1 with err (state unchanged).
 */
int pd_cmaes_restart(struct pd_cmaes *c, int factor, char *err);

/* Best value ever (INFINITY before any finite one); its point into x
 * (dim values, may be NULL; the first mean before any). */
double pd_cmaes_best(const struct pd_cmaes *c, double *x);
/* The current mean in user coordinates (clamped to the hard bounds). */
void pd_cmaes_mean(const struct pd_cmaes *c, double *x);
long long pd_cmaes_evals(const struct pd_cmaes *c);
long long pd_cmaes_iter(const struct pd_cmaes *c);
long long pd_cmaes_nonfinite(const struct pd_cmaes *c);
double pd_cmaes_sigma(const struct pd_cmaes *c); /* normalised units */
int pd_cmaes_lambda(const struct pd_cmaes *c);
int pd_cmaes_restarts(const struct pd_cmaes *c);

/* Append the whole state to out as text. */
void pd_cmaes_save(const struct pd_cmaes *c, struct pd_buf *out);
/* Rebuild c (not initialised, or released) from saved text.  Returns 0,
 * or -1 with err filled and nothing to release. */
int pd_cmaes_load(struct pd_cmaes *c, const char *text, size_t len, char *err);

#endif
