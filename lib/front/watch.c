/* watch.c - pd-status --watch: bars, rates and ETAs in one text frame. */
#include "watch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "xmalloc.h"

#define SEEN_MAX 4096 /* counters remembered; later ones get no rate */
#define KEY_MAX 160
#define NAME_W 20     /* the host column */
#define GPU_CELLS 8   /* at most this many cells for GPUs */

/* A counter's first value seen by this watch. */
struct seen {
	char key[KEY_MAX];
	double done0, t0;
};

struct pd_watch {
	struct seen *v;
	int n;
};

struct pd_watch *pd_watch_new(void)
{
	struct pd_watch *w = pd_xcalloc(1, sizeof *w);

	return w;
}

void pd_watch_free(struct pd_watch *w)
{
	if (!w)
		return;
	free(w->v);
	free(w);
}

/* The counter named key, added with (done, now) when new; NULL when full. */
static struct seen *seen_get(struct pd_watch *w, const char *key, double done, double now)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].key, key))
			return &w->v[i];
	if (w->n == SEEN_MAX)
		return NULL;
	if (!w->v)
		w->v = pd_xcalloc(SEEN_MAX, sizeof *w->v);
	snprintf(w->v[w->n].key, KEY_MAX, "%s", key);
	w->v[w->n].done0 = done;
	w->v[w->n].t0 = now;
	return &w->v[w->n++];
}

double pd_watch_rate(struct pd_watch *w, const char *key, double done, double now, double age)
{
	struct seen *s = seen_get(w, key, done, now);

	if (s && done < s->done0) { /* started again (a resumed run): from here */
		s->done0 = done;
		s->t0 = now;
	}
	if (s && done > s->done0 && now > s->t0)
		return (done - s->done0) / (now - s->t0);
	if (age > 0)
		return done / age;
	return -1;
}

/* Cells of a bar of `cells` standing for n of total slots, rounded up. */
static int cells_for(int n, int total, int cells)
{
	long c;

	if (n <= 0)
		return 0;
	if (n >= total)
		return cells;
	c = ((long)n * cells + total - 1) / total;
	return c > cells ? cells : (int)c;
}

void pd_watch_bar(int busy, int shared, int total, int cells, struct pd_buf *out)
{
	int b, s, i;

	if (total < 0)
		total = 0;
	if (cells > total)
		cells = total;
	if (cells < 0)
		cells = 0;
	b = cells_for(busy, total, cells);
	s = cells_for(shared, total, cells) - b;
	pd_buf_addc(out, '[');
	for (i = 0; i < cells; i++)
		pd_buf_addc(out, i < b ? '#' : i < b + s ? '.' : ' ');
	pd_buf_addc(out, ']');
}

