/* taskdetach.h - a detached task: its coordinator, forked by pd-serve. */
#ifndef PD_TASKDETACH_H
#define PD_TASKDETACH_H

#include <sys/types.h>

#include <cjson/cJSON.h>

#include "key.h"

/*
 * A detached task's meta (runs.h) holds kind "task", hash, sym, name,
 * nodes, tubes ([[name, src, dst]...]), args, hosts (or none: this
 * server), timeout_ms, oversubscribe.  pd-serve forks a child that
 * coordinates it as pd-task would and writes, in dir:
 *   log    one JSON line per node that finished ("line" is node + 1)
 *   error  why the task failed, when it did
 * and exits with pd-task's exit status.  The child dies with pd-serve:
 * a task does not resume after a restart.
 */
pid_t pd_taskdetach_spawn(const cJSON *meta, const char *dir, const char *cache, const char *sock,
			  const unsigned char *key, char *err);

/* Check a task submission's members.  0 or -1 with err. */
int pd_taskdetach_check(const cJSON *req, char *err);

#endif
