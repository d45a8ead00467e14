/* worker.h - a worker process: loads jobs with dlopen and runs records. */
#ifndef PD_WORKER_H
#define PD_WORKER_H

#include <stdint.h>

/*
 * What a worker tells its pool without a message, through a page shared
 * before fork: which dispatch it is running, which record of it, since
 * when.  The pool reads it when the worker dies (to blame the right
 * record) and on its timeout tick.  Written only by the worker, through
 * the functions below: a record's start time is stored before its index
 * (and a dispatch's before its RUNNING phase), each with release order,
 * so a reader that sees the index never pairs it with the time of the
 * record before (or of an old dispatch: a fresh worker's start is 0).
 */
enum pd_worker_phase { PD_PHASE_IDLE, PD_PHASE_LOADING, PD_PHASE_RUNNING };

struct pd_worker_shm {
	uint64_t seq;	   /* dispatch sequence number being worked on */
	uint32_t phase;	   /* enum pd_worker_phase */
	uint32_t index;	   /* record index within the dispatch */
	uint64_t start_ns; /* CLOCK_MONOTONIC start of that record */
	uint32_t oom;	   /* set as it dies: memory ran out under --mem */
};

/* Worker side: record `index` of the dispatch starts now; the time. */
static inline uint64_t pd_shm_record_start(struct pd_worker_shm *s, uint32_t index, uint64_t now)
{
	__atomic_store_n(&s->start_ns, now, __ATOMIC_RELAXED);
	__atomic_store_n(&s->index, index, __ATOMIC_RELEASE);
	return now;
}

/* Worker side: enter phase (enum pd_worker_phase). */
static inline void pd_shm_set_phase(struct pd_worker_shm *s, uint32_t phase)
{
	__atomic_store_n(&s->phase, phase, __ATOMIC_RELEASE);
}

/* Pool side: the worker's phase in dispatch seq, or -1 if it is on
 * another one; with the record's index and start time when asked. */
static inline int pd_shm_read(const struct pd_worker_shm *s, uint64_t seq, uint32_t *index, uint64_t *start_ns)
{
	int phase = (int)__atomic_load_n(&s->phase, __ATOMIC_ACQUIRE);

	if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != seq)
		return -1;
	if (index)
		*index = __atomic_load_n(&s->index, __ATOMIC_ACQUIRE);
	if (start_ns)
		*start_ns = __atomic_load_n(&s->start_ns, __ATOMIC_RELAXED);
	return phase;
}

/*
 * The worker loop on fd (a socketpair end): read "run" frames, answer
 * each with a "result" frame, exit on EOF or "quit".  Never returns.
 * `gpu` is this worker's device index or -1.
 */
void pd_worker_main(int fd, struct pd_worker_shm *shm, int gpu) __attribute__((noreturn));

#endif
