/* pool.c - the batch queue, dispatch, results, crashes and timeouts. */
#include "clock.h"
#include "json.h"
#include "poolint.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/buffer.h>

#include "evframe.h"
#include "fairshare.h"
#include "log.h"
#include "memlimit.h"
#include "proto.h"
#include "xmalloc.h"

/* The owner record for key, created on first use. */
static struct owner *owner_get(struct pd_pool *p, void *key, int create)
{
	struct owner *o;

	TAILQ_FOREACH(o, &p->owners, link)
		if (o->key == key)
			return o;
	if (!create)
		return NULL;
	o = pd_xcalloc(1, sizeof *o);
	o->key = key;
	TAILQ_INIT(&o->queue);
	TAILQ_INSERT_TAIL(&p->owners, o, link);
	return o;
}

/* Free a batch; its owner goes when it has nothing left and was dropped. */
static void batch_free(struct pd_pool *p, struct batch *b)
{
	struct owner *o = b->ow;

	free(b->path);
	free(b->sym);
	free(b->share);
	free(b->args);
	free(b->name);
	cJSON_Delete(b->linenos);
	pd_buf_release(&b->recs);
	pd_buf_release(&b->rbuf);
	free(b->off);
	free(b->rs);
	free(b);
	if (--o->nbatches == 0)
		pd_fair_sleep(&p->fair, &o->fair);
	if (o->nbatches == 0 && o->key == NULL) {
		TAILQ_REMOVE(&p->owners, o, link);
		free(o);
	}
}

/* Index line starts; -1 unless the blob holds exactly n records. */
static int index_lines(struct batch *b)
{
	const char *s = b->recs.data, *end = s + b->recs.len, *nl;
	size_t size = (size_t)b->f64_dim * 8;
	int i;

	b->off = pd_xmalloc(sizeof *b->off * ((size_t)b->n + 1));
	if (size) { /* binary points: fixed size */
		for (i = 0; i <= b->n; i++)
			b->off[i] = (size_t)i * size;
		return b->recs.len == (size_t)b->n * size ? 0 : -1;
	}
	for (i = 0; i < b->n; i++) {
		b->off[i] = (size_t)(s - b->recs.data);
		nl = memchr(s, b->sep, (size_t)(end - s));
		if (!nl)
			return -1;
		s = nl + 1;
	}
	b->off[b->n] = (size_t)(s - b->recs.data);
	return s == end ? 0 : -1;
}

int pd_pool_submit(struct pd_pool *p, const struct pd_pool_job *job, char *err)
{
	struct batch *b;
	int i;

	if (job->n < 1 || job->n > PD_BATCH_RECORDS_MAX) {
		pd_err(err, "batch of %d records outside [1, %d]", job->n, PD_BATCH_RECORDS_MAX);
		return -1;
	}
	if (job->linenos && (!cJSON_IsArray(job->linenos) || cJSON_GetArraySize(job->linenos) != job->n)) {
		pd_err(err, "linenos is not an array of %d numbers", job->n);
		return -1;
	}
	b = pd_xcalloc(1, sizeof *b);
	pd_buf_init(&b->recs);
	pd_buf_init(&b->rbuf);
	pd_buf_add(&b->recs, job->recs, job->len);
	b->n = job->n;
	b->sep = job->nul ? 0 : '\n';
	b->f64_dim = job->f64_dim;
	if (index_lines(b)) {
		if (b->f64_dim)
			pd_err(err, "batch blob does not hold exactly %d points of %d doubles", job->n, b->f64_dim);
		else
			pd_err(err, "batch blob does not hold exactly %d %s-terminated records", job->n,
			       job->nul ? "NUL" : "newline");
		pd_buf_release(&b->recs);
		free(b->off);
		free(b);
		return -1;
	}
	b->id = job->id;
	b->path = pd_xstrdup(job->path);
	b->sym = pd_xstrdup(job->sym);
	b->share = job->share ? pd_xstrdup(job->share) : NULL;
	b->args = job->args ? pd_xstrdup(job->args) : NULL;
	b->name = job->name ? pd_xstrdup(job->name) : NULL;
	b->first = job->first;
	b->linenos = job->linenos ? cJSON_Duplicate(job->linenos, 1) : NULL;
	b->fitness = job->fitness;
	b->gpu = job->gpu;
	b->run = job->run;
	b->run.mem = pd_memlimit_effective(job->run.mem, job->mem_cap);
	b->mem_cap = job->mem_cap;
	b->rs = pd_xmalloc(sizeof *b->rs * (size_t)b->n);
	for (i = 0; i < b->n; i++)
		b->rs[i].status = UNDONE;
	b->ow = owner_get(p, job->owner, 1);
	if (b->ow->nbatches++ == 0)
		pd_fair_wake(&p->fair, &b->ow->fair);
	TAILQ_INSERT_TAIL(&b->ow->queue, b, q);
	pd_pool_i_pump(p);
	return 0;
}

