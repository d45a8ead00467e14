/* cmaes_test.c - unit tests for the CMA-ES core of pd-opt (lib/opt/cmaes.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/cmaes.h"
#include "optfns.h"
#include "t.h"

#define MAXN 10
#define MAXPOP 2000

static double xs[MAXPOP * MAXN], fs[MAXPOP];

/* One generation: ask, evaluate with f, tell. */
static void step(struct pd_cmaes *c, fn f)
{
	int lambda = pd_cmaes_lambda(c), n = c->n;

	pd_cmaes_ask(c, xs);
	for (int k = 0; k < lambda; k++)
		fs[k] = f(xs + k * n, n);
	pd_cmaes_tell(c, fs);
}

/* Run with IPOP restarts until best < target or maxevals; returns evals
 * used to reach the target, or -1. */
static long long ipop(struct pd_cmaes *c, fn f, double target, long long maxevals)
{
	char err[PD_ERRLEN];

	while (pd_cmaes_evals(c) < maxevals) {
		if (pd_cmaes_lambda(c) > MAXPOP)
			return -1;
		step(c, f);
		if (pd_cmaes_best(c, NULL) < target)
			return pd_cmaes_evals(c);
		if (pd_cmaes_stop(c) && pd_cmaes_restart(c, 2, err) < 0)
			return -1;
	}
	return -1;
}

/* Initialise on [a, b]^n with default sigma0 and lambda. */
static int setup(struct pd_cmaes *c, int n, double a, double b, uint64_t seed)
{
	double lo[MAXN], hi[MAXN];
	char err[PD_ERRLEN];

	for (int i = 0; i < n; i++)
		lo[i] = a, hi[i] = b;
	return pd_cmaes_init(c, n, lo, hi, NULL, NULL, 0, 0, seed, err);
}

