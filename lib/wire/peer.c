/* peer.c - the connection state machine shared by servers and clients. */
#include "peer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "err.h"
#include "esc.h"
#include "evframe.h"
#include "json.h"
#include "log.h"
#include "msgcheck.h"
#include "proto.h"
#include "suite.h"
#include "xmalloc.h"

struct pd_peer {
	struct event_base *base;
	struct bufferevent *bev;
	struct pd_peer_opts o;
	unsigned char key[PD_KEY_LEN];
	unsigned char nc[PD_NONCE_LEN], ns[PD_NONCE_LEN];
	struct pd_seal seal;
	struct pd_suite suite; /* the AEAD chosen and the transcript */
	enum pd_peer_state state;
	pd_peer_fn fn;
	void *arg;
	struct event *timer; /* handshake deadline, then flush deadline */
	struct event *reaper;
	struct pd_msg hello; /* server side: the client's hello */
	char name[300];
	char why[PD_ERRLEN];
	char refuse[PD_ERRLEN]; /* opts.refuse, or "" */
	int refused, error_code, closing, notified, paused;
	int held; /* the owner holds its input (pd_peer_hold) */
};

static void peer_read(struct bufferevent *bev, void *arg);
static void peer_event(struct bufferevent *bev, short what, void *arg);
static void peer_drained(struct bufferevent *bev, void *arg);

/* Send small frames at once: a batch or a result must not wait for the
 * ACK of the one before it (Nagle), which costs a round trip per frame
 * on a slow link.  Fails harmlessly on a Unix socket. */
void pd_peer_nodelay(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Free a dead peer: always from the loop, never inside its callbacks. */
static void peer_reap(evutil_socket_t fd, short what, void *arg)
{
	struct pd_peer *p = arg;

	(void)fd;
	(void)what;
	if (p->bev)
		bufferevent_free(p->bev);
	event_free(p->timer);
	event_free(p->reaper);
	pd_msg_release(&p->hello);
	pd_seal_wipe(&p->seal);
	free(p);
}

/* Mark DEAD, tell the owner once (unless it closed us), free later. */
static void peer_die(struct pd_peer *p, const char *why, int notify)
{
	if (p->state == PD_PEER_DEAD)
		return;
	p->state = PD_PEER_DEAD;
	if (p->bev)
		bufferevent_disable(p->bev, EV_READ | EV_WRITE);
	event_del(p->timer);
	event_active(p->reaper, 0, 0);
	if (notify && !p->notified) {
		p->notified = 1;
		if (why != p->why)
			snprintf(p->why, sizeof p->why, "%s", why);
		p->fn(p, NULL, p->why, p->arg);
	}
}

/* Handshake or flush deadline passed. */
static void peer_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pd_peer *p = arg;

	(void)fd;
	(void)what;
	if (p->closing)
		peer_die(p, p->why, 1);
	else
		peer_die(p, "handshake timed out", 1);
}

/* Common construction; the bufferevent is attached by the caller. */
static struct pd_peer *peer_alloc(struct event_base *base, const struct pd_peer_opts *o,
				  pd_peer_fn fn, void *arg)
{
	struct pd_peer *p = pd_xcalloc(1, sizeof *p);
	struct timeval tv;

	p->base = base;
	p->o = *o;
	if (o->sealed)
		memcpy(p->key, o->key, PD_KEY_LEN);
	p->o.key = NULL;
	snprintf(p->name, sizeof p->name, "%s", o->name ? o->name : "peer");
	p->o.name = p->name;
	p->fn = fn;
	p->arg = arg;
	p->state = PD_PEER_HELLO;
	pd_msg_init(&p->hello);
	p->timer = evtimer_new(base, peer_timeout, p);
	p->reaper = event_new(base, -1, 0, peer_reap, p);
	tv.tv_sec = o->handshake_timeout_s > 0 ? o->handshake_timeout_s : PD_HANDSHAKE_TIMEOUT_S;
	tv.tv_usec = 0;
	evtimer_add(p->timer, &tv);
	return p;
}

/* End a peer from the loop, not from inside a constructor or callback
 * that its owner is still in: the timer fires at once with p->why. */
