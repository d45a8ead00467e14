/* err.c - filling error buffers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

void pd_err(char *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, PD_ERRLEN, fmt, ap);
	va_end(ap);
}
