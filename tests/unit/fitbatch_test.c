/* fitbatch_test.c - unit tests for pd-opt's batches of points per program call (lib/opt/fitbatch.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/fitbatch.h"
#include "t.h"

/* Records split evenly, at most k points each, NUL-ended; the numbers
 * read back to the same bits. */
static void test_pack(void)
{
	double x[10 * 2], y;
	struct pd_buf b = PD_BUF_INIT;
	const char *p, *end;
	long nrec, r, lines, i = 0;
	char *e;

	for (int j = 0; j < 20; j++)
		x[j] = j % 3 ? 1.0 / (j + 1) : -0.0 - 1e-300 * j;
	nrec = pd_fitbatch_pack(&b, x, 10, 2, 3);
	CHECK(nrec == 4);
	CHECK(pd_fitbatch_first(10, 4, 0) == 0 && pd_fitbatch_first(10, 4, 1) == 2);
	CHECK(pd_fitbatch_first(10, 4, 2) == 5 && pd_fitbatch_first(10, 4, 4) == 10);
	for (p = b.data, end = b.data + b.len, r = 0; p < end; r++) {
		CHECK(memchr(p, 0, (size_t)(end - p)) != NULL);
		lines = 0;
		for (; *p; p++) {
			if (*p == '[' || *p == ',') {
				y = strtod(p + 1, &e);
				CHECK(memcmp(&y, &x[i++], sizeof y) == 0);
			}
			lines += *p == ']';
		}
		CHECK(lines == pd_fitbatch_first(10, 4, r + 1) - pd_fitbatch_first(10, 4, r));
		p++;
	}
	CHECK(r == 4 && i == 20);
	CHECK(!memcmp(b.data, "[-0,0.5]\n[0.33333333333333331,-3.0000000000000002e-300]\0[", 57));
	pd_buf_reset(&b);
	CHECK(pd_fitbatch_pack(&b, x, 10, 2, 10) == 1);
	CHECK(pd_fitbatch_pack(&b, x, 3, 2, 1) == 3);
	pd_buf_release(&b);
}

/* pd_fitbatch_values on a string, into f and err. */
#define VALUES(s, n) pd_fitbatch_values(s, strlen(s), n, f, err, sizeof err)

/* Values: one number a line, blanks around, nan and inf; anything else
 * names the line or the count. */
static void test_values(void)
{
	double f[4];
	char err[PD_ERRLEN];

	CHECK(VALUES("1\n 2.5 \r\n-3e2\t\n4", 4) == 0);
	CHECK(f[0] == 1 && f[1] == 2.5 && f[2] == -300 && f[3] == 4);
	CHECK(VALUES("nan\ninf\n", 2) == 0);
	CHECK(isnan(f[0]) && isinf(f[1]));
	CHECK(VALUES("1\n2\n", 3) == -1);
	CHECK_STR(err, "2 lines for 3 points, not one value per point");
	CHECK(VALUES("1\n2\n3\n", 2) == -1);
	CHECK_STR(err, "3 lines for 2 points, not one value per point");
	CHECK(VALUES("1\n2x\n", 2) == -1);
	CHECK_STR(err, "line 2 of 2 as '2x', not one number");
	CHECK(VALUES("1\n\n", 2) == -1);
	CHECK_STR(err, "line 2 of 2 as '', not one number");
	CHECK(pd_fitbatch_values("1\0002\n", 4, 1, f, err, sizeof err) == -1);
	CHECK(VALUES("", 1) == -1);
	CHECK_STR(err, "0 lines for 1 point, not one value per point");
}

/* The failure text: one point, or the call's size and first point. */
static void test_failure(void)
{
	double x[2] = {1.5, -2};
	char msg[PD_ERRLEN];

	pd_fitbatch_failure(msg, sizeof msg, x, 1, 2, "sh: exit 3xx", 10);
	CHECK_STR(msg, "at point 1.5 -2: sh: exit 3");
	pd_fitbatch_failure(msg, sizeof msg, x, 8, 2, "why", 3);
	CHECK_STR(msg, "in a call for 8 points from 1.5 -2: why");
}

int main(void)
{
	test_pack();
	test_values();
	test_failure();
	return t_done("fitbatch_test");
}
