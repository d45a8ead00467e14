/* num.c - numbers from strings, checked, and from the system. */
#include "num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

int pd_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

int pd_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (!s || !*s || *s == ' ' || *s == '+')
		return -1;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int pd_parse_seconds_ms(const char *s, long *ms)
{
	char *end;
	double v;

	errno = 0;
	if (!s || !*s)
		return -1;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > 1e9 || isnan(v))
		return -1;
	*ms = (long)ceil(v * 1000);
	return 0;
}
