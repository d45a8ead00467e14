/* dirs.c - private directories of plain files: removing one. */
#include "dirs.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "pathfmt.h"

void pd_dir_remove(const char *dir)
{
	char path[PD_PATH_MAX];
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (pd_path_fmt(path, "%s/%s", dir, d->d_name) == 0)
			unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}
