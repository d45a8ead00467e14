/*
 * echo.c - a map job for the stream tests: the result is the record's
 * bytes, exactly as pd_line gives them.  A record that starts with '!'
 * is a request for awkward output instead: the rest of it, with every
 * '|' turned into a newline and every '~' into a NUL byte.
 * PD_ECHO_DELAY_US in the environment makes each record take that long
 * (so that a test can interrupt a run half-way).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <playdoh.h>

PD_MAP(echo)
{
	size_t n, i;
	const char *s = pd_line(in, &n);
	char *t;
	const char *delay = getenv("PD_ECHO_DELAY_US");
	int rc;

	if (delay) {
		long us = atol(delay);
		struct timespec ts = {us / 1000000, us % 1000000 * 1000};

		nanosleep(&ts, NULL);
	}
	if (!n || s[0] != '!')
		return pd_write(out, s, n);
	t = malloc(n);
	if (!t)
		return pd_error(out, "out of memory");
	for (i = 1; i < n; i++)
		t[i - 1] = s[i] == '|' ? '\n' : s[i] == '~' ? '\0' : s[i];
	rc = pd_write(out, t, n - 1);
	free(t);
	return rc;
}
