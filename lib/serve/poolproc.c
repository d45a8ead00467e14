/* poolproc.c - the pool's worker processes: start, bind to a GPU, stop. */
#include "clock.h"
#include "poolint.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "evframe.h"
#include "fdio.h"
#include "gpu.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

int pd_pool_i_live(const struct pd_pool *p, int gpu)
{
	int i, n = 0;

	for (i = 0; i < p->nw; i++)
		n += p->w[i]->state != W_RETIRING && (p->w[i]->gpu >= 0) == gpu;
	return n;
}

/* Set up the child side of a fork: only the worker pipe stays open; a
 * GPU slot's worker is bound to its device before any job is loaded. */
static void worker_child(int fd, struct pd_worker_shm *shm, int dev)
{
	int null;

	pd_child_reset_signals();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0); /* a group of its own, which pd_pool_i_kill ends */
	if (fd != 3 && dup2(fd, 3) < 0)
		_exit(127);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0 && null != 0) {
		dup2(null, 0);
		close(null);
	}
	dup2(2, 1); /* a job's printf goes to the server's log, never the protocol */
	pd_fd_close_from(4);
	if (dev >= 0 && pd_gpu_bind(dev))
		_exit(127);
	/* With one device visible, the job's CUDA device is 0. */
	pd_worker_main(3, shm, dev >= 0 ? 0 : -1);
}

/* Ask idle CPU worker w to load the preload job now. */
static void send_load(struct pd_pool *p, struct wproc *w)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", PD_OP_LOAD);
	cJSON_AddStringToObject(j, "path", p->preload_path);
	cJSON_AddStringToObject(j, "sym", p->preload_sym);
	if (p->preload_name)
		cJSON_AddStringToObject(j, "name", p->preload_name);
	pd_evframe_put(bufferevent_get_output(w->bev), NULL, j, NULL, 0);
	cJSON_Delete(j);
	w->state = W_LOADING;
}

void pd_pool_preload(struct pd_pool *p, const char *path, const char *sym, const char *name,
		     void (*ready)(void *arg), void *arg)
{
	int i;

	free(p->preload_path);
	free(p->preload_sym);
	free(p->preload_name);
	p->preload_path = pd_xstrdup(path);
	p->preload_sym = pd_xstrdup(sym);
	p->preload_name = name ? pd_xstrdup(name) : NULL;
	p->preload_ready = ready;
	p->preload_arg = arg;
	p->preload_until = pd_now_ns() + PRELOAD_WAIT_MS * 1000000ull;
	for (i = 0; i < p->nw; i++)
		if (p->w[i]->gpu < 0 && p->w[i]->state == W_IDLE)
			send_load(p, p->w[i]);
	pd_pool_i_preload_check(p, 0);
}

void pd_pool_i_preload_check(struct pd_pool *p, int give_up)
{
	void (*ready)(void *arg) = p->preload_ready;
	int i, loading = 0;

	if (!ready)
		return;
	for (i = 0; i < p->nw; i++)
		loading += p->w[i]->state == W_LOADING;
	if (!give_up && pd_now_ns() < p->preload_until && (loading || pd_pool_i_live(p, 0) < p->slots))
		return;
	p->preload_ready = NULL;
	ready(p->preload_arg);
}

void pd_pool_i_loaded(struct pd_pool *p, struct wproc *w)
{
	w->state = W_IDLE;
	pd_pool_i_preload_check(p, 0);
	pd_pool_i_pump(p);
}

