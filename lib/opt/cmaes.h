/* cmaes.h - the CMA-ES core of pd-opt: ask/tell, IPOP and BIPOP restarts, exact save/load. */
#ifndef PD_OPT_CMAES_H
#define PD_OPT_CMAES_H

#include <stddef.h>
#include <stdint.h>

#include "opt/boxtrans.h"
#include "opt/rank.h"
#include "opt/rng.h"

struct pd_buf;

/*
 * (mu/mu_w, lambda)-CMA-ES after Hansen, "The CMA Evolution Strategy: A
 * Tutorial" (purecmaes), with its default strategy parameters: lambda =
 * 4 + floor(3 ln n), mu = floor(lambda / 2), log weights, cc, cs, c1, cmu,
 * damps as there, and its active covariance update (Jastrebski and Arnold
 * 2006, pycma's default): the worst lambda - mu points get negative
 * weights, scaled as the tutorial's eq. 53 and by n / |C^-1/2 y|^2, which
 * shrinks C along directions known to be bad; the eigendecomposition of C (cyclic Jacobi) is updated
 * lazily, every lambda / (c1 + cmu) / n / 10 evaluations.
 *
 * Coordinates.  The search runs in normalised coordinates y, where
 * x = lo + (hi - lo) * y: the initial interval [lo, hi] of every parameter
 * is [0, 1].  sigma (and sigma0) are in these units: the default sigma0 is
 * 0.3, i.e. 0.3 * (hi - lo) in each parameter.  The first mean is the
 * middle of [lo, hi] (deterministic); each IPOP restart draws a new mean
 * uniformly in [lo, hi] from the seeded stream.
 *
 * Hard bounds [min, max] (min <= lo, max >= hi, may be infinite) are
 * handled by Hansen's box transformation (opt/boxtrans.h, pycma's
 * BoundTransform): the distribution lives in unbounded coordinates and
 * each point is evaluated at its image in the box, so no point is ever
 * outside the bounds, none is resampled or clamped, and an optimum on a
 * bound is reached at the usual rate.  The best point, the mean and the
 * start point are given in the box.
 *
 * A start point x0 and a step per parameter (pd_cmaes_start) replace
 * the middle of [lo, hi] and sigma0 (hi - lo) for the first run; the
 * steps make C diagonal, sigma0 their largest in units of hi - lo.
 *
 * Uncertainty handling (pd_cmaes_set_noise, UH-CMA-ES after Hansen,
 * Niederberger, Guzzella and Koumoutsakos, IEEE TEC 13(1), 2009):
 * every generation asks lambda + r points, the last r re-evaluating the
 * first r (r = ceil(1.5 + lambda / 20)) at a point moved by 1e-7 sigma;
 * the two values of a re-evaluated point are averaged for the update,
 * and the rank change between them measures the noise.  When its
 * smoothed value s (cumulation 0.3, threshold theta 0.5) is above 0, the
 * treatment is pycma's NoiseHandler's: sigma and the evaluations per
 * point are multiplied by alpha = 1 + 2 / (n + 10); below 0 the
 * evaluations shrink by alpha^-1/4 (at least 1, at most
 * PD_CMAES_UH_MAXCOPIES).  A point evaluated k times is asked k times,
 * the copies moved by 1e-7 sigma, and ranks by the median of its values.
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
#define PD_CMAES_UH_MAXCOPIES 20 /* uncertainty handling: evaluations per point */

/* Why a run should stop (or restart); 0 while it should go on. */
enum pd_cmaes_stop {
	PD_CMAES_GOING = 0,
	PD_CMAES_TOLFUN,	/* best values of recent iterations within tolfun */
	PD_CMAES_TOLX,		/* sigma * pc and sigma * sqrt(C_ii) below tolx */
	PD_CMAES_CONDITION,	/* condition number of C above 1e14 */
	PD_CMAES_NOEFFECTAXIS,	/* 0.1 sigma along an axis leaves the mean */
	PD_CMAES_NOEFFECTCOORD, /* 0.2 sigma in a coordinate leaves the mean */
	PD_CMAES_TOLUPSIGMA,	/* sigma grew absurdly: diverging */
	PD_CMAES_MAXITER	/* a BIPOP small run used its iterations */
};

/* The restart strategies after a stop (pd_cmaes_restart_next). */
enum pd_cmaes_restart_mode {
	PD_CMAES_IPOP = 0, /* population doubled at each restart */
	PD_CMAES_BIPOP = 1, /* Hansen 2009: large (IPOP) and small runs interleaved */
	PD_CMAES_NBIPOP = 2 /* Loshchilov 2012: the same, the budget following the best */
};

