/* coord.c - map coordinator: host connections, batching, reorder buffer. */
#include "coord.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "clock.h"
#include "err.h"
#include "f64.h"
#include "input.h"
#include "jobx.h"
#include "json.h"
#include "peer.h"
#include "proto.h"
#include "reorder.h"
#include "worker.h"
#include "coordint.h"
#include "xmalloc.h"

static void pump(struct pd_coord *c);
static void report_done(evutil_socket_t fd, short what, void *arg);
static void report_drained(evutil_socket_t fd, short what, void *arg);
static void host_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg);

/* Tell the user something through the caller. */
static void note(struct pd_coord *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct pd_coord *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->cb.note)
		c->cb.note(c->arg, msg);
}

/* Stop the run with an exit code and message (first one wins). */
static void finish(struct pd_coord *c, int code, const char *msg)
{
	if (c->finished)
		return;
	c->finished = 1;
	c->code = code;
	snprintf(c->err, sizeof c->err, "%s", msg ? msg : "");
	if (c->cb.done)
		event_active(c->done_ev, EV_TIMEOUT, 0);
	else
		event_base_loopexit(c->base, NULL);
}

/* Send and free a message. */
static void send_msg(struct chost *h, cJSON *j, const void *blob, size_t n)
{
	pd_peer_send(h->peer, j, blob, n);
	cJSON_Delete(j);
}

/* Spread the -c (or --gpu) limit over ready hosts, in the order given. */
static void share_slots(struct pd_coord *c)
{
	int lim = c->o.gpu ? c->o.gpu : c->o.max_slots, i, left = lim > 0 ? lim : 1 << 30;
	struct chost *h;

	for (i = 0; i < c->nhosts; i++) {
		h = c->hosts[i];
		h->use = h->state == H_READY ? (h->slots < left ? h->slots : left) : 0;
		left -= h->use;
	}
}

/* Hand one final result to the caller. */
static void deliver(struct pd_coord *c, const struct pd_coord_result *r)
{
	c->ndone++;
	if (r->status != PD_R_OK)
		c->nfailed++;
	c->cb.result(c->arg, r);
	if (r->status != PD_R_OK && c->o.halt)
		finish(c, PD_EX_JOBFAIL, "halted at the first failure");
}

/* Deliver every parked result that is next in input order, passing
 * over those delivered already (PD_ORDER_FAILURES). */
static void flush_ordered(struct pd_coord *c)
{
	const struct pd_coord_result *r;

	while (!c->finished) {
		if (pd_reorder_pass_skipped(&c->order))
			continue;
		if (!(r = pd_reorder_peek(&c->order)))
			break;
		deliver(c, r);
		pd_reorder_pop(&c->order);
	}
}

/* A record's final result (record seq): deliver it now, or park it
 * until its turn. */
void pd_coord_i_store_result(struct pd_coord *c, long seq, struct pd_coord_result *r)
{
	if (c->finished)
		return; /* halted: nothing after the failure */
	if (!c->o.keep_input && r->status == PD_R_OK)
		r->in = NULL, r->inlen = 0;
	if (c->o.order == PD_ORDER_NONE) {
		deliver(c, r);
	} else if (seq == c->order.next) {
		deliver(c, r);
		pd_reorder_pop(&c->order);
	} else if (c->o.order == PD_ORDER_FAILURES && r->status == PD_R_OK) {
		deliver(c, r);
		pd_reorder_skip(&c->order, seq);
	} else {
		pd_reorder_put(&c->order, seq, r);
	}
}

/* A record's final result, from its parts; tries 0: resumed from a joblog. */
void pd_coord_i_store(struct pd_coord *c, long seq, int status, float ms, int tries, const char *host,
		      const char *out, size_t outlen, const char *in, size_t inlen)
{
	struct pd_coord_result r = {seq + 1, status, ms, host, out, outlen, in, inlen, tries < 0 ? 0 : tries,
				    tries < 0 ? 2 : tries == 0, 0};

	pd_coord_i_store_result(c, seq, &r);
}

/*
 * Records per batch for h.  A GPU slot evaluating a fed population (pd-opt)
 * takes its whole share in one batch, one batch fitness call: the
 * population divided by the GPU slots in use, not the ~5 ms batches CPU
 * slots get.  Otherwise the size tuned from measured job time.
 */
