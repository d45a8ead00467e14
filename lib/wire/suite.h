/* suite.h - choosing a link's AEAD in the handshake (playdoh-protocol(7)). */
#ifndef PD_SUITE_H
#define PD_SUITE_H

#include <cjson/cJSON.h>

#include "seal.h"

/*
 * The client's hello offers the AEADs it may use, best first
 *	"aead": ["aes256gcm", "chacha20poly1305"]
 * and the server's challenge names the first of them that it may use too
 *	"aead": "aes256gcm"
 * Each side may use AES-256-GCM only where libsodium finds the CPU's AES
 * instructions, and the environment variable PD_AEAD (a comma-separated
 * list of names, best first) narrows what a side may use, for tests and
 * for the odd machine.  The offer and the choice, as each side saw them,
 * form the transcript in struct pd_suite, which goes into the proofs and
 * the session keys: a man in the middle who strips AES from the offer,
 * edits the choice or removes the members makes the proofs disagree.
 * A hello without "aead" (a client older than the negotiation) gets
 * ChaCha20-Poly1305 and an empty transcript, as before; a client always
 * offers and never accepts a challenge without a choice.
 */

#define PD_SUITE_OFFER_MAX 8 /* names in an offer */
#define PD_SUITE_NAME_MAX 32 /* bytes in a name: a-z, 0-9, '-' */

/* The AEADs this side may use, best first, into v; their count, or -1
 * with err when PD_AEAD names one that is unknown or not usable here. */
int pd_suite_local(enum pd_aead v[PD_AEAD_N], char *err);

/* Client: add the offer to the hello and start su's transcript.  0, or
 * -1 with err (PD_AEAD). */
int pd_suite_offer(cJSON *hello, struct pd_suite *su, char *err);

/* Server: read the client's offer from its hello, choose, add the choice
 * to the challenge and fill su.  0, or -1 with err (a malformed offer,
 * nothing in common). */
int pd_suite_choose(const cJSON *hello, cJSON *challenge, struct pd_suite *su, char *err);

/* Client: take the server's choice from its challenge, which must be one
 * this side offered, and complete su.  0, or -1 with err. */
int pd_suite_accept(const cJSON *challenge, struct pd_suite *su, char *err);

#endif
