/*
 * bbob_fn.c - the 24 noiseless BBOB functions, evaluated as COCO does.
 *
 * Each function applies COCO's chain of transformations (its
 * f_*_bbob_problem_allocate, read from the outside in) in COCO's order
 * of arithmetic: shift by x_opt, rotations and conditioning, T_osz and
 * T_asy, the raw function, then f_opt and the boundary penalty.  Where
 * COCO re-derives data at every call (f20's signs) it is drawn once
 * here, which gives the same doubles.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bbob.h"
#include "bbob_int.h"

typedef double (*bbob_fn)(struct bbob_inst *p, const double *x);

/* T_osz of one coordinate or value (transform_vars_oscillate). */
static double tosz(double x)
{
	static const double alpha = 0.1;
	double t;

	if (x > 0.0) {
		t = log(x) / alpha;
		return pow(exp(t + 0.49 * (sin(t) + sin(0.79 * t))), alpha);
	}
	if (x < 0.0) {
		t = log(-x) / alpha;
		return -pow(exp(t + 0.49 * (sin(0.55 * t) + sin(0.31 * t))), alpha);
	}
	return 0.0;
}

/* T_asy^beta in place (transform_vars_asymmetric). */
static void tasy(double *v, int n, double beta)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] > 0.0) {
			double e = 1.0 + (beta * (double)(long)i) / ((double)(long)n - 1.0) * sqrt(v[i]);

			v[i] = pow(v[i], e);
		}
}

/* out = m in + b (transform_vars_affine: each row starts from b). */
static void affine(double *out, const double *m, double b, const double *in, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		out[i] = b;
		for (j = 0; j < n; j++)
			out[i] += in[j] * m[i * n + j];
	}
}

/* out = x - xopt (transform_vars_shift). */
static void shift(double *out, const double *x, const double *xopt, int n)
{
	int i;

	for (i = 0; i < n; i++)
		out[i] = x[i] - xopt[i];
}

/* Sum of squared distances outside [-5, 5] (transform_obj_penalize). */
static double penalty(const double *x, int n)
{
	double pen = 0.0;
	int i;

	for (i = 0; i < n; i++) {
		double c1 = x[i] - 5.0, c2 = -5.0 - x[i];

		if (c1 > 0.0)
			pen += c1 * c1;
		else if (c2 > 0.0)
			pen += c2 * c2;
	}
	return pen;
}

/* Sum of squared distances outside [-lim, lim], the raw functions' own form. */
static double penalty_abs(const double *x, int n, double lim)
{
	double pen = 0.0;
	int i;

	for (i = 0; i < n; i++) {
		double t = fabs(x[i]) - lim;

		if (t > 0.0)
			pen += t * t;
	}
	return pen;
}

static double raw_sphere(const double *z, int n)
{
	double r = 0.0;
	int i;

	for (i = 0; i < n; i++)
		r += z[i] * z[i];
	return r;
}

static double raw_ellipsoid(const double *z, int n)
{
	double r = z[0] * z[0];
	int i;

	for (i = 1; i < n; i++) {
		double e = 1.0 * (double)(long)i / ((double)(long)n - 1.0);

		r += pow(1.0e6, e) * z[i] * z[i];
	}
	return r;
}

static double raw_rastrigin(const double *z, int n)
{
	double s1 = 0.0, s2 = 0.0;
	int i;

	for (i = 0; i < n; i++) {
		s1 += cos(2 * BBOB_PI * z[i]);
		s2 += z[i] * z[i];
	}
	return 10.0 * ((double)(long)n - s1) + s2;
}

static double raw_rosenbrock(const double *z, int n)
{
	double s1 = 0.0, s2 = 0.0, t;
	int i;

	for (i = 0; i < n - 1; i++) {
		t = z[i] * z[i] - z[i + 1];
		s1 += t * t;
		t = z[i] - 1.0;
		s2 += t * t;
	}
	return 100.0 * s1 + s2;
}

static double f1(struct bbob_inst *p, const double *x)
{
	shift(p->w1, x, p->xopt, p->n);
	return raw_sphere(p->w1, p->n) + p->fopt;
}

static double f2(struct bbob_inst *p, const double *x)
{
	int i;

	shift(p->w1, x, p->xopt, p->n);
	for (i = 0; i < p->n; i++)
		p->w1[i] = tosz(p->w1[i]);
	return raw_ellipsoid(p->w1, p->n) + p->fopt;
}

