/* coordbatch.c - the coordinator's batches in flight and records to run again. */
#include "coordint.h"
#include "xmalloc.h"

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

