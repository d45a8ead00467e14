/* tube.h - one node's tubes: length-prefixed messages over sockets or rings. */
#ifndef PD_TUBE_H
#define PD_TUBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "seal.h"
#include "tubering.h"

#define PD_TUBE_MSG_MAX (1ull << 32)	      /* largest message */
#define PD_TUBE_QUEUE_MAX ((size_t)256 << 20) /* bytes buffered per incoming tube */
#define PD_TUBE_SOCKBUF (4 << 20)		      /* socket buffer asked for each tube */
#define PD_TUBE_CHUNK ((size_t)1 << 20)	      /* sealed tubes: plaintext bytes per chunk */

/* A message received and not yet popped. */
struct pd_tubemsg {
	struct pd_tubemsg *next;
	size_t len, cap; /* bytes used, bytes allocated after the header */
	unsigned char data[];
};

/*
 * A tube end.  Outgoing ends are written by the node's own thread
 * (blocking: the receiver drains its socket into a bounded queue, so a
 * push blocks only while that queue is full).  Incoming ends are read by
 * the node's I/O thread into a queue that pd_tubes_pop takes from, except
 * while a pop finds that queue empty: then the popping thread reads the
 * socket itself (t->reading) and the I/O thread leaves it alone (its
 * epoll interest in that socket is off), so a message that a node waits
 * for wakes that node, not a second thread that would then wake it.  The
 * I/O thread watches such a socket again within a millisecond of the
 * pop's end (bytes wait in the socket meanwhile), so that pops in a row
 * cost no epoll call; a pop that waited longer gives it back itself.  A
 * message is an 8-byte big-endian length and its bytes; on a sealed tube
 * (between hosts) the bytes travel in chunks of PD_TUBE_CHUNK (the last
 * shorter; an empty message is one empty chunk), each sealed on its own
 * with the length as associated data and PD_SEAL_TAG bytes longer, so
 * that sealing, sending and opening a big message overlap.
 *
 * A tube between two nodes on one host is a shared-memory ring instead
 * (ring.m set, tubering.h): the same length-prefixed messages, streamed
 * through it in pieces when they are larger.  The pusher writes into the
 * ring; the popper reads a message straight from it when its queue is
 * empty.  The tube's socket stays, carrying no data: the pusher sends a
 * byte on it when the ring is full and no pop is reading, so that the
 * popper's I/O thread drains the ring into the queue (a push blocks only
 * while that queue is full, as on a socket), and its end (EOF) says that
 * the pusher ended or died.
 */
struct pd_tube {
	char name[64];
	int out;  /* 1: this node pushes, 0: it pops */
	int peer; /* the node at the other end */
	int fd;
	struct pd_seal *seal; /* between hosts: the link's session, else NULL */
	unsigned char *sealbuf; /* the pusher's chunk buffer (PD_TUBE_CHUNK + tag) */
	/* incoming side, under the set's mutex */
	struct pd_tubemsg *head, *tail, *last;
	struct pd_tubemsg *spare, *spare2; /* popped buffers kept for the next messages */
	size_t queued;
	int closed, paused;
	pthread_cond_t cv; /* a message arrived or the sender ended */
	/* the I/O thread's partial read, and bytes read ahead of it */
	unsigned char *stage;
	size_t stage_len, stage_pos;
	unsigned char hdr[8];
	size_t hdr_got, got; /* got: body bytes done (plaintext on sealed tubes) */
	struct pd_tubemsg *cur;
	unsigned char *chunk; /* sealed tubes: the chunk being received */
	size_t chunk_got;
	/* shared-memory tubes */
	struct pd_tubering_shm *shm; /* the mapping, set by the parent; NULL: socket */
	struct pd_tubering ring;     /* this end's view of it */
	int reading;		     /* a pop or the I/O thread reads the ring or socket (mutex) */
	int armed;		     /* the I/O thread's epoll watches fd (mutex) */
	int block;		     /* the reader (a pop) may wait in recv */
	unsigned long pops, pops_seen; /* pops that read the socket; at the last tick (mutex) */
	int ticks_still;	       /* I/O thread's ticks within one such pop (mutex) */
	atomic_int gone;	     /* incoming: the socket ended (the pusher is gone) */
};

struct pd_tubes {
	struct pd_tube *v;
	int n;
	pthread_t io;
	int running;
	int ep;		/* the I/O thread's epoll: watched incoming tubes and wake[0] */
	int wake[2];	/* wakes the I/O thread: stop, or a pop took a socket */
	int io_forever; /* the I/O thread waits with no timeout (mutex) */
	int stop;
	int ended; /* the peer whose end failed the last push or pop, else -1 */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* 1 when tubes between nodes of one host may be shared-memory rings:
 * not when PD_TUBES=socket is in the environment. */
int pd_tubes_shm_wanted(void);

/* Start the I/O thread for the incoming tubes of v[0..n) (fds set).
 * 0, or -1 with err. */
int pd_tubes_start(struct pd_tubes *ts, struct pd_tube *v, int n, char *err);

/* Send a message on outgoing tube `name`.  0, or -1 with err (no such
 * tube, the receiving node is gone). */
int pd_tubes_push(struct pd_tubes *ts, const char *name, const void *p, size_t len, char *err);

/* Wait for the next message on incoming tube `name`; valid until the next
 * pop on that tube.  NULL with err when there is no such tube or the
 * sending node has ended with nothing left to read. */
const void *pd_tubes_pop(struct pd_tubes *ts, const char *name, size_t *len, char *err);

/* The tube of a name in a direction, or NULL. */
struct pd_tube *pd_tubes_find(struct pd_tubes *ts, const char *name, int out);

/* Stop the I/O thread, close every tube, free the queues. */
void pd_tubes_stop(struct pd_tubes *ts);

#endif
