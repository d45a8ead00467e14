/*
 * pdbench - timing helper for tests/bench/run.sh (not installed).
 *
 *	pdbench time FILE CMD [ARG]...
 *		run CMD with this process's stdin/stdout/stderr, write its wall
 *		time in seconds to FILE, exit with its status (128+N on signal N)
 *	pdbench cpu FILE CMD [ARG]...
 *		the same, writing "WALL USER SYS NVCSW NIVCSW" to FILE: the wall
 *		time, CMD's user and system CPU seconds and its voluntary and
 *		involuntary context switches (getrusage of CMD and the
 *		descendants it waited for)
 *	pdbench startup SOCK TIMEOUT_MS CMD [ARG]...
 *		start CMD (a server), connect to the Unix socket SOCK in a tight
 *		loop until a connection succeeds, print the milliseconds from
 *		fork to the first accepted connection on stdout, then stop CMD
 *		with SIGTERM (SIGKILL after 2 s); exit 1 when CMD exits first or
 *		TIMEOUT_MS passes
 *	pdbench sleep N MS
 *		nanosleep MS milliseconds N times; print the mean microseconds
 *		one took (the machine's floor for a job that sleeps MS ms)
 *	pdbench wait SOCK TIMEOUT_MS
 *		poll until a connection to the Unix socket SOCK is accepted;
 *		exit 1 when TIMEOUT_MS passes first
 *
 * Clock: CLOCK_MONOTONIC, taken just before fork().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fork and exec argv; the child's stdout goes to fd `out` when >= 0. */
static pid_t spawn(char **argv, int out)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "pdbench: fork: %s\n", strerror(errno));
		exit(2);
	}
	if (pid == 0) {
		if (out >= 0)
			dup2(out, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "pdbench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 2;
}

/* Run argv and wait for it: its wall time to `file`, with its CPU times
 * and context switches too when `cpu` is set; its exit status. */
static int cmd_time(const char *file, char **argv, int cpu)
{
	double t0 = now(), t1;
	pid_t pid = spawn(argv, -1);
	struct rusage ru;
	int status, ok;
	FILE *f;

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "pdbench: wait4: %s\n", strerror(errno));
			return 2;
		}
	t1 = now();
	f = fopen(file, "w");
	if (!f) {
		fprintf(stderr, "pdbench: write %s: %s\n", file, strerror(errno));
		return 2;
	}
	if (cpu)
		ok = fprintf(f, "%.6f %.6f %.6f %ld %ld\n", t1 - t0,
			     (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
			     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_nvcsw,
			     ru.ru_nivcsw) >= 0;
	else
		ok = fprintf(f, "%.6f\n", t1 - t0) >= 0;
	if (fclose(f) || !ok) {
		fprintf(stderr, "pdbench: write %s: %s\n", file, strerror(errno));
		return 2;
	}
	return exit_code(status);
}

/* 1 when a connection to the Unix socket at path is accepted. */
static int can_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd, ok;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

/* SIGTERM, then SIGKILL after 2 s; reap. */
static void stop(pid_t pid)
{
	double t0 = now();
	int status;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() - t0 > 2) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return;
		}
		usleep(1000);
	}
}

static int cmd_startup(const char *sock, long timeout_ms, char **argv)
{
	struct timespec nap = {0, 20000}; /* 20 us between attempts */
	double t0 = now(), t1;
	pid_t pid = spawn(argv, 2);
	int status;

	for (;;) {
		if (can_connect(sock))
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "pdbench: %s exited (status %d) before accepting on %s\n", argv[0],
				exit_code(status), sock);
			return 1;
		}
		if ((now() - t0) * 1000 > (double)timeout_ms) {
			fprintf(stderr, "pdbench: %s did not accept on %s within %ld ms\n", argv[0], sock,
				timeout_ms);
			stop(pid);
			return 1;
		}
		nanosleep(&nap, NULL);
	}
	t1 = now();
	printf("%.3f\n", (t1 - t0) * 1000);
	fflush(stdout);
	stop(pid);
	return 0;
}

static int cmd_wait(const char *sock, long timeout_ms)
{
	struct timespec nap = {0, 1000000};
	double t0 = now();

	while (!can_connect(sock)) {
		if ((now() - t0) * 1000 > (double)timeout_ms) {
			fprintf(stderr, "pdbench: nothing accepts on %s after %ld ms\n", sock, timeout_ms);
			return 1;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

/* A positive number of milliseconds, or exit 2. */
static long parse_ms(const char *s)
{
	char *end;
	long ms = strtol(s, &end, 10);

	if (!*s || *end || ms < 1) {
		fprintf(stderr, "pdbench: bad timeout '%s'\n", s);
		exit(2);
	}
	return ms;
}

/* n sleeps of ms milliseconds: prints the mean time one took, in us. */
static int cmd_sleep(long n, long ms)
{
	struct timespec ts;
	double t0 = now();
	long i;

	if (n < 1 || ms < 0) {
		fputs("pdbench: sleep: N must be positive, MS not negative\n", stderr);
		return 2;
	}
	for (i = 0; i < n; i++) {
		ts.tv_sec = ms / 1000, ts.tv_nsec = (ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	printf("%.1f\n", (now() - t0) / (double)n * 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return cmd_time(argv[2], argv + 3, 0);
	if (argc >= 4 && !strcmp(argv[1], "cpu"))
		return cmd_time(argv[2], argv + 3, 1);
	if (argc >= 5 && !strcmp(argv[1], "startup"))
		return cmd_startup(argv[2], parse_ms(argv[3]), argv + 4);
	if (argc == 4 && !strcmp(argv[1], "sleep"))
		return cmd_sleep(strtol(argv[2], NULL, 10), strtol(argv[3], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "wait"))
		return cmd_wait(argv[2], parse_ms(argv[3]));
	fputs("usage: pdbench time FILE CMD [ARG]...\n"
	      "       pdbench cpu FILE CMD [ARG]...\n"
	      "       pdbench startup SOCK TIMEOUT_MS CMD [ARG]...\n"
	      "       pdbench sleep N MS\n"
	      "       pdbench wait SOCK TIMEOUT_MS\n",
	      stderr);
	return 2;
}
