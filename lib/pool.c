/* pool.c - worker processes, the batch queue, crashes and timeouts. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "buf.h"
#include "err.h"
#include "evframe.h"
#include "log.h"
#include "memlimit.h"
#include "proto.h"
#include "worker.h"

#define UNDONE 0xff
#define WORKERS_MAX 1024
#define TICK_MS 100
#define FINI_GRACE_MS 2000 /* for idle workers' fini hooks at the end */

/* One record's result inside a batch. */
struct rslot {
	unsigned char status; /* enum pd_rstatus, or UNDONE */
	uint32_t usec;
	size_t off, len; /* in batch->rbuf */
};

struct owner;

/* A submitted batch and the results gathered for it so far. */
struct batch {
	struct owner *ow;
	uint64_t id;
	char *path, *sym, *share, *name;
	long first;
	cJSON *linenos;
	struct pd_buf recs;
	size_t *off; /* n+1 line start offsets into recs */
	int n, ndone, timeout_ms, running, dropped, fitness;
	long long mem, mem_cap;
	struct rslot *rs;
	struct pd_buf rbuf;
	char load_error[PD_ERRLEN];
	TAILQ_ENTRY(batch) q;
};
TAILQ_HEAD(batchq, batch);

/* A client, for round-robin fairness. */
struct owner {
	void *key;
	struct batchq queue;
	int nbatches; /* queued + running */
	TAILQ_ENTRY(owner) link;
};
TAILQ_HEAD(ownerq, owner);

enum wstate { W_IDLE, W_BUSY, W_RETIRING };

/* A worker process as the pool sees it. */
struct wproc {
	pid_t pid;
	struct bufferevent *bev;
	struct pd_worker_shm *shm;
	enum wstate state;
	struct batch *batch;
	int a, b; /* record range [a, b) dispatched */
	uint64_t seq;
	int timed_out;
};

struct pd_pool {
	struct event_base *base;
	struct pd_pool_cb cb;
	void *arg;
	int slots;
	struct wproc *w[WORKERS_MAX];
	int nw;
	struct ownerq owners;
	struct event *sigchld, *tick, *grow;
	uint64_t seq;
};

static void pump(struct pd_pool *p);
static void worker_read(struct bufferevent *bev, void *arg);
static void worker_event(struct bufferevent *bev, short what, void *arg);

/* Workers that count against the allocation (not retiring). */
static int live_workers(const struct pd_pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->nw; i++)
		n += p->w[i]->state != W_RETIRING;
	return n;
}

/* Set up the child side of a fork: only the worker pipe stays open. */
static void worker_child(int fd, struct pd_worker_shm *shm)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1};
	size_t i;
	int null;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (fd != 3 && dup2(fd, 3) < 0)
		_exit(127);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0 && null != 0) {
		dup2(null, 0);
		close(null);
	}
	dup2(2, 1); /* a job's printf goes to the server's log, never the protocol */
	close_range(4, ~0u, 0);
	pd_worker_main(3, shm, -1);
}

