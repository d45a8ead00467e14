/* cmaes_restart.c - CMA-ES restarts: IPOP's doubling, BIPOP's and NBIPOP's two regimes. */
#include "opt/cmaes.h"

#include <math.h>

#include "err.h"
#include "opt/cmaesint.h"

#define NIPOP_SIGMA_DEC 1.6 /* NBIPOP's large runs: sigma0 / 1.6^k (Loshchilov 2012) */

/* A new run: population lambda, step sigma0 (normalised units), a mean
 * uniform in [lo, hi], fresh paths and C; at most maxgen iterations (0:
 * no limit).  Keeps the best ever, the counters and the random stream.
 * 0, or -1 with err (state unchanged). */
static int new_run(struct pd_cmaes *c, int lambda, double sigma0, long long maxgen, char *err)
{
	int i;

	if (lambda < 2 || lambda > PD_CMAES_MAXLAMBDA)
		return pd_err(err, "population %d out of range 2..%d", lambda, PD_CMAES_MAXLAMBDA), -1;
	pd_cmaes_i_free_lambda(c);
	c->lambda = lambda;
	pd_cmaes_i_alloc_lambda(c);
	for (i = 0; i < c->n; i++)
		c->mean[i] = pd_rng_unif(&c->rng);
	c->sigma0 = sigma0;
	pd_cmaes_i_reset_dist(c);
	c->maxgen = maxgen;
	c->run_start = c->evals;
	c->restarts++;
	return 0;
}

int pd_cmaes_restart(struct pd_cmaes *c, int factor, char *err)
{
	if (factor < 1 || c->lambda > PD_CMAES_MAXLAMBDA / factor)
		return pd_err(err, "population %d times %d exceeds %d", c->lambda, factor,
			      PD_CMAES_MAXLAMBDA), -1;
	return new_run(c, c->lambda * factor, c->sigma0, 0, err);
}

/* NBIPOP counts the first run as the large regime's (NIPOP's k = 0). */
void pd_cmaes_set_restart_mode(struct pd_cmaes *c, enum pd_cmaes_restart_mode m)
{
	c->mode = m;
	c->regime = m == PD_CMAES_NBIPOP;
}

/* The population of the k-th large run, lambda_def 2^k; -1 past the cap. */
static int large_lambda(const struct pd_cmaes *c, int k)
{
	double l = ldexp((double)c->lambda_def, k);

	return l > PD_CMAES_MAXLAMBDA ? -1 : (int)l;
}

/* BIPOP's small run: population between lambda_def and the last large
 * one, skewed small by u^2 (NBIPOP: lambda_def); sigma0 10^(-2u')
 * sigma_def; half the large budget in iterations. */
static int small_run(struct pd_cmaes *c, char *err)
{
	double u = pd_rng_unif(&c->rng), u2 = pd_rng_unif(&c->rng);
	double ratio = ldexp(1.0, c->nlarge); /* last large population / lambda_def */
	int lambda = (int)floor(c->lambda_def * pow(ratio, u * u));
	long long maxgen;

	if (c->mode == PD_CMAES_NBIPOP)
		lambda = c->lambda_def;
	lambda = lambda < 2 ? 2 : lambda;
	maxgen = (long long)(0.5 * (double)c->budget[1] / lambda);
	if (maxgen < 1)
		maxgen = 1;
	c->regime = 0;
	return new_run(c, lambda, c->sigma_def * pow(10, -2 * u2), maxgen, err);
}

/* Whether the next run is a small one: BIPOP while the small regime has
 * used less than the large; NBIPOP gives the regime that found the best
 * value twice the other's budget (before any, the same). */
static int small_turn(const struct pd_cmaes *c)
{
	long long s = c->budget[0], l = c->budget[1];

	if (c->mode == PD_CMAES_IPOP)
		return 0;
	if (c->mode == PD_CMAES_NBIPOP && c->best_regime == 1)
		return 2 * s < l;
	if (c->mode == PD_CMAES_NBIPOP && c->best_regime == 0)
		return s < 2 * l;
	return s < l;
}

int pd_cmaes_restart_next(struct pd_cmaes *c, int large_left, int *large, char *err)
{
	double sigma = c->sigma_def;
	int l;

	*large = 0;
	c->budget[c->regime] += c->evals - c->run_start;
	if (small_turn(c))
		return small_run(c, err) < 0 ? -1 : 0;
	if (large_left <= 0)
		return 1;
	if ((l = large_lambda(c, c->nlarge + 1)) < 0)
		return pd_err(err, "population %d times 2^%d exceeds %d", c->lambda_def, c->nlarge + 1,
			      PD_CMAES_MAXLAMBDA), -1;
	if (c->mode == PD_CMAES_NBIPOP) /* NIPOP: the step shrinks as the population grows */
		sigma = c->sigma_def * pow(NIPOP_SIGMA_DEC, -(double)(c->nlarge + 1));
	if (new_run(c, l, sigma, 0, err) < 0)
		return -1;
	c->nlarge++;
	c->regime = 1;
	*large = 1;
	return 0;
}
