/* tmpstate.h - a server's private state directory for one run, in $TMPDIR. */
#ifndef PD_TMPSTATE_H
#define PD_TMPSTATE_H

#include "pathfmt.h"

/* Create $TMPDIR/playdoh-TAG-XXXXXX (or under /tmp when TMPDIR is unset
 * or relative), mode 0700, into dir.  0, or -1 with errno. */
int pd_tmpstate_make(char dir[PD_PATH_MAX], const char *tag);

/* Remove what a server leaves in such a directory (cache/, alloc), then
 * the directory itself; best effort. */
void pd_tmpstate_remove(const char *dir);

#endif
