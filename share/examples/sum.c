/*
 * sum.c - the paper's first example: add up the numbers on each line.
 *
 * Shows a job that loops over a record's fields with pd_nfields(), and
 * failing a record with pd_error().  With two files of numbers, one per
 * line, the sums of corresponding lines are:
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include sum.c -o sum.so
 *	paste xs ys | pd-map sum.so
 */
#include <playdoh.h>

PD_MAP(sum)
{
	int i, n = pd_nfields(in);
	double s = 0;

	if (n < 1)
		return pd_error(out, "empty record: nothing to sum");
	for (i = 0; i < n; i++)
		s += pd_num(in, i); /* a non-number fails the record */
	return pd_put_double(out, s);
}
