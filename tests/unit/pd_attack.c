/*
 * pd_attack.c - a hostile client for tests/protocol.bats: connects to
 * 127.0.0.1:PORT, performs one named attack on pd-serve's TCP protocol
 * and checks that the server ends the connection.
 *
 *	pd_attack PORT ATTACK
 *
 * Exit status: 0 when the server dropped the connection as it must (EOF
 * or reset within a bounded time, after an error frame where the
 * protocol promises one), 1 when it did not (it answered, or kept the
 * connection open), 2 when the attack could not be carried out (no
 * server, or the honest part of an attack, such as a correct handshake,
 * failed).  The server's error message, when one came, is printed as
 * "server error: MESSAGE (code N)" on stdout, so the tests can check
 * that it names the fault, and each connection the server dropped ends
 * with a line "dropped 127.0.0.1:LOCALPORT[ error=FIRST-ERROR]", so they
 * can find what the server logged about it.  Attacks that need the
 * cluster key read it from $PD_HOME/key.  `pd_attack list` prints the
 * attacks.
 *
 * Two floods by a key holder (tests/attack.bats), not in the list:
 *	pd_attack PORT flood-run JOB.so SYM N MIB   upload JOB.so, then send
 *		N pipelined run frames of MIB MiB each (one record, "20000"
 *		padded with spaces), reading nothing
 *	pd_attack PORT flood-fetch ID N   N pipelined fetch frames of run ID,
 *		reading nothing
 * Each prints "sent" once everything is written (or "blocked" when the
 * server stopped reading: the write did not finish within 10 s), then
 * waits for stdin to close, holding the connection open.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "cache.h"
#include "err.h"
#include "fdio.h"
#include "frame.h"
#include "hostsel.h"
#include "json.h"
#include "key.h"
#include "num.h"
#include "paths.h"
#include "proto.h"
#include "seal.h"

#define WAIT_S 5 /* how long the server gets to drop us */

static int port;
static unsigned char key[PD_KEY_LEN];
/* pd_attack speaks as a client older than the AEAD negotiation: its hello
 * offers nothing, so the server picks ChaCha20-Poly1305 and an empty
 * transcript; every attack on it therefore also checks that such a client
 * still gets in. */
static const struct pd_suite legacy = {PD_AEAD_CHACHA, ""};

static void load_key(void);

/* Print a diagnostic and exit 2: the attack itself could not be run. */
static void setup_fail(const char *fmt, const char *arg)
{
	fputs("pd_attack: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A blocking TCP connection to the server. */
static int dial(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa))
		setup_fail("connect to 127.0.0.1: %s", strerror(errno));
	return fd;
}

static void send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			setup_fail("send: %s", strerror(errno));
		c += w;
		n -= (size_t)w;
	}
}

/* Read exactly n bytes before `deadline`: 0, 1 on EOF or reset, -1 on
 * timeout. */
