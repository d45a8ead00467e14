/* ga_test.c - unit tests for pd-opt's island genetic algorithm (lib/opt/ga.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/ga.h"
#include "optfns.h"
#include "t.h"

#define MAXN 8
#define MAXPTS 400

static double xs[MAXPTS * MAXN], fs[MAXPTS];

/* A GA on [a, b]^n (hard bounds the same). */
static struct pd_ga *setup(int n, double a, double b, int islands, int pop, uint64_t seed)
{
	double lo[MAXN], hi[MAXN];
	struct pd_ga_params par = {islands, pop, 0, 0, 0, 0, 0};
	char err[PD_ERRLEN];

	for (int i = 0; i < n; i++)
		lo[i] = a, hi[i] = b;
	return pd_ga_new(n, lo, hi, NULL, NULL, &par, seed, err);
}

/* One generation: ask, evaluate with f, tell. */
static void step(struct pd_ga *g, int n, fn f)
{
	pd_ga_ask(g, xs);
	for (int k = 0; k < pd_ga_npoints(g); k++)
		fs[k] = f(xs + k * n, n);
	pd_ga_tell(g, fs);
}

static void test_convergence(void)
{
	struct pd_ga *g = setup(4, -5, 5, 2, 50, 1);
	double x[MAXN], prev = INFINITY, b;
	int monotone = 1;

	CHECK(g && pd_ga_npoints(g) == 100);
	CHECK(pd_ga_spread(g) == 0.1);
	CHECK(isinf(pd_ga_best(g, x)) && x[0] == 0);
	for (int t = 0; t < 150; t++) {
		step(g, 4, sphere);
		b = pd_ga_best(g, NULL);
		monotone &= b <= prev;
		prev = b;
	}
	CHECK(monotone);
	CHECK(pd_ga_best(g, NULL) < 1e-10);
	CHECK(pd_ga_spread(g) < 1e-3);
	CHECK(pd_ga_iter(g) == 150 && pd_ga_evals(g) == 150 * 100 && pd_ga_nonfinite(g) == 0);
	pd_ga_free(g);
	g = setup(2, -2.2, 2.2, 1, 100, 2);
	for (int t = 0; t < 150; t++)
		step(g, 2, rosenbrock);
	CHECK(pd_ga_best(g, x) < 1e-6);
	CHECK(fabs(x[0] - 1) < 1e-2 && fabs(x[1] - 1) < 1e-2);
	pd_ga_free(g);
}

/* Run t generations of rosenbrock, hashing every asked point into *h. */
static void run_hash(struct pd_ga *g, int n, int t, uint64_t *h)
{
	uint64_t u;

	for (int i = 0; i < t; i++) {
		step(g, n, rosenbrock);
		for (int k = 0; k < pd_ga_npoints(g) * n; k++) {
			memcpy(&u, &xs[k], sizeof(u));
			*h = (*h ^ u) * 0x100000001b3ULL;
		}
	}
}

/* Same seed, same bits in every asked point; another seed, others.
 * Island 0 draws from the same stream whatever the number of islands. */
static void test_determinism(void)
{
	uint64_t h[3] = {0, 0, 0};
	double xa[MAXN], xb[MAXN], fa, fb, first[20 * 3];
	struct pd_ga *g[3];

	for (int i = 0; i < 3; i++) {
		g[i] = setup(3, -2.2, 2.2, 3, 20, i < 2 ? 77 : 78);
		run_hash(g[i], 3, 40, &h[i]);
	}
	fa = pd_ga_best(g[0], xa);
	fb = pd_ga_best(g[1], xb);
	CHECK(h[0] == h[1] && h[0] != h[2]);
	CHECK(memcmp(&fa, &fb, sizeof(fa)) == 0 && memcmp(xa, xb, 3 * sizeof(double)) == 0);
	for (int i = 0; i < 3; i++)
		pd_ga_free(g[i]);
	g[0] = setup(3, -2.2, 2.2, 1, 20, 77);
	pd_ga_ask(g[0], first);
	g[1] = setup(3, -2.2, 2.2, 3, 20, 77);
	pd_ga_ask(g[1], xs);
	CHECK(memcmp(first, xs, sizeof(first)) == 0);
	CHECK(memcmp(first, xs + 20 * 3, sizeof(first)) != 0);
	pd_ga_free(g[0]);
	pd_ga_free(g[1]);
}

