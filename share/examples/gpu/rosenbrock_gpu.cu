/*
 * rosenbrock_gpu.cu - Rosenbrock's function as a CUDA batch fitness: one
 * call evaluates every point pd-opt hands this GPU slot, one GPU thread
 * per point.  Its CPU twin is rosenbrock_batch in ../rosenbrock.c; both
 * give the same values (to rounding: the GPU may fuse multiply-adds).
 *
 * The job manages device memory itself: buffers are grown on demand and
 * kept between calls (the population size rarely changes), and freed by
 * the fini hook.  Host arrays in, host arrays out.
 *
 *	nvcc -O2 -shared -Xcompiler -fPIC -I/usr/local/include \
 *	     rosenbrock_gpu.cu -o rosenbrock_gpu.so
 *	pd-opt -a cmaes --gpu 1 --dim 10 --bounds -5:5 \
 *	     --popsize 100000 rosenbrock_gpu.so
 */
#include <math.h>
#include <stdio.h>

#include <cuda_runtime.h>

#include <playdoh.h>

static double *dev_x, *dev_f; /* device copies of the points and values */
static size_t cap_x, cap_f;   /* their sizes, in doubles */
static int failed;	      /* a CUDA call failed: every value is NaN from then on */

/* Report a failed CUDA call once (on the server's log) and remember it. */
static int check(cudaError_t rc, const char *what)
{
	if (rc == cudaSuccess)
		return 0;
	fprintf(stderr, "rosenbrock_gpu: %s: %s\n", what, cudaGetErrorString(rc));
	failed = 1;
	return -1;
}

/* Grow a device buffer to hold n doubles. */
static int reserve(double **p, size_t *cap, size_t n)
{
	if (n <= *cap)
		return 0;
	if (*p && check(cudaFree(*p), "cudaFree"))
		return -1;
	*p = NULL;
	*cap = 0;
	if (check(cudaMalloc((void **)p, n * sizeof(double)), "cudaMalloc"))
		return -1;
	*cap = n;
	return 0;
}

/* One thread per point: the sum over its dim-1 coordinate pairs. */
__global__ void rosenbrock_kernel(const double *x, int n, int dim, double *f)
{
	int i = blockIdx.x * blockDim.x + threadIdx.x;
	const double *p;
	double s = 0, a, b;
	int j;

	if (i >= n)
		return;
	p = x + (size_t)i * (size_t)dim;
	for (j = 0; j + 1 < dim; j++) {
		a = p[j + 1] - p[j] * p[j];
		b = 1 - p[j];
		s += 100 * a * a + b * b;
	}
	f[i] = s;
}

/* Init hook: select this worker's device (pd-serve set
 * CUDA_VISIBLE_DEVICES to it, so it is device 0 here) and create the
 * context now rather than in the first timed call. */
static int gpu_init(const pd_ctx *ctx)
{
	int dev = pd_ctx_gpu(ctx);

	if (dev < 0) {
		fprintf(stderr, "rosenbrock_gpu: not on a GPU slot\n");
		return 1;
	}
	if (check(cudaSetDevice(dev), "cudaSetDevice") || check(cudaFree(0), "creating the CUDA context"))
		return 1;
	return 0;
}

/* Fini hook: give the device memory back. */
static void gpu_fini(void)
{
	if (dev_x)
		cudaFree(dev_x);
	if (dev_f)
		cudaFree(dev_f);
	dev_x = dev_f = NULL;
	cap_x = cap_f = 0;
}

PD_FITNESS_BATCH_WITH(rosenbrock_gpu, PD_NEEDS_GPU, gpu_init, gpu_fini)
{
	size_t nx = (size_t)n * (size_t)dim;
	int threads = 256, blocks = (n + threads - 1) / threads, i;

	if (!failed && !reserve(&dev_x, &cap_x, nx) && !reserve(&dev_f, &cap_f, (size_t)n) &&
	    !check(cudaMemcpy(dev_x, x, nx * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy to the GPU")) {
		rosenbrock_kernel<<<blocks, threads>>>(dev_x, n, dim, dev_f);
		if (!check(cudaGetLastError(), "kernel launch") && !check(cudaDeviceSynchronize(), "kernel") &&
		    !check(cudaMemcpy(f, dev_f, (size_t)n * sizeof(double), cudaMemcpyDeviceToHost),
			   "cudaMemcpy from the GPU"))
			return;
	}
	/* No value is better than a wrong one: pd-opt reports NaNs as
	 * nonfinite, and the server's log says why. */
	for (i = 0; i < n; i++)
		f[i] = NAN;
}
