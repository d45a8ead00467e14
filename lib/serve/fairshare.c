/* fairshare.c - fair share of worker time between the pool's clients. */
#include "fairshare.h"

#include <stddef.h>

/* Weight of the newest sample in the moving averages: 1/EST_DIV. */
#define EST_DIV 4

void pd_fair_init(struct pd_fair *f)
{
	TAILQ_INIT(&f->flows);
	f->grants = 0;
	f->est_us = 0;
}

/* The least charge among the active flows; 0 when there are none. */
static uint64_t floor_used(const struct pd_fair *f)
{
	const struct pd_fair_flow *o;
	uint64_t least = 0;
	int any = 0;

	TAILQ_FOREACH(o, &f->flows, link) {
		if (!any || o->used < least)
			least = o->used;
		any = 1;
	}
	return least;
}

/* Join level with the least-charged active flow: no credit from idling,
 * no debt that would hold a newcomer back. */
void pd_fair_wake(struct pd_fair *f, struct pd_fair_flow *fl)
{
	uint64_t least;

	if (fl->active)
		return;
	if (!TAILQ_EMPTY(&f->flows)) {
		least = floor_used(f);
		if (fl->used < least)
			fl->used = least;
	}
	fl->active = 1;
	TAILQ_INSERT_TAIL(&f->flows, fl, link);
}

void pd_fair_sleep(struct pd_fair *f, struct pd_fair_flow *fl)
{
	if (!fl->active)
		return;
	fl->active = 0;
	TAILQ_REMOVE(&f->flows, fl, link);
}

struct pd_fair_flow *pd_fair_next(struct pd_fair *f, int (*ready)(struct pd_fair_flow *fl, void *arg),
				  void *arg)
{
	struct pd_fair_flow *o, *best = NULL;

	TAILQ_FOREACH(o, &f->flows, link) {
		if (!ready(o, arg))
			continue;
		if (!best || o->used < best->used || (o->used == best->used && o->last < best->last))
			best = o;
	}
	return best;
}

/* Fold a sample into a moving average (the first sample is taken whole). */
static uint64_t average(uint64_t avg, uint64_t sample)
{
	if (avg == 0)
		return sample ? sample : 1;
	return avg - avg / EST_DIV + sample / EST_DIV;
}

uint64_t pd_fair_grant(struct pd_fair *f, struct pd_fair_flow *fl)
{
	uint64_t est = fl->est_us ? fl->est_us : f->est_us;

	fl->used += est;
	fl->last = ++f->grants;
	return est;
}

void pd_fair_done(struct pd_fair *f, struct pd_fair_flow *fl, uint64_t charged, uint64_t us)
{
	fl->used = fl->used - charged + us; /* charged was added to used */
	fl->est_us = average(fl->est_us, us);
	f->est_us = average(f->est_us, us);
}
