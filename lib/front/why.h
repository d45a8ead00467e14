/* why.h - pd-status --why: why a detached run waits, in plain words. */
#ifndef PD_WHY_H
#define PD_WHY_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "watch.h"

/*
 * Explain run `st` (its status as the run_status reply gives it) with
 * views of its hosts `h` (what pd-status asked them just now: the hosts
 * it was submitted with, or for a run on its keeper alone, the keeper).
 * Appends a first line saying where the run is (done, failed, cancelled,
 * running, waiting and for what), then one indented line per obstacle:
 * hosts down, hosts whose owner shares no CPU, hosts whose shared CPUs
 * are all busy with other work (named), no GPU shared for a job that
 * needs one (st member "gpu" true or a number of GPUs other than 0, as
 * a run on GPU slots would say; servers do not set it yet), and where
 * records are in flight.
 */
void pd_why_explain(const cJSON *st, const struct pd_host_view *h, int n, struct pd_buf *out);

#endif
