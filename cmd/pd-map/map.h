/* map.h - what pd-map's files share: its options and run state, and the
 * functions one file calls in another (cmd/pd-map/: main.c options and
 * flow, mapout.c results on stdout and the files beside them, mapcache.c
 * --cache, mapdetach.c --detach, --fetch and --cancel). */
#ifndef PD_MAP_H
#define PD_MAP_H

#include <sys/types.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "coord.h"
#include "hostsel.h"
#include "joblog.h"
#include "pathfmt.h"
#include "rcache.h"
#include "results.h"
#include "runopt.h"

/* Options and run state. */
struct map {
	const char *hosts, *ssh, *joblog_path, *fetch, *cancel, *share, *results_dir;
	int detach, wait;
	long slots, retries, gpu; /* gpu: --gpu N, -1 for a GPU job without it */
	struct pd_runopts run;	  /* --timeout, --mem, ... (runcli.h) */
	int unordered, tag, json, halt, resume, bar;
	int retry_failed; /* --retry-failed: run only what the log says failed */
	long left_out;	  /* records --retry-failed did not run */
	int nul;	  /* -0: records and results end in NUL, not newline */
	char **cmd;	  /* COMMAND [ARG ...], or NULL for a job file */
	int ncmd, shell;  /* its words; --shell */
	long unprintable; /* ok results that plain output cannot hold (a separator in them) */
	struct pd_joblog joblog;
	int have_joblog, joblog_said;
	struct pd_results results; /* --results DIR, fd -1 until opened */
	int results_said;
	struct pd_coord *coord;
	struct event *bar_ev, *flush_ev;
	int cache, cache_list, cache_prune, nondet;
	long long cache_size;	/* --cache-size, 0 when not given */
	struct pd_rcache *rc;	/* open during a --cache run */
	off_t in_size;
	struct timespec start;
	int bar_drawn;
};

/* The job and --share files, checked and read. */
struct files {
	char sym[256], jobpath[PD_PATH_MAX], sharepath[PD_PATH_MAX];
	char *job, *share;
	size_t joblen, sharelen;
	char *args; /* the runner's command template, or NULL */
};

extern struct map M;

/* main.c */
/* A line on stderr in the project's error grammar (the progress bar
 * cleared first). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mapout.c */
/* Input text for a message on stderr: at most max bytes, control
 * characters escaped, so that one message stays one line.  Two buffers
 * in turn: one message may show two texts. */
const char *shown(const char *s, size_t n, size_t max);

/* Write what the joblog has gathered; say the first failure. */
void flush_joblog(void);

/* A stop signal (^C, kill): the joblog keeps its whole lines, then the
 * process ends by that signal, as it would have without this. */
void on_stop_signal(evutil_socket_t sig, short what, void *arg);

/* Open --results DIR; 0 or an exit status. */
int open_results(void);

/* Close --results DIR; code, or 71 when a record's files could not be
 * written and nothing worse happened. */
int finish_results(int code);

/* Coordinator: one record's final result, in order. */
void result_cb(void *arg, const struct pd_coord_result *r);

/* Coordinator: is this record already in the joblog? */
int resume_cb(void *arg, long lineno, const char *line, size_t len, struct pd_buf *out,
		     const char **host, double *ms);

/* Redraw the progress line on stderr. */
void draw_bar(evutil_socket_t fd, short what, void *arg);

/* Results reach a pipe or file as they complete, not only when a 4 KiB
 * buffer fills; the joblog likewise. */
void flush_output(evutil_socket_t fd, short what, void *arg);

/* mapcache.c */
/* Coordinator: is this record's result in the cache? */
int cached_cb(void *arg, const char *line, size_t len, struct pd_coord_hit *hit);

/* --cache and its fellows: cross-option checks. */
void check_cache_options(int argc);

/* --cache: open the result cache for this run's context, unless the job
 * says its results are not worth keeping.  0 or an exit status. */
int open_cache(const struct pd_hostsel *sel, const struct files *f);

/* --cache: write out what the run adds and say what the cache did. */
void close_cache(long records);

/* --cache-list and --cache-prune [--cache-size SIZE]. */
int cache_admin(void);

/* mapdetach.c */
/* --fetch ID [--wait] and --cancel ID. */
int ask_run(struct pd_hostsel *sel);

/* --detach: hand the records to the local pd-serve, print the run id. */
int detach(struct pd_hostsel *sel, const char *jobpath, const char *sym, const char *job, size_t joblen);

#endif
