/*
 * heat_serial.c - the independent reference for share/examples/heat.c:
 * the same explicit Euler solver of the heat equation on [-1,1]^2 with
 * u = 0 on the border, on the whole grid at once (no bands, no tubes).
 *
 *	cc -std=c11 -Wall -Wextra -O2 heat_serial.c -o heat_serial -lm
 *	heat_serial G STEPS
 *
 * Grid of G x G points u[row][col], border included, spacing
 * dx = 2.0 / (G - 1), dx2 = dx * dx, time step dt = 0.2 * dx2; the point
 * (row, col) is at x = -1.0 + col * dx, y = -1.0 + row * dx.  Initially
 * u = exp(-50.0 * (x * x + y * y)) off the border and 0 on it; each step
 * computes every inside point from the previous step's grid as
 *
 *	new = u + dt * (left + right + top + bottom - 4.0 * u) / dx2
 *
 * (left/right: columns col-1/col+1; top/bottom: rows row-1/row+1), and
 * the border stays 0.  Output: for each inside column c = 1 .. G-2, the
 * line "c v_1 ... v_{G-2}", the values of rows 1 .. G-2 with %.17g.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static long arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "heat_serial: %s must be an integer in %ld..%ld, got '%s'\n", what, lo, hi, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long g, steps, row, col, s;
	double dx, dx2, dt, *u, *next, *swap;

	if (argc != 3) {
		fputs("usage: heat_serial G STEPS\n", stderr);
		return 2;
	}
	g = arg(argv[1], 3, 65536, "G");
	steps = arg(argv[2], 0, 2147483647L, "STEPS");
	dx = 2.0 / (double)(g - 1);
	dx2 = dx * dx;
	dt = 0.2 * dx2;
	/* Row-major: u[row * g + col]. */
	u = calloc((size_t)g * (size_t)g, sizeof *u);
	next = calloc((size_t)g * (size_t)g, sizeof *next);
	if (!u || !next) {
		fputs("heat_serial: out of memory\n", stderr);
		return 1;
	}
	for (row = 1; row < g - 1; row++) {
		double y = -1.0 + (double)row * dx;

		for (col = 1; col < g - 1; col++) {
			double x = -1.0 + (double)col * dx;

			u[row * g + col] = exp(-50.0 * (x * x + y * y));
		}
	}
	for (s = 0; s < steps; s++) {
		for (row = 1; row < g - 1; row++) {
			for (col = 1; col < g - 1; col++) {
				long p = row * g + col;
				double left = u[p - 1], right = u[p + 1];
				double top = u[p - g], bottom = u[p + g];

				next[p] = u[p] + dt * (left + right + top + bottom - 4.0 * u[p]) / dx2;
			}
		}
		swap = u;
		u = next;
		next = swap;
	}
	for (col = 1; col < g - 1; col++) {
		printf("%ld", col);
		for (row = 1; row < g - 1; row++)
			printf(" %.17g", u[row * g + col]);
		putchar('\n');
	}
	free(u);
	free(next);
	return fflush(stdout) ? 1 : 0;
}
