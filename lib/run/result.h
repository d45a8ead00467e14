/* result.h - one record's result, as the coordinator delivers it. */
#ifndef PD_RESULT_H
#define PD_RESULT_H

#include <stddef.h>

/* The strings belong to the deliverer and live until the callback returns. */
struct pd_coord_result {
	long lineno;	    /* 1-based input line */
	int status;	    /* enum pd_rstatus */
	double ms;	    /* job time in the worker */
	const char *host;   /* where it ran (for a resumed record, where the log
			     * says it ran; "" for one that could not run) */
	const char *out;    /* output, or the error message */
	size_t outlen;
	const char *in;	    /* the input line (no newline) */
	size_t inlen;
	int tries;	    /* runs it took */
	int resumed;	    /* 1: taken from a joblog (--resume), not run now;
			     * 2: left out (--retry-failed), neither run nor
			     * taken: only lineno and in are meaningful */
};

#endif
