/* fdio_test.c - pd_replace_file against a link planted at a guessable
 * temporary name (issue 12, hardening): nothing planted is followed, the
 * file is replaced whole with its mode, and no temporary file is left. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fdio.h"
#include "t.h"

/* The whole contents of path, or "" (static buffer). */
static const char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof buf - 1);

	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Entries in dir, "." and ".." not counted. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char dir[] = "/tmp/pdfdio.XXXXXX", path[256], victim[256], link[300], err[PD_ERRLEN];
	struct stat st;
	int fd;

	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof path, "%s/state", dir);
	snprintf(victim, sizeof victim, "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "precious\n", 9) == 9);
	close(fd);
	/* the temporary name the old code used: PATH.PID.tmp */
	snprintf(link, sizeof link, "%s.%d.tmp", path, (int)getpid());
	CHECK(symlink(victim, link) == 0);
	CHECK(pd_replace_file(path, "new\n", 4, 0600, 1, err) == 0);
	CHECK_STR(slurp(victim), "precious\n");
	CHECK_STR(slurp(path), "new\n");
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	/* replaced again: still whole, and only state, victim and the link */
	CHECK(pd_replace_file(path, "newer\n", 6, 0600, 0, err) == 0);
	CHECK_STR(slurp(path), "newer\n");
	CHECK(entries(dir) == 3);
	/* a missing directory: an error naming the path, nothing created */
	snprintf(path, sizeof path, "%s/none/state", dir);
	CHECK(pd_replace_file(path, "x", 1, 0600, 0, err) == -1);
	CHECK(strstr(err, path) != NULL);
	unlink(link);
	unlink(victim);
	snprintf(path, sizeof path, "%s/state", dir);
	unlink(path);
	rmdir(dir);
	return t_done("fdio_test");
}
