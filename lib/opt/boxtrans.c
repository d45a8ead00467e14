/* boxtrans.c - Hansen's linear-quadratic box transformation (see boxtrans.h). */
#include "opt/boxtrans.h"

#include <math.h>

/* The margin beside a bound b of a box of width w. */
static double margin(double b, double w)
{
	if (!isfinite(b))
		return 1;
	return fmin(w / 2, (1 + fabs(b)) / 20);
}

void pd_boxtrans_init(struct pd_boxtrans *t, double lb, double ub)
{
	t->lb = lb;
	t->ub = ub;
	t->al = margin(lb, ub - lb);
	t->au = margin(ub, ub - lb);
}

/* Shift y by whole periods, then mirror it, into [lb - al, ub + au]. */
static double into_range(const struct pd_boxtrans *t, double y)
{
	double lb = t->lb, ub = t->ub, al = t->al, au = t->au, r, s;

	if (isfinite(lb) && isfinite(ub) &&
	    (y < lb - 2 * al - (ub - lb) / 2 || y > ub + 2 * au + (ub - lb) / 2)) {
		r = 2 * (ub - lb + al + au);
		s = lb - 2 * al - (ub - lb) / 2;
		y -= r * floor((y - s) / r);
	}
	if (y > ub + au)
		y -= 2 * (y - ub - au);
	if (y < lb - al)
		y += 2 * (lb - al - y);
	return y;
}

double pd_boxtrans_fwd(const struct pd_boxtrans *t, double y)
{
	double x;

	if (!isfinite(t->lb) && !isfinite(t->ub))
		return y;
	y = into_range(t, y);
	if (y < t->lb + t->al)
		x = t->lb + (y - (t->lb - t->al)) * (y - (t->lb - t->al)) / (4 * t->al);
	else if (y <= t->ub - t->au)
		x = y;
	else
		x = t->ub - (y - (t->ub + t->au)) * (y - (t->ub + t->au)) / (4 * t->au);
	/* rounding must not leave the box */
	return x < t->lb ? t->lb : x > t->ub ? t->ub : x;
}

double pd_boxtrans_inv(const struct pd_boxtrans *t, double x)
{
	if (x < t->lb + t->al)
		return t->lb - t->al + 2 * sqrt(t->al * fmax(0, x - t->lb));
	if (x <= t->ub - t->au)
		return x;
	return t->ub + t->au - 2 * sqrt(t->au * fmax(0, t->ub - x));
}
