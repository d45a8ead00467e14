/*
 * hooks.c - a map job with init and fini hooks, for tests: init writes
 * "init PID" and fini "fini PID" to the file named by $PD_HOOKS_FILE,
 * and each record outputs the pid of the worker that ran it.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "playdoh.h"

/* Append one line to $PD_HOOKS_FILE. */
static void note(const char *what)
{
	const char *path = getenv("PD_HOOKS_FILE");
	char line[64];
	int fd, n;

	if (!path)
		return;
	n = snprintf(line, sizeof line, "%s %d\n", what, (int)getpid());
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (fd >= 0) {
		if (write(fd, line, (size_t)n) != n)
			n = 0;
		close(fd);
	}
}

static int hooks_init(const pd_ctx *ctx)
{
	(void)ctx;
	note("init");
	return 0;
}

static void hooks_fini(void)
{
	note("fini");
}

PD_MAP_WITH(hooks, hooks_init, hooks_fini)
{
	(void)in;
	return pd_put_int(out, (long long)getpid());
}
