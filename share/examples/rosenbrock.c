/*
 * rosenbrock.c - the Rosenbrock function, a standard optimisation test:
 *
 *	f(x) = sum_{i=1}^{dim-1} 100 (x[i] - x[i-1]^2)^2 + (1 - x[i-1])^2
 *
 * with its minimum 0 at x = (1, ..., 1).  Shows the two fitness forms
 * pd-opt accepts: PD_FITNESS, one point per call, and PD_FITNESS_BATCH,
 * n points per call (row-major x[n * dim]), which saves a call per
 * point and suits vectorised or GPU code.
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include rosenbrock.c -o rosenbrock.so
 *	pd-opt rosenbrock.so
 *
 * pd-opt(1) describes how to pick the entry point (rosenbrock or
 * rosenbrock_batch), the dimension, the bounds and the algorithm.
 */
#include <stddef.h>

#include <playdoh.h>

PD_FITNESS(rosenbrock)
{
	double f = 0;
	int i;

	for (i = 0; i + 1 < dim; i++) {
		double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];

		f += 100 * a * a + b * b;
	}
	return f;
}

PD_FITNESS_BATCH(rosenbrock_batch)
{
	int k;

	for (k = 0; k < n; k++)
		f[k] = rosenbrock(x + (size_t)k * (size_t)dim, dim);
}
