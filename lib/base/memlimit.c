/* memlimit.c - a worker's memory limit: sizes, RLIMIT_AS, out-of-memory deaths. */
#include "memlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "err.h"
#include "xmalloc.h"

#define NEAR_LIMIT (1LL << 20) /* "at the limit": within 1 MiB of it */

static long long applied;	   /* the soft limit now in force, 0 = none */
static volatile uint32_t *oom_flag; /* where the signal handler reports */

int pd_size_parse(const char *s, long long *bytes)
{
	static const char units[] = "KMGT";
	const char *u;
	char *end;
	long long v;
	int shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v < 1)
		return -1;
	if (*end) {
		u = strchr(units, *end & ~0x20);
		if (!u || !*u || end[1])
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > PD_MEM_MAX >> shift)
		return -1;
	*bytes = v << shift;
	return 0;
}

void pd_size_format(long long bytes, char *out, size_t n)
{
	static const char units[] = " KMGT";
	int i = 0;

	while (i < 4 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		i++;
	}
	if (i)
		snprintf(out, n, "%lld%c", bytes, units[i]);
	else
		snprintf(out, n, "%lld", bytes);
}

long long pd_memlimit_effective(long long asked, long long cap)
{
	if (asked > 0 && cap > 0)
		return asked < cap ? asked : cap;
	return asked > 0 ? asked : cap;
}

/* This process's address space in bytes (/proc/self/statm), or -1.
 * Async-signal-safe: the signal handler calls it. */
static long long vm_size(void)
{
	char buf[64];
	long long pages = 0;
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pages = pages * 10 + (buf[i] - '0');
	return pages * sysconf(_SC_PAGESIZE);
}

int pd_memlimit_apply(long long limit, long long cap, char *err)
{
	static struct rlimit base; /* what the worker started with (ulimit -v) */
	static int have_base;
	struct rlimit rl;
	/* The size is read only to check a limit: reading /proc cost each
	 * batch's first record 0.1 ms on a slow VM. */
	long long vm = limit > 0 ? vm_size() : -1;
	char want[32], have[32];

	if (!have_base && getrlimit(RLIMIT_AS, &base) == 0)
		have_base = 1;
	if (!have_base)
		base.rlim_cur = base.rlim_max = RLIM_INFINITY;
	rl.rlim_max = cap > 0 && (rlim_t)cap < base.rlim_max ? (rlim_t)cap : base.rlim_max;
	rl.rlim_cur = limit > 0 ? (rlim_t)limit : base.rlim_cur;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (limit > 0 && vm > limit) {
		pd_size_format(limit, want, sizeof want);
		pd_size_format((vm + (1 << 20) - 1) & ~((1LL << 20) - 1), have, sizeof have);
		pd_err(err, "--mem %s is less than the worker itself uses (%s of address space)", want, have);
		return -1;
	}
	if (setrlimit(RLIMIT_AS, &rl)) {
		pd_err(err, "setrlimit(RLIMIT_AS): %s", strerror(errno));
		return -1;
	}
	applied = limit;
	return 0;
}

void pd_memlimit_blame(long long mem, char *msg, size_t n)
{
	char size[32], *was = pd_xstrdup(msg);

	pd_size_format(mem, size, sizeof size);
	snprintf(msg, n, "out of memory (--mem %s): %s", size, was);
	free(was);
}

/* A fatal signal: note whether memory had run out, then die of it. */
static void on_fatal(int sig)
{
	int saved = errno;
	long long vm;

	if (applied > 0 && oom_flag) {
		vm = vm_size();
		if (saved == ENOMEM || (vm >= 0 && vm + NEAR_LIMIT >= applied))
			*oom_flag = 1;
	}
	signal(sig, SIG_DFL);
	raise(sig); /* SA_NODEFER: delivered now, and fatal */
	errno = saved;
}

void pd_memlimit_watch(volatile uint32_t *flag)
{
	static char altstack[64 * 1024]; /* a stack overflow still reaches the handler */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT};
	struct sigaction sa;
	stack_t st = {.ss_sp = altstack, .ss_size = sizeof altstack};
	size_t i;

	oom_flag = flag;
	sigaltstack(&st, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}
