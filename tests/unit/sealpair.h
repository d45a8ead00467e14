/* sealpair.h - the two ends of a fixed handshake, for tests of sealed frames. */
#ifndef PD_TEST_SEALPAIR_H
#define PD_TEST_SEALPAIR_H

#include <string.h>

#include "seal.h"

/* Session keys as a client and a server would derive them, from fixed bytes. */
static inline void seal_pair(struct pd_seal *client, struct pd_seal *server)
{
	unsigned char key[PD_KEY_LEN], nc[PD_NONCE_LEN], ns[PD_NONCE_LEN];
	const struct pd_suite su = {PD_AEAD_CHACHA, ""};

	memset(key, 0x5a, sizeof key);
	memset(nc, 0x11, sizeof nc);
	memset(ns, 0x22, sizeof ns);
	pd_seal_init(client, key, PD_ROLE_CLIENT, nc, ns, &su);
	pd_seal_init(server, key, PD_ROLE_SERVER, nc, ns, &su);
}

#endif
