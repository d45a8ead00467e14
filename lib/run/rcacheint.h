/* rcacheint.h - the result cache's log format, shared by rcache.c and rcachegc.c. */
#ifndef PD_RCACHEINT_H
#define PD_RCACHEINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rcache.h"

/*
 * Log entry: a 36-byte header, then the payload.
 *   0  magic "PDr1"       4  type           5  aux (tries of a result)
 *   6  0, 0               8  payload length (u32 LE)
 *  12  time (unix seconds, u64 LE)
 *  20  checksum: BLAKE2b-128 of bytes 0-19 and the payload
 * Payloads:
 *   result  key[32] ctx[12] ms (f64 bits, u64 LE) hostlen[1] host output
 *   use     key[32] ...         (results used by a run, at its end)
 *   context ctx[12] description (what --cache-list prints)
 */
#define RC_MAGIC "PDr1"
#define RC_HDR 36
#define RC_SUM 16
#define RC_CTX 12
#define RC_RES_FIXED (PD_RCACHE_KEY + RC_CTX + 8 + 1)
#define RC_PAYLOAD_MAX (256u << 20)
enum { RC_RESULT = 1, RC_USE = 2, RC_CONTEXT = 3 };

/* One result in the index. */
struct rc_ent {
	unsigned char key[PD_RCACHE_KEY];
	uint64_t off;	/* of its entry in the mapped log */
	uint64_t last;	/* recency: log offset of its latest result or use entry */
	int64_t time;	/* when last written or used */
	int used;	/* looked up by this run */
};

/* A context, for listing and compaction. */
struct rc_ctx {
	unsigned char id[RC_CTX];
	uint64_t off; /* of its context entry */
	long entries;
	long long bytes;
	int64_t last_used;
};

/* A loaded log: the file mapped, its results indexed by key. */
struct rc_log {
	const unsigned char *map;
	size_t size;
	struct rc_ent *ents;
	long nents, cap;
	uint32_t *table; /* open addressing: entry index + 1, 0 empty */
	size_t tmask;
	struct rc_ctx *ctxs;
	long nctxs;
	long long damaged; /* bytes skipped */
	long long live;	   /* bytes of the entries a compaction would keep */
};

static inline void rc_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void rc_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t rc_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rc_get64(const unsigned char *p)
{
	return (uint64_t)rc_get32(p) | (uint64_t)rc_get32(p + 4) << 32;
}

/* Map and index the log at path (a missing or empty log is empty).
 * 0, or -1 with err. */
int rc_log_load(struct rc_log *l, const char *path, char *err);
void rc_log_release(struct rc_log *l);
/* The index of key's entry, or -1. */
long rc_log_find(const struct rc_log *l, const unsigned char *key);
/* 1 when the entry at off is whole and its checksum holds. */
int rc_entry_ok(const struct rc_log *l, uint64_t off);
/* Append an entry to b. */
void rc_entry_add(struct pd_buf *b, int type, int aux, int64_t time, const void *p1, size_t n1,
		  const void *p2, size_t n2);
/* The lock and log files of dir. */
int rc_paths(const char *dir, char lock[PD_PATH_MAX], char log[PD_PATH_MAX], char *err);
/* Take the cache's lock (flock, exclusive, waiting); its fd, or -1 with err. */
int rc_lock(const char *lock, char *err);

/* rc_log_load under the lock, so that no run's append is seen half
 * written; without it when the directory does not exist yet. */
int rc_log_load_locked(struct rc_log *l, const char *lock, const char *path, char *err);
/* Rewrite the log keeping the most recently used results up to target
 * bytes; called under the lock.  0, or -1 with err. */
int rc_compact(const char *dir, long long target, struct pd_rcache_stats *st, char *err);

#endif
