/* fitbatch.h - several points in one fitness program call (pd-opt --fitness-input lines). */
#ifndef PD_OPT_FITBATCH_H
#define PD_OPT_FITBATCH_H

#include <stddef.h>

#include "buf.h"

/*
 * Append the np points of dim doubles at x (row-major) as records of at
 * most k points each, as few records as that allows and split evenly
 * (sizes differ by one at most); returns how many.  A record holds its
 * points as JSON arrays of numbers printed "%.17g" (text that reads back
 * to the same bits), one a line, the lines joined by newlines and the
 * record ended by a NUL byte, so that the runner job gives the program
 * the lines on its standard input.
 */
long pd_fitbatch_pack(struct pd_buf *b, const double *x, long np, int dim, long k);

/* The index of the first point of record r of nrec from pd_fitbatch_pack
 * (r = nrec: np, the end of the last). */
long pd_fitbatch_first(long np, long nrec, long r);

/*
 * Read n values from a program's standard output (len bytes): n lines,
 * each one number with blanks around it allowed (nan and inf are
 * numbers), the last newline optional.  0 with f[0..n-1] filled, or -1
 * with err saying which line is wrong or how many lines came instead, to
 * follow "CMD printed ".
 */
int pd_fitbatch_values(const char *out, size_t len, long n, double *f, char *err, size_t errlen);

/*
 * Why a call for the n points from x (dim numbers each) failed, into msg
 * (size bytes): "at point X Y: WHY" for one point, "in a call for N
 * points from X Y: WHY" for more, the point cut at 240 bytes.
 */
void pd_fitbatch_failure(char *msg, size_t size, const double *x, long n, int dim, const char *why, size_t whylen);

#endif
