/* worker.c - the worker process: dlopen a job, run batches of records. */
#include "worker.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "err.h"
#include "runopt.h"
#include "f64.h"
#include "frame.h"
#include "json.h"
#include "memlimit.h"
#include "pathfmt.h"
#include "proto.h"
#include "rec.h"
#include "xmalloc.h"

#define LOADED_MAX 16

/* A job loaded in this worker. */
struct loaded {
	char path[PD_PATH_MAX];
	char sym[256];
	void *handle;
	const struct pd_job_desc *desc;
	char error[PD_ERRLEN]; /* load or init failure, "" when usable */
	int gpu_only; /* opened by a preload on a CPU slot and left alone */
};

/* Worker-wide state: loaded jobs, reusable record and result. */
struct worker {
	int fd, gpu;
	struct pd_worker_shm *shm;
	struct loaded jobs[LOADED_MAX];
	int njobs;
	struct pd_record rec;
	struct pd_result res;
	struct pd_buf entries, frame;
	char share_path[PD_PATH_MAX];
	double *pts, *vals, *scratch; /* fitness points and values of one dispatch */
	size_t pts_cap, vals_cap, scratch_cap;
	long long mem; /* --mem of the current batch, 0 = none */
	int preloading; /* handling a "load": not a record of the job yet */
};

static const char *kind_name(uint32_t k)
{
	switch (k) {
	case PD_KIND_MAP: return "map";
	case PD_KIND_FITNESS: return "fitness";
	case PD_KIND_FITNESS_BATCH: return "batch fitness";
	case PD_KIND_TASK: return "task";
	default: return "unknown";
	}
}

/* Find and check pd_desc_SYM in an opened job; 0 or -1 with err. */
static int check_desc(struct loaded *l, const char *base)
{
	char name[300];

	snprintf(name, sizeof name, PD_DESC_PREFIX "%s", l->sym);
	l->desc = dlsym(l->handle, name);
	if (!l->desc) {
		pd_err(l->error, "%s: no job '%s' (symbol %s not found)", base, l->sym, name);
		return -1;
	}
	if (l->desc->magic != PD_DESC_MAGIC) {
		pd_err(l->error, "%s: %s is not a Playdoh job descriptor", base, name);
		return -1;
	}
	if (l->desc->abi != PD_ABI_VERSION) {
		pd_err(l->error, "%s: job built for job ABI version %u, this worker runs version %d; rebuild it against this playdoh.h",
		       base, l->desc->abi, PD_ABI_VERSION);
		return -1;
	}
	if ((l->desc->kind == PD_KIND_MAP && l->desc->map) ||
	    (l->desc->kind == PD_KIND_FITNESS && l->desc->fitness) ||
	    (l->desc->kind == PD_KIND_FITNESS_BATCH && l->desc->fitness_batch))
		return 0;
	pd_err(l->error, "%s: job '%s' (%s) has no function to call", base, l->sym, kind_name(l->desc->kind));
	return -1;
}

/* Open a job and run its init hook; failures are kept in l->error. */
static void load_job(struct worker *w, struct loaded *l, const char *name)
{
	const char *base = name ? name : strrchr(l->path, '/') ? strrchr(l->path, '/') + 1 : l->path;
	pd_ctx ctx = {&pd_worker_api, NULL};

	pd_shm_set_phase(w->shm, PD_PHASE_LOADING);
	l->handle = dlopen(l->path, RTLD_NOW | RTLD_LOCAL);
	if (!l->handle) {
		pd_err(l->error, "%s: cannot load job: %s", base, dlerror());
		return;
	}
	if (check_desc(l, base))
		return;
	/* A GPU job runs on GPU slots only: a CPU slot's preload leaves its
	 * init hook alone (it could take a GPU this worker is not bound to). */
	if (w->preloading && w->gpu < 0 && (l->desc->flags & PD_NEEDS_GPU)) {
		l->gpu_only = 1;
		return;
	}
	if (l->desc->init && l->desc->init(&ctx) != 0)
		pd_err(l->error, "%s: init hook of job '%s' failed", base, l->sym);
}

/* The loaded job for path:sym, loading it on first use. */
static struct loaded *get_job(struct worker *w, const char *path, const char *sym, const char *name)
{
	struct loaded *l;
	int i;

