/*
 * bbob_gen.c - the random data of a BBOB instance, drawn as COCO draws it.
 *
 * COCO's legacy generator (suite_bbob_legacy_code.c, the BBOB 2009 code):
 * a Park-Miller minimal standard generator behind a 32-entry Bays-Durham
 * shuffle, Box-Muller Gaussians from 2N of its uniforms, rotations by
 * Gram-Schmidt on the columns of a Gaussian matrix, x_opt on a 1e-4 grid
 * in [-4, 4], f_opt a ratio of Gaussians rounded to 2 decimals and
 * clipped to [-1000, 1000].  Every arithmetic step keeps COCO's order so
 * that the doubles are the same, not only close.
 */
#include <math.h>
#include <stdlib.h>

#include "bbob_int.h"

/* The Park-Miller step of COCO (Schrage's method), as it writes it. */
static long pm_next(long s)
{
	long tmp = (long)(int)floor((double)s / (double)127773);

	s = 16807 * (s - tmp * 127773) - 2836 * tmp;
	if (s < 0)
		s = s + 2147483647;
	return s;
}

/* n uniform numbers in (0, 1] from seed: bbob2009_unif. */
void bbob_unif(double *r, long n, long seed)
{
	long rgrand[32], aktseed, aktrand, tmp, i;

	if (seed < 0)
		seed = -seed;
	if (seed < 1)
		seed = 1;
	aktseed = seed;
	for (i = 39; i >= 0; i--) {
		aktseed = pm_next(aktseed);
		if (i < 32)
			rgrand[i] = aktseed;
	}
	aktrand = rgrand[0];
	for (i = 0; i < n; i++) {
		aktseed = pm_next(aktseed);
		tmp = (long)(int)floor((double)aktrand / (double)67108865);
		aktrand = rgrand[tmp];
		rgrand[tmp] = aktseed;
		r[i] = (double)aktrand / 2.147483647e9;
		if (r[i] == 0.)
			r[i] = 1e-99;
	}
}

/* n standard Gaussians from seed by Box-Muller: bbob2009_gauss. */
int bbob_gauss(double *g, long n, long seed)
{
	double *u = malloc(2 * (size_t)n * sizeof *u);
	long i;

	if (!u)
		return -1;
	bbob_unif(u, 2 * n, seed);
	for (i = 0; i < n; i++) {
		g[i] = sqrt(-2 * log(u[i])) * cos(2 * BBOB_PI * u[n + i]);
		if (g[i] == 0.)
			g[i] = 1e-99;
	}
	free(u);
	return 0;
}

/* An n x n rotation (row-major) from seed: bbob2009_compute_rotation,
 * Gram-Schmidt on the columns of B[i][j] = g[j n + i]. */
int bbob_rotation(double *b, long seed, int n)
{
	double *g = malloc((size_t)n * (size_t)n * sizeof *g), prod;
	int i, j, k;

	if (!g || bbob_gauss(g, (long)n * n, seed) < 0) {
		free(g);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			b[i * n + j] = g[j * n + i];
	free(g);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			prod = 0;
			for (k = 0; k < n; k++)
				prod += b[k * n + i] * b[k * n + j];
			for (k = 0; k < n; k++)
				b[k * n + i] -= prod * b[k * n + j];
		}
		prod = 0;
		for (k = 0; k < n; k++)
			prod += b[k * n + i] * b[k * n + i];
		for (k = 0; k < n; k++)
			b[k * n + i] /= sqrt(prod);
	}
	return 0;
}

/* x_opt on the 1e-4 grid of [-4, 4), never 0: bbob2009_compute_xopt. */
void bbob_compute_xopt(double *xopt, long seed, int n)
{
	int i;

	bbob_unif(xopt, n, seed);
	for (i = 0; i < n; i++) {
		xopt[i] = 8 * floor(1e4 * xopt[i]) / 1e4 - 4;
		if (xopt[i] == 0.0)
			xopt[i] = -1e-5;
	}
}

/* f_opt of (fn, inst): bbob2009_compute_fopt for the noiseless suite. */
double bbob_compute_fopt(int fn, int inst)
{
	long rseed = fn == 4 ? 3 : fn == 18 ? 17 : fn;
	long rrseed = rseed + 10000L * inst;
	double g1, g2, v;

	if (bbob_gauss(&g1, 1, rrseed) < 0 || bbob_gauss(&g2, 1, rrseed + 1) < 0)
		return NAN;
	v = floor(100. * 100. * g1 / g2 + 0.5) / 100.;
	return fmin(1000., fmax(-1000., v));
}

