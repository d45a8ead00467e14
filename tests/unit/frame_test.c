/* frame_test.c - the frame codec's direct paths for large results
 * (lib/wire/frame.c): a frame written from where its blob lies is byte
 * for byte the frame pd_frame_encode_json builds, and a message's blob
 * handed over in place is the blob read, small or large. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "t.h"

/* Read everything from fd until EOF into out. */
static void drain(int fd, struct pd_buf *out)
{
	char chunk[65536];
	ssize_t r;

	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		pd_buf_add(out, chunk, (size_t)r);
}

struct writer {
	int fd, rc;
	const cJSON *j;
	const char *blob;
	size_t len;
	char err[PD_ERRLEN];
};

/* The writing side, in its own thread: a blob larger than a socket buffer. */
static void *write_side(void *arg)
{
	struct writer *w = arg;

	w->rc = pd_frame_write_json_fd(w->fd, w->j, w->blob, w->len, w->err);
	close(w->fd);
	return NULL;
}

/* Write a frame of json j and a blob of len bytes; what came out of the
 * socket into got. */
static int write_frame(const cJSON *j, const char *blob, size_t len, struct pd_buf *got)
{
	struct writer w = {.j = j, .blob = blob, .len = len};
	pthread_t th;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	w.fd = sv[0];
	pthread_create(&th, NULL, write_side, &w);
	drain(sv[1], got);
	pthread_join(th, NULL);
	close(sv[1]);
	return w.rc;
}

/* The wire bytes equal pd_frame_encode_json's, for an empty and a 3 MiB blob. */
static void test_write_json_fd(void)
{
	static const size_t lens[] = {0, 1, 3u << 20};
	cJSON *j = cJSON_CreateObject();
	struct pd_buf want, got;
	char *blob = malloc(3u << 20);
	size_t i, k;

	cJSON_AddStringToObject(j, "op", "done");
	cJSON_AddTrueToObject(j, "ok");
	for (k = 0; k < (3u << 20); k++)
		blob[k] = (char)(k * 131 + (k >> 12));
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		pd_buf_init(&want);
		pd_buf_init(&got);
		pd_frame_encode_json(&want, NULL, j, blob, lens[i]);
		CHECK(write_frame(j, blob, lens[i], &got) == 0);
		CHECK(got.len == want.len && memcmp(got.data, want.data, want.len) == 0);
		pd_buf_release(&want);
		pd_buf_release(&got);
	}
	cJSON_Delete(j);
	free(blob);
}

/* A frame read back: the blob handed over is the blob sent, NUL-ended,
 * and the message keeps its JSON. */
static void test_take_blob(void)
{
	static const char text[] = "1 0.5 0.25\n2 0.125";
	cJSON *j = cJSON_CreateObject();
	struct pd_buf frame = PD_BUF_INIT;
	char err[PD_ERRLEN], *p;
	struct pd_msg m;
	size_t len, n;
	int sv[2];

	cJSON_AddStringToObject(j, "op", "done");
	for (n = 0; n <= 1; n++) {
		size_t blen = n ? sizeof text - 1 : 0;

		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		pd_frame_encode_json(&frame, NULL, j, text, blen);
		CHECK(pd_frame_write_fd(sv[0], &frame, err) == 0);
		pd_msg_init(&m);
		CHECK(pd_frame_read_fd(sv[1], 1 << 20, &m, err) == 0);
		p = pd_msg_take_blob(&m, &len);
		CHECK(len == blen && memcmp(p, text, blen) == 0 && p[len] == 0);
		CHECK_STR(m.op, "done");
		CHECK(m.blob_len == 0);
		pd_msg_release(&m);
		free(p);
		pd_buf_release(&frame);
		close(sv[0]);
		close(sv[1]);
	}
	/* a message that never had a body */
	pd_msg_init(&m);
	p = pd_msg_take_blob(&m, &len);
	CHECK(p && len == 0 && p[0] == 0);
	free(p);
	cJSON_Delete(j);
}

/* A 6 MiB result read with pd_frame_read_fd (its body on huge pages) and
 * handed over in place: the bytes sent, NUL-ended, freed with free(). */
static void test_read_large(void)
{
	const size_t blen = 6u << 20;
	cJSON *j = cJSON_CreateObject();
	char *blob = malloc(blen), *p, err[PD_ERRLEN];
	struct writer w = {.j = j, .len = blen};
	struct pd_msg m;
	pthread_t th;
	size_t k, len;
	int sv[2];

	cJSON_AddStringToObject(j, "op", "done");
	for (k = 0; k < blen; k++)
		blob[k] = (char)(k * 137 + (k >> 13));
	w.blob = blob;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	w.fd = sv[0];
	pthread_create(&th, NULL, write_side, &w);
	pd_msg_init(&m);
	CHECK(pd_frame_read_fd(sv[1], blen, &m, err) == 0);
	pthread_join(th, NULL);
	CHECK(w.rc == 0);
	CHECK_STR(m.op, "done");
	p = pd_msg_take_blob(&m, &len);
	CHECK(len == blen && memcmp(p, blob, blen) == 0 && p[len] == 0);
	free(p);
	pd_msg_release(&m);
	close(sv[1]);
	cJSON_Delete(j);
	free(blob);
}

int main(void)
{
	test_write_json_fd();
	test_take_blob();
	test_read_large();
	return t_done("frame_test");
}
