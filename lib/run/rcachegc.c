/* rcachegc.c - the result cache's upkeep: compaction (least recently used out), listing, pruning. */
#include "rcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "paths.h"
#include "rcacheint.h"
#include "xmalloc.h"

/* The context of the result at off: its index in l->ctxs, or -1. */
static long ctx_of(const struct rc_log *l, uint64_t off)
{
	const unsigned char *id = l->map + off + RC_HDR + PD_RCACHE_KEY;
	long i;

	for (i = 0; i < l->nctxs; i++)
		if (!memcmp(l->ctxs[i].id, id, RC_CTX))
			return i;
	return -1;
}

static uint32_t payload_len(const struct rc_log *l, uint64_t off)
{
	return rc_get32(l->map + off + 8);
}

static const struct rc_log *sort_log;

/* Oldest use first. */
static int by_last(const void *a, const void *b)
{
	const struct rc_ent *x = &sort_log->ents[*(const long *)a], *y = &sort_log->ents[*(const long *)b];

	return x->last < y->last ? -1 : x->last > y->last;
}

/* The whole results of l, oldest use first, in *order; their count. */
static long live_by_age(const struct rc_log *l, long **order)
{
	long i, n = 0;

	*order = pd_xmalloc((size_t)(l->nents + 1) * sizeof **order);
	for (i = 0; i < l->nents; i++)
		if (rc_entry_ok(l, l->ents[i].off))
			(*order)[n++] = i;
	sort_log = l;
	qsort(*order, (size_t)n, sizeof **order, by_last);
	return n;
}

/* How many of the newest results fit in target bytes with their
 * context entries (marked in keep_ctx); the first kept is order[n - k]. */
static long fit(const struct rc_log *l, const long *order, long n, long long target, char *keep_ctx)
{
	long long total = 0, sz;
	long k, c;

	for (k = 0; k < n; k++) {
		uint64_t off = l->ents[order[n - 1 - k]].off;

		sz = RC_HDR + (long long)payload_len(l, off);
		c = ctx_of(l, off);
		if (c >= 0 && !keep_ctx[c])
			sz += RC_HDR + (long long)payload_len(l, l->ctxs[c].off);
		if (total + sz > target)
			break;
		total += sz;
		if (c >= 0)
			keep_ctx[c] = 1;
	}
	return k;
}

/* Write buf to fd when it has grown (or when force); -1 on error. */
static int spill(int fd, struct pd_buf *b, int force)
{
	if (b->len < (1u << 20) && !force)
		return 0;
	if (pd_write_all(fd, b->data, b->len))
		return -1;
	pd_buf_reset(b);
	return 0;
}

/* Write the kept contexts, then the kept results oldest first, to fd. */
static int write_kept(int fd, const struct rc_log *l, const long *order, long n, long k, const char *keep_ctx)
{
	struct pd_buf b = PD_BUF_INIT;
	const struct rc_ent *e;
	const unsigned char *h;
	long i;
	int rc = 0;

	for (i = 0; i < l->nctxs && !rc; i++)
		if (keep_ctx[i]) {
			h = l->map + l->ctxs[i].off;
			pd_buf_add(&b, h, RC_HDR + payload_len(l, l->ctxs[i].off));
			rc = spill(fd, &b, 0);
		}
	for (i = n - k; i < n && !rc; i++) {
		e = &l->ents[order[i]];
		h = l->map + e->off;
		/* the time of its latest use goes into the header */
		rc_entry_add(&b, RC_RESULT, h[5], e->time, h + RC_HDR, payload_len(l, e->off), NULL, 0);
		rc = spill(fd, &b, 0);
	}
	if (!rc)
		rc = spill(fd, &b, 1);
	pd_buf_release(&b);
	return rc;
}

