/* input_test.c - fed fixed-size records (lib/run/input.c): taken one by
 * one or in runs, copied in or lent and read in place, and fed again once
 * all are taken. */
#include <stdlib.h>

#include "input.h"
#include "t.h"

/* Records 0..n-1 of size bytes each, record k's bytes all (char)(k + base). */
static char *records(int n, size_t size, int base)
{
	char *p = malloc((size_t)n * size);
	int k;

	for (k = 0; k < n; k++)
		memset(p + (size_t)k * size, (char)(k + base), size);
	return p;
}

/* Take every record left, one at a time and in runs of up to 3, checking
 * each against records(.., base) from record k on; returns the next k. */
static int take_all(struct pd_input *in, size_t size, int base, int k, const char *lent)
{
	const char *p;
	size_t len;
	long n, i;

	p = pd_input_line(in, &len);
	CHECK(p && len == size && p[0] == (char)(k + base));
	CHECK(!lent || p == lent + (size_t)k * size); /* in place, not a copy */
	k++;
	while ((p = pd_input_records(in, 3, &n))) {
		CHECK(n >= 1 && n <= 3);
		for (i = 0; i < n; i++)
			CHECK(p[(size_t)i * size] == (char)(k + i + base) && p[(size_t)i * size + size - 1] == (char)(k + i + base));
		CHECK(!lent || p == lent + (size_t)k * size);
		k += (int)n;
	}
	CHECK(n == 0 && pd_input_taken(in));
	return k;
}

int main(void)
{
	const size_t size = 24;
	struct pd_input in;
	char *a = records(10, size, 1), *b = records(7, size, 50), *c = records(5, size, 90);
	long n;
	int k;

	pd_input_init(&in, NULL, -1, NULL, NULL);
	in.recsize = size;
	CHECK(pd_input_taken(&in) && !pd_input_records(&in, 4, &n) && n == 0);
	/* copied in: the caller's bytes may change at once */
	memcpy(pd_input_feed_room(&in, 10 * size), a, 10 * size);
	memset(a, 0, 10 * size);
	CHECK(!pd_input_taken(&in));
	free(a);
	a = records(10, size, 1);
	CHECK(take_all(&in, size, 1, 0, NULL) == 10);
	/* lent: read in place, then the next population lent again */
	pd_input_lend(&in, b, 7 * size);
	CHECK(!pd_input_taken(&in));
	CHECK(take_all(&in, size, 50, 0, b) == 7);
	pd_input_lend(&in, a, 10 * size);
	k = take_all(&in, size, 1, 0, a);
	CHECK(k == 10);
	/* copied in after a loan: the buffer starts again, the loan is dropped */
	memcpy(pd_input_feed_room(&in, 5 * size), c, 5 * size);
	CHECK(take_all(&in, size, 90, 0, NULL) == 5);
	/* a partial run: a max of 0 takes nothing */
	pd_input_lend(&in, b, 7 * size);
	CHECK(!pd_input_records(&in, 0, &n) && n == 0 && !pd_input_taken(&in));
	CHECK(pd_input_records(&in, 100, &n) == b && n == 7 && pd_input_taken(&in));
	/* the end: closed and all taken */
	CHECK(!pd_input_done(&in));
	pd_input_close(&in);
	CHECK(pd_input_done(&in));
	pd_input_release(&in);
	free(a);
	free(b);
	free(c);
	return t_done("input_test");
}