/* Fork one worker process and add it to the pool. */
static int spawn(struct pd_pool *p, char *err)
{
	struct wproc *w;
	int sv[2];
	pid_t pid;

	if (p->nw == WORKERS_MAX) {
		pd_err(err, "too many workers (at most %d)", WORKERS_MAX);
		return -1;
	}
	w = calloc(1, sizeof *w);
	if (!w)
		abort();
	w->shm = mmap(NULL, sizeof *w->shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->shm == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pd_err(err, "worker set-up: %s", strerror(errno));
		if (w->shm != MAP_FAILED)
			munmap(w->shm, sizeof *w->shm);
		free(w);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		munmap(w->shm, sizeof *w->shm);
		free(w);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		worker_child(sv[1], w->shm);
	}
	close(sv[1]);
	w->pid = pid;
	w->bev = bufferevent_socket_new(p->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(w->bev, worker_read, NULL, worker_event, p);
	bufferevent_enable(w->bev, EV_READ);
	p->w[p->nw++] = w;
	pd_log(PD_LOG_DEBUG, "worker %d started", (int)pid);
	return 0;
}

/* The owner record for key, created on first use. */
static struct owner *owner_get(struct pd_pool *p, void *key, int create)
{
	struct owner *o;

	TAILQ_FOREACH(o, &p->owners, link)
		if (o->key == key)
			return o;
	if (!create)
		return NULL;
	o = calloc(1, sizeof *o);
	if (!o)
		abort();
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
	free(b->name);
	cJSON_Delete(b->linenos);
	pd_buf_release(&b->recs);
	pd_buf_release(&b->rbuf);
	free(b->off);
	free(b->rs);
	free(b);
	if (--o->nbatches == 0 && o->key == NULL) {
		TAILQ_REMOVE(&p->owners, o, link);
		free(o);
	}
}

/* Index line starts; -1 unless the blob holds exactly n records. */
static int index_lines(struct batch *b)
{
	const char *s = b->recs.data, *end = s + b->recs.len, *nl;
	int i;

	b->off = malloc(sizeof *b->off * ((size_t)b->n + 1));
	if (!b->off)
		abort();
	for (i = 0; i < b->n; i++) {
		b->off[i] = (size_t)(s - b->recs.data);
		nl = memchr(s, '\n', (size_t)(end - s));
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
	b = calloc(1, sizeof *b);
	if (!b)
		abort();
	pd_buf_init(&b->recs);
	pd_buf_init(&b->rbuf);
	pd_buf_add(&b->recs, job->recs, job->len);
	b->n = job->n;
	if (index_lines(b)) {
		pd_err(err, "batch blob does not hold exactly %d newline-terminated records", job->n);
		pd_buf_release(&b->recs);
		free(b->off);
		free(b);
		return -1;
	}
	b->id = job->id;
	b->path = strdup(job->path);
	b->sym = strdup(job->sym);
	b->share = job->share ? strdup(job->share) : NULL;
	b->name = job->name ? strdup(job->name) : NULL;
	b->first = job->first;
	b->linenos = job->linenos ? cJSON_Duplicate(job->linenos, 1) : NULL;
	b->timeout_ms = job->timeout_ms;
	b->fitness = job->fitness;
	b->mem = job->mem;
	b->mem_cap = job->mem_cap;
	b->rs = malloc(sizeof *b->rs * (size_t)b->n);
	if (!b->rs || !b->path || !b->sym)
		abort();
	for (i = 0; i < b->n; i++)
		b->rs[i].status = UNDONE;
	b->ow = owner_get(p, job->owner, 1);
	b->ow->nbatches++;
	TAILQ_INSERT_TAIL(&b->ow->queue, b, q);
	pump(p);
	return 0;
}

/* The next batch to serve: round-robin over owners with queued work. */
static struct batch *next_batch(struct pd_pool *p)
{
	struct owner *o;
	struct batch *b;

	TAILQ_FOREACH(o, &p->owners, link) {
		b = TAILQ_FIRST(&o->queue);
		if (!b)
			continue;
		TAILQ_REMOVE(&o->queue, b, q);
		TAILQ_REMOVE(&p->owners, o, link);
		TAILQ_INSERT_TAIL(&p->owners, o, link);
		return b;
	}
	return NULL;
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
	b->running = 1;
	cJSON_AddStringToObject(j, "op", PD_OP_RUN);
	cJSON_AddNumberToObject(j, "seq", (double)w->seq);
	cJSON_AddStringToObject(j, "path", b->path);
	cJSON_AddStringToObject(j, "sym", b->sym);
	if (b->name)
		cJSON_AddStringToObject(j, "name", b->name);
	if (b->share)
		cJSON_AddStringToObject(j, "share", b->share);
	if (b->fitness)
		cJSON_AddStringToObject(j, "kind", "fitness");
	cJSON_AddNumberToObject(j, "mem", (double)b->mem);
	cJSON_AddNumberToObject(j, "mem_cap", (double)b->mem_cap);
	cJSON_AddNumberToObject(j, "n", e - a);
	cJSON_AddNumberToObject(j, "first", (double)(b->first + a));
	if (b->linenos) {
		ln = cJSON_AddArrayToObject(j, "linenos");
		for (i = a; i < e; i++)
			cJSON_AddItemToArray(ln, cJSON_Duplicate(cJSON_GetArrayItem(b->linenos, i), 0));
	}
	pd_evframe_put(bufferevent_get_output(w->bev), NULL, j, b->recs.data + b->off[a],
		       b->off[e] - b->off[a]);
	cJSON_Delete(j);
}

/* Hand idle workers queued batches; retire surplus idle workers. */
static void pump(struct pd_pool *p)
{
	struct batch *b;
	int i;

	for (i = 0; i < p->nw && live_workers(p) > p->slots; i++) {
		if (p->w[i]->state == W_IDLE) {
			p->w[i]->state = W_RETIRING;
			bufferevent_disable(p->w[i]->bev, EV_WRITE);
			shutdown(bufferevent_getfd(p->w[i]->bev), SHUT_WR);
		}
	}
	for (i = 0; i < p->nw; i++) {
		if (p->w[i]->state != W_IDLE)
			continue;
		b = next_batch(p);
		if (!b)
			break;
		dispatch(p, p->w[i], b);
	}
}

/* Deliver a finished batch in record order, then free it. */
static void batch_finish(struct pd_pool *p, struct batch *b)
{
	struct pd_buf out = PD_BUF_INIT;
	unsigned char h[PD_RENTRY_HDR];
	int i;

	if (!b->dropped) {
		for (i = 0; i < b->n; i++) {
			h[0] = b->rs[i].status;
			pd_put_be32(h + 1, b->rs[i].usec);
			pd_put_be32(h + 5, (unsigned)b->rs[i].len);
			pd_buf_add(&out, h, sizeof h);
			pd_buf_add(&out, b->rbuf.data + b->rs[i].off, b->rs[i].len);
		}
		p->cb.done(p->arg, b->ow->key, b->id, (unsigned char *)out.data, out.len, b->n,
			   b->load_error[0] ? b->load_error : NULL);
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

	w->batch = NULL;
	b->running = 0;
	if (b->ndone == b->n)
		batch_finish(p, b);
	else if (b->dropped)
		batch_free(p, b);
	else
		TAILQ_INSERT_HEAD(&b->ow->queue, b, q);
}

/* Copy the entries of a worker's result into its batch.  -1 if malformed. */
static int take_entries(struct wproc *w, const struct pd_msg *m)
{
	struct batch *b = w->batch;
	const unsigned char *s = m->blob, *end = s + m->blob_len;
	uint32_t len;
	int i;

	if ((uint64_t)pd_json_num(m->json, "seq", 0) != w->seq ||
	    pd_json_num(m->json, "n", -1) != w->b - w->a)
		return -1;
	for (i = w->a; i < w->b; i++) {
		if (end - s < PD_RENTRY_HDR)
			return -1;
		len = pd_get_be32(s + 5);
		if ((size_t)(end - s - PD_RENTRY_HDR) < len)
			return -1;
		set_result(b, i, s[0], pd_get_be32(s + 1), s + PD_RENTRY_HDR, len);
		s += PD_RENTRY_HDR + len;
	}
	if (pd_json_str(m->json, "load_error", NULL))
		snprintf(b->load_error, sizeof b->load_error, "%s", pd_json_str(m->json, "load_error", ""));
	return s == end ? 0 : -1;
}

/* Results from a worker. */
static void worker_read(struct bufferevent *bev, void *arg)
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
	while ((rc = pd_evframe_take(bufferevent_get_input(bev), PD_WORKER_BLOB_MAX, NULL, &m, err)) == 1) {
		if (w->state != W_BUSY || strcmp(m.op, PD_OP_RESULT) || take_entries(w, &m)) {
			pd_log(PD_LOG_ERR, "worker %d sent a malformed result; killing it", (int)w->pid);
			kill(w->pid, SIGKILL);
			break;
		}
		release_batch(p, w);
		w->state = W_IDLE;
		pump(p);
		if (p->cb.idle)
			p->cb.idle(p->arg);
	}
	if (rc < 0) {
		pd_log(PD_LOG_ERR, "worker %d: %s; killing it", (int)w->pid, err);
		kill(w->pid, SIGKILL);
	}
	pd_msg_release(&m);
}

/* EOF or error on a worker pipe: the reaper handles the death itself. */
static void worker_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_disable(bev, EV_READ | EV_WRITE);
}

/* Why a worker died, in words. */
static void death_reason(int status, int timed_out, int timeout_ms, char *msg, size_t n)
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

/* Blame the record a dead worker was running; the rest runs elsewhere. */
static void blame(struct pd_pool *p, struct wproc *w, int status)
{
	struct batch *b = w->batch;
	char msg[160];
	int k = w->a, i;

	if (w->shm->seq == w->seq && w->shm->phase == PD_PHASE_RUNNING)
		k = w->a + (int)w->shm->index;
	if (k >= w->b)
		k = w->b - 1;
	death_reason(status, w->timed_out, b->timeout_ms, msg, sizeof msg);
	if (w->shm->oom && b->mem)
		pd_memlimit_blame(b->mem, msg, sizeof msg);
	if (w->shm->seq == w->seq && w->shm->phase == PD_PHASE_LOADING) {
		/* It died loading the job: no record of it can run. */
		char lmsg[PD_ERRLEN];

		snprintf(lmsg, sizeof lmsg, "loading the job: %s", msg);
		snprintf(b->load_error, sizeof b->load_error, "%s", lmsg);
		for (i = w->a; i < w->b; i++)
			set_result(b, i, PD_R_LOST, 0, lmsg, strlen(lmsg));
	} else {
		uint64_t ran = w->shm->seq == w->seq ? (pd_now_ns() - w->shm->start_ns) / 1000 : 0;

		set_result(b, k, w->timed_out ? PD_R_TIMEOUT : PD_R_CRASH, ran > 0xffffffffu ? 0xffffffffu : (uint32_t)ran,
			   msg, strlen(msg));
	}
	release_batch(p, w);
}

/* Remove worker index i from the table and free it. */
static void worker_forget(struct pd_pool *p, int i)
{
	struct wproc *w = p->w[i];

	bufferevent_free(w->bev);
	munmap(w->shm, sizeof *w->shm);
	free(w);
	p->w[i] = p->w[--p->nw];
}

/* Collect dead workers, blame their records, start replacements. */
static void reap(evutil_socket_t sig, short what, void *arg)
{
	struct pd_pool *p = arg;
	int status, i;
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
		worker_forget(p, i);
	}
	if (live_workers(p) < p->slots)
		event_active(p->grow, EV_TIMEOUT, 0);
	pump(p);
	if (p->cb.idle)
		p->cb.idle(p->arg);
}

