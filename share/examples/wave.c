/*
 * wave.c - the 1-D wave equation on a periodic domain as a pd-task task:
 * nodes on a two-way ring (-t ring2) swap one value with each neighbour
 * at every step.
 *
 * Solves u_tt = c^2 u_xx on [0,1) with u periodic, from
 * u(0; x) = exp(-100 (x - 0.5)^2) at rest, by the leapfrog scheme on N
 * points x_i = i / N, i = 0 .. N-1:
 *
 *	u_i = exp(-100.0 * (x - 0.5) * (x - 0.5)), x = (double)i / N, and
 *	the previous step p_i = u_i (at rest); then STEPS times, for every i,
 *
 *		n_i = 2.0 * u_i - p_i + 0.5 * (u_{i-1} - 2.0 * u_i + u_{i+1})
 *
 *	evaluated exactly in that order, left to right, with indices modulo
 *	N (0.5 is (c dt / dx)^2, a Courant number of 0.707); then p = u,
 *	u = n.
 *
 * The result is therefore bit for bit that of a serial solver of the same
 * formulas, whatever the number of nodes (tests/jobs/wave_serial.c).
 *
 * Arguments: "N STEPS", the same line for every node (--args): decimal
 * integers, 1 <= N <= 2^24, 0 <= STEPS <= 2^31-1, with N >= the number of
 * nodes.
 *
 * Decomposition: node i of k owns the points [i0, i1) with
 * i0 = floor(i N / k), i1 = floor((i+1) N / k), plus a ghost point on each
 * side.  At every step it pushes its first point on tube "left" (to its
 * left neighbour) and its last on "right" (to its right one), then pops
 * its left ghost from "right" (what the left neighbour sent rightwards)
 * and its right ghost from "left".  On -t ring2 every node has both
 * tubes, node 0's left neighbour being node k-1; with one node the tubes
 * lead back to itself.  A value travels as a native double.
 *
 * Result of a node: one line "i u_i" per owned point, with %.17g; pd-task
 * prints node 0's lines first, so the whole output lists i = 0 .. N-1.
 *
 *	cc -std=c11 -shared -fPIC -O2 -I/path/to/playdoh/include wave.c -o wave.so -lm
 *	pd-task -n 4 -t ring2 --args '400 300' wave.so >u.txt
 *
 * (-std=c11, or -ffp-contract=off, keeps GCC from fusing multiplications
 * and additions into fma instructions, which would change the last bits.)
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <playdoh.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define N_MAX (1L << 24)
#define STEPS_MAX 2147483647L

/* A node's points: local j (0 .. w+1) is global i0 - 1 + j, j = 0 and
 * j = w + 1 being the ghosts; p, u, n the previous, current, next step. */
struct seg {
	long n, steps, i0, w;
	double *p, *u, *nx;
};

/* Parse a decimal integer within lo..hi at *s, moving *s past it and the
 * blanks after it; 0, or -1. */
static int parse_long(const char **s, long lo, long hi, long *v)
{
	long x = 0;

	if (!isdigit((unsigned char)**s))
		return -1;
	for (; isdigit((unsigned char)**s); (*s)++)
		if ((x = x * 10 + (**s - '0')) > hi)
			return -1;
	while (isspace((unsigned char)**s))
		(*s)++;
	*v = x;
	return x < lo ? -1 : 0;
}

static void seg_free(struct seg *g)
{
	if (g) {
		free(g->p);
		free(g->u);
		free(g->nx);
		free(g);
	}
}

static int wave_init(pd_task *t, const char *args)
{
	const char *s = args;
	long n, steps, k = pd_nodes(t), i = pd_node(t), j;
	struct seg *g;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_long(&s, 1, N_MAX, &n) || parse_long(&s, 0, STEPS_MAX, &steps) || *s)
		return pd_task_error(t, "wave: bad arguments \"%s\": \"N STEPS\", 1 <= N <= %ld, 0 <= STEPS", args, N_MAX);
	if (n < k)
		return pd_task_error(t, "wave: N = %ld points for %ld nodes: give at least one point per node", n, k);
	if (!(g = calloc(1, sizeof *g)))
		return pd_task_error(t, "wave: out of memory");
	g->n = n;
	g->steps = steps;
	g->i0 = i * n / k;
	g->w = (i + 1) * n / k - g->i0;
	g->p = calloc((size_t)g->w + 2, sizeof *g->p);
	g->u = calloc((size_t)g->w + 2, sizeof *g->u);
	g->nx = calloc((size_t)g->w + 2, sizeof *g->nx);
	if (!g->p || !g->u || !g->nx) {
		seg_free(g);
		return pd_task_error(t, "wave: out of memory for %ld points", n);
	}
	for (j = 1; j <= g->w; j++) {
		double x = (double)(g->i0 - 1 + j) / (double)n;

		g->u[j] = g->p[j] = exp(-100.0 * (x - 0.5) * (x - 0.5));
	}
	pd_task_set_data(t, g);
	return PD_OK;
}

/* Pop one double from tube into *v. */
static int take(pd_task *t, const char *tube, double *v)
{
	size_t len;
	const void *m = pd_pop(t, tube, &len);

	if (!m || len != sizeof *v)
		return pd_task_error(t, "wave: node %d: %s on tube '%s'", pd_node(t), m ? "not one double" : "nothing more",
				     tube);
	memcpy(v, m, sizeof *v);
	return PD_OK;
}

static int wave_start(pd_task *t)
{
	struct seg *g = pd_task_data(t);
	long s, j, w = g->w;
	double *tmp;

	if (!pd_has_tube_out(t, "left") || !pd_has_tube_out(t, "right") || !pd_has_tube_in(t, "left") ||
	    !pd_has_tube_in(t, "right"))
		return pd_task_error(t, "wave: node %d lacks tubes 'left' and 'right' both ways: run it with -t ring2",
				     pd_node(t));
	for (s = 0; s < g->steps; s++) {
		if (pd_push(t, "left", &g->u[1], sizeof(double)) || pd_push(t, "right", &g->u[w], sizeof(double)))
			return pd_task_error(t, "wave: node %d: cannot push", pd_node(t));
		if (take(t, "right", &g->u[0]) || take(t, "left", &g->u[w + 1]))
			return PD_ERROR;
		for (j = 1; j <= w; j++)
			g->nx[j] = 2.0 * g->u[j] - g->p[j] + 0.5 * (g->u[j - 1] - 2.0 * g->u[j] + g->u[j + 1]);
		tmp = g->p;
		g->p = g->u;
		g->u = g->nx;
		g->nx = tmp;
	}
	return PD_OK;
}

static int wave_result(pd_task *t, pd_out *out)
{
	struct seg *g = pd_task_data(t);
	long j;

	for (j = 1; j <= g->w; j++)
		pd_printf(out, "%s%ld %.17g", j > 1 ? "\n" : "", g->i0 - 1 + j, g->u[j]);
	pd_task_set_data(t, NULL);
	seg_free(g);
	return PD_OK;
}

PD_TASK(wave, wave_init, wave_start, wave_result);
