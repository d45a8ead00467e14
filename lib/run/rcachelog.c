/* rcachelog.c - the result cache's log: entries, loading and indexing, the lock. */
#include "rcacheint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "pathfmt.h"
#include "xmalloc.h"

/* The checksum of an entry: its header's first 20 bytes and payload. */
static void entry_sum(const unsigned char *hdr, const void *p1, size_t n1, const void *p2, size_t n2,
		      unsigned char sum[RC_SUM])
{
	crypto_generichash_state s;

	crypto_generichash_init(&s, NULL, 0, RC_SUM);
	crypto_generichash_update(&s, hdr, 20);
	crypto_generichash_update(&s, p1, n1);
	if (n2)
		crypto_generichash_update(&s, p2, n2);
	crypto_generichash_final(&s, sum, RC_SUM);
}

void rc_entry_add(struct pd_buf *b, int type, int aux, int64_t time, const void *p1, size_t n1,
		  const void *p2, size_t n2)
{
	unsigned char h[RC_HDR] = RC_MAGIC;

	h[4] = (unsigned char)type;
	h[5] = (unsigned char)aux;
	rc_put32(h + 8, (uint32_t)(n1 + n2));
	rc_put64(h + 12, (uint64_t)time);
	entry_sum(h, p1, n1, p2, n2, h + 20);
	pd_buf_add(b, h, RC_HDR);
	pd_buf_add(b, p1, n1);
	if (n2)
		pd_buf_add(b, p2, n2);
}

int rc_entry_ok(const struct rc_log *l, uint64_t off)
{
	const unsigned char *h = l->map + off;
	unsigned char sum[RC_SUM];
	uint32_t len;

	if (off + RC_HDR > l->size)
		return 0;
	len = rc_get32(h + 8);
	if (len > l->size - off - RC_HDR)
		return 0;
	entry_sum(h, h + RC_HDR, len, NULL, 0, sum);
	return sodium_memcmp(sum, h + 20, RC_SUM) == 0;
}

/* Slot of key in the table: where it is, or the empty slot it would take. */
static size_t slot_of(const struct rc_log *l, const unsigned char *key)
{
	uint64_t h;
	size_t i;

	memcpy(&h, key, sizeof h); /* the key is a hash already */
	for (i = (size_t)h & l->tmask;; i = (i + 1) & l->tmask)
		if (!l->table[i] || !memcmp(l->ents[l->table[i] - 1].key, key, PD_RCACHE_KEY))
			return i;
}

long rc_log_find(const struct rc_log *l, const unsigned char *key)
{
	size_t i;

	if (!l->table)
		return -1;
	i = slot_of(l, key);
	return l->table[i] ? (long)l->table[i] - 1 : -1;
}

/* Double the table (or make the first one) and put every entry back. */
static void table_grow(struct rc_log *l)
{
	size_t n = l->table ? (l->tmask + 1) * 2 : 1024;
	long i;

	free(l->table);
	l->table = pd_xcalloc(n, sizeof *l->table);
	l->tmask = n - 1;
	for (i = 0; i < l->nents; i++)
		l->table[slot_of(l, l->ents[i].key)] = (uint32_t)i + 1;
}

/* The index entry of key, made when missing. */
static struct rc_ent *ent_for(struct rc_log *l, const unsigned char *key)
{
	size_t i;

	if (!l->table || (size_t)(l->nents + 1) * 2 > l->tmask + 1)
		table_grow(l);
	i = slot_of(l, key);
	if (l->table[i])
		return &l->ents[l->table[i] - 1];
	if (l->nents == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->ents = pd_xrealloc(l->ents, (size_t)l->cap * sizeof *l->ents);
	}
	memset(&l->ents[l->nents], 0, sizeof *l->ents);
	memcpy(l->ents[l->nents].key, key, PD_RCACHE_KEY);
	l->table[i] = (uint32_t)++l->nents;
	return &l->ents[l->nents - 1];
}

