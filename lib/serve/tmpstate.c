/* tmpstate.c - a server's private state directory for one run, in $TMPDIR. */
#include "tmpstate.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "dirs.h"

int pd_tmpstate_make(char dir[PD_PATH_MAX], const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	if (pd_path_fmt(dir, "%s/playdoh-%s-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp", tag)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) ? 0 : -1;
}

void pd_tmpstate_remove(const char *dir)
{
	char path[PD_PATH_MAX];

	if (pd_path_fmt(path, "%s/cache", dir) == 0)
		pd_dir_remove(path);
	if (pd_path_fmt(path, "%s/alloc", dir) == 0)
		unlink(path);
	rmdir(dir);
}
