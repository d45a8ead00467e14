/* frame.c - frame header, sealed bodies, blocking fd I/O. */
#include "frame.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "fdio.h"
#include "proto.h"
#include "xmalloc.h"

void pd_msg_init(struct pd_msg *m)
{
	m->json = NULL;
	m->op = NULL;
	m->blob = NULL;
	m->blob_len = 0;
	pd_buf_init(&m->body);
}

void pd_msg_release(struct pd_msg *m)
{
	cJSON_Delete(m->json);
	pd_buf_release(&m->body);
	pd_msg_init(m);
}

int pd_frame_hdr_parse(const unsigned char *p, uint64_t blob_max, struct pd_frame_hdr *h, char *err)
{
	if (p[0] != 'P' || p[1] != 'D') {
		pd_err(err, "bad magic (not a Playdoh frame)");
		return -1;
	}
	h->version = p[2];
	h->flags = p[3];
	h->json_len = pd_get_be32(p + 4);
	h->blob_len = pd_get_be64(p + 8);
	if (h->version != PD_PROTO_VERSION) {
		pd_err(err, "protocol version %u not supported (this is %d)", h->version, PD_PROTO_VERSION);
		return -1;
	}
	if (h->flags & ~(unsigned)PD_FRAME_SEALED) {
		pd_err(err, "unknown frame flags 0x%02x", h->flags);
		return -1;
	}
	if (h->json_len < 2 || h->json_len > PD_JSON_MAX) {
		pd_err(err, "JSON part of %" PRIu32 " bytes outside the limits [2, %u]", h->json_len, PD_JSON_MAX);
		return -1;
	}
	if (h->blob_len > blob_max) {
		pd_err(err, "blob of %" PRIu64 " bytes over the limit of %" PRIu64, h->blob_len, blob_max);
		return -1;
	}
	return 0;
}

uint64_t pd_frame_body_len(const struct pd_frame_hdr *h)
{
	return h->json_len + h->blob_len + ((h->flags & PD_FRAME_SEALED) ? PD_SEAL_TAG : 0);
}

/* Parse the JSON text at the start of m->body and point blob past it. */
static int decode_plain(struct pd_msg *m, size_t json_len, size_t blob_len, char *err)
{
	const cJSON *op;

	m->json = cJSON_ParseWithLength(m->body.data, json_len);
	if (!m->json || !cJSON_IsObject(m->json)) {
		pd_err(err, "JSON part is not a valid JSON object");
		return -1;
	}
	op = cJSON_GetObjectItemCaseSensitive(m->json, "op");
	if (!cJSON_IsString(op) || !op->valuestring[0]) {
		pd_err(err, "JSON object has no string member 'op'");
		return -1;
	}
	m->op = op->valuestring;
	m->blob = (const unsigned char *)m->body.data + json_len;
	m->blob_len = blob_len;
	return 0;
}

int pd_frame_decode(const struct pd_frame_hdr *h, const unsigned char *hdr,
		    const unsigned char *body, struct pd_seal *s, struct pd_msg *m, char *err)
{
	size_t plain = h->json_len + h->blob_len;
	int sealed = (h->flags & PD_FRAME_SEALED) != 0;

	pd_msg_release(m);
	if (sealed != (s != NULL)) {
		pd_err(err, sealed ? "sealed frame on a plain link" : "unsealed frame on a sealed link");
		return -1;
	}
	pd_buf_grow(&m->body, plain + PD_SEAL_TAG);
	if (s) {
		if (pd_seal_open(s, hdr, PD_FRAME_HDR, body, plain + PD_SEAL_TAG,
				 (unsigned char *)m->body.data)) {
			pd_err(err, "frame failed authentication (altered, replayed, reordered or wrong key)");
			return -1;
		}
	} else {
		memcpy(m->body.data, body, plain);
	}
	m->body.len = plain;
	m->body.data[plain] = 0;
	if (decode_plain(m, h->json_len, h->blob_len, err)) {
		pd_msg_release(m);
		return -1;
	}
	return 0;
}

/* The 16-byte header of a frame (frame.h). */
static void put_hdr(unsigned char *hdr, size_t json_len, uint64_t blob_len)
{
	hdr[0] = 'P';
	hdr[1] = 'D';
	hdr[2] = PD_PROTO_VERSION;
	hdr[3] = 0; /* plain; a sealed frame sets its flag before sealing */
	pd_put_be32(hdr + 4, (unsigned)json_len);
	pd_put_be64(hdr + 8, blob_len);
}

void pd_frame_encode_head(struct pd_buf *out, const char *json, size_t json_len, uint64_t blob_len)
{
	size_t start = out->len;

	pd_buf_grow(out, PD_FRAME_HDR + json_len);
	put_hdr((unsigned char *)out->data + start, json_len, blob_len);
	out->len += PD_FRAME_HDR;
	pd_buf_add(out, json, json_len);
}

void pd_frame_encode_head_json(struct pd_buf *out, const cJSON *j, uint64_t blob_len)
{
	char *text = cJSON_PrintUnformatted(j);

	if (!text)
		abort();
	pd_frame_encode_head(out, text, strlen(text), blob_len);
	cJSON_free(text);
}

