/* paths.c - where key, hosts, state and the control socket live. */
#include "paths.h"

#include "err.h"
#include "pathfmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longest socket path shown whole in an error message (PD_ERRLEN is 256). */
#define SHOW_MAX 160

/* The value of environment variable `name`, or NULL when unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* An XDG base directory: relative values are invalid and ignored (XDG spec). */
static const char *xdg(const char *name)
{
	const char *v = env(name);

	return v && v[0] == '/' ? v : NULL;
}

/* dst = dir/leaf without doubling a trailing slash of dir; -1 with err
 * naming the variable `var` that dir came from when it does not fit. */
static int join(char dst[PD_PATH_MAX], const char *dir, const char *leaf, const char *var, char *err)
{
	size_t dl = strlen(dir);
	const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";

	if (pd_path_fmt(dst, "%s%s%s", dir, sep, leaf)) {
		pd_err(err, "%s is too long (%zu bytes): paths under it must fit in %zu bytes",
		       var, dl, (size_t)PD_PATH_MAX);
		return -1;
	}
	return 0;
}

/* The config directory (~/.config or $XDG_CONFIG_HOME) with the name of
 * the variable it comes from; -1 with err when $HOME is needed but unset. */
static int config_base(char dst[PD_PATH_MAX], const char **var, char *err)
{
	const char *v = xdg("XDG_CONFIG_HOME"), *home;

	if (v) {
		*var = "XDG_CONFIG_HOME";
		return join(dst, v, "playdoh", *var, err);
	}
	*var = "HOME";
	if (!(home = env("HOME"))) {
		pd_err(err, "HOME is not set; set HOME or PD_HOME");
		return -1;
	}
	return join(dst, home, ".config/playdoh", *var, err);
}

/* The state directory: $XDG_STATE_HOME/playdoh or ~/.local/state/playdoh. */
static int state_dir(char dst[PD_PATH_MAX], char *err)
{
	const char *v = xdg("XDG_STATE_HOME"), *home;

	if (v)
		return join(dst, v, "playdoh", "XDG_STATE_HOME", err);
	if (!(home = env("HOME"))) {
		pd_err(err, "HOME is not set; set HOME or PD_HOME");
		return -1;
	}
	return join(dst, home, ".local/state/playdoh", "HOME", err);
}

/* Check that the socket path in tmp fits sockaddr_un and copy it to p->sock. */
static int set_sock(struct pd_paths *p, const char *tmp, char *err)
{
	size_t len = strlen(tmp);

	if (len >= sizeof p->sock) {
		pd_err(err, "socket path too long: %.*s%s (at most %zu bytes); set PD_HOME to a shorter directory",
		       SHOW_MAX, tmp, len > SHOW_MAX ? "..." : "", sizeof p->sock - 1);
		return -1;
	}
	memcpy(p->sock, tmp, len + 1);
	return 0;
}

/* Everything under $PD_HOME. */
static int init_pd_home(struct pd_paths *p, const char *home, char *err)
{
	char tmp[PD_PATH_MAX];

	if (pd_path_fmt(p->home, "%s", home)) {
		pd_err(err, "PD_HOME is too long (%zu bytes): paths must fit in %zu bytes",
		       strlen(home), sizeof p->home);
		return -1;
	}
	if (join(p->key, home, "key", "PD_HOME", err) ||
	    join(p->hosts, home, "hosts", "PD_HOME", err) ||
	    join(p->state, home, "state", "PD_HOME", err) ||
	    join(tmp, home, "sock", "PD_HOME", err))
		return -1;
	return set_sock(p, tmp, err);
}

int pd_paths_init(struct pd_paths *p, char *err)
{
	char cfg[PD_PATH_MAX], tmp[PD_PATH_MAX];
	const char *home = env("PD_HOME"), *var, *run;

	memset(p, 0, sizeof *p);
	if (home)
		return init_pd_home(p, home, err);
	if (config_base(cfg, &var, err) ||
	    join(p->key, cfg, "key", var, err) ||
	    join(p->hosts, cfg, "hosts", var, err) ||
	    state_dir(p->state, err))
		return -1;
	if ((run = xdg("XDG_RUNTIME_DIR"))) {
		if (join(tmp, run, "playdoh.sock", "XDG_RUNTIME_DIR", err))
			return -1;
	} else {
		if (pd_path_fmt(tmp, "/tmp/playdoh-%lu/sock", (unsigned long)getuid())) {
			pd_err(err, "socket path too long: /tmp/playdoh-UID/sock");
			return -1;
		}
	}
	return set_sock(p, tmp, err);
}

/* Make one directory unless it already exists as a directory. */
static int mkdir_one(const char *path, int mode, char *err)
{
	struct stat st;
	int e;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (mkdir(path, (mode_t)mode) == 0)
		return 0;
	e = errno;
	if (e == EEXIST) {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0; /* created by someone else meanwhile */
		e = ENOTDIR;
	}
	pd_err(err, "mkdir %s: %s", path, strerror(e));
	return -1;
}

int pd_mkdirs(const char *dir, int mode, char *err)
{
	char path[PD_PATH_MAX];
	size_t len = strlen(dir), i;
	char c;

	if (!len) {
		pd_err(err, "mkdir: empty directory name");
		return -1;
	}
	if (pd_path_fmt(path, "%s", dir)) {
		pd_err(err, "mkdir %s: %s", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	/* Each prefix ending before a '/' (or at the end) is a component;
	 * i starts at 1 so that the root "/" itself is never made. */
	for (i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (path[i - 1] == '/')
			continue; /* "//" or a trailing slash */
		c = path[i];
		path[i] = 0;
		if (mkdir_one(path, mode, err))
			return -1;
		path[i] = c;
	}
	return 0;
}

/* Refuse dir unless it is a real directory (no symlink), owned by this
 * user, and closed to group and others; -1 with errno EACCES and err. */
static int check_private(const char *dir, char *err)
{
	struct stat st;

	if (lstat(dir, &st)) {
		pd_err(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		pd_err(err, "refusing %s: it is a symbolic link, and a private directory must be a real one "
		       "(another user may have made it; remove it)", dir);
	else if (!S_ISDIR(st.st_mode))
		pd_err(err, "refusing %s: not a directory", dir);
	else if (st.st_uid != geteuid())
		pd_err(err, "refusing %s: owned by uid %lu, not by you (uid %lu); another user may have made it "
		       "to take your socket's place; remove it or set PD_HOME", dir, (unsigned long)st.st_uid,
		       (unsigned long)geteuid());
	else if (st.st_mode & 077)
		pd_err(err, "refusing %s: mode 0%03o lets others in; fix it with: chmod 700 %s", dir,
		       (unsigned)(st.st_mode & 0777), dir);
	else
		return 0;
	errno = EACCES;
	return -1;
}

int pd_private_dir(const char *dir, char *err)
{
	char path[PD_PATH_MAX];
	size_t len = strlen(dir);

	/* Without trailing slashes, lstat sees a symlink instead of its target. */
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len > INT_MAX || pd_path_fmt(path, "%.*s", (int)len, dir)) {
		pd_err(err, "mkdir %s: %s", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	if (pd_mkdirs(path, 0700, err))
		return -1;
	return check_private(path, err);
}
