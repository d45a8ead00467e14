/* watch.h - pd-status --watch: the cluster's state as one text frame. */
#ifndef PD_WATCH_H
#define PD_WATCH_H

#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"

/* One host as pd-status saw it: the address it asked and the reply. */
struct pd_host_view {
	const char *address; /* "lab2:2718", "local" */
	const cJSON *info;   /* the host's info reply, NULL when it did not answer */
	const char *state;   /* "up", "down" or "refused" */
	const char *error;   /* why it is not up ("" when up) */
};

/*
 * The progress of every run and client seen in earlier frames, so that
 * a frame shows rates and ETAs.  Owned by the caller: pd_watch_new,
 * pd_watch_free.
 */
struct pd_watch;

struct pd_watch *pd_watch_new(void);
void pd_watch_free(struct pd_watch *w);

/*
 * Append one frame to out, lines ending in '\n' and no escapes: a header
 * line (the wall clock time `wall`, hosts up, the cluster's CPU and GPU
 * totals), a line per host with bars of its busy, shared and total CPUs
 * and GPUs, then a line per detached run (progress, rate, ETA) and per
 * attached client's work.  `now` is a monotonic clock in seconds, for
 * rates; `width` the columns the bars must fit in (at least 40 is used).
 */
void pd_watch_frame(struct pd_watch *w, const struct pd_host_view *h, int n, double now, time_t wall,
		    int width, struct pd_buf *out);

/*
 * Append a bar of `cells` cells: '#' for busy slots, '.' for shared idle
 * ones, ' ' for the rest of total, between brackets ("[##..  ]").  With
 * more slots than cells each cell stands for total/cells slots, rounded
 * so that a busy or shared slot always shows.  Busy beyond total (tasks
 * oversubscribing) fills the bar.
 */
void pd_watch_bar(int busy, int shared, int total, int cells, struct pd_buf *out);

/* A duration in seconds as "45s", "3m05s", "2h10m" or "3d04h"; "-" when
 * negative, not finite or beyond 999 days. */
void pd_watch_duration(double secs, char *out, size_t size);

/*
 * The rate (per second) of a counter named key that reads `done` at
 * monotonic time `now`: from the first value this watch saw, once it
 * moved; before that from `age`, the seconds since the counter started
 * at 0 (age <= 0: unknown).  Returns -1 when it cannot be told yet.
 */
double pd_watch_rate(struct pd_watch *w, const char *key, double done, double now, double age);

#endif