	for (i = 0; i < w->njobs; i++)
		if (!strcmp(w->jobs[i].path, path) && !strcmp(w->jobs[i].sym, sym))
			return &w->jobs[i];
	if (w->njobs == LOADED_MAX) {
		/* Retire the oldest job to bound the handles kept open. */
		l = &w->jobs[0];
		if (l->handle && !l->error[0] && l->desc->fini)
			l->desc->fini();
		if (l->handle)
			dlclose(l->handle);
		memmove(&w->jobs[0], &w->jobs[1], sizeof w->jobs[0] * (LOADED_MAX - 1));
		w->njobs--;
	}
	l = &w->jobs[w->njobs++];
	memset(l, 0, sizeof *l);
	pd_path_fmt(l->path, "%s", path);
	snprintf(l->sym, sizeof l->sym, "%s", sym);
	load_job(w, l, name);
	return l;
}

/* Map the --share file once; later runs naming the same file reuse it. */
static void set_share(struct worker *w, const char *path)
{
	struct stat st;
	void *p;
	int fd;

	if (!path || !strcmp(path, w->share_path))
		return;
	pd_path_fmt(w->share_path, "%s", path);
	pd_api_set_share(NULL, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED)
			pd_api_set_share(p, (size_t)st.st_size);
	}
	close(fd);
}

/* Append one result entry: status, microseconds, text. */
static void add_entry(struct pd_buf *b, int status, uint64_t usec, const char *p, size_t n)
{
	unsigned char h[PD_RENTRY_HDR];

	h[0] = (unsigned char)status;
	pd_put_be32(h + 1, usec > 0xffffffffu ? 0xffffffffu : (unsigned)usec);
	pd_put_be32(h + 5, (unsigned)n);
	pd_buf_add(b, h, sizeof h);
	pd_buf_add(b, p, n);
}

/* Say that a job's failure came with its memory exhausted under --mem. */
static void oom_prefix(struct pd_buf *err, long long mem)
{
	struct pd_buf msg = PD_BUF_INIT;
	char size[32];

	pd_size_format(mem, size, sizeof size);
	pd_buf_addf(&msg, "out of memory (--mem %s)%s", size, err->len ? ": " : "");
	pd_buf_add(&msg, err->data, err->len);
	pd_buf_reset(err);
	pd_buf_add(err, msg.data, msg.len);
	pd_buf_release(&msg);
}

/* Run one record through the job and append its entry. */
static void run_record(struct worker *w, const struct loaded *l, uint32_t index, const char *line,
		       size_t len, long lineno)
{
	char err[PD_ERRLEN];
	uint64_t t0 = pd_shm_record_start(w->shm, index, pd_now_ns());
	pd_rec in;
	pd_out out;
	int rc;

	pd_result_reset(&w->res);
	if (l->desc->flags & PD_RAW_RECORD)
		pd_record_raw(&w->rec, line, len, lineno);
	else if (pd_record_parse(&w->rec, line, len, lineno, err)) {
		add_entry(&w->entries, PD_R_ERROR, 0, err, strlen(err));
		return;
	}
	in = pd_rec_wrap(&w->rec);
	out = pd_out_wrap(&w->res);
	errno = 0;
	rc = l->desc->map(&in, &out);
	if ((rc != PD_OK || w->res.err.len) && errno == ENOMEM && w->mem)
		oom_prefix(&w->res.err, w->mem);
	if (w->rec.err.len)
		add_entry(&w->entries, PD_R_ERROR, (pd_now_ns() - t0) / 1000, w->rec.err.data, w->rec.err.len);
	else if (rc != PD_OK || w->res.err.len) {
		if (!w->res.err.len)
			pd_buf_addf(&w->res.err, "job returned %d", rc);
		add_entry(&w->entries, PD_R_ERROR, (pd_now_ns() - t0) / 1000, w->res.err.data, w->res.err.len);
	} else {
		const struct pd_buf *text = pd_result_out(&w->res);

		add_entry(&w->entries, PD_R_OK, (pd_now_ns() - t0) / 1000, text->data, text->len);
	}
}

/* Grow an array of doubles to hold n. */
static double *room(double **p, size_t *cap, size_t n)
{
	if (n > *cap) {
		*cap = n > 2 * *cap ? n : 2 * *cap;
		*p = pd_xrealloc(*p, sizeof **p * *cap);
	}
	return *p;
}

