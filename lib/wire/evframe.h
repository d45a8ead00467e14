/* evframe.h - frames out of libevent evbuffers and socket bufferevents. */
#ifndef PD_EVFRAME_H
#define PD_EVFRAME_H

#include <stdint.h>

#include <event2/buffer.h>

#include "frame.h"

/*
 * Take one complete frame from the front of `in`, opened with s when
 * non-NULL.  Returns 1 with *m filled (and the bytes drained), 0 when
 * the frame is not complete yet (nothing drained; the header is checked
 * as soon as it is there, so an oversized frame fails before its body
 * arrives), or -1 with err on a malformed or unauthentic frame.
 */
int pd_evframe_take(struct evbuffer *in, uint64_t blob_max, struct pd_seal *s,
		    struct pd_msg *m, char *err);

struct bufferevent;

/* The same from a socket bufferevent's input, reading the rest of a
 * large frame from its socket itself, in large reads (libevent 2.1 reads
 * 4 KiB at a time); call it only while the owner wants to read. */
int pd_evframe_read(struct bufferevent *bev, uint64_t blob_max, struct pd_seal *s,
		    struct pd_msg *m, char *err);

/* Encode a frame straight into an evbuffer. */
void pd_evframe_put(struct evbuffer *out, struct pd_seal *s, const cJSON *j,
		    const void *blob, size_t blob_len);

/* Send a frame on a socket bufferevent: at once, with one send(), when
 * nothing waits in its output (no write event to arm, no loop turn),
 * queued in the output for what the socket does not take.  Only for a
 * connected socket. */
void pd_evframe_send(struct bufferevent *bev, struct pd_seal *s, const cJSON *j,
		     const void *blob, size_t blob_len);

/* A bufferevent event callback for a link whose reader sees the end: on
 * EOF or an error, stop reading and writing (the owner frees it later). */
void pd_evframe_stop_at_end(struct bufferevent *bev, short what, void *arg);

#endif
