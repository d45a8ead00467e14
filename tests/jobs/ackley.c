/*
 * ackley.c - Ackley's function, a multimodal test fitness for pd-opt:
 *
 *	f(x) = -20 exp(-0.2 sqrt(sum x_i^2 / n)) - exp(sum cos(2 pi x_i) / n) + 20 + e
 *
 * least, 0, at x = 0; a nearly flat outer region full of local minima on
 * a regular grid, usually searched in [-32.768, 32.768]^n.
 */
#include <math.h>

#include <playdoh.h>

PD_FITNESS(ackley)
{
	const double two_pi = 6.283185307179586, e = 2.718281828459045;
	double s2 = 0, sc = 0;
	int i;

	for (i = 0; i < dim; i++) {
		s2 += x[i] * x[i];
		sc += cos(two_pi * x[i]);
	}
	return -20 * exp(-0.2 * sqrt(s2 / dim)) - exp(sc / dim) + 20 + e;
}