static void fail_soon(struct pd_peer *p)
{
	p->closing = 1;
	event_del(p->timer);
	event_active(p->timer, EV_TIMEOUT, 0);
}

/* Send the client's hello (with its AEAD offer on a sealed link). */
static void send_hello(struct pd_peer *p)
{
	cJSON *j = cJSON_CreateObject();
	char hex[2 * PD_NONCE_LEN + 1];

	cJSON_AddStringToObject(j, "op", PD_OP_HELLO);
	cJSON_AddNumberToObject(j, "proto", PD_PROTO_VERSION);
	cJSON_AddStringToObject(j, "client", p->o.client ? p->o.client : "pd");
	if (p->o.sealed) {
		pd_seal_nonce(p->nc);
		pd_hex_encode(p->nc, PD_NONCE_LEN, hex);
		cJSON_AddStringToObject(j, "nonce", hex);
		if (pd_suite_offer(j, &p->suite, p->why)) {
			cJSON_Delete(j);
			fail_soon(p);
			return;
		}
	}
	pd_evframe_put(bufferevent_get_output(p->bev), NULL, j, NULL, 0);
	cJSON_Delete(j);
}

struct pd_peer *pd_peer_new(struct event_base *base, int fd, const struct pd_peer_opts *o,
			    pd_peer_fn fn, void *arg)
{
	struct pd_peer *p = peer_alloc(base, o, fn, arg);

	evutil_make_socket_nonblocking(fd);
	p->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(p->bev, peer_read, peer_drained, peer_event, p);
	bufferevent_setwatermark(p->bev, EV_WRITE, PD_PEER_OUT_MAX / 2, 0);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	if (o->role == PD_ROLE_CLIENT)
		send_hello(p);
	return p;
}

struct pd_peer *pd_peer_connect(struct event_base *base, const struct sockaddr *sa,
				socklen_t salen, const struct pd_peer_opts *o, pd_peer_fn fn, void *arg)
{
	struct pd_peer *p = peer_alloc(base, o, fn, arg);

	p->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(p->bev, peer_read, peer_drained, peer_event, p);
	bufferevent_setwatermark(p->bev, EV_WRITE, PD_PEER_OUT_MAX / 2, 0);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(p->bev, sa, (int)salen) < 0) {
		/* Report from the loop, not from inside the constructor. */
		snprintf(p->why, sizeof p->why, "%s", strerror(errno ? errno : ECONNREFUSED));
		fail_soon(p);
	}
	return p;
}

void pd_peer_send(struct pd_peer *p, const cJSON *j, const void *blob, size_t len)
{
	if (p->state == PD_PEER_DEAD || p->closing)
		return;
	if (p->state == PD_PEER_READY) /* connected: written at once when nothing waits */
		pd_evframe_send(p->bev, p->o.sealed ? &p->seal : NULL, j, blob, len);
	else
		pd_evframe_put(bufferevent_get_output(p->bev), NULL, j, blob, len);
	/* A peer that does not read what it asked for asks for no more. */
	if (!p->paused && evbuffer_get_length(bufferevent_get_output(p->bev)) > PD_PEER_OUT_MAX) {
		p->paused = 1;
		bufferevent_disable(p->bev, EV_READ);
	}
}

/* Read again once neither the output cap nor the owner holds the input,
 * taking first the frames that arrived meanwhile. */
static void maybe_resume(struct pd_peer *p)
{
	if (p->paused || p->held || p->state == PD_PEER_DEAD || p->closing)
		return;
	bufferevent_enable(p->bev, EV_READ);
	peer_read(p->bev, p);
}

/* Output fell below half the cap: read the peer's requests again. */
static void peer_drained(struct bufferevent *bev, void *arg)
{
	struct pd_peer *p = arg;

	(void)bev;
	if (p->paused) {
		p->paused = 0;
		maybe_resume(p);
	}
}

void pd_peer_hold(struct pd_peer *p, int hold)
{
	if (!hold == !p->held || p->state == PD_PEER_DEAD)
		return;
	p->held = hold;
	if (hold)
		bufferevent_disable(p->bev, EV_READ);
	else
		maybe_resume(p);
}

