/*
 * gpubench.c - one batch fitness call on the GPU against the same call on
 * one CPU core, with the jobs loaded as a worker loads them (dlopen, the
 * descriptor, the init hook).  Used by `make bench-gpu` and by the GPU
 * test (--check).  Needs no CUDA to build: the GPU job brings its own.
 *
 *   gpubench [-n POINTS] [-d DIM] [-r REPS] [--check TOL] GPU.so:SYM CPU.so:SYM
 *
 * Prints each side's evaluations per second (best of REPS timed calls;
 * the GPU's after one untimed warm-up call, its times include copying the
 * points to the device and the values back) and the speed-up.  --check
 * compares every value to the CPU's and exits 1 when one differs by more
 * than TOL relative.  Exits 69 when the GPU job's init hook fails (no
 * usable GPU), 65 when a job cannot be loaded, 64 on bad usage.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playdoh.h"

static int gpu_index = -1;
static int api_gpu(void) { return gpu_index; }

/* Only pd_ctx_gpu() is offered to the init hooks: a batch fitness needs no more. */
static struct pd_api api = {.abi = PD_ABI_VERSION, .size = sizeof(struct pd_api), .gpu = api_gpu};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Load FILE.so:SYM, a batch fitness, and run its init hook on device gpu
 * (-1: a CPU slot).  Exits on failure. */
static const struct pd_job_desc *load(char *spec, int gpu)
{
	char *colon = strrchr(spec, ':'), sym[300];
	const struct pd_job_desc *d;
	pd_ctx ctx = {&api, NULL};
	void *h;

	if (!colon)
		fprintf(stderr, "gpubench: %s: give the job as FILE.so:NAME\n", spec), exit(64);
	*colon = 0;
	if (!(h = dlopen(spec, RTLD_NOW | RTLD_LOCAL)))
		fprintf(stderr, "gpubench: %s\n", dlerror()), exit(65);
	snprintf(sym, sizeof sym, PD_DESC_PREFIX "%s", colon + 1);
	d = dlsym(h, sym);
	if (!d || d->magic != PD_DESC_MAGIC || d->abi != PD_ABI_VERSION || d->kind != PD_KIND_FITNESS_BATCH ||
	    !d->fitness_batch)
		fprintf(stderr, "gpubench: %s: no batch fitness '%s' of this ABI\n", spec, colon + 1), exit(65);
	gpu_index = gpu;
	if (d->init && d->init(&ctx) != 0) {
		fprintf(stderr, "gpubench: %s: init hook of '%s' failed%s\n", spec, colon + 1,
			gpu >= 0 ? " (no usable GPU?)" : "");
		exit(gpu >= 0 ? 69 : 65);
	}
	return d;
}

/* Best time of reps calls on n points (after warm-up calls, untimed). */
static double best_time(const struct pd_job_desc *d, const double *x, int n, int dim, double *f, int reps,
			int warmup)
{
	double best = 1e300, t;
	int i;

	for (i = 0; i < warmup; i++)
		d->fitness_batch(x, n, dim, f);
	for (i = 0; i < reps; i++) {
		t = now_s();
		d->fitness_batch(x, n, dim, f);
		t = now_s() - t;
		if (t < best)
			best = t;
	}
	return best;
}

/* Uniform points in [-2, 2]^dim from a fixed seed (splitmix64). */
static void points(double *x, size_t count)
{
	uint64_t s = 1, z;
	size_t i;

	for (i = 0; i < count; i++) {
		z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		x[i] = -2.0 + 4.0 * (double)(z >> 11) / 9007199254740992.0;
	}
}

/* The largest relative difference of g from c (NaN anywhere: infinity). */
static double max_rel(const double *g, const double *c, int n)
{
	double m = 0, r;
	int i;

	for (i = 0; i < n; i++) {
		if (isnan(g[i]) || isnan(c[i]))
			return INFINITY;
		r = fabs(g[i] - c[i]) / (fabs(c[i]) > 1e-300 ? fabs(c[i]) : 1e-300);
		if (r > m)
			m = r;
	}
	return m;
}

int main(int argc, char **argv)
{
	long n = 1000000, dim = 10, reps = 3;
	double tol = -1, tg, tc, m;
	const struct pd_job_desc *gd, *cd;
	double *x, *fg, *fc;
	int i;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-d"))
			dim = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-r"))
			reps = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--check"))
			tol = atof(argv[i + 1]);
		else
			break;
	}
	if (argc - i != 2 || n < 1 || n > 100000000 || dim < 2 || dim > 1000 || reps < 1)
		fprintf(stderr, "usage: gpubench [-n POINTS] [-d DIM] [-r REPS] [--check TOL] GPU.so:SYM CPU.so:SYM\n"),
		    exit(64);
	x = malloc(sizeof *x * (size_t)n * (size_t)dim);
	fg = malloc(sizeof *fg * (size_t)n);
	fc = malloc(sizeof *fc * (size_t)n);
	if (!x || !fg || !fc)
		fprintf(stderr, "gpubench: out of memory\n"), exit(71);
	points(x, (size_t)n * (size_t)dim);
	gd = load(argv[i], 0);
	cd = load(argv[i + 1], -1);
	tc = best_time(cd, x, (int)n, (int)dim, fc, (int)reps, 0);
	tg = best_time(gd, x, (int)n, (int)dim, fg, (int)reps, 1);
	printf("cpu: %ld points of %ld-D in %.6f s = %.4g evaluations/s (one core, best of %ld)\n", n, dim, tc,
	       n / tc, reps);
	printf("gpu: %ld points of %ld-D in %.6f s = %.4g evaluations/s (with host<->device copies, best of %ld after a warm-up call)\n",
	       n, dim, tg, n / tg, reps);
	printf("speed-up: %.1fx (goal 100x)\n", tc / tg);
	m = max_rel(fg, fc, (int)n);
	printf("max relative difference gpu/cpu: %.3g\n", m);
	if (gd->fini)
		gd->fini();
	if (cd->fini)
		cd->fini();
	free(x);
	free(fg);
	free(fc);
	return tol >= 0 && !(m <= tol) ? 1 : 0;
}
