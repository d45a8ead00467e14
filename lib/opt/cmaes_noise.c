/* cmaes_noise.c - UH-CMA-ES: the rank-change measure of uncertainty and its treatment. */
#include "opt/cmaes.h"

#include <math.h>
#include <stdlib.h>

#include "opt/cmaesint.h"

#define UH_THETA 0.5 /* the percentile of the rank-change limit, in units of 50 % */
#define UH_CUM 0.3   /* cumulation of the measure */

/* The p-th percentile of sorted d[0..n-1], interpolated as pycma's prctile. */
static double prctile(const double *d, int n, double p)
{
	double fi = p * n / 100 - 0.5;
	int i;

	if (fi <= 0)
		return d[0];
	if (fi >= n - 1)
		return d[n - 1];
	i = (int)fi;
	return (i + 1 - fi) * d[i] + (fi - i) * d[i + 1];
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Delta^lim_theta(r): the theta-percentile of |q - r|, q = 1 .. 2 lambda - 1
 * (scratch: the last 2 lambda entries of c->fu). */
static double rank_limit(struct pd_cmaes *c, double r)
{
	int m = 2 * c->lambda - 1, q;
	double *d = c->fu + 2 * c->lambda;

	for (q = 1; q <= m; q++)
		d[q - 1] = fabs(q - r);
	qsort(d, (size_t)m, sizeof(*d), cmp_dbl);
	return prctile(d, m, UH_THETA * 50);
}

/* Value k of the two evaluations: k < lambda the first, else the second
 * (a point not re-evaluated counts twice with its one value). */
static double second(const struct pd_cmaes *c, const double *f, int k)
{
	int j = k - c->lambda;

	return k < c->lambda ? f[k] : j < c->nreev ? f[c->lambda + j] : f[j];
}

/*
 * Rank the 2 lambda values of both evaluations, then for each
 * re-evaluated point take its rank change less the limits expected by
 * chance (Hansen et al. 2009, eq. 3); the mean over those points.
 */
static double rank_change(struct pd_cmaes *c, const double *f)
{
	int lam = c->lambda, k, r0, r1, d;
	double s = 0, v;

	for (k = 0; k < 2 * lam; k++) {
		v = second(c, f, k);
		c->rank[k] = (struct pd_rank){isfinite(v) ? v : INFINITY, !isfinite(v), k, 0};
	}
	qsort(c->rank, (size_t)(2 * lam), sizeof(*c->rank), pd_rank_cmp);
	for (k = 0; k < 2 * lam; k++) /* the 0-based rank of value i */
		c->fu[c->rank[k].i] = k;
	for (k = 0; k < c->nreev; k++) {
		r0 = (int)c->fu[k], r1 = (int)c->fu[lam + k];
		d = r0 - r1;
		d -= (d > 0) - (d < 0);
		s += 2 * abs(d) - rank_limit(c, r0 + 1 - (r0 > r1)) - rank_limit(c, r1 + 1 - (r1 > r0));
	}
	return s / c->nreev;
}

/* Each point's median over its uh_k copies into c->agg (NaN counts as
 * +infinity, so a median is NaN-free unless most copies failed). */
static void aggregate(struct pd_cmaes *c, const double *f)
{
	int m = c->lambda + c->nreev, i, j, k = c->uh_k;
	double v[PD_CMAES_UH_MAXCOPIES];

	for (i = 0; i < m; i++) {
		for (j = 0; j < k; j++)
			v[j] = isnan(f[j * m + i]) ? INFINITY : f[j * m + i];
		qsort(v, (size_t)k, sizeof(*v), cmp_dbl);
		c->agg[i] = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
		if (isnan(c->agg[i])) /* inf - inf */
			c->agg[i] = INFINITY;
	}
}

double pd_cmaes_i_noise(struct pd_cmaes *c, const double *f)
{
	double alpha = 1 + 2.0 / (c->n + 10);
	int k;

	aggregate(c, f);
	c->uh_s += UH_CUM * (rank_change(c, c->agg) - c->uh_s);
	for (k = 0; k < c->lambda; k++)
		c->fu[k] = c->agg[k];
	/* a re-evaluated point ranks by the mean of its two values */
	for (k = 0; k < c->nreev; k++)
		c->fu[k] = (c->agg[k] + c->agg[c->lambda + k]) / 2;
	if (c->uh_s > 0)
		c->uh_evals = fmin(c->uh_evals * alpha, PD_CMAES_UH_MAXCOPIES);
	else
		c->uh_evals = fmax(c->uh_evals * pow(alpha, -0.25), 1);
	c->uh_k = (int)c->uh_evals;
	pd_cmaes_i_arx_reserve(c);
	return c->uh_s > 0 ? alpha : 1;
}