/* Take a context entry: the latest description of an id wins. */
static void take_context(struct rc_log *l, uint64_t off)
{
	const unsigned char *id = l->map + off + RC_HDR;
	long i;

	for (i = 0; i < l->nctxs && memcmp(l->ctxs[i].id, id, RC_CTX); i++)
		;
	if (i == l->nctxs) {
		l->ctxs = pd_xrealloc(l->ctxs, (size_t)(l->nctxs + 1) * sizeof *l->ctxs);
		memset(&l->ctxs[i], 0, sizeof *l->ctxs);
		memcpy(l->ctxs[i].id, id, RC_CTX);
		l->nctxs++;
	}
	l->ctxs[i].off = off;
}

/* Take one well-formed entry into the index. */
static void take(struct rc_log *l, uint64_t off, uint32_t len)
{
	const unsigned char *h = l->map + off, *p = h + RC_HDR;
	int64_t t = (int64_t)rc_get64(h + 12);
	struct rc_ent *e;
	long i;
	uint32_t k;

	switch (h[4]) {
	case RC_RESULT:
		e = ent_for(l, p);
		e->off = e->last = off;
		e->time = t;
		break;
	case RC_USE:
		for (k = 0; k + PD_RCACHE_KEY <= len; k += PD_RCACHE_KEY)
			if ((i = rc_log_find(l, p + k)) >= 0) {
				l->ents[i].last = off;
				if (t > l->ents[i].time)
					l->ents[i].time = t;
			}
		break;
	case RC_CONTEXT:
		take_context(l, off);
		break;
	}
}

/* 1 when the entry at off (length n, within the log) ends where the log
 * ends or where another entry's magic begins. */
static int ends_at_entry(const struct rc_log *l, uint64_t off, uint32_t n)
{
	uint64_t end = off + RC_HDR + (uint64_t)n;

	return end == l->size || (l->size - end >= 4 && !memcmp(l->map + end, RC_MAGIC, 4));
}

/* 1 when the magic of an entry appears inside the entry at off (length
 * n), past its own: where a torn entry was cut, the next run's first
 * entry begins. */
static int magic_inside(const struct rc_log *l, uint64_t off, uint32_t n)
{
	const unsigned char *p = l->map + off + 1, *end = l->map + off + RC_HDR + n - 3;

	/* memchr and a compare: glibc's memmem is several times slower here,
	 * and this runs over every result of the log */
	while (p < end && (p = memchr(p, RC_MAGIC[0], (size_t)(end - p))) != NULL) {
		if (!memcmp(p, RC_MAGIC, 4))
			return 1;
		p++;
	}
	return 0;
}

/* 1 when a well-formed header starts at off, with its payload length.
 * Results' checksums are checked when served (rc_entry_ok), the small
 * use and context entries' here.  A result is checked here too unless
 * the next entry or the end of the log follows it and no entry begins
 * inside it: it may be the torn tail of a crashed run that later runs
 * appended to, whose length field would otherwise swallow their whole
 * entries; and that length may by chance end where one of theirs does,
 * but their first entry then begins inside it.  (A whole result whose
 * output holds the magic is merely checked.) */
static int header_ok(const struct rc_log *l, uint64_t off, uint32_t *len)
{
	const unsigned char *h = l->map + off;
	uint32_t n;

	if (memcmp(h, RC_MAGIC, 4) || h[6] || h[7] || h[4] < RC_RESULT || h[4] > RC_CONTEXT)
		return 0;
	n = rc_get32(h + 8);
	if (n > RC_PAYLOAD_MAX || n > l->size - off - RC_HDR)
		return 0;
	*len = n;
	if (h[4] == RC_RESULT)
		return n >= RC_RES_FIXED && h[RC_HDR + RC_RES_FIXED - 1] > 0 &&
		       h[RC_HDR + RC_RES_FIXED - 1] <= n - RC_RES_FIXED &&
		       h[RC_HDR + RC_RES_FIXED + h[RC_HDR + RC_RES_FIXED - 1] - 1] == 0 &&
		       ((ends_at_entry(l, off, n) && !magic_inside(l, off, n)) || rc_entry_ok(l, off));
	if (h[4] == RC_USE && n % PD_RCACHE_KEY)
		return 0;
	if (h[4] == RC_CONTEXT && n < RC_CTX)
		return 0;
	return rc_entry_ok(l, off);
}

