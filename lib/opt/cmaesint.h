/* cmaesint.h - what cmaes.c shares with cmaes_save.c, cmaes_restart.c and cmaes_noise.c. */
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

/* Room in c->arx for the points of one ask at the current uh_k (kept
 * whenever uh_k grows, so that a state saved between tell and ask never
 * names more rows than there are); new rows are zero. */
void pd_cmaes_i_arx_reserve(struct pd_cmaes *c);

void pd_cmaes_i_free_lambda(struct pd_cmaes *c);
/* Re-evaluations per generation for lambda under uncertainty handling. */
int pd_cmaes_i_nreev(int lambda);

/* The hard bounds in normalised coordinates, and their transformations. */
void pd_cmaes_i_set_ybounds(struct pd_cmaes *c);
/* A fresh distribution around c->mean with sigma0. */
void pd_cmaes_i_reset_dist(struct pd_cmaes *c);
/* An unbounded normalised point to user coordinates, in the box. */
void pd_cmaes_i_to_user(const struct pd_cmaes *c, const double *y, double *x);

/* Uncertainty handling: from the lambda + nreev values f, fill c->fu
 * with the lambda values for the update, update the noise measure, and
 * return the factor for sigma (cmaes_noise.c). */
double pd_cmaes_i_noise(struct pd_cmaes *c, const double *f);

#endif
