/* cmaes.c - CMA-ES after Hansen's tutorial (purecmaes): set-up, ask/tell, stop tests. */
#include "opt/cmaes.h"
#include "opt/cmaesint.h"
#include "opt/eigen.h"
#include "opt/fields.h"
#include "opt/rng.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "xmalloc.h"

static double *dalloc(size_t n) { return pd_xcalloc(n, sizeof(double)); }

/* ---- set-up ---- */

/* Check the arguments of init; 0 or -1 with err. */
int pd_cmaes_i_check_args(int n, const double *lo, const double *hi, const double *min,
		      const double *max, double sigma0, int lambda, char *err)
{
	if (n < 1 || n > PD_CMAES_MAXDIM)
		return pd_err(err, "dimension %d out of range 1..%d", n, PD_CMAES_MAXDIM), -1;
	if (lambda != 0 && (lambda < 2 || lambda > PD_CMAES_MAXLAMBDA))
		return pd_err(err, "population %d out of range 2..%d", lambda, PD_CMAES_MAXLAMBDA), -1;
	if (!(sigma0 >= 0 && sigma0 <= 1e6))
		return pd_err(err, "initial step size %g out of range", sigma0), -1;
	return pd_opt_check_box(n, lo, hi, min, max, err);
}

/* Allocate the arrays whose size depends on n only. */
void pd_cmaes_i_alloc_dim(struct pd_cmaes *c)
{
	size_t n = (size_t)c->n;

	c->lo = dalloc(n), c->hi = dalloc(n), c->min = dalloc(n), c->max = dalloc(n);
	c->ymin = dalloc(n), c->ymax = dalloc(n), c->stds = dalloc(n);
	c->box = pd_xcalloc(n, sizeof(*c->box));
	c->mean = dalloc(n), c->pc = dalloc(n), c->ps = dalloc(n), c->D = dalloc(n);
	c->C = dalloc(n * n), c->B = dalloc(n * n), c->invsqrtc = dalloc(n * n);
	c->work = dalloc(n * n);
	c->best_x = dalloc(n), c->tmp = dalloc(n), c->tmp2 = dalloc(n), c->mold = dalloc(n);
}

/* Default strategy parameters for n and lambda (the tutorial's, 2016,
 * with the negative weights of active CMA-ES). */
static void set_params(struct pd_cmaes *c)
{
	double n = c->n, sum = 0, sum2 = 0, nsum = 0, nsum2 = 0, mueffm, scale;
	int i;

	c->mu = c->lambda / 2;
	for (i = 0; i < c->lambda; i++) {
		c->w[i] = log(c->lambda / 2.0 + 0.5) - log(i + 1.0);
		if (i < c->mu)
			sum += c->w[i], sum2 += c->w[i] * c->w[i];
		else
			nsum += c->w[i], nsum2 += c->w[i] * c->w[i];
	}
	c->mueff = sum * sum / sum2;
	mueffm = nsum2 > 0 ? nsum * nsum / nsum2 : 0;
	c->cc = (4 + c->mueff / n) / (n + 4 + 2 * c->mueff / n);
	c->cs = (c->mueff + 2) / (n + c->mueff + 5);
	c->c1 = 2 / ((n + 1.3) * (n + 1.3) + c->mueff);
	c->cmu = fmin(1 - c->c1, 2 * (c->mueff - 2 + 1 / c->mueff) / ((n + 2) * (n + 2) + c->mueff));
	c->damps = 1 + 2 * fmax(0, sqrt((c->mueff - 1) / (n + 1)) - 1) + c->cs;
	c->chin = sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
	c->histlen = 10 + (int)ceil(30 * n / c->lambda);
	/* positive weights sum to 1; negative ones to -min(alpha_mu^-,
	 * alpha_mueff^-, alpha_posdef^-) (tutorial, eq. 53) */
	scale = fmin(1 + c->c1 / c->cmu, 1 + 2 * mueffm / (c->mueff + 2));
	scale = fmin(scale, (1 - c->c1 - c->cmu) / (n * c->cmu));
	for (i = 0; i < c->lambda; i++)
		c->w[i] = i < c->mu ? c->w[i] / sum : nsum < 0 ? scale * c->w[i] / -nsum : 0;
	for (c->wsum = 0, i = 0; i < c->lambda; i++)
		c->wsum += c->w[i];
}

