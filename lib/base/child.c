/* child.c - what a process forked from a pd tool does first. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "child.h"

void pd_child_reset_signals(void)
{
	static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
	sigset_t none;
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

pid_t pd_child_fork(int fds[2], char *err)
{
	pid_t pid = fork();

	if (pid < 0) {
		pd_err(err, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
	}
	return pid;
}

pid_t pd_child_pipe_fork(int p[2], char *err)
{
	if (pipe2(p, O_CLOEXEC)) {
		pd_err(err, "pipe: %s", strerror(errno));
		return -1;
	}
	return pd_child_fork(p, err);
}
