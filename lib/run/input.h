/* input.h - records read line by line from a descriptor, inside an event loop. */
#ifndef PD_INPUT_H
#define PD_INPUT_H

#include <stddef.h>

#include <event2/event.h>

#include "buf.h"

/*
 * Pipes, sockets and terminals are waited on with the loop; regular files
 * and devices that epoll refuses (/dev/null) are read directly.  A last
 * line without its newline is still a line.  Lines end in sep: a newline
 * unless the caller sets sep to NUL after init (-0).
 */
struct pd_input {
	int fd;
	char sep;    /* what ends a record: '\n' (the default) or NUL */
	size_t recsize; /* fed input only: records of exactly this many bytes,
			 * no separator (binary points); 0 = separated */
	int direct;  /* read without waiting */
	int eof;     /* the descriptor said end of file (or failed) */
	int waiting; /* the read event is armed */
	struct event *ev;
	struct pd_buf buf;
	const char *lent; /* fed records the caller lent (pd_input_lend), read
			   * in place of buf while not NULL */
	size_t lent_len;
	size_t pos;   /* first unconsumed byte of buf, or of lent */
	int error;    /* errno of a failed read, 0 when none */
	void (*ready)(void *arg);
	void *arg;
};

/* Start reading fd; ready(arg) is called when waited-for input arrives.
 * fd -1: no descriptor, lines are fed with pd_input_feed. */
void pd_input_init(struct pd_input *in, struct event_base *base, int fd,
		   void (*ready)(void *arg), void *arg);

/* Fed input (fd -1): append lines (a missing last separator, newline or
 * NUL, is added), or with recsize, whole records of recsize bytes. */
void pd_input_feed(struct pd_input *in, const char *lines, size_t len);
/* Fed input: room for len more bytes at the end, to be written now. */
void *pd_input_feed_room(struct pd_input *in, size_t len);
/* Fed fixed-size records read in place: len bytes at p, which the caller
 * keeps unchanged until every record has been taken.  Only once all
 * earlier input has been taken. */
void pd_input_lend(struct pd_input *in, const void *p, size_t len);
/* Fed input: no more lines will come. */
void pd_input_close(struct pd_input *in);

/* The next whole line (without its newline, valid until the next call),
 * or NULL when there is none yet (the wait is armed) or at the end. */
const char *pd_input_line(struct pd_input *in, size_t *len);

/* Fed fixed-size records: up to max of them at once, contiguous (valid
 * until the next feed), with *n their number; NULL when none is there. */
const char *pd_input_records(struct pd_input *in, long max, long *n);

/* 1 when every byte that has come so far has been taken. */
int pd_input_taken(const struct pd_input *in);

/* 1 when every line has been taken and the descriptor is at its end. */
int pd_input_done(const struct pd_input *in);

/* Stop waiting for input. */
void pd_input_stop(struct pd_input *in);

void pd_input_release(struct pd_input *in);

#endif