/* Asked points stay in [min, max] (NULL: [-1, 1]); returns how many
 * were outside; the best ends near expect. */
static int bounded_run(const double *min, const double *max, double expect)
{
	double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1}, x[3];
	struct pd_ga_params par = {2, 40, 0, 0, 0, 0, 0};
	char err[PD_ERRLEN];
	struct pd_ga *g = pd_ga_new(3, lo, hi, min, max, &par, 9, err);
	int outside = 0;

	CHECK(g != NULL);
	for (int t = 0; t < 200; t++) {
		pd_ga_ask(g, xs);
		for (int k = 0; k < 80 * 3; k++)
			outside += !(xs[k] >= (min ? min[k % 3] : -1) && xs[k] <= (max ? max[k % 3] : 1));
		for (int k = 0; k < 80; k++)
			fs[k] = far(xs + 3 * k, 3);
		pd_ga_tell(g, fs);
	}
	pd_ga_best(g, x);
	for (int i = 0; i < 3; i++)
		CHECK(fabs(x[i] - expect) < 1e-6);
	pd_ga_free(g);
	return outside;
}

static void test_bounds(void)
{
	double min[3] = {-3, -3, -3}, max[3] = {3, 3, 3};
	double inf[3] = {INFINITY, INFINITY, INFINITY}, ninf[3] = {-INFINITY, -INFINITY, -INFINITY};

	CHECK(bounded_run(NULL, NULL, 1) == 0);
	CHECK(bounded_run(min, max, 3) == 0);
	CHECK(bounded_run(ninf, max, 3) == 0);
	CHECK(bounded_run(ninf, inf, 5) == 0);
}

/* A bad parameter set is refused with a message holding want. */
static int refused(struct pd_ga_params par, const char *want)
{
	double lo[2] = {-1, -1}, hi[2] = {1, 1};
	char err[PD_ERRLEN] = "";
	struct pd_ga *g = pd_ga_new(2, lo, hi, NULL, NULL, &par, 1, err);

	pd_ga_free(g);
	return !g && strstr(err, want) != NULL;
}

static void test_params(void)
{
	double lo[2] = {-1, -1}, hi[2] = {1, 1}, min[2] = {0, -2};
	char err[PD_ERRLEN];
	struct pd_ga *g;

	CHECK(refused((struct pd_ga_params){1, 10, 0.1, 0.5, 0.3, 0, 0}, "sum to 1"));
	CHECK(refused((struct pd_ga_params){1, 10, -0.1, 0.8, 0.3, 0, 0}, "at least 0"));
	CHECK(refused((struct pd_ga_params){1, 10, 0.1, NAN, 0.3, 0, 0}, "sum to 1"));
	CHECK(refused((struct pd_ga_params){1, 1, 0, 0, 0, 0, 0}, "population"));
	CHECK(refused((struct pd_ga_params){-2, 10, 0, 0, 0, 0, 0}, "islands"));
	CHECK(refused((struct pd_ga_params){2, 10, 0, 0, 0, -3, 0}, "migration interval"));
	CHECK(refused((struct pd_ga_params){2, 10, 0, 0, 0, 0, 1.5}, "migration proportion"));
	CHECK(refused((struct pd_ga_params){2, 10, 0, 0, 0, 0, NAN}, "migration proportion"));
	/* given proportions summing to 1, all zero, all negative: accepted */
	CHECK(!refused((struct pd_ga_params){1, 10, 0.2, 0.5, 0.3, 0, 0}, ""));
	CHECK(!refused((struct pd_ga_params){1, 10, 0, 1, 0, 0, 0}, ""));
	CHECK(!refused((struct pd_ga_params){1, 10, -1, -1, -1, 0, -1}, ""));
	CHECK(!pd_ga_new(0, lo, hi, NULL, NULL, NULL, 1, err) && strstr(err, "dimension"));
	CHECK(!pd_ga_new(2, lo, hi, min, NULL, NULL, 1, err) && strstr(err, "hard bounds"));
	CHECK(!pd_ga_new(2, hi, lo, NULL, NULL, NULL, 1, err) && strstr(err, "interval"));
	CHECK((g = pd_ga_new(2, lo, hi, NULL, NULL, NULL, 1, err)) && pd_ga_npoints(g) == 100);
	pd_ga_free(g);
	pd_ga_free(NULL);
}

