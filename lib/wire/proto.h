/* proto.h - protocol version, message names and limits (playdoh-protocol(7)). */
#ifndef PD_PROTO_H
#define PD_PROTO_H

#include "buf.h" /* pd_get_be32, for pd_rentry_len */

#define PD_PROTO_VERSION 1
#define PD_VERSION "0.1.0"

/* Limits checked before allocating. */
#define PD_JSON_MAX (1u << 20)		     /* JSON part of a frame */
#define PD_BLOB_MAX (256ull << 20)	     /* default blob cap, between hosts */
#define PD_WORKER_BLOB_MAX (1ull << 30)	     /* server <-> worker pipes */
#define PD_BATCH_RECORDS_MAX 65536	     /* records per run batch */
#define PD_POINT_DIM_MAX 100000		     /* numbers in one fitness point */
#define PD_JOB_ARGS_MAX (64u << 10)	     /* a job's argument string (pd_args) */
#define PD_SLOTS_MAX 1024		     /* CPU slots one host may share */
#define PD_CONN_MAX 256			     /* connections per server */
#define PD_HANDSHAKE_MAX 128		     /* of them in handshake at once; the oldest goes */
#define PD_HANDSHAKE_IN_MAX 8192	     /* bytes a peer may send before its handshake ends */
#define PD_PEER_OUT_MAX (64u << 20) /* queued output past which a peer's input pauses */
#define PD_CONN_QUEUE_MAX (64u << 20) /* queued batch bytes past which a client's input pauses */
#define PD_HANDSHAKE_TIMEOUT_S 10
#define PD_IDLE_TIMEOUT_S 3600

/* Operations ("op" member of every frame's JSON object): who sends each,
 * and its members, are in the message table (msgcheck.c) and described
 * in playdoh-protocol(7); pd-serve's handlers are in its dispatch table
 * (serve/server.c). */
#define PD_OP_HELLO "hello"
#define PD_OP_CHALLENGE "challenge"
#define PD_OP_AUTH "auth"
#define PD_OP_WELCOME "welcome"
#define PD_OP_ERROR "error" /* connection closed after */
#define PD_OP_INFO "info"
#define PD_OP_ALLOC "alloc" /* local links only */
#define PD_OP_SLOTS "slots" /* pushed when the allocation changes */
#define PD_OP_JOB "job"
#define PD_OP_UPLOAD "upload"
#define PD_OP_RUN "run"
#define PD_OP_RESULT "result"
#define PD_OP_HANDBACK "handback" /* not run: send elsewhere */
#define PD_OP_SUBMIT "submit"	  /* local links only */
#define PD_OP_SUBMITTED "submitted"
#define PD_OP_RUNSTAT "run_status"
#define PD_OP_RUNINFO "run"
#define PD_OP_FETCH "fetch"
#define PD_OP_FETCHED "fetched"
#define PD_OP_CANCEL "cancel"
#define PD_OP_TASK "task" /* taskserve.h */
#define PD_OP_TASK_STARTED "task_started"
#define PD_OP_NODE "node"
#define PD_OP_NODE_CMD "node_cmd"
#define PD_OP_PING "ping"
#define PD_OP_LOAD "load"     /* server -> worker: open a job now (preload) */
#define PD_OP_LOADED "loaded" /* worker -> server: it is open (or failed) */
#define PD_OP_PONG "pong"

/* Per-record result status (one byte in each result entry). */
enum pd_rstatus {
	PD_R_OK = 0,	  /* output follows */
	PD_R_ERROR = 1,	  /* pd_error() or a bad field: message follows */
	PD_R_CRASH = 2,	  /* the worker died running it: message follows */
	PD_R_TIMEOUT = 3, /* exceeded its time limit: message follows */
	PD_R_LOST = 4	  /* could not be run (job failed to load ...): message */
};

/*
 * A result entry in a result blob: u8 status | u32 microseconds | u32 len
 * | len bytes (output or message), big-endian, one per record in order.
 * In a run with "f64" (binary points: n * f64 little-endian IEEE-754
 * doubles in the blob), an OK entry's output is its value as 8
 * little-endian bytes.
 */
#define PD_RENTRY_HDR 9

/* The output length of the result entry at s, or -1 when its header or
 * output runs past end. */
static inline long pd_rentry_len(const unsigned char *s, const unsigned char *end)
{
	unsigned long len;

	if (end - s < PD_RENTRY_HDR)
		return -1;
	len = pd_get_be32(s + 5);
	return (unsigned long)(end - s - PD_RENTRY_HDR) < len ? -1 : (long)len;
}

#endif
