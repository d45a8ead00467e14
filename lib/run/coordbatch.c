/* coordbatch.c - the coordinator's batches: filled from input, in flight, and records to run again. */
#include "coordint.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Queue a record to run again, at the front when it was not its fault. */
void pd_coord_i_requeue(struct pd_coord *c, long seq, int tries, struct chost *avoid,
		    const char *line, size_t len, int front)
{
	struct rrec *r = pd_xcalloc(1, sizeof *r);

	r->seq = seq;
	r->tries = tries;
	r->avoid = avoid;
	r->line = pd_xmalloc(len + 1);
	memcpy(r->line, line, len);
	r->line[len] = 0;
	r->len = len;
	if (front)
		TAILQ_INSERT_HEAD(&c->retry, r, link);
	else
		TAILQ_INSERT_TAIL(&c->retry, r, link);
}

void pd_coord_i_batch_free(struct cbatch *b)
{
	pd_buf_release(&b->recs);
	free(b->seq);
	free(b->tries);
	free(b->off);
	free(b);
}

/* Every record of a batch goes back to the queue, untried. */
void pd_coord_i_requeue_batch(struct pd_coord *c, struct chost *h, struct cbatch *b)
{
	int i;

	for (i = b->n - 1; i >= 0; i--)
		pd_coord_i_requeue(c, b->seq[i], b->tries[i], NULL, b->recs.data + b->off[i],
			pd_coord_i_rec_len(b, i), 1);
	TAILQ_REMOVE(&h->batches, b, link);
	h->inflight--;
	c->inflight -= b->n;
	pd_coord_i_batch_free(b);
}

/* Start a batch with room for n records. */
struct cbatch *pd_coord_i_batch_new(struct pd_coord *c, int n)
{
	struct cbatch *b = pd_xcalloc(1, sizeof *b);

	pd_buf_init(&b->recs);
	b->id = c->next_batch++;
	b->seq = pd_xmalloc(sizeof *b->seq * (size_t)n);
	b->tries = pd_xmalloc((size_t)n);
	b->off = pd_xmalloc(sizeof *b->off * ((size_t)n + 1));
	b->off[0] = 0;
	b->sep = c->o.nul ? 0 : '\n';
	b->fixed = c->o.f64_dim > 0;
	if (b->fixed) /* fixed-size points: the batch's bytes at once */
		pd_buf_grow(&b->recs, (size_t)n * c->in.recsize);
	return b;
}

/* Append one record to a batch. */
void pd_coord_i_batch_add(struct cbatch *b, long seq, int tries, const char *line, size_t len)
{
	b->seq[b->n] = seq;
	b->tries[b->n] = (unsigned char)tries;
	pd_buf_add(&b->recs, line, len);
	if (!b->fixed)
		pd_buf_addc(&b->recs, b->sep);
	b->n++;
	b->off[b->n] = b->recs.len;
}

void pd_coord_i_batch_add_run(struct cbatch *b, long seq, const char *recs, long n, size_t size)
{
	long i;

	pd_buf_add(&b->recs, recs, (size_t)n * size);
	for (i = 0; i < n; i++) {
		b->seq[b->n] = seq + i;
		b->tries[b->n] = 0;
		b->n++;
		b->off[b->n] = b->off[b->n - 1] + size;
	}
}

size_t pd_coord_i_rec_len(const struct cbatch *b, int i)
{
	return b->off[i + 1] - b->off[i] - (b->fixed ? 0 : 1);
}

/* Records to retry that may run on h (not the host they failed on,
 * unless h is the only host left). */
struct rrec *pd_coord_i_retry_for(struct pd_coord *c, struct chost *h)
{
	struct rrec *r;
	int i, others = 0;

	for (i = 0; i < c->nhosts; i++)
		others += c->hosts[i] != h && c->hosts[i]->state == H_READY;
	TAILQ_FOREACH(r, &c->retry, link)
		if (r->avoid != h || !others)
			return r;
	return NULL;
}

/* 1 when the caller's cache holds the record's result: delivered. */
static int from_cache(struct pd_coord *c, const char *line, size_t len)
{
	struct pd_coord_hit hit;
	struct pd_coord_result r;

	if (!c->cb.cached(c->arg, line, len, &hit))
		return 0;
	r = (struct pd_coord_result){c->nread + 1, PD_R_OK, hit.ms, hit.host, hit.out, hit.outlen,
				     line, len, hit.tries, 0, 1};
	pd_coord_i_store_result(c, c->nread++, &r);
	return 1;
}

/*
 * Fresh fixed-size points (a fed population) for a batch in one run, up
 * to its bytes cap and the reorder buffer's room: there is nothing to
 * look up per point, and one copy is all they need.
 */
static void fill_points(struct pd_coord *c, struct cbatch *b, int max, size_t cap)
{
	long room = max - b->n, n;
	const char *recs;

	if ((size_t)room > (cap - b->recs.len) / c->in.recsize)
		room = (long)((cap - b->recs.len) / c->in.recsize);
	if (c->o.order != PD_ORDER_NONE && room > PD_REORDER_MAX - (c->nread - c->order.next))
		room = PD_REORDER_MAX - (c->nread - c->order.next);
	recs = pd_input_records(&c->in, room, &n);
	if (recs) {
		pd_coord_i_batch_add_run(b, c->nread, recs, n, c->in.recsize);
		c->nread += n;
	}
}

void pd_coord_i_fill_fresh(struct pd_coord *c, struct cbatch *b, int max)
{
	size_t cap = c->o.gpu && c->o.fitness ? GPU_BATCH_BYTES_MAX : BATCH_BYTES_MAX, len;
	const char *line, *nul;

	if (c->in.recsize && !c->cb.resume && !c->cb.cached) {
		if (b->recs.len < cap && !c->finished)
			fill_points(c, b, max, cap);
		return;
	}
	while (b->n < max && b->recs.len < cap && !c->finished) {
		if (c->o.order != PD_ORDER_NONE && !pd_reorder_room(&c->order, c->nread))
			break; /* results are piling up behind a slow record */
		line = pd_input_line(&c->in, &len);
		if (!line)
			break;
		if (c->cb.resume) {
			const char *host = "";
			double ms = 0;
			int done;

			pd_buf_reset(&c->scratch);
			done = c->cb.resume(c->arg, c->nread + 1, line, len, &c->scratch, &host, &ms);
			if (done) { /* tries 0: taken from the log; -1: left out */
				pd_coord_i_store(c, c->nread++, PD_R_OK, (float)ms, done == 2 ? -1 : 0, host,
						 c->scratch.data, c->scratch.len, line, len);
				continue;
			}
		}
		if (!c->o.nul && !c->o.f64_dim && (nul = memchr(line, 0, len))) {
			char msg[160];

			snprintf(msg, sizeof msg, "the record holds a NUL byte at byte %zu; records are text "
				 "(-0 reads NUL-separated records)", (size_t)(nul - line) + 1);
			pd_coord_i_store(c, c->nread++, PD_R_ERROR, 0, 1, "", msg, strlen(msg), line, len);
			continue;
		}
		if (c->cb.cached && from_cache(c, line, len))
			continue;
		pd_coord_i_batch_add(b, c->nread++, 0, line, len);
	}
}
