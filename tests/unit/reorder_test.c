/* reorder_test.c - the reorder buffer delivers parked results in order,
 * short texts kept in their slots (moved with them as the ring grows)
 * and long ones copied apart; records delivered out of order are passed
 * over without a slot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reorder.h"
#include "t.h"

/* Record seq's text: its decimal number, past the slot's inline room
 * for every third record. */
static void text(char *buf, long seq)
{
	snprintf(buf, 64, seq % 3 ? "%ld" : "record %ld, a longer text", seq);
}

/* A result whose output is text(seq), from a buffer reused at once. */
static void put(struct pd_reorder *q, long seq, char *buf)
{
	struct pd_coord_result r = {0};

	text(buf, seq);
	r.lineno = seq + 1;
	r.out = buf;
	r.outlen = strlen(buf);
	r.in = "in";
	r.inlen = 2;
	pd_reorder_put(q, seq, &r);
	memset(buf, 'x', 63);
}

/*
 * Records 0..n-1 arrive scrambled within blocks of `block` (block n:
 * record 0 last, so that the bit ring grows with bits set; small blocks:
 * the ring wraps); every fail_every-th one (0: none) is a failure,
 * parked, the others are delivered as they arrive and skipped.  Each
 * record must be delivered once, the failures in input order and each
 * only after every earlier record; with no failure no slot is used.
 */
static void test_skip(long n, long block, long fail_every)
{
	struct pd_reorder q;
	const struct pd_coord_result *r;
	char *done = calloc((size_t)n, 1), buf[64];
	long *perm = malloc(sizeof *perm * (size_t)n), i, k, j, t, lo, below = 0, last_fail = -1, bad = 0;

	pd_reorder_init(&q);
	for (i = 0; i < n; i++)
		perm[i] = block == n ? (i + 1) % n : i;
	for (i = block == n ? n - 2 : n - 1; i > 0; i--) { /* within i's block */
		lo = i / block * block;
		j = lo + rand() % (i - lo + 1), t = perm[i], perm[i] = perm[j], perm[j] = t;
	}
	for (k = 0; k < n; k++) {
		i = perm[k];
		if (i == q.next) {
			bad += done[i]++ != 0;
			pd_reorder_pop(&q);
		} else if (!fail_every || i % fail_every) {
			bad += done[i]++ != 0; /* delivered as it came */
			pd_reorder_skip(&q, i);
		} else {
			put(&q, i, buf);
		}
		for (;;) { /* the coordinator's flush */
			if (pd_reorder_pass_skipped(&q))
				continue;
			if (!(r = pd_reorder_peek(&q)))
				break;
			j = r->lineno - 1;
			while (below < j && done[below]) /* every earlier record is out */
				below++;
			bad += below != j || j <= last_fail || done[j]++ != 0;
			last_fail = j;
			pd_reorder_pop(&q);
		}
	}
	for (i = 0; i < n; i++)
		bad += done[i] != 1;
	CHECK(bad == 0);
	CHECK(q.next == n);
	CHECK(block < n || q.skipcap >= n); /* grew while record 0 was missing */
	CHECK(fail_every || q.cap == 0);
	pd_reorder_release(&q);
	free(done);
	free(perm);
}

int main(void)
{
	struct pd_reorder q;
	const struct pd_coord_result *r;
	char buf[64], want[64];
	long i, n = 5000, got = 0;
	long *perm = malloc(sizeof *perm * (size_t)n);

	pd_reorder_init(&q);
	CHECK(pd_reorder_peek(&q) == NULL);
	/* Park records 1..n-1 in a scrambled order (record 0 comes last):
	 * 1..1000 first, within the first 1024 slots, so that the ring
	 * grows with them parked. */
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 1; i--) {
		long lo = i > 1000 ? 1001 : 1, j = lo + rand() % (i - lo + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 1; i < n; i++)
		put(&q, perm[i], buf);
	CHECK(pd_reorder_peek(&q) == NULL); /* record 0 is missing */
	CHECK(q.cap >= n);		    /* grew past its first 1024 slots */
	pd_reorder_pop(&q);		    /* record 0 delivered directly */
	while ((r = pd_reorder_peek(&q))) {
		text(want, q.next);
		CHECK_STR(r->out, want);
		CHECK(r->lineno == q.next + 1);
		CHECK(r->inlen == 2 && !strcmp(r->in, "in"));
		pd_reorder_pop(&q);
		got++;
	}
	CHECK(got == n - 1);
	CHECK(q.next == n);
	CHECK(pd_reorder_room(&q, n + PD_REORDER_MAX - 1));
	CHECK(!pd_reorder_room(&q, n + PD_REORDER_MAX));
	/* Leftovers are freed by release (checked under SAN=1). */
	put(&q, n + 3, buf);
	pd_reorder_release(&q);
	free(perm);
	test_skip(20000, 20000, 0);
	test_skip(20000, 20000, 7);
	test_skip(70, 70, 3);	  /* within the bit ring's first size */
	test_skip(50000, 300, 5); /* around the ring many times */
	return t_done("reorder");
}