static void test_sphere(void)
{
	struct pd_cmaes c;

	CHECK(setup(&c, 5, -5, 5, 1) == 0);
	CHECK(pd_cmaes_lambda(&c) == 8);
	CHECK(ipop(&c, sphere, 1e-10, 20000) > 0);
	CHECK(pd_cmaes_best(&c, NULL) < 1e-10);
	CHECK(pd_cmaes_restarts(&c) == 0);
	pd_cmaes_release(&c);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* 10-D Rosenbrock on [-2.2, 2.2]: f < 1e-8 in 20,000 evaluations for at
 * least 9 of 10 seeds; prints the evaluations. */
static void test_rosenbrock(void)
{
	struct pd_cmaes c;
	long long ev[10];
	int ok = 0;

	printf("rosenbrock 10-D evaluations:");
	for (int s = 0; s < 10; s++) {
		CHECK(setup(&c, 10, -2.2, 2.2, 1000 + (uint64_t)s) == 0);
		ev[s] = ipop(&c, rosenbrock, 1e-8, 20000);
		ok += ev[s] > 0;
		printf(" %lld", ev[s]);
		if (ev[s] < 0)
			ev[s] = 1LL << 60;
		pd_cmaes_release(&c);
	}
	qsort(ev, 10, sizeof(ev[0]), cmp_ll);
	printf("\nrosenbrock 10-D: %d/10 reached 1e-8, median evaluations %lld\n", ok,
	       (ev[4] + ev[5]) / 2);
	CHECK(ok >= 9);
}

/* Same seed, same bits; another seed, other bits. */
static void test_determinism(void)
{
	struct pd_cmaes a, b;
	double xa[MAXN] = {0}, xb[MAXN] = {0}, fa, fb;

	for (int s = 0; s < 2; s++) {
		CHECK(setup(&a, 6, -2.2, 2.2, 77) == 0);
		CHECK(setup(&b, 6, -2.2, 2.2, 77 + (uint64_t)s) == 0);
		ipop(&a, rosenbrock, 1e-12, 3000);
		ipop(&b, rosenbrock, 1e-12, 3000);
		fa = pd_cmaes_best(&a, xa);
		fb = pd_cmaes_best(&b, xb);
		if (s == 0)
			CHECK(memcmp(&fa, &fb, sizeof(fa)) == 0 && memcmp(xa, xb, sizeof(xa)) == 0);
		else
			CHECK(memcmp(xa, xb, sizeof(xa)) != 0);
		pd_cmaes_release(&a);
		pd_cmaes_release(&b);
	}
}

/* Two runs agree bit for bit: best, mean, sigma, counters. */
static int same_state(const struct pd_cmaes *a, const struct pd_cmaes *b)
{
	double xa[MAXN], xb[MAXN], fa = pd_cmaes_best(a, xa), fb = pd_cmaes_best(b, xb);
	double sa = pd_cmaes_sigma(a), sb = pd_cmaes_sigma(b);

	if (memcmp(&fa, &fb, sizeof(fa)) || memcmp(xa, xb, sizeof(double) * (size_t)a->n))
		return 0;
	pd_cmaes_mean(a, xa);
	pd_cmaes_mean(b, xb);
	return !memcmp(xa, xb, sizeof(double) * (size_t)a->n) && !memcmp(&sa, &sb, sizeof(sa)) &&
	       pd_cmaes_evals(a) == pd_cmaes_evals(b) && pd_cmaes_iter(a) == pd_cmaes_iter(b) &&
	       pd_cmaes_lambda(a) == pd_cmaes_lambda(b);
}

/* Save after a tell (with a restart behind) and between ask and tell:
 * the loaded copy continues exactly as the original. */
static void test_save_load(void)
{
	struct pd_cmaes a, b;
	struct pd_buf s = PD_BUF_INIT, s2 = PD_BUF_INIT;
	char err[PD_ERRLEN];
	double xa[MAXPOP * MAXN];
	int n = 8;

	CHECK(setup(&a, n, -2.2, 2.2, 5) == 0);
	for (int i = 0; i < 40; i++)
		step(&a, rosenbrock);
	CHECK(pd_cmaes_restart(&a, 2, err) == 0);
	for (int i = 0; i < 10; i++)
		step(&a, rosenbrock);
	pd_cmaes_save(&a, &s);
	CHECK(pd_cmaes_load(&b, s.data, s.len, err) == 0);
	pd_cmaes_save(&b, &s2);
	CHECK(s.len == s2.len && memcmp(s.data, s2.data, s.len) == 0);
	for (int i = 0; i < 60; i++)
		step(&a, rosenbrock), step(&b, rosenbrock);
	CHECK(same_state(&a, &b));
	/* between ask and tell */
	pd_cmaes_ask(&a, xa);
	pd_buf_reset(&s);
	pd_cmaes_save(&a, &s);
	pd_cmaes_release(&b);
	CHECK(pd_cmaes_load(&b, s.data, s.len, err) == 0);
	for (int k = 0; k < pd_cmaes_lambda(&a); k++)
		fs[k] = rosenbrock(xa + k * n, n);
	pd_cmaes_tell(&a, fs);
	pd_cmaes_tell(&b, fs);
	for (int i = 0; i < 30; i++)
		step(&a, rosenbrock), step(&b, rosenbrock);
	CHECK(same_state(&a, &b));
	pd_cmaes_release(&b);
	/* damaged texts are refused with a message */
	CHECK(pd_cmaes_load(&b, s.data, s.len / 2, err) == -1 && err[0]);
	s.data[20] = 'X';
	CHECK(pd_cmaes_load(&b, s.data, s.len, err) == -1);
	CHECK(pd_cmaes_load(&b, "pd-cmaes-state 1\ndim 0\n", 23, err) == -1);
	pd_cmaes_release(&a);
	pd_buf_release(&s);
	pd_buf_release(&s2);
}

/* Every asked point lies inside [min, max]; the run converges to the
 * bound nearest the outside optimum. */
static int bounded_run(const double *min, const double *max, double expect)
{
	struct pd_cmaes c;
	double lo[2] = {-1, -1}, hi[2] = {1, 1}, x[2];
	char err[PD_ERRLEN];
	int outside = 0, g;

	CHECK(pd_cmaes_init(&c, 2, lo, hi, min, max, 0, 0, 9, err) == 0);
	for (g = 0; g < 2000 && !pd_cmaes_stop(&c); g++) {
		pd_cmaes_ask(&c, xs);
		for (int k = 0; k < c.lambda * 2; k++)
			outside += !(xs[k] >= (min ? min[k % 2] : -1) && xs[k] <= (max ? max[k % 2] : 1));
		for (int k = 0; k < c.lambda; k++)
			fs[k] = far(xs + 2 * k, 2);
		pd_cmaes_tell(&c, fs);
	}
	pd_cmaes_best(&c, x);
	CHECK(fabs(x[0] - expect) < 1e-6 && fabs(x[1] - expect) < 1e-6);
	CHECK(g < 2000);
	pd_cmaes_release(&c);
	return outside;
}

static void test_bounds(void)
{
	double min[2] = {-3, -3}, max[2] = {3, 3};
	char err[PD_ERRLEN];
	struct pd_cmaes c;

	CHECK(bounded_run(NULL, NULL, 1) == 0);
	CHECK(bounded_run(min, max, 3) == 0);
	min[0] = 0; /* hard bounds must contain the initial interval */
	CHECK(pd_cmaes_init(&c, 2, max, max, min, max, 0, 0, 1, err) == -1 && err[0]);
	CHECK(setup(&c, 0, -1, 1, 1) == -1);
}

/* Fitness NaN for every fifth point, +inf for every seventh. */
static double holey(const double *x, int n)
{
	static long long calls;

	calls++;
	if (calls % 5 == 0)
		return NAN;
	if (calls % 7 == 0)
		return INFINITY;
	return sphere(x, n);
}

static void test_nonfinite(void)
{
	struct pd_cmaes c;
	long long bad = 0, evals;

	CHECK(setup(&c, 4, -3, 3, 3) == 0);
	evals = ipop(&c, holey, 1e-10, 20000);
	CHECK(evals > 0);
	for (long long i = 1; i <= evals; i++)
		bad += i % 5 == 0 || i % 7 == 0;
	CHECK(pd_cmaes_nonfinite(&c) == bad);
	CHECK(isfinite(pd_cmaes_best(&c, NULL)));
	pd_cmaes_release(&c);
	/* all non-finite: the run goes on, nothing becomes best */
	CHECK(setup(&c, 3, -1, 1, 4) == 0);
	for (int g = 0; g < 20; g++) {
		pd_cmaes_ask(&c, xs);
		for (int k = 0; k < c.lambda; k++)
			fs[k] = NAN;
		pd_cmaes_tell(&c, fs);
	}
	CHECK(pd_cmaes_nonfinite(&c) == 20LL * c.lambda);
	CHECK(isinf(pd_cmaes_best(&c, NULL)) && isfinite(pd_cmaes_sigma(&c)));
	pd_cmaes_release(&c);
}

int main(void)
{
	test_sphere();
	test_rosenbrock();
	test_determinism();
	test_save_load();
	test_bounds();
	test_nonfinite();
	return t_done("cmaes_test");
}
