/* cmaes_save.c - CMA-ES state as text, saved and loaded bit for bit. */
#include "opt/cmaes.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/cmaesint.h"

/* ---- save / load: "key value ..." lines, doubles as their bits in hex ---- */

enum ftype { F_DBL, F_LL, F_INT, F_U64, F_U8 };

struct field {
	const char *key;
	enum ftype type;
	void *p;
	size_t count;
};

#define FIELD(k, t, ptr, cnt) (struct field){k, t, (void *)(ptr), cnt}

/* The saved state after "dim" and "lambda", in order; returns the count. */
static int fields(const struct pd_cmaes *c, struct field *f)
{
	size_t n = (size_t)c->n, nn = n * n, i = 0;

	f[i++] = FIELD("sigma0", F_DBL, &c->sigma0, 1);
	f[i++] = FIELD("tolfun", F_DBL, &c->tolfun, 1);
	f[i++] = FIELD("tolx", F_DBL, &c->tolx, 1);
	f[i++] = FIELD("sigma", F_DBL, &c->sigma, 1);
	f[i++] = FIELD("evals", F_LL, &c->evals, 1);
	f[i++] = FIELD("eigeneval", F_LL, &c->eigeneval, 1);
	f[i++] = FIELD("iter", F_LL, &c->iter, 1);
	f[i++] = FIELD("gen", F_LL, &c->gen, 1);
	f[i++] = FIELD("nonfinite", F_LL, &c->nonfinite, 1);
	f[i++] = FIELD("restarts", F_INT, &c->restarts, 1);
	f[i++] = FIELD("rng", F_U64, c->rng.s, 4);
	f[i++] = FIELD("has_spare", F_INT, &c->rng.has_spare, 1);
	f[i++] = FIELD("spare", F_DBL, &c->rng.spare, 1);
	f[i++] = FIELD("asked", F_INT, &c->asked, 1);
	f[i++] = FIELD("best_f", F_DBL, &c->best_f, 1);
	f[i++] = FIELD("fworst", F_DBL, &c->fworst, 1);
	f[i++] = FIELD("hist_n", F_INT, &c->hist_n, 1);
	f[i++] = FIELD("hist_pos", F_INT, &c->hist_pos, 1);
	f[i++] = FIELD("lo", F_DBL, c->lo, n);
	f[i++] = FIELD("hi", F_DBL, c->hi, n);
	f[i++] = FIELD("min", F_DBL, c->min, n);
	f[i++] = FIELD("max", F_DBL, c->max, n);
	f[i++] = FIELD("best_x", F_DBL, c->best_x, n);
	f[i++] = FIELD("mean", F_DBL, c->mean, n);
	f[i++] = FIELD("pc", F_DBL, c->pc, n);
	f[i++] = FIELD("ps", F_DBL, c->ps, n);
	f[i++] = FIELD("D", F_DBL, c->D, n);
	f[i++] = FIELD("C", F_DBL, c->C, nn);
	f[i++] = FIELD("B", F_DBL, c->B, nn);
	f[i++] = FIELD("invsqrtc", F_DBL, c->invsqrtc, nn);
	f[i++] = FIELD("hist", F_DBL, c->hist, (size_t)c->histlen);
	f[i++] = FIELD("repaired", F_U8, c->repaired, (size_t)c->lambda);
	f[i++] = FIELD("arx", F_DBL, c->arx, (size_t)c->lambda * n);
	return (int)i;
}

#define NFIELDS 40

/* Append one field as a line. */
static void put_field(struct pd_buf *b, const struct field *f)
{
	uint64_t u;
	size_t i;

	pd_buf_adds(b, f->key);
	for (i = 0; i < f->count; i++) {
		if (f->type == F_DBL) {
			memcpy(&u, (const double *)f->p + i, sizeof(u));
			pd_buf_addf(b, " %016" PRIx64, u);
		} else if (f->type == F_U64)
			pd_buf_addf(b, " %016" PRIx64, ((const uint64_t *)f->p)[i]);
		else if (f->type == F_LL)
			pd_buf_addf(b, " %lld", ((const long long *)f->p)[i]);
		else if (f->type == F_INT)
			pd_buf_addf(b, " %d", ((const int *)f->p)[i]);
		else
			pd_buf_addf(b, " %d", ((const unsigned char *)f->p)[i]);
	}
	pd_buf_addc(b, '\n');
}

void pd_cmaes_save(const struct pd_cmaes *c, struct pd_buf *out)
{
	struct field f[NFIELDS];
	int i, nf = fields(c, f);

	pd_buf_addf(out, "pd-cmaes-state 1\ndim %d\nlambda %d\n", c->n, c->lambda);
	for (i = 0; i < nf; i++)
		put_field(out, &f[i]);
}

/* A cursor over the saved text; the first error sticks. */
struct rd {
	const char *p, *end;
	char *err;
	int bad;
};