/* Re-evaluations per generation under uncertainty handling. */
int pd_cmaes_i_nreev(int lambda)
{
	int r = (int)ceil(1.5 + lambda / 20.0);

	return r < lambda ? r : lambda;
}

/* Allocate the arrays whose size depends on lambda, and set parameters;
 * room for the re-evaluations whether or not they are used. */
void pd_cmaes_i_alloc_lambda(struct pd_cmaes *c)
{
	size_t np = (size_t)c->lambda + (size_t)pd_cmaes_i_nreev(c->lambda);

	c->w = dalloc((size_t)c->lambda);
	c->wo = dalloc((size_t)c->lambda);
	c->arx_rows = np * (size_t)(c->uh_k > 1 ? c->uh_k : 1);
	c->arx = dalloc(c->arx_rows * (size_t)c->n);
	c->agg = dalloc(np);
	c->rank = pd_xcalloc(2 * np, sizeof(*c->rank));
	c->fu = dalloc(4 * np);
	set_params(c);
	c->hist = dalloc((size_t)c->histlen);
	c->nreev = c->uh ? pd_cmaes_i_nreev(c->lambda) : 0;
}

void pd_cmaes_i_free_lambda(struct pd_cmaes *c)
{
	free(c->w), free(c->wo), free(c->arx), free(c->rank), free(c->hist), free(c->fu), free(c->agg);
	c->w = c->wo = c->arx = c->hist = c->fu = c->agg = NULL;
	c->rank = NULL;
}

/* Hard bounds in normalised coordinates (infinite bounds stay infinite)
 * and their transformations, whose margins are pycma's in the user's
 * coordinates: min((max - min) / 2, (1 + |bound|) / 20).  (Taken in the
 * normalised box [0, 1] they were 5 % and 10 % of its width, and the
 * quadratic part reached into the region where BBOB puts its optima.) */
void pd_cmaes_i_set_ybounds(struct pd_cmaes *c)
{
	struct pd_boxtrans u;
	double w;
	int i;

	for (i = 0; i < c->n; i++) {
		w = c->hi[i] - c->lo[i];
		c->ymin[i] = (c->min[i] - c->lo[i]) / w;
		c->ymax[i] = (c->max[i] - c->lo[i]) / w;
		pd_boxtrans_init(&u, c->min[i], c->max[i]);
		pd_boxtrans_init(&c->box[i], c->ymin[i], c->ymax[i]);
		c->box[i].al = u.al / w;
		c->box[i].au = u.au / w;
	}
}

/* Start a fresh distribution around c->mean: sigma0, zero paths,
 * C = diag(stds^2). */
void pd_cmaes_i_reset_dist(struct pd_cmaes *c)
{
	int n = c->n, i;

	c->sigma = c->sigma0;
	memset(c->pc, 0, (size_t)n * sizeof(double));
	memset(c->ps, 0, (size_t)n * sizeof(double));
	memset(c->C, 0, (size_t)n * n * sizeof(double));
	memset(c->B, 0, (size_t)n * n * sizeof(double));
	memset(c->invsqrtc, 0, (size_t)n * n * sizeof(double));
	for (i = 0; i < n; i++) {
		c->C[i * n + i] = c->stds[i] * c->stds[i];
		c->B[i * n + i] = 1;
		c->invsqrtc[i * n + i] = 1 / c->stds[i];
		c->D[i] = c->stds[i];
	}
	c->eigeneval = c->evals;
	c->gen = 0;
	c->asked = 0;
	c->hist_n = c->hist_pos = 0;
	c->fworst = INFINITY;
	c->uh_s = 0;
}

/* Unbounded normalised point y to user coordinates x: through the box
 * transformation, then clamped against rounding. */
void pd_cmaes_i_to_user(const struct pd_cmaes *c, const double *y, double *x)
{
	int i;

	for (i = 0; i < c->n; i++) {
		x[i] = c->lo[i] + (c->hi[i] - c->lo[i]) * pd_boxtrans_fwd(&c->box[i], y[i]);
		if (x[i] < c->min[i])
			x[i] = c->min[i];
		if (x[i] > c->max[i])
			x[i] = c->max[i];
	}
}

