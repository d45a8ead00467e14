/* sshhost.h - hosts reached through ssh, with a pd-serve started there for the run. */
#ifndef PD_SSHHOST_H
#define PD_SSHHOST_H

#include <sys/types.h>

#include "buf.h"
#include "hosts.h"
#include "key.h"
#include "target.h"

/* Seconds an ssh host has to report its server (connect, log in, start). */
#define PD_SSH_START_S 40
/* Seconds a server already running there has to answer the probe. */
#define PD_SSH_PROBE_S 2
/* Seconds the ssh connections have to close at the end, before a kill. */
#define PD_SSH_STOP_S 10

/* One ssh host's session: the master ssh running `pd-serve --ephemeral`
 * there, whose stdin (the key, then held open: closing it stops the
 * server) and stdout (its "ready PORT ADDR" line) are pipes to us. */
struct pd_sshsess {
	const struct pd_host *h;
	char dest[290];	 /* "user@host" or "host", as ssh takes it */
	char ctl[108];	 /* the master's ControlPath */
	pid_t pid;	 /* the master ssh, 0 when none */
	int in, out, err; /* its stdin, stdout and stderr; -1 closed */
	struct pd_buf got, said; /* what it wrote on stdout, on stderr */
	int ready;	 /* 1 once the server reported its port */
	char **argv;	 /* the command each connection runs (ssh -W) */
};

struct pd_sshhosts {
	struct pd_sshsess *v;
	int n;
	char tmp[80]; /* the private directory made for control sockets, "" none */
	unsigned char run_key[PD_KEY_LEN]; /* the key of this run's servers */
	int shared;	 /* they got the cluster key instead (see below) */
};

/*
 * For each ssh host of l (pd_host.ssh set): when a pd-serve already runs
 * there (it answers on h->port with the key within PD_SSH_PROBE_S), it is
 * used as is, a TCP target; otherwise ssh (the words of $PD_SSH, default
 * "ssh", with BatchMode and a control master in ctl_dir, a private
 * directory of ours, or where ctl_dir is NULL or too long for a socket,
 * in one made for the run with mkdtemp in $XDG_RUNTIME_DIR, $TMPDIR or
 * /tmp and removed by pd_sshhosts_stop) runs
 * "$PD_SSH_SERVE --ephemeral [--cpu SLOTS]" there (default "pd-serve"),
 * hands it a key made for this run (libsodium's randombytes, the same for
 * every ssh host of the run, never the cluster key `key`) on its stdin,
 * and waits PD_SSH_START_S for its port;
 * each connection is then `ssh -W 127.0.0.1:PORT` through the master
 * (a PD_T_CMD target, whose key is the run's).  Only when `tubes` (the
 * servers connect to each other: pd-task) and hosts that take the cluster
 * key are in the run too (ntcp of them beside these, or an ssh host whose
 * pd-serve already runs) do the servers get the cluster key, since their
 * tubes to those hosts are sealed with it.  The targets of the hosts that came up go to t
 * (room for l->n); each that did not is reported through note(arg, msg)
 * ("ssh lab3: ssh: connect to host lab3 port 22: Connection refused").
 * Returns how many came up.  s must be stopped (pd_sshhosts_stop) once
 * the targets are no longer used.
 */
int pd_sshhosts_start(struct pd_sshhosts *s, const struct pd_hostlist *l, const unsigned char key[PD_KEY_LEN],
		      int tubes, int ntcp, const char *ctl_dir, struct pd_target *t,
		      void (*note)(void *arg, const char *msg), void *arg);

/* End every session: close each server's stdin (it stops, removes what it
 * made, and its ssh connection closes), wait PD_SSH_STOP_S for the ssh
 * processes, then kill what is left; free s's contents. */
void pd_sshhosts_stop(struct pd_sshhosts *s);

#endif