/* The first queued batch of an owner for a CPU (gpu 0) or GPU (gpu 1)
 * slot, or NULL. */
static struct batch *first_of_kind(struct owner *o, int gpu)
{
	struct batch *b;

	TAILQ_FOREACH(b, &o->queue, q)
		if (b->gpu == gpu)
			return b;
	return NULL;
}

/* 1 when an owner (its fair-share flow) has a batch of the kind waiting. */
static int owner_ready(struct pd_fair_flow *fl, void *arg)
{
	return first_of_kind((struct owner *)fl, *(const int *)arg) != NULL;
}

/* The next batch for a CPU (gpu 0) or GPU (gpu 1) slot: the fair
 * share's pick among owners with queued work of that kind. */
static struct batch *next_batch(struct pd_pool *p, int gpu)
{
	struct owner *o = (struct owner *)pd_fair_next(&p->fair, owner_ready, &gpu);
	struct batch *b;

	if (!o)
		return NULL;
	b = first_of_kind(o, gpu);
	TAILQ_REMOVE(&o->queue, b, q);
	return b;
}

/* Send the first undone range of b to idle worker w. */
static void dispatch(struct pd_pool *p, struct wproc *w, struct batch *b)
{
	cJSON *j = cJSON_CreateObject(), *ln;
	int a = 0, e, i;

	while (b->rs[a].status != UNDONE)
		a++;
	for (e = a; e < b->n && b->rs[e].status == UNDONE; e++)
		;
	w->state = W_BUSY;
	w->batch = b;
	w->a = a;
	w->b = e;
	w->seq = ++p->seq;
	w->timed_out = 0;
	w->start_ns = pd_now_ns();
	w->charged = pd_fair_grant(&p->fair, &b->ow->fair);
	b->running = 1;
	cJSON_AddStringToObject(j, "op", PD_OP_RUN);
	cJSON_AddNumberToObject(j, "seq", (double)w->seq);
	cJSON_AddStringToObject(j, "path", b->path);
	cJSON_AddStringToObject(j, "sym", b->sym);
	if (b->name)
		cJSON_AddStringToObject(j, "name", b->name);
	if (b->share)
		cJSON_AddStringToObject(j, "share", b->share);
	if (b->args)
		cJSON_AddStringToObject(j, "args", b->args);
	if (b->fitness)
		cJSON_AddStringToObject(j, "kind", "fitness");
	if (!b->sep)
		cJSON_AddStringToObject(j, "sep", "nul");
	if (b->f64_dim)
		cJSON_AddNumberToObject(j, "f64", b->f64_dim);
	pd_runopts_put(j, &b->run);
	cJSON_AddNumberToObject(j, "mem_cap", (double)b->mem_cap);
	cJSON_AddNumberToObject(j, "n", e - a);
	cJSON_AddNumberToObject(j, "first", (double)(b->first + a));
	if (b->linenos) {
		const cJSON *v = cJSON_GetArrayItem(b->linenos, a); /* then walked: no lookup per item */

		ln = cJSON_AddArrayToObject(j, "linenos");
		for (i = a; i < e && v; i++, v = v->next)
			cJSON_AddItemToArray(ln, cJSON_Duplicate(v, 0));
	}
	pd_evframe_send(w->bev, NULL, j, b->recs.data + b->off[a], b->off[e] - b->off[a]);
	cJSON_Delete(j);
}

