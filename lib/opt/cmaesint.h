/* cmaesint.h - what cmaes.c shares with cmaes_save.c, and no one else. */
#ifndef PD_OPT_CMAESINT_H
#define PD_OPT_CMAESINT_H

#include "opt/cmaes.h"

/* Check init's arguments; 0 or -1 with err. */
int pd_cmaes_i_check_args(int n, const double *lo, const double *hi, const double *min,
			  const double *max, double sigma0, int lambda, char *err);

/* Allocate the arrays sized by the dimension / by the population (and
 * set the strategy parameters for it). */
void pd_cmaes_i_alloc_dim(struct pd_cmaes *c);
void pd_cmaes_i_alloc_lambda(struct pd_cmaes *c);

/* The hard bounds in normalised coordinates. */
void pd_cmaes_i_set_ybounds(struct pd_cmaes *c);

#endif