/* Two islands of 10, one elite each, two migrants: island 0's best
 * individual becomes island 1's elite exactly when a migration is due. */
static void test_migration(void)
{
	double lo[2] = {-1, -1}, hi[2] = {1, 1}, star[2];
	struct pd_ga_params par = {2, 10, 0.1, 0.6, 0.3, 3, 0.2};
	char err[PD_ERRLEN];
	struct pd_ga *g = pd_ga_new(2, lo, hi, NULL, NULL, &par, 11, err);
	int moved[4];

	CHECK(g != NULL);
	for (int t = 1; t <= 3; t++) {
		pd_ga_ask(g, xs);
		/* island 0 worse than island 1, except individual 3: the best */
		for (int k = 0; k < 20; k++)
			fs[k] = k < 10 ? 100 + k : 50 + k;
		fs[3] = 1;
		memcpy(star, xs + 3 * 2, sizeof(star));
		pd_ga_tell(g, fs);
		pd_ga_ask(g, xs);
		moved[t] = !memcmp(xs + 10 * 2, star, sizeof(star)); /* island 1's elite */
		CHECK(!memcmp(xs, star, sizeof(star)));		     /* island 0's elite */
	}
	CHECK(!moved[1] && !moved[2] && moved[3]);
	CHECK(pd_ga_evals(g) == 60 && pd_ga_iter(g) == 3);
	pd_ga_free(g);
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
	struct pd_ga *g = setup(3, -3, 3, 2, 30, 3);
	long long bad = 0;

	calls = 0;
	for (int t = 0; t < 150; t++)
		step(g, 3, holey);
	for (long long i = 1; i <= calls; i++)
		bad += i % 5 == 0 || i % 7 == 0 || i % 11 == 0;
	CHECK(calls == 9000 && pd_ga_nonfinite(g) == bad);
	CHECK(isfinite(pd_ga_best(g, NULL)) && pd_ga_best(g, NULL) < 1e-8);
	pd_ga_free(g);
	/* all non-finite: the islands go on inside the box, nothing is best */
	g = setup(3, -1, 1, 2, 10, 4);
	for (int t = 0; t < 30; t++) {
		pd_ga_ask(g, xs);
		for (int k = 0; k < 60; k++)
			CHECK(xs[k] >= -1 && xs[k] <= 1);
		for (int k = 0; k < 20; k++)
			fs[k] = NAN;
		pd_ga_tell(g, fs);
	}
	CHECK(pd_ga_nonfinite(g) == 600 && isinf(pd_ga_best(g, NULL)));
	CHECK(isfinite(pd_ga_spread(g)));
	pd_ga_free(g);
}

