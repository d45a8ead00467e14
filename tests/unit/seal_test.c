/* seal_test.c - unit tests for the key file and sealed frames. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "key.h"
#include "seal.h"
#include "t.h"

static char dir[] = "/tmp/pd-seal-test.XXXXXX";

/* Write n bytes to path, mode 0600. */
static void write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, p, n) == (ssize_t)n);
	close(fd);
}

/* Generate, load and refuse key files. */
static void test_key(void)
{
	char path[256], sub[256], want[1024], err[PD_ERRLEN] = "";
	unsigned char key[PD_KEY_LEN], key2[PD_KEY_LEN], zero[PD_KEY_LEN] = {0};
	struct stat st;
	int perm = -1;

	snprintf(path, sizeof path, "%s/a/b/key", dir);
	CHECK(pd_key_generate(path, err) == 0);
	CHECK_STR(err, "");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(st.st_size == PD_KEY_LEN);
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 0777) == 0700);

	CHECK(pd_key_load(path, key, &perm, err) == 0);
	CHECK(perm == 0);
	CHECK(memcmp(key, zero, sizeof key) != 0);
	CHECK(pd_key_load(path, key2, NULL, err) == 0);
	CHECK(memcmp(key, key2, sizeof key) == 0);

	/* group-readable: refused as a permission problem */
	CHECK(chmod(path, 0640) == 0);
	CHECK(pd_key_load(path, key2, &perm, err) == -1);
	CHECK(perm == 1);
	snprintf(want, sizeof want,
		 "key file %s is accessible by group or others (mode 0640); fix it with: chmod 600 %s",
		 path, path);
	CHECK_STR(err, want);
	CHECK(chmod(path, 0600) == 0);

	/* never overwritten */
	CHECK(pd_key_generate(path, err) == -1);
	snprintf(want, sizeof want,
		 "key file %s already exists; remove it first to make a new one",
		 path);
	CHECK_STR(err, want);
	CHECK(pd_key_load(path, key2, &perm, err) == 0);
	CHECK(memcmp(key, key2, sizeof key) == 0);

	/* wrong size */
	snprintf(path, sizeof path, "%s/short", dir);
	write_file(path, "0123456789", 10);
	CHECK(pd_key_load(path, key2, &perm, err) == -1);
	CHECK(perm == 0);
	snprintf(want, sizeof want, "key file %s holds 10 bytes, expected 32",
		 path);
	CHECK_STR(err, want);
	unlink(path);

	/* missing */
	snprintf(path, sizeof path, "%s/nokey", dir);
	perm = -1;
	CHECK(pd_key_load(path, key2, &perm, err) == -1);
	CHECK(perm == 0);
	snprintf(want, sizeof want,
		 "no cluster key at %s; create one with: pd-serve --keygen", path);
	CHECK_STR(err, want);

	/* a directory is not a key file */
	CHECK(pd_key_load(sub, key2, &perm, err) == -1);
	CHECK(perm == 0);
	snprintf(want, sizeof want, "key file %s is not a regular file", sub);
	CHECK_STR(err, want);

	/* a symlink is not followed */
	snprintf(path, sizeof path, "%s/link", dir);
	snprintf(sub, sizeof sub, "%s/a/b/key", dir);
	CHECK(symlink(sub, path) == 0);
	CHECK(pd_key_load(path, key2, &perm, err) == -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK(pd_key_generate(path, err) == -1);
	unlink(path);
}

/* The AEAD the pair() sessions use: each test runs once per usable one. */
static enum pd_aead aead = PD_AEAD_CHACHA;

