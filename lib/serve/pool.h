/* pool.h - a pre-forked pool of worker processes and its batch queue. */
#ifndef PD_POOL_H
#define PD_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "runopt.h"

/*
 * The pool owns `slots` worker processes and a queue of batches from
 * several owners (client connections), served by fair share of worker
 * time between owners (fairshare.h) so that one user's long run does
 * not starve another's.  Every record
 * of a submitted batch ends with exactly one result entry (proto.h):
 * a worker that dies fails only the record it was running (the rest of
 * the batch is re-dispatched to a fresh worker), a record over its time
 * limit is killed with its worker and fails with a timeout.
 */
struct pd_pool;

/* What a batch asks for. */
struct pd_pool_job {
	void *owner;	     /* opaque; groups batches for fairness and dropping */
	uint64_t id;	     /* the owner's batch id, passed back */
	const char *path;    /* the job .so to dlopen */
	const char *name;    /* its name for messages ("square.so"), or NULL */
	const char *sym;     /* its job name */
	const char *share;   /* --share file path, or NULL */
	const char *args;    /* the job's argument string (pd_args), or NULL */
	long first;	     /* line number of the first record */
	const cJSON *linenos; /* or explicit line numbers (array of n), or NULL */
	const void *recs;    /* n records, each ended by a newline (NUL with nul) */
	int nul;	     /* records end in NUL: they may hold newlines */
	size_t len;
	int n;
	int fitness;	     /* a fitness job: records are points */
	int f64_dim;	     /* ... of f64_dim little-endian doubles each, no
				separator (an OK result: 8 bytes, the value); 0: text */
	int gpu;	     /* runs on GPU slots only (never on a CPU slot) */
	struct pd_runopts run; /* the client's per-run options (runopt.h) */
	long long mem_cap;     /* the server's cap on run.mem (memlimit.h), 0 = none */
};

struct pd_pool_cb {
	/* All n records of batch `id` have results: entries in order.
	 * Their input line numbers are as submitted: `linenos`, or from
	 * `first` on when it is NULL. */
	void (*done)(void *arg, void *owner, uint64_t id, const unsigned char *entries,
		     size_t len, int n, long first, const cJSON *linenos, const char *load_error);
	/* Batch `id` was not run and will not be: send it elsewhere. */
	void (*handback)(void *arg, void *owner, uint64_t id);
	/* The number of running workers changed (for status/draining). */
	void (*idle)(void *arg);
	/* A child that is not a worker ended (task nodes); may be NULL. */
	void (*child)(void *arg, pid_t pid, int status);
};

/* Start a pool with `slots` workers.  NULL with err on failure. */
struct pd_pool *pd_pool_new(struct event_base *base, int slots,
			    const struct pd_pool_cb *cb, void *arg, char *err);

/* Kill the workers and free everything.  NULL-safe. */
void pd_pool_free(struct pd_pool *p);

/* Queue a batch (copied).  0, or -1 with err (bad shape). */
int pd_pool_submit(struct pd_pool *p, const struct pd_pool_job *job, char *err);

/* Bytes of records in owner's batches still queued (not yet running). */
size_t pd_pool_queued_bytes(struct pd_pool *p, void *owner);

/* Forget an owner (its client is gone): its queued batches are dropped,
 * the workers running its records are killed and replaced. */
void pd_pool_drop_owner(struct pd_pool *p, void *owner);

/*
 * Preload: every CPU slot's worker (those running now and those still to
 * start) opens the job path:sym, running its init hook, before any record
 * of it comes; ready(arg) is called once all have (failures included: they
 * are reported with the first batch as usual), one died doing it, or
 * PRELOAD_WAIT_MS passed.  So the first records of all slots start
 * together instead of each behind its worker's dlopen.  For a pool that
 * serves one run (embedded): every worker runs the job's init hook.
 */
void pd_pool_preload(struct pd_pool *p, const char *path, const char *sym, const char *name,
		     void (*ready)(void *arg), void *arg);

/* Change the number of workers.  Growing starts workers at once;
 * shrinking retires idle workers now and busy ones when they finish.
 * At 0, every queued batch is handed back. */
void pd_pool_set_slots(struct pd_pool *p, int slots);

/*
 * GPU slots: `gpus` devices (0 .. gpus-1 of pd_gpus_detect), `slots` of
 * them shared (at most gpus): devices 0 .. slots-1, so that the owner
 * keeps the last ones.  A GPU slot's worker is bound to one device
 * (pd_gpu_bind) before it loads any job and runs GPU batches only, one
 * dispatch at a time; no two workers ever hold the same device.  At 0
 * slots, every queued GPU batch is handed back.
 */
void pd_pool_set_gpus(struct pd_pool *p, int gpus, int slots);

/*
 * A record running on a slot that is no longer shared (the owner shrank
 * the share, or pd_pool_stop) gets grace_ms to finish; then its worker is
 * killed and the record fails as "lost", saying why.  Default 30 s.
 */
void pd_pool_set_grace(struct pd_pool *p, int grace_ms);
/* The server stops: every slot is withdrawn (with the grace above). */
void pd_pool_stop(struct pd_pool *p);

/* Stop taking work: hand back every queued batch. */
void pd_pool_handback_all(struct pd_pool *p);

int pd_pool_slots(const struct pd_pool *p);
int pd_pool_busy(const struct pd_pool *p);	/* CPU slots running a batch */
int pd_pool_gpus_busy(const struct pd_pool *p); /* GPU slots running a batch */
int pd_pool_queued(const struct pd_pool *p);

/* Batches of one owner waiting and running. */
void pd_pool_owner_load(const struct pd_pool *p, const void *owner, int *queued, int *running);

#endif