static double f3(struct bbob_inst *p, const double *x)
{
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	for (i = 0; i < n; i++)
		p->w1[i] = tosz(p->w1[i]);
	tasy(p->w1, n, 0.2);
	for (i = 0; i < n; i++)
		p->w1[i] = pow(10.0, 0.5 * (double)(long)i / ((double)(long)n - 1.0)) * p->w1[i];
	return raw_rastrigin(p->w1, n) + p->fopt;
}

/* Bueche-Rastrigin: T_osz, then the s_i scaling (transform_vars_brs). */
static double f4(struct bbob_inst *p, const double *x)
{
	int i, n = p->n;
	double s1 = 0.0, s2 = 0.0;

	shift(p->w1, x, p->xopt, n);
	for (i = 0; i < n; i++) {
		double z = tosz(p->w1[i]);
		double f = pow(sqrt(10.0), (double)(long)i / ((double)(long)n - 1.0));

		if (z > 0.0 && i % 2 == 0)
			f *= 10.0;
		p->w1[i] = f * z;
	}
	for (i = 0; i < n; i++) {
		s1 += cos(2 * BBOB_PI * p->w1[i]);
		s2 += p->w1[i] * p->w1[i];
	}
	return (10.0 * ((double)(long)n - s1) + s2 + 0) + p->fopt + 100.0 * penalty(x, n);
}

/* Linear slope, with COCO's boundary handling past the optimum's wall. */
static double f5(struct bbob_inst *p, const double *x)
{
	double r = 0.0;
	int i, n = p->n;

	for (i = 0; i < n; i++) {
		double e = (double)(long)i / ((double)(long)n - 1);
		double si = p->best[i] > 0.0 ? pow(sqrt(100.0), e) : -pow(sqrt(100.0), e);

		if (x[i] * p->best[i] < 25.0)
			r += 5.0 * fabs(si) - si * x[i];
		else
			r += 5.0 * fabs(si) - si * p->best[i];
	}
	return r + p->fopt;
}

/* Attractive sector: steep where z_i has x_opt_i's sign. */
static double f6(struct bbob_inst *p, const double *x)
{
	double r = 0.0;
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->m, 0.0, p->w1, n);
	for (i = 0; i < n; i++)
		if (p->xopt[i] * p->w2[i] > 0.0)
			r += 100.0 * 100.0 * p->w2[i] * p->w2[i];
		else
			r += p->w2[i] * p->w2[i];
	return pow(tosz(r), 0.9) + p->fopt;
}

/* Step ellipsoid, monolithic as in COCO's f_step_ellipsoid_raw. */
static double f7(struct bbob_inst *p, const double *x)
{
	const int n = p->n;
	double pen = penalty_abs(x, n, 5.0), x1, r = 0.0;
	int i, j;

	for (i = 0; i < n; i++) {
		double c1 = sqrt(pow(100 / 10., (double)i / (double)(n - 1)));

		p->w1[i] = 0.0;
		for (j = 0; j < n; j++)
			p->w1[i] += c1 * p->rot2[i * n + j] * (x[j] - p->xopt[j]);
	}
	x1 = p->w1[0];
	for (i = 0; i < n; i++)
		if (fabs(p->w1[i]) > 0.5)
			p->w1[i] = floor(p->w1[i] + 0.5);
		else
			p->w1[i] = floor(10.0 * p->w1[i] + 0.5) / 10.0;
	for (i = 0; i < n; i++) {
		p->w2[i] = 0.0;
		for (j = 0; j < n; j++)
			p->w2[i] += p->rot1[i * n + j] * p->w1[j];
	}
	for (i = 0; i < n; i++) {
		double e = (double)(long)i / ((double)(long)n - 1.0);

		r += pow(100, e) * p->w2[i] * p->w2[i];
	}
	x1 = fabs(x1) * 1.0e-4;
	return 0.1 * (x1 >= r ? x1 : r) + pen + p->fopt;
}

static double f8(struct bbob_inst *p, const double *x)
{
	const int n = p->n;
	double f = fmax(1.0, sqrt((double)n) / 8.0);
	int i;

	shift(p->w1, x, p->xopt, n);
	for (i = 0; i < n; i++)
		p->w1[i] = f * p->w1[i] - -1.0;
	return raw_rosenbrock(p->w1, n) + p->fopt;
}