/* Proofs bind the role, the key, both nonces and the suite transcript. */
static void test_proof(void)
{
	unsigned char k1[PD_KEY_LEN], k2[PD_KEY_LEN];
	unsigned char nc[PD_NONCE_LEN], ns[PD_NONCE_LEN], ns2[PD_NONCE_LEN];
	unsigned char p[PD_PROOF_LEN], q[PD_PROOF_LEN];
	const struct pd_suite t0 = {PD_AEAD_CHACHA, ""}, *su = &t0;
	const struct pd_suite t1 = {PD_AEAD_AES, "aes256gcm,chacha20poly1305>aes256gcm"};
	const struct pd_suite t2 = {PD_AEAD_CHACHA, "aes256gcm,chacha20poly1305>chacha20poly1305"};
	const struct pd_suite t3 = {PD_AEAD_CHACHA, "chacha20poly1305>chacha20poly1305"};

	pd_seal_nonce(k1);
	pd_seal_nonce(k2);
	pd_seal_nonce(nc);
	pd_seal_nonce(ns);
	pd_seal_nonce(ns2);
	CHECK(memcmp(nc, ns, PD_NONCE_LEN) != 0);

	pd_seal_proof(k1, PD_ROLE_CLIENT, nc, ns, su, p);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, su, p) == 0);
	CHECK(pd_seal_check(k1, PD_ROLE_SERVER, nc, ns, su, p) == -1);
	CHECK(pd_seal_check(k2, PD_ROLE_CLIENT, nc, ns, su, p) == -1);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns2, su, p) == -1); /* replay */
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, ns, nc, su, p) == -1);  /* swapped */

	pd_seal_proof(k1, PD_ROLE_SERVER, nc, ns, su, q);
	CHECK(memcmp(p, q, PD_PROOF_LEN) != 0);
	CHECK(pd_seal_check(k1, PD_ROLE_SERVER, nc, ns, su, q) == 0);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, su, q) == -1);
	q[PD_PROOF_LEN - 1] ^= 1;
	CHECK(pd_seal_check(k1, PD_ROLE_SERVER, nc, ns, su, q) == -1);

	/* a transcript the other side did not see: a stripped or edited
	 * offer, an edited choice, no offer at all */
	pd_seal_proof(k1, PD_ROLE_CLIENT, nc, ns, &t1, p);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, &t1, p) == 0);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, &t2, p) == -1);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, &t3, p) == -1);
	CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, &t0, p) == -1);
	/* the empty transcript gives the proof of before the negotiation:
	 * HMAC-SHA-512/256 over "pd-client" || Nc || Ns, computed here
	 * with libsodium directly */
	{
		unsigned char msg[9 + 2 * PD_NONCE_LEN];

		memcpy(msg, "pd-client", 9);
		memcpy(msg + 9, nc, PD_NONCE_LEN);
		memcpy(msg + 9 + PD_NONCE_LEN, ns, PD_NONCE_LEN);
		crypto_auth_hmacsha512256(q, msg, sizeof msg, k1);
		CHECK(pd_seal_check(k1, PD_ROLE_CLIENT, nc, ns, &t0, q) == 0);
	}
}

/* Set up a matching client/server pair of sessions. */
static void pair(struct pd_seal *c, struct pd_seal *s)
{
	unsigned char k[PD_KEY_LEN], nc[PD_NONCE_LEN], ns[PD_NONCE_LEN];
	struct pd_suite su = {aead, ""};

	snprintf(su.t, sizeof su.t, "%s>%s", pd_aead_name(aead), pd_aead_name(aead));
	pd_seal_nonce(k);
	pd_seal_nonce(nc);
	pd_seal_nonce(ns);
	pd_seal_init(c, k, PD_ROLE_CLIENT, nc, ns, &su);
	pd_seal_init(s, k, PD_ROLE_SERVER, nc, ns, &su);
	CHECK(c->aead == aead && s->aead == aead);
}

/* The sealed bytes are the named AEAD's: open a frame sealed by a
 * session with libsodium's own function for that AEAD, keyed with the
 * session key and the counter nonce (4 zero bytes, 64-bit big-endian). */
static void test_which(void)
{
	struct pd_seal c, s;
	unsigned char ad[3] = {9, 8, 7}, ct[64], pt[64], nonce[12] = {0};
	unsigned long long n = 0;
	int rc;

	pair(&c, &s);
	pd_seal_close(&c, ad, 3, (const unsigned char *)"first", 5, ct);
	pd_seal_close(&c, ad, 3, (const unsigned char *)"second", 6, ct);
	nonce[11] = 1;
	if (aead == PD_AEAD_AES)
		rc = crypto_aead_aes256gcm_decrypt(pt, &n, NULL, ct, 6 + PD_SEAL_TAG, ad, 3, nonce, c.tx);
	else
		rc = crypto_aead_chacha20poly1305_ietf_decrypt(pt, &n, NULL, ct, 6 + PD_SEAL_TAG, ad, 3, nonce, c.tx);
	CHECK(rc == 0 && n == 6 && memcmp(pt, "second", 6) == 0);
	/* and not the other one's */
	if (aead == PD_AEAD_AES)
		rc = crypto_aead_chacha20poly1305_ietf_decrypt(pt, &n, NULL, ct, 6 + PD_SEAL_TAG, ad, 3, nonce, c.tx);
	else if (crypto_aead_aes256gcm_is_available())
		rc = crypto_aead_aes256gcm_decrypt(pt, &n, NULL, ct, 6 + PD_SEAL_TAG, ad, 3, nonce, c.tx);
	else
		rc = -1;
	CHECK(rc == -1);
	pd_seal_wipe(&c);
	pd_seal_wipe(&s);
}

