/*
 * sleep.c - a job that only takes time: sleeps for the milliseconds in
 * field 1 and outputs that number.
 *
 * Shows a job whose cost is known in advance, for watching scheduling,
 * load balancing and timeouts: 100 records of 50 ms take about 2.5 s
 * on 2 slots.
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include sleep.c -o sleep.so
 *	yes 50 | head -n 100 | pd-map -c 2 sleep.so
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <time.h>

#include <playdoh.h>

PD_MAP(sleep_ms)
{
	double ms = pd_num(in, 0);
	struct timespec ts;

	if (isnan(ms))
		return PD_ERROR; /* pd_num has already said why */
	if (ms < 0)
		return pd_error(out, "cannot sleep a negative time (%g ms)", ms);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	if (ts.tv_nsec > 999999999)
		ts.tv_nsec = 999999999;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return pd_put_double(out, ms);
}
