/*
 * heat.c - the paper's heat-equation solver as a pd-task task: nodes
 * that talk to their neighbours through tubes at every step.
 *
 * Solves du/dt = u_xx + u_yy on the square [-1,1]^2 with u = 0 on the
 * border (Dirichlet), from u(0; x, y) = exp(-50 (x^2 + y^2)), by explicit
 * Euler finite differences on a grid of G x G points, border included:
 *
 *	point (row r, column c), 0 <= r, c <= G-1, is at
 *	x = -1.0 + c * dx, y = -1.0 + r * dx, dx = 2.0 / (G - 1)
 *	dx2 = dx * dx, dt = 0.2 * dx2
 *	u = exp(-50.0 * (x * x + y * y)) inside, 0 on the border (r or c
 *	is 0 or G-1), and then STEPS times, for every inside point,
 *	from the previous step's values X (a second buffer):
 *
 *		X' = X + dt * (L + R + T + B - 4.0 * X) / dx2
 *
 *	with L, R the points at columns c-1, c+1 and T, B at rows r-1,
 *	r+1, evaluated exactly in that order, left to right.
 *
 * The result is therefore bit for bit that of the serial solver
 * tests/jobs/heat_serial.c, whatever the number of nodes.
 *
 * Arguments: "G STEPS", the same line for every node (--args): decimal
 * integers, 3 <= G <= 65536, 0 <= STEPS <= 2^31-1, with G - 2 >= the
 * number of nodes.
 *
 * Decomposition into vertical bands: the M = G-2 inside columns 1..G-2
 * are split as evenly as possible over the k nodes, in order: node i owns
 * columns [c0, c1) with
 *
 *	c0 = 1 + floor(i * M / k), c1 = 1 + floor((i + 1) * M / k)
 *
 * (every node owns floor(M/k) or ceil(M/k) columns).  It also keeps a
 * ghost column on each side, c0-1 and c1.  At every step, like the paper,
 * it sends its first owned column through tube "left" and its last
 * through "right", then takes the column that arrives on tube "right"
 * (node i-1's last) into its left ghost and the one on tube "left" (node
 * i+1's first) into its right ghost, and updates its own columns.  A
 * column travels as the G-2 inside values (rows 1..G-2) as native
 * doubles.  Node 0's left ghost and node k-1's right ghost are the
 * border, which stays 0.  This needs the double linear topology
 * (-t line: "right" from i to i+1, "left" from i+1 to i); with one node
 * there are no tubes and it solves the whole grid.
 *
 * Result of a node: one line per owned column c, in order,
 *
 *	c v_1 v_2 ... v_{G-2}
 *
 * the values at rows 1..G-2 of column c, printed with %.17g.  pd-task
 * prints node 0's lines, then node 1's, ..., so the whole output lists
 * columns 1..G-2 in order, one line each.
 *
 *	cc -std=c11 -shared -fPIC -O2 -I/path/to/playdoh/include heat.c -o heat.so -lm
 *	pd-task -n 4 -t line --args '40 60' heat.so >u.txt
 *
 * (add --oversubscribe to run more nodes than there are CPUs; every
 * line of stdin may carry "G STEPS" instead of --args).
 *
 * (-std=c11, or -ffp-contract=off, keeps GCC from fusing multiplications
 * and additions into fma instructions, which would change the last bits.)
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <playdoh.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define G_MAX 65536
#define STEPS_MAX 2147483647LL

/* A node's band.  Local column j (0 .. w+1) is global column c0 - 1 + j;
 * j = 0 and j = w + 1 are the ghosts.  Columns are stored one after the
 * other, G values each (rows 0..G-1): value (r, j) is a[j * G + r]. */
struct band {
	int node, nodes;
	long g, steps;
	long c0, c1, w; /* owned global columns [c0, c1), w = c1 - c0 */
	double dx, dx2, dt;
	double *cur, *nxt;
	int left, right; /* has a neighbour on that side */
};

/* Parse a decimal integer within lo..hi at *p (after blanks), moving *p
 * past it; 0, or -1 when there is none or it is out of range. */
static int parse_int(const char **p, long long lo, long long hi, long long *v)
{
	const char *s = *p;
	long long x = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		x = x * 10 + (*s - '0');
		if (x > hi)
			return -1;
	}
	if (x < lo || (*s && !isspace((unsigned char)*s)))
		return -1;
	*p = s;
	*v = x;
	return 0;
}

static void band_free(struct band *b)
{
	if (b) {
		free(b->cur);
		free(b->nxt);
		free(b);
	}
}