/* Fork one worker process (on device dev, or -1: a CPU slot) and add it. */
int pd_pool_i_spawn(struct pd_pool *p, int dev, char *err)
{
	struct wproc *w;
	int sv[2];
	pid_t pid;

	if (p->nw == WORKERS_MAX) {
		pd_err(err, "too many workers (at most %d)", WORKERS_MAX);
		return -1;
	}
	w = pd_xcalloc(1, sizeof *w);
	w->gpu = dev;
	w->shm = mmap(NULL, sizeof *w->shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->shm == MAP_FAILED || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		pd_err(err, "worker set-up: %s", strerror(errno));
		if (w->shm != MAP_FAILED)
			munmap(w->shm, sizeof *w->shm);
		free(w);
		return -1;
	}
	pd_fd_wide(sv[0]);
	pd_fd_wide(sv[1]);
	pid = pd_child_fork(sv, err);
	if (pid < 0) {
		munmap(w->shm, sizeof *w->shm);
		free(w);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		worker_child(sv[1], w->shm, dev);
	}
	close(sv[1]);
	setpgid(pid, pid); /* as the child does: whichever runs first */
	w->pid = pid;
	w->bev = bufferevent_socket_new(p->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(w->bev, pd_pool_i_worker_read, NULL, pd_pool_i_worker_event, p);
	bufferevent_enable(w->bev, EV_READ);
	p->w[p->nw++] = w;
	if (dev < 0 && p->preload_ready) /* a preload is under way: this one too */
		send_load(p, w);
	if (dev >= 0)
		pd_log(PD_LOG_DEBUG, "worker %d started on GPU %d", (int)pid, dev);
	else
		pd_log(PD_LOG_DEBUG, "worker %d started", (int)pid);
	return 0;
}

void pd_pool_i_kill(struct wproc *w)
{
	if (w->pid <= 0)
		return;
	if (kill(-w->pid, SIGKILL) && errno == ESRCH)
		kill(w->pid, SIGKILL);
}

/* The lowest shared device (0 .. gpu_slots-1) no worker holds (a retiring
 * one still does until it exits: one dispatch at a time per GPU), or -1. */
static int free_device(const struct pd_pool *p)
{
	int d, i;

	for (d = 0; d < p->gpu_slots; d++) {
		for (i = 0; i < p->nw && p->w[i]->gpu != d; i++)
			;
		if (i == p->nw)
			return d;
	}
	return -1;
}

/* Start one missing worker, CPU slots first; 1 when one was started. */
static int grow_one(struct pd_pool *p)
{
	char err[PD_ERRLEN];
	int dev = -1;

	if (pd_pool_i_live(p, 0) >= p->slots) {
		if (pd_pool_i_live(p, 1) >= p->gpu_slots || (dev = free_device(p)) < 0)
			return 0;
	}
	if (pd_pool_i_spawn(p, dev, err)) {
		pd_log(PD_LOG_ERR, "%s", err);
		return 0;
	}
	return 1;
}

/*
 * Start missing workers one per loop turn, so that a new server answers
 * its first client and dispatches to the first workers while the rest
 * are still being forked.
 */
void pd_pool_i_grow(evutil_socket_t fd, short what, void *arg)
{
	struct pd_pool *p = arg;

	(void)fd;
	(void)what;
	if (!grow_one(p))
		return;
	pd_pool_i_pump(p);
	pd_pool_i_grow_soon(p);
}

/*
 * Fork the next missing worker on the loop's next turn, after it has
 * polled: a timer of zero, not event_active, which libevent runs in the
 * same pass (sixteen forks in one pass kept a new embedded server from
 * reading its client's first batch for 50 ms).
 */
void pd_pool_i_grow_soon(struct pd_pool *p)
{
	static const struct timeval now = {0, 0};

	event_add(p->grow, &now);
}

/* Remove worker index i from the table and free it. */
void pd_pool_i_forget(struct pd_pool *p, int i)
{
	struct wproc *w = p->w[i];

	bufferevent_free(w->bev);
	munmap(w->shm, sizeof *w->shm);
	free(w);
	p->w[i] = p->w[--p->nw];
}

/*
 * End every worker: idle ones see their pipe close and exit after the
 * jobs' fini hooks (given FINI_GRACE_MS in all); busy ones, and any
 * still there after the grace, are killed.
 */
void pd_pool_i_stop_workers(struct pd_pool *p)
{
	struct timespec ms = {0, 1000000};
	uint64_t deadline = pd_now_ns() + FINI_GRACE_MS * 1000000ull;
	int i, left;

	for (i = 0; i < p->nw; i++) {
		if (p->w[i]->state == W_BUSY)
			pd_pool_i_kill(p->w[i]);
		else
			shutdown(bufferevent_getfd(p->w[i]->bev), SHUT_WR);
	}
	for (;;) {
		for (i = 0, left = 0; i < p->nw; i++) {
			if (p->w[i]->pid > 0 && waitpid(p->w[i]->pid, NULL, WNOHANG) == p->w[i]->pid)
				p->w[i]->pid = 0;
			left += p->w[i]->pid > 0;
		}
		if (!left || pd_now_ns() >= deadline)
			break;
		nanosleep(&ms, NULL); /* a SIGCHLD may cut it short: fine */
	}
	for (i = 0; i < p->nw; i++)
		if (p->w[i]->pid > 0) {
			pd_pool_i_kill(p->w[i]);
			waitpid(p->w[i]->pid, NULL, 0);
		}
}