/*
 * Start missing workers one per loop turn, so that a new server answers
 * its first client and dispatches to the first workers while the rest
 * are still being forked.
 */
static void grow(evutil_socket_t fd, short what, void *arg)
{
	struct pd_pool *p = arg;
	char err[PD_ERRLEN];

	(void)fd;
	(void)what;
	if (live_workers(p) >= p->slots)
		return;
	if (spawn(p, err)) {
		pd_log(PD_LOG_ERR, "%s", err);
		return;
	}
	pump(p);
	if (live_workers(p) < p->slots)
		event_active(p->grow, EV_TIMEOUT, 0);
}

/* Kill workers whose current record ran past its batch's time limit. */
static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct pd_pool *p = arg;
	uint64_t now = pd_now_ns();
	struct wproc *w;
	int i;

	(void)fd;
	(void)what;
	for (i = 0; i < p->nw; i++) {
		w = p->w[i];
		if (w->state != W_BUSY || !w->batch->timeout_ms || w->timed_out)
			continue;
		if (w->shm->seq != w->seq || w->shm->phase != PD_PHASE_RUNNING)
			continue;
		if (now - w->shm->start_ns > (uint64_t)w->batch->timeout_ms * 1000000u) {
			w->timed_out = 1;
			kill(w->pid, SIGKILL);
		}
	}
}