/* The product rot1 diag(base^(k/(n-1))) rot2, summed as COCO sums it. */
static void compose(double *m, const double *r1, const double *r2, double base, int n)
{
	int i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double s = 0.0;

			for (k = 0; k < n; k++) {
				double e = 1.0 * (int)k / ((double)(long)n - 1.0);

				s += r1[i * n + k] * pow(base, e) * r2[k * n + j];
			}
			m[i * n + j] = s;
		}
}

/* Orders (value, index) pairs by value, as COCO's Gallagher qsort does. */
struct perm {
	double value;
	long index;
};
static int perm_cmp(const void *a, const void *b)
{
	double t = ((const struct perm *)a)->value - ((const struct perm *)b)->value;

	return t > 0 ? 1 : t < 0 ? -1 : 0;
}

/* The peaks of f21 (101 peaks) and f22 (21): f_gallagher_bbob_problem_allocate. */
static int gallagher_make(struct bbob_inst *p, int npeaks)
{
	const int n = p->n;
	double maxcond = 1000., maxcond1 = 1000., b, c, *u, *cond;
	struct perm *rp;
	int i, j, k;

	if (npeaks == 101) {
		maxcond1 = sqrt(maxcond1);
		b = 10.;
		c = 5.;
	} else {
		b = 9.8;
		c = 4.9;
	}
	p->npeaks = npeaks;
	p->xloc = malloc((size_t)n * npeaks * sizeof(double));
	p->scales = malloc((size_t)n * npeaks * sizeof(double));
	p->peak = malloc((size_t)npeaks * sizeof(double));
	u = malloc((size_t)n * npeaks * sizeof(double));
	cond = malloc((size_t)npeaks * sizeof(double));
	rp = malloc((size_t)(n > npeaks ? n : npeaks) * sizeof *rp);
	if (!p->xloc || !p->scales || !p->peak || !u || !cond || !rp)
		goto fail;
	if (bbob_rotation(p->rot2, p->rseed, n) < 0)
		goto fail;
	bbob_unif(u, npeaks - 1, p->rseed);
	for (i = 0; i < npeaks - 1; i++) {
		rp[i].value = u[i];
		rp[i].index = i;
	}
	qsort(rp, (size_t)npeaks - 1, sizeof *rp, perm_cmp);
	cond[0] = maxcond1;
	p->peak[0] = 10;
	for (i = 1; i < npeaks; i++) {
		cond[i] = pow(maxcond, (double)rp[i - 1].index / ((double)(npeaks - 2)));
		p->peak[i] = (double)(i - 1) / (double)(npeaks - 2) * (9.1 - 1.1) + 1.1;
	}
	for (i = 0; i < npeaks; i++) {
		bbob_unif(u, n, p->rseed + (long)(1000 * i));
		for (j = 0; j < n; j++) {
			rp[j].value = u[j];
			rp[j].index = j;
		}
		qsort(rp, (size_t)n, sizeof *rp, perm_cmp);
		for (j = 0; j < n; j++)
			p->scales[i * n + j] = pow(cond[i], ((double)rp[j].index) / ((double)(n - 1)) - 0.5);
	}
	bbob_unif(u, (long)n * npeaks, p->rseed);
	for (i = 0; i < n; i++) {
		p->best[i] = 0.8 * (b * u[i] - c);
		for (j = 0; j < npeaks; j++) {
			double s = 0.;

			for (k = 0; k < n; k++)
				s += p->rot2[i * n + k] * (b * u[j * n + k] - c);
			if (j == 0)
				s *= 0.8;
			p->xloc[i * npeaks + j] = s;
		}
	}
	free(u);
	free(cond);
	free(rp);
	return 0;
fail:
	free(u);
	free(cond);
	free(rp);
	return -1;
}

/* x_opt (best) and the shift of f9 and f19: rot^T 1 / (2 factor), from
 * the (possibly pre-scaled) rotation r. */
static void rosen_best(struct bbob_inst *p, const double *r, double factor)
{
	int i, j, n = p->n;

	for (j = 0; j < n; j++) {
		double s = 0;

		for (i = 0; i < n; i++)
			s += r[i * n + j];
		p->best[j] = s / (2. * factor);
	}
}

