/*
 * pingpong.c - tube round trip of 8-byte messages, a pd-task task for
 * tests/bench/run.sh (not installed).
 *
 *	cc -std=c11 -shared -fPIC -O2 -Ilib tests/bench/pingpong.c -o pingpong.so
 *	pd-task -n 2 -t ring --args "N WARMUP" pingpong.so
 *
 * Two nodes on a ring (tube "next" from 0 to 1 and from 1 to 0).  Node 0
 * pushes an 8-byte message, the round-trip's number, and pops the reply;
 * node 1 pops each message and pushes back its number plus one.  Both
 * check every message's length and number, so a lost, duplicated,
 * reordered or altered message fails the node instead of giving a figure.
 * WARMUP round trips are made first and not timed, then N are timed one
 * by one (CLOCK_MONOTONIC).
 *
 * Results:
 *	node 0	"rtt_us MEDIAN MEAN MIN MAX N"	(microseconds per round trip)
 *	node 1	"echoed COUNT"			(COUNT = WARMUP + N)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playdoh.h"
#include "benchtime.h"

struct pp {
	long n, warm;
	double *rtt;	  /* node 0: N round trips, ns */
	char result[160];
};

static int pp_init(pd_task *t, const char *args)
{
	struct pp *p;

	if (pd_nodes(t) != 2)
		return pd_task_error(t, "pingpong runs on 2 nodes (-n 2 -t ring), not %d", pd_nodes(t));
	if (!pd_has_tube_out(t, "next") || !pd_has_tube_in(t, "next"))
		return pd_task_error(t, "pingpong needs tube 'next' both ways (-t ring)");
	p = calloc(1, sizeof *p);
	if (!p)
		return pd_task_error(t, "out of memory");
	pd_task_set_data(t, p);
	if (sscanf(args, "%ld %ld", &p->n, &p->warm) != 2 || p->n < 1 || p->warm < 0)
		return pd_task_error(t, "arguments: 'N WARMUP' (N >= 1), not '%s'", args);
	if (pd_node(t) == 0 && !(p->rtt = malloc((size_t)p->n * sizeof *p->rtt)))
		return pd_task_error(t, "out of memory");
	return PD_OK;
}

/* Pop one 8-byte message from "next" and check that it holds `want`. */
static int pop_check(pd_task *t, uint64_t want)
{
	const void *m;
	uint64_t v;
	size_t len;

	if (!(m = pd_pop(t, "next", &len)))
		return PD_ERROR;
	if (len != sizeof v)
		return pd_task_error(t, "message of %zu bytes, wanted 8", len);
	memcpy(&v, m, sizeof v);
	if (v != want)
		return pd_task_error(t, "message holds %llu, wanted %llu",
				     (unsigned long long)v, (unsigned long long)want);
	return PD_OK;
}

static int pp_start(pd_task *t)
{
	struct pp *p = pd_task_data(t);
	long total = p->warm + p->n, i;
	double t0, sum = 0;
	uint64_t v;

	for (i = 0; i < total; i++) {
		if (pd_node(t) == 0) {
			v = 2 * (uint64_t)i;
			t0 = now_ns();
			if (pd_push(t, "next", &v, sizeof v) != PD_OK || pop_check(t, v + 1) != PD_OK)
				return PD_ERROR;
			if (i >= p->warm)
				p->rtt[i - p->warm] = now_ns() - t0;
		} else {
			if (pop_check(t, 2 * (uint64_t)i) != PD_OK)
				return PD_ERROR;
			v = 2 * (uint64_t)i + 1;
			if (pd_push(t, "next", &v, sizeof v) != PD_OK)
				return PD_ERROR;
		}
	}
	if (pd_node(t) == 0) {
		for (i = 0; i < p->n; i++)
			sum += p->rtt[i];
		qsort(p->rtt, (size_t)p->n, sizeof *p->rtt, cmp_dbl);
		snprintf(p->result, sizeof p->result, "rtt_us %.3f %.3f %.3f %.3f %ld",
			 (p->n % 2 ? p->rtt[p->n / 2] : (p->rtt[p->n / 2 - 1] + p->rtt[p->n / 2]) / 2) / 1e3,
			 sum / (double)p->n / 1e3, p->rtt[0] / 1e3, p->rtt[p->n - 1] / 1e3, p->n);
	} else
		snprintf(p->result, sizeof p->result, "echoed %ld", total);
	return PD_OK;
}

static int pp_result(pd_task *t, pd_out *out)
{
	struct pp *p = pd_task_data(t);
	int rc = pd_printf(out, "%s", p ? p->result : "");

	if (p) {
		free(p->rtt);
		free(p);
	}
	return rc;
}

PD_TASK(pingpong, pp_init, pp_start, pp_result);