static int batch_size(const struct pd_coord *c, const struct chost *h)
{
	long use = 0, share;
	int i;

	if (!c->o.gpu || !c->o.fitness || c->o.in_fd >= 0 || c->feed_lines <= 0)
		return h->bsize;
	for (i = 0; i < c->nhosts; i++)
		use += c->hosts[i]->use;
	share = use ? (c->feed_lines + use - 1) / use : c->feed_lines;
	return share > PD_BATCH_RECORDS_MAX ? PD_BATCH_RECORDS_MAX : (int)share;
}

/* Send one batch to h; 0 when there was nothing to send. */
static int send_batch(struct pd_coord *c, struct chost *h)
{
	int i, contiguous = 1, size = batch_size(c, h);
	struct cbatch *b = pd_coord_i_batch_new(c, size);
	struct rrec *r;
	cJSON *j, *ln;
	const void *blob;
	size_t len;

	while (b->n < size && (r = pd_coord_i_retry_for(c, h))) {
		pd_coord_i_batch_add(b, r->seq, r->tries, r->line, r->len);
		TAILQ_REMOVE(&c->retry, r, link);
		free(r->line);
		free(r);
	}
	pd_coord_i_fill_fresh(c, b, size);
	if (!b->n) {
		pd_coord_i_batch_free(b);
		return 0;
	}
	j = pd_json_op(PD_OP_RUN);
	cJSON_AddNumberToObject(j, "batch", (double)b->id);
	cJSON_AddStringToObject(j, "hash", h->hash);
	cJSON_AddStringToObject(j, "sym", h->sym);
	cJSON_AddStringToObject(j, "name", c->job_name);
	if (c->o.fitness)
		cJSON_AddStringToObject(j, "kind", "fitness");
	if (c->o.gpu)
		cJSON_AddBoolToObject(j, "gpu", 1);
	if (c->o.nul)
		cJSON_AddStringToObject(j, "sep", "nul");
	cJSON_AddNumberToObject(j, "first", (double)(b->seq[0] + 1));
	cJSON_AddNumberToObject(j, "n", b->n);
	pd_runopts_put(j, &c->o.run);
	if (c->o.share)
		cJSON_AddStringToObject(j, "share", c->share_hash);
	if (c->o.args)
		cJSON_AddStringToObject(j, "args", c->o.args);
	for (i = 1; i < b->n; i++)
		contiguous &= b->seq[i] == b->seq[0] + i;
	if (!contiguous) {
		ln = cJSON_AddArrayToObject(j, "linenos");
		for (i = 0; i < b->n; i++)
			cJSON_AddItemToArray(ln, cJSON_CreateNumber((double)(b->seq[i] + 1)));
	}
	blob = b->recs.data, len = b->recs.len;
	if (c->o.f64_dim)
		blob = pd_coord_i_f64_blob(c, h, b, j, &len);
	send_msg(h, j, blob, len);
	TAILQ_INSERT_TAIL(&h->batches, b, link);
	h->inflight++;
	c->inflight += b->n;
	return 1;
}

/* 1 when every record read so far is run and delivered. */
static int all_read_delivered(const struct pd_coord *c)
{
	return TAILQ_EMPTY(&c->retry) && c->inflight == 0 &&
	       (c->o.order == PD_ORDER_NONE ? c->ndone == c->nread : c->order.next == c->nread);
}

/* 1 when every record is read, run and delivered. */
static int all_done(struct pd_coord *c)
{
	return pd_input_done(&c->in) && all_read_delivered(c);
}

/* Fed input: every record fed so far is delivered, more may come. */
static int all_fed_done(struct pd_coord *c)
{
	return !c->in.eof && pd_input_taken(&c->in) && all_read_delivered(c);
}

/* Why a GPU run cannot start: every host with its GPUs shared and found,
 * "no host shares a GPU (lab1: 0 of 2 GPUs shared, lab2: down)". */
