/* target.h - where a coordinator sends work: TCP hosts, the local server, a connected socket. */
#ifndef PD_TARGET_H
#define PD_TARGET_H

#include <sys/socket.h>
#include <sys/types.h>

#include "hosts.h"

enum pd_target_kind {
	PD_T_TCP,  /* a pd-serve on the network: sealed */
	PD_T_UNIX, /* this user's local pd-serve: plain, uid-checked */
	PD_T_FD	   /* an embedded server on a socketpair */
};

struct pd_target {
	char name[300]; /* "lab2:2718", "local", "embedded" */
	enum pd_target_kind kind;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd;
};

/* Resolve a host into a TCP target.  0 or -1 with err ("resolve lab9: Name
 * or service not known"). */
int pd_target_tcp(struct pd_target *t, const struct pd_host *h, char *err);

/* A target for the Unix socket at path. */
void pd_target_unix(struct pd_target *t, const char *path);

/* 1 when a pd-serve answers on the Unix socket at path. */
int pd_target_unix_alive(const char *path);

/* A target for an already-connected socket fd (an embedded server's end,
 * serve/embedded.h), named "local"; the target owns fd. */
void pd_target_fd(struct pd_target *t, int fd);

/* Connect a Unix target's socket now (blocking).  fd or -1 with err. */
int pd_target_unix_connect(const struct pd_target *t, char *err);

#endif
