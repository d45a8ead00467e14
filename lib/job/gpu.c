/* gpu.c - detecting GPUs behind a backend, and binding a worker to one. */
#include "gpu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"

/* No driver, no devices. */
static int none_probe(struct pd_gpu_dev *devs, int max, char *why, size_t whylen)
{
	(void)devs;
	(void)max;
	(void)why;
	(void)whylen;
	return 0;
}

const struct pd_gpu_backend pd_gpu_none = {"none", none_probe};

/* Probe with the CUDA backend, falling back to the no-GPU one. */
static void detect_here(struct pd_gpus *g)
{
	memset(g, 0, sizeof *g);
	g->n = pd_gpu_cuda.probe(g->dev, PD_GPUS_MAX, g->why, sizeof g->why);
	g->backend = pd_gpu_cuda.name;
	if (g->n <= 0) {
		g->n = pd_gpu_none.probe(g->dev, PD_GPUS_MAX, NULL, 0);
		g->backend = pd_gpu_none.name;
	}
	if (g->n > PD_GPUS_MAX)
		g->n = PD_GPUS_MAX;
}

/*
 * The probe runs in a child process: the CUDA driver is not fork-safe, so
 * a server that called cuInit itself would fork workers unable to use
 * their GPU.  The child sends back counts, names and sizes only.
 */
void pd_gpus_detect(struct pd_gpus *g)
{
	int fd[2], status;
	pid_t pid;

	memset(g, 0, sizeof *g);
	g->backend = pd_gpu_none.name;
	if (pipe(fd)) {
		snprintf(g->why, sizeof g->why, "pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		detect_here(g);
		_exit(pd_write_all(fd[1], g, sizeof *g) ? 1 : 0);
	}
	close(fd[1]);
	if (pid < 0 || pd_read_exact(fd[0], g, sizeof *g)) {
		memset(g, 0, sizeof *g);
		snprintf(g->why, sizeof g->why, "GPU probe process failed");
	}
	close(fd[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	/* The backend name pointed into the child's copy of the same binary. */
	g->backend = g->n > 0 ? pd_gpu_cuda.name : pd_gpu_none.name;
	if (g->n < 0 || g->n > PD_GPUS_MAX)
		g->n = 0;
	g->why[sizeof g->why - 1] = 0;
}

/* The i-th comma-separated id of list into out, or "" when there is none. */
static void nth_id(const char *list, int i, char *out, size_t n)
{
	const char *p = list, *comma;
	size_t len;

	out[0] = 0;
	for (; i > 0 && p; i--)
		p = (p = strchr(p, ',')) ? p + 1 : NULL;
	if (!p)
		return;
	comma = strchr(p, ',');
	len = comma ? (size_t)(comma - p) : strlen(p);
	if (len < n)
		snprintf(out, n, "%.*s", (int)len, p);
}

int pd_gpu_bind(int i)
{
	const char *prev = getenv("CUDA_VISIBLE_DEVICES");
	char id[64];

	id[0] = 0;
	if (prev && *prev)
		nth_id(prev, i, id, sizeof id);
	if (!id[0])
		snprintf(id, sizeof id, "%d", i);
	return setenv("CUDA_VISIBLE_DEVICES", id, 1);
}
