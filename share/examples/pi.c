/*
 * pi.c - the paper's Monte Carlo estimate of pi as a pd-task task.
 *
 * Shows the task interface: PD_TASK with init (parse the node's argument
 * line, keep state with pd_task_set_data), start (the computation) and
 * result (the node's output).  The nodes need no tubes: each one counts
 * its own points and pd-task prints the counts, one line per node in node
 * order; the user combines them.
 *
 * Arguments (one line per node on stdin, or --args for every node):
 *
 *	N SEED		two decimal integers, no sign: N points on this node
 *			(0 <= N < 2^64), SEED (0 <= SEED < 2^64); blanks
 *			around and between them are allowed, nothing else
 *
 * Result of a node: "COUNT N", where COUNT is how many of its N points
 * (x, y) fall in the quarter disc x*x + y*y <= 1.
 *
 * Random numbers: splitmix64, one stream per node.  The node's state
 * starts at
 *
 *	state = SEED * 0x9E3779B97F4A7C15 + node	(mod 2^64)
 *
 * and each draw is the standard splitmix64 step
 *
 *	state += 0x9E3779B97F4A7C15
 *	z = state
 *	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
 *	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
 *	z = z ^ (z >> 31)
 *
 * turned into a double in [0, 1) from its top 53 bits: (z >> 11) * 2^-53.
 * A point takes two draws, x first, then y.  So the counts depend only on
 * N, SEED and the node's index, never on where or how the node ran (the
 * test compares them with tests/jobs/pi_serial.c).
 *
 *	cc -std=c11 -shared -fPIC -O2 -I/path/to/playdoh/include pi.c -o pi.so
 *	printf '1000000 42\n%.0s' 1 2 3 4 | pd-task -n 4 -t none pi.so |
 *		awk '{ c += $1; n += $2 } END { printf "%.6f\n", 4 * c / n }'
 *
 * or the same line for every node: pd-task -n 4 --args '1000000 42' pi.so
 * (add --oversubscribe to run more nodes than there are CPUs).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include <playdoh.h>

/* x*x + y*y must be rounded as written, never fused into an fma (GCC
 * does not fuse with -std=c11; clang needs telling). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define GOLDEN UINT64_C(0x9E3779B97F4A7C15)

/* A node's state, from init to result. */
struct pi_node {
	uint64_t n, seed, count;
	int node;
};

/* One splitmix64 draw as a double in [0, 1). */
static double draw(uint64_t *state)
{
	uint64_t z = (*state += GOLDEN);

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

/* Parse a decimal integer of 0..2^64-1 at *p (after blanks), moving *p
 * past it; 0, or -1 when there is none or it is too big. */
static int parse_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	if (*s && !isspace((unsigned char)*s))
		return -1;
	*p = s;
	*v = x;
	return 0;
}

static int pi_init(pd_task *t, const char *args)
{
	struct pi_node *st;
	const char *a = args ? args : "", *p = a;
	uint64_t n, seed;

	if (parse_u64(&p, &n))
		return pd_task_error(t, "pi: args must be \"N SEED\" (two decimal integers), got \"%s\": bad N", a);
	if (parse_u64(&p, &seed))
		return pd_task_error(t, "pi: args must be \"N SEED\" (two decimal integers), got \"%s\": bad SEED", a);
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return pd_task_error(t, "pi: args must be \"N SEED\" (two decimal integers), got \"%s\": extra text after SEED", a);
	st = malloc(sizeof *st);
	if (!st)
		return pd_task_error(t, "pi: out of memory");
	st->n = n;
	st->seed = seed;
	st->count = 0;
	st->node = pd_node(t);
	pd_task_set_data(t, st);
	return PD_OK;
}

static int pi_start(pd_task *t)
{
	struct pi_node *st = pd_task_data(t);
	uint64_t state = st->seed * GOLDEN + (uint64_t)st->node;
	uint64_t i, count = 0;

	for (i = 0; i < st->n; i++) {
		double x = draw(&state);
		double y = draw(&state);

		if (x * x + y * y <= 1.0)
			count++;
	}
	st->count = count;
	return PD_OK;
}

static int pi_result(pd_task *t, pd_out *out)
{
	struct pi_node *st = pd_task_data(t);

	pd_printf(out, "%llu %llu", (unsigned long long)st->count, (unsigned long long)st->n);
	pd_task_set_data(t, NULL);
	free(st);
	return PD_OK;
}

PD_TASK(pi, pi_init, pi_start, pi_result);
