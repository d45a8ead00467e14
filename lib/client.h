/* client.h - one request, one reply, to one or several servers. */
#ifndef PD_CLIENT_H
#define PD_CLIENT_H

#include <cjson/cJSON.h>

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

#endif
