/* tubering.c - a shared-memory byte ring between two node processes. */
#include "tubering.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define MASK (PD_TUBERING_SIZE - 1)

/* The shared part.  Each side's counter and wait words share a cache line
 * that only that side writes (but for the flags the other side clears). */
struct pd_tubering_shm {
	alignas(64) _Atomic uint64_t head; /* bytes published by the producer */
	_Atomic uint32_t rsleep;	   /* the consumer is (about to be) asleep */
	_Atomic uint32_t rseq;		   /* its futex word: bumped to wake it */
	alignas(64) _Atomic uint64_t tail; /* bytes freed by the consumer */
	_Atomic uint32_t wsleep, wseq;	   /* the same for the producer */
	_Atomic uint32_t reading;	   /* a pop is reading the ring now */
	alignas(64) unsigned char data[];
};

#define MAP_BYTES (sizeof(struct pd_tubering_shm) + PD_TUBERING_SIZE)

struct pd_tubering_shm *pd_tubering_map(char *err)
{
	void *p = mmap(NULL, MAP_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		pd_err(err, "map a tube ring: %s", strerror(errno));
		return NULL;
	}
	return p; /* anonymous memory is zero: counters 0, no one asleep */
}

void pd_tubering_unmap(struct pd_tubering_shm *m)
{
	if (m)
		munmap(m, MAP_BYTES);
}

/*
 * Map every page of the ring into this process now, writable: a forked
 * node does not inherit the parent's page tables for a shared mapping,
 * and a fault per page during the first pass of messages costs
 * milliseconds.  Where the kernel lacks MADV_POPULATE_WRITE (before
 * Linux 5.14), a volatile read per page does most of it.
 */
static void prefault(struct pd_tubering_shm *m)
{
	volatile unsigned char *p = m->data;
	size_t i;

#ifdef MADV_POPULATE_WRITE
	if (madvise(m, MAP_BYTES, MADV_POPULATE_WRITE) == 0)
		return;
#endif
	for (i = 0; i < PD_TUBERING_SIZE; i += 4096)
		(void)p[i];
}

void pd_tubering_attach(struct pd_tubering *r, struct pd_tubering_shm *m, int producer)
{
	prefault(m);
	r->m = m;
	r->producer = producer;
	r->pos = producer ? atomic_load(&m->head) : atomic_load(&m->tail);
	r->other = producer ? atomic_load(&m->tail) : atomic_load(&m->head);
}

/* Wake whoever sleeps on word w when its flag is set. */
static void wake(_Atomic uint32_t *flag, _Atomic uint32_t *w)
{
	atomic_thread_fence(memory_order_seq_cst); /* our publish before their flag */
	if (!atomic_load_explicit(flag, memory_order_relaxed))
		return;
	atomic_store_explicit(flag, 0, memory_order_relaxed);
	atomic_fetch_add_explicit(w, 1, memory_order_release);
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

size_t pd_tubering_put(struct pd_tubering *r, const void *p, size_t n)
{
	size_t room, at, first;

	if (r->pos - r->other == PD_TUBERING_SIZE)
		r->other = atomic_load_explicit(&r->m->tail, memory_order_acquire);
	room = PD_TUBERING_SIZE - (size_t)(r->pos - r->other);
	n = n < room ? n : room;
	at = (size_t)(r->pos & MASK);
	first = n < PD_TUBERING_SIZE - at ? n : PD_TUBERING_SIZE - at;
	memcpy(r->m->data + at, p, first);
	memcpy(r->m->data, (const unsigned char *)p + first, n - first);
	r->pos += n;
	return n;
}

void pd_tubering_flush(struct pd_tubering *r)
{
	atomic_store_explicit(&r->m->head, r->pos, memory_order_release);
	wake(&r->m->rsleep, &r->m->rseq);
}

size_t pd_tubering_get(struct pd_tubering *r, void *p, size_t n)
{
	size_t have, at, first;

	if (r->other == r->pos)
		r->other = atomic_load_explicit(&r->m->head, memory_order_acquire);
	have = (size_t)(r->other - r->pos);
	n = n < have ? n : have;
	if (!n)
		return 0;
	at = (size_t)(r->pos & MASK);
	first = n < PD_TUBERING_SIZE - at ? n : PD_TUBERING_SIZE - at;
	memcpy(p, r->m->data + at, first);
	memcpy((unsigned char *)p + first, r->m->data, n - first);
	r->pos += n;
	atomic_store_explicit(&r->m->tail, r->pos, memory_order_release);
	wake(&r->m->wsleep, &r->m->wseq);
	return n;
}

int pd_tubering_ready(struct pd_tubering *r)
{
	if (r->producer) {
		r->other = atomic_load_explicit(&r->m->tail, memory_order_acquire);
		return r->pos - r->other < PD_TUBERING_SIZE;
	}
	r->other = atomic_load_explicit(&r->m->head, memory_order_acquire);
	return r->other != r->pos;
}

/* Let the other hyperthread or core run while spinning. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Spin up to PD_TUBERING_SPIN_NS for this end to be able to go on: the
 * CPU's pause between looks, and past PD_TUBERING_YIELD_NS a sched_yield
 * too, so that on a busy CPU the peer this end waits for may run.
 */
static int spin(struct pd_tubering *r)
{
	struct timespec t0, t;
	long ns;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (i = 0; i < 64; i++) {
			if (pd_tubering_ready(r))
				return 1;
			cpu_relax();
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		ns = (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec);
		if (ns > PD_TUBERING_SPIN_NS)
			return 0;
		if (ns > PD_TUBERING_YIELD_NS)
			sched_yield();
	}
}

int pd_tubering_wait(struct pd_tubering *r, int timeout_ms, int (*before)(void *), void *arg)
{
	_Atomic uint32_t *flag = r->producer ? &r->m->wsleep : &r->m->rsleep;
	_Atomic uint32_t *w = r->producer ? &r->m->wseq : &r->m->rseq;
	struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
	uint32_t seq;

	if (r->producer)
		pd_tubering_flush(r);
	if (spin(r))
		return 1;
	seq = atomic_load_explicit(w, memory_order_acquire);
	atomic_store_explicit(flag, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst); /* our flag before their counter */
	if (pd_tubering_ready(r) || (before && before(arg))) {
		atomic_store_explicit(flag, 0, memory_order_relaxed);
		return pd_tubering_ready(r);
	}
	syscall(SYS_futex, w, FUTEX_WAIT, seq, &ts, NULL, 0);
	atomic_store_explicit(flag, 0, memory_order_relaxed);
	return pd_tubering_ready(r);
}

void pd_tubering_kick(struct pd_tubering *r)
{
	_Atomic uint32_t *w = r->producer ? &r->m->wseq : &r->m->rseq;

	atomic_fetch_add_explicit(w, 1, memory_order_seq_cst);
	syscall(SYS_futex, w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void pd_tubering_reading(struct pd_tubering *r, int on)
{
	atomic_store_explicit(&r->m->reading, (uint32_t)on, memory_order_relaxed);
	if (!on)
		wake(&r->m->wsleep, &r->m->wseq);
}

int pd_tubering_peer_reading(struct pd_tubering *r)
{
	return (int)atomic_load_explicit(&r->m->reading, memory_order_relaxed);
}
