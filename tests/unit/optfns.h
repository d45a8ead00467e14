/* optfns.h - test functions shared by the optimiser unit tests. */
#ifndef PD_TEST_OPTFNS_H
#define PD_TEST_OPTFNS_H

typedef double (*fn)(const double *x, int n);

static inline double sphere(const double *x, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += x[i] * x[i];
	return s;
}

static inline double rosenbrock(const double *x, int n)
{
	double s = 0;

	for (int i = 0; i + 1 < n; i++)
		s += 100 * (x[i + 1] - x[i] * x[i]) * (x[i + 1] - x[i] * x[i]) +
		     (1 - x[i]) * (1 - x[i]);
	return s;
}

/* (x - 5)^2 summed: its optimum lies outside the bounds the tests use. */
static inline double far(const double *x, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += (x[i] - 5) * (x[i] - 5);
	return s;
}

#endif
