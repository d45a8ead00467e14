/*
 * tubes.c - a task for the tube tests (tests/pd-task-tubes.bats); two
 * nodes on -t ring, each node's argument line says what it does:
 *	send FILE SIZE	push FILE's bytes on "next" in messages of SIZE bytes
 *			(the last shorter), then an empty message; result
 *			"sent BYTES in MSGS"
 *	recv FILE	pop from "next" until an empty message, writing every
 *			message's bytes to FILE; result "received BYTES in MSGS"
 *	later MS	sleep MS milliseconds, then push "x" on "next"; result "pushed"
 *	idle		pop one message from "next"; result "waited MS cpu_ms C",
 *			C the CPU time (user + system, every thread) this node
 *			process has used from its start to the pop's return
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "playdoh.h"

struct tubes {
	char cmd[16], file[4096];
	long size;
	char result[128];
};

static int tb_init(pd_task *t, const char *args)
{
	struct tubes *p = calloc(1, sizeof *p);

	if (!p)
		return pd_task_error(t, "out of memory");
	pd_task_set_data(t, p);
	if (sscanf(args, "%15s %4095s %ld", p->cmd, p->file, &p->size) < 1)
		return pd_task_error(t, "no command in '%s'", args);
	return PD_OK;
}

/* Milliseconds on the monotonic clock. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Push FILE in messages of p->size bytes, then an empty one. */
static int do_send(pd_task *t, struct tubes *p)
{
	FILE *f = fopen(p->file, "rb");
	char *buf = p->size > 0 ? malloc((size_t)p->size) : NULL;
	long long total = 0, msgs = 0;
	size_t n;
	int rc = PD_OK;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return pd_task_error(t, "send: cannot open %s or allocate %ld bytes", p->file, p->size);
	}
	while (rc == PD_OK && (n = fread(buf, 1, (size_t)p->size, f)) > 0) {
		rc = pd_push(t, "next", buf, n);
		total += (long long)n;
		msgs++;
	}
	fclose(f);
	free(buf);
	if (rc == PD_OK)
		rc = pd_push(t, "next", "", 0);
	snprintf(p->result, sizeof p->result, "sent %lld in %lld", total, msgs);
	return rc;
}

/* Pop until an empty message, writing every message to FILE. */
static int do_recv(pd_task *t, struct tubes *p)
{
	FILE *f = fopen(p->file, "wb");
	long long total = 0, msgs = 0;
	const void *m;
	size_t len;

	if (!f)
		return pd_task_error(t, "recv: cannot create %s", p->file);
	while ((m = pd_pop(t, "next", &len)) && len > 0) {
		if (fwrite(m, 1, len, f) != len) {
			fclose(f);
			return pd_task_error(t, "recv: cannot write %s", p->file);
		}
		total += (long long)len;
		msgs++;
	}
	if (fclose(f) || !m) {
		if (m)
			return pd_task_error(t, "recv: cannot write %s", p->file);
		return PD_ERROR;
	}
	snprintf(p->result, sizeof p->result, "received %lld in %lld", total, msgs);
	return PD_OK;
}

/* Pop one message; say how long that took and the CPU used so far. */
static int do_idle(pd_task *t, struct tubes *p)
{
	double t0 = now_ms(), cpu;
	struct rusage ru;
	size_t len;

	if (!pd_pop(t, "next", &len))
		return PD_ERROR;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	snprintf(p->result, sizeof p->result, "waited %.0f cpu_ms %.0f", now_ms() - t0, cpu);
	return PD_OK;
}

static int tb_start(pd_task *t)
{
	struct tubes *p = pd_task_data(t);
	struct timespec ts;
	long ms = atol(p->file);

	if (!strcmp(p->cmd, "send"))
		return do_send(t, p);
	if (!strcmp(p->cmd, "recv"))
		return do_recv(t, p);
	if (!strcmp(p->cmd, "idle"))
		return do_idle(t, p);
	if (!strcmp(p->cmd, "later")) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000L;
		nanosleep(&ts, NULL);
		snprintf(p->result, sizeof p->result, "pushed");
		return pd_push(t, "next", "x", 1);
	}
	return pd_task_error(t, "unknown command '%s'", p->cmd);
}

static int tb_result(pd_task *t, pd_out *out)
{
	struct tubes *p = pd_task_data(t);

	pd_printf(out, "%s", p->result);
	free(p);
	return PD_OK;
}

PD_TASK(tubes, tb_init, tb_start, tb_result);
