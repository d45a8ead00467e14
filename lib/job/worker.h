/* worker.h - a worker process: loads jobs with dlopen and runs records. */
#ifndef PD_WORKER_H
#define PD_WORKER_H

#include <stdint.h>

/*
 * What a worker tells its pool without a message, through a page shared
 * before fork: which dispatch it is running, which record of it, since
 * when.  The pool reads it when the worker dies (to blame the right
 * record) and on its timeout tick.  Written only by the worker.
 */
enum pd_worker_phase { PD_PHASE_IDLE, PD_PHASE_LOADING, PD_PHASE_RUNNING };

struct pd_worker_shm {
	uint64_t seq;	   /* dispatch sequence number being worked on */
	uint32_t phase;	   /* enum pd_worker_phase */
	uint32_t index;	   /* record index within the dispatch */
	uint64_t start_ns; /* CLOCK_MONOTONIC start of that record */
	uint32_t oom;	   /* set as it dies: memory ran out under --mem */
};

/*
 * The worker loop on fd (a socketpair end): read "run" frames, answer
 * each with a "result" frame, exit on EOF or "quit".  Never returns.
 * `gpu` is this worker's device index or -1.
 */
void pd_worker_main(int fd, struct pd_worker_shm *shm, int gpu) __attribute__((noreturn));

#endif