/* Output drained after pd_peer_fail: now close. */
static void close_when_flushed(struct bufferevent *bev, void *arg)
{
	struct pd_peer *p = arg;

	(void)bev;
	peer_die(p, p->why, 1);
}

void pd_peer_fail(struct pd_peer *p, int code, const char *fmt, ...)
{
	struct timeval tv = {5, 0};
	char msg[PD_ERRLEN];
	va_list ap;
	cJSON *j;

	if (p->state == PD_PEER_DEAD || p->closing)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "op", PD_OP_ERROR);
	cJSON_AddStringToObject(j, "error", msg);
	if (code)
		cJSON_AddNumberToObject(j, "code", code);
	pd_peer_send(p, j, NULL, 0);
	cJSON_Delete(j);
	snprintf(p->why, sizeof p->why, "%s", msg);
	p->closing = 1;
	bufferevent_disable(p->bev, EV_READ);
	bufferevent_setcb(p->bev, NULL, close_when_flushed, peer_event, p);
	evtimer_del(p->timer);
	evtimer_add(p->timer, &tv);
	if (evbuffer_get_length(bufferevent_get_output(p->bev)) == 0)
		peer_die(p, p->why, 1);
}

void pd_peer_refuse(struct pd_peer *p, const char *why)
{
	snprintf(p->refuse, sizeof p->refuse, "%s", why);
}

void pd_peer_close(struct pd_peer *p)
{
	peer_die(p, "closed", 0);
}

/* Server side: handle the client's hello. */
static int on_hello(struct pd_peer *p, struct pd_msg *m, char *err)
{
	char hex[2 * PD_NONCE_LEN + 1];
	const char *nonce;
	cJSON *j;

	if (strcmp(m->op, PD_OP_HELLO)) {
		char op[128];

		pd_err(err, "expected hello, got '%s'", pd_esc_ctl(op, sizeof op, m->op, 0));
		return -1;
	}
	if (p->refuse[0]) {
		pd_err(err, "%s", p->refuse);
		return -1;
	}
	if (pd_json_num(m->json, "proto", 0) != PD_PROTO_VERSION) {
		pd_err(err, "protocol version %g not supported (this is %d)",
		       pd_json_num(m->json, "proto", 0), PD_PROTO_VERSION);
		return -1;
	}
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "proto", PD_PROTO_VERSION);
	if (p->o.sealed) {
		nonce = pd_json_str(m->json, "nonce", "");
		if (pd_hex_decode(nonce, p->nc, PD_NONCE_LEN)) {
			cJSON_Delete(j);
			pd_err(err, "hello without a valid nonce (this server requires the cluster key)");
			return -1;
		}
		if (pd_suite_choose(m->json, j, &p->suite, err)) {
			cJSON_Delete(j);
			return -1;
		}
		pd_seal_nonce(p->ns);
		pd_hex_encode(p->ns, PD_NONCE_LEN, hex);
		cJSON_AddStringToObject(j, "op", PD_OP_CHALLENGE);
		cJSON_AddStringToObject(j, "nonce", hex);
		p->state = PD_PEER_AUTH;
	} else {
		cJSON_AddStringToObject(j, "op", PD_OP_WELCOME);
		p->state = PD_PEER_READY;
	}
	pd_evframe_put(bufferevent_get_output(p->bev), NULL, j, NULL, 0);
	cJSON_Delete(j);
	/* Keep the hello: the owner sees it once the peer is READY. */
	p->hello = *m;
	pd_msg_init(m);
	return 0;
}

/* Prove that we hold the key, as `role`: the server's welcome (which
 * carries the protocol version) or the client's auth. */
static void send_proof(struct pd_peer *p, enum pd_role role, const char *op)
{
	unsigned char proof[PD_PROOF_LEN];
	char hex[2 * PD_PROOF_LEN + 1];
	cJSON *j = pd_json_op(op);

	pd_seal_proof(p->key, role, p->nc, p->ns, &p->suite, proof);
	pd_hex_encode(proof, PD_PROOF_LEN, hex);
	if (role == PD_ROLE_SERVER)
		cJSON_AddNumberToObject(j, "proto", PD_PROTO_VERSION);
	cJSON_AddStringToObject(j, "proof", hex);
	pd_evframe_put(bufferevent_get_output(p->bev), NULL, j, NULL, 0);
	cJSON_Delete(j);
}

