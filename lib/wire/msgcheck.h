/* msgcheck.h - the shape of every protocol message, checked on arrival. */
#ifndef PD_MSGCHECK_H
#define PD_MSGCHECK_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "seal.h"

/*
 * Check message j (an object with a string "op") sent by a peer of role
 * `from` against the protocol's table (playdoh-protocol(7)): every
 * member a handler reads is present when required and of the right type,
 * integers are whole numbers within their range (so that handlers may
 * cast them), and lists of integers (a run's linenos, a task's place and
 * tubes) hold nothing else.  Operations the table does not know pass: the
 * dispatcher answers those.  Returns 0, or -1 with err naming the message
 * and the member, as pd_json_need_int does: "message 'result': member
 * 'batch' missing or not an integer in [0, 9007199254740992]".
 */
int pd_msg_check(const cJSON *j, enum pd_role from, char *err);

struct pd_msg_member;

/* A message of the protocol: who sends it, its name, its members, and
 * whether it carries the per-run options (runopt.h) besides. */
struct pd_msgdef {
	enum pd_role from;
	const char *op;
	const struct pd_msg_member *members;
	int runopts;
};

/* The i-th message of the table, or NULL past the last. */
const struct pd_msgdef *pd_msgdef(size_t i);

#endif