void pd_frame_encode(struct pd_buf *out, struct pd_seal *s, const char *json,
		     size_t json_len, const void *blob, size_t blob_len)
{
	unsigned char *hdr;
	size_t start = out->len, body = start + PD_FRAME_HDR;

	pd_buf_grow(out, PD_FRAME_HDR + json_len + blob_len + PD_SEAL_TAG);
	pd_frame_encode_head(out, json, json_len, blob_len);
	pd_buf_add(out, blob, blob_len);
	if (s) {
		hdr = (unsigned char *)out->data + start;
		hdr[3] = PD_FRAME_SEALED;
		pd_seal_close(s, hdr, PD_FRAME_HDR, (unsigned char *)out->data + body,
			      json_len + blob_len, (unsigned char *)out->data + body);
		out->len += PD_SEAL_TAG;
		out->data[out->len] = 0;
	}
}

void pd_frame_encode_json(struct pd_buf *out, struct pd_seal *s, const cJSON *j,
			  const void *blob, size_t blob_len)
{
	char *text = cJSON_PrintUnformatted(j);

	if (!text)
		abort();
	pd_frame_encode(out, s, text, strlen(text), blob, blob_len);
	cJSON_free(text);
}

/* Read exactly n bytes; 0, 1 on EOF at the first byte, -1 on error. */
static int read_full(int fd, void *p, size_t n, char *err)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)p + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && got == 0)
			return 1;
		pd_err(err, "read: %s", r == 0 ? "unexpected end of stream" : strerror(errno));
		return -1;
	}
	return 0;
}

/* Read and check a frame header; 0, 1 on EOF at its first byte, -1 on
 * error. */
static int read_hdr(int fd, uint64_t blob_max, unsigned char hdr[PD_FRAME_HDR], struct pd_frame_hdr *h,
		    char *err)
{
	int rc = read_full(fd, hdr, PD_FRAME_HDR, err);

	if (rc)
		return rc;
	return pd_frame_hdr_parse(hdr, blob_max, h, err) ? -1 : 0;
}

int pd_frame_read_fd_sealed(int fd, uint64_t blob_max, struct pd_seal *s, struct pd_msg *m, char *err)
{
	unsigned char hdr[PD_FRAME_HDR];
	struct pd_frame_hdr h;
	struct pd_buf body = PD_BUF_INIT;
	uint64_t n;
	int rc;

	if (!s)
		return pd_frame_read_fd(fd, blob_max, m, err);
	pd_msg_release(m);
	rc = read_hdr(fd, blob_max, hdr, &h, err);
	if (rc)
		return rc;
	n = pd_frame_body_len(&h);
	pd_buf_grow(&body, (size_t)n);
	if (read_full(fd, body.data, (size_t)n, err) ||
	    pd_frame_decode(&h, hdr, (unsigned char *)body.data, s, m, err)) {
		pd_buf_release(&body);
		return -1;
	}
	pd_buf_release(&body);
	return 0;
}

int pd_frame_read_fd(int fd, uint64_t blob_max, struct pd_msg *m, char *err)
{
	unsigned char hdr[PD_FRAME_HDR];
	struct pd_frame_hdr h;
	size_t plain;
	int rc;

	pd_msg_release(m);
	rc = read_hdr(fd, blob_max, hdr, &h, err);
	if (rc)
		return rc;
	if (h.flags & PD_FRAME_SEALED) {
		pd_err(err, "sealed frame on a plain link");
		return -1;
	}
	plain = h.json_len + h.blob_len;
	pd_buf_want_huge(&m->body); /* filled once: a node's whole result, a batch */
	pd_buf_grow(&m->body, plain);
	if (read_full(fd, m->body.data, plain, err))
		return -1;
	return pd_frame_open_plain(&h, m, err);
}

int pd_frame_open_plain(const struct pd_frame_hdr *h, struct pd_msg *m, char *err)
{
	size_t plain = h->json_len + h->blob_len;

	m->body.len = plain;
	m->body.data[plain] = 0;
	if (decode_plain(m, h->json_len, h->blob_len, err)) {
		pd_msg_release(m);
		return -1;
	}
	return 0;
}

/* Write all n bytes at p; 0 or -1 with err. */
static int write_full(int fd, const void *p, size_t n, char *err)
{
	if (pd_write_all(fd, p, n)) {
		pd_err(err, "write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int pd_frame_write_fd(int fd, const struct pd_buf *frame, char *err)
{
	return write_full(fd, frame->data, frame->len, err);
}

int pd_frame_write_json_fd(int fd, const cJSON *j, const void *blob, size_t blob_len, char *err)
{
	struct pd_buf head = PD_BUF_INIT;
	int rc;

	pd_frame_encode_head_json(&head, j, blob_len);
	rc = write_full(fd, head.data, head.len, err);
	if (!rc && blob_len)
		rc = write_full(fd, blob, blob_len, err);
	pd_buf_release(&head);
	return rc;
}

char *pd_msg_take_blob(struct pd_msg *m, size_t *len)
{
	char *p;

	*len = m->blob_len;
	if (!m->body.cap || (const char *)m->blob < m->body.data ||
	    (const char *)m->blob + m->blob_len > m->body.data + m->body.len) {
		/* no body, or a blob held elsewhere: a copy */
		p = pd_xmalloc(m->blob_len + 1);
		if (m->blob_len)
			memcpy(p, m->blob, m->blob_len);
		p[m->blob_len] = 0;
		return p;
	}
	p = m->body.data;
	memmove(p, m->blob, m->blob_len);
	p[m->blob_len] = 0;
	pd_buf_init(&m->body);
	m->blob = NULL;
	m->blob_len = 0;
	return p;
}
