/* buf.c - growable NUL-terminated byte buffer. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xmalloc.h"

#define HUGE_FROM ((size_t)4 << 20) /* from this capacity on: huge pages */
#define HUGE_PAGE ((size_t)2 << 20) /* a transparent huge page */

char pd_buf_empty[1];

void pd_buf_init(struct pd_buf *b)
{
	b->data = pd_buf_empty;
	b->len = 0;
	b->cap = 0;
	b->huge = 0;
}

void pd_buf_want_huge(struct pd_buf *b) { b->huge = 1; }

/* A home of at least *cap bytes (rounded up to whole huge pages) for b's
 * bytes, aligned and advised; the old block is the caller's to free. */
static char *huge_block(const struct pd_buf *b, size_t *cap)
{
	char *p;

	*cap = (*cap + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = pd_xaligned(HUGE_PAGE, *cap);
	(void)madvise(p, *cap, MADV_HUGEPAGE); /* advice: a refusal changes nothing */
	memcpy(p, b->data, b->len + 1);
	return p;
}

void pd_buf_release(struct pd_buf *b)
{
	if (b->cap)
		free(b->data);
	pd_buf_init(b);
}

/* Grow geometrically so that appending n bytes one at a time is linear. */
void pd_buf_grow(struct pd_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, ncap;
	char *p;

	if (need < b->len) /* overflow */
		abort();
	if (need <= b->cap)
		return;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap * 2 > ncap ? ncap * 2 : need;
	if (b->huge && ncap >= HUGE_FROM) {
		p = huge_block(b, &ncap);
		if (b->cap)
			free(b->data);
	} else {
		p = b->cap ? pd_xrealloc(b->data, ncap) : pd_xmalloc(ncap);
		if (!b->cap)
			p[0] = 0;
	}
	b->data = p;
	b->cap = ncap;
}

void pd_buf_add(struct pd_buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	pd_buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void pd_buf_addc(struct pd_buf *b, char c) { pd_buf_add(b, &c, 1); }

void pd_buf_adds(struct pd_buf *b, const char *s) { pd_buf_add(b, s, strlen(s)); }

void pd_buf_vaddf(struct pd_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->data + b->len, b->cap ? b->cap - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if (!b->cap || (size_t)n >= b->cap - b->len) {
		pd_buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void pd_buf_addf(struct pd_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pd_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void pd_buf_setlen(struct pd_buf *b, size_t len)
{
	if (len > b->len)
		abort();
	b->len = len;
	if (b->cap)
		b->data[len] = 0;
}

void pd_buf_consume(struct pd_buf *b, size_t n)
{
	if (n >= b->len) {
		pd_buf_setlen(b, 0);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	pd_buf_setlen(b, b->len - n);
}

char *pd_buf_detach(struct pd_buf *b, size_t *len)
{
	char *p;

	if (!b->cap)
		pd_buf_grow(b, 0);
	p = b->data;
	if (len)
		*len = b->len;
	pd_buf_init(b);
	return p;
}

void pd_put_be32(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void pd_put_be64(unsigned char *p, unsigned long long v)
{
	pd_put_be32(p, (unsigned int)(v >> 32));
	pd_put_be32(p + 4, (unsigned int)v);
}

unsigned int pd_get_be32(const unsigned char *p)
{
	return (unsigned int)p[0] << 24 | (unsigned int)p[1] << 16 |
	       (unsigned int)p[2] << 8 | (unsigned int)p[3];
}

unsigned long long pd_get_be64(const unsigned char *p)
{
	return (unsigned long long)pd_get_be32(p) << 32 | pd_get_be32(p + 4);
}

int pd_read_line(FILE *f, char *line, size_t max)
{
	size_t len = 0;
	int c, toolong = 0, nul = 0;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == 0)
			nul = 1;
		if (len < max)
			line[len++] = (char)c;
		else
			toolong = 1;
	}
	line[len] = 0;
	if (ferror(f))
		return -1;
	if (c == EOF && len == 0 && !toolong && !nul)
		return 0;
	return toolong ? -2 : nul ? -3 : 1;
}

int pd_name_ok(const char *s, size_t len, size_t max, const char *extra)
{
	size_t i;
	char c;

	if (len < 1 || len > max)
		return 0;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr(extra, c))))
			return 0;
	}
	return 1;
}
