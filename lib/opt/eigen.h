/* eigen.h - eigendecomposition of small symmetric matrices. */
#ifndef PD_OPT_EIGEN_H
#define PD_OPT_EIGEN_H

/*
 * Diagonalise the symmetric n x n matrix a (row-major; destroyed: its
 * eigenvalues end on its diagonal) by cyclic Jacobi rotations, at most
 * 64 sweeps; v (n x n) receives the eigenvectors as its columns.
 */
void pd_eigen_sym(int n, double *a, double *v);

#endif