/* Frames go both ways in order. */
static void test_roundtrip(void)
{
	struct pd_seal c, s;
	unsigned char ad[4] = {1, 2, 3, 4}, ct[64 + PD_SEAL_TAG], pt[64];
	char msg[64];
	int i;

	pair(&c, &s);
	CHECK(memcmp(c.tx, s.rx, 32) == 0 && memcmp(c.rx, s.tx, 32) == 0);
	CHECK(memcmp(c.tx, c.rx, 32) != 0);
	for (i = 0; i < 5; i++) {
		int n = snprintf(msg, sizeof msg, "frame %d from client", i);

		pd_seal_close(&c, ad, sizeof ad, (unsigned char *)msg, (size_t)n, ct);
		CHECK(memcmp(ct, msg, (size_t)n) != 0);
		CHECK(pd_seal_open(&s, ad, sizeof ad, ct, (size_t)n + PD_SEAL_TAG, pt) == 0);
		CHECK(memcmp(pt, msg, (size_t)n) == 0);

		n = snprintf(msg, sizeof msg, "reply %d from server", i);
		pd_seal_close(&s, NULL, 0, (unsigned char *)msg, (size_t)n, ct);
		CHECK(pd_seal_open(&c, NULL, 0, ct, (size_t)n + PD_SEAL_TAG, pt) == 0);
		CHECK(memcmp(pt, msg, (size_t)n) == 0);
	}
	CHECK(c.txn == 5 && c.rxn == 5 && s.txn == 5 && s.rxn == 5);

	/* an empty body still carries a tag */
	pd_seal_close(&c, ad, sizeof ad, pt, 0, ct);
	CHECK(pd_seal_open(&s, ad, sizeof ad, ct, PD_SEAL_TAG, pt) == 0);

	/* a frame sealed by a side cannot be opened by itself */
	pd_seal_close(&c, ad, sizeof ad, (unsigned char *)"x", 1, ct);
	CHECK(pd_seal_open(&c, ad, sizeof ad, ct, 1 + PD_SEAL_TAG, pt) == -1);

	pd_seal_wipe(&c);
	CHECK(c.txn == 0 && c.tx[0] == 0 && c.rx[31] == 0);
	pd_seal_wipe(&s);
}

/* Seal frame number i ("msg i") with session c into ct; return its size. */
static size_t seal_msg(struct pd_seal *c, const unsigned char *ad, int i,
		       unsigned char *ct)
{
	char msg[32];
	int n = snprintf(msg, sizeof msg, "msg %d", i);

	pd_seal_close(c, ad, 2, (unsigned char *)msg, (size_t)n, ct);
	return (size_t)n + PD_SEAL_TAG;
}

/* Open ct (n bytes) with s and check it says "msg i". */
static int open_msg(struct pd_seal *s, const unsigned char *ad, int i,
		    const unsigned char *ct, size_t n)
{
	unsigned char pt[64];
	char want[32];

	if (pd_seal_open(s, ad, 2, ct, n, pt) < 0)
		return -1;
	snprintf(want, sizeof want, "msg %d", i);
	return memcmp(pt, want, strlen(want)) == 0 ? 0 : -2;
}