int pd_cmaes_init(struct pd_cmaes *c, int dim, const double *lo, const double *hi,
		  const double *min, const double *max, double sigma0, int lambda,
		  uint64_t seed, char *err)
{
	size_t sz = (size_t)dim * sizeof(double);
	int i;

	memset(c, 0, sizeof(*c));
	if (pd_cmaes_i_check_args(dim, lo, hi, min, max, sigma0, lambda, err) < 0)
		return -1;
	c->n = dim;
	c->lambda = lambda ? lambda : 4 + (int)floor(3 * log((double)dim));
	pd_cmaes_i_alloc_dim(c);
	pd_cmaes_i_alloc_lambda(c);
	memcpy(c->lo, lo, sz), memcpy(c->hi, hi, sz);
	memcpy(c->min, min ? min : lo, sz), memcpy(c->max, max ? max : hi, sz);
	pd_cmaes_i_set_ybounds(c);
	c->sigma0 = c->sigma_def = sigma0 > 0 ? sigma0 : 0.3;
	c->lambda_def = c->lambda;
	c->uh_k = 1, c->uh_evals = 1;
	c->tolfun = 1e-12;
	c->tolx = 1e-12 * c->sigma0;
	pd_rng_seed(&c->rng, seed);
	for (i = 0; i < dim; i++)
		c->mean[i] = 0.5, c->stds[i] = 1;
	pd_cmaes_i_reset_dist(c);
	c->best_f = INFINITY;
	c->best_regime = -1;
	pd_cmaes_i_to_user(c, c->mean, c->best_x);
	return 0;
}

int pd_cmaes_start(struct pd_cmaes *c, const double *x0, const double *step, char *err)
{
	double m = 0, w;
	int i;

	if (x0 && pd_opt_check_start(c->n, x0, c->min, c->max, err))
		return -1;
	for (i = 0; i < c->n; i++) {
		w = c->hi[i] - c->lo[i];
		if (step && !(step[i] > 0 && step[i] / w >= 1e-12 && step[i] / w <= 1e6))
			return pd_err(err, "parameter %d: initial step %g out of range (0, 1e6 (HI - LO)]",
				      i + 1, step[i]), -1;
		if (step)
			m = fmax(m, step[i] / w);
	}
	for (i = 0; i < c->n; i++) {
		if (x0)
			c->mean[i] = pd_boxtrans_inv(&c->box[i], (x0[i] - c->lo[i]) / (c->hi[i] - c->lo[i]));
		if (step)
			c->stds[i] = step[i] / (c->hi[i] - c->lo[i]) / m;
	}
	if (step)
		c->sigma0 = c->sigma_def = m, c->tolx = 1e-12 * m;
	pd_cmaes_i_reset_dist(c);
	pd_cmaes_i_to_user(c, c->mean, c->best_x);
	return 0;
}

void pd_cmaes_set_noise(struct pd_cmaes *c, int on)
{
	c->uh = on != 0;
	c->nreev = c->uh ? pd_cmaes_i_nreev(c->lambda) : 0;
}

int pd_cmaes_npoints(const struct pd_cmaes *c) { return (c->lambda + c->nreev) * c->uh_k; }

void pd_cmaes_release(struct pd_cmaes *c)
{
	pd_cmaes_i_free_lambda(c);
	free(c->lo), free(c->hi), free(c->min), free(c->max), free(c->ymin), free(c->ymax);
	free(c->stds), free(c->box);
	free(c->mean), free(c->pc), free(c->ps), free(c->D), free(c->C), free(c->B);
	free(c->invsqrtc), free(c->work), free(c->best_x), free(c->tmp), free(c->tmp2);
	free(c->mold);
	memset(c, 0, sizeof(*c));
}

/* C = B diag(D^2) B': refresh B, D and C^-1/2 from C. */
static void eigen_update(struct pd_cmaes *c)
{
	int n = c->n, i, j, k;
	double maxev = 0, ev, s;

	for (i = 0; i < n; i++)
		for (j = 0; j <= i; j++)
			c->work[i * n + j] = c->work[j * n + i] = c->C[i * n + j] = c->C[j * n + i];
	pd_eigen_sym(n, c->work, c->B);
	for (i = 0; i < n; i++)
		maxev = fmax(maxev, c->work[i * n + i]);
	for (i = 0; i < n; i++) {
		ev = c->work[i * n + i];
		if (!(ev > 0))
			ev = maxev > 0 ? maxev * 1e-20 : 1e-300;
		c->D[i] = sqrt(ev);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j <= i; j++) {
			for (s = 0, k = 0; k < n; k++)
				s += c->B[i * n + k] * c->B[j * n + k] / c->D[k];
			c->invsqrtc[i * n + j] = c->invsqrtc[j * n + i] = s;
		}
	c->eigeneval = c->evals;
}

