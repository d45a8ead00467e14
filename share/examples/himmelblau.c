/*
 * himmelblau.c - Himmelblau's function of named parameters x and y.
 *
 * Records are key=value tokens (or JSON objects) naming x and y; the
 * result is f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2, which has four
 * minima of 0.  Used by the parameter sweep in sweep/Makefile:
 *
 *	printf 'x=3 y=2\nx=0 y=0\n' | pd-map himmelblau.so
 */
#include "playdoh.h"

PD_MAP(himmelblau)
{
	double x = pd_get_num(in, "x"), y = pd_get_num(in, "y");
	double a = x * x + y - 11, b = x + y * y - 7;

	return pd_put_double(out, a * a + b * b);
}