static void no_gpu_msg(const struct pd_coord *c, char *msg, size_t n)
{
	const struct chost *h;
	size_t at;
	int i;

	at = (size_t)snprintf(msg, n, "no host shares a GPU (");
	for (i = 0; i < c->nhosts && at < n; i++) {
		h = c->hosts[i];
		if (h->state == H_READY)
			at += (size_t)snprintf(msg + at, n - at, "%s%s: %d of %d GPU%s shared", i ? ", " : "",
					       h->host, h->gpus_shared, h->gpus, h->gpus == 1 ? "" : "s");
		else
			at += (size_t)snprintf(msg + at, n - at, "%s%s: down", i ? ", " : "", h->t.name);
	}
	if (at < n)
		snprintf(msg + at, n - at, ")");
}

/* Ends the run when every host is up but shares no slot and nothing runs:
 * waiting would hang, and the owners decide when they share again. */
static void no_slots(struct pd_coord *c)
{
	char msg[PD_ERRLEN];
	int i, slots = 0;

	if (c->o.wait_slots)
		return; /* a detached run waits for the owners */
	for (i = 0; i < c->nhosts; i++) {
		if (c->hosts[i]->state != H_READY && c->hosts[i]->state != H_DOWN)
			return; /* still connecting: it may share some */
		if (c->hosts[i]->state == H_READY)
			slots += c->hosts[i]->slots;
	}
	if (slots != 0 || c->inflight != 0)
		return;
	if (!c->o.gpu) {
		finish(c, PD_EX_UNAVAILABLE, "no host shares any CPU (each one's owner set pd-alloc --cpu 0)");
		return;
	}
	no_gpu_msg(c, msg, sizeof msg);
	finish(c, PD_EX_UNAVAILABLE, msg);
}

/* Ends the run when no host is left to run what remains. */
static void check_hosts(struct pd_coord *c)
{
	int i, alive = 0, refused = 0;

	for (i = 0; i < c->nhosts; i++) {
		alive += c->hosts[i]->state != H_DOWN;
		refused += c->hosts[i]->peer == NULL && c->hosts[i]->state == H_DOWN && c->hosts[i]->slots < 0;
	}
	if (c->finished || all_done(c))
		return;
	if (alive) {
		no_slots(c);
		return;
	}
	if (refused == c->nhosts)
		finish(c, PD_EX_NOPERM, "authentication failed on every host");
	else if (!c->code)
		finish(c, PD_EX_UNAVAILABLE, "no host left to run on");
}

/* Fill every ready host's window. */
static void pump(struct pd_coord *c)
{
	struct chost *h;
	int i, sent;

	do {
		sent = 0;
		for (i = 0; i < c->nhosts && !c->finished; i++) {
			h = c->hosts[i];
			if (h->state == H_READY && h->inflight < WINDOW_PER_SLOT * h->use)
				sent += send_batch(c, h);
		}
	} while (sent && !c->finished);
	if (c->in.error && !c->finished) {
		char msg[PD_ERRLEN];

		snprintf(msg, sizeof msg, "read input: %s", strerror(c->in.error));
		finish(c, PD_EX_OSERR, msg);
	}
	if (!c->finished && all_done(c))
		finish(c, PD_EX_OK, NULL);
	else if (!c->finished && c->o.in_fd < 0 && !c->drain_told && all_fed_done(c)) {
		c->drain_told = 1;
		event_active(c->drain_ev, EV_TIMEOUT, 0);
	}
	check_hosts(c);
}

/* The host is gone or useless: its in-flight records run elsewhere. */
static void host_down(struct chost *h, const char *why, int refused)
{
	struct pd_coord *c = h->c;
	struct cbatch *b;

	if (h->state == H_DOWN)
		return;
	if (why)
		note(c, "%s: %s", h->t.name, why);
	snprintf(h->why, sizeof h->why, "%s", why ? why : "");
	while ((b = TAILQ_FIRST(&h->batches)))
		pd_coord_i_requeue_batch(c, h, b);
	if (h->peer)
		pd_peer_close(h->peer);
	h->peer = NULL;
	h->state = H_DOWN;
	if (refused)
		h->slots = -1; /* marks a refusal for check_hosts */
	share_slots(c);
	pump(c);
}

/* Adapt the batch size to the measured time per record. */
static void tune(struct chost *h, const struct cbatch *b, double us)
{
	double per = us / b->n, want;

	if (per < 0.5)
		per = 0.5; /* the per-record cost of the machinery itself */
	h->us_per_rec = h->us_per_rec < 0 ? per : 0.7 * h->us_per_rec + 0.3 * per;
	want = TARGET_BATCH_US / h->us_per_rec;
	if (want > 4.0 * h->bsize)
		want = 4.0 * h->bsize;
	if (want > PD_BATCH_RECORDS_MAX)
		want = PD_BATCH_RECORDS_MAX;
	h->bsize = want < 1 ? 1 : (int)want;
}

