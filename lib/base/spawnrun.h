/* spawnrun.h - run a program, feed its stdin, keep its stdout and stderr's tail. */
#ifndef PD_SPAWNRUN_H
#define PD_SPAWNRUN_H

#include <stddef.h>

#include "buf.h"

#define PD_SPAWN_TAIL 240	/* bytes of stderr kept for a failure's message */
#define PD_SPAWN_TAIL_LINES 4	/* ... and of those, the last lines shown */

/* One run of a program.  The caller fills argv and in; pd_spawn_run fills
 * the rest.  The buffers are the caller's (pd_buf_init before the first
 * run, pd_buf_release after the last) and are reset by each run. */
struct pd_spawn {
	char *const *argv;  /* argv[0] is looked up in PATH when it has no '/' */
	const void *in;	    /* fed on its standard input; NULL: /dev/null */
	size_t in_len;
	struct pd_buf out;  /* its standard output, every byte */
	struct pd_buf tail; /* the last PD_SPAWN_TAIL bytes of its standard error */
	int status;	    /* how it ended, as waitpid says */
};

/*
 * Start argv with posix_spawn (no shell, no fork of the caller's memory),
 * its stdout and stderr on pipes, stdin fed from `in` or /dev/null, in
 * the caller's process group (so that whoever kills the group kills it
 * too), with default signal dispositions and an empty signal mask; read
 * both pipes to their ends and wait for it.  The caller ignores SIGPIPE
 * (a program that exits without reading its input must not kill it).
 * 0 once it has ended (see status; pd_spawn_failed), or -1 with err when
 * it could not be started (no such program, not executable, ...).
 */
int pd_spawn_run(struct pd_spawn *s, char *err);

/* 1 when the program failed (a non-zero exit or a signal), with why
 * appended to msg: "exit 3: TAIL" or "crashed: SIGKILL (Killed): TAIL",
 * TAIL the last PD_SPAWN_TAIL_LINES lines of the kept stderr. */
int pd_spawn_failed(const struct pd_spawn *s, struct pd_buf *msg);

#endif
