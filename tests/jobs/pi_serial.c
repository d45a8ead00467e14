/*
 * pi_serial.c - the independent reference for share/examples/pi.c: no
 * Playdoh, no tasks, the same points drawn one node after the other.
 *
 *	cc -std=c11 -Wall -Wextra -O2 pi_serial.c -o pi_serial -lm
 *	pi_serial N SEED NODES
 *
 * prints, for each node index i = 0 .. NODES-1, the line "COUNT N" that
 * node i of `pd-task -n NODES pi.so` with args "N SEED" must give.
 *
 * splitmix64 (Steele, Lea, Flood 2014; the generator of Java's
 * SplittableRandom), from its definition: the state s advances by the
 * odd constant gamma = 0x9E3779B97F4A7C15 (2^64 / golden ratio) and
 * each output is mix(s) with
 *	mix(z): z ^= z >> 30; z *= 0xBF58476D1CE4E5B9;
 *		z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31
 * Node i's stream starts from s = SEED * gamma + i (mod 2^64).  A
 * uniform double in [0, 1) is the output's top 53 bits over 2^53; a
 * point is (x, y) from two consecutive outputs, and it counts when
 * x*x + y*y <= 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static const uint64_t gamma_ = 0x9E3779B97F4A7C15u;

static uint64_t mix(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xBF58476D1CE4E5B9u;
	z ^= z >> 27;
	z *= 0x94D049BB133111EBu;
	z ^= z >> 31;
	return z;
}

/* A non-negative decimal number of 64 bits, or exit 2. */
static uint64_t arg(const char *s, const char *what)
{
	char *end;
	uintmax_t v;

	errno = 0;
	v = strtoumax(s, &end, 10);
	if (!*s || *s == '-' || *s == '+' || *end || errno || v > UINT64_MAX) {
		fprintf(stderr, "pi_serial: bad %s '%s'\n", what, s);
		exit(2);
	}
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	uint64_t n, seed, nodes, node;

	if (argc != 4) {
		fputs("usage: pi_serial N SEED NODES\n", stderr);
		return 2;
	}
	n = arg(argv[1], "N");
	seed = arg(argv[2], "SEED");
	nodes = arg(argv[3], "NODES");
	for (node = 0; node < nodes; node++) {
		uint64_t s = seed * gamma_ + node, inside = 0, k;

		for (k = 0; k < n; k++) {
			double x, y;

			s += gamma_;
			x = (double)(mix(s) >> 11) / 9007199254740992.0; /* 2^53 */
			s += gamma_;
			y = (double)(mix(s) >> 11) / 9007199254740992.0;
			if (x * x + y * y <= 1.0)
				inside++;
		}
		printf("%" PRIu64 " %" PRIu64 "\n", inside, n);
	}
	return fflush(stdout) ? 1 : 0;
}
