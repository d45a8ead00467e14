/* err.c - filling error buffers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

void pd_err(char *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, PD_ERRLEN, fmt, ap);
	va_end(ap);
}

void pd_exit_reason(int status, char *out, size_t n)
{
	const char *abbrev;

	if (WIFSIGNALED(status)) {
		abbrev = sigabbrev_np(WTERMSIG(status));
		snprintf(out, n, "crashed: SIG%s (%s)", abbrev ? abbrev : "?", strsignal(WTERMSIG(status)));
	} else
		snprintf(out, n, "exited with status %d", WEXITSTATUS(status));
}
