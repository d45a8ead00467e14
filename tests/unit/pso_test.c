/* pso_test.c - unit tests for pd-opt's particle swarm (lib/opt/pso.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/pso.h"
#include "optfns.h"
#include "t.h"

#define MAXN 8
#define MAXP 100

static double xs[MAXP * MAXN], fs[MAXP];

/* A swarm on [a, b]^n (hard bounds the same) with np particles. */
static struct pd_pso *setup(int n, double a, double b, int np, uint64_t seed)
{
	double lo[MAXN], hi[MAXN];
	struct pd_pso_params par = {np, 0, 0, 0};
	char err[PD_ERRLEN];

	for (int i = 0; i < n; i++)
		lo[i] = a, hi[i] = b;
	return pd_pso_new(n, lo, hi, NULL, NULL, &par, seed, err);
}

/* One iteration: ask, evaluate with f, tell. */
static void step(struct pd_pso *p, int n, fn f)
{
	pd_pso_ask(p, xs);
	for (int k = 0; k < pd_pso_npoints(p); k++)
		fs[k] = f(xs + k * n, n);
	pd_pso_tell(p, fs);
}

static void test_convergence(void)
{
	struct pd_pso *p = setup(5, -5, 5, 0, 1);
	char err[PD_ERRLEN];
	double x[MAXN], s0;

	CHECK(p && pd_pso_npoints(p) == 40);
	s0 = pd_pso_spread(p);
	CHECK(s0 > 0.3 && s0 < 1); /* uniform: about sqrt(5 / 12) */
	CHECK(isinf(pd_pso_best(p, x)) && x[0] == 0);
	for (int t = 0; t < 300; t++)
		step(p, 5, sphere);
	CHECK(pd_pso_best(p, NULL) < 1e-10);
	CHECK(pd_pso_spread(p) < 1e-3);
	CHECK(pd_pso_iter(p) == 300 && pd_pso_evals(p) == 300 * 40 && pd_pso_nonfinite(p) == 0);
	pd_pso_free(p);
	/* 2-D Rosenbrock with 30 particles, both update rules */
	for (int rule = PD_PSO_LINEAR; rule <= PD_PSO_CLASSIC; rule++) {
		p = setup(2, -2.2, 2.2, 30, 2);
		CHECK(pd_pso_set_rule(p, rule, err) == 0);
		for (int t = 0; t < 300; t++)
			step(p, 2, rosenbrock);
		CHECK(pd_pso_best(p, x) < 1e-6);
		CHECK(fabs(x[0] - 1) < 1e-2 && fabs(x[1] - 1) < 1e-2);
		pd_pso_free(p);
	}
}

/* Run t iterations of rosenbrock, hashing every asked point into *h. */
static void run_hash(struct pd_pso *p, int n, int t, uint64_t *h)
{
	uint64_t u;

	for (int i = 0; i < t; i++) {
		step(p, n, rosenbrock);
		for (int k = 0; k < pd_pso_npoints(p) * n; k++) {
			memcpy(&u, &xs[k], sizeof(u));
			*h = (*h ^ u) * 0x100000001b3ULL;
		}
	}
}

/* Same seed, same bits, in every asked point; another seed, others. */
static void test_determinism(void)
{
	uint64_t h[3] = {0, 0, 0};
	double xa[MAXN], xb[MAXN], fa, fb;
	struct pd_pso *p[3];

	for (int i = 0; i < 3; i++) {
		p[i] = setup(4, -2.2, 2.2, 20, i < 2 ? 77 : 78);
		run_hash(p[i], 4, 50, &h[i]);
	}
	fa = pd_pso_best(p[0], xa);
	fb = pd_pso_best(p[1], xb);
	CHECK(h[0] == h[1] && h[0] != h[2]);
	CHECK(memcmp(&fa, &fb, sizeof(fa)) == 0 && memcmp(xa, xb, 4 * sizeof(double)) == 0);
	pd_pso_best(p[2], xb);
	CHECK(memcmp(xa, xb, 4 * sizeof(double)) != 0);
	for (int i = 0; i < 3; i++)
		pd_pso_free(p[i]);
}

/* Asked points stay in [min, max] (NULL: [-1, 1]); returns how many
 * were outside; the best ends near expect. */