/* ---- ask ---- */

/* y = m + scale sigma B D z, z standard normal. */
static void draw(struct pd_cmaes *c, const double *m, double scale, double *y)
{
	int n = c->n, i, j;
	double *z = c->tmp, s;

	for (i = 0; i < n; i++)
		z[i] = c->D[i] * pd_rng_gauss(&c->rng);
	for (i = 0; i < n; i++) {
		for (s = 0, j = 0; j < n; j++)
			s += c->B[i * n + j] * z[j];
		y[i] = m[i] + scale * c->sigma * s;
	}
}

void pd_cmaes_i_arx_reserve(struct pd_cmaes *c)
{
	size_t np = (size_t)c->lambda + (size_t)pd_cmaes_i_nreev(c->lambda);
	size_t rows = np * (size_t)(c->uh_k > 1 ? c->uh_k : 1), n = (size_t)c->n;

	if (rows <= c->arx_rows)
		return;
	c->arx = pd_xrealloc(c->arx, rows * n * sizeof *c->arx);
	memset(c->arx + c->arx_rows * n, 0, (rows - c->arx_rows) * n * sizeof *c->arx);
	c->arx_rows = rows;
}

void pd_cmaes_ask(struct pd_cmaes *c, double *x)
{
	size_t n = (size_t)c->n, m = (size_t)(c->lambda + c->nreev), rows = m * (size_t)c->uh_k;
	int k;

	pd_cmaes_i_arx_reserve(c);
	for (k = 0; k < c->lambda; k++)
		draw(c, c->mean, 1, c->arx + k * n);
	/* the re-evaluations, then the copies: moved by 1e-7 sigma */
	for (k = 0; k < c->nreev; k++)
		draw(c, c->arx + k * n, 1e-7, c->arx + (c->lambda + k) * n);
	for (k = (int)m; k < (int)rows; k++)
		draw(c, c->arx + (k % m) * n, 1e-7, c->arx + k * n);
	for (k = 0; k < (int)rows; k++)
		pd_cmaes_i_to_user(c, c->arx + k * n, x + k * n);
	c->asked = 1;
}

/* ---- tell ---- */

/* Squared distance of y beyond the range [lb - al, ub + au] where the
 * box transformation is invertible.  Points out there are ranked after
 * those inside, nearest first: mirrored, the landscape beyond a wall
 * looked as good as the box, so large populations lost the global
 * structure that leads them into it (BBOB 10-D f15 0/5, f16 2/5). */
static double beyond(const struct pd_cmaes *c, const double *y)
{
	double d = 0, e;
	int i;

	for (i = 0; i < c->n; i++) {
		e = fmax(0, fmax(c->box[i].lb - c->box[i].al - y[i], y[i] - c->box[i].ub - c->box[i].au));
		d += e * e;
	}
	return d;
}

/* Rank the generation (non-finite last, then by distance beyond the
 * transformation's range, then by value), update the best ever. */
static void rank_points(struct pd_cmaes *c, const double *f)
{
	int k, b = -1;

	for (k = 0; k < c->lambda; k++) {
		c->rank[k].bad = !isfinite(f[k]);
		c->rank[k].f = c->rank[k].bad ? INFINITY : f[k];
		c->rank[k].i = k;
		c->rank[k].pen = beyond(c, c->arx + (size_t)k * c->n);
		if (!c->rank[k].bad && (b < 0 || f[k] < f[b]))
			b = k;
	}
	qsort(c->rank, (size_t)c->lambda, sizeof(*c->rank), pd_rank_cmp);
	if (b >= 0 && f[b] < c->best_f) {
		c->best_f = f[b];
		c->best_regime = c->regime;
		pd_cmaes_i_to_user(c, c->arx + (size_t)b * c->n, c->best_x);
	}
}

