/* frame.c - fuzz target: the frame decoder (lib/wire/frame.c, lib/wire/evframe.c).
 *
 * The first input byte picks how the rest is read:
 *   0  wire bytes on a plain link, through pd_evframe_take, arriving in
 *      pieces (as a socket delivers them) whose sizes the second byte sets
 *   1  the same on a sealed link (session keys from a fixed handshake)
 *   2  wire bytes read with the blocking pd_frame_read_fd
 *   3  a round trip: the rest split into a JSON text and a blob, sealed by
 *      a client and opened by the server; the decoded message must be the
 *      one encoded (checked, abort() otherwise)
 *   4  tampering: as 3, then one byte of the sealed frame (header included)
 *      changed, at a place and by a bit pattern the input picks; the
 *      server must never accept it (abort() otherwise)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "err.h"
#include "evframe.h"
#include "frame.h"
#include "proto.h"
#include "../unit/sealpair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLOB_MAX (1u << 20)

/* Feed p in pieces of `step` bytes, taking every complete frame. */
static void take_frames(const uint8_t *p, size_t n, size_t step, struct pd_seal *s)
{
	struct evbuffer *in = evbuffer_new();
	char err[PD_ERRLEN];
	struct pd_msg m;
	size_t off = 0, k;
	int rc = 0;

	pd_msg_init(&m);
	while (off < n && rc >= 0) {
		k = n - off < step ? n - off : step;
		evbuffer_add(in, p + off, k);
		off += k;
		while ((rc = pd_evframe_take(in, BLOB_MAX, s, &m, err)) == 1) {
			if (!m.op || !m.op[0] || m.blob_len > BLOB_MAX)
				abort(); /* a decoded frame always has an op */
			pd_msg_release(&m);
		}
	}
	pd_msg_release(&m);
	evbuffer_free(in);
}

/* Read frames from a memory file holding p. */
static void read_frames(const uint8_t *p, size_t n)
{
	int fd = memfd_create("frame", MFD_CLOEXEC);
	char err[PD_ERRLEN];
	struct pd_msg m;

	if (fd < 0)
		return;
	if (write(fd, p, n) == (ssize_t)n && lseek(fd, 0, SEEK_SET) == 0) {
		pd_msg_init(&m);
		while (pd_frame_read_fd(fd, BLOB_MAX, &m, err) == 0)
			pd_msg_release(&m);
		pd_msg_release(&m);
	}
	close(fd);
}

/* Encode json+blob sealed, decode it on the other end, compare. */
static void round_trip(const uint8_t *p, size_t n)
{
	struct pd_seal c, s;
	struct pd_buf wire = PD_BUF_INIT;
	struct evbuffer *in = evbuffer_new();
	size_t json_len = n ? p[0] % n : 0;
	char err[PD_ERRLEN];
	struct pd_msg m;
	cJSON *j;
	int rc, valid;

	if (n == 0 || json_len < 2) {
		evbuffer_free(in);
		return;
	}
	p++, n--, json_len--;
	seal_pair(&c, &s);
	pd_frame_encode(&wire, &c, (const char *)p, json_len, p + json_len, n - json_len);
	j = cJSON_ParseWithLength((const char *)p, json_len);
	valid = cJSON_IsObject(j) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "op")) &&
		cJSON_GetObjectItemCaseSensitive(j, "op")->valuestring[0];
	cJSON_Delete(j);
	evbuffer_add(in, wire.data, wire.len);
	pd_msg_init(&m);
	rc = pd_evframe_take(in, BLOB_MAX, &s, &m, err);
	if (rc != (valid ? 1 : -1))
		abort();
	if (rc == 1 && (m.blob_len != n - json_len || memcmp(m.blob, p + json_len, m.blob_len) ||
			evbuffer_get_length(in) != 0))
		abort();
	pd_msg_release(&m);
	evbuffer_free(in);
	pd_buf_release(&wire);
	pd_seal_wipe(&c);
	pd_seal_wipe(&s);
}

/* Seal json+blob, change one byte, and check that it is refused. */
static void tampered(const uint8_t *p, size_t n)
{
	struct pd_seal c, s;
	struct pd_buf wire = PD_BUF_INIT;
	struct evbuffer *in;
	size_t json_len, at;
	char err[PD_ERRLEN];
	struct pd_msg m;
	int rc;

	if (n < 5 || !p[2])
		return;
	at = (size_t)p[0] << 8 | p[1];
	json_len = n - 4 < 2 ? 2 : 2 + p[3] % (n - 4 - 1);
	if (json_len > n - 4)
		return;
	seal_pair(&c, &s);
	pd_frame_encode(&wire, &c, (const char *)p + 4, json_len, p + 4 + json_len, n - 4 - json_len);
	wire.data[at % wire.len] ^= (char)p[2];
	in = evbuffer_new();
	evbuffer_add(in, wire.data, wire.len);
	pd_msg_init(&m);
	rc = pd_evframe_take(in, BLOB_MAX, &s, &m, err);
	if (rc == 1)
		abort(); /* an altered sealed frame was accepted */
	pd_msg_release(&m);
	evbuffer_free(in);
	pd_buf_release(&wire);
	pd_seal_wipe(&c);
	pd_seal_wipe(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_seal c, s;

	if (size < 2 || sodium_init() < 0)
		return 0;
	switch (data[0] % 5) {
	case 0:
		take_frames(data + 2, size - 2, (size_t)data[1] + 1, NULL);
		break;
	case 1:
		seal_pair(&c, &s);
		take_frames(data + 2, size - 2, (size_t)data[1] + 1, &s);
		pd_seal_wipe(&c);
		pd_seal_wipe(&s);
		break;
	case 2:
		read_frames(data + 1, size - 1);
		break;
	case 3:
		round_trip(data + 1, size - 1);
		break;
	default:
		tampered(data + 1, size - 1);
	}
	return 0;
}
