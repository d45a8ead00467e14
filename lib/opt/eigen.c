/* eigen.c - eigendecomposition of symmetric matrices by cyclic Jacobi rotations. */
#include "opt/eigen.h"

#include <math.h>
#include <string.h>

/* One Jacobi rotation zeroing a[p][q] of the symmetric n x n a; v += it. */
static void jacobi_rotate(int n, double *a, double *v, int p, int q)
{
	double apq = a[p * n + q], app = a[p * n + p], aqq = a[q * n + q];
	double theta, t, cs, sn, x, y;
	int k;

	if (fabs(app) + 100 * fabs(apq) == fabs(app) && fabs(aqq) + 100 * fabs(apq) == fabs(aqq)) {
		a[p * n + q] = a[q * n + p] = 0;
		return;
	}
	theta = (aqq - app) / (2 * apq);
	if (fabs(theta) > 1e150)
		t = 1 / (2 * theta);
	else
		t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
	cs = 1 / sqrt(t * t + 1);
	sn = t * cs;
	a[p * n + p] = app - t * apq;
	a[q * n + q] = aqq + t * apq;
	a[p * n + q] = a[q * n + p] = 0;
	for (k = 0; k < n; k++) {
		if (k != p && k != q) {
			x = a[k * n + p], y = a[k * n + q];
			a[k * n + p] = a[p * n + k] = cs * x - sn * y;
			a[k * n + q] = a[q * n + k] = sn * x + cs * y;
		}
		x = v[k * n + p], y = v[k * n + q];
		v[k * n + p] = cs * x - sn * y;
		v[k * n + q] = sn * x + cs * y;
	}
}

/* Diagonalise symmetric a (destroyed: eigenvalues on its diagonal) into
 * the eigenvector columns of v. */
void pd_eigen_sym(int n, double *a, double *v)
{
	int sweep, p, q;
	double off;

	memset(v, 0, (size_t)n * n * sizeof(double));
	for (p = 0; p < n; p++)
		v[p * n + p] = 1;
	for (sweep = 0; sweep < 64; sweep++) {
		off = 0;
		for (p = 0; p < n; p++)
			for (q = p + 1; q < n; q++)
				off += fabs(a[p * n + q]);
		if (off == 0 || !isfinite(off))
			break;
		for (p = 0; p < n; p++)
			for (q = p + 1; q < n; q++)
				if (a[p * n + q] != 0)
					jacobi_rotate(n, a, v, p, q);
	}
}