static int bounded_run(const double *min, const double *max, double expect)
{
	double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1}, x[3];
	char err[PD_ERRLEN];
	struct pd_pso *p = pd_pso_new(3, lo, hi, min, max, NULL, 9, err);
	int outside = 0;

	CHECK(p != NULL);
	for (int t = 0; t < 200; t++) {
		pd_pso_ask(p, xs);
		for (int k = 0; k < 40 * 3; k++)
			outside += !(xs[k] >= (min ? min[k % 3] : -1) && xs[k] <= (max ? max[k % 3] : 1));
		for (int k = 0; k < 40; k++)
			fs[k] = far(xs + 3 * k, 3);
		pd_pso_tell(p, fs);
	}
	pd_pso_best(p, x);
	for (int i = 0; i < 3; i++)
		CHECK(fabs(x[i] - expect) < 1e-6);
	pd_pso_free(p);
	return outside;
}

static void test_bounds(void)
{
	double min[3] = {-3, -3, -3}, max[3] = {3, 3, 3};
	double inf[3] = {INFINITY, INFINITY, INFINITY}, ninf[3] = {-INFINITY, -INFINITY, -INFINITY};
	double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
	struct pd_pso_params par = {0, 0, 0, 0};
	char err[PD_ERRLEN];

	CHECK(bounded_run(NULL, NULL, 1) == 0);
	CHECK(bounded_run(min, max, 3) == 0);
	CHECK(bounded_run(ninf, max, 3) == 0);
	CHECK(bounded_run(ninf, inf, 5) == 0);
	/* bad arguments are refused with a message */
	err[0] = 0;
	min[0] = 0; /* hard bounds must contain the initial interval */
	CHECK(!pd_pso_new(3, lo, hi, min, max, NULL, 1, err) && strstr(err, "hard bounds"));
	CHECK(!pd_pso_new(0, lo, hi, NULL, NULL, NULL, 1, err) && strstr(err, "dimension"));
	CHECK(!pd_pso_new(3, hi, lo, NULL, NULL, NULL, 1, err) && strstr(err, "interval"));
	lo[1] = NAN;
	CHECK(!pd_pso_new(3, lo, hi, NULL, NULL, NULL, 1, err) && strstr(err, "parameter 2"));
	lo[1] = -1;
	par.particles = -1;
	CHECK(!pd_pso_new(3, lo, hi, NULL, NULL, &par, 1, err) && strstr(err, "particles"));
	par.particles = 0, par.omega = 2;
	CHECK(!pd_pso_new(3, lo, hi, NULL, NULL, &par, 1, err) && strstr(err, "omega"));
	par.omega = NAN;
	CHECK(!pd_pso_new(3, lo, hi, NULL, NULL, &par, 1, err));
	par.omega = 0, par.cg = -1;
	CHECK(!pd_pso_new(3, lo, hi, NULL, NULL, &par, 1, err) && strstr(err, "cg"));
	par.cg = 0;
	struct pd_pso *p = pd_pso_new(3, lo, hi, NULL, NULL, &par, 1, err);
	CHECK(p && pd_pso_set_rule(p, 7, err) == -1 && strstr(err, "rule"));
	pd_pso_free(p);
	pd_pso_free(NULL);
}

/* Fitness NaN for every fifth point, +inf for every seventh, -inf for
 * every eleventh. */
static long long calls;
static double holey(const double *x, int n)
{
	calls++;
	if (calls % 5 == 0)
		return NAN;
	if (calls % 7 == 0)
		return INFINITY;
	if (calls % 11 == 0)
		return -INFINITY;
	return sphere(x, n);
}

static void test_nonfinite(void)
{
	struct pd_pso *p = setup(4, -3, 3, 25, 3);
	long long bad = 0;

	calls = 0;
	for (int t = 0; t < 200; t++)
		step(p, 4, holey);
	for (long long i = 1; i <= calls; i++)
		bad += i % 5 == 0 || i % 7 == 0 || i % 11 == 0;
	CHECK(calls == 5000 && pd_pso_nonfinite(p) == bad);
	CHECK(isfinite(pd_pso_best(p, NULL)) && pd_pso_best(p, NULL) < 1e-6);
	pd_pso_free(p);
	/* all non-finite: the swarm goes on inside the box, nothing is best */
	p = setup(3, -1, 1, 10, 4);
	for (int t = 0; t < 20; t++) {
		pd_pso_ask(p, xs);
		for (int k = 0; k < 30; k++)
			CHECK(xs[k] >= -1 && xs[k] <= 1);
		for (int k = 0; k < 10; k++)
			fs[k] = NAN;
		pd_pso_tell(p, fs);
	}
	CHECK(pd_pso_nonfinite(p) == 200 && isinf(pd_pso_best(p, NULL)));
	CHECK(isfinite(pd_pso_spread(p)));
	pd_pso_free(p);
}

