/*
 * fakecuda.c - a stand-in libcuda.so.1 for tests on machines without a
 * GPU: the five driver entry points pd-serve's detection uses.  It
 * reports FAKECUDA_DEVICES devices (default 2) named "Fake GPU N" with
 * (N + 1) GiB each; FAKECUDA_FAIL=1 makes cuInit fail (no usable driver);
 * with FAKECUDA_LOG set, each cuInit appends a line to that file (who
 * looked for GPUs, and how often).
 * Build: cc -shared -fPIC -o libcuda.so.1 fakecuda.c
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

int cuInit(unsigned int flags);
int cuDeviceGetCount(int *count);
int cuDeviceGet(int *dev, int ordinal);
int cuDeviceGetName(char *name, int len, int dev);
int cuDeviceTotalMem_v2(size_t *bytes, int dev);

static int initialised;

/* The device count from the environment. */
static int devices(void)
{
	const char *s = getenv("FAKECUDA_DEVICES");

	return s && *s ? atoi(s) : 2;
}

int cuInit(unsigned int flags)
{
	const char *fail = getenv("FAKECUDA_FAIL"), *log = getenv("FAKECUDA_LOG");
	FILE *f;

	if (log && *log && (f = fopen(log, "a"))) {
		fputs("cuInit\n", f);
		fclose(f);
	}
	if (flags != 0)
		return 1; /* CUDA_ERROR_INVALID_VALUE */
	if (fail && *fail == '1')
		return 100; /* CUDA_ERROR_NO_DEVICE */
	initialised = 1;
	return 0;
}

int cuDeviceGetCount(int *count)
{
	if (!initialised)
		return 3; /* CUDA_ERROR_NOT_INITIALIZED */
	*count = devices();
	return 0;
}

int cuDeviceGet(int *dev, int ordinal)
{
	if (!initialised)
		return 3;
	if (ordinal < 0 || ordinal >= devices())
		return 101; /* CUDA_ERROR_INVALID_DEVICE */
	*dev = ordinal;
	return 0;
}

int cuDeviceGetName(char *name, int len, int dev)
{
	if (!initialised)
		return 3;
	if (dev < 0 || dev >= devices() || len < 1)
		return 101;
	snprintf(name, (size_t)len, "Fake GPU %d", dev);
	return 0;
}

int cuDeviceTotalMem_v2(size_t *bytes, int dev)
{
	if (!initialised)
		return 3;
	if (dev < 0 || dev >= devices())
		return 101;
	*bytes = (size_t)(dev + 1) << 30;
	return 0;
}
