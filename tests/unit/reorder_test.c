/* reorder_test.c - the reorder buffer delivers parked results in order,
 * short texts kept in their slots (moved with them as the ring grows)
 * and long ones copied apart. */
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
	return t_done("reorder");
}
