/* fitbatch.c - several points in one fitness program call (pd-opt --fitness-input lines). */
#include "opt/fitbatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long pd_fitbatch_first(long np, long nrec, long r)
{
	return (long)((long long)np * r / nrec);
}

long pd_fitbatch_pack(struct pd_buf *b, const double *x, long np, int dim, long k)
{
	long nrec = (np + k - 1) / k, r, i;
	int j;

	for (r = 0; r < nrec; r++) {
		for (i = pd_fitbatch_first(np, nrec, r); i < pd_fitbatch_first(np, nrec, r + 1); i++) {
			pd_buf_adds(b, i > pd_fitbatch_first(np, nrec, r) ? "\n[" : "[");
			for (j = 0; j < dim; j++)
				pd_buf_addf(b, j ? ",%.17g" : "%.17g", x[i * dim + j]);
			pd_buf_addc(b, ']');
		}
		pd_buf_addc(b, 0);
	}
	return nrec;
}

/* 1 when s (n bytes) holds only blanks. */
static int blank(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++, n--;
	return n == 0;
}

/* The number line s (n bytes, no newline) holds into *v: 0, or -1. */
static int one_number(const char *s, size_t n, double *v)
{
	char num[128], *e;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!n || n >= sizeof num || memchr(s, 0, n))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	*v = strtod(num, &e);
	return e != num && blank(e, (size_t)(num + n - e)) ? 0 : -1;
}

int pd_fitbatch_values(const char *out, size_t len, long n, double *f, char *err, size_t errlen)
{
	const char *p = out, *end = out + len, *nl;
	long i;

	for (i = 0; p < end; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (i < n && one_number(p, (size_t)(nl - p), &f[i])) {
			snprintf(err, errlen, "line %ld of %ld as '%.*s%s', not one number", i + 1, n,
				 nl - p > 60 ? 60 : (int)(nl - p), p, nl - p > 60 ? "..." : "");
			return -1;
		}
		p = nl < end ? nl + 1 : end;
	}
	if (i != n) {
		snprintf(err, errlen, "%ld line%s for %ld point%s, not one value per point", i, i == 1 ? "" : "s", n,
			 n == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

void pd_fitbatch_failure(char *msg, size_t size, const double *x, long n, int dim, const char *why, size_t whylen)
{
	struct pd_buf pt = PD_BUF_INIT;
	int j;

	if (n > 1)
		pd_buf_addf(&pt, "in a call for %ld points from", n);
	else
		pd_buf_adds(&pt, "at point");
	for (j = 0; j < dim; j++)
		pd_buf_addf(&pt, " %.17g", x[j]);
	snprintf(msg, size, "%.*s%s: %.*s", pt.len > 240 ? 240 : (int)pt.len, pt.data, pt.len > 240 ? "..." : "",
		 (int)whylen, why);
	pd_buf_release(&pt);
}
