/* tubering.h - a shared-memory byte ring between two node processes. */
#ifndef PD_TUBERING_H
#define PD_TUBERING_H

#include <stddef.h>
#include <stdint.h>

#define PD_TUBERING_SIZE ((size_t)4 << 20) /* data bytes of a ring (a power of two) */
#define PD_TUBERING_SPIN_NS 10000	   /* a waiter spins this long before it sleeps */
#define PD_TUBERING_YIELD_NS 2000	   /* and yields the CPU between looks after this */

/*
 * A single-producer single-consumer ring in a MAP_SHARED mapping that the
 * parent of both nodes creates before it forks them (struct pd_tubering_shm,
 * opaque here).  Each end keeps its own view (struct pd_tubering).  The
 * producer's and the consumer's counters (bytes ever written, ever read)
 * sit on cache lines of their own, published with C11 release stores and
 * read with acquire loads.  A waiting end spins for PD_TUBERING_SPIN_NS
 * (with the CPU's pause instruction, and sched_yield after
 * PD_TUBERING_YIELD_NS), then sets its sleep flag and sleeps
 * on a futex word in the mapping; the other end makes the futex call only
 * when that flag is set, so a busy exchange makes no system call at all.
 */
struct pd_tubering_shm;

struct pd_tubering {
	struct pd_tubering_shm *m; /* NULL: this tube is a socket */
	int producer;
	uint64_t pos;	/* bytes this end has written (producer) or read (consumer) */
	uint64_t other; /* the other end's counter as last seen */
};

/* A fresh zeroed mapping for one ring (MAP_SHARED, inherited by fork), or
 * NULL with err. */
struct pd_tubering_shm *pd_tubering_map(char *err);

/* Undo pd_tubering_map (NULL-safe). */
void pd_tubering_unmap(struct pd_tubering_shm *m);

/* Take one end of the ring m (producer when producer is 1). */
void pd_tubering_attach(struct pd_tubering *r, struct pd_tubering_shm *m, int producer);

/* Producer: copy up to n bytes in without publishing them; the count copied
 * (0 when the ring is full). */
size_t pd_tubering_put(struct pd_tubering *r, const void *p, size_t n);

/* Producer: publish what was put, waking the consumer if it sleeps. */
void pd_tubering_flush(struct pd_tubering *r);

/* Consumer: copy up to n bytes out and free their space (waking the
 * producer if it sleeps for space); the count copied (0 when empty). */
size_t pd_tubering_get(struct pd_tubering *r, void *p, size_t n);

/* 1 when this end can go on: bytes to read (consumer), room to write
 * (producer). */
int pd_tubering_ready(struct pd_tubering *r);

/*
 * Wait until this end can go on: spin, then sleep on the futex for at
 * most timeout_ms.  Just before sleeping it calls before(arg) (when set);
 * a nonzero return gives up at once.  The producer publishes what it put
 * first.  1 when this end can go on, 0 when not (timed out, given up, or
 * woken by pd_tubering_kick).
 */
int pd_tubering_wait(struct pd_tubering *r, int timeout_ms, int (*before)(void *), void *arg);

/* Wake this end's sleeper, from another thread of its process. */
void pd_tubering_kick(struct pd_tubering *r);

/* Consumer: say whether a pop is reading the ring now (the producer then
 * needs no other help to make room).  Leaving wakes a producer asleep for
 * room, so that it asks for help again. */
void pd_tubering_reading(struct pd_tubering *r, int on);

/* Producer: 1 when a pop on the consumer's side is reading the ring. */
int pd_tubering_peer_reading(struct pd_tubering *r);

#endif