/* New mean and evolution paths; returns hsig. */
static int update_mean_paths(struct pd_cmaes *c)
{
	int n = c->n, k, i, j;
	double s, nps = 0, a, b, *y;

	memcpy(c->mold, c->mean, (size_t)n * sizeof(double));
	memset(c->mean, 0, (size_t)n * sizeof(double));
	for (k = 0; k < c->mu; k++) {
		y = c->arx + (size_t)c->rank[k].i * n;
		for (i = 0; i < n; i++)
			c->mean[i] += c->w[k] * y[i];
	}
	for (i = 0; i < n; i++)
		c->tmp[i] = (c->mean[i] - c->mold[i]) / c->sigma;
	a = sqrt(c->cs * (2 - c->cs) * c->mueff);
	for (i = 0; i < n; i++) {
		for (s = 0, j = 0; j < n; j++)
			s += c->invsqrtc[i * n + j] * c->tmp[j];
		c->ps[i] = (1 - c->cs) * c->ps[i] + a * s;
		nps += c->ps[i] * c->ps[i];
	}
	nps = sqrt(nps);
	b = sqrt(1 - pow(1 - c->cs, 2.0 * (double)c->gen));
	k = nps / b / c->chin < 1.4 + 2 / (n + 1.0);
	a = k * sqrt(c->cc * (2 - c->cc) * c->mueff);
	for (i = 0; i < n; i++)
		c->pc[i] = (1 - c->cc) * c->pc[i] + a * c->tmp[i];
	return k;
}

/* The weights of the rank-mu update: w_k, and for the negative ones
 * w_k n / |C^-1/2 y_k|^2, so that no direction shrinks too fast. */
static void active_weights(struct pd_cmaes *c)
{
	int n = c->n, k, i, j;
	double s, nrm, *y;

	for (k = 0; k < c->lambda; k++) {
		c->wo[k] = c->w[k];
		if (c->w[k] >= 0)
			continue;
		y = c->arx + (size_t)c->rank[k].i * n;
		for (nrm = 0, i = 0; i < n; i++) {
			for (s = 0, j = 0; j < n; j++)
				s += c->invsqrtc[i * n + j] * (y[j] - c->mold[j]);
			nrm += s * s;
		}
		nrm /= c->sigma * c->sigma;
		c->wo[k] = nrm > 0 ? c->w[k] * n / nrm : 0;
	}
}

/* Rank-one and rank-mu update of C, active (negative weights). */
static void update_cov(struct pd_cmaes *c, int hsig)
{
	int n = c->n, k, i, j;
	double old = 1 - c->c1 - c->cmu * c->wsum, h = (1 - hsig) * c->cc * (2 - c->cc), s, *y;

	active_weights(c);
	for (i = 0; i < n; i++)
		for (j = 0; j <= i; j++) {
			for (s = 0, k = 0; k < c->lambda; k++) {
				if (c->wo[k] == 0)
					continue;
				y = c->arx + (size_t)c->rank[k].i * n;
				s += c->wo[k] * (y[i] - c->mold[i]) * (y[j] - c->mold[j]);
			}
			s /= c->sigma * c->sigma;
			c->C[i * n + j] = old * c->C[i * n + j] +
					  c->c1 * (c->pc[i] * c->pc[j] + h * c->C[i * n + j]) +
					  c->cmu * s;
			c->C[j * n + i] = c->C[i * n + j];
		}
}

/* Cumulative step-size adaptation, plus the flat-fitness escape: when
 * every point of the generation has the same value, the ranking says
 * nothing and sigma grows.  (Escaping already when the best equalled the
 * 70th percentile, as some codes do, blew sigma up on the plateaus of
 * BBOB's step ellipsoid, f7, where the few better points do lead the
 * way: 10-D, ERT 18,810 evaluations against 4,134 without it.) */
static void update_sigma(struct pd_cmaes *c)
{
	const struct pd_rank *last = &c->rank[c->lambda - 1];
	double nps = 0, e;
	int i;

	for (i = 0; i < c->n; i++)
		nps += c->ps[i] * c->ps[i];
	e = (c->cs / c->damps) * (sqrt(nps) / c->chin - 1);
	c->sigma *= exp(fmin(1, e));
	if (!last->bad && c->rank[0].f == last->f)
		c->sigma *= exp(0.2 + c->cs / c->damps);
}

/* Record the generation's best and worst values for TOLFUN. */
static void record_history(struct pd_cmaes *c)
{
	struct pd_rank *last = &c->rank[c->lambda - 1];

	c->hist[c->hist_pos] = c->rank[0].bad ? NAN : c->rank[0].f;
	c->hist_pos = (c->hist_pos + 1) % c->histlen;
	if (c->hist_n < c->histlen)
		c->hist_n++;
	c->fworst = last->bad ? INFINITY : last->f;
}

