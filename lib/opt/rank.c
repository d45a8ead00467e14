/* rank.c - the order of a generation's values, shared by the optimisers. */
#include "opt/rank.h"

int pd_rank_cmp(const void *pa, const void *pb)
{
	const struct pd_rank *a = pa, *b = pb;

	if (a->bad != b->bad)
		return a->bad - b->bad;
	if (a->pen != b->pen)
		return a->pen < b->pen ? -1 : 1;
	if (!a->bad && a->f != b->f)
		return a->f < b->f ? -1 : 1;
	return a->i - b->i;
}
