/* results.h - each record's output in files of its own (--results DIR). */
#ifndef PD_RESULTS_H
#define PD_RESULTS_H

#include <stddef.h>

#include "buf.h"
#include "result.h"

/*
 * The layout, that of GNU parallel's --results for one input source:
 *
 *	DIR/1/NAME/stdout	the record's output and its separator (a
 *				newline, or NUL with -0); empty when it failed
 *	DIR/1/NAME/stderr	the error message and a newline when it
 *				failed; empty when it did not
 *	DIR/1/NAME/seq		its line number and a newline
 *
 * NAME is the record's text made safe as one file name (pd_results_name).
 * Files are opened relative to DIR's descriptor, with O_NOFOLLOW at every
 * step, so nothing is written outside DIR: a symbolic link in the way is
 * an error, not followed.  Records with the same text share a directory:
 * the last one written wins.
 */
struct pd_results {
	int fd;	 /* DIR/1, or -1 when closed */
	int nul; /* -0: outputs end in NUL */
};

/* Create DIR (and missing parents) and DIR/1, and keep DIR/1 open.  0,
 * or -1 with err ("results DIR: mkdir ...: REASON"). */
int pd_results_open(struct pd_results *rs, const char *dir, int nul, char *err);

/* Write record r's three files; 0, or -1 with err naming the file. */
int pd_results_put(struct pd_results *rs, const struct pd_coord_result *r, char *err);

void pd_results_close(struct pd_results *rs);

/*
 * Append to name the file name of a record of len bytes at in: its bytes,
 * with '\' written "\\", '/' "\_", TAB "\t", NUL "\0" (as GNU parallel
 * writes them), newline "\n" and other control bytes "\xHH"; the record
 * "" is "\e", and "." and ".." are "\." and "\.\.".  A name that would be
 * longer than 240 bytes keeps its first 200 or so (never cutting an
 * escape or a UTF-8 character) followed by "\~" and 16 hex digits of a
 * hash of the whole record, so that distinct records keep distinct names.
 */
void pd_results_name(struct pd_buf *name, const char *in, size_t len);

#endif
