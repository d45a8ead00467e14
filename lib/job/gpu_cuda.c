/* gpu_cuda.c - the CUDA driver backend: libcuda.so.1 opened at run time. */
#include "gpu.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/*
 * The few driver API entry points used, declared here rather than taken
 * from cuda.h so that building needs no CUDA toolkit.  These signatures
 * are the driver's stable C ABI (CUresult is an int enum, CUdevice an int,
 * sizes size_t in the _v2 functions).
 */
typedef int cu_result;
typedef int cu_device;
typedef cu_result (*cu_init_fn)(unsigned int flags);
typedef cu_result (*cu_count_fn)(int *count);
typedef cu_result (*cu_get_fn)(cu_device *dev, int ordinal);
typedef cu_result (*cu_name_fn)(char *name, int len, cu_device dev);
typedef cu_result (*cu_mem_fn)(size_t *bytes, cu_device dev);

/* The driver's functions, looked up together. */
struct cu_api {
	cu_init_fn init;
	cu_count_fn count;
	cu_get_fn get;
	cu_name_fn name;
	cu_mem_fn mem;
};

/* Look up the entry points; 0, or -1 naming the missing one in why. */
static int cu_lookup(void *h, struct cu_api *a, char *why, size_t whylen)
{
	static const char *names[] = {"cuInit", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName",
				      "cuDeviceTotalMem_v2"};
	void *f[5];
	size_t i;

	for (i = 0; i < 5; i++)
		if (!(f[i] = dlsym(h, names[i]))) {
			snprintf(why, whylen, "libcuda.so.1 has no %s", names[i]);
			return -1;
		}
	/* POSIX guarantees data and function pointers convert (dlsym). */
	memcpy(&a->init, &f[0], sizeof f[0]);
	memcpy(&a->count, &f[1], sizeof f[1]);
	memcpy(&a->get, &f[2], sizeof f[2]);
	memcpy(&a->name, &f[3], sizeof f[3]);
	memcpy(&a->mem, &f[4], sizeof f[4]);
	return 0;
}

/* Count the devices and read each one's name and memory. */
static int cu_devices(const struct cu_api *a, struct pd_gpu_dev *devs, int max, char *why, size_t whylen)
{
	cu_result rc;
	cu_device d;
	size_t mem;
	int n = 0, i;

	if ((rc = a->init(0)) != 0) {
		snprintf(why, whylen, "cuInit failed (CUDA error %d)", rc);
		return 0;
	}
	if ((rc = a->count(&n)) != 0 || n < 0) {
		snprintf(why, whylen, "cuDeviceGetCount failed (CUDA error %d)", rc);
		return 0;
	}
	for (i = 0; i < n && i < max; i++) {
		snprintf(devs[i].name, sizeof devs[i].name, "CUDA device %d", i);
		devs[i].memory = 0;
		if (a->get(&d, i) != 0)
			continue;
		if (a->name(devs[i].name, (int)sizeof devs[i].name, d) != 0)
			snprintf(devs[i].name, sizeof devs[i].name, "CUDA device %d", i);
		devs[i].name[sizeof devs[i].name - 1] = 0;
		if (a->mem(&mem, d) == 0)
			devs[i].memory = mem;
	}
	if (!n)
		snprintf(why, whylen, "the CUDA driver reports no device");
	return n < max ? n : max;
}

/* Open the driver, count and describe its devices, close it.  Called in
 * a short-lived child (pd_gpus_detect): see there why. */
static int cuda_probe(struct pd_gpu_dev *devs, int max, char *why, size_t whylen)
{
	struct cu_api a;
	void *h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	int n;

	if (!h) {
		snprintf(why, whylen, "no CUDA driver (%s)", dlerror());
		return 0;
	}
	if (cu_lookup(h, &a, why, whylen)) {
		dlclose(h);
		return 0;
	}
	n = cu_devices(&a, devs, max, why, whylen);
	dlclose(h);
	return n;
}

const struct pd_gpu_backend pd_gpu_cuda = {"cuda", cuda_probe};
