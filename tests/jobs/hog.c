/*
 * hog.c - a job that allocates memory without bound, for testing the
 * per-worker memory limit (--mem).  The first field says what to do:
 *	crash	allocate and touch 1 MiB blocks until malloc fails, then
 *		write through the NULL it returned (a careless job: SIGSEGV)
 *	check	the same, but free everything and fail the record with
 *		pd_error when malloc fails (a careful job)
 *	N	allocate and touch N MiB, free them, output N
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include <playdoh.h>

#define BLOCK (1 << 20)

/* A list of blocks threaded through their first bytes. */
struct block {
	struct block *next;
};

/* Free a list of blocks. */
static void release(struct block *b)
{
	struct block *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
}

/* Allocate and touch up to max blocks (0: without bound); the count made. */
static long grab(struct block **list, long max, int careless)
{
	struct block *b;
	long n = 0;

	for (; max == 0 || n < max; n++) {
		b = malloc(BLOCK);
		if (!b && !careless)
			break;
		memset(b, 1, BLOCK); /* careless: b is NULL here, and this faults */
		b->next = *list;
		*list = b;
	}
	return n;
}

PD_MAP(hog)
{
	const char *what = pd_str(in, 0);
	struct block *list = NULL;
	long n, want;

	if (!what)
		return PD_ERROR;
	if (!strcmp(what, "crash") || !strcmp(what, "check")) {
		n = grab(&list, 0, !strcmp(what, "crash"));
		release(list);
		return pd_error(out, "malloc failed after %ld MiB", n);
	}
	want = (long)pd_int(in, 0);
	n = grab(&list, want, 0);
	release(list);
	if (n < want)
		return pd_error(out, "malloc failed after %ld MiB", n);
	return pd_printf(out, "%ld", n);
}
