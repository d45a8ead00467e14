/* t.h - a tiny harness for the C unit tests that Bats runs. */
#ifndef PD_T_H
#define PD_T_H

#include <stdio.h>
#include <string.h>

static int t_failed, t_run;

#define CHECK(cond)                                                            \
	do {                                                                   \
		t_run++;                                                       \
		if (!(cond)) {                                                 \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *t_a = (a), *t_b = (b);                             \
		t_run++;                                                       \
		if (!t_a || !t_b || strcmp(t_a, t_b)) {                        \
			t_failed++;                                            \
			fprintf(stderr, "%s:%d: '%s' != '%s' (%s vs %s)\n",    \
				__FILE__, __LINE__, t_a ? t_a : "(null)",      \
				t_b ? t_b : "(null)", #a, #b);                 \
		}                                                              \
	} while (0)

/* Print a summary and return the exit status for main(). */
static inline int t_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, t_run, t_failed);
	return t_failed ? 1 : 0;
}

#endif
