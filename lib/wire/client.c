/* client.c - short request/reply exchanges for pd-status and pd-alloc. */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "esc.h"
#include "json.h"
#include "peer.h"
#include "proto.h"
#include "xmalloc.h"

struct exchange {
	struct pd_peer *peer; /* until it is gone */
	const cJSON *req;
	struct pd_reply *out;
	int *left;
	struct event_base *base;
	int done;
};

/* Record one host's outcome; stop the loop when all are in. */
static void settle(struct exchange *x, cJSON *json, int code, const char *err)
{
	if (x->done)
		return;
	x->done = 1;
	x->out->json = json;
	x->out->code = code;
	snprintf(x->out->err, sizeof x->out->err, "%s", err ? err : "");
	if (--*x->left == 0)
		event_base_loopexit(x->base, NULL);
}

/* Peer callback: the welcome, then the reply. */
static void on_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg)
{
	struct exchange *x = arg;

	if (!m) {
		x->peer = NULL; /* it frees itself */
		settle(x, NULL, pd_peer_refused(p) ? PD_EX_NOPERM : PD_EX_UNAVAILABLE, why);
		return;
	}
	if (!strcmp(m->op, PD_OP_WELCOME)) {
		pd_peer_send(p, x->req, NULL, 0);
		return;
	}
	if (!strcmp(m->op, PD_OP_ERROR)) {
		int code = (int)pd_json_num(m->json, "code", PD_EX_UNAVAILABLE);
		char msg[PD_ERRLEN];

		settle(x, NULL, code ? code : PD_EX_UNAVAILABLE,
		       pd_esc_ctl(msg, sizeof msg, pd_json_str(m->json, "error", "error"), 0));
		return;
	}
	if (!strcmp(m->op, PD_OP_SLOTS))
		return;
	settle(x, cJSON_Duplicate(m->json, 1), 0, NULL);
}

void pd_client_multi(const struct pd_target *t, int n, const unsigned char *key, const char *client,
		     const cJSON *req, int timeout_s, struct pd_reply *out)
{
	struct event_base *base = event_base_new();
	struct exchange *x = pd_xcalloc((size_t)n, sizeof *x);
	struct timeval tv = {timeout_s, 0};
	char err[PD_ERRLEN];
	int i, left = n, fd;

	for (i = 0; i < n; i++) {
		struct pd_peer_opts o = {PD_ROLE_CLIENT, pd_target_sealed(&t[i]), pd_target_key(&t[i], key), t[i].name,
					 PD_BLOB_MAX, client, timeout_s};

		x[i] = (struct exchange){NULL, req, &out[i], &left, base, 0};
		memset(&out[i], 0, sizeof out[i]);
		if (t[i].kind == PD_T_TCP) {
			x[i].peer = pd_peer_connect(base, (const struct sockaddr *)&t[i].ss, t[i].sslen, &o, on_msg, &x[i]);
			continue;
		}
		fd = pd_target_open(&t[i], err);
		if (fd < 0)
			settle(&x[i], NULL, errno == EPERM ? PD_EX_NOPERM : PD_EX_UNAVAILABLE, err);
		else
			x[i].peer = pd_peer_new(base, fd, &o, on_msg, &x[i]);
	}
	if (left > 0) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	for (i = 0; i < n; i++) {
		if (!x[i].done) {
			x[i].done = 1;
			out[i].code = PD_EX_UNAVAILABLE;
			snprintf(out[i].err, sizeof out[i].err, "no answer within %d s", timeout_s);
		}
		if (x[i].peer)
			pd_peer_close(x[i].peer);
	}
	/* Let closed peers free themselves before the base goes. */
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	free(x);
}

int pd_client_local_request(const char *sock, const char *client, const cJSON *req,
			    cJSON **reply, char *err)
{
	struct pd_target t;
	struct pd_reply r;
	int fd;

	pd_target_unix(&t, sock);
	if ((fd = pd_target_unix_connect(&t, err)) < 0) {
		/* A listener of another uid (squatted socket): err says so. */
		if (errno == EPERM && strstr(err, "refusing"))
			return PD_EX_NOPERM;
		/* The socket is there but not ours (mode 0600, another owner). */
		if (errno == EACCES || errno == EPERM) {
			pd_err(err, "connect to %s: permission denied: that pd-serve belongs to another user, "
			       "and only its owner may use its socket", sock);
			return PD_EX_NOPERM;
		}
		pd_err(err, "no pd-serve is running on this host (no answer on %s); start one with: pd-serve", sock);
		return PD_EX_UNAVAILABLE;
	}
	close(fd);
	pd_client_multi(&t, 1, NULL, client, req, 10, &r);
	if (r.code) {
		pd_err(err, "%s", r.err);
		return r.code;
	}
	*reply = r.json;
	return 0;
}