struct pd_pool *pd_pool_new(struct event_base *base, int slots,
			    const struct pd_pool_cb *cb, void *arg, char *err)
{
	struct timeval tv = {0, TICK_MS * 1000};
	struct pd_pool *p = calloc(1, sizeof *p);

	if (!p)
		abort();
	p->base = base;
	p->cb = *cb;
	p->arg = arg;
	p->slots = slots;
	TAILQ_INIT(&p->owners);
	p->sigchld = evsignal_new(base, SIGCHLD, reap, p);
	p->tick = event_new(base, -1, EV_PERSIST, tick, p);
	p->grow = event_new(base, -1, 0, grow, p);
	event_add(p->sigchld, NULL);
	event_add(p->tick, &tv);
	/* One worker now, so that failing to fork is reported at start. */
	if (slots > 0 && spawn(p, err)) {
		pd_pool_free(p);
		return NULL;
	}
	if (slots > 1)
		event_active(p->grow, EV_TIMEOUT, 0);
	return p;
}

/*
 * End every worker: idle ones see their pipe close and exit after the
 * jobs' fini hooks (given FINI_GRACE_MS in all); busy ones, and any
 * still there after the grace, are killed.
 */
static void stop_workers(struct pd_pool *p)
{
	struct timespec ms = {0, 1000000};
	uint64_t deadline = pd_now_ns() + FINI_GRACE_MS * 1000000ull;
	int i, left;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i]->state == W_BUSY)
			kill(p->w[i]->pid, SIGKILL);
		else
			shutdown(bufferevent_getfd(p->w[i]->bev), SHUT_WR);
	}
	for (;;) {
		for (i = 0, left = 0; i < p->nw; i++) {
			if (p->w[i]->pid > 0 && waitpid(p->w[i]->pid, NULL, WNOHANG) == p->w[i]->pid)
				p->w[i]->pid = 0;
			left += p->w[i]->pid > 0;
		}
		if (!left || pd_now_ns() >= deadline)
			break;
		nanosleep(&ms, NULL); /* a SIGCHLD may cut it short: fine */
	}
	for (i = 0; i < p->nw; i++)
		if (p->w[i]->pid > 0) {
			kill(p->w[i]->pid, SIGKILL);
			waitpid(p->w[i]->pid, NULL, 0);
		}
}

