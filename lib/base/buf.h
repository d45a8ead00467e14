/* buf.h - the project's one growable byte buffer. */
#ifndef PD_BUF_H
#define PD_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A growable byte buffer, always NUL-terminated (data[len] == 0), so text
 * can be used as a C string.  Binary data may contain NULs.  An
 * initialised empty buffer points at a static empty string and owns no
 * memory; pd_buf_release() frees what it owns and leaves it empty.
 * Allocation failure aborts: the project treats out-of-memory as fatal
 * (every input is capped before anything is allocated for it).
 */
struct pd_buf {
	char *data;
	size_t len;
	size_t cap; /* 0 while data is the static empty string */
	int huge;   /* big capacities in transparent huge pages (pd_buf_want_huge) */
};

#define PD_BUF_INIT {pd_buf_empty, 0, 0, 0}
extern char pd_buf_empty[];

void pd_buf_init(struct pd_buf *b);
void pd_buf_release(struct pd_buf *b);
/*
 * From 4 MiB on, give b whole 2 MiB transparent huge pages, aligned and
 * advised before the first touch, for a buffer that will be filled once
 * with a large result: in 4 KiB pages a 95 MB result took 23,000 page
 * faults, costly on virtual machines.  Such a buffer grows by a copy (its
 * peak is the old and the new block together), so only the one-shot
 * buffers of a result path ask for it; it lasts until pd_buf_release.
 */
void pd_buf_want_huge(struct pd_buf *b);
/* Make room for at least `extra` more bytes (plus the NUL). */
void pd_buf_grow(struct pd_buf *b, size_t extra);
void pd_buf_add(struct pd_buf *b, const void *p, size_t n);
void pd_buf_addc(struct pd_buf *b, char c);
void pd_buf_adds(struct pd_buf *b, const char *s);
void pd_buf_addf(struct pd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pd_buf_vaddf(struct pd_buf *b, const char *fmt, va_list ap);
/* Set the length (<= len) and restore the NUL terminator. */
void pd_buf_setlen(struct pd_buf *b, size_t len);
static inline void pd_buf_reset(struct pd_buf *b) { pd_buf_setlen(b, 0); }
/* Remove the first n bytes. */
void pd_buf_consume(struct pd_buf *b, size_t n);
/* Hand the bytes (malloc'd, NUL-terminated) to the caller; b becomes empty. */
char *pd_buf_detach(struct pd_buf *b, size_t *len);

/*
 * Read one line of a text file (without its newline) into line, which
 * holds max bytes plus a NUL.  Returns 1 for a line, 0 at end of file, -1
 * on a read error (errno set), -2 for a line longer than max (the rest of
 * it is skipped), -3 for a line holding a NUL byte.  For the small
 * configuration files (hosts, topologies) whose lines have a cap.
 */
int pd_read_line(FILE *f, char *line, size_t max);

/* 1 when s (len bytes) is 1 to max ASCII letters, digits and characters
 * of `extra`: the rule for host names, tube names and the like. */
int pd_name_ok(const char *s, size_t len, size_t max, const char *extra);

/* Big-endian integer helpers used by the codecs. */
void pd_put_be32(unsigned char *p, unsigned int v);
void pd_put_be64(unsigned char *p, unsigned long long v);
unsigned int pd_get_be32(const unsigned char *p);
unsigned long long pd_get_be64(const unsigned char *p);

#endif
