/* client.h - one request, one reply, to one or several servers. */
#ifndef PD_CLIENT_H
#define PD_CLIENT_H

#include <cjson/cJSON.h>

#include "frame.h"
#include "target.h"

/* The outcome of one host's request. */
struct pd_reply {
	cJSON *json; /* the reply (owned), NULL on failure */
	int code;    /* 0, or an exit status: PD_EX_UNAVAILABLE, PD_EX_NOPERM, ... */
	char err[256];
};

/*
 * Send `req` to each of n targets at once (after the handshake) and wait
 * at most timeout_s for every first reply.  An error frame in reply gives
 * its code (77 refused, 65 bad request ...) and message.
 */
void pd_client_multi(const struct pd_target *t, int n, const unsigned char *key, const char *client,
		     const cJSON *req, int timeout_s, struct pd_reply *out);

/*
 * The same for this host's own pd-serve over its Unix socket.  Returns 0
 * with *reply set, or an exit status with err (69 with "no pd-serve is
 * running here" when the socket does not answer).
 */
int pd_client_local_request(const char *sock, const char *client, const cJSON *req,
			    cJSON **reply, char *err);


/*
 * A synchronous conversation with one server, for short clients: open
 * (handshake done), then call() as often as needed, then close.
 */
struct pd_session;

/* Connect and authenticate.  NULL with err and *code (69, 77). */
struct pd_session *pd_session_open(const struct pd_target *t, const unsigned char *key,
				   const char *client, int *code, char *err);

/*
 * Send req (+ blob) and wait for the next reply other than a "slots"
 * notice, at most timeout_s seconds (0: no limit).  The reply is moved
 * into *reply (release it with pd_msg_release).  Returns 0, or an exit
 * status with err: the code of an error frame (65, 77, ...), 69 when the
 * connection drops, 75 on timeout.
 */
int pd_session_call(struct pd_session *s, const cJSON *req, const void *blob, size_t len,
		    int timeout_s, struct pd_msg *reply, char *err);

void pd_session_close(struct pd_session *s);

#endif
