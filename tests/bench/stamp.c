/*
 * stamp.c - a map job for the efficiency bench (tests/bench/run.sh [2]):
 * prints "PID START" for each record, START the CLOCK_MONOTONIC second at
 * which the record began, then sleeps the record's milliseconds; the
 * bench takes the spread of the first records' starts, one per worker.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

#include "playdoh.h"

PD_MAP(stamp)
{
	double ms = pd_num(in, 0);
	struct timespec t, d;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (isnan(ms) || ms < 0 || ms > 60000)
		return pd_error(out, "want a sleep from 0 to 60000 ms");
	d.tv_sec = (time_t)(ms / 1000);
	d.tv_nsec = (long)((ms - (double)d.tv_sec * 1000) * 1e6);
	while (nanosleep(&d, &d) < 0 && errno == EINTR)
		;
	return pd_printf(out, "%d %.6f", (int)getpid(), (double)t.tv_sec + t.tv_nsec * 1e-9);
}
