/* runopt.h - the per-run options: one table, from the command line to the worker. */
#ifndef PD_RUNOPT_H
#define PD_RUNOPT_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * What a client sets for every record of a run (pd-map, pd-opt), carried
 * as it is through every layer between the tool's option parser and the
 * code that applies it: the coordinator's run messages, a detached run's
 * submit and its stored description, the server's pool and its message to
 * a worker.  None of those layers names a member: they hand the struct on
 * with pd_runopts_put and pd_runopts_get, and msgcheck.c checks each
 * table row in run and submit.  A new per-run option is a member here, a
 * row of pd_runopt_table (runopt.c), the code that applies it, and the
 * tool's option and man page (README.md, "Source map").
 */
struct pd_runopts {
	long long timeout_ms; /* --timeout: a record's wall-clock limit, 0 = none (serve/pool.c) */
	long long mem;	      /* --mem: a worker's address-space limit in bytes, 0 = none (job/worker.c) */
};

/* How a row's command-line value is written. */
enum pd_runopt_unit {
	PD_RUNOPT_SECONDS, /* seconds, fractions allowed, kept in ms (num.h) */
	PD_RUNOPT_SIZE,	   /* bytes, or a number with K, M, G or T (memlimit.h) */
};

/* One per-run option: its command-line name, the message member that
 * carries it, the member of struct pd_runopts, how it is written and the
 * range it may take (0 always means unset). */
struct pd_runopt {
	const char *option; /* "timeout" for --timeout */
	const char *member; /* "timeout_ms" in run, submit and the worker's run */
	size_t off;	    /* offsetof(struct pd_runopts, ...) */
	enum pd_runopt_unit unit;
	long long lo, hi;
};

/* The table; ends with a row whose option is NULL. */
extern const struct pd_runopt pd_runopt_table[];

/* The value a row describes, in o. */
long long *pd_runopt_at(struct pd_runopts *o, const struct pd_runopt *row);

/* Add o's set (non-zero) options to a message. */
void pd_runopts_put(cJSON *msg, const struct pd_runopts *o);

/* Read a message's options into o (absent ones are 0); the message was
 * checked against the table (pd_msg_check). */
void pd_runopts_get(const cJSON *msg, struct pd_runopts *o);

#endif
