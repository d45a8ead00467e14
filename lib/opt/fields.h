/* fields.h - optimiser states as text: tables of named fields, saved and loaded bit for bit. */
#ifndef PD_OPT_FIELDS_H
#define PD_OPT_FIELDS_H

#include <stddef.h>
#include <stdint.h>

struct pd_buf;

/*
 * An optimiser's state is saved as "key value ..." lines, one per field,
 * in a fixed order: doubles (and 64-bit words) as the 16 lower-case hex
 * digits of their bits, so a loaded state is bit-identical to the saved
 * one; integers in decimal.  A field points at count values the caller
 * owns: for loading, memory already allocated to the right size.
 */
enum pd_ftype {
	PD_F_DBL, /* double, as the hex digits of its bits */
	PD_F_LL,  /* long long in 0 .. 9e18 */
	PD_F_INT, /* int in 0 .. 1e9 */
	PD_F_U64, /* uint64_t, 16 hex digits */
	PD_F_U8	  /* unsigned char, 0 or 1 */
};

struct pd_field {
	const char *key;
	enum pd_ftype type;
	void *p;
	size_t count;
};

#define PD_FIELD(k, t, ptr, cnt) ((struct pd_field){(k), (t), (void *)(ptr), (cnt)})

struct pd_rng;

/* Field groups that several states hold alike, written at f in the order
 * given; each returns how many fields it wrote. */
/* "rng", "has_spare", "spare": one random stream. */
int pd_fields_rng(struct pd_field *f, const struct pd_rng *r);
/* "evals", "iter", "nonfinite": what an ask/tell optimiser counts. */
int pd_fields_counts(struct pd_field *f, const long long *evals, const long long *iter, const long long *nonfinite);
/* "lo", "hi", "min", "max", "best_x": the search box and the best point
 * (n values each). */
int pd_fields_box(struct pd_field *f, const double *lo, const double *hi, const double *min, const double *max,
		  const double *best_x, size_t n);

/* Append n fields, one line each. */
void pd_fields_put(struct pd_buf *b, const struct pd_field *f, int n);

/*
 * A cursor over saved text.  The first error sticks (bad is set, err
 * filled with "KIND state: bad or missing WHAT"); later reads return 0
 * and change nothing, so a loader reads on and checks bad once.
 */
struct pd_rd {
	const char *p, *end;
	const char *kind; /* "cmaes", "pso", "ga": names the state in errors */
	char *err;	  /* PD_ERRLEN bytes */
	int bad;
};

void pd_rd_init(struct pd_rd *r, const char *text, size_t len, const char *kind, char *err);
/* Mark the text bad (the first call fills err). */
void pd_rd_fail(struct pd_rd *r, const char *what);
/* The next blank-separated token (length in *len), or NULL at the end. */
const char *pd_rd_tok(struct pd_rd *r, size_t *len);
/* Expect the token key. */
void pd_rd_key(struct pd_rd *r, const char *key);
/* A decimal integer in [lo, hi] (0 when bad). */
long long pd_rd_int(struct pd_rd *r, const char *what, long long lo, long long hi);
/* Read n fields in order into their memory; 0, or -1 when bad. */
int pd_fields_get(struct pd_rd *r, const struct pd_field *f, int n);
/* Expect nothing more than blanks; 0, or -1 when bad. */
int pd_rd_end(struct pd_rd *r);

/* ---- small helpers the population optimisers (pso.c, ga.c) share ---- */

/* Copy n doubles into a fresh array. */
double *pd_opt_dup(const double *src, size_t n);
/*
 * Check a search box of dim parameters: lo < hi finite with a finite
 * width, min <= lo and max >= hi (min / max may be NULL: lo / hi, or
 * infinite; never NaN).  Returns 0, or -1 with err naming the parameter.
 */
int pd_opt_check_box(int dim, const double *lo, const double *hi, const double *min,
		     const double *max, char *err);
/* Check a start point x0 (dim values) against the hard bounds [min, max].
 * Returns 0, or -1 with err "parameter I: start X outside the hard
 * bounds [MIN, MAX]" for the first one outside. */
int pd_opt_check_start(int dim, const double *x0, const double *min, const double *max, char *err);
/* x mirrored off the walls into [min, max] (either may be infinite): as
 * often as it takes, so the result lies inside and the map is continuous;
 * a final clamp only guards against rounding. */
double pd_opt_reflect(double x, double min, double max);
/* Copy the box into fresh arrays (min / max NULL: lo / hi). */
void pd_opt_copy_box(int dim, const double *lo, const double *hi, const double *min,
		     const double *max, double **plo, double **phi, double **pmin, double **pmax);

#endif
