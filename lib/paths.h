/* paths.h - where key, hosts, state and the control socket live. */
#ifndef PD_PATHS_H
#define PD_PATHS_H

#include <limits.h>

/*
 * With $PD_HOME set, everything is under it:
 *   key    $PD_HOME/key          hosts  $PD_HOME/hosts
 *   state  $PD_HOME/state        sock   $PD_HOME/sock
 * Otherwise:
 *   key    ~/.config/playdoh/key hosts  ~/.config/playdoh/hosts
 *   state  ~/.local/state/playdoh  ($XDG_STATE_HOME/playdoh when set)
 *   sock   $XDG_RUNTIME_DIR/playdoh.sock, or /tmp/playdoh-UID/sock
 * ($XDG_CONFIG_HOME replaces ~/.config when set).
 */
struct pd_paths {
	char home[PATH_MAX];  /* $PD_HOME, or "" */
	char key[PATH_MAX];
	char hosts[PATH_MAX];
	char state[PATH_MAX];
	char sock[108];	      /* fits sockaddr_un.sun_path */
};

/* Fill p from the environment.  -1 with err when a path does not fit
 * (the socket path has a 107-byte limit) or $HOME is unset. */
int pd_paths_init(struct pd_paths *p, char *err);

/* mkdir -p with `mode` for each directory created.  0 or -1 with err. */
int pd_mkdirs(const char *dir, int mode, char *err);

#endif
