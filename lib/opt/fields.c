/* fields.c - optimiser states as text: tables of named fields, saved and loaded bit for bit. */
#include "opt/fields.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "opt/rng.h"
#include "err.h"
#include "xmalloc.h"

/* Append one field as a line. */
static void put_field(struct pd_buf *b, const struct pd_field *f)
{
	uint64_t u;
	size_t i;

	pd_buf_adds(b, f->key);
	for (i = 0; i < f->count; i++) {
		if (f->type == PD_F_DBL) {
			memcpy(&u, (const double *)f->p + i, sizeof(u));
			pd_buf_addf(b, " %016" PRIx64, u);
		} else if (f->type == PD_F_U64)
			pd_buf_addf(b, " %016" PRIx64, ((const uint64_t *)f->p)[i]);
		else if (f->type == PD_F_LL)
			pd_buf_addf(b, " %lld", ((const long long *)f->p)[i]);
		else if (f->type == PD_F_INT)
			pd_buf_addf(b, " %d", ((const int *)f->p)[i]);
		else
			pd_buf_addf(b, " %d", ((const unsigned char *)f->p)[i]);
	}
	pd_buf_addc(b, '\n');
}

void pd_fields_put(struct pd_buf *b, const struct pd_field *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_field(b, &f[i]);
}

void pd_rd_init(struct pd_rd *r, const char *text, size_t len, const char *kind, char *err)
{
	r->p = text;
	r->end = text + len;
	r->kind = kind;
	r->err = err;
	r->bad = 0;
}

void pd_rd_fail(struct pd_rd *r, const char *what)
{
	if (!r->bad)
		pd_err(r->err, "%s state: bad or missing %s", r->kind, what);
	r->bad = 1;
}

