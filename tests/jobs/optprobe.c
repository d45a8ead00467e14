/*
 * optprobe.c - fitness functions that check pd-opt from the inside.
 *
 * fenced:   (x - 5)^2 summed, least outside the box [-1, 1]^dim, so a search
 *           presses on the box's wall; it aborts (the run fails) if pd-opt
 *           ever asks for a point outside [-1, 1].
 * nanny:    the sphere, but NaN where x[0] > 0.5 and +inf where x[0] < -0.5:
 *           pd-opt must rank those worst, count them and still converge.
 * crashy:   segfaults at every point: the run must fail with exit 1.
 * slowsq:   the sphere after sleeping 10 ms: for speed-up measurements.
 * slow1:    the sphere after sleeping 1 ms: for the scaling curve
 *           (tests/bench/scale.sh).
 * twofail:  aborts at x[0] = 0.25 after 300 ms, and at once where
 *           x[0] > 0.75; the sphere elsewhere: started at --x0 0.25,...,
 *           the first point fails last, and must still be the one named.
 * walls, slope, noisy: below.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <playdoh.h>

PD_FITNESS(fenced)
{
	double s = 0;
	int i;

	for (i = 0; i < dim; i++) {
		if (!(x[i] >= -1 && x[i] <= 1))
			abort();
		s += (x[i] - 5) * (x[i] - 5);
	}
	return s;
}

PD_FITNESS(nanny)
{
	double s = 0;
	int i;

	if (x[0] > 0.5)
		return NAN;
	if (x[0] < -0.5)
		return INFINITY;
	for (i = 0; i < dim; i++)
		s += x[i] * x[i];
	return s;
}

PD_FITNESS(crashy)
{
	(void)x;
	(void)dim;
	raise(SIGSEGV);
	return 0;
}

/* The sphere after sleeping `ns` nanoseconds. */
static double slow_sphere(long ns, const double *x, int dim)
{
	struct timespec ts = {0, ns};
	double s = 0;
	int i;

	nanosleep(&ts, NULL);
	for (i = 0; i < dim; i++)
		s += x[i] * x[i];
	return s;
}

PD_FITNESS(slowsq)
{
	return slow_sphere(10000000, x, dim);
}

PD_FITNESS(slow1)
{
	return slow_sphere(1000000, x, dim);
}

PD_FITNESS(twofail)
{
	struct timespec ts = {0, 300000000};

	if (x[0] == 0.25) {
		nanosleep(&ts, NULL);
		abort();
	}
	if (x[0] > 0.75)
		abort();
	return slow_sphere(0, x, dim);
}

/* The target of coordinate i of walls: beyond the upper wall, beyond the
 * lower wall, or inside, in turn. */
static double wall_target(int i) { return i % 3 == 0 ? 5 : i % 3 == 1 ? -5 : 0.3; }

/*
 * walls:    sum of (x_i - t_i)^2 with t_i = 5, -5, 0.3 in turn: least at
 *           x_i = 1, -1, 0.3 in the box [-1, 1]^dim; aborts outside it.
 */
PD_FITNESS(walls)
{
	double s = 0;
	int i;

	for (i = 0; i < dim; i++) {
		if (!(x[i] >= -1 && x[i] <= 1))
			abort();
		s += (x[i] - wall_target(i)) * (x[i] - wall_target(i));
	}
	return s;
}

/*
 * slope:    the linear function sum of x_i (i even) and -x_i (i odd):
 *           least at the corner x_i = -1, 1, -1, ... of [-1, 1]^dim.
 */
PD_FITNESS(slope)
{
	double s = 0;
	int i;

	for (i = 0; i < dim; i++) {
		if (!(x[i] >= -1 && x[i] <= 1))
			abort();
		s += i % 2 ? -x[i] : x[i];
	}
	return s;
}

/*
 * noisy:    the sphere plus 0.01 times a standard normal deviate drawn
 *           from the point's bits: the same point gives the same value
 *           (on every host), a point moved by one ulp another.
 */
PD_FITNESS(noisy)
{
	unsigned long long h = 0x243f6a8885a308d3ULL, u, z;
	double s = 0, a, b;
	int i;

	for (i = 0; i < dim; i++) {
		s += x[i] * x[i];
		memcpy(&u, &x[i], sizeof u);
		h = (h ^ u) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	z = h * 0xbf58476d1ce4e5b9ULL;
	a = ((z >> 11) + 0.5) * 0x1.0p-53;
	z = (z ^ (z >> 31)) * 0x94d049bb133111ebULL;
	b = ((z >> 11) + 0.5) * 0x1.0p-53;
	return s + 0.01 * sqrt(-2 * log(a)) * cos(6.283185307179586 * b);
}
