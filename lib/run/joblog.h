/* joblog.h - the record of finished records that lets a run resume. */
#ifndef PD_JOBLOG_H
#define PD_JOBLOG_H

#include <stdio.h>
#include <sys/types.h>

#include "buf.h"

/*
 * A joblog is a file of JSON lines, one per finished record:
 *   {"line":N,"in":"HASH","status":"ok","ms":1.5,"host":"lab2","output":"..."}
 * where HASH identifies the input line's text.  With --resume, records
 * whose line number and input text match an "ok" entry are not run again:
 * their output is taken from the log, so the resumed run's output equals
 * an uninterrupted one.  Strings carry any bytes (jsonbytes.h).
 *
 * Lines are written whole or not at all: they gather in a buffer and go
 * out by write(2) only as whole lines; a write that fails part way (disk
 * full) is cut back with ftruncate to the last whole line.  Only a kill
 * in the middle of a write(2) can leave a torn last line, and opening
 * with resume cuts such a tail back (recorded in `torn`).
 */
struct pd_joblog {
	int is_open;	    /* between a successful open and close */
	int fd;
	int error;	    /* errno of the first failed write, 0 if none */
	struct pd_buf pend; /* whole lines not yet written */
	off_t good;	    /* file size up to the last whole line */
	long torn;	    /* bytes of a torn last line cut on open, 0 if none */
	/* loaded entries, indexed by line number */
	char **out;  /* output text, NULL when absent */
	size_t *outlen;
	unsigned long long *hash;
	char **host;	/* where it ran, NULL when absent */
	double *ms;
	unsigned char *state; /* enum pd_joblog_state of the line's last entry */
	long cap;
	long loaded;
	int with_input; /* also log each record's input text ("input") */
};

/* What the last entry of a line number says. */
enum pd_joblog_state { PD_JOBLOG_NONE, PD_JOBLOG_OK, PD_JOBLOG_FAILED };

/* Open path for appending; with resume, first load its entries and
 * cut a torn last line (see torn).  A new file gets mode (less the
 * umask): 0600 for the server's run logs, 0666 for a user's --joblog.
 * 0 or -1 with err. */
int pd_joblog_open(struct pd_joblog *j, const char *path, int resume, int mode, char *err);

/* Append one record's entry; status is an enum pd_rstatus. */
void pd_joblog_add(struct pd_joblog *j, long line, const char *in, size_t inlen, int status,
		   double ms, const char *host, const char *out, size_t outlen);

/* The name of a record status in logs and --json ("ok", "error", "crash",
 * "timeout", "lost"), and back (-1 when unknown). */
const char *pd_rstatus_name(int status);
int pd_rstatus_parse(const char *name);

/* The state of line N by its last loaded entry (whatever its input). */
int pd_joblog_state(const struct pd_joblog *j, long line);

/* 1 when line N with this input is done, its output appended to out,
 * where it ran and its time in *host (valid until close) and *ms. */
int pd_joblog_lookup(const struct pd_joblog *j, long line, const char *in, size_t inlen,
		     struct pd_buf *out, const char **host, double *ms);

/* Write the gathered lines (whole).  0, or -1 with err; the file then
 * still ends with a whole line, the lines not written are dropped (their
 * records run again on resume). */
int pd_joblog_flush(struct pd_joblog *j, char *err);
/* Flush (errors ignored: say them with pd_joblog_flush first) and free. */
void pd_joblog_close(struct pd_joblog *j);

#endif