/* The next blank-separated token (length in *len), or NULL at the end. */
static const char *rd_tok(struct rd *r, size_t *len)
{
	const char *s;

	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
		r->p++;
	s = r->p;
	while (r->p < r->end && *r->p != ' ' && *r->p != '\n' && *r->p != '\t' && *r->p != '\r')
		r->p++;
	*len = (size_t)(r->p - s);
	return *len ? s : NULL;
}

static void rd_fail(struct rd *r, const char *what)
{
	if (!r->bad)
		pd_err(r->err, "cmaes state: bad or missing %s", what);
	r->bad = 1;
}

static void rd_key(struct rd *r, const char *key)
{
	size_t len;
	const char *s = rd_tok(r, &len);

	if (!s || len != strlen(key) || memcmp(s, key, len))
		rd_fail(r, key);
}

/* A 16-digit hex number. */
static uint64_t rd_hex(struct rd *r, const char *what)
{
	size_t len, i;
	const char *s = rd_tok(r, &len);
	uint64_t u = 0;
	int d;

	if (!s || len != 16)
		return rd_fail(r, what), 0;
	for (i = 0; i < len; i++) {
		d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 : -1;
		if (d < 0)
			return rd_fail(r, what), 0;
		u = u << 4 | (uint64_t)d;
	}
	return u;
}

/* A decimal integer in [lo, hi]. */
static long long rd_int(struct rd *r, const char *what, long long lo, long long hi)
{
	size_t len, i;
	const char *s = rd_tok(r, &len);
	long long v = 0;
	int neg = s && len > 1 && s[0] == '-';

	if (!s || len > 19 + (size_t)neg)
		return rd_fail(r, what), 0;
	for (i = (size_t)neg; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return rd_fail(r, what), 0;
		v = v * 10 + (s[i] - '0');
		if (v > 999999999999999999LL) /* 18 nines: no overflow */
			return rd_fail(r, what), 0;
	}
	v = neg ? -v : v;
	if (v < lo || v > hi)
		return rd_fail(r, what), 0;
	return v;
}

/* Read one field's line. */
static void get_field(struct rd *r, const struct field *f)
{
	uint64_t u;
	size_t i;

	rd_key(r, f->key);
	for (i = 0; i < f->count && !r->bad; i++) {
		if (f->type == F_DBL) {
			u = rd_hex(r, f->key);
			memcpy((double *)f->p + i, &u, sizeof(u));
		} else if (f->type == F_U64)
			((uint64_t *)f->p)[i] = rd_hex(r, f->key);
		else if (f->type == F_LL)
			((long long *)f->p)[i] = rd_int(r, f->key, 0, (long long)9e18);
		else if (f->type == F_INT)
			((int *)f->p)[i] = (int)rd_int(r, f->key, 0, 1000000000);
		else
			((unsigned char *)f->p)[i] = (unsigned char)rd_int(r, f->key, 0, 1);
	}
}

/* Consistency of a loaded state: what the code relies on to be safe. */
static int check_loaded(const struct pd_cmaes *c, char *err)
{
	if (pd_cmaes_i_check_args(c->n, c->lo, c->hi, c->min, c->max, c->sigma0, c->lambda, err) < 0)
		return -1;
	if (c->hist_n > c->histlen || c->hist_pos >= c->histlen || c->rng.has_spare > 1 ||
	    c->asked > 1 || !(c->sigma > 0) || !(c->sigma0 > 0) ||
	    !(c->rng.s[0] | c->rng.s[1] | c->rng.s[2] | c->rng.s[3]))
		return pd_err(err, "cmaes state: inconsistent values"), -1;
	return 0;
}

int pd_cmaes_load(struct pd_cmaes *c, const char *text, size_t len, char *err)
{
	struct rd r = {text, text + len, err, 0};
	struct field f[NFIELDS];
	int i, nf;
	size_t tl;

	memset(c, 0, sizeof(*c));
	rd_key(&r, "pd-cmaes-state");
	rd_key(&r, "1");
	rd_key(&r, "dim");
	c->n = (int)rd_int(&r, "dim", 1, PD_CMAES_MAXDIM);
	rd_key(&r, "lambda");
	c->lambda = (int)rd_int(&r, "lambda", 2, PD_CMAES_MAXLAMBDA);
	/* Every saved double takes 17 bytes: the text caps the allocation. */
	if (!r.bad && ((size_t)c->lambda + 3 * (size_t)c->n) * (size_t)c->n > len / 17)
		rd_fail(&r, "state (too short)");
	if (r.bad)
		return -1;
	pd_cmaes_i_alloc_dim(c);
	pd_cmaes_i_alloc_lambda(c);
	nf = fields(c, f);
	for (i = 0; i < nf && !r.bad; i++)
		get_field(&r, &f[i]);
	if (!r.bad && rd_tok(&r, &tl))
		rd_fail(&r, "end of state");
	if (r.bad || check_loaded(c, err) < 0) {
		pd_cmaes_release(c);
		return -1;
	}
	pd_cmaes_i_set_ybounds(c);
	return 0;
}
