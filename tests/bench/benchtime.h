/* benchtime.h - the clock and the sort order the benchmark programs share
 * (included by pingpong.c, tcp_pingpong.c, tcp_throughput.c,
 * mpi_pingpong.c and optlib_bench.c, each built on its own). */
#ifndef PD_BENCHTIME_H
#define PD_BENCHTIME_H

#include <time.h>

/* The monotonic clock in nanoseconds. */
static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* qsort order of doubles, ascending. */
static inline int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif
