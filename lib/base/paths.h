/* paths.h - where key, hosts, state and the control socket live. */
#ifndef PD_PATHS_H
#define PD_PATHS_H

#include "pathfmt.h"

/*
 * With $PD_HOME set, everything is under it:
 *   key    $PD_HOME/key          hosts  $PD_HOME/hosts
 *   state  $PD_HOME/state        sock   $PD_HOME/sock
 * Otherwise:
 *   key    ~/.config/playdoh/key hosts  ~/.config/playdoh/hosts
 *   state  ~/.local/state/playdoh  ($XDG_STATE_HOME/playdoh when set)
 *   sock   $XDG_RUNTIME_DIR/playdoh.sock, or /tmp/playdoh-UID/sock
 * ($XDG_CONFIG_HOME replaces ~/.config when set).  Empty variables count
 * as unset; relative XDG_* values are ignored, as the XDG spec asks.
 * Joined paths never double a trailing slash ("$PD_HOME/" + "key").
 */
struct pd_paths {
	char home[PD_PATH_MAX];  /* $PD_HOME, or "" */
	char key[PD_PATH_MAX];
	char hosts[PD_PATH_MAX];
	char state[PD_PATH_MAX];
	char sock[108];	      /* fits sockaddr_un.sun_path */
};

/* Fill p from the environment.  -1 with err when a path does not fit
 * (naming the variable; the socket path has a 107-byte limit: "socket
 * path too long: PATH (at most 107 bytes); set PD_HOME to a shorter
 * directory"), or when $HOME is unset but needed: without PD_HOME,
 * unless both XDG_CONFIG_HOME and XDG_STATE_HOME are set. */
int pd_paths_init(struct pd_paths *p, char *err);

/* mkdir -p with `mode` (less the umask) for each directory created;
 * existing directories are left alone.  0, or -1 with err
 * "mkdir PATH: strerror" naming the component that failed. */
int pd_mkdirs(const char *dir, int mode, char *err);

/*
 * pd_mkdirs(dir, 0700), then check that dir itself is private: a real
 * directory (not a symbolic link), owned by the effective uid, with no
 * permission for group or others.  0, or -1 with err; errno is EACCES
 * when dir exists but is refused ("refusing DIR: owned by uid N, ...",
 * "refusing DIR: mode 0755 lets others in; fix it with: chmod 700 DIR").
 */
int pd_private_dir(const char *dir, char *err);

#endif