/* Parse a point, blank-separated numbers, into x (room for max); its
 * dimension, or -1 with err. */
static int parse_point(const char *line, size_t len, double *x, int max, char *err)
{
	const char *p = line, *end = line + len;
	char *e;
	int n = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p == end)
			break;
		if (n == max)
			return pd_err(err, "point has more than %d numbers", max), -1;
		x[n] = strtod(p, &e);
		if (e == p || e > end || (e < end && *e != ' ' && *e != '\t' && *e != ','))
			return pd_err(err, "point: '%.*s' is not a number", (int)(end - p > 40 ? 40 : end - p), p), -1;
		n++;
		p = e;
	}
	if (!n)
		return pd_err(err, "empty point"), -1;
	return n;
}

/* Find the next record of a blob: its start and length. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;

	if (!nl)
		nl = end;
	*len = (size_t)(nl - s);
	*p = nl < end ? nl + 1 : end;
	return s;
}

/* Parse record s into the point array at slot k (dim fixed by the first
 * good record, *dim -1 before); 0, or -1 with err. */
static int take_point(struct worker *w, const char *s, size_t len, long k, int *dim, char *err)
{
	int d = parse_point(s, len, room(&w->scratch, &w->scratch_cap, PD_POINT_DIM_MAX), PD_POINT_DIM_MAX, err);

	if (d < 0)
		return -1;
	if (*dim > 0 && d != *dim)
		return pd_err(err, "point has %d numbers, the first of its batch %d", d, *dim), -1;
	*dim = d;
	memcpy(room(&w->pts, &w->pts_cap, (size_t)(k + 1) * (size_t)d) + k * d, w->scratch,
	       sizeof(double) * (size_t)d);
	return 0;
}

/* Evaluate the good points: one call each, or one batch call; the time
 * per point into usec. */
static void evaluate(struct worker *w, const struct loaded *l, const long *at, long k, int dim, uint64_t *usec)
{
	uint64_t t0;
	long j;

	if (l->desc->kind == PD_KIND_FITNESS_BATCH) {
		t0 = pd_shm_record_start(w->shm, k ? (uint32_t)at[0] : 0, pd_now_ns());
		if (k)
			l->desc->fitness_batch(w->pts, (int)k, dim, w->vals);
		/* The call's time shared out so that the points' times add up
		 * to it exactly (pd-opt's trace sums them). */
		t0 = (pd_now_ns() - t0) / 1000;
		for (j = 0; j < k; j++)
			usec[j] = t0 / (uint64_t)k + ((uint64_t)j < t0 % (uint64_t)k);
		return;
	}
	for (j = 0; j < k; j++) {
		t0 = pd_shm_record_start(w->shm, (uint32_t)at[j], pd_now_ns());
		w->vals[j] = l->desc->fitness(w->pts + j * dim, dim);
		usec[j] = (pd_now_ns() - t0) / 1000;
	}
}

/* A binary fitness dispatch: n points of dim little-endian doubles
 * (the server checked the size), each value back as 8 such bytes. */
static void run_fitness_f64(struct worker *w, const struct loaded *l, const char *blob, long n, int dim)
{
	long i, *at = pd_xmalloc(sizeof *at * (size_t)(n + 1));
	uint64_t *usec = pd_xmalloc(sizeof *usec * (size_t)(n + 1));
	unsigned char val[PD_F64_SIZE];

	pd_f64_get(room(&w->pts, &w->pts_cap, (size_t)n * (size_t)dim), blob, (size_t)n * (size_t)dim);
	for (i = 0; i < n; i++)
		at[i] = i;
	room(&w->vals, &w->vals_cap, (size_t)n + 1);
	evaluate(w, l, at, n, dim, usec);
	pd_buf_grow(&w->entries, (size_t)n * (PD_RENTRY_HDR + PD_F64_SIZE));
	for (i = 0; i < n; i++) {
		pd_f64_put(val, &w->vals[i], 1);
		add_entry(&w->entries, PD_R_OK, usec[i], (const char *)val, sizeof val);
	}
	free(at);
	free(usec);
}

/* A fitness dispatch: its n records are points; each gets its value as
 * text that reads back to the same double, or why it is not a point. */
