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
 *   client -> server  hello     {nonce: hex Nc, aead: [offer]}
 *   server -> client  challenge {nonce: hex Ns, aead: choice}
 *   client -> server  auth      {proof: hex MAC(K, "pd-client", Nc, Ns, T)}
 *   server -> client  welcome   {proof: hex MAC(K, "pd-server", Nc, Ns, T)}
 * T, the suite transcript (suite.h), is the offer and the choice as each
 * side saw them, so a man in the middle who edits either makes the proofs
 * disagree.  Each side checks the other's proof in constant time; a
 * replayed hello or auth fails because the peer's nonce is fresh.
 * Afterwards both sides derive per-direction session keys from K, Nc, Ns
 * and T, and every frame is sealed with the chosen AEAD under a 64-bit
 * counter nonce that starts at 0 in each direction and is never sent: a
 * dropped, replayed or reordered frame fails to open.
 */
enum pd_role { PD_ROLE_CLIENT = 'c', PD_ROLE_SERVER = 's' };

/* The AEADs a link can be sealed with (0 is none). */
enum pd_aead { PD_AEAD_CHACHA = 1, PD_AEAD_AES = 2 };
#define PD_AEAD_N 2

/* The wire name of a (known) AEAD: "chacha20poly1305", "aes256gcm". */
const char *pd_aead_name(enum pd_aead a);

/* The AEAD of a wire name, or 0 when it is not one this build knows. */
enum pd_aead pd_aead_parse(const char *name);

/* 1 when this machine can use a: AES-256-GCM needs the CPU's AES and
 * carry-less multiply instructions (libsodium tells); ChaCha20-Poly1305
 * always. */
int pd_aead_usable(enum pd_aead a);

#define PD_SUITE_TRANSCRIPT_MAX 320

/* What a handshake settled on: the AEAD, and the transcript T bound into
 * the proofs and the session keys: "" when the client offered nothing (a
 * client older than the negotiation: ChaCha20-Poly1305), else the names
 * the client offered, comma-separated in its order, then '>', then the
 * name the server chose. */
struct pd_suite {
	enum pd_aead aead;
	char t[PD_SUITE_TRANSCRIPT_MAX];
};

/* Fill n with random bytes. */
void pd_seal_nonce(unsigned char n[PD_NONCE_LEN]);

/* The proof `role` sends: HMAC-SHA-512/256 keyed by K over the label
 * "pd-client" or "pd-server", then Nc, then Ns, then su's transcript. */
void pd_seal_proof(const unsigned char key[PD_KEY_LEN], enum pd_role role,
		   const unsigned char nc[PD_NONCE_LEN],
		   const unsigned char ns[PD_NONCE_LEN], const struct pd_suite *su,
		   unsigned char proof[PD_PROOF_LEN]);

/* 0 if `proof` is the proof `role` should have sent, -1 otherwise
 * (constant time). */
int pd_seal_check(const unsigned char key[PD_KEY_LEN], enum pd_role role,
		  const unsigned char nc[PD_NONCE_LEN],
		  const unsigned char ns[PD_NONCE_LEN], const struct pd_suite *su,
		  const unsigned char proof[PD_PROOF_LEN]);

/* Session state of one sealed link.  The AES states hold the expanded
 * keys (libsodium's crypto_aead_aes256gcm_state, 512 bytes), computed
 * once per session rather than once per frame. */
struct pd_seal {
	enum pd_aead aead;
	unsigned char tx[32], rx[32]; /* per-direction keys */
	uint64_t txn, rxn;	      /* counters: next nonce to use / expect */
	_Alignas(16) unsigned char txs[512], rxs[512];
};

/* Derive the session keys for `self` (the local side's role): 64 bytes of
 * BLAKE2b keyed by K over "pd-session-v1" || Nc || Ns || T; the first 32
 * seal client->server frames, the last 32 server->client, with su's AEAD.
 * Counters start at 0. */
void pd_seal_init(struct pd_seal *s, const unsigned char key[PD_KEY_LEN],
		  enum pd_role self, const unsigned char nc[PD_NONCE_LEN],
		  const unsigned char ns[PD_NONCE_LEN], const struct pd_suite *su);

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
