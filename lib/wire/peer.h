/* peer.h - one connection: handshake, sealed frames, deferred free. */
#ifndef PD_PEER_H
#define PD_PEER_H

#include <stdint.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "frame.h"
#include "seal.h"

/*
 * A peer is a connection in one of four states:
 *   HELLO  waiting for (server) or having sent (client) the hello
 *   AUTH   challenge-response in progress (sealed links only)
 *   READY  frames flow; sealed links seal every frame
 *   DEAD   closed; freed on the next loop turn, never inside a callback
 * The owner gets every READY message through one callback; a NULL
 * message means the peer is gone, with the reason, exactly once, after
 * which the owner must drop its pointer.  On the server side the first
 * message delivered is the client's hello (after authentication); on the
 * client side it is the server's welcome.
 */
enum pd_peer_state { PD_PEER_HELLO, PD_PEER_AUTH, PD_PEER_READY, PD_PEER_DEAD };

struct pd_peer;

typedef void (*pd_peer_fn)(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg);

struct pd_peer_opts {
	enum pd_role role;
	int sealed;			  /* challenge-response and sealing */
	const unsigned char *key;	  /* PD_KEY_LEN bytes when sealed */
	const char *name;		  /* for messages: "lab2:2718", "local" */
	uint64_t blob_max;		  /* largest blob accepted */
	const char *client;		  /* client role: program name in hello */
	int handshake_timeout_s;
};

/* Wrap a connected (or accepted) socket.  The peer owns fd. */
struct pd_peer *pd_peer_new(struct event_base *base, int fd, const struct pd_peer_opts *o,
			    pd_peer_fn fn, void *arg);

/* Start a non-blocking TCP connection (client role). */
struct pd_peer *pd_peer_connect(struct event_base *base, const struct sockaddr *sa,
				socklen_t salen, const struct pd_peer_opts *o, pd_peer_fn fn, void *arg);

/* Queue a message (sealed on sealed links).  Ignored once DEAD. */
void pd_peer_send(struct pd_peer *p, const cJSON *j, const void *blob, size_t len);

/* Send an error frame {op:error, error, code}, then close once flushed.
 * The owner's callback gets the gone notice with `msg` as reason. */
void pd_peer_fail(struct pd_peer *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Server role, before the hello: answer the hello with an error frame
 * (code 77) saying `why` instead of a welcome, then close.  Reading the
 * hello first means the client is not writing when we close, so it reads
 * the refusal rather than a broken pipe. */
void pd_peer_refuse(struct pd_peer *p, const char *why);

/* Close now (owner's decision): no gone callback is made. */
void pd_peer_close(struct pd_peer *p);

enum pd_peer_state pd_peer_state(const struct pd_peer *p);
const char *pd_peer_name(const struct pd_peer *p);
/* 1 when the peer ended because authentication failed (either side). */
int pd_peer_refused(const struct pd_peer *p);
/* The AEAD that seals p ("aes256gcm", "chacha20poly1305"), or "none"
 * on a plain link or before the handshake has chosen. */
const char *pd_peer_aead(const struct pd_peer *p);
/* Bytes queued for sending. */
size_t pd_peer_pending(const struct pd_peer *p);
void pd_peer_set_arg(struct pd_peer *p, void *arg);
/* The exit code an error frame carried (0 if none). */
int pd_peer_error_code(const struct pd_peer *p);

/* TCP_NODELAY on a connected socket (no-op on a Unix socket). */
void pd_peer_nodelay(int fd);

/* The numeric address of our end of p's TCP connection ("10.0.0.2",
 * "::1"): 0, or -1 for a Unix socket or on error. */
int pd_peer_local_addr(const struct pd_peer *p, char *out, size_t n);

/* Stop (hold 1) or resume (hold 0) reading p's input, for the owner's
 * own caps (queued work); independent of the pause on queued output. */
void pd_peer_hold(struct pd_peer *p, int hold);

#endif