static int read_full(int fd, unsigned char *p, size_t n, double deadline)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	size_t got = 0;
	ssize_t r;
	int ms;

	while (got < n) {
		ms = (int)((deadline - now_s()) * 1000);
		if (ms <= 0)
			return -1;
		if (poll(&pfd, 1, ms) == 0)
			return -1;
		r = recv(fd, p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Read one frame (opened with s when sealed): 0 with m filled, 1 on EOF
 * or reset, -1 on timeout, -2 on a frame this client cannot decode.
 */
static int read_frame(int fd, struct pd_seal *s, struct pd_msg *m, double deadline)
{
	unsigned char hdr[PD_FRAME_HDR], *body;
	struct pd_frame_hdr h;
	char err[PD_ERRLEN];
	uint64_t len;
	int rc;

	rc = read_full(fd, hdr, sizeof hdr, deadline);
	if (rc)
		return rc;
	if (pd_frame_hdr_parse(hdr, PD_BLOB_MAX, &h, err)) {
		fprintf(stderr, "pd_attack: server sent a bad frame: %s\n", err);
		return -2;
	}
	len = pd_frame_body_len(&h);
	body = malloc(len ? len : 1);
	if (!body)
		abort();
	rc = read_full(fd, body, len, deadline);
	if (rc == 0 && pd_frame_decode(&h, hdr, body, (h.flags & PD_FRAME_SEALED) ? s : NULL, m, err)) {
		fprintf(stderr, "pd_attack: cannot decode the server's frame: %s\n", err);
		rc = -2;
	}
	free(body);
	return rc;
}

/*
 * The verdict: read until the server closes.  An error frame is printed;
 * any other frame means the server accepted what it should have refused.
 * With need_error, closing without an error frame is a failure too.
 */
static int expect_drop(int fd, struct pd_seal *s, int secs, int need_error)
{
	double deadline = now_s() + secs;
	struct sockaddr_in me;
	socklen_t melen = sizeof me;
	char msg[PD_ERRLEN + 64] = "";
	struct pd_msg m;
	int rc, errors = 0, lport = 0;

	if (getsockname(fd, (struct sockaddr *)&me, &melen) == 0)
		lport = ntohs(me.sin_port);
	pd_msg_init(&m);
	for (;;) {
		rc = read_frame(fd, s, &m, deadline);
		if (rc == 1)
			break;
		if (rc == -1) {
			printf("not dropped: the connection is still open after %d s\n", secs);
			close(fd);
			return 1;
		}
		if (rc == -2) {
			printf("not dropped cleanly: undecodable frame from the server\n");
			close(fd);
			return 1;
		}
		if (strcmp(m.op, PD_OP_ERROR)) {
			printf("not dropped: the server answered '%s'\n", m.op);
			pd_msg_release(&m);
			close(fd);
			return 1;
		}
		printf("server error: %s (code %g)\n", pd_json_str(m.json, "error", "?"),
		       pd_json_num(m.json, "code", 0));
		if (!errors)
			snprintf(msg, sizeof msg, " error=%s", pd_json_str(m.json, "error", "?"));
		errors++;
		pd_msg_release(&m);
	}
	close(fd);
	if (need_error && !errors) {
		printf("dropped, but without the error frame that names the fault\n");
		return 1;
	}
	/* the verdict line the tests parse: our address, the first error */
	printf("dropped 127.0.0.1:%d%s\n", lport, msg);
	return 0;
}

/* A raw 16-byte header with any values, valid or not. */
static void raw_hdr(unsigned char h[PD_FRAME_HDR], unsigned version, unsigned flags,
		    uint32_t json_len, uint64_t blob_len)
{
	h[0] = 'P';
	h[1] = 'D';
	h[2] = (unsigned char)version;
	h[3] = (unsigned char)flags;
	pd_put_be32(h + 4, json_len);
	pd_put_be64(h + 8, blob_len);
}

/* Send a header as given, then `json` as the body. */
static void send_raw(int fd, unsigned version, unsigned flags, const char *json)
{
	unsigned char h[PD_FRAME_HDR];

	raw_hdr(h, version, flags, (uint32_t)strlen(json), 0);
	send_all(fd, h, sizeof h);
	send_all(fd, json, strlen(json));
}

/* Encode and send one frame (sealed when s is non-NULL); the bytes sent
 * are also appended to rec when it is non-NULL. */
static void send_frame(int fd, struct pd_seal *s, const char *json, const void *blob, size_t n,
		       struct pd_buf *rec)
{
	struct pd_buf b = PD_BUF_INIT;

	pd_frame_encode(&b, s, json, strlen(json), blob, n);
	send_all(fd, b.data, b.len);
	if (rec)
		pd_buf_add(rec, b.data, b.len);
	pd_buf_release(&b);
}

/* Expect one frame with operation op; exits 2 otherwise. */
static void expect_op(int fd, struct pd_seal *s, const char *op, struct pd_msg *m)
{
	int rc = read_frame(fd, s, m, now_s() + WAIT_S);

	if (rc)
		setup_fail("no '%s' from the server (connection closed, timed out or bad frame)", op);
	if (strcmp(m->op, op)) {
		fprintf(stderr, "pd_attack: server error: %s\n", pd_json_str(m->json, "error", "?"));
		setup_fail("expected '%s' from the server", op);
	}
}

/* The client's hello, with nonce nc. */
static void send_hello(int fd, const unsigned char nc[PD_NONCE_LEN], struct pd_buf *rec)
{
	char hex[2 * PD_NONCE_LEN + 1], json[256];

	pd_hex_encode(nc, PD_NONCE_LEN, hex);
	snprintf(json, sizeof json, "{\"op\":\"hello\",\"proto\":%d,\"client\":\"pd_attack\",\"nonce\":\"%s\"}",
		 PD_PROTO_VERSION, hex);
	send_frame(fd, NULL, json, NULL, 0, rec);
}

/*
 * A complete, correct handshake as pd-map does it.  The client's frames
 * are appended to rec (when non-NULL) and the server's nonce stored in
 * ns_out (when non-NULL).  Leaves s ready to seal.
 */
static int handshake(struct pd_seal *s, struct pd_buf *rec, unsigned char *ns_out)
{
	unsigned char nc[PD_NONCE_LEN], ns[PD_NONCE_LEN], proof[PD_PROOF_LEN];
	char hex[2 * PD_PROOF_LEN + 1], json[256];
	struct pd_msg m;
	int fd;

	load_key();
	fd = dial();
	pd_msg_init(&m);
	pd_seal_nonce(nc);
	send_hello(fd, nc, rec);
	expect_op(fd, NULL, PD_OP_CHALLENGE, &m);
	if (pd_hex_decode(pd_json_str(m.json, "nonce", ""), ns, PD_NONCE_LEN))
		setup_fail("%s", "challenge without a valid nonce");
	pd_msg_release(&m);
	pd_seal_proof(key, PD_ROLE_CLIENT, nc, ns, &legacy, proof);
	pd_hex_encode(proof, PD_PROOF_LEN, hex);
	snprintf(json, sizeof json, "{\"op\":\"auth\",\"proof\":\"%s\"}", hex);
	send_frame(fd, NULL, json, NULL, 0, rec);
	expect_op(fd, NULL, PD_OP_WELCOME, &m);
	if (pd_hex_decode(pd_json_str(m.json, "proof", ""), proof, PD_PROOF_LEN) ||
	    pd_seal_check(key, PD_ROLE_SERVER, nc, ns, &legacy, proof))
		setup_fail("%s", "the server's proof does not check out (wrong key in $PD_HOME?)");
	pd_msg_release(&m);
	pd_seal_init(s, key, PD_ROLE_CLIENT, nc, ns, &legacy);
	if (ns_out)
		memcpy(ns_out, ns, PD_NONCE_LEN);
	return fd;
}

/* A sealed info request must get an info reply: proves the link works
 * before the attack, so that a drop is due to the attack alone. */
static void control_info(int fd, struct pd_seal *s)
{
	struct pd_msg m;

	pd_msg_init(&m);
	send_frame(fd, s, "{\"op\":\"info\"}", NULL, 0, NULL);
	expect_op(fd, s, PD_OP_INFO, &m);
	pd_msg_release(&m);
}

/* The sealed-link attacks after a correct handshake. */
/* Uploads of C source (tests/jobc.bats): over the size limit, not
 * matching its hash, a file name that is a path. */
static void src_attack(int fd, struct pd_seal *s, const char *name)
{
	static const char zero[] = "0000000000000000000000000000000000000000000000000000000000000000";
	struct pd_buf j = PD_BUF_INIT, big = PD_BUF_INIT;
	int i;

	if (!strcmp(name, "src-big")) {
		for (i = 0; i < 5000; i++)
			pd_buf_addf(&big, "%999s\n", "");
		pd_buf_addf(&j, "{\"op\":\"upload\",\"hash\":\"%s\",\"src\":\"c\",\"name\":\"big.c\"}", zero);
		send_frame(fd, s, j.data, big.data, big.len, NULL);
	} else if (!strcmp(name, "src-hash")) {
		pd_buf_addf(&j, "{\"op\":\"upload\",\"hash\":\"%s\",\"src\":\"c\",\"name\":\"x.c\"}", zero);
		send_frame(fd, s, j.data, "int x;\n", 7, NULL);
	} else {
		pd_buf_addf(&j, "{\"op\":\"job\",\"hash\":\"%s\",\"sym\":\"\",\"src\":\"c\",\"name\":\"../x.c\"}", zero);
		send_frame(fd, s, j.data, NULL, 0, NULL);
	}
	pd_buf_release(&j);
	pd_buf_release(&big);
}

static int after_handshake(const char *name)
{
	struct pd_seal s;
	struct pd_buf b = PD_BUF_INIT;
	int fd = handshake(&s, NULL, NULL), rc;

	control_info(fd, &s);
	if (!strcmp(name, "flipped")) {
		/* one ciphertext byte of an otherwise genuine frame */
		pd_frame_encode(&b, &s, "{\"op\":\"info\"}", 13, NULL, 0);
		b.data[PD_FRAME_HDR + 3] ^= 0x20;
		send_all(fd, b.data, b.len);
	} else if (!strcmp(name, "flipped-tag")) {
		/* the last byte of the authentication tag */
		pd_frame_encode(&b, &s, "{\"op\":\"info\"}", 13, NULL, 0);
		b.data[b.len - 1] ^= 0x01;
		send_all(fd, b.data, b.len);
	} else if (!strcmp(name, "flipped-header")) {
		/* the header is authenticated data: move the JSON/blob
		 * boundary (JSON 15 -> 13, blob 0 -> 2), keeping the body's
		 * size and bytes, so only the authentication can notice */
		pd_frame_encode(&b, &s, "{\"op\":\"info\"}xy", 15, NULL, 0);
		pd_put_be32((unsigned char *)b.data + 4, 13);
		pd_put_be64((unsigned char *)b.data + 8, 2);
		send_all(fd, b.data, b.len);
	} else if (!strcmp(name, "dupframe")) {
		/* a genuine sealed frame sent twice: the copy must not open */
		pd_frame_encode(&b, &s, "{\"op\":\"ping\"}", 13, NULL, 0);
		send_all(fd, b.data, b.len);
		{
			struct pd_msg m;

			pd_msg_init(&m);
			expect_op(fd, &s, PD_OP_PONG, &m);
			pd_msg_release(&m);
		}
		send_all(fd, b.data, b.len);
	} else if (!strcmp(name, "unsealed")) {
		send_frame(fd, NULL, "{\"op\":\"info\"}", NULL, 0, NULL);
	} else if (!strcmp(name, "remote-alloc")) {
		send_frame(fd, &s, "{\"op\":\"alloc\",\"cpu\":0}", NULL, 0, NULL);
	} else if (!strcmp(name, "unknown-op")) {
		send_frame(fd, &s, "{\"op\":\"frobnicate\"}", NULL, 0, NULL);
	} else if (!strcmp(name, "badrun")) {
		send_frame(fd, &s, "{\"op\":\"run\",\"batch\":-1,\"hash\":\"x\",\"sym\":\"square\",\"first\":0,\"n\":1}",
			   "1\n", 2, NULL);
	} else if (!strcmp(name, "badrun-gpu")) {
		send_frame(fd, &s, "{\"op\":\"run\",\"batch\":1,\"hash\":\"x\",\"sym\":\"square\",\"first\":1,\"n\":1,"
			   "\"gpu\":\"yes\"}", "1\n", 2, NULL);
	} else if (!strcmp(name, "badrun-binary")) {
		/* binary points of dimension 0: the message table refuses it */
		send_frame(fd, &s, "{\"op\":\"run\",\"batch\":1,\"hash\":\"x\",\"sym\":\"square\",\"first\":1,\"n\":1,"
			   "\"kind\":\"fitness\",\"f64\":0}", "", 0, NULL);
	} else if (!strcmp(name, "badrun-mem")) {
		/* a per-run option out of its table row's range */
		send_frame(fd, &s, "{\"op\":\"run\",\"batch\":1,\"hash\":\"x\",\"sym\":\"square\",\"first\":1,\"n\":1,"
			   "\"mem\":-5}", "1\n", 2, NULL);
	} else if (!strcmp(name, "badrun-timeout")) {
		send_frame(fd, &s, "{\"op\":\"run\",\"batch\":1,\"hash\":\"x\",\"sym\":\"square\",\"first\":1,\"n\":1,"
			   "\"timeout_ms\":\"10\"}", "1\n", 2, NULL);
	} else if (!strcmp(name, "badtask")) {
		/* a task without the job's hash: the message table refuses it */
		send_frame(fd, &s, "{\"op\":\"task\",\"task\":\"t1\",\"sym\":\"x\",\"nodes\":1,\"me\":0,"
			   "\"place\":[0],\"tubes\":[],\"args\":[\"a\"]}", NULL, 0, NULL);
	} else if (!strcmp(name, "badupload")) {
		/* the blob does not hash to the announced hash */
		send_frame(fd, &s, "{\"op\":\"upload\",\"hash\":"
			   "\"0000000000000000000000000000000000000000000000000000000000000000\"}",
			   "not a job", 9, NULL);
	} else if (!strncmp(name, "src-", 4)) {
		src_attack(fd, &s, name);
	} else {
		return -1;
	}
	pd_buf_release(&b);
	rc = expect_drop(fd, &s, WAIT_S, 1);
	pd_seal_wipe(&s);
	return rc;
}

/* Replay a whole recorded handshake on a new connection. */
static int replay(void)
{
	unsigned char ns1[PD_NONCE_LEN], ns2[PD_NONCE_LEN];
	struct pd_buf rec = PD_BUF_INIT;
	struct pd_frame_hdr h;
	struct pd_seal s;
	struct pd_msg m;
	char err[PD_ERRLEN];
	size_t hello_len;
	int fd;

	fd = handshake(&s, &rec, ns1);
	control_info(fd, &s);
	close(fd);
	if (pd_frame_hdr_parse((unsigned char *)rec.data, PD_BLOB_MAX, &h, err))
		setup_fail("recorded hello: %s", err);
	hello_len = PD_FRAME_HDR + (size_t)pd_frame_body_len(&h);
	/* second connection: the recorded hello, then the recorded auth */
	fd = dial();
	pd_msg_init(&m);
	send_all(fd, rec.data, hello_len);
	expect_op(fd, NULL, PD_OP_CHALLENGE, &m);
	if (pd_hex_decode(pd_json_str(m.json, "nonce", ""), ns2, PD_NONCE_LEN))
		setup_fail("%s", "challenge without a valid nonce");
	pd_msg_release(&m);
	if (!memcmp(ns1, ns2, PD_NONCE_LEN)) {
		printf("the server sent the same challenge nonce twice\n");
		return 1;
	}
	send_all(fd, rec.data + hello_len, rec.len - hello_len);
	pd_buf_release(&rec);
	return expect_drop(fd, NULL, WAIT_S, 1);
}

/* Handshake-stage attacks: wrong or missing steps. */
static int handshake_attack(const char *name)
{
	unsigned char nc[PD_NONCE_LEN], proof[PD_PROOF_LEN];
	char hex[2 * PD_PROOF_LEN + 1], json[256];
	struct pd_msg m;
	int fd = dial();

	pd_msg_init(&m);
	if (!strcmp(name, "nononce")) {
		send_frame(fd, NULL, "{\"op\":\"hello\",\"proto\":1,\"client\":\"pd_attack\"}", NULL, 0, NULL);
		return expect_drop(fd, NULL, WAIT_S, 1);
	}
	pd_seal_nonce(nc);
	send_hello(fd, nc, NULL);
	expect_op(fd, NULL, PD_OP_CHALLENGE, &m);
	pd_msg_release(&m);
	if (!strcmp(name, "skipauth")) {
		send_frame(fd, NULL, "{\"op\":\"info\"}", NULL, 0, NULL);
	} else if (!strcmp(name, "badproof")) {
		randombytes_buf(proof, sizeof proof);
		pd_hex_encode(proof, PD_PROOF_LEN, hex);
		snprintf(json, sizeof json, "{\"op\":\"auth\",\"proof\":\"%s\"}", hex);
		send_frame(fd, NULL, json, NULL, 0, NULL);
	} else if (!strcmp(name, "reflect")) {
		/* a proof made with the key but for the wrong role and nonce:
		 * the server's label over (Nc, Nc) */
		load_key();
		pd_seal_proof(key, PD_ROLE_SERVER, nc, nc, &legacy, proof);
		pd_hex_encode(proof, PD_PROOF_LEN, hex);
		snprintf(json, sizeof json, "{\"op\":\"auth\",\"proof\":\"%s\"}", hex);
		send_frame(fd, NULL, json, NULL, 0, NULL);
	} else {
		close(fd);
		return -1;
	}
	return expect_drop(fd, NULL, WAIT_S, 1);
}

/* Malformed frames before any handshake. */
static int frame_attack(const char *name)
{
	unsigned char h[PD_FRAME_HDR], junk[256];
	int fd;

	if (!strcmp(name, "downgrade")) {
		/* every variant on its own connection; all must be refused */
		static const struct { unsigned version; const char *json; } v[] = {
		    {0, "{\"op\":\"hello\",\"proto\":1}"},
		    {2, "{\"op\":\"hello\",\"proto\":1}"},
		    {1, "{\"op\":\"hello\",\"proto\":0,\"client\":\"pd_attack\"}"},
		    {1, "{\"op\":\"hello\",\"proto\":2,\"client\":\"pd_attack\"}"}};
		size_t i;
		int rc = 0;

		for (i = 0; i < sizeof v / sizeof v[0]; i++) {
			fd = dial();
			send_raw(fd, v[i].version, 0, v[i].json);
			rc |= expect_drop(fd, NULL, WAIT_S, 1);
		}
		return rc;
	}
	fd = dial();
	if (!strcmp(name, "garbage")) {
		randombytes_buf(junk, sizeof junk);
		junk[0] = 'X'; /* never the magic by chance */
		send_all(fd, junk, sizeof junk);
		return expect_drop(fd, NULL, WAIT_S, 1);
	}
	if (!strcmp(name, "truncated")) {
		/* announces 100 bytes of JSON, sends 10, then half-closes */
		raw_hdr(h, PD_PROTO_VERSION, 0, 100, 0);
		send_all(fd, h, sizeof h);
		send_all(fd, "{\"op\":\"hel", 10);
		shutdown(fd, SHUT_WR);
		return expect_drop(fd, NULL, WAIT_S, 0);
	}
	if (!strcmp(name, "stall")) {
		/* the same, but the connection stays open: only the handshake
		 * timeout can end it */
		raw_hdr(h, PD_PROTO_VERSION, 0, 100, 0);
		send_all(fd, h, sizeof h);
		send_all(fd, "{\"op\":\"hel", 10);
		return expect_drop(fd, NULL, PD_HANDSHAKE_TIMEOUT_S + WAIT_S, 0);
	}
	if (!strcmp(name, "huge")) {
		raw_hdr(h, PD_PROTO_VERSION, 0, 13, 1ull << 40);
		send_all(fd, h, sizeof h);
		send_all(fd, "{\"op\":\"info\"}", 13);
	} else if (!strcmp(name, "bigjson")) {
		raw_hdr(h, PD_PROTO_VERSION, 0, PD_JSON_MAX + 1, 0);
		send_all(fd, h, sizeof h);
	} else if (!strcmp(name, "tinyjson")) {
		raw_hdr(h, PD_PROTO_VERSION, 0, 0, 0);
		send_all(fd, h, sizeof h);
	} else if (!strcmp(name, "flags")) {
		send_raw(fd, PD_PROTO_VERSION, 0x80, "{\"op\":\"hello\",\"proto\":1}");
	} else if (!strcmp(name, "sealed-early")) {
		/* a sealed frame before any key was agreed */
		raw_hdr(h, PD_PROTO_VERSION, PD_FRAME_SEALED, 13, 0);
		send_all(fd, h, sizeof h);
		randombytes_buf(junk, 13 + PD_SEAL_TAG);
		send_all(fd, junk, 13 + PD_SEAL_TAG);
	} else if (!strcmp(name, "badjson")) {
		send_raw(fd, PD_PROTO_VERSION, 0, "this is not JSON {");
	} else if (!strcmp(name, "notobject")) {
		send_raw(fd, PD_PROTO_VERSION, 0, "[\"op\",\"hello\"]");
	} else if (!strcmp(name, "noop")) {
		send_raw(fd, PD_PROTO_VERSION, 0, "{\"proto\":1,\"nonce\":\"00\"}");
	} else if (!strcmp(name, "wrongop")) {
		send_raw(fd, PD_PROTO_VERSION, 0, "{\"op\":\"run\",\"batch\":1}");
	} else {
		close(fd);
		return -1;
	}
	return expect_drop(fd, NULL, WAIT_S, 1);
}

/* The attacks, by kind: 'f' malformed frames, 'h' handshake steps,
 * 'r' replayed handshake, 's' sealed-link attacks after a handshake. */
static const struct attack {
	const char *name;
	char kind;
} attacks[] = {
    {"garbage", 'f'},	  {"truncated", 'f'},	   {"stall", 'f'},	     {"huge", 'f'},
    {"bigjson", 'f'},	  {"tinyjson", 'f'},	   {"flags", 'f'},	     {"sealed-early", 'f'},
    {"badjson", 'f'},	  {"notobject", 'f'},	   {"noop", 'f'},	     {"wrongop", 'f'},
    {"downgrade", 'f'},	  {"nononce", 'h'},	   {"skipauth", 'h'},	     {"badproof", 'h'},
    {"reflect", 'h'},	  {"replay", 'r'},	   {"flipped", 's'},	     {"flipped-tag", 's'},
    {"flipped-header", 's'}, {"dupframe", 's'},	   {"unsealed", 's'},	     {"remote-alloc", 's'},
    {"unknown-op", 's'},  {"badrun", 's'},	   {"badupload", 's'},	     {"src-big", 's'},
    {"src-hash", 's'},	  {"src-path", 's'},	   {"badrun-gpu", 's'},	     {"badtask", 's'},
    {"badrun-binary", 's'},  {"badrun-mem", 's'},	   {"badrun-timeout", 's'}, {NULL, 0}};

/* Write everything, or give up after 10 s of the server not reading:
 * 0 written, 1 blocked. */
static int send_or_block(int fd, const void *p, size_t n)
{
	struct pollfd pfd = {fd, POLLOUT, 0};
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if (poll(&pfd, 1, 10000) == 0)
			return 1;
		w = send(fd, c, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			setup_fail("send: %s", strerror(errno));
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The floods (see the top); holds the connection until stdin closes. */
static int flood(int argc, char **argv)
{
	struct pd_buf b = PD_BUF_INIT, j = PD_BUF_INIT, blob = PD_BUF_INIT;
	char hash[PD_HASH_HEX], err[PD_ERRLEN], *so, c;
	struct pd_seal s;
	struct pd_msg m;
	size_t n;
	long k, count = 0, mib = 0;
	int fd = handshake(&s, NULL, NULL), blocked = 0;

	pd_msg_init(&m);
	if (!strcmp(argv[2], "flood-run") && argc == 7) {
		if (pd_read_file(argv[3], 1 << 30, &so, &n, err))
			setup_fail("%s", err);
		pd_hash_hex(so, n, hash);
		pd_buf_addf(&j, "{\"op\":\"upload\",\"hash\":\"%s\"}", hash);
		send_frame(fd, &s, j.data, so, n, NULL);
		free(so);
		expect_op(fd, &s, "job", &m);
		if (pd_parse_long(argv[5], 1, 1000, &count) || pd_parse_long(argv[6], 1, 200, &mib))
			setup_fail("%s", "bad N or MIB");
		pd_buf_addf(&blob, "20000%*s\n", (int)(mib << 20) - 6, "");
		for (k = 1; k <= count; k++) {
			pd_buf_release(&j);
			pd_buf_addf(&j, "{\"op\":\"run\",\"batch\":%ld,\"hash\":\"%s\",\"sym\":\"%s\",\"first\":1,"
				    "\"n\":1}", k, hash, argv[4]);
			pd_frame_encode(&b, &s, j.data, j.len, blob.data, blob.len);
		}
	} else if (!strcmp(argv[2], "flood-fetch") && argc == 5) {
		if (pd_parse_long(argv[4], 1, 100000, &count))
			setup_fail("%s", "bad N");
		pd_buf_addf(&j, "{\"op\":\"fetch\",\"id\":\"%s\"}", argv[3]);
		for (k = 0; k < count; k++)
			pd_frame_encode(&b, &s, j.data, j.len, NULL, 0);
	} else {
		setup_fail("%s", "usage: pd_attack PORT flood-run JOB.so SYM N MIB | flood-fetch ID N");
	}
	blocked = send_or_block(fd, b.data, b.len);
	puts(blocked ? "blocked" : "sent");
	while (read(0, &c, 1) > 0)
		;
	pd_buf_release(&b);
	pd_buf_release(&j);
	pd_buf_release(&blob);
	pd_msg_release(&m);
	close(fd);
	return 0;
}

/* Load the cluster key from $PD_HOME/key. */
static void load_key(void)
{
	struct pd_paths p;
	char err[PD_ERRLEN];

	if (pd_paths_init(&p, err) || pd_key_load(p.key, key, NULL, err))
		setup_fail("%s", err);
}

int main(int argc, char **argv)
{
	const struct attack *a;
	long v;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (a = attacks; a->name; a++)
			puts(a->name);
		return 0;
	}
	if (argc >= 3 && !strncmp(argv[2], "flood-", 6) && pd_parse_long(argv[1], 1, 65535, &v) == 0) {
		if (sodium_init() < 0)
			setup_fail("%s", "sodium_init failed");
		port = (int)v;
		return flood(argc, argv);
	}
	if (argc != 3 || pd_parse_long(argv[1], 1, 65535, &v)) {
		fputs("usage: pd_attack PORT ATTACK   (pd_attack list: the attacks)\n", stderr);
		return 2;
	}
	for (a = attacks; a->name && strcmp(a->name, argv[2]); a++)
		;
	if (!a->name) {
		fprintf(stderr, "pd_attack: unknown attack '%s' (pd_attack list)\n", argv[2]);
		return 2;
	}
	if (sodium_init() < 0)
		setup_fail("%s", "sodium_init failed");
	port = (int)v;
	switch (a->kind) {
	case 'f': return frame_attack(a->name);
	case 'h': return handshake_attack(a->name);
	case 'r': return replay();
	default: return after_handshake(a->name);
	}
}