/* Hand idle workers queued batches; retire surplus idle workers. */
void pd_pool_i_pump(struct pd_pool *p)
{
	struct batch *b;
	int i, gpu;

	for (i = 0; i < p->nw; i++) {
		/* The shared GPUs are devices 0 .. gpu_slots-1: a worker on
		 * another retires, which also keeps GPU workers to the share. */
		gpu = p->w[i]->gpu >= 0;
		if (p->w[i]->state == W_IDLE &&
		    (gpu ? p->w[i]->gpu >= p->gpu_slots : pd_pool_i_live(p, 0) > p->slots)) {
			p->w[i]->state = W_RETIRING;
			bufferevent_disable(p->w[i]->bev, EV_WRITE);
			shutdown(bufferevent_getfd(p->w[i]->bev), SHUT_WR);
		}
	}
	for (i = 0; i < p->nw; i++) {
		if (p->w[i]->state != W_IDLE)
			continue;
		b = next_batch(p, p->w[i]->gpu >= 0);
		if (b)
			dispatch(p, p->w[i], b);
	}
}

/* Deliver a finished batch in record order, then free it. */
static void batch_finish(struct pd_pool *p, struct batch *b)
{
	struct pd_buf out = PD_BUF_INIT;
	unsigned char h[PD_RENTRY_HDR];
	int i;

	if (!b->dropped && b->whole) {
		p->cb.done(p->arg, b->ow->key, b->id, (unsigned char *)b->rbuf.data, b->rbuf.len, b->n, b->first,
			   b->linenos, b->load_error[0] ? b->load_error : NULL);
	} else if (!b->dropped) {
		for (i = 0; i < b->n; i++) {
			h[0] = b->rs[i].status;
			pd_put_be32(h + 1, b->rs[i].usec);
			pd_put_be32(h + 5, (unsigned)b->rs[i].len);
			pd_buf_add(&out, h, sizeof h);
			pd_buf_add(&out, b->rbuf.data + b->rs[i].off, b->rs[i].len);
		}
		p->cb.done(p->arg, b->ow->key, b->id, (unsigned char *)out.data, out.len, b->n, b->first,
			   b->linenos, b->load_error[0] ? b->load_error : NULL);
	}
	pd_buf_release(&out);
	batch_free(p, b);
}

/* Record a result for record i of b. */
static void set_result(struct batch *b, int i, int status, uint32_t usec, const void *s, size_t n)
{
	b->rs[i].status = (unsigned char)status;
	b->rs[i].usec = usec;
	b->rs[i].off = b->rbuf.len;
	b->rs[i].len = n;
	pd_buf_add(&b->rbuf, s, n);
	b->ndone++;
}

/* A worker is done with its range: finish the batch or requeue the rest. */
static void release_batch(struct pd_pool *p, struct wproc *w)
{
	struct batch *b = w->batch;

	pd_fair_done(&p->fair, &b->ow->fair, w->charged, (pd_now_ns() - w->start_ns) / 1000);
	w->batch = NULL;
	b->running = 0;
	if (b->ndone == b->n)
		batch_finish(p, b);
	else if (b->dropped)
		batch_free(p, b);
	else
		TAILQ_INSERT_HEAD(&b->ow->queue, b, q);
}

/*
 * A worker's entries for a whole batch are already its reply, in record
 * order: checked, they are kept as they came, in one copy, instead of
 * being split per record and joined again.  0, or -1 if malformed.
 */