static void run_fitness(struct worker *w, const struct loaded *l, const char *blob, size_t blen, long n)
{
	const char *p = blob, *end = blob + blen, *s;
	long i, k = 0, *at = pd_xmalloc(sizeof *at * (size_t)(n + 1));
	uint64_t *usec = pd_xmalloc(sizeof *usec * (size_t)(n + 1));
	struct pd_buf errs = PD_BUF_INIT; /* messages of the bad records, NUL-separated */
	char err[PD_ERRLEN], num[40];
	const char *e;
	int dim = -1, len;
	size_t slen;

	for (i = 0; i < n; i++) {
		s = next_line(&p, end, &slen);
		if (take_point(w, s, slen, k, &dim, err) == 0)
			at[k++] = i;
		else
			pd_buf_add(&errs, err, strlen(err) + 1);
	}
	at[k] = -1;
	room(&w->vals, &w->vals_cap, (size_t)k + 1);
	evaluate(w, l, at, k, dim, usec);
	for (i = 0, k = 0, e = errs.data; i < n; i++) {
		if (at[k] != i) {
			add_entry(&w->entries, PD_R_ERROR, 0, e, strlen(e));
			e += strlen(e) + 1;
			continue;
		}
		len = snprintf(num, sizeof num, "%.17g", w->vals[k]);
		add_entry(&w->entries, PD_R_OK, usec[k], num, (size_t)len);
		k++;
	}
	pd_buf_release(&errs);
	free(at);
	free(usec);
}

/* Line number of record i: from the "linenos" array when present, whose
 * item i is *at (the caller walks the array along with the records:
 * looking each item up from the start made a batch quadratic). */
static long lineno_of(const cJSON **at, long first, int i)
{
	const cJSON *v = *at;

	if (v) {
		*at = v->next;
		if (cJSON_IsNumber(v))
			return (long)v->valuedouble;
	}
	return first + i;
}

/* 1 when the loaded job is of the kind the run asks for. */
static int kind_ok(const struct loaded *l, const char *want)
{
	if (!strcmp(want, "fitness"))
		return l->desc->kind == PD_KIND_FITNESS || l->desc->kind == PD_KIND_FITNESS_BATCH;
	return l->desc->kind == PD_KIND_MAP;
}

/* Handle one "run" message: every record gets exactly one entry. */
static void handle_run(struct worker *w, const struct pd_msg *m)
{
	const char *path = pd_json_str(m->json, "path", ""), *sym = pd_json_str(m->json, "sym", "");
	const cJSON *linenos = cJSON_GetObjectItemCaseSensitive(m->json, "linenos");
	const cJSON *lineno_at = cJSON_IsArray(linenos) ? linenos->child : NULL;
	long first = (long)pd_json_num(m->json, "first", 1);
	long n = (long)pd_json_num(m->json, "n", 0), i;
	const char *p = (const char *)m->blob, *end = p + m->blob_len, *nl;
	const char *want = pd_json_str(m->json, "kind", "map"), *bad = NULL;
	char sep = strcmp(pd_json_str(m->json, "sep", "nl"), "nul") ? '\n' : 0;
	int f64 = (int)pd_json_num(m->json, "f64", 0);
	char kerr[PD_ERRLEN];
	struct pd_runopts run;
	struct loaded *l;
	cJSON *reply;
	int memerr;

	__atomic_store_n(&w->shm->seq, (uint64_t)pd_json_num(m->json, "seq", 0), __ATOMIC_RELEASE);
	pd_runopts_get(m->json, &run);
	w->mem = run.mem;
	memerr = pd_memlimit_apply(w->mem, (long long)pd_json_num(m->json, "mem_cap", 0), kerr);
	set_share(w, pd_json_str(m->json, "share", NULL));
	pd_api_set_args(pd_json_str(m->json, "args", NULL));
	l = get_job(w, path, sym, pd_json_str(m->json, "name", NULL));
	pd_buf_reset(&w->entries);
	/* The dispatch's clock starts before its phase says RUNNING: the
	 * pool's timeout tick reads the time once it sees that phase. */
	pd_shm_record_start(w->shm, 0, pd_now_ns());
	pd_shm_set_phase(w->shm, PD_PHASE_RUNNING);
	if (memerr)
		bad = kerr;
	else if (l->error[0])
		bad = l->error;
	else if (!kind_ok(l, want)) {
		pd_err(kerr, "%s: job '%s' is a %s job, not a %s job", pd_json_str(m->json, "name", sym), sym,
		       kind_name(l->desc->kind), want);
		bad = kerr;
	} else if (f64 && (f64 < 1 || f64 > PD_POINT_DIM_MAX || l->desc->kind == PD_KIND_MAP ||
			   m->blob_len != (size_t)n * (size_t)f64 * PD_F64_SIZE)) {
		pd_err(kerr, "binary points: %zu bytes are not %ld points of %d doubles", m->blob_len, n, f64);
		bad = kerr;
	}
	if (!bad && f64) {
		run_fitness_f64(w, l, p, n, f64);
		n = 0;
	} else if (!bad && l->desc->kind != PD_KIND_MAP) {
		run_fitness(w, l, p, m->blob_len, n);
		n = 0;
	}
	for (i = 0; i < n; i++) {
		nl = p < end ? memchr(p, sep, (size_t)(end - p)) : NULL;
		if (!nl)
			nl = end;
		if (bad)
			add_entry(&w->entries, PD_R_LOST, 0, bad, strlen(bad));
		else
			run_record(w, l, (uint32_t)i, p, (size_t)(nl - p), lineno_of(&lineno_at, first, (int)i));
		p = nl < end ? nl + 1 : end;
	}
	pd_shm_set_phase(w->shm, PD_PHASE_IDLE);
	pd_api_set_args(NULL);
	reply = cJSON_CreateObject();
	cJSON_AddStringToObject(reply, "op", PD_OP_RESULT);
	cJSON_AddNumberToObject(reply, "seq", (double)w->shm->seq);
	cJSON_AddNumberToObject(reply, "n", pd_json_num(m->json, "n", 0));
	if (bad)
		cJSON_AddStringToObject(reply, "load_error", bad);
	pd_buf_reset(&w->frame);
	pd_frame_encode_json(&w->frame, NULL, reply, w->entries.data, w->entries.len);
	cJSON_Delete(reply);
}

