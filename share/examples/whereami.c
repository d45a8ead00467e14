/*
 * whereami.c - a job that says which host ran each record: the value of
 * $PD_TEST_HOST in the worker's environment (workers inherit pd-serve's
 * environment), or the machine's host name when it is unset.  When the
 * record's first field is a number, it first sleeps that many
 * milliseconds, so that records take long enough to spread over hosts.
 *
 * Shows reading an optional field with pd_str() and that a worker sees
 * its server's environment.  The multi-host tests start each pd-serve
 * with PD_TEST_HOST=hI, since every network namespace shares one host
 * name:
 *
 *	cc -shared -fPIC -O2 -I/path/to/playdoh/include whereami.c -o whereami.so
 *	yes 50 | head -n 60 | pd-map -H lab1,lab2 whereami.so | sort | uniq -c
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <playdoh.h>

/* Sleep ms milliseconds, resuming after signals. */
static void nap(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	if (ts.tv_nsec > 999999999)
		ts.tv_nsec = 999999999;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

PD_MAP(whereami)
{
	const char *who = getenv("PD_TEST_HOST");
	char name[256];
	double ms;

	if (pd_str(in, 0)) {
		ms = pd_num(in, 0);
		if (ms != ms)
			return PD_ERROR; /* not a number: pd_num has said why */
		if (ms < 0 || ms > 60000)
			return pd_error(out, "sleep time must be from 0 to 60000 ms, got %g", ms);
		nap(ms);
	}
	if (!who || !*who) {
		if (gethostname(name, sizeof name))
			return pd_error(out, "cannot get the host name");
		name[sizeof name - 1] = 0;
		who = name;
	}
	return pd_put_str(out, who);
}
