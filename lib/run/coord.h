/* coord.h - the coordinator of a map run: hosts, batches, order, retries. */
#ifndef PD_COORD_H
#define PD_COORD_H

#include <stddef.h>

#include <event2/event.h>

#include "buf.h"
#include "result.h"
#include "runopt.h"
#include "target.h"

/*
 * A coordinator reads records (lines) from a file descriptor, hands them
 * out in batches to every connected host as its slots free up, and
 * delivers each record's result exactly once through a callback: in
 * input order (a reorder buffer), as they complete, or the successful
 * ones as they complete and the failures in input order (enum
 * pd_coord_order).
 * Batches are sized from measured job time; a host that dies, drops its
 * connection or hands work back has its unfinished records re-sent to
 * the others.  It never prints: the caller formats results and notes.
 */
struct pd_coord;

/* The order of delivery (pd_coord_opts.order). */
enum pd_coord_order {
	PD_ORDER_INPUT = 0,  /* input order: results wait in a reorder buffer */
	PD_ORDER_NONE = 1,   /* as they complete (pd-map --unordered) */
	PD_ORDER_FAILURES = 2 /* successes as they complete, failures in input
			       * order: halt stops at the first failure by
			       * input order, whatever the timing (pd-opt) */
};

/* A result the caller already holds (cb.cached). */
struct pd_coord_hit {
	const char *out, *host;
	size_t outlen;
	double ms;
	int tries;
};

struct pd_coord_cb {
	/* One record's final result. */
	void (*result)(void *arg, const struct pd_coord_result *r);
	/* Something the user should hear: a host down, refused, ... */
	void (*note)(void *arg, const char *msg);
	/* Optional: 1 when the record is already done (--resume), with its
	 * output appended to out, and where it ran and how long it took in
	 * *host (a string that outlives the coordinator) and *ms; 2 when it
	 * is to be left out (--retry-failed): not run, delivered in its turn
	 * with resumed = 2 and nothing else; 0 to run it. */
	int (*resume)(void *arg, long lineno, const char *line, size_t len, struct pd_buf *out,
		      const char **host, double *ms);
	/* Optional: the run ended (see pd_coord_run for codes).  Without it
	 * the coordinator breaks the event loop instead.  The coordinator
	 * may be freed from here. */
	void (*done)(void *arg, int code, const char *err);
	/* Fed input (in_fd -1): every record fed so far has its result; feed
	 * more or end the input from here. */
	void (*drained)(void *arg);
	/* Optional: 1 when the record's result is known without running it
	 * (--cache): its output, where it ran, its time and runs in *hit
	 * (strings valid until the coordinator is freed).  Delivered as
	 * cached, like a result that ran now. */
	int (*cached)(void *arg, const char *line, size_t len, struct pd_coord_hit *hit);
};

/* The coordinator copies the strings; the byte arrays (job, share_data)
 * must stay alive until pd_coord_free. */
struct pd_coord_opts {
	const char *job_path;	/* the .so */
	const char *sym;	/* job name ("" with src and no NAME given) */
	int src;		/* job is C source: each host compiles it, and the
				   job is picked from what it made (coordsrc.c) */
	const void *job;	/* its bytes, for upload */
	size_t job_len;
	const unsigned char *key; /* cluster key, for TCP hosts */
	const char *client;	/* program name */
	int in_fd;		/* records; -1: fed with pd_coord_feed */
	int nul;		/* records end in NUL, not newline (pd-map -0): they may
				 * hold newlines.  Either way a record never holds the
				 * NUL byte: one that does fails, unsent. */
	int fitness;		/* the job is a fitness function: records are points */
	int f64_dim;		/* fitness points fed with pd_coord_feed_points, of
				 * f64_dim numbers each; they cross the wire as
				 * little-endian doubles to hosts that take them (else
				 * as text), and each OK result's output is the value
				 * as 8 little-endian bytes (pd_f64_get).  0: text */
	int f64_text;		/* with f64_dim: send text to every host, as to an
				 * older one (the same values, by another path) */
	int max_slots;		/* -c: at most this many slots in all; 0 = all shared */
	int gpu;		/* run on GPU slots instead of CPU slots: at most gpu of
				 * them in all, or every shared one when -1; 0 = CPU */
	enum pd_coord_order order; /* how results are delivered */
	int retries;		/* extra runs for a failed record */
	struct pd_runopts run;	/* --timeout, --mem, ... (runopt.h): with every batch */
	int halt;		/* stop at the first failure */
	int keep_input;		/* pass every record's input to result() (else only failures') */
	int wait_slots;		/* no host shares a slot: wait for an owner to share
				 * again (detached runs) instead of ending the run */
	const char *share;	/* --share file (absolute path), or NULL */
	const char *args;	/* the job's argument string (pd_args), or NULL */
	const void *share_data;	/* its bytes, for upload */
	size_t share_len;
};

struct pd_coord_stats {
	long read, done, failed, inflight;
	int eof, hosts_up, slots;
};

struct pd_coord *pd_coord_new(struct event_base *base, const struct pd_coord_opts *o,
			      const struct pd_coord_cb *cb, void *arg);
void pd_coord_add_target(struct pd_coord *c, const struct pd_target *t);

/*
 * Run until every record has its result, or until it cannot go on.
 * Returns PD_EX_OK (every record done, some may have failed: see stats),
 * PD_EX_JOBFAIL (halted at a failure), or with err filled:
 * PD_EX_UNAVAILABLE (no host reachable / all lost), PD_EX_NOPERM (refused
 * by every host), PD_EX_DATAERR (the job cannot be loaded), PD_EX_OSERR.
 */
int pd_coord_run(struct pd_coord *c, char *err);

/* Start a run inside a running event loop; the end is reported through
 * cb->done (required). */
void pd_coord_start(struct pd_coord *c);

/* Fed input: append newline-separated records (from any callback or
 * before the start); their results come like any others'. */
void pd_coord_feed(struct pd_coord *c, const char *lines, size_t len);
/* Fed input with f64_dim: append n points of f64_dim doubles each.  They
 * may be read in place: keep x unchanged until they are drained. */
void pd_coord_feed_points(struct pd_coord *c, const double *x, long n);
/* Fed input: no more records; the run ends once all are delivered. */
void pd_coord_end_input(struct pd_coord *c);

/* Stop a started run now: connections close, done is not called. */
void pd_coord_cancel(struct pd_coord *c);

void pd_coord_stats(const struct pd_coord *c, struct pd_coord_stats *s);

/* One host as the coordinator sees it; the strings belong to the
 * coordinator and live until its next callback or pd_coord_free. */
struct pd_coord_host {
	const char *address; /* as given: "lab2:2718", "local" */
	const char *host;    /* the name it reports ("" until it answered) */
	const char *state;   /* "connecting", "up" or "down" */
	const char *why;     /* for a down host, why ("" if not known) */
	int slots;	     /* the CPUs it shares (-1: refused us) */
	int records;	     /* records sent to it and not yet answered */
};

/* Host i (0-based) of the run into *h: 0, or -1 past the last host. */
int pd_coord_host_info(const struct pd_coord *c, int i, struct pd_coord_host *h);
void pd_coord_free(struct pd_coord *c);

#endif
