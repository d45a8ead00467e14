/* child.h - what a process forked from a pd tool does first. */
#ifndef PD_CHILD_H
#define PD_CHILD_H

/*
 * Give the calling child (just forked, not exec'd) the default handling
 * of every signal a pd tool catches or may inherit set (SIGCHLD, SIGTERM,
 * SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGPIPE) and block none:
 * a handler copied from the parent would act on the parent's event loop.
 * A child that wants SIGPIPE ignored sets that afterwards.
 */
void pd_child_reset_signals(void);

#endif