struct pd_session {
	struct event_base *base;
	struct pd_peer *peer;
	struct pd_msg reply;
	int got, gone, code, timed_out;
	char why[PD_ERRLEN];
};

/* Session peer callback: keep the message and stop the loop. */
static void session_msg(struct pd_peer *p, const struct pd_msg *m, const char *why, void *arg)
{
	struct pd_session *s = arg;

	if (!m) {
		s->gone = 1;
		s->peer = NULL;
		s->code = pd_peer_refused(p) ? PD_EX_NOPERM : PD_EX_UNAVAILABLE;
		snprintf(s->why, sizeof s->why, "%s", why);
		event_base_loopbreak(s->base);
		return;
	}
	if (!strcmp(m->op, PD_OP_SLOTS))
		return;
	pd_msg_release(&s->reply);
	/* Copy: the peer reuses its message after we return. */
	pd_buf_add(&s->reply.body, m->body.data, m->body.len);
	s->reply.json = cJSON_Duplicate(m->json, 1);
	s->reply.op = pd_json_str(s->reply.json, "op", "");
	s->reply.blob = (const unsigned char *)s->reply.body.data + (m->blob - (const unsigned char *)m->body.data);
	s->reply.blob_len = m->blob_len;
	s->got = 1;
	event_base_loopbreak(s->base);
}

/* The session's deadline passed. */
static void session_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct pd_session *s = arg;

	(void)fd;
	(void)what;
	s->timed_out = 1;
	event_base_loopbreak(s->base);
}

/* Run the loop until a message, the end of the peer, or the timeout. */
static int session_wait(struct pd_session *s, int timeout_s, char *err)
{
	struct timeval tv = {timeout_s, 0};
	struct event *timer = evtimer_new(s->base, session_timeout, s);

	s->got = 0;
	s->timed_out = 0;
	if (timeout_s > 0)
		evtimer_add(timer, &tv);
	while (!s->got && !s->gone && !s->timed_out)
		if (event_base_loop(s->base, EVLOOP_ONCE) < 0)
			break;
	event_free(timer);
	if (s->got)
		return 0;
	if (s->gone) {
		pd_err(err, "%s", s->why);
		return s->code;
	}
	pd_err(err, "no answer within %d s", timeout_s);
	return PD_EX_TEMPFAIL;
}

struct pd_session *pd_session_open(const struct pd_target *t, const unsigned char *key,
				   const char *client, int *code, char *err)
{
	struct pd_peer_opts o = {PD_ROLE_CLIENT, pd_target_sealed(t), pd_target_key(t, key), t->name, PD_BLOB_MAX,
				 client, 0};
	struct pd_session *s = pd_xcalloc(1, sizeof *s);
	int fd;

	s->base = event_base_new();
	pd_msg_init(&s->reply);
	if (t->kind == PD_T_TCP)
		s->peer = pd_peer_connect(s->base, (const struct sockaddr *)&t->ss, t->sslen, &o, session_msg, s);
	else if ((fd = pd_target_open(t, err)) >= 0)
		s->peer = pd_peer_new(s->base, fd, &o, session_msg, s);
	else {
		*code = t->kind == PD_T_UNIX && errno == EPERM ? PD_EX_NOPERM : PD_EX_UNAVAILABLE;
		pd_session_close(s);
		return NULL;
	}
	*code = session_wait(s, PD_HANDSHAKE_TIMEOUT_S + 1, err);
	if (*code == 0 && strcmp(s->reply.op, PD_OP_WELCOME)) {
		*code = PD_EX_UNAVAILABLE;
		pd_err(err, "%s: unexpected '%s' instead of welcome", t->name, s->reply.op);
	}
	if (*code) {
		pd_session_close(s);
		return NULL;
	}
	return s;
}

int pd_session_call(struct pd_session *s, const cJSON *req, const void *blob, size_t len,
		    int timeout_s, struct pd_msg *reply, char *err)
{
	int code;

	if (s->gone) {
		pd_err(err, "%s", s->why);
		return s->code;
	}
	pd_peer_send(s->peer, req, blob, len);
	code = session_wait(s, timeout_s, err);
	if (code)
		return code;
	if (!strcmp(s->reply.op, PD_OP_ERROR)) {
		pd_esc_ctl(err, PD_ERRLEN, pd_json_str(s->reply.json, "error", "error"), 0);
		code = (int)pd_json_num(s->reply.json, "code", PD_EX_UNAVAILABLE);
		return code ? code : PD_EX_UNAVAILABLE;
	}
	pd_msg_release(reply);
	*reply = s->reply;
	pd_msg_init(&s->reply);
	return 0;
}

void pd_session_close(struct pd_session *s)
{
	if (!s)
		return;
	if (s->peer)
		pd_peer_close(s->peer);
	event_base_loop(s->base, EVLOOP_NONBLOCK);
	event_base_free(s->base);
	pd_msg_release(&s->reply);
	free(s);
}
