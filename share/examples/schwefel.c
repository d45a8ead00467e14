/*
 * schwefel.c - Schwefel's function, the paper's GA benchmark (Figure 4C):
 *
 *	f(x) = 418.9828872724339 dim - sum_i x[i] sin(sqrt(|x[i]|))
 *
 * on [-500, 500]^dim, least (about 0) at x[i] = 420.968746..., far from
 * the next best minima: a hard multimodal test.
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include schwefel.c -o schwefel.so
 *	pd-opt -a ga --islands 4 --dim 5 --bounds -500:500 schwefel.so
 */
#include <math.h>

#include <playdoh.h>

PD_FITNESS(schwefel)
{
	double s = 0;
	int i;

	for (i = 0; i < dim; i++)
		s += x[i] * sin(sqrt(fabs(x[i])));
	return 418.9828872724339 * dim - s;
}