static int take_whole(struct batch *b, const struct pd_msg *m)
{
	const unsigned char *s = m->blob, *end = s + m->blob_len;
	long len;
	int i;

	for (i = 0; i < b->n; i++) {
		if ((len = pd_rentry_len(s, end)) < 0)
			return -1;
		s += PD_RENTRY_HDR + len;
	}
	if (s != end)
		return -1;
	pd_buf_add(&b->rbuf, m->blob, m->blob_len);
	b->whole = 1;
	b->ndone = b->n;
	return 0;
}

/* Copy the entries of a worker's result into its batch.  -1 if malformed. */
static int take_entries(struct wproc *w, const struct pd_msg *m)
{
	struct batch *b = w->batch;
	const unsigned char *s = m->blob, *end = s + m->blob_len;
	long len;
	int i, rc;

	if ((uint64_t)pd_json_num(m->json, "seq", 0) != w->seq ||
	    pd_json_num(m->json, "n", -1) != w->b - w->a)
		return -1;
	if (w->a == 0 && w->b == b->n && b->ndone == 0) {
		rc = take_whole(b, m);
	} else {
		for (i = w->a; i < w->b; i++) {
			if ((len = pd_rentry_len(s, end)) < 0)
				return -1;
			set_result(b, i, s[0], pd_get_be32(s + 1), s + PD_RENTRY_HDR, (size_t)len);
			s += PD_RENTRY_HDR + len;
		}
		rc = s == end ? 0 : -1;
	}
	if (!rc && pd_json_str(m->json, "load_error", NULL))
		snprintf(b->load_error, sizeof b->load_error, "%s", pd_json_str(m->json, "load_error", ""));
	return rc;
}

/* Results from a worker. */
void pd_pool_i_worker_read(struct bufferevent *bev, void *arg)
{
	struct pd_pool *p = arg;
	struct wproc *w = NULL;
	struct pd_msg m;
	char err[PD_ERRLEN];
	int i, rc;

	for (i = 0; i < p->nw; i++)
		if (p->w[i]->bev == bev)
			w = p->w[i];
	if (!w)
		return;
	pd_msg_init(&m);
	while ((rc = pd_evframe_read(bev, PD_WORKER_BLOB_MAX, NULL, &m, err)) == 1) {
		if (w->state == W_LOADING && !strcmp(m.op, PD_OP_LOADED)) {
			pd_pool_i_loaded(p, w);
			continue;
		}
		if (w->state != W_BUSY || strcmp(m.op, PD_OP_RESULT) || take_entries(w, &m)) {
			pd_log(PD_LOG_ERR, "worker %d sent a malformed result; killing it", (int)w->pid);
			pd_pool_i_kill(w);
			break;
		}
		release_batch(p, w);
		w->state = W_IDLE;
		pd_pool_i_pump(p);
		if (p->cb.idle)
			p->cb.idle(p->arg);
	}
	if (rc < 0) {
		pd_log(PD_LOG_ERR, "worker %d: %s; killing it", (int)w->pid, err);
		pd_pool_i_kill(w);
	}
	pd_msg_release(&m);
}

/* EOF or error on a worker pipe: the reaper handles the death itself. */
void pd_pool_i_worker_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_disable(bev, EV_READ | EV_WRITE);
}

/* Why a worker died, in words. */
static void death_reason(int status, int timed_out, long long timeout_ms, char *msg, size_t n)
{
	char why[128];

	if (timed_out)
		snprintf(msg, n, "timed out after %g s (worker killed)", timeout_ms / 1000.0);
	else if (WIFSIGNALED(status)) {
		pd_exit_reason(status, why, sizeof why);
		snprintf(msg, n, "job %s", why);
	} else
		snprintf(msg, n, "job exited the worker with status %d", WEXITSTATUS(status));
}

/* When the record worker w runs began: the worker's own time for it, but
 * never before the pool sent the dispatch (a worker that has run nothing
 * yet still holds 0 there). */
static uint64_t record_start(const struct wproc *w, uint64_t shm_start)
{
	return shm_start > w->start_ns ? shm_start : w->start_ns;
}

