/*
 * gpufit.c - 10-D (any-D) Rosenbrock as a batch fitness twice: rosen_gpu
 * marked PD_NEEDS_GPU (run on GPU slots; computed on the CPU, for tests
 * with a fake libcuda) and rosen_cpu, the same code unmarked.  When
 * GPUFIT_LOG names a file, every call appends "KIND N CVD" to it: which
 * twin, how many points the call got, and CUDA_VISIBLE_DEVICES.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <playdoh.h>

/* Rosenbrock's function at n points of dim coordinates. */
static void rosen(const double *x, int n, int dim, double *f)
{
	int i, j;

	for (i = 0; i < n; i++) {
		const double *p = x + (size_t)i * (size_t)dim;
		double s = 0;

		for (j = 0; j + 1 < dim; j++)
			s += 100.0 * (p[j + 1] - p[j] * p[j]) * (p[j + 1] - p[j] * p[j]) + (1 - p[j]) * (1 - p[j]);
		f[i] = s;
	}
}

/* One line per call in $GPUFIT_LOG (O_APPEND: workers do not mix lines). */
static void log_call(const char *kind, int n)
{
	const char *path = getenv("GPUFIT_LOG"), *cvd = getenv("CUDA_VISIBLE_DEVICES");
	char line[128];
	int fd, len;

	if (!path || !*path)
		return;
	len = snprintf(line, sizeof line, "%s %d %s\n", kind, n, cvd ? cvd : "unset");
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0)
		return;
	if (write(fd, line, (size_t)len) != len)
		fprintf(stderr, "gpufit: short write to %s\n", path);
	close(fd);
}

PD_FITNESS_BATCH_FLAGS(rosen_gpu, PD_NEEDS_GPU)
{
	log_call("gpu", n);
	rosen(x, n, dim, f);
}

PD_FITNESS_BATCH(rosen_cpu)
{
	log_call("cpu", n);
	rosen(x, n, dim, f);
}
