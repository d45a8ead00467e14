/* rcache.h - pd-map --cache: each record's result, remembered across runs. */
#ifndef PD_RCACHE_H
#define PD_RCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pathfmt.h"

#define PD_RCACHE_KEY 32		 /* BLAKE2b-256 */
#define PD_RCACHE_SIZE_DEFAULT (1LL << 30) /* --cache-size / $PD_CACHE_SIZE default */
#define PD_RCACHE_DESC_MAX 4096		 /* longest context description */

/*
 * A result cache is a directory holding one append-only log ("log") and
 * a lock file ("lock").  Each entry of the log carries a checksum
 * (BLAKE2b-128 over its header and payload); an entry that is torn (a
 * crash mid-write) or damaged is skipped, never served, and its record
 * runs again.  Appends and compaction happen under flock(2) on "lock",
 * so concurrent runs may share one cache; a run reads the log once, at
 * open, and looks records up in memory.
 *
 * A record's key is BLAKE2b-256 keyed with the run's context (the job's
 * bytes, its name, --share data, its arguments: rcachekey.c) over the
 * record's bytes.  Only successful results are stored.  When the log
 * outgrows the size limit, the least recently used results are dropped
 * (pd_rcache_close): hits are logged as "use" entries, and compaction
 * rewrites the log oldest-first, keeping the newest up to 3/4 of the
 * limit.
 */
struct pd_rcache;

/* A cached result; the strings live until pd_rcache_close. */
struct pd_rcache_hit {
	const char *out, *host;
	size_t outlen;
	double ms;
	int tries;
};

struct pd_rcache_stats {
	long lookups, hits, stored, evicted; /* evicted: results dropped by compaction */
	long long damaged;	/* bytes of damaged or torn entries skipped */
	long long size;		/* the log's size after close/prune */
	long entries;		/* results the log holds after compaction (-1 when not compacted) */
};

/* The run's context: ctx (a hash of all that makes a result, besides the
 * record), and desc, what --cache-list says of it. */
struct pd_rcache_ctx {
	unsigned char key[PD_RCACHE_KEY];
	char desc[PD_RCACHE_DESC_MAX];
};

/* What makes a result besides the record.  For a compiled job, its .so's
 * bytes; for C source (src), the source's bytes and this host's compiler
 * identity (pd_jobcc_key); then the job's name, --share data, the job's
 * arguments (NULL: none), whether it runs on GPU slots, and the suite's
 * version.  Fills ctx; desc names job, share and arguments. */
struct pd_rcache_job {
	const char *job_path, *sym;
	const void *job;
	size_t job_len;
	int src, gpu;
	const char *share_path; /* NULL: no --share */
	const void *share;
	size_t share_len;
	const char *args;
};
void pd_rcache_ctx_make(struct pd_rcache_ctx *ctx, const struct pd_rcache_job *j);

/* The cache directory under the state directory: "STATE/results".  0, or
 * -1 with err when the path does not fit. */
int pd_rcache_dir(const char *state, char out[PD_PATH_MAX], char *err);

/* Open (creating it private) the cache in dir for a run in context ctx,
 * with a size limit of limit bytes; NULL with err. */
struct pd_rcache *pd_rcache_open(const char *dir, const struct pd_rcache_ctx *ctx, long long limit,
				 char *err);

/* 1 with *hit when the record's result is cached (its checksum checked
 * now), else 0. */
int pd_rcache_get(struct pd_rcache *rc, const char *rec, size_t len, struct pd_rcache_hit *hit);

/* Remember a successful result (written by the next flush). */
void pd_rcache_put(struct pd_rcache *rc, const char *rec, size_t len, const struct pd_rcache_hit *res);

/* Append what put and get gathered to the log.  0, or -1 with err (what
 * was not written is dropped: those records run again next time). */
int pd_rcache_flush(struct pd_rcache *rc, char *err);

/* Flush, compact when the log is over its limit or damaged, and free;
 * *st says what happened.  0, or -1 with err (rc is freed either way). */
int pd_rcache_close(struct pd_rcache *rc, struct pd_rcache_stats *st, char *err);

/* One context of the cache, as --cache-list shows it. */
struct pd_rcache_info {
	const char *id;	  /* hex, 24 digits */
	const char *desc;
	long entries;
	long long bytes;
	int64_t last_used; /* unix seconds */
};

/* Call fn for every context in dir holding results, most recently used
 * last; *st totals.  0, or -1 with err. */
int pd_rcache_list(const char *dir, void (*fn)(void *arg, const struct pd_rcache_info *i), void *arg,
		   struct pd_rcache_stats *st, char *err);

/* Drop the least recently used results until the log holds at most
 * target bytes (0: empty it).  0, or -1 with err. */
int pd_rcache_prune(const char *dir, long long target, struct pd_rcache_stats *st, char *err);

/* The size limit: $PD_CACHE_SIZE when set (a size, memlimit.h), else
 * PD_RCACHE_SIZE_DEFAULT.  -1 when the variable is malformed. */
long long pd_rcache_limit_env(void);

#endif
