/* embedded.h - a private pd-serve in a child process, for a tool with no server to use. */
#ifndef PD_EMBEDDED_H
#define PD_EMBEDDED_H

#include <sys/types.h>

/*
 * Start an embedded server with `slots` workers in a child process, on a
 * socketpair; *fd gets the parent's end, *pid the child.  It looks for
 * GPUs only when `gpus` is set: the probe, in a child process of its own,
 * costs milliseconds of every start.  The child keeps
 * its state in a private directory under $TMPDIR, out of the terminal's
 * process group, and exits (removing the directory) when the connection
 * closes.  0 or -1 with err.
 */
int pd_embedded_start(int slots, int gpus, int *fd, pid_t *pid, char *err);

#endif
