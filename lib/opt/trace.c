/* trace.c - pd-opt's trace file: cut back to a checkpoint on resume. */
#include "opt/trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fdio.h"

#define TRACE_MAX ((size_t)1 << 30) /* a trace past 1 GiB is not ours to read */

/* The iteration of the record at p (length n), or -1 if it is none. */
static long long record_iter(const char *p, size_t n)
{
	static const char head[] = "{\"iter\":";
	long long v;
	char *end;

	if (n < sizeof head || memcmp(p, head, sizeof head - 1))
		return -1;
	errno = 0;
	v = strtoll(p + sizeof head - 1, &end, 10);
	if (errno || end == p + sizeof head - 1 || (*end != ',' && *end != '}') || v < 0)
		return -1;
	return v;
}

int pd_trace_cut(const char *path, long long iter, long *dropped, char *err)
{
	size_t n, keep = 0, i;
	const char *nl;
	struct stat st;
	char *p;

	*dropped = 0;
	/* Nothing to cut in a file that is not there, nor in a terminal, a
	 * pipe or a FIFO (--trace /dev/stdout): reading one would block. */
	if (stat(path, &st) ? errno == ENOENT : !S_ISREG(st.st_mode))
		return 0;
	if (pd_read_file(path, TRACE_MAX, &p, &n, err))
		return -1;
	while (keep < n && (nl = memchr(p + keep, '\n', n - keep))) {
		long long k = record_iter(p + keep, (size_t)(nl - (p + keep)));

		if (k < 0 || k > iter)
			break;
		keep = (size_t)(nl - p) + 1;
	}
	for (i = keep; i < n; i++)
		*dropped += p[i] == '\n' || i == n - 1;
	free(p);
	if (keep < n && truncate(path, (off_t)keep)) {
		pd_err(err, "%s: cannot cut back: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
