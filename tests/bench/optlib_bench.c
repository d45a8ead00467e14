/* optlib_bench.c - the long quality measurements of pd-opt's PSO and GA libraries.
 *
 * Not built by make (minutes of CPU); build and run by hand:
 *
 *	make && cc -std=c11 -D_GNU_SOURCE -O2 -Ilib -Ilib/base -o build/optlib_bench tests/bench/optlib_bench.c build/libpd.a -lm
 *	build/optlib_bench pso [linear|classic] [SEEDS]	5-D Rosenbrock, 80 particles, 150 iterations
 *	build/optlib_bench ga ISLANDS SEED [GENERATIONS]	5-D Schwefel, 1000 per island, 2000 generations
 *
 * pso prints every seed's final best and the median over seeds 1..SEEDS
 * (default 25); ga prints the best value and the generation at which it
 * first went below 1e-3 (-1: never), with the time taken.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "opt/ga.h"
#include "opt/pso.h"
#include "benchtime.h"

#define SCHWEFEL_C 418.9828872724339

static double rosenbrock(const double *x, int n)
{
	double s = 0;

	for (int i = 0; i + 1 < n; i++)
		s += 100 * (x[i + 1] - x[i] * x[i]) * (x[i + 1] - x[i] * x[i]) + (1 - x[i]) * (1 - x[i]);
	return s;
}

static double schwefel(const double *x, int n)
{
	double s = SCHWEFEL_C * n;

	for (int i = 0; i < n; i++)
		s -= x[i] * sin(sqrt(fabs(x[i])));
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 5-D Rosenbrock on [-2.2, 2.2] (hard bounds the same), 80 particles,
 * 150 iterations: the final best of each seed and their median. */
static int bench_pso(int rule, int seeds)
{
	enum { N = 5, P = 80, IT = 150 };
	double lo[N], hi[N], x[P * N], f[P], *best = calloc((size_t)seeds, sizeof(double));
	struct pd_pso_params par = {P, 0, 0, 0};
	char err[PD_ERRLEN];

	for (int i = 0; i < N; i++)
		lo[i] = -2.2, hi[i] = 2.2;
	for (int s = 1; s <= seeds; s++) {
		struct pd_pso *p = pd_pso_new(N, lo, hi, NULL, NULL, &par, (uint64_t)s, err);

		if (!p || pd_pso_set_rule(p, rule, err) < 0)
			return fprintf(stderr, "optlib_bench: %s\n", err), 1;
		for (int t = 0; t < IT; t++) {
			pd_pso_ask(p, x);
			for (int k = 0; k < P; k++)
				f[k] = rosenbrock(x + k * N, N);
			pd_pso_tell(p, f);
		}
		best[s - 1] = pd_pso_best(p, NULL);
		printf("seed %d best %.6g\n", s, best[s - 1]);
		pd_pso_free(p);
	}
	qsort(best, (size_t)seeds, sizeof(double), cmp_dbl);
	printf("pso %s rosenbrock 5-D: median over %d seeds %.6g\n",
	       rule == PD_PSO_LINEAR ? "linear" : "classic", seeds,
	       seeds % 2 ? best[seeds / 2] : (best[seeds / 2 - 1] + best[seeds / 2]) / 2);
	free(best);
	return 0;
}

/* 5-D Schwefel on [-500, 500] (hard bounds the same), 1000 per island. */
static int bench_ga(int islands, uint64_t seed, int gens)
{
	enum { N = 5, POP = 1000 };
	double lo[N], hi[N], *x, *f, t0 = now();
	struct pd_ga_params par = {islands, POP, 0, 0, 0, 0, 0};
	char err[PD_ERRLEN];
	struct pd_ga *g;
	int np, hit = -1;

	for (int i = 0; i < N; i++)
		lo[i] = -500, hi[i] = 500;
	if (!(g = pd_ga_new(N, lo, hi, NULL, NULL, &par, seed, err)))
		return fprintf(stderr, "optlib_bench: %s\n", err), 1;
	np = pd_ga_npoints(g);
	x = calloc((size_t)np * N, sizeof(double));
	f = calloc((size_t)np, sizeof(double));
	for (int t = 0; t < gens; t++) {
		pd_ga_ask(g, x);
		for (int k = 0; k < np; k++)
			f[k] = schwefel(x + k * N, N);
		pd_ga_tell(g, f);
		if (hit < 0 && pd_ga_best(g, NULL) < 1e-3)
			hit = t + 1;
	}
	printf("ga islands %d seed %llu: best %.6g after %d generations, below 1e-3 at %d, "
	       "sigma %.3g, %.1f s\n", islands, (unsigned long long)seed, pd_ga_best(g, NULL), gens,
	       hit, pd_ga_spread(g), now() - t0);
	pd_ga_free(g);
	free(x), free(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "pso"))
		return bench_pso(argc > 2 && !strcmp(argv[2], "classic") ? PD_PSO_CLASSIC : PD_PSO_LINEAR,
				 argc > 3 ? atoi(argv[3]) : 25);
	if (argc >= 4 && !strcmp(argv[1], "ga"))
		return bench_ga(atoi(argv[2]), strtoull(argv[3], NULL, 10), argc > 4 ? atoi(argv[4]) : 2000);
	if (argc == 2 && !strcmp(argv[1], "schwefel-optimum")) {
		double x[5] = {420.9687463, 420.9687463, 420.9687463, 420.9687463, 420.9687463};

		printf("schwefel 5-D at 420.9687463: %.6g\n", schwefel(x, 5));
		return 0;
	}
	fputs("usage: optlib_bench pso [linear|classic] [seeds] | ga islands seed [generations] | "
	      "schwefel-optimum\n", stderr);
	return 64;
}
