/* evframe.c - frames over evbuffers, for peers and worker pipes. */
#include "evframe.h"

#include <stdlib.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "err.h"

/* Frees a buffer handed to evbuffer_add_reference. */
static void free_ref(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

int pd_evframe_take(struct evbuffer *in, uint64_t blob_max, struct pd_seal *s,
		    struct pd_msg *m, char *err)
{
	unsigned char hdr[PD_FRAME_HDR];
	struct pd_frame_hdr h;
	uint64_t body;
	unsigned char *p;

	if (evbuffer_get_length(in) < PD_FRAME_HDR)
		return 0;
	evbuffer_copyout(in, hdr, PD_FRAME_HDR);
	if (pd_frame_hdr_parse(hdr, blob_max, &h, err))
		return -1;
	body = pd_frame_body_len(&h);
	if (evbuffer_get_length(in) < PD_FRAME_HDR + body)
		return 0;
	p = evbuffer_pullup(in, (ev_ssize_t)(PD_FRAME_HDR + body));
	if (!p) {
		pd_err(err, "out of memory reading a frame");
		return -1;
	}
	if (pd_frame_decode(&h, p, p + PD_FRAME_HDR, s, m, err))
		return -1;
	evbuffer_drain(in, PD_FRAME_HDR + body);
	return 1;
}

void pd_evframe_put(struct evbuffer *out, struct pd_seal *s, const cJSON *j,
		    const void *blob, size_t blob_len)
{
	struct pd_buf b = PD_BUF_INIT;
	size_t len;
	char *p;

	pd_frame_encode_json(&b, s, j, blob, blob_len);
	p = pd_buf_detach(&b, &len);
	/* Hand the buffer over instead of copying it a second time. */
	if (evbuffer_add_reference(out, p, len, free_ref, NULL))
		free(p);
}

void pd_evframe_stop_at_end(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_disable(bev, EV_READ | EV_WRITE);
}
