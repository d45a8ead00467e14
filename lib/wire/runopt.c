/* runopt.c - the per-run options' table and their trip through messages. */
#include "runopt.h"

#include "json.h"
#include "memlimit.h"

#define MS_MAX 0x7fffffffLL /* the longest --timeout: 24 days, in an int */

const struct pd_runopt pd_runopt_table[] = {
    {"timeout", "timeout_ms", offsetof(struct pd_runopts, timeout_ms), PD_RUNOPT_SECONDS, 1, MS_MAX},
    {"mem", "mem", offsetof(struct pd_runopts, mem), PD_RUNOPT_SIZE, 1, PD_MEM_MAX},
    {NULL, NULL, 0, PD_RUNOPT_SECONDS, 0, 0},
};

long long *pd_runopt_at(struct pd_runopts *o, const struct pd_runopt *row)
{
	return (long long *)((char *)o + row->off);
}

void pd_runopts_put(cJSON *msg, const struct pd_runopts *o)
{
	const struct pd_runopt *r;
	long long v;

	for (r = pd_runopt_table; r->option; r++)
		if ((v = *(const long long *)((const char *)o + r->off)))
			cJSON_AddNumberToObject(msg, r->member, (double)v);
}

void pd_runopts_get(const cJSON *msg, struct pd_runopts *o)
{
	const struct pd_runopt *r;

	for (r = pd_runopt_table; r->option; r++)
		*pd_runopt_at(o, r) = (long long)pd_json_num(msg, r->member, 0);
}
