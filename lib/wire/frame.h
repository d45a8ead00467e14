/* frame.h - the one frame codec for every link (playdoh-protocol(7)). */
#ifndef PD_FRAME_H
#define PD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "seal.h"

/*
 * A frame: a 16-byte header, a JSON object, an optional binary blob.
 *   "PD" | version u8 | flags u8 | u32 JSON length | u64 blob length
 * all big-endian.  With PD_FRAME_SEALED set, JSON and blob travel
 * encrypted as one AEAD body of json+blob+PD_SEAL_TAG bytes, with the
 * header as associated data; the lengths in the header are plaintext
 * lengths.
 */
#define PD_FRAME_HDR 16
#define PD_FRAME_SEALED 0x01

struct pd_frame_hdr {
	unsigned version, flags;
	uint32_t json_len;
	uint64_t blob_len;
};

/* A decoded message.  Owns its memory; release with pd_msg_release. */
struct pd_msg {
	cJSON *json;		   /* the object */
	const char *op;		   /* json's "op" string */
	const unsigned char *blob; /* points into body, blob_len bytes */
	size_t blob_len;
	struct pd_buf body; /* JSON text then blob */
};

/* Parse and check a header: magic, version, flags, limits.  Returns 0 or
 * -1 with err ("bad magic", "protocol version 7 not supported (this is
 * 1)", "JSON part of 2000000 bytes over the limit of 1048576", ...). */
int pd_frame_hdr_parse(const unsigned char *p, uint64_t blob_max, struct pd_frame_hdr *h, char *err);

/* Bytes on the wire after the header for a frame with header h. */
uint64_t pd_frame_body_len(const struct pd_frame_hdr *h);

/*
 * Decode a complete frame body (after the header) into m.  With s
 * non-NULL the frame must be sealed and is opened with s; with s NULL it
 * must not be.  Checks that JSON is an object with a string "op".
 * Returns 0, or -1 with err.
 */
int pd_frame_decode(const struct pd_frame_hdr *h, const unsigned char *hdr,
		    const unsigned char *body, struct pd_seal *s, struct pd_msg *m, char *err);
/* The same for a plain frame whose body the caller already put in
 * m->body (room for json_len + blob_len bytes and the NUL): sets its
 * length, parses, checks.  0, or -1 with err and m released. */
int pd_frame_open_plain(const struct pd_frame_hdr *h, struct pd_msg *m, char *err);

/* Append an encoded frame (sealed when s is non-NULL) to out. */
void pd_frame_encode(struct pd_buf *out, struct pd_seal *s, const char *json,
		     size_t json_len, const void *blob, size_t blob_len);

/* Append the header and JSON of a plain frame to out, for a sender that
 * writes its blob_len blob bytes after them itself. */
void pd_frame_encode_head(struct pd_buf *out, const char *json, size_t json_len, uint64_t blob_len);
/* The same with a cJSON object (not consumed) as the JSON. */
void pd_frame_encode_head_json(struct pd_buf *out, const cJSON *j, uint64_t blob_len);

/* Encode a cJSON object (not consumed) plus blob. */
void pd_frame_encode_json(struct pd_buf *out, struct pd_seal *s, const cJSON *j,
			  const void *blob, size_t blob_len);

void pd_msg_init(struct pd_msg *m);
void pd_msg_release(struct pd_msg *m);

/*
 * Blocking helpers for the worker pipes: read one whole unsealed frame
 * from fd (0 on success, 1 on clean EOF before a header, -1 with err) and
 * write one (0 or -1 with err).
 */
int pd_frame_read_fd(int fd, uint64_t blob_max, struct pd_msg *m, char *err);
/* The same for a sealed link (s non-NULL) or a plain one (s NULL). */
int pd_frame_read_fd_sealed(int fd, uint64_t blob_max, struct pd_seal *s, struct pd_msg *m, char *err);
int pd_frame_write_fd(int fd, const struct pd_buf *frame, char *err);
/* Write one unsealed frame of j (not consumed) and blob to fd, the blob
 * from where it lies, not copied into a frame first: large results over
 * a local pipe.  0 or -1 with err. */
int pd_frame_write_json_fd(int fd, const cJSON *j, const void *blob, size_t blob_len, char *err);
/* Hand over m's blob as a NUL-terminated heap string of *len bytes, moved
 * within the message's own buffer instead of copied to a new one; the
 * caller frees it.  m keeps its JSON; release it as usual. */
char *pd_msg_take_blob(struct pd_msg *m, size_t *len);

#endif
