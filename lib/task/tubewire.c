/* tubewire.c - the handshake that opens a sealed tube between hosts. */
#include "tubewire.h"

#include <errno.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "json.h"
#include "proto.h"
#include "suite.h"

/* Bound every blocking read and write on fd. */
static void set_timeout(int fd, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Send one JSON frame, sealed when s is set. */
static int send_json(int fd, struct pd_seal *s, cJSON *j, char *err)
{
	struct pd_buf b = PD_BUF_INIT;
	int rc;

	pd_frame_encode_json(&b, s, j, NULL, 0);
	rc = pd_frame_write_fd(fd, &b, err);
	pd_buf_release(&b);
	cJSON_Delete(j);
	return rc;
}

/* A new JSON object with op and a hex value under `key` (or none). */
static cJSON *msg(const char *op, const char *key, const unsigned char *bin, size_t n)
{
	cJSON *j = cJSON_CreateObject();
	char hex[2 * 64 + 1];

	cJSON_AddStringToObject(j, "op", op);
	cJSON_AddNumberToObject(j, "proto", PD_PROTO_VERSION);
	if (key) {
		pd_hex_encode(bin, n, hex);
		cJSON_AddStringToObject(j, key, hex);
	}
	return j;
}

/* Read a frame expecting op, and the hex value of `key` into bin. */
static int expect(int fd, struct pd_seal *s, const char *op, const char *key, unsigned char *bin, size_t n,
		  struct pd_msg *m, char *err)
{
	int rc = pd_frame_read_fd_sealed(fd, 0, s, m, err);

	if (rc == 1)
		pd_err(err, "tube handshake: connection closed before '%s'", op);
	if (rc)
		return -1;
	if (strcmp(m->op, op) || (key && pd_hex_decode(pd_json_str(m->json, key, ""), bin, n))) {
		pd_err(err, "tube handshake: expected '%s', got '%s'", op, m->op);
		return -1;
	}
	return 0;
}

int pd_tubewire_listen(const char *addr, int *port, char *err)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	socklen_t len = sizeof a;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), off = 0;
	struct in_addr v4;

	/* Only the address the coordinator reaches this host at, if known. */
	if (addr && *addr && inet_pton(AF_INET6, addr, &a.sin6_addr) != 1) {
		if (inet_pton(AF_INET, addr, &v4) != 1) {
			pd_err(err, "listen for tubes: '%s' is not an address", addr);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		a.sin6_addr.s6_addr[10] = a.sin6_addr.s6_addr[11] = 0xff; /* ::ffff:a.b.c.d */
		memcpy(&a.sin6_addr.s6_addr[12], &v4, 4);
	}
	if (fd >= 0)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		pd_err(err, "listen for tubes%s%s: %s", addr && *addr ? " on " : "", addr && *addr ? addr : "",
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin6_port);
	return fd;
}