/* A batch's results: store, retry or fail each record. */
static void on_result(struct chost *h, const struct pd_msg *m)
{
	struct pd_coord *c = h->c;
	const unsigned char *p = m->blob, *end = p + m->blob_len;
	const char *load_error = pd_json_str(m->json, "load_error", NULL);
	uint64_t id = (uint64_t)pd_json_num(m->json, "batch", -1);
	struct cbatch *b;
	double us = 0;
	long len;
	const char *out;
	char val[PD_F64_SIZE];
	int i, st;

	TAILQ_FOREACH(b, &h->batches, link)
		if (b->id == id)
			break;
	if (!b || pd_json_num(m->json, "n", -1) != b->n) {
		host_down(h, "sent a result for an unknown batch", 0);
		return;
	}
	if (c->finished)
		return;
	if (load_error) {
		pd_coord_i_requeue_batch(c, h, b);
		finish(c, PD_EX_DATAERR, load_error);
		return;
	}
	for (i = 0; i < b->n; i++) {
		if ((len = pd_rentry_len(p, end)) < 0) {
			host_down(h, "sent a malformed result", 0);
			return;
		}
		st = p[0];
		us += pd_get_be32(p + 1);
		out = (const char *)p + PD_RENTRY_HDR;
		if (st == PD_R_OK && c->o.f64_dim && !(out = pd_coord_i_f64_value(b, out, (size_t)len, val))) {
			host_down(h, "sent a malformed fitness value", 0);
			return;
		}
		if (st != PD_R_OK && b->tries[i] < c->o.retries)
			pd_coord_i_requeue(c, b->seq[i], b->tries[i] + 1, h, b->recs.data + b->off[i],
				pd_coord_i_rec_len(b, i), 0);
		else
			pd_coord_i_store(c, b->seq[i], st, pd_get_be32(p + 1) / 1000.0f, b->tries[i] + 1, h->host, out,
			      st == PD_R_OK && c->o.f64_dim ? PD_F64_SIZE : (size_t)len, b->recs.data + b->off[i],
			      pd_coord_i_rec_len(b, i));
		p += PD_RENTRY_HDR + len;
	}
	tune(h, b, us);
	TAILQ_REMOVE(&h->batches, b, link);
	h->inflight--;
	c->inflight -= b->n;
	pd_coord_i_batch_free(b);
	flush_ordered(c);
}

/* Ask the host whether it holds a file (the job or --share data). */
static void ask_file(struct chost *h, const char *hash, const char *path)
{
	int src = h->c->o.src && !strcmp(hash, h->c->hash);
	/* A local server reads the file itself; a name that is not an
	 * absolute path (the built-in runner's) is only a name. */
	cJSON *j = pd_jobx_ask(hash, h->c->o.sym, !src && !pd_target_sealed(&h->t) && path[0] == '/' ? path : NULL);

	if (src) {
		cJSON_AddStringToObject(j, "src", "c");
		cJSON_AddStringToObject(j, "name", pd_coord_i_src_name(h->c));
	}
	send_msg(h, j, NULL, 0);
	h->acks++;
}

/* A job sent as source: 1 to go on, 0 when the run ends here (compile
 * error, no such job in what the host compiled). */
static int job_from_source(struct chost *h, const struct pd_msg *m)
{
	struct pd_buf msg = PD_BUF_INIT;
	char err[PD_ERRLEN];
	int rc = pd_coord_i_src_answer(h, m->json, &msg, err);

	if (rc && msg.len && h->c->cb.note)
		h->c->cb.note(h->c->arg, msg.data);
	if (rc)
		finish(h->c, PD_EX_DATAERR, err);
	pd_buf_release(&msg);
	return rc == 0;
}

