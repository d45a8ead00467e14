/* param.h - pd-opt's parameters: names, initial intervals and hard bounds. */
#ifndef PD_OPT_PARAM_H
#define PD_OPT_PARAM_H

#define PD_PARAM_MAX 1000 /* parameters in one search */
#define PD_PARAM_NAME_MAX 63

/*
 * The search space: dim parameters, each with a name, an initial interval
 * [lo, hi] (finite, lo < hi) where the first points are drawn, and hard
 * bounds [min, max] (min <= lo, max >= hi, may be infinite) that no
 * evaluated point ever leaves.  Named parameters come from -p specs,
 * anonymous ones (x0, x1, ...) from --dim N --bounds SPEC.
 */
struct pd_params {
	int dim;
	char (*name)[PD_PARAM_NAME_MAX + 1];
	double *lo, *hi, *min, *max;
};

void pd_params_init(struct pd_params *p);
void pd_params_release(struct pd_params *p);

/*
 * Add one parameter from "NAME=LO:HI" or "NAME=MIN:LO:HI:MAX" (numbers as
 * strtod reads them; MIN may be -inf and MAX inf).  Returns 0, or -1 with
 * err naming what is wrong: "-p x=3:1: LO (3) is not below HI (1)".
 */
int pd_params_add(struct pd_params *p, const char *spec, char *err);

/* Add n anonymous parameters x0..x(n-1), all with "LO:HI" or
 * "MIN:LO:HI:MAX" bounds.  0 or -1 with err. */
int pd_params_add_anon(struct pd_params *p, int n, const char *bounds, char *err);

/*
 * A list of numbers, one per parameter or one for all (--x0, --step),
 * separated by commas: a new array of p->dim numbers, or NULL with err
 * naming the option `name` and what is wrong.
 */
double *pd_params_list(const struct pd_params *p, const char *name, const char *s, char *err);

/* 1 when a and b have the same names, intervals and bounds, in order. */
int pd_params_same(const struct pd_params *a, const struct pd_params *b);

#endif
