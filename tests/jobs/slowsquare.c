/*
 * slowsquare.c - a map job for load tests: record "X MS" sleeps MS
 * milliseconds (a slot held, little CPU used) and outputs X squared as
 * an integer, so that many clients contend for slots and each one's
 * output can be checked against an independent computation.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <time.h>

#include <playdoh.h>

PD_MAP(slowsquare)
{
	double x = pd_num(in, 0), ms = pd_num(in, 1);
	struct timespec ts;

	if (isnan(x) || isnan(ms))
		return PD_ERROR; /* pd_num has already said why */
	if (ms < 0 || ms > 10000)
		return pd_error(out, "sleep of %g ms outside [0, 10000]", ms);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return pd_printf(out, "%.0f", x * x);
}
