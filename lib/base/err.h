/* err.h - exit statuses and the error-buffer convention. */
#ifndef PD_ERR_H
#define PD_ERR_H

#include <stddef.h>

/*
 * The exit-status contract of every pd-* tool (also in each man page's
 * EXIT STATUS).  Values follow sysexits(3) where one fits.
 */
enum pd_exit {
	PD_EX_OK = 0,		/* success */
	PD_EX_JOBFAIL = 1,	/* at least one record / node / run failed */
	PD_EX_USAGE = 64,	/* bad command line */
	PD_EX_DATAERR = 65,	/* bad input data or job file */
	PD_EX_UNAVAILABLE = 69, /* cluster or server unavailable */
	PD_EX_SOFTWARE = 70,	/* internal error */
	PD_EX_OSERR = 71,	/* system error (fork, disk, ...) */
	PD_EX_TEMPFAIL = 75,	/* temporary failure: retry later */
	PD_EX_NOPERM = 77	/* refused: authentication or permission */
};

/*
 * lib/ functions never print and never exit: on failure they return -1
 * (or NULL) and write a one-line, lower-case message without trailing
 * period into a caller-supplied buffer of PD_ERRLEN bytes.
 */
#define PD_ERRLEN 256

void pd_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* How a child process ended, from its wait status: "crashed: SIGSEGV
 * (Segmentation fault)" or "exited with status 3". */
void pd_exit_reason(int status, char *out, size_t n);

#endif
