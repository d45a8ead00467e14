/*
 * cuda_runtime.h - a CPU stand-in for the few CUDA runtime calls the
 * examples in share/examples/gpu use, so that CI (no GPU, no nvcc) can
 * build their host code and kernels with g++ and check their results.
 * tests/gpu.bats rewrites each kernel launch `k<<<blocks, threads>>>(a)`
 * into a loop over the grid that sets blockIdx/blockDim/threadIdx and
 * calls k(a).  Device memory is host memory here.
 */
#ifndef FAKE_CUDA_RUNTIME_H
#define FAKE_CUDA_RUNTIME_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define __global__

typedef enum { cudaSuccess = 0, cudaErrorMemoryAllocation = 2 } cudaError_t;
enum cudaMemcpyKind { cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2 };
struct fake_dim3 {
	unsigned x;
};
static struct fake_dim3 blockIdx, blockDim, threadIdx;

static inline const char *cudaGetErrorString(cudaError_t e) { return e ? "out of memory" : "no error"; }
static inline cudaError_t cudaMalloc(void **p, size_t n)
{
	*p = malloc(n);
	return *p ? cudaSuccess : cudaErrorMemoryAllocation;
}
static inline cudaError_t cudaFree(void *p)
{
	free(p);
	return cudaSuccess;
}
static inline cudaError_t cudaMemcpy(void *d, const void *s, size_t n, enum cudaMemcpyKind k)
{
	(void)k;
	memcpy(d, s, n);
	return cudaSuccess;
}
static inline cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : cudaErrorMemoryAllocation; }
static inline cudaError_t cudaGetLastError(void) { return cudaSuccess; }
static inline cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }

#endif