/* Blame the record a dead worker was running; the rest runs elsewhere. */
static void blame(struct pd_pool *p, struct wproc *w, int status)
{
	struct batch *b = w->batch;
	char msg[160];
	int k = w->a, i;
	uint32_t index = 0;
	uint64_t start = 0;
	int phase = pd_shm_read(w->shm, w->seq, &index, &start);

	if (phase == PD_PHASE_RUNNING)
		k = w->a + (int)index;
	if (k >= w->b)
		k = w->b - 1;
	death_reason(status, w->timed_out, b->run.timeout_ms, msg, sizeof msg);
	if (w->withdrawn)
		snprintf(msg, sizeof msg, "%s: still running after the grace period of %g s (worker killed)",
			 p->stopping ? "server stopping" : "slot taken back by the host's owner (pd-alloc)",
			 p->grace_ms / 1000.0);
	if (w->shm->oom && b->run.mem)
		pd_memlimit_blame(b->run.mem, msg, sizeof msg);
	if (phase == PD_PHASE_LOADING) {
		/* It died loading the job: no record of it can run. */
		char lmsg[PD_ERRLEN];

		snprintf(lmsg, sizeof lmsg, "loading the job: %s", msg);
		snprintf(b->load_error, sizeof b->load_error, "%s", lmsg);
		for (i = w->a; i < w->b; i++)
			set_result(b, i, PD_R_LOST, 0, lmsg, strlen(lmsg));
	} else {
		uint64_t ran = phase >= 0 ? (pd_now_ns() - record_start(w, start)) / 1000 : 0;

		set_result(b, k, w->timed_out ? PD_R_TIMEOUT : w->withdrawn ? PD_R_LOST : PD_R_CRASH, ran > 0xffffffffu ? 0xffffffffu : (uint32_t)ran,
			   msg, strlen(msg));
	}
	release_batch(p, w);
}

/* Collect dead workers, blame their records, start replacements. */
static void reap(evutil_socket_t sig, short what, void *arg)
{
	struct pd_pool *p = arg;
	int status, i, loading;
	pid_t pid;

	(void)sig;
	(void)what;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < p->nw && p->w[i]->pid != pid; i++)
			;
		if (i == p->nw) {
			if (p->cb.child)
				p->cb.child(p->arg, pid, status);
			continue;
		}
		if (p->w[i]->batch) {
			pd_log(PD_LOG_INFO, "worker %d died running a job; replacing it", (int)pid);
			blame(p, p->w[i], status);
		}
		loading = p->w[i]->state == W_LOADING;
		pd_pool_i_forget(p, i);
		/* Died in the job's init: no more preloading (its first batch
		 * says why, as without a preload). */
		if (loading)
			pd_pool_i_preload_check(p, 1);
	}
	if (pd_pool_i_live(p, 0) < p->slots || pd_pool_i_live(p, 1) < p->gpu_slots)
		pd_pool_i_grow_soon(p);
	pd_pool_i_pump(p);
	if (p->cb.idle)
		p->cb.idle(p->arg);
}

static int busy(const struct pd_pool *p, int gpu);

/* 1 when busy worker w runs on a slot that is no longer shared; `excess`
 * counts down the CPU workers still to withdraw. */
static int withdrawn_slot(const struct pd_pool *p, const struct wproc *w, int *excess)
{
	if (w->gpu >= 0)
		return p->stopping || w->gpu >= p->gpu_slots;
	if (*excess <= 0)
		return 0;
	(*excess)--;
	return 1;
}

/*
 * Busy workers beyond the share (after a shrink, or all of them when the
 * server stops) get the grace period to finish; past it they are killed
 * and blame() fails their record, saying why.  Workers already counting
 * down keep their deadline: they are picked first.
 */
