/* rcache.c - pd-map --cache: look records up, remember results, write them out. */
#include "rcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "fdio.h"
#include "memlimit.h"
#include "paths.h"
#include "rcacheint.h"
#include "xmalloc.h"

#define FLUSH_AT (4u << 20) /* gathered bytes that make put write them out */
#define USE_KEYS 32768	    /* keys per use entry */
#define DEAD_MIN (1LL << 20) /* a log this small is never compacted for dead weight */

struct pd_rcache {
	char dir[PD_PATH_MAX], lock[PD_PATH_MAX], log_path[PD_PATH_MAX];
	struct pd_rcache_ctx ctx;
	long long limit;
	struct rc_log log;
	struct pd_buf pend;  /* entries not yet written */
	struct pd_buf uses;  /* keys of results used, not yet logged */
	struct pd_buf tmp;
	int ctx_logged;	     /* this run's context entry is in pend or the log */
	int bad;	     /* a result failed its checksum: compact at close */
	int error;	     /* errno of a failed flush from put */
	size_t log_added;    /* bytes of results and contexts this run appended */
	struct pd_rcache_stats st;
};

int pd_rcache_dir(const char *state, char out[PD_PATH_MAX], char *err)
{
	if (pd_path_fmt(out, "%s/results", state)) {
		pd_err(err, "state directory %s: path too long", state);
		return -1;
	}
	return 0;
}

long long pd_rcache_limit_env(void)
{
	const char *s = getenv("PD_CACHE_SIZE");
	long long n;

	if (!s || !*s)
		return PD_RCACHE_SIZE_DEFAULT;
	return pd_size_parse(s, &n) ? -1 : n;
}

struct pd_rcache *pd_rcache_open(const char *dir, const struct pd_rcache_ctx *ctx, long long limit,
				 char *err)
{
	struct pd_rcache *rc = pd_xcalloc(1, sizeof *rc);

	if (sodium_init() < 0) {
		pd_err(err, "libsodium failed to initialise");
		free(rc);
		return NULL;
	}
	snprintf(rc->dir, sizeof rc->dir, "%s", dir);
	if (rc_paths(dir, rc->lock, rc->log_path, err) || pd_private_dir(dir, err) ||
	    rc_log_load_locked(&rc->log, rc->lock, rc->log_path, err)) {
		free(rc);
		return NULL;
	}
	rc->ctx = *ctx;
	rc->limit = limit;
	rc->st.entries = -1;
	pd_buf_init(&rc->pend);
	pd_buf_init(&rc->uses);
	pd_buf_init(&rc->tmp);
	return rc;
}

/* A record's key: BLAKE2b-256 keyed with the context. */
static void rec_key(const struct pd_rcache *rc, const char *rec, size_t len, unsigned char key[PD_RCACHE_KEY])
{
	crypto_generichash(key, PD_RCACHE_KEY, (const unsigned char *)rec, len, rc->ctx.key, PD_RCACHE_KEY);
}

int pd_rcache_get(struct pd_rcache *rc, const char *rec, size_t len, struct pd_rcache_hit *hit)
{
	unsigned char key[PD_RCACHE_KEY];
	const unsigned char *h, *p;
	struct rc_ent *e;
	uint64_t bits;
	uint32_t n;
	long i;

	rc->st.lookups++;
	rec_key(rc, rec, len, key);
	if ((i = rc_log_find(&rc->log, key)) < 0)
		return 0;
	e = &rc->log.ents[i];
	if (!e->used && !rc_entry_ok(&rc->log, e->off)) {
		rc->bad = 1; /* damaged: never served, the record runs again */
		return 0;
	}
	h = rc->log.map + e->off;
	p = h + RC_HDR;
	n = rc_get32(h + 8);
	bits = rc_get64(p + PD_RCACHE_KEY + RC_CTX);
	memcpy(&hit->ms, &bits, sizeof hit->ms);
	hit->tries = h[5];
	hit->host = (const char *)p + RC_RES_FIXED; /* NUL-terminated: header_ok checked */
	hit->out = hit->host + p[RC_RES_FIXED - 1];
	hit->outlen = n - RC_RES_FIXED - p[RC_RES_FIXED - 1];
	if (!e->used) {
		e->used = 1;
		/* A use is logged only for a result in the older half of the
		 * log: one in the newer half is recent enough to outlive a
		 * compaction, and reruns do not grow the log by a key each. */
		if (e->last < rc->log.size / 2)
			pd_buf_add(&rc->uses, key, PD_RCACHE_KEY);
	}
	rc->st.hits++;
	return 1;
}

