/*
 * bbob.h - the 24 noiseless BBOB functions of COCO, as plain C.
 *
 * f1-f24 of the "bbob" suite (Hansen et al., "Real-parameter black-box
 * optimization benchmarking 2009: noiseless functions definitions", as
 * COCO's code-experiments/src implements them): each function, instance
 * and dimension gives the same x_opt, f_opt, rotations and values as
 * COCO's own C code, generated from the instance number by COCO's legacy
 * random generator (seed = function + 10000 * instance).
 *
 * This API needs no Playdoh: bbob.so exports it for ctypes and other C
 * callers, beside the fitness entry points of bbob_job.c.  The state of
 * the last instance used per function is cached in the process, so the
 * functions are not thread-safe (a Playdoh worker is a process).
 */
#ifndef BBOB_H
#define BBOB_H

#define BBOB_NFUNC 24
#define BBOB_MINDIM 2
#define BBOB_MAXDIM 40      /* COCO's legacy limit (SUITE_BBOB2009_MAX_DIM) */
#define BBOB_MAXINST 100000 /* keeps the seeds inside a 32-bit long */

/* f_fn of instance inst at x[dim]; NaN when fn, inst or dim is out of
 * range (check with bbob_check) or when memory runs out. */
double bbob_eval(int fn, int inst, const double *x, int dim);

/* n points at once, row-major x[n * dim], into f[n]. */
void bbob_eval_n(int fn, int inst, const double *x, int n, int dim, double *f);

/* f_opt, the optimal value; NaN when out of range. */
double bbob_fopt(int fn, int inst, int dim);

/* The optimum x_opt into xopt[dim] (COCO's best_parameter); 0, or -1
 * when out of range. */
int bbob_xopt(int fn, int inst, int dim, double *xopt);

/* 0 when (fn, inst, dim) is valid, else -1 with a message in
 * err[errlen] naming the faulty argument. */
int bbob_check(int fn, int inst, int dim, char *err, int errlen);

/* COCO's short name of fn ("sphere", ...), or NULL. */
const char *bbob_name(int fn);

#endif
