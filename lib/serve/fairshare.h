/* fairshare.h - which client's batch a free worker runs next. */
#ifndef PD_FAIRSHARE_H
#define PD_FAIRSHARE_H

#include <stdint.h>
#include <sys/queue.h>

/*
 * Fair share of worker time between flows (a flow is one client
 * connection of the pool), start-time fair queuing in miniature: each
 * flow is charged the worker time its batches take, and a free worker
 * goes to the active flow charged least, ties to the one served least
 * recently, which makes equal flows take turns round-robin.  Fair in
 * time, not in batches: a run whose batches take 1 s gets no more than
 * one whose batches take 5 ms.
 *
 * A grant is charged an estimate at once (the flow's recent batch time),
 * so that workers freed together spread over flows, and the estimate is
 * replaced by the true time when the batch ends.  A flow that becomes
 * active (its first batch, or work again after none) starts level with
 * the least-charged active flow: it gets its share at once, and it
 * cannot claim time for the while it had nothing to run.
 *
 * The caller owns the flows (embedded in its own structs) and tells
 * this module when one becomes active and idle; only active flows are
 * on the list.
 */
struct pd_fair_flow {
	uint64_t used;	 /* worker microseconds charged */
	uint64_t est_us; /* recent time per grant (moving average); 0 = unknown */
	uint64_t last;	 /* sequence number of its last grant; 0 = never */
	int active;
	TAILQ_ENTRY(pd_fair_flow) link;
};

struct pd_fair {
	TAILQ_HEAD(pd_fair_list, pd_fair_flow) flows; /* the active flows */
	uint64_t grants;			      /* grants so far */
	uint64_t est_us;			      /* recent time per grant, any flow */
};

void pd_fair_init(struct pd_fair *f);

/* fl has work now: join the active flows (no-op if it is active). */
void pd_fair_wake(struct pd_fair *f, struct pd_fair_flow *fl);

/* fl has nothing queued or running any more: leave (no-op if idle). */
void pd_fair_sleep(struct pd_fair *f, struct pd_fair_flow *fl);

/* The active flow to serve next among those for which ready(fl, arg)
 * says there is queued work; NULL when none. */
struct pd_fair_flow *pd_fair_next(struct pd_fair *f, int (*ready)(struct pd_fair_flow *fl, void *arg),
				  void *arg);

/* A worker starts a batch of fl: charge the estimate, which is returned
 * for pd_fair_done. */
uint64_t pd_fair_grant(struct pd_fair *f, struct pd_fair_flow *fl);

/* That batch ended after `us` microseconds of worker time: replace the
 * estimate `charged` with the real time. */
void pd_fair_done(struct pd_fair *f, struct pd_fair_flow *fl, uint64_t charged, uint64_t us);

#endif