/* Server side: check the client's proof, prove ourselves, start sealing. */
static int on_auth(struct pd_peer *p, struct pd_msg *m, char *err)
{
	unsigned char proof[PD_PROOF_LEN];

	if (strcmp(m->op, PD_OP_AUTH) ||
	    pd_hex_decode(pd_json_str(m->json, "proof", ""), proof, PD_PROOF_LEN) ||
	    pd_seal_check(p->key, PD_ROLE_CLIENT, p->nc, p->ns, &p->suite, proof)) {
		p->refused = 1;
		pd_err(err, "authentication failed");
		return -1;
	}
	send_proof(p, PD_ROLE_SERVER, PD_OP_WELCOME);
	pd_seal_init(&p->seal, p->key, PD_ROLE_SERVER, p->nc, p->ns, &p->suite);
	p->state = PD_PEER_READY;
	return 0;
}

/* Client side: an error frame during the handshake ends it. */
static int on_refusal(struct pd_peer *p, const struct pd_msg *m, char *err)
{
	p->error_code = (int)pd_json_num(m->json, "code", 0);
	if (p->error_code == PD_EX_NOPERM)
		p->refused = 1;
	/* Not yet authenticated: its words are shown, never obeyed. */
	pd_esc_ctl(err, PD_ERRLEN, pd_json_str(m->json, "error", "refused"), 0);
	return -1;
}

/* Client side: the server's challenge or welcome. */
static int on_server_step(struct pd_peer *p, struct pd_msg *m, char *err)
{
	unsigned char proof[PD_PROOF_LEN];

	if (!strcmp(m->op, PD_OP_ERROR))
		return on_refusal(p, m, err);
	if (p->state == PD_PEER_HELLO && p->o.sealed && !strcmp(m->op, PD_OP_CHALLENGE)) {
		if (pd_hex_decode(pd_json_str(m->json, "nonce", ""), p->ns, PD_NONCE_LEN)) {
			pd_err(err, "malformed challenge");
			return -1;
		}
		if (pd_suite_accept(m->json, &p->suite, err))
			return -1;
		send_proof(p, PD_ROLE_CLIENT, PD_OP_AUTH);
		p->state = PD_PEER_AUTH;
		return 0;
	}
	if (strcmp(m->op, PD_OP_WELCOME) || (p->o.sealed && p->state != PD_PEER_AUTH)) {
		char op[128];

		pd_err(err, "unexpected '%s' during the handshake", pd_esc_ctl(op, sizeof op, m->op, 0));
		return -1;
	}
	if (p->o.sealed) {
		if (pd_hex_decode(pd_json_str(m->json, "proof", ""), proof, PD_PROOF_LEN) ||
		    pd_seal_check(p->key, PD_ROLE_SERVER, p->nc, p->ns, &p->suite, proof)) {
			p->refused = 1;
			pd_err(err, "authentication failed: the server does not hold the cluster key");
			return -1;
		}
		pd_seal_init(&p->seal, p->key, PD_ROLE_CLIENT, p->nc, p->ns, &p->suite);
	}
	p->state = PD_PEER_READY;
	return 0;
}

/* One message through the state machine; -1 ends the peer with err. */
static int peer_dispatch(struct pd_peer *p, struct pd_msg *m, char *err)
{
	enum pd_peer_state before = p->state;

	/* A server's messages are checked here, a client's by the server's
	 * dispatcher (which answers with an error frame). */
	if (p->o.role == PD_ROLE_CLIENT && pd_msg_check(m->json, PD_ROLE_SERVER, err))
		return -1;
	if (p->state == PD_PEER_READY) {
		if (!strcmp(m->op, PD_OP_ERROR))
			p->error_code = (int)pd_json_num(m->json, "code", 0);
		p->fn(p, m, NULL, p->arg);
		return 0;
	}
	if (p->o.role == PD_ROLE_SERVER) {
		if (p->state == PD_PEER_HELLO ? on_hello(p, m, err) : on_auth(p, m, err))
			return -1;
	} else if (on_server_step(p, m, err))
		return -1;
	if (before != PD_PEER_READY && p->state == PD_PEER_READY) {
		evtimer_del(p->timer);
		/* Now the owner meets the peer: the hello or the welcome. */
		p->fn(p, p->o.role == PD_ROLE_SERVER ? &p->hello : m, NULL, p->arg);
		pd_msg_release(&p->hello);
	}
	return 0;
}