void pd_cmaes_tell(struct pd_cmaes *c, const double *f)
{
	double noise = 1;
	int hsig;

	if (!c->asked)
		return;
	c->asked = 0;
	for (hsig = 0; hsig < pd_cmaes_npoints(c); hsig++)
		c->nonfinite += !isfinite(f[hsig]);
	c->evals += pd_cmaes_npoints(c);
	if (c->nreev)
		noise = pd_cmaes_i_noise(c, f); /* fills c->fu, may change uh_k */
	else
		memcpy(c->fu, f, (size_t)c->lambda * sizeof(double));
	rank_points(c, c->fu);
	c->iter++;
	c->gen++;
	hsig = update_mean_paths(c);
	update_cov(c, hsig);
	update_sigma(c);
	c->sigma *= noise;
	record_history(c);
	if ((double)(c->evals - c->eigeneval) > c->lambda / (c->c1 + c->cmu) / c->n / 10)
		eigen_update(c);
}

/* ---- stop tests and restarts ---- */

static int tolfun_hit(const struct pd_cmaes *c)
{
	double lo = c->fworst, hi = c->fworst;
	int i;

	if (c->hist_n < c->histlen || !isfinite(c->fworst))
		return 0;
	for (i = 0; i < c->histlen; i++) {
		if (!isfinite(c->hist[i]))
			return 0;
		lo = fmin(lo, c->hist[i]);
		hi = fmax(hi, c->hist[i]);
	}
	return hi - lo < c->tolfun;
}

static int tolx_hit(const struct pd_cmaes *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!(c->sigma * fabs(c->pc[i]) < c->tolx) ||
		    !(c->sigma * sqrt(c->C[i * c->n + i]) < c->tolx))
			return 0;
	return 1;
}

/* Whether adding 0.1 sigma along principal axis gen mod n leaves the mean. */
static int noeffect_axis(const struct pd_cmaes *c)
{
	int n = c->n, a = (int)(c->gen % n), i;

	for (i = 0; i < n; i++)
		if (c->mean[i] + 0.1 * c->sigma * c->D[a] * c->B[i * n + a] != c->mean[i])
			return 0;
	return 1;
}

static int noeffect_coord(const struct pd_cmaes *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->mean[i] + 0.2 * c->sigma * sqrt(c->C[i * c->n + i]) == c->mean[i])
			return 1;
	return 0;
}

enum pd_cmaes_stop pd_cmaes_stop(const struct pd_cmaes *c)
{
	double dmin = INFINITY, dmax = 0;
	int i;

	for (i = 0; i < c->n; i++)
		dmin = fmin(dmin, c->D[i]), dmax = fmax(dmax, c->D[i]);
	if (c->gen == 0)
		return PD_CMAES_GOING;
	if (tolfun_hit(c))
		return PD_CMAES_TOLFUN;
	if (tolx_hit(c))
		return PD_CMAES_TOLX;
	if (!(dmax <= 1e7 * dmin))
		return PD_CMAES_CONDITION;
	if (noeffect_axis(c))
		return PD_CMAES_NOEFFECTAXIS;
	if (noeffect_coord(c))
		return PD_CMAES_NOEFFECTCOORD;
	if (!(c->sigma / c->sigma0 <= 1e20 * dmax))
		return PD_CMAES_TOLUPSIGMA;
	if (c->maxgen && c->gen >= c->maxgen)
		return PD_CMAES_MAXITER;
	return PD_CMAES_GOING;
}

const char *pd_cmaes_stop_name(enum pd_cmaes_stop s)
{
	static const char *const names[] = {"going",	    "tolfun",	     "tolx",	   "condition",
					    "noeffectaxis", "noeffectcoord", "tolupsigma", "maxiter"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* ---- accessors ---- */

double pd_cmaes_best(const struct pd_cmaes *c, double *x)
{
	if (x)
		memcpy(x, c->best_x, (size_t)c->n * sizeof(double));
	return c->best_f;
}

void pd_cmaes_mean(const struct pd_cmaes *c, double *x) { pd_cmaes_i_to_user(c, c->mean, x); }
long long pd_cmaes_evals(const struct pd_cmaes *c) { return c->evals; }
long long pd_cmaes_iter(const struct pd_cmaes *c) { return c->iter; }
long long pd_cmaes_nonfinite(const struct pd_cmaes *c) { return c->nonfinite; }
double pd_cmaes_sigma(const struct pd_cmaes *c) { return c->sigma; }
int pd_cmaes_lambda(const struct pd_cmaes *c) { return c->lambda; }
int pd_cmaes_restarts(const struct pd_cmaes *c) { return c->restarts; }

