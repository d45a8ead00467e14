/* cmaes_more_test.c - unit tests for CMA-ES's box transformation, start point,
 * BIPOP restarts and uncertainty handling (lib/opt/boxtrans.c, cmaes*.c). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/boxtrans.h"
#include "opt/cmaes.h"
#include "opt/rng.h"
#include "optfns.h"
#include "t.h"

#define MAXN 10

static double xs[200000], fs[20000];

/* The transformation maps every y into the box, is continuous, touches
 * each bound, and inv is its right inverse. */
static void test_boxtrans(void)
{
	struct pd_boxtrans t, h;
	double y, x, prev, maxjump = 0;
	int i, out = 0;

	pd_boxtrans_init(&t, -1, 2);
	CHECK(t.al == 0.1 && t.au == 0.15); /* (1 + |b|) / 20 */
	CHECK(pd_boxtrans_fwd(&t, -1.1) == -1 && pd_boxtrans_fwd(&t, 2.15) == 2);
	CHECK(pd_boxtrans_fwd(&t, 0.5) == 0.5);
	prev = pd_boxtrans_fwd(&t, -50);
	for (i = 1; i <= 1000000; i++) {
		y = -50 + 1e-4 * i;
		x = pd_boxtrans_fwd(&t, y);
		out += !(x >= -1 && x <= 2);
		maxjump = fmax(maxjump, fabs(x - prev));
		prev = x;
	}
	CHECK(out == 0);
	CHECK(maxjump <= 1e-4 + 1e-12); /* slope at most 1: continuous */
	for (i = 0; i <= 300; i++) {
		x = -1 + 0.01 * i;
		CHECK(fabs(pd_boxtrans_fwd(&t, pd_boxtrans_inv(&t, x)) - x) < 1e-12);
	}
	/* one-sided: the identity away from the bound, mirrored beyond */
	pd_boxtrans_init(&h, 0, INFINITY);
	CHECK(h.al == 0.05 && pd_boxtrans_fwd(&h, 7) == 7 && pd_boxtrans_fwd(&h, -3) >= 0);
	CHECK(pd_boxtrans_fwd(&h, -0.05) == 0);
}

/* walls(x): (x_i - t_i)^2 with t_i = 5, -5, 0.3 in turn (tests/jobs/optprobe.c). */
static double walls(const double *x, int n)
{
	double s = 0, t;

	for (int i = 0; i < n; i++) {
		t = i % 3 == 0 ? 5 : i % 3 == 1 ? -5 : 0.3;
		s += (x[i] - t) * (x[i] - t);
	}
	return s;
}

/* Optima on the walls of [-1, 1]^6 from the narrow start [0, 0.2]: every
 * coordinate within 1e-6 of 1, -1, 0.3, never a point outside. */
static void test_walls(void)
{
	double lo[6], hi[6], mn[6], mx[6], x[6];
	char err[PD_ERRLEN];
	struct pd_cmaes c;
	int out = 0, g, i, k;

	for (i = 0; i < 6; i++)
		lo[i] = 0, hi[i] = 0.2, mn[i] = -1, mx[i] = 1;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		CHECK(pd_cmaes_init(&c, 6, lo, hi, mn, mx, 0, 0, seed, err) == 0);
		for (g = 0; g < 3000 && !pd_cmaes_stop(&c); g++) {
			pd_cmaes_ask(&c, xs);
			for (k = 0; k < c.lambda; k++) {
				for (i = 0; i < 6; i++)
					out += !(xs[k * 6 + i] >= -1 && xs[k * 6 + i] <= 1);
				fs[k] = walls(xs + k * 6, 6);
			}
			pd_cmaes_tell(&c, fs);
		}
		pd_cmaes_best(&c, x);
		for (i = 0; i < 6; i++)
			CHECK(fabs(x[i] - (i % 3 == 0 ? 1 : i % 3 == 1 ? -1 : 0.3)) < 1e-6);
		printf("walls seed %d: %lld evaluations, stop %s\n", (int)seed, pd_cmaes_evals(&c),
		       pd_cmaes_stop_name(pd_cmaes_stop(&c)));
		pd_cmaes_release(&c);
	}
	CHECK(out == 0);
}

