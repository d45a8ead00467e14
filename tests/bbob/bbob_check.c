/*
 * bbob_check.c - checks and prints the BBOB functions of share/examples/bbob.
 *
 *	bbob-check opt DIM...	f(x_opt) = f_opt, and no lower value near
 *				x_opt, for f1-f24, instances 1-15
 *	bbob-check eval		"F INST DIM x1 ... xDIM" lines on stdin;
 *				prints f(x) with 17 digits, one a line
 *	bbob-check info F INST DIM	f_opt, then x_opt, one a line
 *
 * Exit 0 when every check holds, 1 when one fails (each named on
 * stderr), 64 on bad usage, 65 on a bad input line.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbob.h"

/* A strictly parsed int, or -1 after a message naming what. */
static int parse_int(const char *s, const char *what, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1000000 || v > 1000000) {
		fprintf(stderr, "bbob-check: bad %s: %s\n", what, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* A small deterministic generator for the probe directions. */
static double probe(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return ((double)(*s >> 11) / 9007199254740992.0) * 2 - 1;
}

/* f(x_opt) = f_opt to 1e-12 relative, and 20 probes at distance 1e-3
 * and 1e-6 none lower; the failures counted. */
static int check_opt(int fn, int inst, int dim)
{
	double x[BBOB_MAXDIM], y[BBOB_MAXDIM], fopt, fx, tol;
	unsigned long s = (unsigned long)(fn * 1000003 + inst * 101 + dim);
	int bad = 0, k, i;

	if (bbob_xopt(fn, inst, dim, x) < 0)
		return fprintf(stderr, "f%d i%d %dD: no x_opt\n", fn, inst, dim), 1;
	fopt = bbob_fopt(fn, inst, dim);
	fx = bbob_eval(fn, inst, x, dim);
	tol = 1e-12 * fmax(1.0, fabs(fopt));
	if (!(fabs(fx - fopt) <= tol)) {
		fprintf(stderr, "f%d i%d %dD: f(x_opt) = %.17g, f_opt = %.17g\n", fn, inst, dim, fx, fopt);
		bad++;
	}
	for (k = 0; k < 40; k++) {
		double r = k < 20 ? 1e-3 : 1e-6, fy;

		for (i = 0; i < dim; i++)
			y[i] = x[i] + r * probe(&s);
		fy = bbob_eval(fn, inst, y, dim);
		if (!(fy >= fopt - tol)) {
			fprintf(stderr, "f%d i%d %dD: f = %.17g below f_opt %.17g near x_opt\n", fn, inst,
				dim, fy, fopt);
			bad++;
			break;
		}
	}
	return bad;
}

/* Checks every function and instance 1-15 in the dimensions given. */
static int cmd_opt(int argc, char **argv)
{
	int bad = 0, n = 0, i, fn, inst, dim;

	for (i = 0; i < argc; i++) {
		char err[80];

		if (parse_int(argv[i], "dimension", &dim) < 0)
			return 64;
		if (bbob_check(1, 1, dim, err, (int)sizeof err) < 0)
			return fprintf(stderr, "bbob-check: %s\n", err), 64;
		for (fn = 1; fn <= BBOB_NFUNC; fn++)
			for (inst = 1; inst <= 15; inst++, n++)
				bad += check_opt(fn, inst, dim) != 0;
	}
	printf("%d problems checked, %d failed\n", n, bad);
	return bad ? 1 : 0;
}

/* Evaluates the points of stdin, one result a line. */
static int cmd_eval(void)
{
	char line[8192];
	long lineno = 0;

	while (fgets(line, sizeof line, stdin)) {
		double x[BBOB_MAXDIM];
		char *p = line, *end, err[80];
		long v[3];
		int i;

		lineno++;
		for (i = 0; i < 3; i++) {
			v[i] = strtol(p, &end, 10);
			if (end == p)
				goto bad;
			p = end;
		}
		if (bbob_check((int)v[0], (int)v[1], (int)v[2], err, (int)sizeof err) < 0) {
			fprintf(stderr, "bbob-check: line %ld: %s\n", lineno, err);
			return 65;
		}
		for (i = 0; i < v[2]; i++) {
			x[i] = strtod(p, &end);
			if (end == p)
				goto bad;
			p = end;
		}
		printf("%.17g\n", bbob_eval((int)v[0], (int)v[1], x, (int)v[2]));
	}
	return 0;
bad:
	fprintf(stderr, "bbob-check: line %ld: want F INST DIM and DIM numbers\n", lineno);
	return 65;
}

/* Prints f_opt and x_opt of one problem. */
static int cmd_info(char **argv)
{
	double x[BBOB_MAXDIM];
	char err[80];
	int fn, inst, dim, i;

	if (parse_int(argv[0], "function", &fn) < 0 || parse_int(argv[1], "instance", &inst) < 0 ||
	    parse_int(argv[2], "dimension", &dim) < 0)
		return 64;
	if (bbob_check(fn, inst, dim, err, (int)sizeof err) < 0)
		return fprintf(stderr, "bbob-check: %s\n", err), 64;
	printf("%.17g\n", bbob_fopt(fn, inst, dim));
	bbob_xopt(fn, inst, dim, x);
	for (i = 0; i < dim; i++)
		printf("%.17g\n", x[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "opt"))
		return cmd_opt(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "eval"))
		return cmd_eval();
	if (argc == 5 && !strcmp(argv[1], "info"))
		return cmd_info(argv + 2);
	fprintf(stderr, "usage: bbob-check opt DIM... | eval | info F INST DIM\n");
	return 64;
}
