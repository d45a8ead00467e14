/* xmalloc.h - allocation that does not fail: running out of memory ends the process. */
#ifndef PD_XMALLOC_H
#define PD_XMALLOC_H

#include <stddef.h>

/*
 * Like malloc, calloc, realloc and strdup, but never NULL: when memory
 * runs out they write "playdoh: out of memory (N bytes)" on stderr and
 * abort, the one way lib/ ends a process (as tmux's xmalloc does); no
 * caller has a sensible way on without memory.  A size of 0 allocates
 * 1 byte.
 */
void *pd_xmalloc(size_t n);
void *pd_xcalloc(size_t n, size_t size);
void *pd_xrealloc(void *p, size_t n);
char *pd_xstrdup(const char *s);
/* Like aligned_alloc: n bytes at a multiple of align (a power of two that
 * divides n); free() them. */
void *pd_xaligned(size_t align, size_t n);

#endif