static int heat_init(pd_task *t, const char *args)
{
	const char *a = args ? args : "", *p = a;
	long long g, steps, m, k, i;
	struct band *b;
	size_t n;
	long j, r;

	if (parse_int(&p, 3, G_MAX, &g))
		return pd_task_error(t, "heat: bad G in \"%s\": args are \"G STEPS\", 3 <= G <= %d", a, G_MAX);
	if (parse_int(&p, 0, STEPS_MAX, &steps))
		return pd_task_error(t, "heat: bad STEPS in \"%s\": args are \"G STEPS\", 0 <= STEPS <= %lld", a, STEPS_MAX);
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return pd_task_error(t, "heat: extra text after STEPS in \"%s\": args are \"G STEPS\"", a);
	k = pd_nodes(t);
	i = pd_node(t);
	m = g - 2;
	if (m < k)
		return pd_task_error(t, "heat: G = %lld gives %lld inside columns, fewer than the %lld nodes", g, m, k);

	b = calloc(1, sizeof *b);
	if (!b)
		return pd_task_error(t, "heat: out of memory");
	b->node = (int)i;
	b->nodes = (int)k;
	b->g = (long)g;
	b->steps = (long)steps;
	b->c0 = (long)(1 + i * m / k);
	b->c1 = (long)(1 + (i + 1) * m / k);
	b->w = b->c1 - b->c0;
	b->left = i > 0;
	b->right = i < k - 1;
	b->dx = 2.0 / (double)(g - 1);
	b->dx2 = b->dx * b->dx;
	b->dt = 0.2 * b->dx2;

	n = (size_t)(b->w + 2) * (size_t)g;
	b->cur = calloc(n, sizeof(double));
	b->nxt = calloc(n, sizeof(double));
	if (!b->cur || !b->nxt) {
		band_free(b);
		return pd_task_error(t, "heat: out of memory for 2 x %zu points", n);
	}
	/* The initial condition on the owned columns; the ghosts are filled
	 * by the first exchange, or stay 0 on the border. */
	for (j = 1; j <= b->w; j++) {
		long c = b->c0 - 1 + j;
		double x = -1.0 + (double)c * b->dx;

		for (r = 1; r < b->g - 1; r++) {
			double y = -1.0 + (double)r * b->dx;

			b->cur[j * b->g + r] = exp(-50.0 * (x * x + y * y));
		}
	}
	pd_task_set_data(t, b);
	return PD_OK;
}

/* Take the next column from tube `tube` into local column j. */
static int take(pd_task *t, struct band *b, const char *tube, long j)
{
	size_t len, want = (size_t)(b->g - 2) * sizeof(double);
	const void *m = pd_pop(t, tube, &len);

	if (!m)
		return pd_task_error(t, "heat: node %d: nothing more on tube '%s' (its sender is gone)", b->node, tube);
	if (len != want)
		return pd_task_error(t, "heat: node %d: %zu bytes on tube '%s', expected %zu", b->node, len, tube, want);
	memcpy(&b->cur[j * b->g + 1], m, want);
	return PD_OK;
}

static int heat_start(pd_task *t)
{
	struct band *b = pd_task_data(t);
	const long g = b->g, w = b->w;
	const size_t col = (size_t)(g - 2) * sizeof(double);
	const double dt = b->dt, dx2 = b->dx2;
	long s, j, r;

	if (b->left && !(pd_has_tube_out(t, "left") && pd_has_tube_in(t, "right")))
		return pd_task_error(t, "heat: node %d has no tubes to node %d: run it with -t line", b->node, b->node - 1);
	if (b->right && !(pd_has_tube_out(t, "right") && pd_has_tube_in(t, "left")))
		return pd_task_error(t, "heat: node %d has no tubes to node %d: run it with -t line", b->node, b->node + 1);

	for (s = 0; s < b->steps; s++) {
		double *u, *v;

		/* Send the boundaries of the band, then receive the ghosts. */
		if (b->left && pd_push(t, "left", &b->cur[1 * g + 1], col))
			return pd_task_error(t, "heat: node %d: cannot push to tube 'left'", b->node);
		if (b->right && pd_push(t, "right", &b->cur[w * g + 1], col))
			return pd_task_error(t, "heat: node %d: cannot push to tube 'right'", b->node);
		if (b->right && take(t, b, "left", w + 1))
			return PD_ERROR;
		if (b->left && take(t, b, "right", 0))
			return PD_ERROR;

		/* One Euler step of the owned inside points. */
		u = b->cur;
		v = b->nxt;
		for (j = 1; j <= w; j++) {
			const double *L = u + (j - 1) * g, *X = u + j * g, *R = u + (j + 1) * g;
			double *Y = v + j * g;

			for (r = 1; r < g - 1; r++)
				Y[r] = X[r] + dt * (L[r] + R[r] + X[r - 1] + X[r + 1] - 4.0 * X[r]) / dx2;
		}
		b->cur = v;
		b->nxt = u;
	}
	return PD_OK;
}

static int heat_result(pd_task *t, pd_out *out)
{
	struct band *b = pd_task_data(t);
	long j, r;

	for (j = 1; j <= b->w; j++) {
		pd_printf(out, "%s%ld", j > 1 ? "\n" : "", b->c0 - 1 + j);
		for (r = 1; r < b->g - 1; r++)
			pd_printf(out, " %.17g", b->cur[j * b->g + r]);
	}
	pd_task_set_data(t, NULL);
	band_free(b);
	return PD_OK;
}

PD_TASK(heat, heat_init, heat_start, heat_result);