/* Connect to addr:port within the timeout; fd or -1. */
static int dial(const char *addr, int port, int timeout_ms, char *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	char ports[16];
	int fd, rc, one = 1;

	snprintf(ports, sizeof ports, "%d", port);
	rc = getaddrinfo(addr, ports, &hints, &res);
	if (rc) {
		pd_err(err, "resolve %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		set_timeout(fd, timeout_ms);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen)) {
		pd_err(err, "connect to %s:%d: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

int pd_tubewire_connect(const char *addr, int port, const unsigned char key[PD_KEY_LEN], const char *task,
			const char *name, int src, int dst, struct pd_seal *seal, int timeout_ms, char *err)
{
	unsigned char nc[PD_NONCE_LEN], ns[PD_NONCE_LEN], proof[PD_PROOF_LEN];
	char why[PD_ERRLEN];
	struct pd_suite su;
	struct pd_msg m;
	cJSON *j;
	int fd = dial(addr, port, timeout_ms, err);

	if (fd < 0)
		return -1;
	pd_msg_init(&m);
	pd_seal_nonce(nc);
	j = msg(PD_OP_HELLO, "nonce", nc, sizeof nc);
	if (pd_suite_offer(j, &su, err)) {
		cJSON_Delete(j);
		goto fail;
	}
	if (send_json(fd, NULL, j, err) || expect(fd, NULL, PD_OP_CHALLENGE, "nonce", ns, sizeof ns, &m, err))
		goto fail;
	if (pd_suite_accept(m.json, &su, why)) {
		pd_err(err, "tube %s to %s:%d: %s", name, addr, port, why);
		goto fail;
	}
	pd_seal_proof(key, PD_ROLE_CLIENT, nc, ns, &su, proof);
	if (send_json(fd, NULL, msg(PD_OP_AUTH, "proof", proof, sizeof proof), err) ||
	    expect(fd, NULL, PD_OP_WELCOME, "proof", proof, sizeof proof, &m, err))
		goto fail;
	if (pd_seal_check(key, PD_ROLE_SERVER, nc, ns, &su, proof)) {
		pd_err(err, "tube %s to %s:%d: authentication failed", name, addr, port);
		goto fail;
	}
	pd_seal_init(seal, key, PD_ROLE_CLIENT, nc, ns, &su);
	j = msg("tube", NULL, NULL, 0);
	cJSON_AddStringToObject(j, "task", task);
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddNumberToObject(j, "src", src);
	cJSON_AddNumberToObject(j, "dst", dst);
	if (send_json(fd, seal, j, err))
		goto fail;
	pd_msg_release(&m);
	set_timeout(fd, 0);
	return fd;
fail:
	pd_msg_release(&m);
	close(fd);
	return -1;
}

/* A node number from a tube frame: a whole number 0..65535, else -1. */
static int node_num(const cJSON *j, const char *key)
{
	double v = pd_json_num(j, key, -1);

	return v >= 0 && v <= 65535 && v == (double)(int)v ? (int)v : -1;
}

int pd_tubewire_handshake(int fd, const unsigned char key[PD_KEY_LEN], const char *task, char name[64],
			  int *src, int *dst, struct pd_seal *seal, char *err)
{
	unsigned char nc[PD_NONCE_LEN], ns[PD_NONCE_LEN], proof[PD_PROOF_LEN];
	char why[PD_ERRLEN];
	struct pd_suite su;
	struct pd_msg m;
	cJSON *j;

	pd_msg_init(&m);
	if (expect(fd, NULL, PD_OP_HELLO, "nonce", nc, sizeof nc, &m, err))
		goto fail;
	pd_seal_nonce(ns);
	j = msg(PD_OP_CHALLENGE, "nonce", ns, sizeof ns);
	if (pd_suite_choose(m.json, j, &su, why)) {
		cJSON_Delete(j);
		pd_err(err, "a tube connection: %s", why);
		goto fail;
	}
	if (send_json(fd, NULL, j, err) || expect(fd, NULL, PD_OP_AUTH, "proof", proof, sizeof proof, &m, err))
		goto fail;
	if (pd_seal_check(key, PD_ROLE_CLIENT, nc, ns, &su, proof)) {
		pd_err(err, "a tube connection failed authentication");
		goto fail;
	}
	pd_seal_proof(key, PD_ROLE_SERVER, nc, ns, &su, proof);
	if (send_json(fd, NULL, msg(PD_OP_WELCOME, "proof", proof, sizeof proof), err))
		goto fail;
	pd_seal_init(seal, key, PD_ROLE_SERVER, nc, ns, &su);
	if (expect(fd, seal, "tube", NULL, NULL, 0, &m, err))
		goto fail;
	if (strcmp(pd_json_str(m.json, "task", ""), task)) {
		pd_err(err, "a tube connection for another task");
		goto fail;
	}
	*src = node_num(m.json, "src");
	*dst = node_num(m.json, "dst");
	if (*src < 0 || *dst < 0) {
		pd_err(err, "a tube frame whose src or dst is not a node number");
		goto fail;
	}
	snprintf(name, 64, "%s", pd_json_str(m.json, "name", ""));
	pd_msg_release(&m);
	return 0;
fail:
	pd_msg_release(&m);
	return -1;
}