/* A file is known to the host, or must be uploaded. */
static void on_job(struct chost *h, const struct pd_msg *m)
{
	struct pd_coord *c = h->c;
	const char *hash = pd_json_str(m->json, "hash", "");
	int is_share = c->o.share && !strcmp(hash, c->share_hash);
	cJSON *j;

	if (c->o.src && !is_share && !job_from_source(h, m))
		return;
	if (pd_jobx_held(m->json)) {
		if (--h->acks == 0) {
			h->state = H_READY;
			share_slots(c);
		}
		return;
	}
	j = pd_jobx_upload(is_share ? c->share_hash : c->hash);
	if (c->o.src && !is_share) {
		cJSON_AddStringToObject(j, "src", "c");
		cJSON_AddStringToObject(j, "name", pd_coord_i_src_name(c));
	}
	send_msg(h, j, is_share ? c->o.share_data : c->o.job, is_share ? c->o.share_len : c->o.job_len);
}

/* A message from a host (or NULL: it is gone). */
static void host_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg)
{
	struct chost *h = arg;
	struct cbatch *b;

	(void)p;
	h->heard_ns = pd_now_ns();
	if (!m) {
		h->peer = NULL; /* the peer frees itself */
		/* A refusal for a reason other than the key names its reason. */
		host_down(h, pd_peer_refused(p) && !strncmp(why, "authentication failed", 21)
				 ? "authentication failed (check that this host has the same cluster key)" : why,
			  pd_peer_refused(p));
		return;
	}
	if (!strcmp(m->op, PD_OP_WELCOME)) {
		send_msg(h, pd_json_op(PD_OP_INFO), NULL, 0);
		h->state = H_INFO;
	} else if (!strcmp(m->op, PD_OP_INFO) && h->state == H_INFO) {
		h->gpus = (int)pd_json_num(m->json, "gpus", 0);
		h->gpus_shared = (int)pd_json_num(m->json, "gpus_shared", 0);
		h->slots = h->c->o.gpu ? h->gpus_shared : (int)pd_json_num(m->json, "shared", 0);
		h->f64 = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m->json, "f64"));
		snprintf(h->host, sizeof h->host, "%s", pd_json_str(m->json, "host", h->t.name));
		ask_file(h, h->c->hash, h->c->o.job_path);
		if (h->c->o.share)
			ask_file(h, h->c->share_hash, h->c->o.share);
		h->state = H_JOB;
	} else if (!strcmp(m->op, PD_OP_JOB))
		on_job(h, m);
	else if (!strcmp(m->op, PD_OP_RESULT))
		on_result(h, m);
	else if (!strcmp(m->op, PD_OP_SLOTS)) {
		h->gpus_shared = (int)pd_json_num(m->json, "gpus_shared", 0);
		h->slots = h->c->o.gpu ? h->gpus_shared : (int)pd_json_num(m->json, "shared", 0);
		share_slots(h->c);
	} else if (!strcmp(m->op, PD_OP_HANDBACK)) {
		TAILQ_FOREACH(b, &h->batches, link)
			if (b->id == (uint64_t)pd_json_num(m->json, "batch", -1))
				break;
		if (b)
			pd_coord_i_requeue_batch(h->c, h, b);
	} else if (!strcmp(m->op, PD_OP_ERROR)) {
		host_down(h, pd_json_str(m->json, "error", "error"), pd_peer_error_code(p) == PD_EX_NOPERM);
		return;
	} else if (!strcmp(m->op, PD_OP_PONG))
		return;
	pump(h->c);
}

/* More input arrived. */
static void on_input(void *arg)
{
	pump(arg);
}

struct pd_coord *pd_coord_new(struct event_base *base, const struct pd_coord_opts *o,
			      const struct pd_coord_cb *cb, void *arg)
{
	struct pd_coord *c = pd_xcalloc(1, sizeof *c);

	c->base = base;
	pd_buf_init(&c->scratch);
	c->o = *o;
	/* Own the strings: callers build them on their stacks. */
	c->o.job_path = pd_xstrdup(o->job_path);
	c->o.sym = pd_xstrdup(o->sym);
	c->o.share = o->share ? pd_xstrdup(o->share) : NULL;
	c->o.args = o->args ? pd_xstrdup(o->args) : NULL;
	c->cb = *cb;
	c->arg = arg;
	pd_hash_hex(o->job, o->job_len, c->hash);
	snprintf(c->job_name, sizeof c->job_name, "%s",
		 strrchr(o->job_path, '/') ? strrchr(o->job_path, '/') + 1 : o->job_path);
	if (o->share)
		pd_hash_hex(o->share_data, o->share_len, c->share_hash);
	TAILQ_INIT(&c->retry);
	pd_input_init(&c->in, base, o->in_fd, on_input, c);
	c->in.sep = o->nul ? 0 : '\n';
	c->in.recsize = (size_t)o->f64_dim * PD_F64_SIZE;
	pd_reorder_init(&c->order);
	c->done_ev = event_new(base, -1, 0, report_done, c);
	c->drain_ev = event_new(base, -1, 0, report_drained, c);
	return c;
}