/* Two GAs agree bit for bit: the points they ask, best, counters. */
static int same_ga(struct pd_ga *a, struct pd_ga *b, int n)
{
	static double xa[MAXPTS * MAXN], xb[MAXPTS * MAXN];
	double ba[MAXN], bb[MAXN], fa = pd_ga_best(a, ba), fb = pd_ga_best(b, bb);
	double sa = pd_ga_spread(a), sb = pd_ga_spread(b);
	int np = pd_ga_npoints(a);

	pd_ga_ask(a, xa);
	pd_ga_ask(b, xb);
	return np == pd_ga_npoints(b) && !memcmp(xa, xb, sizeof(double) * (size_t)(np * n)) &&
	       !memcmp(&fa, &fb, sizeof(fa)) && !memcmp(ba, bb, sizeof(double) * (size_t)n) &&
	       !memcmp(&sa, &sb, sizeof(sa)) && pd_ga_evals(a) == pd_ga_evals(b) &&
	       pd_ga_iter(a) == pd_ga_iter(b) && pd_ga_nonfinite(a) == pd_ga_nonfinite(b);
}

/* Save after a tell and between ask and tell, across migrations: the
 * loaded copy goes on exactly as the original; damaged texts are refused. */
static void test_save_load(void)
{
	double lo[5] = {-2, -2, -2, -2, -2}, hi[5] = {2, 2, 2, 2, 2};
	double min[5] = {-2, -INFINITY, -3, -2, -2}, max[5] = {2, 2, INFINITY, 3, 2};
	struct pd_ga_params par = {3, 16, 0.125, 0.5, 0.375, 4, 0.25};
	struct pd_buf s = PD_BUF_INIT, s2 = PD_BUF_INIT;
	char err[PD_ERRLEN];
	struct pd_ga *a = pd_ga_new(5, lo, hi, min, max, &par, 5, err), *b;
	int n = 5;

	calls = 0;
	for (int i = 0; i < 10; i++)
		step(a, n, holey);
	pd_ga_save(a, &s);
	CHECK((b = pd_ga_load(s.data, s.len, err)) != NULL);
	pd_ga_save(b, &s2);
	CHECK(s.len == s2.len && memcmp(s.data, s2.data, s.len) == 0);
	CHECK(same_ga(a, b, n));
	for (int i = 0; i < 15; i++)
		step(a, n, rosenbrock), step(b, n, rosenbrock);
	CHECK(same_ga(a, b, n));
	/* between ask and tell, the tell due to migrate */
	CHECK(pd_ga_iter(a) == 25);
	for (int i = 0; i < 2; i++)
		step(a, n, rosenbrock), step(b, n, rosenbrock);
	pd_ga_ask(a, xs);
	pd_buf_reset(&s);
	pd_ga_save(a, &s);
	pd_ga_free(b);
	CHECK((b = pd_ga_load(s.data, s.len, err)) != NULL);
	for (int k = 0; k < 48; k++)
		fs[k] = rosenbrock(xs + k * n, n);
	pd_ga_tell(a, fs);
	pd_ga_tell(b, fs);
	for (int i = 0; i < 20; i++)
		step(a, n, rosenbrock), step(b, n, rosenbrock);
	CHECK(same_ga(a, b, n));
	pd_ga_free(b);
	/* damaged texts are refused with a message */
	err[0] = 0;
	CHECK(!pd_ga_load(s.data, s.len / 2, err) && strstr(err, "ga state"));
	CHECK(!pd_ga_load(s.data, s.len - 2, err));
	s.data[50] = 'X';
	CHECK(!pd_ga_load(s.data, s.len, err));
	CHECK(!pd_ga_load("pd-ga-state 1\ndim 2\nislands 0\n", 30, err) && strstr(err, "islands"));
	pd_buf_reset(&s);
	pd_ga_save(a, &s);
	pd_buf_addc(&s, 'x');
	CHECK(!pd_ga_load(s.data, s.len, err) && strstr(err, "end of state"));
	pd_ga_free(a);
	pd_buf_release(&s);
	pd_buf_release(&s2);
}

int main(void)
{
	test_convergence();
	test_determinism();
	test_bounds();
	test_params();
	test_migration();
	test_nonfinite();
	test_save_load();
	return t_done("ga_test");
}
