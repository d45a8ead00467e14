/*
 * probe.c - a task for pd-task's tests; each node's argument line says
 * what it does:
 *	echo TEXT	result TEXT
 *	crash		SIGSEGV in start
 *	fail		pd_task_error in start
 *	badinit		pd_task_error in init
 *	pop		pop one message from "next" (fails when there is none)
 *	push TEXT	push TEXT on "next", result "pushed"
 *	big N		push N bytes on "next", pop N bytes from "next" and check
 *			them, result "ok N"
 *	barrier K	K barriers in a row, result "passed K"
 *	sleep MS [FILE]	sleep MS milliseconds in start (creating FILE.NODE
 *			first, so that a test knows that node runs)
 *	tubes		result: this node's tubes, "in:a,b out:c"
 *	wired		push this node's number on every outgoing tube, pop
 *			every incoming one; result "NAME:SOURCE ..." for the
 *			incoming tubes, SOURCE being the number popped
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "playdoh.h"

struct probe {
	char cmd[16], arg[256];
	char result[512];
};

static int probe_init(pd_task *t, const char *args)
{
	struct probe *p = calloc(1, sizeof *p);

	if (!p)
		return pd_task_error(t, "out of memory");
	if (sscanf(args, "%15s %255[^\n]", p->cmd, p->arg) < 1)
		return pd_task_error(t, "no command in '%s'", args);
	pd_task_set_data(t, p);
	if (!strcmp(p->cmd, "badinit"))
		return pd_task_error(t, "init refused '%s'", args);
	return PD_OK;
}

/* big N: push N patterned bytes, then pop N and check the pattern. */
static int big(pd_task *t, struct probe *p)
{
	size_t n = strtoull(p->arg, NULL, 10), len, i;
	unsigned char *b = malloc(n ? n : 1);
	const unsigned char *got;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 131 + 7);
	if (pd_push(t, "next", b, n) != PD_OK)
		return free(b), PD_ERROR;
	got = pd_pop(t, "next", &len);
	if (!got || len != n || memcmp(got, b, n))
		return free(b), pd_task_error(t, "big: got %zu bytes, wanted %zu intact", got ? len : 0, n);
	free(b);
	snprintf(p->result, sizeof p->result, "ok %zu", n);
	return PD_OK;
}

/* The list of this node's tubes. */
static void tubes(pd_task *t, struct probe *p)
{
	int i, o = 0;

	o += snprintf(p->result + o, sizeof p->result - (size_t)o, "in:");
	for (i = 0; i < pd_tubes_in(t); i++)
		o += snprintf(p->result + o, sizeof p->result - (size_t)o, "%s%s", i ? "," : "", pd_tube_in(t, i));
	o += snprintf(p->result + o, sizeof p->result - (size_t)o, " out:");
	for (i = 0; i < pd_tubes_out(t); i++)
		o += snprintf(p->result + o, sizeof p->result - (size_t)o, "%s%s", i ? "," : "", pd_tube_out(t, i));
}

/* wired: who is really at the other end of each incoming tube. */
static int wired(pd_task *t, struct probe *p)
{
	char me[16];
	const char *m;
	size_t len;
	int i, o = 0;

	snprintf(me, sizeof me, "%d", pd_node(t));
	for (i = 0; i < pd_tubes_out(t); i++)
		if (pd_push(t, pd_tube_out(t, i), me, strlen(me)) != PD_OK)
			return PD_ERROR;
	for (i = 0; i < pd_tubes_in(t); i++) {
		if (!(m = pd_pop(t, pd_tube_in(t, i), &len)))
			return PD_ERROR;
		if (o >= (int)sizeof p->result - 1)
			break;
		o += snprintf(p->result + o, sizeof p->result - (size_t)o, "%s%s:%.*s", i ? " " : "",
			      pd_tube_in(t, i), (int)len, m);
	}
	return PD_OK;
}

static int probe_start(pd_task *t)
{
	struct probe *p = pd_task_data(t);
	const char *m;
	size_t len;
	int k;

	if (!strcmp(p->cmd, "echo"))
		snprintf(p->result, sizeof p->result, "%s", p->arg);
	else if (!strcmp(p->cmd, "crash"))
		raise(SIGSEGV);
	else if (!strcmp(p->cmd, "fail"))
		return pd_task_error(t, "asked to fail");
	else if (!strcmp(p->cmd, "pop")) {
		if (!(m = pd_pop(t, "next", &len)))
			return PD_ERROR;
		snprintf(p->result, sizeof p->result, "popped %.*s", (int)len, m);
	} else if (!strcmp(p->cmd, "push")) {
		if (pd_push(t, "next", p->arg, strlen(p->arg)) != PD_OK)
			return PD_ERROR;
		snprintf(p->result, sizeof p->result, "pushed");
	} else if (!strcmp(p->cmd, "big"))
		return big(t, p);
	else if (!strcmp(p->cmd, "barrier")) {
		for (k = 0; k < atoi(p->arg); k++)
			if (pd_barrier(t) != PD_OK)
				return PD_ERROR;
		snprintf(p->result, sizeof p->result, "passed %d", k);
	} else if (!strcmp(p->cmd, "sleep")) {
		struct timespec ts = {atoi(p->arg) / 1000, (atoi(p->arg) % 1000) * 1000000L};
		const char *mark = strchr(p->arg, ' ');
		char path[300];
		FILE *f = NULL;

		if (mark && snprintf(path, sizeof path, "%s.%d", mark + 1, pd_node(t)) < (int)sizeof path)
			f = fopen(path, "w");
		if (f)
			fclose(f);
		nanosleep(&ts, NULL);
		snprintf(p->result, sizeof p->result, "slept");
	} else if (!strcmp(p->cmd, "tubes"))
		tubes(t, p);
	else if (!strcmp(p->cmd, "wired"))
		return wired(t, p);
	else
		return pd_task_error(t, "unknown command '%s'", p->cmd);
	return PD_OK;
}

static int probe_result(pd_task *t, pd_out *out)
{
	struct probe *p = pd_task_data(t);
	int rc = pd_printf(out, "%s", p->result);

	free(p);
	return rc;
}

PD_TASK(probe, probe_init, probe_start, probe_result);