/* Two swarms agree bit for bit: the points they ask, best, counters. */
static int same_swarm(struct pd_pso *a, struct pd_pso *b, int n)
{
	static double xa[MAXP * MAXN], xb[MAXP * MAXN];
	double ba[MAXN], bb[MAXN], fa = pd_pso_best(a, ba), fb = pd_pso_best(b, bb);
	int np = pd_pso_npoints(a);

	pd_pso_ask(a, xa);
	pd_pso_ask(b, xb);
	return np == pd_pso_npoints(b) && !memcmp(xa, xb, sizeof(double) * (size_t)(np * n)) &&
	       !memcmp(&fa, &fb, sizeof(fa)) && !memcmp(ba, bb, sizeof(double) * (size_t)n) &&
	       pd_pso_evals(a) == pd_pso_evals(b) && pd_pso_iter(a) == pd_pso_iter(b) &&
	       pd_pso_nonfinite(a) == pd_pso_nonfinite(b);
}

/* Save after a tell and between ask and tell: the loaded copy goes on
 * exactly as the original; damaged texts are refused. */
static void test_save_load(void)
{
	double lo[6] = {-2, -2, -2, -2, -2, -2}, hi[6] = {2, 2, 2, 2, 2, 2};
	double min[6] = {-2, -INFINITY, -3, -2, -2, -2}, max[6] = {2, 2, INFINITY, 3, 2, 2};
	struct pd_pso_params par = {17, 0.6, 1.7, 1.3};
	struct pd_buf s = PD_BUF_INIT, s2 = PD_BUF_INIT;
	char err[PD_ERRLEN];
	struct pd_pso *a = pd_pso_new(6, lo, hi, min, max, &par, 5, err), *b;
	int n = 6;

	CHECK(pd_pso_set_rule(a, PD_PSO_CLASSIC, err) == 0);
	calls = 0;
	for (int i = 0; i < 30; i++)
		step(a, n, holey);
	pd_pso_save(a, &s);
	CHECK((b = pd_pso_load(s.data, s.len, err)) != NULL);
	pd_pso_save(b, &s2);
	CHECK(s.len == s2.len && memcmp(s.data, s2.data, s.len) == 0);
	CHECK(same_swarm(a, b, n));
	for (int i = 0; i < 40; i++)
		step(a, n, rosenbrock), step(b, n, rosenbrock);
	CHECK(same_swarm(a, b, n));
	/* between ask and tell */
	pd_pso_ask(a, xs);
	pd_buf_reset(&s);
	pd_pso_save(a, &s);
	pd_pso_free(b);
	CHECK((b = pd_pso_load(s.data, s.len, err)) != NULL);
	for (int k = 0; k < 17; k++)
		fs[k] = rosenbrock(xs + k * n, n);
	pd_pso_tell(a, fs);
	pd_pso_tell(b, fs);
	for (int i = 0; i < 30; i++)
		step(a, n, rosenbrock), step(b, n, rosenbrock);
	CHECK(same_swarm(a, b, n));
	pd_pso_free(b);
	/* damaged texts are refused with a message */
	err[0] = 0;
	CHECK(!pd_pso_load(s.data, s.len / 2, err) && strstr(err, "pso state"));
	CHECK(!pd_pso_load(s.data, s.len - 2, err)); /* last digit cut */
	s.data[40] = 'X';
	CHECK(!pd_pso_load(s.data, s.len, err));
	CHECK(!pd_pso_load("pd-pso-state 1\ndim 0\n", 21, err) && strstr(err, "dim"));
	CHECK(!pd_pso_load("pd-cmaes-state 1\n", 17, err) && strstr(err, "pd-pso-state"));
	pd_buf_reset(&s);
	pd_pso_save(a, &s);
	pd_buf_addc(&s, 'x');
	CHECK(!pd_pso_load(s.data, s.len, err) && strstr(err, "end of state"));
	pd_pso_free(a);
	pd_buf_release(&s);
	pd_buf_release(&s2);
}

int main(void)
{
	test_convergence();
	test_determinism();
	test_bounds();
	test_nonfinite();
	test_save_load();
	return t_done("pso_test");
}