static int blank(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

const char *pd_rd_tok(struct pd_rd *r, size_t *len)
{
	const char *s;

	while (r->p < r->end && blank(*r->p))
		r->p++;
	s = r->p;
	while (r->p < r->end && !blank(*r->p))
		r->p++;
	*len = (size_t)(r->p - s);
	return *len ? s : NULL;
}

void pd_rd_key(struct pd_rd *r, const char *key)
{
	size_t len;
	const char *s;

	if (r->bad)
		return;
	s = pd_rd_tok(r, &len);
	if (!s || len != strlen(key) || memcmp(s, key, len))
		pd_rd_fail(r, key);
}

/* A 16-digit lower-case hex number. */
static uint64_t rd_hex(struct pd_rd *r, const char *what)
{
	size_t len, i;
	const char *s = pd_rd_tok(r, &len);
	uint64_t u = 0;
	int d;

	if (!s || len != 16)
		return pd_rd_fail(r, what), 0;
	for (i = 0; i < len; i++) {
		d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 : -1;
		if (d < 0)
			return pd_rd_fail(r, what), 0;
		u = u << 4 | (uint64_t)d;
	}
	return u;
}

long long pd_rd_int(struct pd_rd *r, const char *what, long long lo, long long hi)
{
	size_t len, i;
	const char *s;
	long long v = 0;
	int neg;

	if (r->bad)
		return 0;
	s = pd_rd_tok(r, &len);
	neg = s && len > 1 && s[0] == '-';
	if (!s || len > 19 + (size_t)neg)
		return pd_rd_fail(r, what), 0;
	for (i = (size_t)neg; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return pd_rd_fail(r, what), 0;
		v = v * 10 + (s[i] - '0');
		if (v > 999999999999999999LL) /* 18 nines: no overflow */
			return pd_rd_fail(r, what), 0;
	}
	v = neg ? -v : v;
	if (v < lo || v > hi)
		return pd_rd_fail(r, what), 0;
	return v;
}

/* Read one field's line. */
static void get_field(struct pd_rd *r, const struct pd_field *f)
{
	uint64_t u;
	size_t i;

	pd_rd_key(r, f->key);
	for (i = 0; i < f->count && !r->bad; i++) {
		if (f->type == PD_F_DBL) {
			u = rd_hex(r, f->key);
			memcpy((double *)f->p + i, &u, sizeof(u));
		} else if (f->type == PD_F_U64)
			((uint64_t *)f->p)[i] = rd_hex(r, f->key);
		else if (f->type == PD_F_LL)
			((long long *)f->p)[i] = pd_rd_int(r, f->key, 0, (long long)9e18);
		else if (f->type == PD_F_INT)
			((int *)f->p)[i] = (int)pd_rd_int(r, f->key, 0, 1000000000);
		else
			((unsigned char *)f->p)[i] = (unsigned char)pd_rd_int(r, f->key, 0, 1);
	}
}

int pd_fields_get(struct pd_rd *r, const struct pd_field *f, int n)
{
	int i;

	for (i = 0; i < n && !r->bad; i++)
		get_field(r, &f[i]);
	return r->bad ? -1 : 0;
}

int pd_rd_end(struct pd_rd *r)
{
	size_t len;

	if (!r->bad && pd_rd_tok(r, &len))
		pd_rd_fail(r, "end of state");
	return r->bad ? -1 : 0;
}

/* ---- helpers for pso.c and ga.c ---- */

double *pd_opt_dup(const double *src, size_t n)
{
	double *d = pd_xcalloc(n, sizeof(double));

	memcpy(d, src, n * sizeof(double));
	return d;
}

int pd_opt_check_box(int dim, const double *lo, const double *hi, const double *min,
		     const double *max, char *err)
{
	int i;

	for (i = 0; i < dim; i++) {
		if (!isfinite(lo[i]) || !isfinite(hi[i]) || !(lo[i] < hi[i]) || !isfinite(hi[i] - lo[i]))
			return pd_err(err, "parameter %d: bad interval [%g, %g]", i + 1, lo[i], hi[i]), -1;
		if ((min && !(min[i] <= lo[i])) || (max && !(max[i] >= hi[i])))
			return pd_err(err, "parameter %d: hard bounds must contain [%g, %g]", i + 1,
				      lo[i], hi[i]), -1;
	}
	return 0;
}

void pd_opt_copy_box(int dim, const double *lo, const double *hi, const double *min,
		     const double *max, double **plo, double **phi, double **pmin, double **pmax)
{
	size_t n = (size_t)dim;

	*plo = pd_opt_dup(lo, n);
	*phi = pd_opt_dup(hi, n);
	*pmin = pd_opt_dup(min ? min : lo, n);
	*pmax = pd_opt_dup(max ? max : hi, n);
}

int pd_fields_rng(struct pd_field *f, const struct pd_rng *r)
{
	f[0] = PD_FIELD("rng", PD_F_U64, r->s, 4);
	f[1] = PD_FIELD("has_spare", PD_F_INT, &r->has_spare, 1);
	f[2] = PD_FIELD("spare", PD_F_DBL, &r->spare, 1);
	return 3;
}

int pd_fields_counts(struct pd_field *f, const long long *evals, const long long *iter, const long long *nonfinite)
{
	f[0] = PD_FIELD("evals", PD_F_LL, evals, 1);
	f[1] = PD_FIELD("iter", PD_F_LL, iter, 1);
	f[2] = PD_FIELD("nonfinite", PD_F_LL, nonfinite, 1);
	return 3;
}

int pd_fields_box(struct pd_field *f, const double *lo, const double *hi, const double *min, const double *max,
		  const double *best_x, size_t n)
{
	f[0] = PD_FIELD("lo", PD_F_DBL, lo, n);
	f[1] = PD_FIELD("hi", PD_F_DBL, hi, n);
	f[2] = PD_FIELD("min", PD_F_DBL, min, n);
	f[3] = PD_FIELD("max", PD_F_DBL, max, n);
	f[4] = PD_FIELD("best_x", PD_F_DBL, best_x, n);
	return 5;
}

int pd_opt_check_start(int dim, const double *x0, const double *min, const double *max, char *err)
{
	int i;

	for (i = 0; i < dim; i++)
		if (!(x0[i] >= min[i] && x0[i] <= max[i]))
			return pd_err(err, "parameter %d: start %g outside the hard bounds [%g, %g]", i + 1,
				      x0[i], min[i], max[i]), -1;
	return 0;
}

double pd_opt_reflect(double x, double min, double max)
{
	double w = max - min, t;

	if (isfinite(min) && isfinite(max) && (x < min || x > max)) {
		t = fmod(x - min, 2 * w);
		t = t < 0 ? t + 2 * w : t;
		x = min + (t <= w ? t : 2 * w - t);
	} else if (x < min)
		x = 2 * min - x;
	else if (x > max)
		x = 2 * max - x;
	return x < min ? min : x > max ? max : x;
}
