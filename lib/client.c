/* client.c - short request/reply exchanges for pd-status and pd-alloc. */
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "peer.h"
#include "proto.h"

struct exchange {
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
		settle(x, NULL, pd_peer_refused(p) ? PD_EX_NOPERM : PD_EX_UNAVAILABLE, why);
		return;
	}
	if (!strcmp(m->op, PD_OP_WELCOME)) {
		pd_peer_send(p, x->req, NULL, 0);
		return;
	}
	if (!strcmp(m->op, PD_OP_ERROR)) {
		int code = (int)pd_json_num(m->json, "code", PD_EX_UNAVAILABLE);

		settle(x, NULL, code ? code : PD_EX_UNAVAILABLE, pd_json_str(m->json, "error", "error"));
		return;
	}
	if (!strcmp(m->op, PD_OP_SLOTS))
		return;
	settle(x, cJSON_Duplicate(m->json, 1), 0, NULL);
	pd_peer_close(p);
}

void pd_client_multi(const struct pd_target *t, int n, const unsigned char *key, const char *client,
		     const cJSON *req, int timeout_s, struct pd_reply *out)
{
	struct event_base *base = event_base_new();
	struct exchange *x = calloc((size_t)n, sizeof *x);
	struct timeval tv = {timeout_s, 0};
	char err[PD_ERRLEN];
	int i, left = n, fd;

	for (i = 0; i < n; i++) {
		struct pd_peer_opts o = {PD_ROLE_CLIENT, t[i].kind == PD_T_TCP, key, t[i].name,
					 PD_BLOB_MAX, client, timeout_s};

		x[i] = (struct exchange){req, &out[i], &left, base, 0};
		memset(&out[i], 0, sizeof out[i]);
		if (t[i].kind == PD_T_TCP) {
			pd_peer_connect(base, (const struct sockaddr *)&t[i].ss, t[i].sslen, &o, on_msg, &x[i]);
			continue;
		}
		fd = t[i].kind == PD_T_UNIX ? pd_target_unix_connect(&t[i], err) : t[i].fd;
		if (fd < 0)
			settle(&x[i], NULL, PD_EX_UNAVAILABLE, err);
		else
			pd_peer_new(base, fd, &o, on_msg, &x[i]);
	}
	if (left > 0) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	for (i = 0; i < n; i++)
		if (!x[i].done) {
			x[i].done = 1;
			out[i].code = PD_EX_UNAVAILABLE;
			snprintf(out[i].err, sizeof out[i].err, "no answer within %d s", timeout_s);
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

	pd_target_unix(&t, sock);
	if (!pd_target_unix_alive(sock)) {
		pd_err(err, "no pd-serve is running on this host (no answer on %s); start one with: pd-serve", sock);
		return PD_EX_UNAVAILABLE;
	}
	pd_client_multi(&t, 1, NULL, client, req, 10, &r);
	if (r.code) {
		pd_err(err, "%s", r.err);
		return r.code;
	}
	*reply = r.json;
	return 0;
}