static void withdraw(struct pd_pool *p, uint64_t now)
{
	int excess = busy(p, 0) - (p->stopping ? 0 : p->slots), i, pass;
	struct wproc *w;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < p->nw; i++) {
			w = p->w[i];
			if (w->state != W_BUSY || w->withdrawn || w->timed_out || (pass == 0) != (w->retire_at != 0))
				continue;
			if (!withdrawn_slot(p, w, &excess)) {
				w->retire_at = 0;
				continue;
			}
			if (!w->retire_at)
				w->retire_at = now + (uint64_t)p->grace_ms * 1000000u;
			else if (now >= w->retire_at) {
				pd_log(PD_LOG_WARN, "worker %d still runs a record %g s after its slot was %s; killing it",
				       (int)w->pid, p->grace_ms / 1000.0,
				       p->stopping ? "withdrawn (server stopping)" : "taken back (pd-alloc)");
				w->withdrawn = 1;
				pd_pool_i_kill(w);
			}
		}
}

/* Nanoseconds from began to now; 0 when began is later: a worker may
 * start a record after the tick read the clock (the tick runs withdraw()
 * and the preload callback, and may be preempted, between the two), and
 * an unsigned difference would then wrap around and time the record out
 * at once. */
static uint64_t ran_since(uint64_t now, uint64_t began)
{
	return now > began ? now - began : 0;
}

/* Kill workers whose current record ran past its batch's time limit, or
 * past the grace period of a withdrawn slot. */
static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct pd_pool *p = arg;
	uint64_t now = pd_now_ns(), start;
	struct wproc *w;
	int i;

	(void)fd;
	(void)what;
	withdraw(p, now);
	pd_pool_i_preload_check(p, 0); /* its time may be up */
	for (i = 0; i < p->nw; i++) {
		w = p->w[i];
		if (w->state != W_BUSY || !w->batch->run.timeout_ms || w->timed_out)
			continue;
		if (pd_shm_read(w->shm, w->seq, NULL, &start) != PD_PHASE_RUNNING)
			continue;
		if (ran_since(now, record_start(w, start)) > (uint64_t)w->batch->run.timeout_ms * 1000000u) {
			w->timed_out = 1;
			pd_pool_i_kill(w);
		}
	}
}

struct pd_pool *pd_pool_new(struct event_base *base, int slots,
			    const struct pd_pool_cb *cb, void *arg, char *err)
{
	struct timeval tv = {0, TICK_MS * 1000};
	struct pd_pool *p = pd_xcalloc(1, sizeof *p);

	p->base = base;
	p->cb = *cb;
	p->arg = arg;
	p->slots = slots;
	p->grace_ms = 30000;
	TAILQ_INIT(&p->owners);
	pd_fair_init(&p->fair);
	p->sigchld = evsignal_new(base, SIGCHLD, reap, p);
	p->tick = event_new(base, -1, EV_PERSIST, tick, p);
	p->grow = event_new(base, -1, 0, pd_pool_i_grow, p);
	event_add(p->sigchld, NULL);
	event_add(p->tick, &tv);
	/* One worker now, so that failing to fork is reported at start. */
	if (slots > 0 && pd_pool_i_spawn(p, -1, err)) {
		pd_pool_free(p);
		return NULL;
	}
	if (slots > 1)
		pd_pool_i_grow_soon(p);
	return p;
}

/* Owner o is gone: free its queued batches, and o itself unless batches
 * still running hold it (the reaper frees it with the last). */
static void owner_drop(struct pd_pool *p, struct owner *o)
{
	struct batch *b;

	o->key = NULL;
	o->nbatches++; /* hold it while its batches go */
	while ((b = TAILQ_FIRST(&o->queue))) {
		TAILQ_REMOVE(&o->queue, b, q);
		batch_free(p, b);
	}
	if (--o->nbatches == 0) {
		pd_fair_sleep(&p->fair, &o->fair);
		TAILQ_REMOVE(&p->owners, o, link);
		free(o);
	}
}

void pd_pool_free(struct pd_pool *p)
{
	struct owner *o;

	if (!p)
		return;
	pd_pool_i_stop_workers(p);
	while (p->nw) {
		if (p->w[0]->batch) {
			p->w[0]->batch->dropped = 1;
			release_batch(p, p->w[0]);
		}
		pd_pool_i_forget(p, 0);
	}
	while ((o = TAILQ_FIRST(&p->owners)))
		owner_drop(p, o);
	event_free(p->sigchld);
	event_free(p->tick);
	event_free(p->grow);
	free(p->preload_path);
	free(p->preload_sym);
	free(p->preload_name);
	free(p);
}

