/* jobccrun.c - the compiler as a bounded child process, and compiles off the event loop. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "err.h"
#include "fdio.h"
#include "jobcc.h"

/* The compiler is work a key holder causes outside the shared slots: it
 * runs niced, with bounded memory, CPU time and file sizes, so that
 * `#include "/dev/zero"` ends in an error rather than in GiBs. */
static void limit_compiler(void)
{
	struct rlimit as = {PD_JOBCC_MEM_MAX, PD_JOBCC_MEM_MAX};
	struct rlimit cpu = {(rlim_t)pd_jobcc_timeout_s(NULL), (rlim_t)pd_jobcc_timeout_s(NULL) + 1};
	struct rlimit fsize = {PD_JOBCC_FILE_MAX, PD_JOBCC_FILE_MAX};

	setrlimit(RLIMIT_AS, &as);
	setrlimit(RLIMIT_CPU, &cpu);
	setrlimit(RLIMIT_FSIZE, &fsize);
	(void)!nice(10);
}

/* Child: become the compiler, in dir, writing everything to fd. */
static void exec_compiler(char **argv, const char *dir, int fd) __attribute__((noreturn));
static void exec_compiler(char **argv, const char *dir, int fd)
{
	int nul = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	limit_compiler();
	if (nul >= 0)
		dup2(nul, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	pd_fd_close_from(3); /* the compiler inherits none of the server's */
	if (chdir(dir) == 0)
		execvp(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read fd until EOF or the deadline, keeping at most PD_JOBCC_OUT_MAX
 * bytes; 1 when the deadline passed first. */
static int collect(int fd, long long deadline, struct pd_buf *out, int *cut)
{
	struct pollfd pf = {fd, POLLIN, 0};
	char buf[4096];
	ssize_t r;
	size_t keep;

	for (;;) {
		if (now_ms() >= deadline)
			return 1;
		if (poll(&pf, 1, (int)(deadline - now_ms() > 0 ? deadline - now_ms() : 0)) <= 0)
			continue; /* EINTR or the deadline: checked above */
		r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		keep = out->len < PD_JOBCC_OUT_MAX ? PD_JOBCC_OUT_MAX - out->len : 0;
		if ((size_t)r > keep)
			*cut = 1;
		pd_buf_add(out, buf, (size_t)r < keep ? (size_t)r : keep);
	}
}

int pd_jobcc_i_run(char **argv, const char *dir, struct pd_buf *out, int *timed_out, struct pd_buf *msg)
{
	int p[2], status = 0, cut = 0;
	char err[PD_ERRLEN];
	pid_t pid = pd_child_pipe_fork(p, err);

	if (pid < 0) {
		pd_buf_addf(msg, "cannot compile: %s", err);
		return -1;
	}
	if (pid == 0)
		exec_compiler(argv, dir, p[1]);
	setpgid(pid, pid); /* as the child does: no race with the kill below */
	close(p[1]);
	*timed_out = collect(p[0], now_ms() + pd_jobcc_timeout_s(NULL) * 1000LL, out, &cut);
	if (*timed_out)
		kill(-pid, SIGKILL);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (cut)
		pd_buf_addf(out, "\n[compiler output cut at %u bytes]", PD_JOBCC_OUT_MAX);
	return status;
}

/* Helper process: compile, report on fd 3, exit without touching the
 * server's state (no atexit handlers, no stdio flush). */
static void helper_main(int fd, const char *dir, const char *key, const char *name, const void *src,
			size_t len, int durable) __attribute__((noreturn));
static void helper_main(int fd, const char *dir, const char *key, const char *name, const void *src,
			size_t len, int durable)
{
	struct pd_buf msg = PD_BUF_INIT, rep = PD_BUF_INIT;
	char so[PD_HASH_HEX];

	pd_child_reset_signals();
	signal(SIGPIPE, SIG_IGN);
	if (fd != 3 && (dup2(fd, 3) < 0 || close(fd)))
		_exit(1);
	pd_fd_close_from(4);
	if (pd_jobcc_compile(dir, key, name, src, len, durable, so, &msg) == 0)
		pd_buf_addf(&rep, "ok %s\n", so);
	else
		pd_buf_addf(&rep, "error\n%s", msg.data);
	(void)pd_write_all(3, rep.data, rep.len); /* a lost report reads as a failed compile */
	_exit(0);
}

pid_t pd_jobcc_spawn(const char *dir, const char *key, const char *name, const void *src, size_t len,
		     int durable, int *fd, char *err)
{
	int p[2];
	pid_t pid = pd_child_pipe_fork(p, err);

	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		helper_main(p[1], dir, key, name, src, len, durable);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

int pd_jobcc_report(const char *report, size_t len, char so[PD_HASH_HEX], struct pd_buf *msg)
{
	pd_buf_reset(msg);
	if (len == PD_HASH_HEX + 3 && !strncmp(report, "ok ", 3) && report[len - 1] == '\n') {
		memcpy(so, report + 3, PD_HASH_HEX - 1);
		so[PD_HASH_HEX - 1] = 0;
		if (pd_hash_valid(so))
			return 0;
	}
	if (len > 6 && !strncmp(report, "error\n", 6))
		pd_buf_add(msg, report + 6, len - 6);
	else
		pd_buf_adds(msg, "the compile ended without a report (the helper process died)");
	return -1;
}