/* Altered, replayed, reordered and truncated frames fail to open. */
static void test_tamper(void)
{
	struct pd_seal c, s;
	unsigned char ad[2] = {'h', 'd'}, bad[2] = {'h', 'e'};
	unsigned char f0[64], f1[64], f2[64], f3[64], x[64];
	size_t n0, n1, n2, n3;

	pair(&c, &s);
	n0 = seal_msg(&c, ad, 0, f0);
	n1 = seal_msg(&c, ad, 1, f1);
	n2 = seal_msg(&c, ad, 2, f2);
	n3 = seal_msg(&c, ad, 3, f3);

	/* flipped ciphertext byte, then flipped tag byte */
	memcpy(x, f0, n0);
	x[0] ^= 0x80;
	CHECK(open_msg(&s, ad, 0, x, n0) == -1);
	memcpy(x, f0, n0);
	x[n0 - 1] ^= 1;
	CHECK(open_msg(&s, ad, 0, x, n0) == -1);
	/* flipped AD byte */
	CHECK(open_msg(&s, bad, 0, f0, n0) == -1);
	/* truncated: short of the tag, and one byte short */
	CHECK(open_msg(&s, ad, 0, f0, PD_SEAL_TAG - 1) == -1);
	CHECK(open_msg(&s, ad, 0, f0, n0 - 1) == -1);
	CHECK(s.rxn == 0);
	/* after all that, the genuine frame 0 still opens */
	CHECK(open_msg(&s, ad, 0, f0, n0) == 0);

	/* replay of frame 0 */
	CHECK(open_msg(&s, ad, 0, f0, n0) == -1);
	/* reorder: frame 2 before frame 1 */
	CHECK(open_msg(&s, ad, 2, f2, n2) == -1);
	CHECK(s.rxn == 1);
	CHECK(open_msg(&s, ad, 1, f1, n1) == 0);
	CHECK(open_msg(&s, ad, 2, f2, n2) == 0);
	/* a dropped frame: 3 is sealed but 4 arrives first */
	n0 = seal_msg(&c, ad, 4, f0);
	CHECK(open_msg(&s, ad, 4, f0, n0) == -1);
	CHECK(open_msg(&s, ad, 3, f3, n3) == 0);
	CHECK(open_msg(&s, ad, 4, f0, n0) == 0);
	CHECK(s.rxn == 5);
	pd_seal_wipe(&c);
	pd_seal_wipe(&s);
}

/* pt == ct works for both seal and open, and matches out of place. */
static void test_inplace(void)
{
	struct pd_seal c, s, c2;
	unsigned char msg[200], buf[256], other[256], saved[256];
	size_t n = sizeof msg, i;

	pair(&c, &s);
	for (i = 0; i < n; i++)
		msg[i] = (unsigned char)(i * 7);
	c2 = c;
	memcpy(buf, msg, n);
	pd_seal_close(&c, msg, 8, buf, n, buf);
	pd_seal_close(&c2, msg, 8, msg, n, other);
	CHECK(memcmp(buf, other, n + PD_SEAL_TAG) == 0);
	CHECK(memcmp(buf, msg, n) != 0);
	CHECK(pd_seal_open(&s, msg, 8, buf, n + PD_SEAL_TAG, buf) == 0);
	CHECK(memcmp(buf, msg, n) == 0);

	/* a failed in-place open leaves the counter alone */
	pd_seal_close(&c, NULL, 0, msg, n, buf);
	memcpy(saved, buf, n + PD_SEAL_TAG);
	buf[5] ^= 1;
	CHECK(pd_seal_open(&s, NULL, 0, buf, n + PD_SEAL_TAG, buf) == -1);
	CHECK(pd_seal_open(&s, NULL, 0, saved, n + PD_SEAL_TAG, saved) == 0);
	CHECK(memcmp(saved, msg, n) == 0);
	pd_seal_wipe(&c);
	pd_seal_wipe(&c2);
	pd_seal_wipe(&s);
}

/* Hex round trip and strict decoding. */
static void test_hex(void)
{
	unsigned char in[4] = {0x00, 0xab, 0x7f, 0xff}, out[4];
	char hex[9];

	pd_hex_encode(in, sizeof in, hex);
	CHECK_STR(hex, "00ab7fff");
	CHECK(pd_hex_decode(hex, out, sizeof out) == 0);
	CHECK(memcmp(in, out, sizeof in) == 0);
	CHECK(pd_hex_decode("00AB7FFF", out, sizeof out) == 0);
	CHECK(memcmp(in, out, sizeof in) == 0);
	CHECK(pd_hex_decode("00ab7ff", out, sizeof out) == -1);	  /* odd */
	CHECK(pd_hex_decode("00ab7fffa", out, sizeof out) == -1); /* odd */
	CHECK(pd_hex_decode("00ab7fzz", out, sizeof out) == -1);  /* non-hex */
	CHECK(pd_hex_decode("00ab 7ff", out, sizeof out) == -1);  /* space */
	CHECK(pd_hex_decode("00ab7f", out, sizeof out) == -1);	  /* short */
	CHECK(pd_hex_decode("00ab7fff00", out, sizeof out) == -1); /* long */
	CHECK(pd_hex_decode("", out, sizeof out) == -1);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_key();
	test_proof();
	for (aead = PD_AEAD_CHACHA; aead <= PD_AEAD_N; aead++) {
		if (!pd_aead_usable(aead)) {
			printf("seal: %s is not usable on this CPU: its session tests skipped\n", pd_aead_name(aead));
			continue;
		}
		test_roundtrip();
		test_tamper();
		test_inplace();
		test_which();
	}
	test_hex();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return t_done("seal");
}
