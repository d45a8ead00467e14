/* boxtrans.h - Hansen's linear-quadratic box transformation, as pycma's BoundTransform. */
#ifndef PD_OPT_BOXTRANS_H
#define PD_OPT_BOXTRANS_H

/*
 * Maps any real y onto [lb, ub] (either bound may be infinite): the
 * identity in the middle, a parabola in a margin of width al above lb
 * (au below ub) that touches the bound at y = lb - al (ub + au) with a
 * zero slope, and beyond that mirrored, then periodic.  So a search in y
 * is unconstrained, every point it evaluates lies in the box, and an
 * optimum on a bound is an ordinary smooth minimum in y, reached at the
 * search's usual linear rate instead of stalling on a clamped point.
 * Margins as pycma's BoxConstraintsLinQuadTransformation:
 * al = min((ub - lb) / 2, (1 + |lb|) / 20), likewise au; 1 when the
 * bound is infinite.  Hansen, "CMA-ES: boundary handling", and
 * cma.transformations in pycma.
 */
struct pd_boxtrans {
	double lb, ub, al, au;
};

/* The transformation of one coordinate to [lb, ub] (lb < ub). */
void pd_boxtrans_init(struct pd_boxtrans *t, double lb, double ub);
/* y to the box. */
double pd_boxtrans_fwd(const struct pd_boxtrans *t, double y);
/* A y with fwd(y) = x, for x in [lb, ub] (the branch nearest the box). */
double pd_boxtrans_inv(const struct pd_boxtrans *t, double x);

#endif
