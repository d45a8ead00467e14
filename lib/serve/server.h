/* server.h - the pd-serve core: listeners, peers, allocation, the pool. */
#ifndef PD_SERVER_H
#define PD_SERVER_H

#include <stddef.h>

#include <event2/event.h>

#include "key.h"

struct pd_server;

struct pd_server_opts {
	const char *state;	  /* state directory: cache/, alloc */
	const unsigned char *key; /* cluster key, or NULL: no TCP listener */
	int cpus_total;		  /* CPUs of this host */
	int cpus_shared;	  /* share to start with (may exceed cpus_total: slots for
				   * jobs that wait more than compute); -1 = the saved
				   * allocation, else every CPU */
	int persist_alloc;	  /* durable state: save allocation changes, sync the cache */
	const char *host;	  /* name reported to clients */
	int log_records;	  /* log every failed record (pd-serve; an embedded
				   * server leaves that to its client) */
	long long mem_cap;	  /* --mem: every worker's address-space cap, 0 = none */
	int grace_ms;		  /* --grace: a running record's time to finish once its
				   * slot is withdrawn (stop, shrink); 0 = the pool's 30 s */
	const char *tube_addr;	  /* where task nodes take tubes from other hosts; NULL:
				   * the address the task's client reached us at */
	int preload;		  /* a server for one run (embedded): a job held is
				   * loaded by every worker (pd_pool_preload) before
				   * the client hears so, and its first records of all
				   * slots start together */
	int no_gpus;		  /* a server for a run that asks for no GPU: no
				   * probe, no GPU slots */
};

/* Create the server and its worker pool.  NULL with err. */
struct pd_server *pd_server_new(struct event_base *base, const struct pd_server_opts *o, char *err);

/* Listen on TCP address:port (NULL address: all).  *bound gets the port
 * actually bound (useful with port 0).  0 or -1 with err. */
int pd_server_listen_tcp(struct pd_server *s, const char *addr, int port, int *bound, char *err);

/* Listen on a Unix socket (mode 0600, peers' uid checked).  0 or -1. */
int pd_server_listen_unix(struct pd_server *s, const char *path, char *err);

/* Serve an already-connected trusted local socket (embedded mode). */
void pd_server_add_local(struct pd_server *s, int fd);

/* Load detached runs from the state directory and resume the unfinished
 * ones; call after pd_server_listen_unix (they run through that socket).
 * 0 or -1 with err. */
int pd_server_start_runs(struct pd_server *s, char *err);

/* Graceful stop: stop accepting, hand queued batches back to their
 * clients, let running records finish, then break the loop. */
void pd_server_shutdown(struct pd_server *s);

/* Break the loop as soon as no client is connected (embedded mode). */
void pd_server_exit_when_alone(struct pd_server *s);

void pd_server_free(struct pd_server *s);

/* The name of the i-th request a ready client may send (the dispatch
 * table), or NULL past the last: for tests/protocol-table.bats. */
const char *pd_server_op(size_t i);

#endif
