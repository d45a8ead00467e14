/*
 * throughput.c - tube throughput of large messages, a pd-task task for
 * tests/bench/run.sh (not installed).
 *
 *	cc -std=c11 -shared -fPIC -O2 -Ilib tests/bench/throughput.c -o throughput.so
 *	pd-task -n 2 -t ring --args "SIZE K WARMUP" throughput.so
 *
 * Two nodes on a ring (tube "next" both ways).  Node 0 pushes WARMUP
 * messages of SIZE bytes and waits for node 1's 8-byte acknowledgement,
 * then takes the time, pushes K messages of SIZE bytes and waits for the
 * acknowledgement that node 1 pushes back after popping and checking the
 * last of them.  The figure is node 0's: K * SIZE bytes over the time
 * from its first timed push to the arrival of that acknowledgement (one
 * 8-byte message, a round trip's worth of latency, is included).
 *
 * Check: every message is SIZE bytes, holds its number in its first and
 * last 8 bytes and a fixed pattern elsewhere; node 1 checks the length,
 * both numbers and 64 pattern bytes spread over the message (a cheap
 * checksum: it does not read the whole message, as a TCP or MPI receiver
 * does not either), so lost, reordered, truncated or mixed-up messages
 * fail the node rather than give a figure.
 *
 * Results:
 *	node 0	"gbps GB_PER_S BYTES SECONDS K"	(GB = 10^9 bytes)
 *	node 1	"received COUNT SIZE ok"		(COUNT = WARMUP + K)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playdoh.h"

#define SAMPLES 64

struct tp {
	size_t size;
	long k, warm;
	char result[160];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char pattern(size_t j) { return (unsigned char)(j * 131 + 7); }

static int tp_init(pd_task *t, const char *args)
{
	struct tp *p;
	unsigned long long size;

	if (pd_nodes(t) != 2)
		return pd_task_error(t, "throughput runs on 2 nodes (-n 2 -t ring), not %d", pd_nodes(t));
	if (!pd_has_tube_out(t, "next") || !pd_has_tube_in(t, "next"))
		return pd_task_error(t, "throughput needs tube 'next' both ways (-t ring)");
	p = calloc(1, sizeof *p);
	if (!p)
		return pd_task_error(t, "out of memory");
	pd_task_set_data(t, p);
	if (sscanf(args, "%llu %ld %ld", &size, &p->k, &p->warm) != 3 || size < 16 || p->k < 1 || p->warm < 0)
		return pd_task_error(t, "arguments: 'SIZE K WARMUP' (SIZE >= 16, K >= 1), not '%s'", args);
	p->size = (size_t)size;
	return PD_OK;
}

/* Pop the 8-byte acknowledgement holding `want`. */
static int pop_ack(pd_task *t, uint64_t want)
{
	const void *m;
	uint64_t v;
	size_t len;

	if (!(m = pd_pop(t, "next", &len)))
		return PD_ERROR;
	if (len != sizeof v)
		return pd_task_error(t, "acknowledgement of %zu bytes, wanted 8", len);
	memcpy(&v, m, sizeof v);
	if (v != want)
		return pd_task_error(t, "acknowledgement %llu, wanted %llu",
				     (unsigned long long)v, (unsigned long long)want);
	return PD_OK;
}

static int sender(pd_task *t, struct tp *p)
{
	unsigned char *b = malloc(p->size);
	double t0 = 0, dt;
	uint64_t i, total = (uint64_t)(p->warm + p->k);
	size_t j;

	if (!b)
		return pd_task_error(t, "out of memory for %zu bytes", p->size);
	for (j = 0; j < p->size; j++)
		b[j] = pattern(j);
	for (i = 0; i < total; i++) {
		if (i == (uint64_t)p->warm) {
			if (p->warm && pop_ack(t, i) != PD_OK)
				return free(b), PD_ERROR;
			t0 = now_s();
		}
		memcpy(b, &i, sizeof i);
		memcpy(b + p->size - sizeof i, &i, sizeof i);
		if (pd_push(t, "next", b, p->size) != PD_OK)
			return free(b), PD_ERROR;
	}
	if (pop_ack(t, total) != PD_OK)
		return free(b), PD_ERROR;
	dt = now_s() - t0;
	free(b);
	snprintf(p->result, sizeof p->result, "gbps %.3f %.0f %.6f %ld",
		 (double)p->size * (double)p->k / dt / 1e9, (double)p->size * (double)p->k, dt, p->k);
	return PD_OK;
}

static int receiver(pd_task *t, struct tp *p)
{
	uint64_t i, v, total = (uint64_t)(p->warm + p->k);
	const unsigned char *m;
	size_t len, j, s;

	for (i = 0; i < total; i++) {
		if (!(m = pd_pop(t, "next", &len)))
			return PD_ERROR;
		if (len != p->size)
			return pd_task_error(t, "message %llu: %zu bytes, wanted %zu", (unsigned long long)i, len, p->size);
		memcpy(&v, m, sizeof v);
		if (v != i)
			return pd_task_error(t, "message %llu holds number %llu at its start",
					     (unsigned long long)i, (unsigned long long)v);
		memcpy(&v, m + len - sizeof v, sizeof v);
		if (v != i)
			return pd_task_error(t, "message %llu holds number %llu at its end",
					     (unsigned long long)i, (unsigned long long)v);
		for (s = 0; s < SAMPLES; s++) {
			j = 8 + (len - 16) / SAMPLES * s + s % 7;
			if (j >= len - 8)
				continue;
			if (m[j] != pattern(j))
				return pd_task_error(t, "message %llu: byte %zu is %u, wanted %u",
						     (unsigned long long)i, j, m[j], pattern(j));
		}
		if ((i + 1 == (uint64_t)p->warm || i + 1 == total) &&
		    pd_push(t, "next", &(uint64_t){i + 1}, sizeof(uint64_t)) != PD_OK)
			return PD_ERROR;
	}
	snprintf(p->result, sizeof p->result, "received %llu %zu ok", (unsigned long long)total, p->size);
	return PD_OK;
}

static int tp_start(pd_task *t)
{
	struct tp *p = pd_task_data(t);

	return pd_node(t) == 0 ? sender(t, p) : receiver(t, p);
}

static int tp_result(pd_task *t, pd_out *out)
{
	struct tp *p = pd_task_data(t);
	int rc = pd_printf(out, "%s", p ? p->result : "");

	free(p);
	return rc;
}

PD_TASK(throughput, tp_init, tp_start, tp_result);
