/* rank.h - the order of a generation's values, shared by the optimisers. */
#ifndef PD_OPT_RANK_H
#define PD_OPT_RANK_H

/* One evaluated point: its value, whether that is non-finite, its index,
 * a penalty ranked before the value (0 unless the optimiser sets one:
 * CMA-ES's squared distance beyond its transformation's range). */
struct pd_rank {
	double f;
	int bad; /* non-finite */
	int i;
	double pen;
};

/* qsort order of struct pd_rank: finite before non-finite, then by
 * penalty, then by value, then by index (so equal values keep their
 * order). */
int pd_rank_cmp(const void *pa, const void *pb);

#endif
