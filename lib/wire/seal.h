/* seal.h - mutual challenge-response and sealed frames between hosts. */
#ifndef PD_SEAL_H
#define PD_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

#define PD_NONCE_LEN 32 /* handshake nonces */
#define PD_PROOF_LEN 32 /* handshake proofs */
#define PD_SEAL_TAG 16	/* bytes a sealed body grows by */

/*
 * Handshake (see playdoh-protocol(7)):
 *   client -> server  hello     {nonce: hex Nc}
 *   server -> client  challenge {nonce: hex Ns}
 *   client -> server  auth      {proof: hex MAC(K, "pd-client", Nc, Ns)}
 *   server -> client  welcome   {proof: hex MAC(K, "pd-server", Nc, Ns)}
 * Each side checks the other's proof in constant time; a replayed hello
 * or auth fails because the peer's nonce is fresh.  Afterwards both sides
 * derive per-direction session keys from K, Nc and Ns, and every frame is
 * sealed with an AEAD under a 64-bit counter nonce that starts at 0 in
 * each direction and is never sent: a dropped, replayed or reordered frame
 * fails to open.
 */
enum pd_role { PD_ROLE_CLIENT = 'c', PD_ROLE_SERVER = 's' };

/* Fill n with random bytes. */
void pd_seal_nonce(unsigned char n[PD_NONCE_LEN]);

/* The proof `role` sends: HMAC-SHA-512/256 keyed by K over the label
 * "pd-client" or "pd-server", then Nc, then Ns. */
void pd_seal_proof(const unsigned char key[PD_KEY_LEN], enum pd_role role,
		   const unsigned char nc[PD_NONCE_LEN],
		   const unsigned char ns[PD_NONCE_LEN],
		   unsigned char proof[PD_PROOF_LEN]);

/* 0 if `proof` is the proof `role` should have sent, -1 otherwise
 * (constant time). */
int pd_seal_check(const unsigned char key[PD_KEY_LEN], enum pd_role role,
		  const unsigned char nc[PD_NONCE_LEN],
		  const unsigned char ns[PD_NONCE_LEN],
		  const unsigned char proof[PD_PROOF_LEN]);

/* Session state of one sealed link. */
struct pd_seal {
	unsigned char tx[32], rx[32]; /* per-direction keys */
	uint64_t txn, rxn;	      /* counters: next nonce to use / expect */
};

/* Derive the session keys for `self` (the local side's role): 64 bytes of
 * BLAKE2b keyed by K over "pd-session-v1" || Nc || Ns; the first 32 seal
 * client->server frames, the last 32 server->client.  Counters start at 0. */
void pd_seal_init(struct pd_seal *s, const unsigned char key[PD_KEY_LEN],
		  enum pd_role self, const unsigned char nc[PD_NONCE_LEN],
		  const unsigned char ns[PD_NONCE_LEN]);

/* Wipe the session keys. */
void pd_seal_wipe(struct pd_seal *s);

/*
 * Encrypt n bytes at pt into ct (n + PD_SEAL_TAG bytes), authenticating
 * `ad` (the frame header) too, under the next tx nonce.  pt and ct may
 * be the same buffer (but must not otherwise overlap).
 */
void pd_seal_close(struct pd_seal *s, const unsigned char *ad, size_t adlen,
		   const unsigned char *pt, size_t n, unsigned char *ct);

/*
 * Decrypt n bytes at ct (n >= PD_SEAL_TAG) into pt (n - PD_SEAL_TAG
 * bytes) under the next rx nonce.  Returns 0, or -1 when the frame was
 * altered, replayed, reordered, truncated or not sealed with this
 * session's key; a failed open leaves rxn alone, so the genuine next frame
 * still opens, and leaves pt unspecified (libsodium versions differ).
 * pt and ct may be the same buffer.
 */
int pd_seal_open(struct pd_seal *s, const unsigned char *ad, size_t adlen,
		 const unsigned char *ct, size_t n, unsigned char *pt);

/* Hex helpers for nonces and proofs in JSON: 0 on success, -1 when `hex`
 * is not exactly 2*n hex digits. */
void pd_hex_encode(const unsigned char *bin, size_t n, char *hex /* 2n+1 */);
int pd_hex_decode(const char *hex, unsigned char *bin, size_t n);

#endif
