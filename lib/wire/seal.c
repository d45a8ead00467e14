/* seal.c - handshake proofs, session keys and sealed frames (libsodium). */
#include "seal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"

_Static_assert(PD_PROOF_LEN == crypto_auth_hmacsha512256_BYTES, "proof size");
_Static_assert(PD_SEAL_TAG == crypto_aead_chacha20poly1305_ietf_ABYTES,
	       "tag size");
_Static_assert(PD_SEAL_TAG == crypto_aead_aes256gcm_ABYTES, "AES tag size");
_Static_assert(sizeof(((struct pd_seal *)0)->tx) ==
		   crypto_aead_chacha20poly1305_ietf_KEYBYTES,
	       "session key size");
_Static_assert(sizeof(((struct pd_seal *)0)->tx) == crypto_aead_aes256gcm_KEYBYTES,
	       "AES key size");
_Static_assert(sizeof(((struct pd_seal *)0)->txs) >= sizeof(crypto_aead_aes256gcm_state),
	       "AES state size");
_Static_assert(crypto_aead_aes256gcm_NPUBBYTES == crypto_aead_chacha20poly1305_ietf_NPUBBYTES,
	       "nonce size");

#define SESSION_LABEL "pd-session-v1"

/* Initialise libsodium once; without a working RNG nothing is safe. */
static void sodium_ready(void)
{
	if (sodium_init() < 0)
		abort();
}

static const char *const aead_names[PD_AEAD_N + 1] = {NULL, "chacha20poly1305", "aes256gcm"};

const char *pd_aead_name(enum pd_aead a)
{
	return a >= 1 && a <= PD_AEAD_N ? aead_names[a] : "none";
}

enum pd_aead pd_aead_parse(const char *name)
{
	int a;

	for (a = 1; a <= PD_AEAD_N; a++)
		if (!strcmp(name, aead_names[a]))
			return (enum pd_aead)a;
	return 0;
}

int pd_aead_usable(enum pd_aead a)
{
	sodium_ready();
	if (a == PD_AEAD_AES)
		return crypto_aead_aes256gcm_is_available();
	return a == PD_AEAD_CHACHA;
}

void pd_seal_nonce(unsigned char n[PD_NONCE_LEN])
{
	sodium_ready();
	randombytes_buf(n, PD_NONCE_LEN);
}

/* HMAC-SHA-512/256 keyed by the cluster key over label || Nc || Ns || T. */
void pd_seal_proof(const unsigned char key[PD_KEY_LEN], enum pd_role role,
		   const unsigned char nc[PD_NONCE_LEN],
		   const unsigned char ns[PD_NONCE_LEN], const struct pd_suite *su,
		   unsigned char proof[PD_PROOF_LEN])
{
	const char *label = role == PD_ROLE_CLIENT ? "pd-client" : "pd-server";
	crypto_auth_hmacsha512256_state st;

	crypto_auth_hmacsha512256_init(&st, key, PD_KEY_LEN);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)label,
					 strlen(label));
	crypto_auth_hmacsha512256_update(&st, nc, PD_NONCE_LEN);
	crypto_auth_hmacsha512256_update(&st, ns, PD_NONCE_LEN);
	crypto_auth_hmacsha512256_update(&st, (const unsigned char *)su->t, strlen(su->t));
	crypto_auth_hmacsha512256_final(&st, proof);
	sodium_memzero(&st, sizeof st);
}

/* Recompute the expected proof and compare in constant time. */
int pd_seal_check(const unsigned char key[PD_KEY_LEN], enum pd_role role,
		  const unsigned char nc[PD_NONCE_LEN],
		  const unsigned char ns[PD_NONCE_LEN], const struct pd_suite *su,
		  const unsigned char proof[PD_PROOF_LEN])
{
	unsigned char want[PD_PROOF_LEN];
	int rc;

	if (role != PD_ROLE_CLIENT && role != PD_ROLE_SERVER)
		return -1;
	pd_seal_proof(key, role, nc, ns, su, want);
	rc = crypto_verify_32(want, proof);
	sodium_memzero(want, sizeof want);
	return rc == 0 ? 0 : -1;
}

/* Keyed BLAKE2b over "pd-session-v1" || Nc || Ns || T: c->s key, then
 * s->c key; for AES-256-GCM, their expanded states too. */