void pd_pool_free(struct pd_pool *p)
{
	struct owner *o;
	struct batch *b;

	if (!p)
		return;
	stop_workers(p);
	while (p->nw) {
		if (p->w[0]->batch) {
			p->w[0]->batch->dropped = 1;
			release_batch(p, p->w[0]);
		}
		worker_forget(p, 0);
	}
	while ((o = TAILQ_FIRST(&p->owners))) {
		o->key = NULL;
		o->nbatches++; /* hold it while its batches go */
		while ((b = TAILQ_FIRST(&o->queue))) {
			TAILQ_REMOVE(&o->queue, b, q);
			batch_free(p, b);
		}
		if (--o->nbatches == 0) {
			TAILQ_REMOVE(&p->owners, o, link);
			free(o);
		}
	}
	event_free(p->sigchld);
	event_free(p->tick);
	event_free(p->grow);
	free(p);
}

void pd_pool_drop_owner(struct pd_pool *p, void *owner)
{
	struct owner *o = owner_get(p, owner, 0);
	struct batch *b;
	int i;

	if (!o)
		return;
	/* Nobody will read these results: stop the records now and free
	 * their slots (the reaper frees the batches and starts new workers). */
	for (i = 0; i < p->nw; i++)
		if (p->w[i]->batch && p->w[i]->batch->ow == o) {
			p->w[i]->batch->dropped = 1;
			kill(p->w[i]->pid, SIGKILL);
		}
	o->key = NULL;
	o->nbatches++;
	while ((b = TAILQ_FIRST(&o->queue))) {
		TAILQ_REMOVE(&o->queue, b, q);
		batch_free(p, b);
	}
	if (--o->nbatches == 0) {
		TAILQ_REMOVE(&p->owners, o, link);
		free(o);
	}
}

void pd_pool_handback_all(struct pd_pool *p)
{
	struct owner *o;
	struct batch *b;

	TAILQ_FOREACH(o, &p->owners, link) {
		while ((b = TAILQ_FIRST(&o->queue))) {
			TAILQ_REMOVE(&o->queue, b, q);
			if (o->key && b->ndone == 0) {
				p->cb.handback(p->arg, o->key, b->id);
				batch_free(p, b);
			} else if (o->key) {
				/* Partly run: finish it here rather than run records twice. */
				TAILQ_INSERT_HEAD(&o->queue, b, q);
				break;
			}
		}
	}
}

void pd_pool_set_slots(struct pd_pool *p, int slots)
{

	p->slots = slots;
	if (live_workers(p) < p->slots)
		event_active(p->grow, EV_TIMEOUT, 0);
	if (slots == 0)
		pd_pool_handback_all(p);
	pump(p);
}

int pd_pool_slots(const struct pd_pool *p) { return p->slots; }

int pd_pool_busy(const struct pd_pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->nw; i++)
		n += p->w[i]->state == W_BUSY;
	return n;
}

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