void pd_watch_duration(double secs, char *out, size_t size)
{
	long s;

	if (!isfinite(secs) || secs < 0 || secs > 999 * 86400.0) {
		snprintf(out, size, "-");
		return;
	}
	s = lround(secs);
	if (s < 60)
		snprintf(out, size, "%lds", s);
	else if (s < 3600)
		snprintf(out, size, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, size, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, size, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
}

/* "3/8/12": busy/shared/total. */
static void counts(struct pd_buf *b, const cJSON *info, const char *busy, const char *shared, const char *total)
{
	pd_buf_addf(b, "%g/%g/%g", pd_json_num(info, busy, 0), pd_json_num(info, shared, 0),
		    pd_json_num(info, total, 0));
}

/* The name shown for a host: its address, or for the local server the
 * name it reports. */
static const char *host_name(const struct pd_host_view *h)
{
	if (!strcmp(h->address, "local") && h->info)
		return pd_json_str(h->info, "host", h->address);
	return h->address;
}

/* One host's line: state, CPU bar and counts, GPU bar and counts. */
static void host_line(const struct pd_host_view *h, int width, struct pd_buf *out)
{
	struct pd_buf gpu = PD_BUF_INIT, head = PD_BUF_INIT, cpu = PD_BUF_INIT;
	int gpus, cpus, cells;

	pd_buf_addf(&head, "%-*.*s %-7s ", NAME_W, NAME_W, host_name(h), h->state);
	if (!h->info) {
		pd_buf_addf(out, "%s%s\n", head.data, h->error);
		pd_buf_release(&head);
		return;
	}
	gpus = (int)pd_json_num(h->info, "gpus", 0);
	if (gpus > 0) {
		pd_buf_adds(&gpu, "gpu ");
		pd_watch_bar((int)pd_json_num(h->info, "gpus_busy", 0), (int)pd_json_num(h->info, "gpus_shared", 0),
			     gpus, GPU_CELLS, &gpu);
		pd_buf_addc(&gpu, ' ');
		counts(&gpu, h->info, "gpus_busy", "gpus_shared", "gpus");
	} else {
		pd_buf_adds(&gpu, "0 GPUs");
	}
	cpus = (int)pd_json_num(h->info, "cpus", 0);
	counts(&cpu, h->info, "busy", "shared", "cpus");
	/* what is left of the width after the text around the CPU bar */
	cells = width - (int)head.len - (int)strlen("cpu [] ") - (int)cpu.len - 2 - (int)gpu.len;
	if (cells < 4)
		cells = 4;
	pd_buf_addf(out, "%scpu ", head.data);
	pd_watch_bar((int)pd_json_num(h->info, "busy", 0), (int)pd_json_num(h->info, "shared", 0), cpus, cells, out);
	pd_buf_addf(out, " %s  %s\n", cpu.data, gpu.data);
	pd_buf_release(&cpu);
	pd_buf_release(&gpu);
	pd_buf_release(&head);
}

/* One detached run's line: progress, and while it runs, rate and ETA. */
static void run_line(struct pd_watch *w, const cJSON *r, double now, time_t wall, struct pd_buf *out)
{
	const char *id = pd_json_str(r, "id", "?"), *state = pd_json_str(r, "state", "?");
	double done = pd_json_num(r, "done", 0), total = pd_json_num(r, "total", 0);
	double failed = pd_json_num(r, "failed", 0), submitted = pd_json_num(r, "submitted", 0);
	double rate, ended = pd_json_num(r, "ended", 0);
	char key[KEY_MAX], eta[32], took[32];

	pd_buf_addf(out, "run %s %-9s %g/%g %5.1f%%", id, state, done, total, total > 0 ? 100.0 * done / total : 0.0);
	if (!strcmp(state, "running")) {
		snprintf(key, sizeof key, "run %s", id);
		rate = pd_watch_rate(w, key, done, now, submitted > 0 ? (double)wall - submitted : 0);
		pd_watch_duration(rate > 0 ? (total - done) / rate : -1, eta, sizeof eta);
		if (rate >= 0)
			pd_buf_addf(out, "  %.3g/s  ETA %s", rate, eta);
		else
			pd_buf_adds(out, "  -/s  ETA -");
	} else {
		pd_watch_duration(ended > 0 && submitted > 0 ? ended - submitted : -1, took, sizeof took);
		pd_buf_addf(out, "  took %s", took);
	}
	if (failed > 0)
		pd_buf_addf(out, "  %g failed", failed);
	pd_buf_addf(out, "  %s  %s\n", pd_json_str(r, "owner", "?"),
		    pd_json_str(r, "name", pd_json_str(r, "sym", "")));
}

/* One attached client's work on a host, with its rate. */
static void attached_line(struct pd_watch *w, const struct pd_host_view *h, const cJSON *a, double now,
			  struct pd_buf *out)
{
	double records = pd_json_num(a, "records", 0), rate;
	char key[KEY_MAX];

	snprintf(key, sizeof key, "attached %s %s %s", h->address, pd_json_str(a, "client", "?"),
		 pd_json_str(a, "from", "?"));
	rate = pd_watch_rate(w, key, records, now, 0);
	pd_buf_addf(out, "attached %s from %s on %s: %g running, %g queued, %g done", pd_json_str(a, "client", "?"),
		    pd_json_str(a, "from", "?"), host_name(h), pd_json_num(a, "running", 0),
		    pd_json_num(a, "queued", 0), records);
	if (rate >= 0)
		pd_buf_addf(out, ", %.3g/s", rate);
	pd_buf_addc(out, '\n');
}

/* The first line: time, hosts up, the totals of the hosts that are up. */
static void header_line(const struct pd_host_view *h, int n, time_t wall, struct pd_buf *out)
{
	static const char *keys[] = {"busy", "shared", "cpus", "gpus_busy", "gpus_shared", "gpus"};
	double sum[6] = {0};
	char when[16];
	struct tm tm;
	int i, k, up = 0;

	for (i = 0; i < n; i++) {
		if (!h[i].info)
			continue;
		up++;
		for (k = 0; k < 6; k++)
			sum[k] += pd_json_num(h[i].info, keys[k], 0);
	}
	localtime_r(&wall, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	pd_buf_addf(out, "pd-status %s  hosts %d/%d up  cpu %g/%g/%g  gpu %g/%g/%g  (busy/shared/total)\n", when,
		    up, n, sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]);
}

void pd_watch_frame(struct pd_watch *w, const struct pd_host_view *h, int n, double now, time_t wall,
		    int width, struct pd_buf *out)
{
	const cJSON *r;
	int i;

	if (width < 40)
		width = 40;
	header_line(h, n, wall, out);
	for (i = 0; i < n; i++)
		host_line(&h[i], width, out);
	for (i = 0; i < n; i++)
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(h[i].info, "runs"))
			run_line(w, r, now, wall, out);
	for (i = 0; i < n; i++)
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(h[i].info, "attached"))
			attached_line(w, &h[i], r, now, out);
}
