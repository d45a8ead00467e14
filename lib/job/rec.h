/* rec.h - the worker side of playdoh.h: record fields and result building. */
#ifndef PD_REC_H
#define PD_REC_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "playdoh.h"

#define PD_REC_FIELDS_MAX 4096 /* fields per record */

/*
 * A parsed record.  Fields are split from one input line in one of three
 * forms, detected per line:
 *   - JSON object ("{" first non-blank char): one field per member, in
 *     order; each field is also named by its key; strings are unescaped,
 *     numbers/true/false/null kept as their text, arrays/objects as their
 *     compact JSON text.
 *   - otherwise whitespace-separated tokens; a token "key=value" (key
 *     matching [A-Za-z_][A-Za-z0-9_]*) is field i with text "value" and
 *     is also named "key".
 * The line is not copied into `line`'s ownership: the caller keeps it
 * alive while the record is in use (and NUL-terminated at len if jobs
 * are to use pd_line() as a C string).  A trailing '\r' is ignored when
 * splitting; a JSON line must hold one object nested at most 64 levels.
 * Field indices are 0-based in the API, but messages number fields from
 * 1 as users count them: "field 1" is index 0.  Parsing a plain line
 * allocates nothing once f and scratch have grown to the longest line.
 */
struct pd_field {
	const char *name; /* NULL when unnamed */
	const char *val;  /* NUL-terminated */
};

struct pd_record {
	const char *line;
	size_t len;
	long lineno;
	struct pd_field *f;
	int nf, capf;
	struct pd_buf scratch; /* NUL-terminated copies of names and values */
	struct pd_buf err;     /* first field error, "" when none */
	/* copies of the pd_api_set_share/_gpu values at pd_record_init;
	 * pd_share() and pd_ctx_gpu() report the process-wide values */
	const void *share;     /* --share data, or NULL */
	size_t share_len;
	int gpu;	       /* device index or -1 */
};

/* Result of one record as built by the job.  Output functions return 0;
 * pd_error() replaces err (an empty message becomes "job reported an
 * error").  Field errors from pd_num() etc. are in the record's err. */
struct pd_result {
	struct pd_buf text; /* the output so far: read it with pd_result_out */
	FILE *fmt;	    /* pd_printf's stream into text, opened at its first use */
	struct pd_buf err;  /* error message set by pd_error, "" when none */
	int nput;	    /* fields put with pd_put_*, for separators */
};

void pd_record_init(struct pd_record *r);
void pd_record_release(struct pd_record *r);

/*
 * Split `line` (len bytes, no newline) into fields.  Returns 0, or -1
 * with err when the line cannot be parsed (bad JSON, too many fields):
 * the record then fails with that message.
 */
int pd_record_parse(struct pd_record *r, const char *line, size_t len, long lineno, char *err);
/* Take the line as it is, with no fields (a PD_RAW_RECORD job's record). */
void pd_record_raw(struct pd_record *r, const char *line, size_t len, long lineno);

void pd_result_init(struct pd_result *res);
void pd_result_reset(struct pd_result *res);
void pd_result_release(struct pd_result *res);
/* The output the job has built, whole (what pd_printf holds in its
 * stream's buffer included). */
struct pd_buf *pd_result_out(struct pd_result *res);

/* The function table handed to jobs (struct pd_api in playdoh.h). */
extern const struct pd_api pd_worker_api;

/* Wrap a record / result for passing to a job. */
static inline pd_rec pd_rec_wrap(struct pd_record *r) { pd_rec x = {&pd_worker_api, r}; return x; }
static inline pd_out pd_out_wrap(struct pd_result *o) { pd_out x = {&pd_worker_api, o}; return x; }

/* Set the share data and GPU index that pd_share()/pd_ctx_gpu() report
 * in this process. */
void pd_api_set_share(const void *p, size_t len);
void pd_api_set_gpu(int gpu);
/* The argument string pd_args() returns while a dispatch runs (NULL:
 * none); the caller keeps it alive until it sets another. */
void pd_api_set_args(const char *args);

#endif
