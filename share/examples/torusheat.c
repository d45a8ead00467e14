/*
 * torusheat.c - the heat equation on a periodic square as a pd-task task
 * on a 2-D torus of nodes (-t torus:RxC): every node swaps its edge rows
 * and columns with its four neighbours at every step.
 *
 * Solves du/dt = u_xx + u_yy on [-1,1)^2, periodic in x and y, from
 * u(0; x, y) = exp(-50 (x^2 + y^2)), by explicit Euler finite
 * differences on G x G points:
 *
 *	point (row r, column c), 0 <= r, c <= G-1, is at
 *	x = -1.0 + 2.0 * c / G, y = -1.0 + 2.0 * r / G (as doubles, in that
 *	order), u = exp(-50.0 * (x * x + y * y)); then STEPS times, for
 *	every point, from the previous step's values:
 *
 *		X' = X + 0.2 * (L + R + T + B - 4.0 * X)
 *
 *	with L, R the points at columns c-1, c+1 and T, B at rows r-1, r+1,
 *	all modulo G, evaluated exactly in that order, left to right
 *	(0.2 is dt / dx^2).
 *
 * The result is therefore bit for bit that of a serial solver of the same
 * formulas, whatever the shape of the torus of nodes.
 *
 * Arguments: "G STEPS ROWS COLS", the same line for every node (--args):
 * ROWS x COLS is the torus of nodes (-t torus:ROWSxCOLS), G >= ROWS and
 * G >= COLS, G <= 4096, 0 <= STEPS <= 2^31-1.
 *
 * Decomposition: node i is at row pr = i / COLS and column pc = i % COLS
 * of the torus and owns the rows [pr G / ROWS, (pr+1) G / ROWS) and the
 * columns [pc G / COLS, (pc+1) G / COLS) of the grid, plus a ghost row or
 * column on each side.  At every step it pushes its first row on tube
 * "up", its last on "down", its first column on "left" and its last on
 * "right"; then it pops its top ghost row from "down" (what the node above
 * sent downwards), its bottom one from "up", its left ghost column from
 * "right" and its right one from "left".  Rows and columns travel as
 * native doubles.  On a torus of one row or column the tubes of that
 * direction lead back to the node itself, which is what periodicity needs.
 *
 * Result of a node: one line "r c u" per owned point, row by row, u with
 * %.17g; sort the whole output to compare it with a serial run.
 *
 *	cc -std=c11 -shared -fPIC -O2 -I/path/to/playdoh/include torusheat.c -o torusheat.so -lm
 *	pd-task -t torus:2x2 --args '32 50 2 2' torusheat.so | sort -n -k1,1 -k2,2 >u.txt
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <playdoh.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define G_MAX 4096L

/* A node's block: local (i, j), 0 <= i <= h+1, 0 <= j <= w+1, is global
 * row r0 - 1 + i, column c0 - 1 + j; the outer ring holds the ghosts. */
struct block {
	long g, steps, r0, c0, h, w;
	double *u, *v, *buf; /* u, v: (h+2) x (w+2), row-major; buf: a column */
};

#define AT(b, a, i, j) ((a)[(i) * ((b)->w + 2) + (j)])

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

static void block_free(struct block *b)
{
	if (b) {
		free(b->u);
		free(b->v);
		free(b->buf);
		free(b);
	}
}

static int th_init(pd_task *t, const char *args)
{
	const char *s = args;
	long g, steps, rows, cols, i = pd_node(t), pr, pc, r, c;
	struct block *b;
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_long(&s, 1, G_MAX, &g) || parse_long(&s, 0, 2147483647L, &steps) ||
	    parse_long(&s, 1, G_MAX, &rows) || parse_long(&s, 1, G_MAX, &cols) || *s)
		return pd_task_error(t, "torusheat: bad arguments \"%s\": \"G STEPS ROWS COLS\"", args);
	if (rows * cols != pd_nodes(t) || g < rows || g < cols)
		return pd_task_error(t, "torusheat: %ld x %ld nodes and G = %ld for a task of %d nodes: "
				     "run it with -t torus:%ldx%ld, G at least %ld", rows, cols, g, pd_nodes(t),
				     rows, cols, rows > cols ? rows : cols);
	if (!(b = calloc(1, sizeof *b)))
		return pd_task_error(t, "torusheat: out of memory");
	pr = i / cols;
	pc = i % cols;
	b->g = g;
	b->steps = steps;
	b->r0 = pr * g / rows;
	b->h = (pr + 1) * g / rows - b->r0;
	b->c0 = pc * g / cols;
	b->w = (pc + 1) * g / cols - b->c0;
	n = (size_t)(b->h + 2) * (size_t)(b->w + 2);
	b->u = calloc(n, sizeof *b->u);
	b->v = calloc(n, sizeof *b->v);
	b->buf = calloc((size_t)b->h, sizeof *b->buf);
	if (!b->u || !b->v || !b->buf) {
		block_free(b);
		return pd_task_error(t, "torusheat: out of memory for %zu points", n);
	}
	for (r = 1; r <= b->h; r++)
		for (c = 1; c <= b->w; c++) {
			double x = -1.0 + 2.0 * (double)(b->c0 - 1 + c) / (double)g;
			double y = -1.0 + 2.0 * (double)(b->r0 - 1 + r) / (double)g;

			AT(b, b->u, r, c) = exp(-50.0 * (x * x + y * y));
		}
	pd_task_set_data(t, b);
	return PD_OK;
}

