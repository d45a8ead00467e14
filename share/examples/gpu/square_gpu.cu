/*
 * square_gpu.cu - a CUDA map job: the square of each record's first
 * number, computed on this worker's GPU.  Its CPU twin is square in
 * ../square.c, with the same output.  A map job runs one record per call,
 * so it shows the shape of a GPU map job (device set-up in the init hook,
 * a kernel per record, errors reported against the record) rather than a
 * speed-up: give each record real work (a vector, an image) for that.
 *
 *	nvcc -O2 -shared -Xcompiler -fPIC -I/usr/local/include \
 *	     square_gpu.cu -o square_gpu.so
 *	seq 10 | pd-map square_gpu.so
 */
#include <stdio.h>

#include <cuda_runtime.h>

#include <playdoh.h>

static double *dev_v; /* one double on the device, kept for every record */

/* One thread squares the value in place. */
__global__ void square_kernel(double *v)
{
	if (blockIdx.x == 0 && threadIdx.x == 0)
		v[0] = v[0] * v[0];
}

/* Init hook: this worker's device (0: the one CUDA_VISIBLE_DEVICES shows)
 * and the device buffer. */
static int square_init(const pd_ctx *ctx)
{
	cudaError_t rc;
	int dev = pd_ctx_gpu(ctx);

	if (dev < 0)
		return 1;
	if ((rc = cudaSetDevice(dev)) != cudaSuccess || (rc = cudaMalloc((void **)&dev_v, sizeof(double))) != cudaSuccess) {
		fprintf(stderr, "square_gpu: %s\n", cudaGetErrorString(rc));
		return 1;
	}
	return 0;
}

/* Fini hook: free the buffer. */
static void square_fini(void)
{
	if (dev_v)
		cudaFree(dev_v);
	dev_v = NULL;
}

PD_MAP_FLAGS_WITH(square_gpu, PD_NEEDS_GPU, square_init, square_fini)
{
	double x = pd_num(in, 0);
	cudaError_t rc;

	if ((rc = cudaMemcpy(dev_v, &x, sizeof x, cudaMemcpyHostToDevice)) != cudaSuccess)
		return pd_error(out, "copy to the GPU: %s", cudaGetErrorString(rc));
	square_kernel<<<1, 1>>>(dev_v);
	if ((rc = cudaGetLastError()) != cudaSuccess || (rc = cudaDeviceSynchronize()) != cudaSuccess)
		return pd_error(out, "kernel: %s", cudaGetErrorString(rc));
	if ((rc = cudaMemcpy(&x, dev_v, sizeof x, cudaMemcpyDeviceToHost)) != cudaSuccess)
		return pd_error(out, "copy from the GPU: %s", cudaGetErrorString(rc));
	return pd_put_double(out, x);
}
