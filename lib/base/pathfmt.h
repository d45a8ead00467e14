/* pathfmt.h - file names built into fixed buffers, checked. */
#ifndef PD_PATHFMT_H
#define PD_PATHFMT_H

#include <limits.h>

/*
 * The one idiom for a file name built from parts: a buffer of
 * PD_PATH_MAX bytes (the most the kernel takes, PATH_MAX) filled by
 * pd_path_fmt, never a bare snprintf and never a buffer sized by guess.
 * A name that does not fit is an error (ENAMETOOLONG) and leaves the
 * buffer empty, so a caller that cannot report it still never opens a
 * cut-off name that may be another file.
 */
#define PD_PATH_MAX PATH_MAX

/* Room a directory's path must leave for the names made below it (run
 * ids, file names): a base directory longer than PD_PATH_MAX minus this
 * is refused where it is first taken, so no name below it is cut. */
#define PD_PATH_ROOM 256

/* Format a path into out (PD_PATH_MAX bytes).  0, or -1 with errno
 * ENAMETOOLONG and out "" when it does not fit. */
int pd_path_fmt(char out[PD_PATH_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
