/* runcli.h - the per-run options (runopt.h) on a tool's command line. */
#ifndef PD_RUNCLI_H
#define PD_RUNCLI_H

#include "runopt.h"

struct option;

/* getopt_long codes of the per-run options: PD_O_RUNOPT + the row's index
 * in pd_runopt_table, clear of every tool's own codes. */
#define PD_O_RUNOPT 0x4000

/* A tool's getopt_long table `own` (ending with a zero row) with a row
 * for each per-run option appended (--timeout SEC, --mem SIZE, ...), so
 * that the tools taking them list them once, here.  The table lives until
 * the next call (one a process, as options are parsed once). */
const struct option *pd_runcli_longopts(const struct option *own);

/* When ch is a per-run option's code, store arg in o and return 1, or
 * die with PD_EX_USAGE naming the option and what it takes; 0 for any
 * other code. */
int pd_runcli_parse(int ch, const char *arg, struct pd_runopts *o);

#endif
