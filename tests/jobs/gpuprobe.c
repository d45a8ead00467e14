/*
 * gpuprobe.c - a map job that needs a GPU (PD_NEEDS_GPU), for tests run
 * with a fake libcuda.  Every record is "MODE [DIR [N]]" and its result
 * "cvd=C init_cvd=IC init_gpu=IG": CUDA_VISIBLE_DEVICES now, and it and
 * pd_ctx_gpu() as the init hook saw them ("unset" when unset), then
 * " host=H" when PD_TEST_HOST is set (tests in network namespaces).
 *
 *   info          answer at once
 *   hold DIR      wait until DIR/release exists (at most 30 s)
 *   meet DIR N    count in at DIR/count, wait until N records have (30 s)
 *   count DIR     count running records in DIR/running, the most ever
 *                 seen at once into DIR/max, pause 20 ms, count out
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <playdoh.h>

static char init_cvd[64] = "never";
static int init_gpu = -2;

/* The init hook: what the worker was bound to before any record. */
static int probe_init(const pd_ctx *ctx)
{
	const char *v = getenv("CUDA_VISIBLE_DEVICES");

	snprintf(init_cvd, sizeof init_cvd, "%s", v ? v : "unset");
	init_gpu = pd_ctx_gpu(ctx);
	return 0;
}

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Add d to the number in DIR/name under a lock; the new value, or -1. */
static long bump(const char *dir, const char *name, long d, const char *maxname)
{
	char path[4200], buf[32];
	long v = 0, m = 0;
	ssize_t r;
	int fd, mfd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDWR | O_CREAT, 0644)) < 0 || flock(fd, LOCK_EX))
		return -1;
	r = pread(fd, buf, sizeof buf - 1, 0);
	buf[r > 0 ? r : 0] = 0;
	v = atol(buf) + d;
	snprintf(buf, sizeof buf, "%ld\n", v);
	if (ftruncate(fd, 0) || pwrite(fd, buf, strlen(buf), 0) < 0)
		v = -1;
	if (maxname && v > 0) {
		snprintf(path, sizeof path, "%s/%s", dir, maxname);
		if ((mfd = open(path, O_RDWR | O_CREAT, 0644)) >= 0) {
			r = pread(mfd, buf, sizeof buf - 1, 0);
			buf[r > 0 ? r : 0] = 0;
			m = atol(buf);
			if (v > m) {
				snprintf(buf, sizeof buf, "%ld\n", v);
				if (ftruncate(mfd, 0) || pwrite(mfd, buf, strlen(buf), 0) < 0)
					v = -1;
			}
			close(mfd);
		}
	}
	close(fd); /* drops the lock */
	return v;
}

/* Wait (30 s at most) until DIR/name exists or its number reaches n. */
static int wait_file(const char *dir, const char *name, long n)
{
	char path[4200], buf[32];
	int i, fd;
	ssize_t r;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (i = 0; i < 3000; i++, pause_ms(10)) {
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		r = read(fd, buf, sizeof buf - 1);
		close(fd);
		buf[r > 0 ? r : 0] = 0;
		if (n <= 0 || atol(buf) >= n)
			return 0;
	}
	return -1;
}

PD_MAP_FLAGS_WITH(gpuprobe, PD_NEEDS_GPU, probe_init, 0)
{
	const char *mode = pd_str(in, 0), *dir = pd_str(in, 1), *v;

	if (!mode)
		return pd_error(out, "empty record");
	if (strcmp(mode, "info") && !dir)
		return pd_error(out, "%s needs a directory", mode);
	if (!strcmp(mode, "hold") && wait_file(dir, "release", 0))
		return pd_error(out, "hold: no %s/release after 30 s", dir);
	if (!strcmp(mode, "meet")) {
		if (bump(dir, "count", 1, NULL) < 0 || wait_file(dir, "count", pd_int(in, 2)))
			return pd_error(out, "meet: fewer than %lld records met in 30 s", pd_int(in, 2));
	}
	if (!strcmp(mode, "count")) {
		if (bump(dir, "running", 1, "max") < 0)
			return pd_error(out, "count: cannot count in %s", dir);
		pause_ms(20);
		bump(dir, "running", -1, NULL);
	}
	v = getenv("CUDA_VISIBLE_DEVICES");
	pd_printf(out, "cvd=%s init_cvd=%s init_gpu=%d", v ? v : "unset", init_cvd, init_gpu);
	if (getenv("PD_TEST_HOST")) /* the namespace tests' name for the host */
		pd_printf(out, " host=%s", getenv("PD_TEST_HOST"));
	return PD_OK;
}
