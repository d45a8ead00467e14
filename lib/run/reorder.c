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

/* A ring's new capacity (a power of two, first when it had none) to
 * hold dist records past next. */
static long grown(long cap, long first, long dist)
{
	long ncap = cap ? cap : first;

	while (dist >= ncap)
		ncap *= 2;
	return ncap;
}

/* Grow the ring until seq fits. */
static void fit(struct pd_reorder *q, long seq)
{
	struct pd_reorder_slot *n;
	long ncap, i;

	if (seq - q->next < q->cap)
		return;
	ncap = grown(q->cap, 1024, seq - q->next);
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

/* Grow the bit ring until seq fits. */
static void fit_skip(struct pd_reorder *q, long seq)
{
	uint64_t *n;
	long ncap, i;

	if (seq - q->next < q->skipcap)
		return;
	ncap = grown(q->skipcap, 4096, seq - q->next);
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

long pd_reorder_pass_skipped(struct pd_reorder *q)
{
	long from = q->next, bit, k;
	uint64_t *w, m;

	while (q->skipcap) {
		w = &q->skip[(q->next & (q->skipcap - 1)) / 64];
		bit = q->next & 63;
		m = *w >> bit; /* the word's bits from next on, zeros above */
		if (!(m & 1))
			break;
		k = ~m ? __builtin_ctzll(~m) : 64; /* the run of ones from next */
		*w &= ~((k == 64 ? ~(uint64_t)0 : ((uint64_t)1 << k) - 1) << bit);
		q->next += k;
		if (bit + k < 64) /* the run ended inside this word */
			break;
	}
	return q->next - from;
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
