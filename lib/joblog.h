/* joblog.h - the record of finished records that lets a run resume. */
#ifndef PD_JOBLOG_H
#define PD_JOBLOG_H

#include <stdio.h>

#include "buf.h"

/*
 * A joblog is a file of JSON lines, one per finished record:
 *   {"line":N,"in":"HASH","status":"ok","ms":1.5,"host":"lab2","output":"..."}
 * where HASH identifies the input line's text.  With --resume, records
 * whose line number and input text match an "ok" entry are not run again:
 * their output is taken from the log, so the resumed run's output equals
 * an uninterrupted one.  A line cut short by a crash is ignored.
 */
struct pd_joblog {
	FILE *f;
	/* loaded entries, indexed by line number */
	char **out;  /* output text, NULL when absent */
	size_t *outlen;
	unsigned long long *hash;
	long cap;
	long loaded;
	int with_input; /* also log each record's input text ("input") */
};

/* Open path for writing (appending with resume, after loading its "ok"
 * entries); a new file gets mode (less the umask): 0600 for the server's
 * run logs, 0666 for a user's --joblog.  0 or -1 with err (a malformed
 * line names the file and line). */
int pd_joblog_open(struct pd_joblog *j, const char *path, int resume, int mode, char *err);

/* Append one record's entry; status is an enum pd_rstatus. */
void pd_joblog_add(struct pd_joblog *j, long line, const char *in, size_t inlen, int status,
		   double ms, const char *host, const char *out, size_t outlen);

/* The name of a record status in logs and --json ("ok", "error", "crash",
 * "timeout", "lost"), and back (-1 when unknown). */
const char *pd_rstatus_name(int status);
int pd_rstatus_parse(const char *name);

/* 1 when line N with this input is done, its output appended to out. */
int pd_joblog_lookup(const struct pd_joblog *j, long line, const char *in, size_t inlen,
		     struct pd_buf *out);

void pd_joblog_flush(struct pd_joblog *j);
void pd_joblog_close(struct pd_joblog *j);

#endif