/* Push local column j (rows 1..h) on tube. */
static int push_col(pd_task *t, struct block *b, long j, const char *tube)
{
	long r;

	for (r = 1; r <= b->h; r++)
		b->buf[r - 1] = AT(b, b->u, r, j);
	return pd_push(t, tube, b->buf, (size_t)b->h * sizeof *b->buf);
}

/* Pop n doubles from tube into dst (stride apart). */
static int take(pd_task *t, const char *tube, double *dst, long n, long stride)
{
	size_t len;
	const double *m = pd_pop(t, tube, &len);
	double x;
	long k;

	if (!m || len != (size_t)n * sizeof x)
		return pd_task_error(t, "torusheat: node %d: %s on tube '%s'", pd_node(t),
				     m ? "a message of the wrong size" : "nothing more", tube);
	for (k = 0; k < n; k++) {
		memcpy(&x, (const char *)m + k * sizeof x, sizeof x);
		dst[k * stride] = x;
	}
	return PD_OK;
}

/* Send the block's edges to the four neighbours, fill its ghosts. */
static int exchange(pd_task *t, struct block *b)
{
	size_t row = (size_t)b->w * sizeof(double);
	long s = b->w + 2;

	if (pd_push(t, "up", &AT(b, b->u, 1, 1), row) || pd_push(t, "down", &AT(b, b->u, b->h, 1), row) ||
	    push_col(t, b, 1, "left") || push_col(t, b, b->w, "right"))
		return pd_task_error(t, "torusheat: node %d: cannot push", pd_node(t));
	if (take(t, "down", &AT(b, b->u, 0, 1), b->w, 1) || take(t, "up", &AT(b, b->u, b->h + 1, 1), b->w, 1) ||
	    take(t, "right", &AT(b, b->u, 1, 0), b->h, s) || take(t, "left", &AT(b, b->u, 1, b->w + 1), b->h, s))
		return PD_ERROR;
	return PD_OK;
}

static int th_start(pd_task *t)
{
	static const char *need[4] = {"right", "left", "down", "up"};
	struct block *b = pd_task_data(t);
	long st, r, c;
	double *tmp;
	int k;

	for (k = 0; k < 4; k++)
		if (!pd_has_tube_in(t, need[k]) || !pd_has_tube_out(t, need[k]))
			return pd_task_error(t, "torusheat: node %d has no tube '%s' both ways: run it with -t torus:RxC",
					     pd_node(t), need[k]);
	for (st = 0; st < b->steps; st++) {
		if (exchange(t, b))
			return PD_ERROR;
		for (r = 1; r <= b->h; r++)
			for (c = 1; c <= b->w; c++) {
				double x = AT(b, b->u, r, c);

				AT(b, b->v, r, c) = x + 0.2 * (AT(b, b->u, r, c - 1) + AT(b, b->u, r, c + 1) +
							       AT(b, b->u, r - 1, c) + AT(b, b->u, r + 1, c) - 4.0 * x);
			}
		tmp = b->u;
		b->u = b->v;
		b->v = tmp;
	}
	return PD_OK;
}

static int th_result(pd_task *t, pd_out *out)
{
	struct block *b = pd_task_data(t);
	long r, c;

	for (r = 1; r <= b->h; r++)
		for (c = 1; c <= b->w; c++)
			pd_printf(out, "%s%ld %ld %.17g", r + c > 2 ? "\n" : "", b->r0 - 1 + r, b->c0 - 1 + c,
				  AT(b, b->u, r, c));
	pd_task_set_data(t, NULL);
	block_free(b);
	return PD_OK;
}

PD_TASK(torusheat, th_init, th_start, th_result);