void pd_coord_add_target(struct pd_coord *c, const struct pd_target *t)
{
	struct chost *h = pd_xcalloc(1, sizeof *h);

	h->c = c;
	h->t = *t;
	h->us_per_rec = -1;
	h->bsize = 1;
	TAILQ_INIT(&h->batches);
	snprintf(h->host, sizeof h->host, "%s", t->name);
	snprintf(h->hash, sizeof h->hash, "%s", c->hash);
	snprintf(h->sym, sizeof h->sym, "%s", c->o.sym);
	c->hosts = pd_xrealloc(c->hosts, sizeof *c->hosts * (size_t)(c->nhosts + 1));
	c->hosts[c->nhosts++] = h;
}

/*
 * Liveness: a host whose machine vanished (power, cable) closes nothing,
 * so ping it, and count it gone when it has said nothing for SILENCE_S;
 * its records then run elsewhere.  The server answers pings from its
 * event loop, which jobs never block.
 */
static void host_ping(evutil_socket_t fd, short what, void *arg)
{
	struct chost *h = arg;
	char why[64];

	(void)fd;
	(void)what;
	if (h->state == H_DOWN) {
		event_del(h->ping);
		return;
	}
	if (pd_now_ns() - h->heard_ns > (uint64_t)SILENCE_S * 1000000000u) {
		snprintf(why, sizeof why, "no answer for %d s; counting it as down", SILENCE_S);
		host_down(h, why, 0);
		return;
	}
	/* Also while the host compiles or stores the job (H_JOB): a compile
	 * may take longer than SILENCE_S, and the host is alive meanwhile. */
	if (h->state == H_INFO || h->state == H_JOB || h->state == H_READY)
		send_msg(h, pd_json_op(PD_OP_PING), NULL, 0);
}

/* Open the connection to one host. */
static void host_connect(struct chost *h)
{
	struct timeval tv = {PING_S, 0};

	struct pd_coord *c = h->c;
	struct pd_peer_opts po = {PD_ROLE_CLIENT, pd_target_sealed(&h->t), pd_target_key(&h->t, c->o.key), h->t.name,
				  PD_BLOB_MAX, c->o.client, 0};
	char err[PD_ERRLEN];
	int fd;

	h->state = H_CONNECTING;
	h->heard_ns = pd_now_ns();
	h->ping = event_new(c->base, -1, EV_PERSIST, host_ping, h);
	event_add(h->ping, &tv);
	if (h->t.kind == PD_T_TCP) {
		h->peer = pd_peer_connect(c->base, (struct sockaddr *)&h->t.ss, h->t.sslen, &po, host_msg, h);
		return;
	}
	if ((fd = pd_target_open(&h->t, err)) < 0) {
		h->state = H_DOWN;
		snprintf(h->why, sizeof h->why, "%s", err);
		note(c, "%s", err);
		return;
	}
	h->peer = pd_peer_new(c->base, fd, &po, host_msg, h);
}

/* Tell the owner the run ended (from the loop, so it may free us). */
static void report_done(evutil_socket_t fd, short what, void *arg)
{
	struct pd_coord *c = arg;

	(void)fd;
	(void)what;
	c->cb.done(c->arg, c->code, c->err);
}

/* Tell the owner its fed records are all delivered (from the loop). */
static void report_drained(evutil_socket_t fd, short what, void *arg)
{
	struct pd_coord *c = arg;

	(void)fd;
	(void)what;
	if (!c->finished && c->cb.drained)
		c->cb.drained(c->arg);
}

void pd_coord_feed(struct pd_coord *c, const char *lines, size_t len)
{
	const char *p = lines, *end = lines + len;

	for (c->feed_lines = 0; p < end && (p = memchr(p, c->in.sep, (size_t)(end - p))); p++)
		c->feed_lines++;
	pd_input_feed(&c->in, lines, len);
	c->drain_told = 0;
	if (c->nhosts && !c->finished)
		pump(c);
}

