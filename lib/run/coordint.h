/* coordint.h - what coord.c shares with coordbatch.c, and no one else. */
#ifndef PD_COORDINT_H
#define PD_COORDINT_H

#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "buf.h"
#include "cache.h"
#include "coord.h"
#include "err.h"
#include "input.h"
#include "peer.h"
#include "proto.h"
#include "reorder.h"

#define TARGET_BATCH_US 5000.0	   /* aim for batches of about 5 ms */
#define BATCH_BYTES_MAX (4u << 20) /* records bytes per batch */
#define GPU_BATCH_BYTES_MAX (64u << 20) /* ... of a GPU fitness batch (a population share) */
#define WINDOW_PER_SLOT 2
#define PING_S 2	    /* ping hosts this often ... */
#define SILENCE_S 10	    /* ... and count one gone after this long unheard */

enum hstate { H_CONNECTING, H_INFO, H_JOB, H_READY, H_DOWN };

struct chost;

/* A batch sent to a host and not yet answered. */
struct cbatch {
	uint64_t id;
	int n;
	long *seq;		/* record indices (0-based) */
	unsigned char *tries;	/* runs so far, per record */
	struct pd_buf recs;	/* the records, each ended by sep */
	char sep;		/* '\n', or NUL for -0 */
	int fixed;		/* binary points: records of a fixed size, no sep */
	int binary;		/* sent as binary points (results are 8-byte values) */
	size_t *off;		/* n+1 line offsets into recs */
	TAILQ_ENTRY(cbatch) link;
};
TAILQ_HEAD(cbatchq, cbatch);

/* A record waiting to run again (host lost, handed back, retry). */
struct rrec {
	long seq;
	int tries;
	struct chost *avoid; /* the host it failed on */
	char *line;
	size_t len;
	TAILQ_ENTRY(rrec) link;
};
TAILQ_HEAD(rrecq, rrec);

struct chost {
	struct pd_coord *c;
	struct pd_target t;
	struct pd_peer *peer;
	enum hstate state;
	int slots, use, inflight;
	int gpus, gpus_shared; /* GPUs of the host, and shared (from info) */
	int f64; /* the host takes binary points ("f64" in its info) */
	int acks; /* "job" answers still awaited: the job, then --share data */
	struct event *ping;   /* liveness: ping every PING_S, give up after SILENCE_S */
	uint64_t heard_ns;    /* when the host last said anything */
	double us_per_rec; /* measured, < 0 until known */
	int bsize;
	struct cbatchq batches;
	char host[300]; /* name the server reports */
	char hash[PD_HASH_HEX], sym[256]; /* the job this host runs (its own compile) */
	char why[PD_ERRLEN]; /* why it went down */
};

struct pd_coord {
	struct event_base *base;
	struct pd_coord_opts o;
	struct pd_coord_cb cb;
	void *arg;
	char hash[PD_HASH_HEX], share_hash[PD_HASH_HEX];
	char job_name[256]; /* the job file's name, for messages */
	struct chost **hosts;
	int nhosts;
	struct pd_input in;
	long nread; /* records taken from input */
	struct rrecq retry;
	struct pd_reorder order;
	long ndone, nfailed, inflight;
	uint64_t next_batch;
	/* end */
	int finished, code;
	char err[PD_ERRLEN];
	struct pd_buf scratch;
	struct event *done_ev; /* reports the end from the loop, not a callback */
	struct event *drain_ev; /* reports fed records all delivered, likewise */
	int drain_told;		/* drained was reported since the last feed */
	long feed_lines;	/* records in the last pd_coord_feed (GPU shares) */
};

/* Batch and retry bookkeeping (coordbatch.c). */
void pd_coord_i_requeue(struct pd_coord *c, long seq, int tries, struct chost *avoid, const char *line,
			size_t len, int front);
void pd_coord_i_batch_free(struct cbatch *b);
void pd_coord_i_requeue_batch(struct pd_coord *c, struct chost *h, struct cbatch *b);
struct cbatch *pd_coord_i_batch_new(struct pd_coord *c, int n);
void pd_coord_i_batch_add(struct cbatch *b, long seq, int tries, const char *line, size_t len);
/* Append n fresh fixed-size records of size bytes each, the first
 * numbered seq, to a batch of fixed records, in one copy. */
void pd_coord_i_batch_add_run(struct cbatch *b, long seq, const char *recs, long n, size_t size);
/* Bytes of record i of b, without its separator. */
size_t pd_coord_i_rec_len(const struct cbatch *b, int i);
struct rrec *pd_coord_i_retry_for(struct pd_coord *c, struct chost *h);
/* Take up to max fresh records from input into b; resumed, cached and
 * refused ones are delivered instead. */
void pd_coord_i_fill_fresh(struct pd_coord *c, struct cbatch *b, int max);

/* A record's final result (coord.c): deliver it now, or park it until
 * its turn; and the same from its parts (tries 0: resumed from a joblog,
 * -1: left out). */
void pd_coord_i_store_result(struct pd_coord *c, long seq, struct pd_coord_result *r);
void pd_coord_i_store(struct pd_coord *c, long seq, int status, float ms, int tries, const char *host,
		      const char *out, size_t outlen, const char *in, size_t inlen);

/* Binary points (coordf64.c): the blob of batch b for host h, adding
 * "f64" to its run message j when it goes as binary; and an OK result's
 * 8-byte value (NULL: malformed), read back from text for a text batch. */
const void *pd_coord_i_f64_blob(struct pd_coord *c, const struct chost *h, struct cbatch *b, cJSON *j,
				size_t *len);
const char *pd_coord_i_f64_value(const struct cbatch *b, const char *out, size_t len, char val[8]);

/* A job sent as C source (coordsrc.c): take a host's job answer.  0 to go
 * on (h->hash and h->sym now name its compile, or it needs the source);
 * -1 when the run cannot go on: err says why, and msg holds the
 * compiler's message for the user (may be empty). */
int pd_coord_i_src_answer(struct chost *h, const cJSON *j, struct pd_buf *msg, char *err);
/* The source's name as sent to hosts: its file name, or "job.c". */
const char *pd_coord_i_src_name(const struct pd_coord *c);

#endif
