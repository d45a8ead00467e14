/*
 * rastrigin.c - Rastrigin's function, a standard multimodal test:
 *
 *	f(x) = 10 dim + sum_i (x[i]^2 - 10 cos(2 pi x[i]))
 *
 * on [-5.12, 5.12]^dim, least (0) at the origin among some 10^dim local
 * minima.  IPOP-CMA-ES (pd-opt --restarts) is the usual way through it:
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include rastrigin.c -o rastrigin.so -lm
 *	pd-opt --restarts 9 --dim 10 --bounds -5.12:5.12 --target 1e-8 rastrigin.so
 */
#include <math.h>

#include <playdoh.h>

PD_FITNESS(rastrigin)
{
	const double two_pi = 6.283185307179586;
	double s = 10.0 * dim;
	int i;

	for (i = 0; i < dim; i++)
		s += x[i] * x[i] - 10 * cos(two_pi * x[i]);
	return s;
}
