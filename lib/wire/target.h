/* target.h - where a coordinator sends work: TCP hosts, the local server, a connected socket. */
#ifndef PD_TARGET_H
#define PD_TARGET_H

#include <sys/socket.h>
#include <sys/types.h>

#include "hosts.h"

enum pd_target_kind {
	PD_T_TCP,  /* a pd-serve on the network: sealed */
	PD_T_UNIX, /* this user's local pd-serve: plain, uid-checked */
	PD_T_FD,   /* an embedded server on a socketpair */
	PD_T_CMD   /* a pd-serve elsewhere, each connection a command's stdin
		    * and stdout (ssh -W): sealed, as TCP */
};

struct pd_target {
	char name[300]; /* "lab2:2718", "local", "embedded", "ssh:lab3" */
	enum pd_target_kind kind;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd;
	char *const *argv; /* PD_T_CMD: the command (owned by whoever made
			    * the target, and outliving it) */
	char addr[64];	   /* PD_T_CMD: the address other hosts reach it at
			    * (tubes), "" unknown */
	const unsigned char *key; /* sealed: the key of a server started for
				   * this run alone (an ssh host's), owned by
				   * whoever made the target; NULL: the
				   * cluster key the caller holds */
};

/* 1 when the target's frames are sealed (it is another host: TCP, CMD). */
int pd_target_sealed(const struct pd_target *t);

/* The key to seal t's frames with: its own (t->key) or else `cluster`. */
const unsigned char *pd_target_key(const struct pd_target *t, const unsigned char *cluster);

/* A connection to a target that is not TCP: a UNIX target's socket
 * (pd_target_unix_connect), a FD target's fd, or a CMD target's new
 * command, started out of our session on one end of a socketpair whose
 * other end is returned (its stderr is ours; nobody waits for it: it is
 * not our child).  fd, or -1 with err (errno EPERM as for
 * pd_target_unix_connect). */
int pd_target_open(const struct pd_target *t, char *err);

/* Resolve a host into a TCP target.  0 or -1 with err ("resolve lab9: Name
 * or service not known"). */
int pd_target_tcp(struct pd_target *t, const struct pd_host *h, char *err);

/* A target for the Unix socket at path. */
void pd_target_unix(struct pd_target *t, const char *path);

/* 1 when something listens on the Unix socket at path (whoever it is:
 * pd_target_unix_connect then refuses a listener of another uid). */
int pd_target_unix_alive(const char *path);

/* A target for an already-connected socket fd (an embedded server's end,
 * serve/embedded.h), named "local"; the target owns fd. */
void pd_target_fd(struct pd_target *t, int fd);

/* 1 when our own pd-serve (same uid, SO_PEERCRED) listens at path, 0
 * when nothing does, -1 with err when a listener of another uid does. */
int pd_target_unix_owned(const char *path, char *err);


/* Connect a Unix target's socket now (blocking) and check with
 * SO_PEERCRED, before anything is sent, that the listener runs as our
 * effective uid.  fd, or -1 with err (errno EPERM: another uid listens). */
int pd_target_unix_connect(const struct pd_target *t, char *err);

/*
 * Resolve every host of l into t (room for l->n targets), skipping the
 * ones that do not resolve, each reported through note(arg, msg) when
 * note is non-NULL.  Returns how many resolved (0 when none did).
 */
int pd_targets_resolve(const struct pd_hostlist *l, struct pd_target *t,
		       void (*note)(void *arg, const char *msg), void *arg);

/*
 * The same for a host list spec ("a:1,b:2", named `what` in errors):
 * *t gets a malloc'd array (room for one more target than the list has).
 * Returns how many resolved, or -1 with err when the spec is malformed.
 */
int pd_targets_parse(const char *spec, const char *what, struct pd_target **t,
		     void (*note)(void *arg, const char *msg), void *arg, char *err);

#endif