/* --x0 and --step: the first mean is x0; the first points' spread per
 * coordinate is the step (sample standard deviation of 400 asks). */
static void test_start(void)
{
	double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1}, mn[3] = {-INFINITY, -INFINITY, -INFINITY};
	double mx[3] = {INFINITY, INFINITY, INFINITY}, x0[3] = {0.5, -0.25, 3}, step[3] = {0.01, 0.1, 1};
	double m[3], s1[3] = {0}, s2[3] = {0}, sd;
	char err[PD_ERRLEN];
	struct pd_cmaes c;
	int k, i, cnt = 0;

	CHECK(pd_cmaes_init(&c, 3, lo, hi, mn, mx, 0, 0, 5, err) == 0);
	CHECK(pd_cmaes_start(&c, x0, step, err) == 0);
	pd_cmaes_mean(&c, m);
	for (i = 0; i < 3; i++)
		CHECK(fabs(m[i] - x0[i]) < 1e-12);
	for (int r = 0; r < 400; r++) {
		pd_cmaes_ask(&c, xs);
		for (k = 0; k < c.lambda; k++, cnt++)
			for (i = 0; i < 3; i++)
				s1[i] += xs[k * 3 + i], s2[i] += xs[k * 3 + i] * xs[k * 3 + i];
	}
	for (i = 0; i < 3; i++) {
		sd = sqrt(s2[i] / cnt - (s1[i] / cnt) * (s1[i] / cnt));
		printf("step %g: sample sd %g\n", step[i], sd);
		CHECK(fabs(sd / step[i] - 1) < 0.05);
	}
	x0[0] = 7; /* outside the hard bounds [-1, 1]... here infinite: use a box */
	pd_cmaes_release(&c);
	CHECK(pd_cmaes_init(&c, 3, lo, hi, NULL, NULL, 0, 0, 5, err) == 0);
	CHECK(pd_cmaes_start(&c, x0, NULL, err) == -1 && strstr(err, "parameter 1"));
	step[1] = 0;
	CHECK(pd_cmaes_start(&c, NULL, step, err) == -1 && strstr(err, "parameter 2"));
	/* a start on a wall is reached exactly */
	x0[0] = 1, x0[1] = -1, x0[2] = 0;
	CHECK(pd_cmaes_start(&c, x0, NULL, err) == 0);
	pd_cmaes_mean(&c, m);
	CHECK(m[0] == 1 && m[1] == -1 && fabs(m[2]) < 1e-15);
	pd_cmaes_release(&c);
}

static double rastrigin(const double *x, int n)
{
	double s = 10.0 * n;

	for (int i = 0; i < n; i++)
		s += x[i] * x[i] - 10 * cos(6.283185307179586 * x[i]);
	return s;
}

/* One generation of c on f. */
static void step(struct pd_cmaes *c, fn f)
{
	int np = pd_cmaes_npoints(c), n = c->n;

	pd_cmaes_ask(c, xs);
	for (int k = 0; k < np; k++)
		fs[k] = f(xs + k * n, n);
	pd_cmaes_tell(c, fs);
}

/* Whether the next run should be small, by the rules of c's mode, from
 * the budgets b0 (small) and b1 (large) and the regime that found the best
 * value (-1: none yet), as the test tracked them. */
static int want_small(const struct pd_cmaes *c, long long b0, long long b1, int best_regime)
{
	if (c->mode == PD_CMAES_NBIPOP && best_regime == 1)
		return 2 * b0 < b1;
	if (c->mode == PD_CMAES_NBIPOP && best_regime == 0)
		return b0 < 2 * b1;
	return b0 < b1;
}

/* Run BIPOP or NBIPOP for evals, checking the regimes' rules at every
 * restart against the budgets and best regime tracked here; returns the
 * restarts. */