void pd_coord_feed_points(struct pd_coord *c, const double *x, long n)
{
	size_t k = (size_t)n * (size_t)c->o.f64_dim;

	if (pd_f64_native() && pd_input_taken(&c->in)) /* read in place */
		pd_input_lend(&c->in, x, k * PD_F64_SIZE);
	else
		pd_f64_put(pd_input_feed_room(&c->in, k * PD_F64_SIZE), x, k);
	c->feed_lines = n;
	c->drain_told = 0;
	if (c->nhosts && !c->finished)
		pump(c);
}

void pd_coord_end_input(struct pd_coord *c)
{
	pd_input_close(&c->in);
	if (!c->finished)
		pump(c);
}

void pd_coord_start(struct pd_coord *c)
{
	int i;

	for (i = 0; i < c->nhosts; i++)
		host_connect(c->hosts[i]);
	check_hosts(c);
	if (!c->finished)
		pump(c);
}

void pd_coord_cancel(struct pd_coord *c)
{
	int i;

	c->finished = 1;
	event_del(c->done_ev);
	event_del(c->drain_ev);
	pd_input_stop(&c->in);
	for (i = 0; i < c->nhosts; i++) {
		if (c->hosts[i]->ping)
			event_del(c->hosts[i]->ping);
		if (c->hosts[i]->peer) {
			pd_peer_close(c->hosts[i]->peer);
			c->hosts[i]->peer = NULL;
			c->hosts[i]->state = H_DOWN;
		}
	}
}

int pd_coord_run(struct pd_coord *c, char *err)
{
	pd_coord_start(c);
	if (!c->finished)
		event_base_dispatch(c->base);
	if (!c->finished) {
		c->code = PD_EX_SOFTWARE;
		snprintf(c->err, sizeof c->err, "event loop ended early");
	}
	pd_err(err, "%s", c->err);
	return c->code;
}

void pd_coord_stats(const struct pd_coord *c, struct pd_coord_stats *s)
{
	int i;

	s->read = c->nread;
	s->done = c->ndone;
	s->failed = c->nfailed;
	s->inflight = c->inflight;
	s->eof = c->in.eof;
	s->hosts_up = 0;
	s->slots = 0;
	for (i = 0; i < c->nhosts; i++)
		if (c->hosts[i]->state == H_READY) {
			s->hosts_up++;
			s->slots += c->hosts[i]->use;
		}
}

int pd_coord_host_info(const struct pd_coord *c, int i, struct pd_coord_host *out)
{
	static const char *names[] = {"connecting", "connecting", "connecting", "up", "down"};
	const struct chost *h;
	const struct cbatch *b;

	if (i < 0 || i >= c->nhosts)
		return -1;
	h = c->hosts[i];
	*out = (struct pd_coord_host){h->t.name, h->host, names[h->state], h->why, h->slots, 0};
	TAILQ_FOREACH(b, &h->batches, link)
		out->records += b->n;
	return 0;
}

void pd_coord_free(struct pd_coord *c)
{
	struct cbatch *b;
	struct rrec *r;
	int k;

	if (!c)
		return;
	for (k = 0; k < c->nhosts; k++) {
		while ((b = TAILQ_FIRST(&c->hosts[k]->batches))) {
			TAILQ_REMOVE(&c->hosts[k]->batches, b, link);
			pd_coord_i_batch_free(b);
		}
		if (c->hosts[k]->peer)
			pd_peer_close(c->hosts[k]->peer);
		if (c->hosts[k]->ping)
			event_free(c->hosts[k]->ping);
		free(c->hosts[k]);
	}
	while ((r = TAILQ_FIRST(&c->retry))) {
		TAILQ_REMOVE(&c->retry, r, link);
		free(r->line);
		free(r);
	}
	pd_reorder_release(&c->order);
	free(c->hosts);
	pd_input_release(&c->in);
	event_free(c->done_ev);
	event_free(c->drain_ev);
	free((char *)c->o.job_path);
	free((char *)c->o.sym);
	free((char *)c->o.share);
	free((char *)c->o.args);
	pd_buf_release(&c->scratch);
	free(c);
}