/* Bytes arrived: take every complete frame. */
static void peer_read(struct bufferevent *bev, void *arg)
{
	struct pd_peer *p = arg;
	char err[PD_ERRLEN];
	struct pd_msg m;
	int rc;

	pd_msg_init(&m);
	/* Before its handshake ends a client sends one small frame at a time. */
	if (p->o.role == PD_ROLE_SERVER && p->state != PD_PEER_READY &&
	    evbuffer_get_length(bufferevent_get_input(bev)) > PD_HANDSHAKE_IN_MAX) {
		pd_peer_fail(p, 0, "more than %d bytes sent during the handshake", PD_HANDSHAKE_IN_MAX);
		return;
	}
	/* Paused or held: frames already buffered wait too (they are what
	 * the caps are about); maybe_resume takes them later. */
	while (p->state != PD_PEER_DEAD && !p->closing && !p->paused && !p->held) {
		/* Large reads only for a peer past its handshake, whose frames
		 * may be large: before it, the handshake cap reads one small
		 * frame at a time. */
		if (p->state == PD_PEER_READY)
			rc = pd_evframe_read(bev, p->o.blob_max, p->o.sealed ? &p->seal : NULL, &m, err);
		else
			rc = pd_evframe_take(bufferevent_get_input(bev), 0, NULL, &m, err);
		if (rc == 0)
			break;
		if (rc < 0 || peer_dispatch(p, &m, err)) {
			if (p->o.role == PD_ROLE_SERVER)
				pd_peer_fail(p, p->refused || p->refuse[0] ? PD_EX_NOPERM : 0, "%s", err);
			else
				peer_die(p, err, 1);
			break;
		}
		pd_msg_release(&m);
	}
	pd_msg_release(&m);
}

/* Connection events: connected, EOF, errors. */
static void peer_event(struct bufferevent *bev, short what, void *arg)
{
	struct pd_peer *p = arg;
	char why[PD_ERRLEN];

	if (what & BEV_EVENT_CONNECTED) {
		pd_peer_nodelay(bufferevent_getfd(bev));
		if (p->o.role == PD_ROLE_CLIENT)
			send_hello(p);
		return;
	}
	if ((what & BEV_EVENT_EOF) && evbuffer_get_length(bufferevent_get_input(p->bev)) > 0)
		snprintf(why, sizeof why, "connection closed in the middle of a frame (%zu bytes of it received)",
			 evbuffer_get_length(bufferevent_get_input(p->bev)));
	else if (what & BEV_EVENT_EOF)
		snprintf(why, sizeof why, "%s", p->closing ? p->why : "connection closed by peer");
	else
		snprintf(why, sizeof why, "%s",
			 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	if (p->closing && p->why[0])
		snprintf(why, sizeof why, "%s", p->why);
	peer_die(p, why, 1);
}

int pd_peer_local_addr(const struct pd_peer *p, char *out, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const void *a;

	if (!p->bev || getsockname(bufferevent_getfd(p->bev), (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	else
		return -1;
	return inet_ntop(ss.ss_family, a, out, (socklen_t)n) ? 0 : -1;
}

enum pd_peer_state pd_peer_state(const struct pd_peer *p) { return p->state; }
const char *pd_peer_name(const struct pd_peer *p) { return p->name; }
int pd_peer_refused(const struct pd_peer *p) { return p->refused; }
int pd_peer_error_code(const struct pd_peer *p) { return p->error_code; }
const char *pd_peer_aead(const struct pd_peer *p) { return p->o.sealed ? pd_aead_name(p->suite.aead) : "none"; }
void pd_peer_set_arg(struct pd_peer *p, void *arg) { p->arg = arg; }

size_t pd_peer_pending(const struct pd_peer *p)
{
	return p->bev ? evbuffer_get_length(bufferevent_get_output(p->bev)) : 0;
}
