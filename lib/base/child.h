/* child.h - what a process forked from a pd tool does first. */
#ifndef PD_CHILD_H
#define PD_CHILD_H

#include <sys/types.h>

/*
 * Give the calling child (just forked, not exec'd) the default handling
 * of every signal a pd tool catches or may inherit set (SIGCHLD, SIGTERM,
 * SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGPIPE) and block none:
 * a handler copied from the parent would act on the parent's event loop.
 * A child that wants SIGPIPE ignored sets that afterwards.
 */
void pd_child_reset_signals(void);

/* fork() for a child that talks to its parent over fds (a pipe or socket
 * pair the caller made): as fork(), but on failure both fds are closed
 * and err says "fork: REASON". */
pid_t pd_child_fork(int fds[2], char *err);

/* A pipe (O_CLOEXEC) into p, then pd_child_fork(p): -1 with err "pipe:
 * REASON" (nothing to close) or "fork: REASON". */
pid_t pd_child_pipe_fork(int p[2], char *err);

#endif