static double f9(struct bbob_inst *p, const double *x)
{
	affine(p->w1, p->m, 0.5, x, p->n);
	return raw_rosenbrock(p->w1, p->n) + p->fopt;
}

/* The rotated ones of the form raw(T_osz(R (x - x_opt))): f10, f11. */
static void rot_osz(struct bbob_inst *p, const double *x)
{
	int i;

	shift(p->w1, x, p->xopt, p->n);
	affine(p->w2, p->rot1, 0.0, p->w1, p->n);
	for (i = 0; i < p->n; i++)
		p->w2[i] = tosz(p->w2[i]);
}

static double f10(struct bbob_inst *p, const double *x)
{
	rot_osz(p, x);
	return raw_ellipsoid(p->w2, p->n) + p->fopt;
}

static double f11(struct bbob_inst *p, const double *x)
{
	double r;
	int i;

	rot_osz(p, x);
	r = 1.0e6 * p->w2[0] * p->w2[0];
	for (i = 1; i < p->n; i++)
		r += p->w2[i] * p->w2[i];
	return r + p->fopt;
}

static double f12(struct bbob_inst *p, const double *x)
{
	double r;
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->rot1, 0.0, p->w1, n);
	tasy(p->w2, n, 0.5);
	affine(p->w1, p->rot1, 0.0, p->w2, n);
	r = p->w1[0] * p->w1[0];
	for (i = 1; i < n; i++)
		r += 1.0e6 * p->w1[i] * p->w1[i];
	return r + p->fopt;
}

static double f13(struct bbob_inst *p, const double *x)
{
	double r = 0.0;
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->m, 0.0, p->w1, n);
	for (i = 1; i < n; i++)
		r += p->w2[i] * p->w2[i];
	return (100.0 * sqrt(r) + p->w2[0] * p->w2[0]) + p->fopt;
}

static double f14(struct bbob_inst *p, const double *x)
{
	double s = 0.0;
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->rot1, 0.0, p->w1, n);
	for (i = 0; i < n; i++) {
		double e = 2.0 + (4.0 * (double)(long)i) / ((double)(long)n - 1.0);

		s += pow(fabs(p->w2[i]), e);
	}
	return sqrt(s) + p->fopt;
}

static double f15(struct bbob_inst *p, const double *x)
{
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->rot1, 0.0, p->w1, n);
	for (i = 0; i < n; i++)
		p->w2[i] = tosz(p->w2[i]);
	tasy(p->w2, n, 0.2);
	affine(p->w1, p->m, 0.0, p->w2, n);
	return raw_rastrigin(p->w1, n) + p->fopt;
}

/* Weierstrass, 12 terms, with its f0 from COCO's f_weierstrass_allocate. */
static double f16(struct bbob_inst *p, const double *x)
{
	double ak[12], bk[12], f0 = 0.0, r = 0.0;
	int i, j, n = p->n;

	for (j = 0; j < 12; j++) {
		ak[j] = pow(0.5, (double)j);
		bk[j] = pow(3., (double)j);
		f0 += ak[j] * cos(2 * BBOB_PI * bk[j] * 0.5);
	}
	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->rot1, 0.0, p->w1, n);
	for (i = 0; i < n; i++)
		p->w2[i] = tosz(p->w2[i]);
	affine(p->w1, p->m, 0.0, p->w2, n);
	for (i = 0; i < n; i++)
		for (j = 0; j < 12; j++)
			r += cos(2 * BBOB_PI * (p->w1[i] + 0.5) * bk[j]) * ak[j];
	r = 10.0 * pow(r / (double)(long)n - f0, 3.0);
	return r + p->fopt + 10.0 / (double)n * penalty(x, n);
}

/* Schaffers F7, conditioning 10 (f17) or 1000 (f18) in p->m. */
static double f17(struct bbob_inst *p, const double *x)
{
	double r = 0.0;
	int i, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->rot1, 0.0, p->w1, n);
	tasy(p->w2, n, 0.5);
	affine(p->w1, p->m, 0.0, p->w2, n);
	for (i = 0; i < n - 1; i++) {
		double t = p->w1[i] * p->w1[i] + p->w1[i + 1] * p->w1[i + 1];

		r += pow(t, 0.25) * (1.0 + pow(sin(50.0 * pow(t, 0.1)), 2.0));
	}
	r = pow(r / ((double)(long)n - 1.0), 2.0);
	return r + p->fopt + 10.0 * penalty(x, n);
}

