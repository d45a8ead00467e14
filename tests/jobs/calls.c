/*
 * calls.c - a map job for the --cache tests: appends each record's line
 * to the file named by $PD_CALLS_FILE (one write with O_APPEND), then
 * outputs the line followed by CALLS_TAG.  Built with
 * -DCALLS_FLAGS=PD_NONDETERMINISTIC it declares itself non-deterministic;
 * a different -DCALLS_TAG='"..."' makes a different job; -DCALLS_LINENO
 * appends "@" and the record's line number (pd_lineno) to the output.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <playdoh.h>

#ifndef CALLS_FLAGS
#define CALLS_FLAGS 0
#endif
#ifndef CALLS_TAG
#define CALLS_TAG ""
#endif

PD_MAP_FLAGS_WITH(calls, CALLS_FLAGS, 0, 0)
{
	const char *path = getenv("PD_CALLS_FILE");
	size_t n;
	const char *s = pd_line(in, &n);
	char buf[4096];
	int fd;

	if (!path || n + 1 > sizeof buf)
		return pd_error(out, "PD_CALLS_FILE is not set, or the record is too long");
	memcpy(buf, s, n);
	buf[n] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, n + 1) != (ssize_t)(n + 1))
		return pd_error(out, "cannot append to %s", path);
	close(fd);
#ifdef CALLS_LINENO
	return pd_printf(out, "%.*s%s@%ld", (int)n, s, CALLS_TAG, pd_lineno(in));
#else
	return pd_printf(out, "%.*s%s", (int)n, s, CALLS_TAG);
#endif
}