/* Write the new log to a temporary file and rename it over the old one. */
static int rewrite(const char *log, const struct rc_log *l, const long *order, long n, long k,
		   const char *keep_ctx, long long *size, char *err)
{
	char tmp[PD_PATH_MAX];
	off_t end;
	int fd;

	if (pd_path_fmt(tmp, "%s.tmp%ld", log, (long)getpid())) {
		pd_err(err, "%s: path too long", log);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_kept(fd, l, order, n, k, keep_ctx) || fsync(fd) ||
	    (end = lseek(fd, 0, SEEK_CUR)) < 0 || close(fd) || rename(tmp, log)) {
		pd_err(err, "rewrite %s: %s", log, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	*size = (long long)end;
	return 0;
}

int rc_compact(const char *dir, long long target, struct pd_rcache_stats *st, char *err)
{
	char lock[PD_PATH_MAX], log[PD_PATH_MAX], *keep_ctx;
	struct rc_log l;
	long *order = NULL, n, k;
	int lk, code;

	if (rc_paths(dir, lock, log, err) || (lk = rc_lock(lock, err)) < 0)
		return -1;
	code = rc_log_load(&l, log, err); /* again: other runs may have added to it */
	if (!code) {
		n = live_by_age(&l, &order);
		keep_ctx = pd_xcalloc((size_t)l.nctxs + 1, 1);
		k = fit(&l, order, n, target, keep_ctx);
		code = rewrite(log, &l, order, n, k, keep_ctx, &st->size, err);
		if (!code) {
			st->evicted += n - k;
			st->entries = k;
		}
		free(keep_ctx);
		free(order);
		rc_log_release(&l);
	}
	close(lk);
	return code;
}

int pd_rcache_prune(const char *dir, long long target, struct pd_rcache_stats *st, char *err)
{
	memset(st, 0, sizeof *st);
	if (sodium_init() < 0) {
		pd_err(err, "libsodium failed to initialise");
		return -1;
	}
	if (pd_private_dir(dir, err))
		return -1;
	return rc_compact(dir, target, st, err);
}

/* Oldest use first, for contexts. */
static int ctx_by_time(const void *a, const void *b)
{
	const struct rc_ctx *x = a, *y = b;

	return x->last_used < y->last_used ? -1 : x->last_used > y->last_used;
}

/* Tell fn about each context with results. */
static void list_ctxs(struct rc_log *l, void (*fn)(void *, const struct pd_rcache_info *), void *arg)
{
	struct pd_buf desc = PD_BUF_INIT;
	struct pd_rcache_info info;
	char id[2 * RC_CTX + 1];
	long i;

	if (l->nctxs)
		qsort(l->ctxs, (size_t)l->nctxs, sizeof *l->ctxs, ctx_by_time);
	for (i = 0; i < l->nctxs; i++) {
		if (!l->ctxs[i].entries)
			continue;
		sodium_bin2hex(id, sizeof id, l->ctxs[i].id, RC_CTX);
		pd_buf_reset(&desc);
		pd_buf_add(&desc, l->map + l->ctxs[i].off + RC_HDR + RC_CTX,
			   payload_len(l, l->ctxs[i].off) - RC_CTX);
		info = (struct pd_rcache_info){id, desc.data, l->ctxs[i].entries, l->ctxs[i].bytes,
					       l->ctxs[i].last_used};
		fn(arg, &info);
	}
	pd_buf_release(&desc);
}

int pd_rcache_list(const char *dir, void (*fn)(void *arg, const struct pd_rcache_info *i), void *arg,
		   struct pd_rcache_stats *st, char *err)
{
	char lock[PD_PATH_MAX], log[PD_PATH_MAX];
	struct rc_log l;
	struct rc_ent *e;
	long i, c;

	memset(st, 0, sizeof *st);
	if (rc_paths(dir, lock, log, err) || rc_log_load_locked(&l, lock, log, err))
		return -1;
	for (i = 0; i < l.nents; i++) {
		e = &l.ents[i];
		st->entries++;
		if ((c = ctx_of(&l, e->off)) < 0)
			continue;
		l.ctxs[c].entries++;
		l.ctxs[c].bytes += RC_HDR + (long long)payload_len(&l, e->off);
		if (e->time > l.ctxs[c].last_used)
			l.ctxs[c].last_used = e->time;
	}
	st->damaged = l.damaged;
	st->size = (long long)l.size;
	list_ctxs(&l, fn, arg);
	rc_log_release(&l);
	return 0;
}
