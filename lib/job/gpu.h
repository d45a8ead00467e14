/* gpu.h - the GPUs of this host, found at run time (no CUDA at build time). */
#ifndef PD_GPU_H
#define PD_GPU_H

#include <stddef.h>
#include <stdint.h>

#define PD_GPUS_MAX 64		/* devices one host may report */
#define PD_GPU_NAME_MAX 128

/* One device as a backend reports it. */
struct pd_gpu_dev {
	char name[PD_GPU_NAME_MAX];
	uint64_t memory; /* bytes */
};

/*
 * A backend: what finds devices.  probe() fills at most max devices and
 * returns how many there are (0 when there is no driver or no device:
 * never an error for the caller, which then runs without GPUs), with a
 * one-line reason in why when it found none for a cause worth logging.
 */
struct pd_gpu_backend {
	const char *name;
	int (*probe)(struct pd_gpu_dev *devs, int max, char *why, size_t whylen);
};

/* The no-GPU backend (always 0) and the CUDA driver one (gpu_cuda.c:
 * dlopen("libcuda.so.1"), so nothing links against CUDA). */
extern const struct pd_gpu_backend pd_gpu_none;
extern const struct pd_gpu_backend pd_gpu_cuda;

/* What a host found. */
struct pd_gpus {
	int n;
	struct pd_gpu_dev dev[PD_GPUS_MAX];
	const char *backend; /* the backend that found them ("none" when 0) */
	char why[256];	     /* why none were found, or "" */
};

/* Probe with the CUDA backend, falling back to the no-GPU one, in a
 * child process (the CUDA driver is not fork-safe: a server that
 * initialised it could not fork workers able to use it).  Never fails:
 * no driver, no device or a failed probe give n 0 (why says which). */
void pd_gpus_detect(struct pd_gpus *g);

/*
 * Bind the calling process (a worker, before any job is loaded) to device
 * i of the detected ones: CUDA_VISIBLE_DEVICES is set to that one device,
 * so the job sees it as CUDA device 0.  When CUDA_VISIBLE_DEVICES was
 * already set (the server started on a subset), device i is the i-th id of
 * that list.  0 or -1 (setenv failed).
 */
int pd_gpu_bind(int i);

#endif