/* Composite Griewank-Rosenbrock F8F2. */
static double f19(struct bbob_inst *p, const double *x)
{
	double r = 0.0;
	int i, n = p->n;

	affine(p->w2, p->m, 0.0, x, n);
	for (i = 0; i < n; i++)
		p->w2[i] = p->w2[i] - -0.5;
	for (i = 0; i < n - 1; i++) {
		double c1 = p->w2[i] * p->w2[i] - p->w2[i + 1], c2 = 1.0 - p->w2[i];
		double t = 100.0 * c1 * c1 + c2 * c2;

		r += t / 4000. - cos(t);
	}
	return (10. + 10. * r / (double)(n - 1)) + p->fopt;
}

/* Schwefel x sin(sqrt|x|), through x_hat, z_hat and the 1e2 scaling. */
static double f20(struct bbob_inst *p, const double *x)
{
	double pen, s = 0.0, *v = p->w1, *z = p->w2;
	int i, n = p->n;

	for (i = 0; i < n; i++)
		v[i] = 2 * (p->best[i] < 0.0 ? -x[i] : x[i]);
	z[0] = v[0];
	for (i = 1; i < n; i++)
		z[i] = v[i] + 0.25 * (v[i - 1] - 2.0 * fabs(p->xopt[i - 1]));
	for (i = 0; i < n; i++) {
		double d = pow(sqrt(10.), 1.0 * (int)i / ((double)(long)n - 1));

		z[i] = z[i] - 2 * fabs(p->xopt[i]);
		z[i] = 0.0 + z[i] * d;
		z[i] = 100 * (z[i] - -2 * fabs(p->xopt[i]));
	}
	pen = penalty_abs(z, n, 500.0);
	for (i = 0; i < n; i++)
		s += z[i] * sin(sqrt(fabs(z[i])));
	return 0.01 * (pen + 418.9828872724339 - s / (double)n) + p->fopt;
}

/* Gallagher's Gaussian peaks (101 for f21, 21 for f22). */
static double f21(struct bbob_inst *p, const double *x)
{
	const int n = p->n, np = p->npeaks;
	double fac = -0.5 / (double)n, f = 0., ft;
	int i, j;

	affine(p->w1, p->rot2, 0.0, x, n);
	for (i = 0; i < np; i++) {
		double t2 = 0.;

		for (j = 0; j < n; j++) {
			double t = p->w1[j] - p->xloc[j * np + i];

			t2 += p->scales[i * n + j] * t * t;
		}
		t2 = p->peak[i] * exp(fac * t2);
		f = f >= t2 ? f : t2;
	}
	f = 10. - f;
	ft = tosz(f);
	return (ft * ft + penalty_abs(x, n, 5.)) + p->fopt;
}

static double f23(struct bbob_inst *p, const double *x)
{
	double r = 1.0;
	int i, j, n = p->n;

	shift(p->w1, x, p->xopt, n);
	affine(p->w2, p->m, 0.0, p->w1, n);
	for (i = 0; i < n; i++) {
		double t = 0;

		for (j = 1; j < 33; j++) {
			double t2 = pow(2., (double)j);

			t += fabs(t2 * p->w2[i] - floor(t2 * p->w2[i] + 0.5)) / t2;
		}
		r *= 1.0 + ((double)(long)i + 1) * t;
	}
	r = 10. / ((double)n) / ((double)n) * (-1. + pow(r, 10. / pow((double)n, 1.2)));
	return r + p->fopt + 1.0 * penalty(x, n);
}