/* Size the index for the results a log of this size may hold (about
 * 100 bytes each for short records), so that loading it does not rehash. */
static void presize(struct rc_log *l)
{
	size_t want = l->size / 96 + 1, n = 1024;

	while (n < 2 * want)
		n *= 2;
	l->cap = (long)(n / 2);
	l->ents = pd_xmalloc((size_t)l->cap * sizeof *l->ents);
	l->table = pd_xcalloc(n, sizeof *l->table);
	l->tmask = n - 1;
}

/* Walk the log, indexing what is whole; damaged stretches are skipped up
 * to the next header that holds. */
static void scan(struct rc_log *l)
{
	const unsigned char *next;
	uint64_t p = 0, q;
	uint32_t len;

	while (p + RC_HDR <= l->size) {
		if (header_ok(l, p, &len)) {
			take(l, p, len);
			p += RC_HDR + (uint64_t)len;
			continue;
		}
		next = memmem(l->map + p + 1, l->size - p - 1, RC_MAGIC, 4);
		q = next ? (uint64_t)(next - l->map) : l->size;
		l->damaged += (long long)(q - p);
		p = q;
	}
	if (p < l->size)
		l->damaged += (long long)(l->size - p); /* a torn header at the end */
	for (q = 0; q < (uint64_t)l->nents; q++)
		l->live += RC_HDR + (long long)rc_get32(l->map + l->ents[q].off + 8);
	for (q = 0; q < (uint64_t)l->nctxs; q++)
		l->live += RC_HDR + (long long)rc_get32(l->map + l->ctxs[q].off + 8);
}

int rc_log_load(struct rc_log *l, const char *path, char *err)
{
	struct stat st;
	void *m;
	int fd;

	memset(l, 0, sizeof *l);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st)) {
		pd_err(err, "open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size > 0) {
		/* The log is only appended to, or replaced by rename: what is
		 * mapped here stays as it is while the run reads it. */
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
		if (m == MAP_FAILED) {
			pd_err(err, "map %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		l->map = m;
		l->size = (size_t)st.st_size;
	}
	close(fd);
	presize(l);
	scan(l);
	return 0;
}

void rc_log_release(struct rc_log *l)
{
	if (l->map)
		munmap((void *)l->map, l->size);
	free(l->ents);
	free(l->table);
	free(l->ctxs);
	memset(l, 0, sizeof *l);
}

int rc_paths(const char *dir, char lock[PD_PATH_MAX], char log[PD_PATH_MAX], char *err)
{
	if (pd_path_fmt(lock, "%s/lock", dir) || pd_path_fmt(log, "%s/log", dir)) {
		pd_err(err, "cache directory %s: path too long", dir);
		return -1;
	}
	return 0;
}

/* Take the lock on fd, the open lock file (closed on failure); fd, or
 * -1 with err. */
static int lock_fd(int fd, const char *lock, char *err)
{
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			pd_err(err, "lock %s: %s", lock, strerror(errno));
			close(fd);
			return -1;
		}
	return fd;
}

int rc_lock(const char *lock, char *err)
{
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		pd_err(err, "open %s: %s", lock, strerror(errno));
		return -1;
	}
	return lock_fd(fd, lock, err);
}

int rc_log_load_locked(struct rc_log *l, const char *lock, const char *path, char *err)
{
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600), rc;

	if (fd < 0 && errno == ENOENT)
		return rc_log_load(l, path, err); /* no cache yet: nothing to race */
	if (fd < 0) {
		pd_err(err, "open %s: %s", lock, strerror(errno));
		return -1;
	}
	if (lock_fd(fd, lock, err) < 0)
		return -1;
	rc = rc_log_load(l, path, err);
	close(fd);
	return rc;
}
