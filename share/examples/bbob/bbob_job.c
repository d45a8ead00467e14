/*
 * bbob_job.c - the BBOB functions as pd-opt fitness jobs.
 *
 * The entry point's name chooses the function and the instance; pd-opt's
 * --dim chooses the dimension (2 to 40), and COCO's search box is
 * [-5, 5] in every coordinate:
 *
 *	pd-opt --dim 10 --bounds -5:5 bbob.so:f8_i3	f8 (Rosenbrock), instance 3
 *	pd-opt --dim 10 --bounds -5:5 bbob.so:f8	the same as f8_i1
 *
 * fF_iI for F = 1..24 and I = 1..15 (the instances of COCO's bbob suite
 * since 2009), fF for instance 1.  Each is the batch form of playdoh(3).
 * The values are COCO's f(x), f_opt included: a run is solved to
 * precision 1e-8 when it reaches bbob_fopt() + 1e-8, so pass --target
 * with that value (bbob-info prints it, tests/bbob/ shows how).
 * A dimension out of range gives NaN for every point.
 *
 * Other instances, and the functions without Playdoh, are reached
 * through the plain C API of bbob.h, which bbob.so exports too (for
 * ctypes: bbob_eval, bbob_eval_n, bbob_fopt, bbob_xopt, bbob_name).
 */
#include <stddef.h>

#include <playdoh.h>

#include "bbob.h"

/* fF_iI: function F, instance I. */
#define BBOB_JOB(F, I)                                                         \
	PD_FITNESS_BATCH(f##F##_i##I) { bbob_eval_n(F, I, x, n, dim, f); }

/* fF and its 15 instances. */
#define BBOB_JOBS(F)                                                           \
	PD_FITNESS_BATCH(f##F) { bbob_eval_n(F, 1, x, n, dim, f); }            \
	BBOB_JOB(F, 1) BBOB_JOB(F, 2) BBOB_JOB(F, 3) BBOB_JOB(F, 4)            \
	BBOB_JOB(F, 5) BBOB_JOB(F, 6) BBOB_JOB(F, 7) BBOB_JOB(F, 8)            \
	BBOB_JOB(F, 9) BBOB_JOB(F, 10) BBOB_JOB(F, 11) BBOB_JOB(F, 12)         \
	BBOB_JOB(F, 13) BBOB_JOB(F, 14) BBOB_JOB(F, 15)

BBOB_JOBS(1)
BBOB_JOBS(2)
BBOB_JOBS(3)
BBOB_JOBS(4)
BBOB_JOBS(5)
BBOB_JOBS(6)
BBOB_JOBS(7)
BBOB_JOBS(8)
BBOB_JOBS(9)
BBOB_JOBS(10)
BBOB_JOBS(11)
BBOB_JOBS(12)
BBOB_JOBS(13)
BBOB_JOBS(14)
BBOB_JOBS(15)
BBOB_JOBS(16)
BBOB_JOBS(17)
BBOB_JOBS(18)
BBOB_JOBS(19)
BBOB_JOBS(20)
BBOB_JOBS(21)
BBOB_JOBS(22)
BBOB_JOBS(23)
BBOB_JOBS(24)