/* Lunacek bi-Rastrigin, monolithic as in COCO. */
static double f24(struct bbob_inst *p, const double *x)
{
	const int n = p->n;
	const double mu0 = 2.5, d = 1.;
	const double s = 1. - 0.5 / (sqrt((double)(n + 20)) - 4.1);
	const double mu1 = -sqrt((mu0 * mu0 - d) / s);
	double s1 = 0., s2 = 0., s3 = 0., pen = penalty_abs(x, n, 5.0), r;
	double *xh = p->w1, *t = p->w2;
	int i, j;

	for (i = 0; i < n; i++) {
		xh[i] = 2. * x[i];
		if (p->xopt[i] < 0.)
			xh[i] *= -1.;
	}
	for (i = 0; i < n; i++) {
		double c1 = pow(sqrt(100.), ((double)i) / (double)(n - 1));

		t[i] = 0.0;
		for (j = 0; j < n; j++)
			t[i] += c1 * p->rot2[i * n + j] * (xh[j] - mu0);
	}
	for (i = 0; i < n; i++) {
		double z = 0;

		for (j = 0; j < n; j++)
			z += p->rot1[i * n + j] * t[j];
		s1 += (xh[i] - mu0) * (xh[i] - mu0);
		s2 += (xh[i] - mu1) * (xh[i] - mu1);
		s3 += cos(2 * BBOB_PI * z);
	}
	r = (s1 <= d * (double)n + s * s2 ? s1 : d * (double)n + s * s2);
	return (r + 10. * ((double)n - s3) + 1e4 * pen) + p->fopt;
}

static const struct {
	const char *name;
	bbob_fn fn;
} table[BBOB_NFUNC] = {
	{"sphere", f1},
	{"ellipsoid", f2},
	{"rastrigin", f3},
	{"bueche_rastrigin", f4},
	{"linear_slope", f5},
	{"attractive_sector", f6},
	{"step_ellipsoid", f7},
	{"rosenbrock", f8},
	{"rosenbrock_rotated", f9},
	{"ellipsoid_rotated", f10},
	{"discus", f11},
	{"bent_cigar", f12},
	{"sharp_ridge", f13},
	{"different_powers", f14},
	{"rastrigin_rotated", f15},
	{"weierstrass", f16},
	{"schaffers_f7", f17},
	{"schaffers_f7_ill", f17},
	{"griewank_rosenbrock", f19},
	{"schwefel", f20},
	{"gallagher_101", f21},
	{"gallagher_21", f21},
	{"katsuura", f23},
	{"lunacek_bi_rastrigin", f24},
};

/* The last instance made per function, kept between calls. */
static struct bbob_inst cache[BBOB_NFUNC];

/* 0 when (fn, inst, dim) is valid, else -1 and why in err. */
int bbob_check(int fn, int inst, int dim, char *err, int errlen)
{
	if (fn < 1 || fn > BBOB_NFUNC)
		snprintf(err, (size_t)errlen, "function %d out of range 1-%d", fn, BBOB_NFUNC);
	else if (inst < 1 || inst > BBOB_MAXINST)
		snprintf(err, (size_t)errlen, "instance %d out of range 1-%d", inst, BBOB_MAXINST);
	else if (dim < BBOB_MINDIM || dim > BBOB_MAXDIM)
		snprintf(err, (size_t)errlen, "dimension %d out of range %d-%d", dim, BBOB_MINDIM,
			 BBOB_MAXDIM);
	else
		return 0;
	return -1;
}

/* The data of (fn, inst, dim), made on first use; NULL when invalid. */
static struct bbob_inst *get(int fn, int inst, int dim)
{
	struct bbob_inst *p;
	char err[80];

	if (bbob_check(fn, inst, dim, err, (int)sizeof err) < 0)
		return NULL;
	p = &cache[fn - 1];
	if (p->fn == fn && p->inst == inst && p->n == dim)
		return p;
	bbob_inst_release(p);
	return bbob_inst_make(p, fn, inst, dim) < 0 ? NULL : p;
}

double bbob_eval(int fn, int inst, const double *x, int dim)
{
	struct bbob_inst *p = get(fn, inst, dim);

	return p ? table[fn - 1].fn(p, x) : NAN;
}

void bbob_eval_n(int fn, int inst, const double *x, int n, int dim, double *f)
{
	int k;

	for (k = 0; k < n; k++)
		f[k] = bbob_eval(fn, inst, x + (size_t)k * (size_t)dim, dim);
}

double bbob_fopt(int fn, int inst, int dim)
{
	struct bbob_inst *p = get(fn, inst, dim);

	return p ? p->fopt : NAN;
}

int bbob_xopt(int fn, int inst, int dim, double *xopt)
{
	struct bbob_inst *p = get(fn, inst, dim);
	int i;

	if (!p)
		return -1;
	for (i = 0; i < dim; i++)
		xopt[i] = p->best[i];
	return 0;
}

const char *bbob_name(int fn)
{
	return fn >= 1 && fn <= BBOB_NFUNC ? table[fn - 1].name : NULL;
}
