/* ephemeral.h - a pd-serve for one client's run, started by it over ssh. */
#ifndef PD_EPHEMERAL_H
#define PD_EPHEMERAL_H

struct pd_ephemeral_opts {
	int cpus;	  /* workers (--cpu), -1: one per CPU */
	long long mem;	  /* --mem: every worker's address-space cap, 0 = none */
	const char *host; /* the name reported to clients */
	int log_level;	  /* pd_log_open's level, for syslog once serving */
};

/*
 * Read the cluster key (PD_KEY_LEN bytes) from `in`, into locked memory,
 * never to a file; make a private state directory in $TMPDIR; listen on
 * 127.0.0.1 on a port of the system's choosing (the client reaches it
 * through its ssh connection: ssh -W); write "ready PORT ADDR\n" to
 * `out`, where ADDR is the address the client's ssh reached this host at
 * (this end of $SSH_CONNECTION, or "-"), on which task nodes take tubes
 * from other hosts; point in, out and stderr at /dev/null (no worker
 * holds the ssh channel, whose far end reads no more), log to syslog,
 * and serve until `in` reaches end of file or fails (the
 * client closed it, or died and its ssh connection went) or SIGTERM,
 * SIGINT or SIGHUP comes; then stop every worker and node and remove
 * the directory.  0, or an exit status with err.
 */
int pd_ephemeral_serve(int in, int out, const struct pd_ephemeral_opts *o, char *err);

#endif