static int bipop_run(struct pd_cmaes *c, long long evals, int *small, int *large)
{
	char err[PD_ERRLEN];
	int left = 9, rc, lg, before, nb = c->mode == PD_CMAES_NBIPOP, best_regime = c->best_regime;
	long long b0, b1;
	double best = pd_cmaes_best(c, NULL), sig;

	*small = *large = 0;
	while (pd_cmaes_evals(c) < evals) {
		step(c, rastrigin);
		if (pd_cmaes_best(c, NULL) < best)
			best = pd_cmaes_best(c, NULL), best_regime = c->regime;
		if (!pd_cmaes_stop(c))
			continue;
		b0 = c->budget[0], b1 = c->budget[1], before = c->nlarge;
		if (c->regime) /* the run just ended, as restart_next counts it */
			b1 += c->evals - c->run_start;
		else
			b0 += c->evals - c->run_start;
		rc = pd_cmaes_restart_next(c, left, &lg, err);
		CHECK(rc == 0);
		if (rc)
			break;
		CHECK(lg == !want_small(c, b0, b1, best_regime));
		if (lg) { /* large: doubled; NBIPOP's step shrinks by 1.6 each time */
			sig = nb ? c->sigma_def / pow(1.6, before + 1) : c->sigma_def;
			CHECK(c->lambda == c->lambda_def << (before + 1) && fabs(c->sigma0 - sig) <= 1e-15 * sig);
			left--, (*large)++;
		} else { /* small: between lambda_def and the last large population (NBIPOP: lambda_def) */
			CHECK(c->lambda >= c->lambda_def && c->lambda <= c->lambda_def << before);
			CHECK(!nb || c->lambda == c->lambda_def);
			CHECK(c->sigma0 <= c->sigma_def && c->sigma0 >= c->sigma_def / 100 && c->maxgen >= 1);
			(*small)++;
		}
		CHECK(c->regime == lg);
	}
	return pd_cmaes_restarts(c);
}

/* BIPOP or NBIPOP (mode): the regimes alternate by budget; same seed same
 * bits; a save mid-way continues identically. */
static void test_bipop(enum pd_cmaes_restart_mode mode)
{
	struct pd_cmaes a, b;
	struct pd_buf s = PD_BUF_INIT;
	double lo[5], hi[5], xa[5], xb[5], fa, fb;
	char err[PD_ERRLEN];
	int small, large, i;

	for (i = 0; i < 5; i++)
		lo[i] = -5.12, hi[i] = 5.12;
	CHECK(pd_cmaes_init(&a, 5, lo, hi, NULL, NULL, 0, 0, 3, err) == 0);
	pd_cmaes_set_restart_mode(&a, mode);
	CHECK(a.regime == (mode == PD_CMAES_NBIPOP)); /* NBIPOP's first run is its first large one */
	bipop_run(&a, 60000, &small, &large);
	printf("%s 5-D rastrigin: %d small and %d large runs, best %g\n", mode == PD_CMAES_NBIPOP ? "nbipop" : "bipop",
	       small, large, pd_cmaes_best(&a, NULL));
	CHECK(small >= 2 && large >= 2);
	pd_cmaes_release(&a);
	/* bit for bit, and through a save */
	CHECK(pd_cmaes_init(&a, 5, lo, hi, NULL, NULL, 0, 0, 4, err) == 0);
	CHECK(pd_cmaes_init(&b, 5, lo, hi, NULL, NULL, 0, 0, 4, err) == 0);
	pd_cmaes_set_restart_mode(&a, mode);
	pd_cmaes_set_restart_mode(&b, mode);
	bipop_run(&a, 20000, &small, &large);
	bipop_run(&b, 20000, &small, &large);
	pd_cmaes_save(&b, &s);
	pd_cmaes_release(&b);
	CHECK(pd_cmaes_load(&b, s.data, s.len, err) == 0);
	CHECK(b.best_regime == a.best_regime && b.best_regime >= 0);
	bipop_run(&a, 40000, &small, &large);
	bipop_run(&b, 40000, &small, &large);
	fa = pd_cmaes_best(&a, xa), fb = pd_cmaes_best(&b, xb);
	CHECK(memcmp(&fa, &fb, sizeof fa) == 0 && memcmp(xa, xb, sizeof xa) == 0);
	CHECK(pd_cmaes_evals(&a) == pd_cmaes_evals(&b) && pd_cmaes_restarts(&a) == pd_cmaes_restarts(&b));
	pd_cmaes_release(&a);
	pd_cmaes_release(&b);
	pd_buf_release(&s);
}

