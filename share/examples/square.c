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
