/* asktell.h - the ask/tell face that PSO and the GA share, declared once. */
#ifndef PD_OPT_ASKTELL_H
#define PD_OPT_ASKTELL_H

#include <stddef.h>
#include <string.h>

struct pd_buf;

/*
 * PD_ASKTELL_DECLARE(P, T) declares, for the optimiser struct T with the
 * function prefix P (pd_pso, struct pd_pso):
 *
 *   int P_npoints(const T *o)	points per ask
 *   void P_ask(T *o, double *x)	fill x (npoints * dim, row-major) with
 *				the points to evaluate; asking changes
 *				nothing: asking again gives the same points
 *   void P_tell(T *o, const double *f)  the npoints values of the asked
 *				points (minimised): one iteration
 *   double P_best(const T *o, double *x)  the best value ever (INFINITY
 *				before any finite one) and its point into x
 *				(dim values, may be NULL; the middle of
 *				[lo, hi] before any)
 *   long long P_evals, P_iter, P_nonfinite(const T *o)
 *				points told, tells, non-finite values told
 *   double P_spread(const T *o)	a step size for the trace, in units of
 *				hi - lo (each header says which)
 *   void P_save(const T *o, struct pd_buf *out)  append the whole state
 *				as text (doubles as their bits: save, load
 *				and go on is bit-identical, also between
 *				ask and tell)
 *   T *P_load(const char *text, size_t len, char *err)  rebuild it (NULL
 *				with err)
 *
 * CMA-ES (cmaes.h) has a face of its own: restarts, stops, an embedded
 * struct; opt/optim.h puts the three behind one.
 */
#define PD_ASKTELL_DECLARE(P, T)                                                                    \
	int P##_npoints(const T *o);                                                                \
	void P##_ask(T *o, double *x);                                                              \
	void P##_tell(T *o, const double *f);                                                       \
	double P##_best(const T *o, double *x);                                                     \
	long long P##_evals(const T *o);                                                            \
	long long P##_iter(const T *o);                                                             \
	long long P##_nonfinite(const T *o);                                                        \
	double P##_spread(const T *o);                                                              \
	void P##_save(const T *o, struct pd_buf *out);                                              \
	T *P##_load(const char *text, size_t len, char *err)

/* Defines P_best, P_evals, P_iter and P_nonfinite over T's members of
 * the same names: int n, double best_f, double *best_x (n values) and
 * long long evals, iter, nonfinite.  For the .c file of T. */
#define PD_ASKTELL_DEFINE_TALLY(P, T)                                                               \
	double P##_best(const T *o, double *x)                                                      \
	{                                                                                           \
		if (x)                                                                              \
			memcpy(x, o->best_x, (size_t)o->n * sizeof(double));                        \
		return o->best_f;                                                                   \
	}                                                                                           \
	long long P##_evals(const T *o) { return o->evals; }                                        \
	long long P##_iter(const T *o) { return o->iter; }                                          \
	long long P##_nonfinite(const T *o) { return o->nonfinite; }

#endif
