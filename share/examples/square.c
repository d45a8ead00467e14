/*
 * square.c - the smallest map job: each record's first field, squared.
 *
 * Shows PD_MAP, reading a number with pd_num() (a missing or
 * non-numeric field fails the record with a message naming it) and
 * writing one with pd_put_double().  Build and run:
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include square.c -o square.so
 *	seq 1 1000 | pd-map -c 2 square.so
 */
#include <playdoh.h>

PD_MAP(square)
{
	double x = pd_num(in, 0);

	return pd_put_double(out, x * x);
}

/*
 * The same function as a fitness for pd-opt (the Playdoh paper's first
 * example, minimize(square, x=[-10, 10])): the sum of the squares of the
 * parameters, least at 0.
 *
 *	pd-opt square.so -p x=-10:10
 */
PD_FITNESS(square_fitness)
{
	double s = 0;
	int i;

	for (i = 0; i < dim; i++)
		s += x[i] * x[i];
	return s;
}
