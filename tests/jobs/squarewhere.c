/*
 * squarewhere.c - a map job for the slow, lossy link test: record
 * "X MS PAD" sleeps MS milliseconds (so that records spread over the
 * hosts) and outputs "X*X HOST", the square as an integer, checked
 * against an independent computation, and the host that ran it
 * ($PD_TEST_HOST, set by tests/helpers/netns.bash), to show that the
 * impaired host took part.  PAD, any text, only adds bytes to carry.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include <playdoh.h>

PD_MAP(squarewhere)
{
	double x = pd_num(in, 0), ms = pd_num(in, 1);
	const char *host = getenv("PD_TEST_HOST");
	struct timespec ts;

	if (isnan(x) || isnan(ms))
		return PD_ERROR; /* pd_num has already said why */
	if (ms < 0 || ms > 10000)
		return pd_error(out, "sleep of %g ms outside [0, 10000]", ms);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return pd_printf(out, "%.0f %s", x * x, host && *host ? host : "?");
}