struct pd_cmaes {
	int n, lambda, mu;
	/* strategy parameters, derived from n and lambda */
	double *w, wsum, mueff, cc, cs, c1, cmu, damps, chin; /* w: lambda weights */
	double *wo; /* lambda: the weights of this update (scratch) */
	int histlen;
	/* the problem (user coordinates) and its hard bounds normalised */
	double *lo, *hi, *min, *max, *ymin, *ymax;
	double sigma0, tolfun, tolx; /* tolerances may be set after init */
	/* the distribution (normalised coordinates) */
	double *mean, *pc, *ps, *C, *B, *D, *invsqrtc, sigma;
	double *stds; /* initial standard deviation per coordinate, over sigma0 */
	long long evals, eigeneval, iter, gen, nonfinite;
	int restarts;
	struct pd_rng rng;
	/* restarts: the first run's lambda and sigma0; BIPOP's budgets */
	int mode, lambda_def, nlarge, regime; /* regime: 0 small (BIPOP: and the first), 1 large */
	int best_regime; /* the regime of the run that found best_f; -1 before */
	double sigma_def;
	long long budget[2], run_start, maxgen; /* maxgen 0: no limit */
	/* uncertainty handling: on, re-evaluations per generation, measure,
	 * evaluations per point (uh_k = floor(uh_evals)) */
	int uh, nreev, uh_k;
	double uh_s, uh_evals;
	/* the asked generation: (lambda + nreev) * uh_k unbounded points,
	 * copy j of point i in row j (lambda + nreev) + i */
	int asked;
	double *arx, *agg; /* agg: lambda + nreev values, each point's median */
	size_t arx_rows;   /* rows allocated */
	struct pd_boxtrans *box; /* n: the hard bounds, normalised */
	/* best ever (user coordinates) and recent history for TOLFUN */
	double *best_x, best_f, *hist, fworst;
	int hist_n, hist_pos;
	/* scratch */
	double *work, *tmp, *tmp2, *mold;
	double *fu; /* 4 (lambda + r): the values used for the update; scratch */
	struct pd_rank *rank; /* 2 (lambda + r) */
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

/*
 * Before the first ask: start at x0 (dim values within the hard bounds,
 * or NULL: the middle of [lo, hi]) with the initial standard deviation
 * step[i] of parameter i in its own units (or NULL: sigma0 (hi - lo)).
 * Returns 0, or -1 with err naming the parameter (state unchanged).
 */
int pd_cmaes_start(struct pd_cmaes *c, const double *x0, const double *step, char *err);
/* Uncertainty handling on (1) or off (0), before the first ask. */
void pd_cmaes_set_noise(struct pd_cmaes *c, int on);

/* Points per ask: lambda, plus the re-evaluations with uncertainty handling. */
int pd_cmaes_npoints(const struct pd_cmaes *c);
/* Fill x (npoints * dim, row-major, user coordinates) with the points to
 * evaluate, all inside the hard bounds.  Asking again redraws them. */
void pd_cmaes_ask(struct pd_cmaes *c, double *x);
/* Tell the npoints fitness values (minimised) of the asked points; does
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
/*
 * The restart of the strategy mode (pd_cmaes_set_restart_mode): IPOP
 * doubles the population; BIPOP (Hansen, "Benchmarking a BI-population
 * CMA-ES on the BBOB-2009 function testbed", GECCO 2009, with pycma's
 * budget accounting) counts the evaluations of the run just ended in the
 * small regime (the first run and small runs) or the large one, then
 * starts a small run while the small budget is below the large one:
 * lambda = floor(lambda_def * (lambda_l / lambda_def)^(u^2)), lambda_l the
 * last large population, sigma0 = sigma_def * 10^(-2 u'), at most half
 * the large budget / lambda iterations; otherwise a large run, lambda_def
 * * 2^k for the k-th, sigma_def.  u, u' uniform from the seeded stream.
 * NBIPOP (Loshchilov, Schoenauer and Sebag, "Alternative Restart
 * Strategies for CMA-ES", PPSN 2012) counts the first run as the large
 * regime's, gives the regime that found the best value twice the other's
 * budget (the same before any), starts small runs at lambda_def and large
 * ones at sigma_def / 1.6^k.
 * large_left: large runs allowed; *large is set when one was started.
 * Returns 0 (restarted), 1 (no restart left: the search is over) or -1
 * with err.
 */
int pd_cmaes_restart_next(struct pd_cmaes *c, int large_left, int *large, char *err);
void pd_cmaes_set_restart_mode(struct pd_cmaes *c, enum pd_cmaes_restart_mode m);

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
