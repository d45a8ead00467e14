/* xmalloc.c - allocation that does not fail: running out of memory ends the process. */
#include "xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The end: n bytes could not be had. */
static void out_of_memory(size_t n) __attribute__((noreturn));
static void out_of_memory(size_t n)
{
	fprintf(stderr, "playdoh: out of memory (%zu bytes)\n", n);
	abort();
}

void *pd_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory(n);
	return p;
}

void *pd_xcalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	p = calloc(n && size ? n : 1, n && size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *pd_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory(n);
	return q;
}

char *pd_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(pd_xmalloc(n), s, n);
}

void *pd_xaligned(size_t align, size_t n)
{
	void *p = aligned_alloc(align, n ? n : align);

	if (!p)
		out_of_memory(n);
	return p;
}
