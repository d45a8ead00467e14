/*
 * bbob_int.h - what bbob_gen.c (COCO's random data of an instance) and
 * bbob_fn.c (the 24 functions) share.
 */
#ifndef BBOB_INT_H
#define BBOB_INT_H

/* COCO's coco_pi. */
#define BBOB_PI 3.14159265358979323846

/* One (function, instance, dimension): everything COCO draws for it.
 * Matrices are row-major n x n.  Owned by the cache of bbob_fn.c. */
struct bbob_inst {
	int fn, inst, n;
	long rseed;	 /* COCO's seed: fn + 10000 inst (f4: 3, f18: 17) */
	double fopt;
	double *best;	 /* x_opt as COCO reports it (best_parameter) */
	double *xopt;	 /* the shift COCO's code subtracts (f5: signs only) */
	double *rot1;	 /* rotation from seed rseed + 1000000 */
	double *rot2;	 /* rotation from seed rseed */
	double *m;	 /* the composed affine matrix of the function */
	double *w1, *w2; /* work vectors */
	/* f21, f22 (Gallagher) */
	int npeaks;
	double *xloc;	/* n x npeaks: x_local[i][j] */
	double *scales; /* npeaks x n */
	double *peak;	/* npeaks */
};

/* COCO's legacy generators (suite_bbob_legacy_code.c). */
void bbob_unif(double *r, long n, long seed);
int bbob_gauss(double *g, long n, long seed);
int bbob_rotation(double *b, long seed, int n);
void bbob_compute_xopt(double *xopt, long seed, int n);
double bbob_compute_fopt(int fn, int inst);

/* Fills p for (fn, inst, n); 0, or -1 when memory runs out. */
int bbob_inst_make(struct bbob_inst *p, int fn, int inst, int n);
void bbob_inst_release(struct bbob_inst *p);

#endif
