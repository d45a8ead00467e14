/* pathfmt.c - file names built into fixed buffers, checked. */
#include "pathfmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int pd_path_fmt(char out[PD_PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PD_PATH_MAX, fmt, ap);
	va_end(ap);
	if (n >= 0 && n < PD_PATH_MAX)
		return 0;
	out[0] = '\0';
	errno = ENAMETOOLONG;
	return -1;
}