/* Handle one "load" message: open the job now, before any record of it
 * comes, so that the first record does not wait for dlopen and the init
 * hook; a failure is kept and reported with the first batch, as always. */
static void handle_load(struct worker *w, const struct pd_msg *m)
{
	cJSON *reply = cJSON_CreateObject();
	struct loaded *l;

	w->preloading = 1;
	l = get_job(w, pd_json_str(m->json, "path", ""), pd_json_str(m->json, "sym", ""),
		    pd_json_str(m->json, "name", NULL));
	w->preloading = 0;
	if (l->gpu_only) { /* forget it: the last one opened */
		dlclose(l->handle);
		w->njobs--;
	}
	pd_shm_set_phase(w->shm, PD_PHASE_IDLE);
	cJSON_AddStringToObject(reply, "op", PD_OP_LOADED);
	pd_buf_reset(&w->frame);
	pd_frame_encode_json(&w->frame, NULL, reply, NULL, 0);
	cJSON_Delete(reply);
}

/* Run the job's fini hooks before the worker exits. */
static void run_finis(struct worker *w)
{
	int i;

	for (i = 0; i < w->njobs; i++)
		if (w->jobs[i].handle && !w->jobs[i].error[0] && w->jobs[i].desc->fini)
			w->jobs[i].desc->fini();
}

void pd_worker_main(int fd, struct pd_worker_shm *shm, int gpu)
{
	static struct worker w;
	struct pd_msg m;
	char err[PD_ERRLEN];
	int rc;

	/* Programs a job starts (the runner job) must not hold the pipe. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	w.fd = fd;
	w.gpu = gpu;
	w.shm = shm;
	pd_record_init(&w.rec);
	pd_result_init(&w.res);
	pd_buf_init(&w.entries);
	pd_buf_init(&w.frame);
	pd_api_set_gpu(gpu);
	pd_memlimit_watch(&shm->oom);
	pd_msg_init(&m);
	for (;;) {
		rc = pd_frame_read_fd(fd, PD_WORKER_BLOB_MAX, &m, err);
		if (rc)
			break;
		if (!strcmp(m.op, PD_OP_RUN) || !strcmp(m.op, PD_OP_LOAD)) {
			if (!strcmp(m.op, PD_OP_RUN))
				handle_run(&w, &m);
			else
				handle_load(&w, &m);
			if (pd_frame_write_fd(fd, &w.frame, err))
				break;
		} else if (!strcmp(m.op, "quit"))
			break;
	}
	run_finis(&w);
	_exit(0);
}