void pd_rcache_put(struct pd_rcache *rc, const char *rec, size_t len, const struct pd_rcache_hit *res)
{
	unsigned char fixed[RC_RES_FIXED];
	size_t hostlen = strlen(res->host) + 1;
	uint64_t bits;

	if (hostlen > 255 || res->outlen > RC_PAYLOAD_MAX - RC_RES_FIXED - 255)
		return; /* not kept: such a record simply runs again */
	if (!rc->ctx_logged) {
		rc_entry_add(&rc->pend, RC_CONTEXT, 0, time(NULL), rc->ctx.key, RC_CTX, rc->ctx.desc,
			     strlen(rc->ctx.desc));
		rc->ctx_logged = 1;
	}
	rec_key(rc, rec, len, fixed);
	memcpy(fixed + PD_RCACHE_KEY, rc->ctx.key, RC_CTX);
	memcpy(&bits, &res->ms, sizeof bits);
	rc_put64(fixed + PD_RCACHE_KEY + RC_CTX, bits);
	fixed[RC_RES_FIXED - 1] = (unsigned char)hostlen;
	pd_buf_reset(&rc->tmp);
	pd_buf_add(&rc->tmp, res->host, hostlen);
	pd_buf_add(&rc->tmp, res->out, res->outlen);
	rc_entry_add(&rc->pend, RC_RESULT, res->tries > 255 ? 255 : res->tries, time(NULL), fixed,
		     sizeof fixed, rc->tmp.data, rc->tmp.len);
	rc->st.stored++;
	rc->log_added += RC_HDR + sizeof fixed + rc->tmp.len;
	if (rc->pend.len >= FLUSH_AT && pd_rcache_flush(rc, NULL) && !rc->error)
		rc->error = errno ? errno : EIO;
}

/* Turn the keys of used results into use entries. */
static void add_uses(struct pd_rcache *rc)
{
	size_t at, n, chunk = (size_t)USE_KEYS * PD_RCACHE_KEY;

	for (at = 0; at < rc->uses.len; at += n) {
		n = rc->uses.len - at < chunk ? rc->uses.len - at : chunk;
		rc_entry_add(&rc->pend, RC_USE, 0, time(NULL), rc->uses.data + at, n, NULL, 0);
	}
	pd_buf_reset(&rc->uses);
}

/* Append n bytes to the log under the lock.  A write that fails part way
 * (disk full) leaves a torn entry, which readers skip and the next
 * compaction drops: the log is never cut in place, since other runs may
 * have it mapped. */
static int append(struct pd_rcache *rc, const void *p, size_t n, char *err)
{
	int lk = rc_lock(rc->lock, err), fd, e = 0;

	if (lk < 0)
		return -1;
	fd = open(rc->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || pd_write_all(fd, p, n))
		e = errno;
	if (fd >= 0)
		close(fd);
	close(lk); /* releases the lock */
	if (e) {
		pd_err(err, "write %s: %s", rc->log_path, strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

int pd_rcache_flush(struct pd_rcache *rc, char *err)
{
	int rc_ = 0;

	add_uses(rc);
	if (rc->pend.len)
		rc_ = append(rc, rc->pend.data, rc->pend.len, err);
	pd_buf_reset(&rc->pend);
	/* each batch of results starts with its context entry: another
	 * run's compaction may have dropped the one written before */
	rc->ctx_logged = 0;
	return rc_;
}

int pd_rcache_close(struct pd_rcache *rc, struct pd_rcache_stats *st, char *err)
{
	struct stat sb;
	int code = 0;
	long long target;

	if (pd_rcache_flush(rc, err))
		code = -1;
	else if (rc->error) {
		pd_err(err, "write %s: %s", rc->log_path, strerror(rc->error));
		code = -1;
	}
	rc->st.damaged = rc->log.damaged;
	rc->st.size = stat(rc->log_path, &sb) ? 0 : (long long)sb.st_size;
	/* Compact when over the limit, to drop damage, or when more than half
	 * of the log is dead weight (results replaced, logged uses) that each
	 * run would read again. */
	if (!code && (rc->st.size > rc->limit || rc->bad || rc->log.damaged ||
		      (rc->st.size > DEAD_MIN && rc->st.size > 2 * (rc->log.live + (long long)rc->log_added)))) {
		/* over the limit: down to 3/4 of it, so that the next runs
		 * do not rewrite the log again at once */
		target = rc->st.size > rc->limit ? rc->limit / 4 * 3 : rc->limit;
		code = rc_compact(rc->dir, target, &rc->st, err);
	}
	*st = rc->st;
	rc_log_release(&rc->log);
	pd_buf_release(&rc->pend);
	pd_buf_release(&rc->uses);
	pd_buf_release(&rc->tmp);
	free(rc);
	return code;
}