/* A state saved in format 2 (before NBIPOP: no best_regime line) still
 * loads, with the best regime unknown; a version past 3 is refused. */
static void test_state_v2(void)
{
	struct pd_cmaes a, b;
	struct pd_buf s = PD_BUF_INIT;
	double lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
	char err[PD_ERRLEN], *line, *end;

	CHECK(pd_cmaes_init(&a, 3, lo, hi, NULL, NULL, 0, 0, 7, err) == 0);
	step(&a, rastrigin);
	pd_cmaes_save(&a, &s);
	pd_buf_add(&s, "", 1); /* NUL for strstr */
	CHECK(strncmp(s.data, "pd-cmaes-state 3\n", 17) == 0);
	line = strstr(s.data, "\nbest_regime ");
	CHECK(line != NULL);
	if (line) {
		end = strchr(line + 1, '\n');
		memmove(line, end, strlen(end) + 1);
	}
	s.data[15] = '2';
	CHECK(pd_cmaes_load(&b, s.data, strlen(s.data), err) == 0);
	CHECK(b.best_regime == -1 && b.evals == a.evals && b.best_f == a.best_f);
	pd_cmaes_release(&b);
	s.data[15] = '4';
	CHECK(pd_cmaes_load(&b, s.data, strlen(s.data), err) != 0);
	pd_cmaes_release(&a);
	pd_buf_release(&s);
}

/* A noise of the point's bits: the same point, the same value. */
static double hashnoise(const double *x, int n)
{
	uint64_t h = 0x243f6a8885a308d3ULL, u;
	struct pd_rng r;

	for (int i = 0; i < n; i++) {
		memcpy(&u, &x[i], sizeof u);
		h ^= u;
		h = pd_splitmix64(&h);
	}
	pd_rng_seed(&r, h);
	return pd_rng_gauss(&r);
}

static double noisy_sphere(const double *x, int n) { return sphere(x, n) + 0.01 * hashnoise(x, n); }

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The true sphere value at the final mean after 20000 evaluations of the
 * noisy sphere, with and without uncertainty handling, 7 seeds. */
static double noisy_median(int uh, struct pd_buf *save)
{
	double lo[10], hi[10], m[10], v[7];
	char err[PD_ERRLEN];
	struct pd_cmaes c;
	int i;

	for (i = 0; i < 10; i++)
		lo[i] = -5, hi[i] = 5;
	for (int s = 0; s < 7; s++) {
		CHECK(pd_cmaes_init(&c, 10, lo, hi, NULL, NULL, 0, 0, 100 + (uint64_t)s, err) == 0);
		pd_cmaes_set_noise(&c, uh);
		while (pd_cmaes_evals(&c) < 20000)
			step(&c, noisy_sphere);
		if (s == 0 && save)
			pd_cmaes_save(&c, save);
		pd_cmaes_mean(&c, m);
		v[s] = sphere(m, 10);
		printf(" %.3g", v[s]);
		pd_cmaes_release(&c);
	}
	qsort(v, 7, sizeof v[0], cmp_d);
	return v[3];
}

/* Uncertainty handling: a better final mean on the noisy sphere; it
 * re-evaluates (more points per generation); its state saves whole. */
static void test_noise(void)
{
	struct pd_buf s = PD_BUF_INIT, s2 = PD_BUF_INIT;
	struct pd_cmaes c;
	char err[PD_ERRLEN];
	double off, on;

	printf("noisy sphere, true f at the mean, without UH:");
	off = noisy_median(0, NULL);
	printf("\n  with UH:");
	on = noisy_median(1, &s);
	printf("\nnoisy sphere medians: without %g, with %g\n", off, on);
	CHECK(on < 0.8 * off); /* fixed seeds: the figures above, every time */
	CHECK(pd_cmaes_load(&c, s.data, s.len, err) == 0);
	CHECK(c.uh == 1 && c.nreev == 2 && pd_cmaes_npoints(&c) == (10 + 2) * c.uh_k);
	pd_cmaes_save(&c, &s2);
	CHECK(s.len == s2.len && memcmp(s.data, s2.data, s.len) == 0);
	pd_cmaes_release(&c);
	/* a state of the format before this one is named as such */
	CHECK(pd_cmaes_load(&c, "pd-cmaes-state 1\ndim 2\nlambda 6\n", 33, err) == -1 && strstr(err, "version 1"));
	pd_buf_release(&s);
	pd_buf_release(&s2);
}

