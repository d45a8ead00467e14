/* reorder.c - the reorder buffer that keeps results in input order. */
#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void pd_reorder_init(struct pd_reorder *q)
{
	memset(q, 0, sizeof *q);
}

int pd_reorder_room(const struct pd_reorder *q, long seq)
{
	return seq - q->next < PD_REORDER_MAX;
}

/* Grow the ring (a power of two) until seq fits. */
static void fit(struct pd_reorder *q, long seq)
{
	struct pd_reorder_slot *n;
	long ncap, i;

	if (seq - q->next < q->cap)
		return;
	ncap = q->cap ? q->cap : 1024;
	while (seq - q->next >= ncap)
		ncap *= 2;
	n = pd_xcalloc((size_t)ncap, sizeof *n);
	for (i = q->next; i < q->next + q->cap; i++) {
		n[i & (ncap - 1)] = q->ring[i & (q->cap - 1)];
		if (n[i & (ncap - 1)].full && !n[i & (ncap - 1)].out) /* its text moved with it */
			n[i & (ncap - 1)].r.out = n[i & (ncap - 1)].small;
	}
	free(q->ring);
	q->ring = n;
	q->cap = ncap;
}

/* A NUL-terminated copy of n bytes. */
static char *copy(const char *p, size_t n)
{
	char *s = pd_xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = 0;
	return s;
}

void pd_reorder_put(struct pd_reorder *q, long seq, const struct pd_coord_result *r)
{
	struct pd_reorder_slot *s;

	fit(q, seq);
	s = &q->ring[seq & (q->cap - 1)];
	s->full = 1;
	s->r = *r;
	if (r->outlen < sizeof s->small) {
		if (r->outlen)
			memcpy(s->small, r->out, r->outlen);
		s->small[r->outlen] = 0;
		s->out = NULL;
		s->r.out = s->small;
	} else {
		s->out = copy(r->out, r->outlen);
		s->r.out = s->out;
	}
	s->in = r->in ? copy(r->in, r->inlen) : NULL;
	s->r.in = s->in;
}

/* Grow the bit ring (a power of two) until seq fits. */
static void fit_skip(struct pd_reorder *q, long seq)
{
	uint64_t *n;
	long ncap, i;

	if (seq - q->next < q->skipcap)
		return;
	ncap = q->skipcap ? q->skipcap : 4096;
	while (seq - q->next >= ncap)
		ncap *= 2;
	n = pd_xcalloc((size_t)ncap / 64, sizeof *n);
	for (i = q->next; i < q->next + q->skipcap; i++)
		if (q->skip[(i & (q->skipcap - 1)) / 64] >> (i & 63) & 1)
			n[(i & (ncap - 1)) / 64] |= (uint64_t)1 << (i & 63);
	free(q->skip);
	q->skip = n;
	q->skipcap = ncap;
}

void pd_reorder_skip(struct pd_reorder *q, long seq)
{
	fit_skip(q, seq);
	q->skip[(seq & (q->skipcap - 1)) / 64] |= (uint64_t)1 << (seq & 63);
}

int pd_reorder_next_skipped(const struct pd_reorder *q)
{
	return q->skipcap && q->skip[(q->next & (q->skipcap - 1)) / 64] >> (q->next & 63) & 1;
}

const struct pd_coord_result *pd_reorder_peek(const struct pd_reorder *q)
{
	const struct pd_reorder_slot *s;

	if (!q->cap)
		return NULL;
	s = &q->ring[q->next & (q->cap - 1)];
	return s->full ? &s->r : NULL;
}

void pd_reorder_pop(struct pd_reorder *q)
{
	struct pd_reorder_slot *s;

	if (pd_reorder_next_skipped(q)) { /* no slot was used: leave the ring alone */
		q->skip[(q->next & (q->skipcap - 1)) / 64] &= ~((uint64_t)1 << (q->next & 63));
		q->next++;
		return;
	}
	if (q->cap) {
		s = &q->ring[q->next & (q->cap - 1)];
		if (s->full) {
			free(s->out);
			free(s->in);
			s->full = 0; /* the rest is written again by the next put */
			s->out = s->in = NULL;
		}
	}
	q->next++;
}

void pd_reorder_release(struct pd_reorder *q)
{
	long i;

	for (i = 0; i < q->cap; i++) {
		free(q->ring[i].out);
		free(q->ring[i].in);
	}
	free(q->ring);
	free(q->skip);
	memset(q, 0, sizeof *q);
}
