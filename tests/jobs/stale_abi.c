/*
 * stale_abi.c - a job whose descriptor claims another job ABI version, as
 * a .so built against a future or stale playdoh.h would: loading it must
 * fail with a message naming both versions, before any record runs.
 */
#include "playdoh.h"

static int stale(const pd_rec *in, pd_out *out)
{
	(void)in;
	return pd_put_str(out, "must never run");
}

PD_EXPORT const struct pd_job_desc pd_desc_stale = {
    PD_DESC_MAGIC, PD_ABI_VERSION + 41, PD_KIND_MAP, 0, "stale", stale, 0, 0, 0, 0, 0, {0, 0, 0, 0}};