/* The shift, x_opt and matrices of functions 1-20, 23 and 24. */
static int plain_make(struct bbob_inst *p)
{
	const int n = p->n, fn = p->fn;
	double *u, f;
	int i;

	if (fn == 12)
		bbob_compute_xopt(p->xopt, p->rseed + 1000000, n);
	else
		bbob_compute_xopt(p->xopt, p->rseed, n);
	if (fn == 4)
		for (i = 0; i < n; i += 2)
			p->xopt[i] = fabs(p->xopt[i]);
	if (fn == 8)
		for (i = 0; i < n; i++)
			p->xopt[i] *= 0.75;
	if (bbob_rotation(p->rot1, p->rseed + 1000000, n) < 0 ||
	    bbob_rotation(p->rot2, p->rseed, n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		p->best[i] = p->xopt[i];
	switch (fn) {
	case 5:
		for (i = 0; i < n; i++)
			p->best[i] = p->xopt[i] < 0.0 ? -5.0 : 5.0;
		break;
	case 6:
	case 13:
	case 15:
		compose(p->m, p->rot1, p->rot2, sqrt(10.0), n);
		break;
	case 9:
		f = fmax(1.0, sqrt((double)n) / 8.0);
		for (i = 0; i < n * n; i++)
			p->m[i] = f * p->rot2[i];
		rosen_best(p, p->rot2, f);
		break;
	case 16:
		compose(p->m, p->rot1, p->rot2, 1.0 / sqrt(100.0), n);
		break;
	case 17:
	case 18:
		f = fn == 17 ? 10 : 1000;
		for (i = 0; i < n * n; i++)
			p->m[i] = p->rot2[i] * pow(sqrt(f), 1.0 * (int)(i / n) / ((double)(long)n - 1.0));
		break;
	case 19:
		f = fmax(1., sqrt((double)n) / 8.);
		for (i = 0; i < n * n; i++)
			p->m[i] = p->rot2[i] * f;
		rosen_best(p, p->m, f);
		break;
	case 20:
		if (!(u = malloc((size_t)n * sizeof *u)))
			return -1;
		bbob_unif(u, n, p->rseed);
		for (i = 0; i < n; i++) {
			p->xopt[i] = 0.5 * 4.2096874637;
			if (u[i] - 0.5 < 0)
				p->xopt[i] *= -1;
			p->best[i] = (u[i] - 0.5 < 0.0 ? -0.5 : 0.5) * 4.2096874633;
		}
		free(u);
		break;
	case 23:
		compose(p->m, p->rot1, p->rot2, sqrt(100), n);
		break;
	case 24:
		if (!(u = malloc((size_t)n * sizeof *u)) || bbob_gauss(u, n, p->rseed) < 0) {
			free(u);
			return -1;
		}
		for (i = 0; i < n; i++) {
			p->xopt[i] = 0.5 * 2.5;
			if (u[i] < 0.0)
				p->xopt[i] *= -1.0;
			p->best[i] = p->xopt[i];
		}
		free(u);
		break;
	}
	return 0;
}

/* Fills p for (fn, inst, n) as COCO's suite_bbob.c does. */
int bbob_inst_make(struct bbob_inst *p, int fn, int inst, int n)
{
	size_t nn = (size_t)n * (size_t)n;

	*p = (struct bbob_inst){0};
	p->fn = fn;
	p->inst = inst;
	p->n = n;
	p->rseed = (fn == 4 ? 3 : fn == 18 ? 17 : fn) + 10000L * inst;
	p->fopt = bbob_compute_fopt(fn, inst);
	p->best = calloc((size_t)n, sizeof(double));
	p->xopt = calloc((size_t)n, sizeof(double));
	p->w1 = calloc((size_t)n, sizeof(double));
	p->w2 = calloc((size_t)n, sizeof(double));
	p->rot1 = calloc(nn, sizeof(double));
	p->rot2 = calloc(nn, sizeof(double));
	p->m = calloc(nn, sizeof(double));
	if (!p->best || !p->xopt || !p->w1 || !p->w2 || !p->rot1 || !p->rot2 || !p->m ||
	    isnan(p->fopt))
		goto fail;
	if (fn == 21 || fn == 22) {
		if (gallagher_make(p, fn == 21 ? 101 : 21) < 0)
			goto fail;
	} else if (plain_make(p) < 0)
		goto fail;
	return 0;
fail:
	bbob_inst_release(p);
	return -1;
}

/* Frees what bbob_inst_make allocated; p can be made again. */
void bbob_inst_release(struct bbob_inst *p)
{
	free(p->best);
	free(p->xopt);
	free(p->w1);
	free(p->w2);
	free(p->rot1);
	free(p->rot2);
	free(p->m);
	free(p->xloc);
	free(p->scales);
	free(p->peak);
	*p = (struct bbob_inst){0};
}
