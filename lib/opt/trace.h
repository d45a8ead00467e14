/* trace.h - pd-opt's trace file: one JSON line per iteration. */
#ifndef PD_OPT_TRACE_H
#define PD_OPT_TRACE_H

/*
 * Cut the trace at path back to its records of iterations up to iter
 * (the resumed checkpoint's), so that a resumed run appends where the
 * checkpoint left off and the trace reads as one run.  The file is cut
 * at the first line that is torn (no newline), not a record ({"iter":N,
 * ...) or of a later iteration.  A missing file is left missing.  Sets
 * *dropped to the lines removed (a torn tail counts as one); 0, or -1
 * with err naming the file.
 */
int pd_trace_cut(const char *path, long long iter, long *dropped, char *err);

#endif