size_t pd_pool_queued_bytes(struct pd_pool *p, void *owner)
{
	struct owner *o = owner_get(p, owner, 0);
	struct batch *b;
	size_t n = 0;

	if (o)
		TAILQ_FOREACH(b, &o->queue, q)
			n += b->recs.len;
	return n;
}

void pd_pool_drop_owner(struct pd_pool *p, void *owner)
{
	struct owner *o = owner_get(p, owner, 0);
	int i;

	if (!o)
		return;
	/* Nobody will read these results: stop the records now and free
	 * their slots (the reaper frees the batches and starts new workers). */
	for (i = 0; i < p->nw; i++)
		if (p->w[i]->batch && p->w[i]->batch->ow == o) {
			p->w[i]->batch->dropped = 1;
			pd_pool_i_kill(p->w[i]);
		}
	owner_drop(p, o);
}

/* Hand back the queued batches of one kind (gpu 0 or 1; -1: both) that
 * have not started; a partly run one finishes here rather than run
 * records twice. */
static void handback(struct pd_pool *p, int gpu)
{
	struct owner *o;
	struct batch *b, *next;

	TAILQ_FOREACH(o, &p->owners, link) {
		for (b = TAILQ_FIRST(&o->queue); b; b = next) {
			next = TAILQ_NEXT(b, q);
			if (!o->key || b->ndone || (gpu >= 0 && b->gpu != gpu))
				continue;
			TAILQ_REMOVE(&o->queue, b, q);
			p->cb.handback(p->arg, o->key, b->id);
			batch_free(p, b);
		}
	}
}

void pd_pool_handback_all(struct pd_pool *p) { handback(p, -1); }

void pd_pool_set_grace(struct pd_pool *p, int grace_ms) { p->grace_ms = grace_ms; }

void pd_pool_stop(struct pd_pool *p) { p->stopping = 1; }

void pd_pool_set_slots(struct pd_pool *p, int slots)
{

	p->slots = slots;
	pd_pool_i_grow_soon(p);
	if (slots == 0)
		handback(p, 0);
	pd_pool_i_pump(p);
}

void pd_pool_set_gpus(struct pd_pool *p, int gpus, int slots)
{
	p->gpus = gpus;
	p->gpu_slots = slots < gpus ? slots : gpus;
	pd_pool_i_grow_soon(p);
	if (p->gpu_slots == 0)
		handback(p, 1);
	pd_pool_i_pump(p);
}

int pd_pool_slots(const struct pd_pool *p) { return p->slots; }

/* Busy workers of one kind. */
static int busy(const struct pd_pool *p, int gpu)
{
	int i, n = 0;

	for (i = 0; i < p->nw; i++)
		n += p->w[i]->state == W_BUSY && (p->w[i]->gpu >= 0) == gpu;
	return n;
}

int pd_pool_busy(const struct pd_pool *p) { return busy(p, 0); }

int pd_pool_gpus_busy(const struct pd_pool *p) { return busy(p, 1); }

void pd_pool_owner_load(const struct pd_pool *p, const void *owner, int *queued, int *running)
{
	const struct owner *o;
	const struct batch *b;
	int i;

	*queued = *running = 0;
	TAILQ_FOREACH(o, &p->owners, link)
		if (o->key == owner)
			TAILQ_FOREACH(b, &o->queue, q)
				(*queued)++;
	for (i = 0; i < p->nw; i++)
		if (p->w[i]->batch && p->w[i]->batch->ow->key == owner)
			(*running)++;
}

int pd_pool_queued(const struct pd_pool *p)
{
	const struct owner *o;
	const struct batch *b;
	int n = 0;

	TAILQ_FOREACH(o, &p->owners, link)
		TAILQ_FOREACH(b, &o->queue, q)
			n++;
	return n;
}