void pd_seal_init(struct pd_seal *s, const unsigned char key[PD_KEY_LEN],
		  enum pd_role self, const unsigned char nc[PD_NONCE_LEN],
		  const unsigned char ns[PD_NONCE_LEN], const struct pd_suite *su)
{
	unsigned char out[64];
	crypto_generichash_state st;

	sodium_ready();
	crypto_generichash_init(&st, key, PD_KEY_LEN, sizeof out);
	crypto_generichash_update(&st, (const unsigned char *)SESSION_LABEL,
				  strlen(SESSION_LABEL));
	crypto_generichash_update(&st, nc, PD_NONCE_LEN);
	crypto_generichash_update(&st, ns, PD_NONCE_LEN);
	crypto_generichash_update(&st, (const unsigned char *)su->t, strlen(su->t));
	crypto_generichash_final(&st, out, sizeof out);
	if (self == PD_ROLE_CLIENT) {
		memcpy(s->tx, out, 32);
		memcpy(s->rx, out + 32, 32);
	} else {
		memcpy(s->tx, out + 32, 32);
		memcpy(s->rx, out, 32);
	}
	s->aead = su->aead == PD_AEAD_AES ? PD_AEAD_AES : PD_AEAD_CHACHA;
	if (s->aead == PD_AEAD_AES) {
		crypto_aead_aes256gcm_beforenm((crypto_aead_aes256gcm_state *)s->txs, s->tx);
		crypto_aead_aes256gcm_beforenm((crypto_aead_aes256gcm_state *)s->rxs, s->rx);
	}
	s->txn = 0;
	s->rxn = 0;
	sodium_memzero(out, sizeof out);
	sodium_memzero(&st, sizeof st);
}

void pd_seal_wipe(struct pd_seal *s)
{
	sodium_memzero(s, sizeof *s);
}

/* The 96-bit AEAD nonce for counter n: 4 zero bytes, then n big-endian. */
static void frame_nonce(uint64_t n,
			unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES])
{
	memset(nonce, 0, 4);
	pd_put_be64(nonce + 4, n);
}

/* The session's AEAD, combined mode: ciphertext then tag. */
void pd_seal_close(struct pd_seal *s, const unsigned char *ad, size_t adlen,
		   const unsigned char *pt, size_t n, unsigned char *ct)
{
	unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

	/* 2^64 frames can never be sent; never reuse a nonce all the same */
	if (s->txn == UINT64_MAX)
		abort();
	frame_nonce(s->txn, nonce);
	if (s->aead == PD_AEAD_AES)
		crypto_aead_aes256gcm_encrypt_afternm(ct, NULL, pt, n, ad, adlen, NULL, nonce,
						      (const crypto_aead_aes256gcm_state *)s->txs);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, n, ad, adlen,
							  NULL, nonce, s->tx);
	s->txn++;
}

/* Verify then decrypt; the rx counter moves only when the frame opens. */
int pd_seal_open(struct pd_seal *s, const unsigned char *ad, size_t adlen,
		 const unsigned char *ct, size_t n, unsigned char *pt)
{
	unsigned char nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
	int rc;

	if (n < PD_SEAL_TAG || s->rxn == UINT64_MAX)
		return -1;
	frame_nonce(s->rxn, nonce);
	if (s->aead == PD_AEAD_AES)
		rc = crypto_aead_aes256gcm_decrypt_afternm(pt, NULL, NULL, ct, n, ad, adlen, nonce,
							   (const crypto_aead_aes256gcm_state *)s->rxs);
	else
		rc = crypto_aead_chacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, n, ad, adlen,
							       nonce, s->rx);
	if (rc != 0)
		return -1;
	s->rxn++;
	return 0;
}

void pd_hex_encode(const unsigned char *bin, size_t n, char *hex)
{
	sodium_bin2hex(hex, 2 * n + 1, bin, n);
}

/* Accept exactly 2n hex digits: no separators, prefix or trailing text. */
int pd_hex_decode(const char *hex, unsigned char *bin, size_t n)
{
	size_t len = strlen(hex), got = 0;
	const char *end = NULL;

	if (len != 2 * n)
		return -1;
	if (sodium_hex2bin(bin, n, hex, len, NULL, &got, &end) != 0)
		return -1;
	return got == n && end == hex + len ? 0 : -1;
}
