/* reorder.h - results parked until every earlier record's result is out. */
#ifndef PD_REORDER_H
#define PD_REORDER_H

#include <stdint.h>

#include "result.h"

#define PD_REORDER_MAX (1L << 22) /* results held behind one slow record */

#define PD_REORDER_INLINE 16 /* a text this short is kept in its slot */

/* A parked result: a copy of its text and input; a short text (a fitness
 * value) in the slot itself, not in a block of its own. */
struct pd_reorder_slot {
	int full;
	struct pd_coord_result r; /* out and in point to the copies below */
	char *out, *in;		  /* out: NULL when the text is in small */
	char small[PD_REORDER_INLINE];
};

/*
 * A ring indexed by record number from `next`, the first record not yet
 * delivered.  It grows by doubling up to PD_REORDER_MAX slots.  Beside
 * it, a ring of bits marks the records already delivered out of order
 * (pd_reorder_skip), which `next` passes over: a bit, not a slot, so that
 * results handed over as they come touch no slot memory.
 */
struct pd_reorder {
	struct pd_reorder_slot *ring;
	long cap, next;
	uint64_t *skip;
	long skipcap; /* bits, a power of two */
};

void pd_reorder_init(struct pd_reorder *q);

/* 1 when record seq can be parked without passing PD_REORDER_MAX. */
int pd_reorder_room(const struct pd_reorder *q, long seq);

/* Park a copy of record seq's result (seq > next). */
void pd_reorder_put(struct pd_reorder *q, long seq, const struct pd_coord_result *r);

/* Record seq (> next) was delivered out of order: pass over it. */
void pd_reorder_skip(struct pd_reorder *q, long seq);

/* Pass over the records from next on that were delivered out of order
 * (pd_reorder_skip), a word of bits at a time; returns how many. */
long pd_reorder_pass_skipped(struct pd_reorder *q);

/* The next record's result when it is parked, else NULL. */
const struct pd_coord_result *pd_reorder_peek(const struct pd_reorder *q);

/* Done with the next record (delivered from the ring or directly; not
 * one passed over by pd_reorder_pass_skipped). */
void pd_reorder_pop(struct pd_reorder *q);

void pd_reorder_release(struct pd_reorder *q);

#endif