/* Points beyond the range where the transformation is invertible rank
 * after those inside, nearest first, even when their values are better:
 * mirrored, the landscape past a wall must not look as good as the box.
 * 1-D box [-5, 5]: the range is [-5.3, 5.3] (pycma's margins, 0.3 in the
 * user's coordinates), 0.03 beyond the normalised box [0, 1]. */
static void test_beyond_ranks_last(void)
{
	struct pd_cmaes c;
	double lo = -5, hi = 5, x[64], f[64], y, d[64], lim = 0.03;
	char err[256];
	int k, in = 0, seen_out = 0, ok = 1;

	CHECK(pd_cmaes_init(&c, 1, &lo, &hi, NULL, NULL, 2, 40, 7, err) == 0);
	pd_cmaes_ask(&c, x);
	for (k = 0; k < 40; k++) {
		y = c.arx[k]; /* normalised, untransformed */
		d[k] = y < -lim ? -lim - y : y > 1 + lim ? y - 1 - lim : 0;
		in += d[k] == 0;
		f[k] = -fabs(y - 0.5); /* the farther out, the better */
	}
	CHECK(in > 0 && in < 40); /* sigma 2: some inside, some beyond */
	pd_cmaes_tell(&c, f);
	for (k = 0; k < 40; k++) {
		double dk = d[c.rank[k].i];

		if (dk > 0)
			seen_out = 1;
		if (seen_out && dk == 0)
			ok = 0; /* an inside point after an outside one */
		if (k > 0 && dk > 0 && dk < d[c.rank[k - 1].i])
			ok = 0; /* outside ones not nearest first */
	}
	CHECK(ok);
	/* the best ever still counts the outside points' values */
	for (y = INFINITY, k = 0; k < 40; k++)
		y = fmin(y, f[k]);
	CHECK(pd_cmaes_best(&c, NULL) == y);
	pd_cmaes_release(&c);
}

/* The flat-fitness escape: sigma grows by exp(0.2 + cs / damps) beyond
 * the step-size rule when every value of a generation is the same, and
 * not when only most are (a plateau, as on BBOB's step ellipsoid: the
 * best 12 of 16 equal, which the 70th-percentile rule took as flat).  Each case is told to two copies of one state with
 * values that rank alike (ties go by index), so only the escape differs. */
static void test_flat_fitness(void)
{
	struct pd_cmaes a, b;
	double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1}, fa[16], fb[16], esc;
	char err[256];
	int k, plateau;

	for (plateau = 0; plateau < 2; plateau++) {
		CHECK(pd_cmaes_init(&a, 3, lo, hi, NULL, NULL, 0, 16, 11, err) == 0);
		CHECK(pd_cmaes_init(&b, 3, lo, hi, NULL, NULL, 0, 16, 11, err) == 0);
		pd_cmaes_ask(&a, xs);
		pd_cmaes_ask(&b, xs);
		for (k = 0; k < 16; k++) {
			fa[k] = plateau && k >= 12 ? 9 : 7; /* all equal, or the best 12 of 16 */
			fb[k] = fa[k] + k * 1e-9;	     /* the same order, distinct */
		}
		pd_cmaes_tell(&a, fa);
		pd_cmaes_tell(&b, fb);
		esc = exp(0.2 + a.cs / a.damps);
		if (plateau)
			CHECK(pd_cmaes_sigma(&a) == pd_cmaes_sigma(&b));
		else
			CHECK(fabs(pd_cmaes_sigma(&a) / pd_cmaes_sigma(&b) / esc - 1) < 1e-12);
		pd_cmaes_release(&a);
		pd_cmaes_release(&b);
	}
}

int main(void)
{
	test_boxtrans();
	test_beyond_ranks_last();
	test_walls();
	test_start();
	test_bipop(PD_CMAES_BIPOP);
	test_bipop(PD_CMAES_NBIPOP);
	test_state_v2();
	test_noise();
	test_flat_fitness();
	return t_done("cmaes_more_test");
}
