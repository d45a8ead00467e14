/* json.c - reading members of cJSON objects, with defaults or checks; numbers that read back. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "err.h"

const char *pd_json_str(const cJSON *j, const char *name, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsString(v) ? v->valuestring : def;
}

double pd_json_num(const cJSON *j, const char *name, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

int pd_json_has_num(const cJSON *j, const char *name)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, name));
}

/* The op for messages, or "?" */
static const char *op_of(const cJSON *j)
{
	return pd_json_str(j, "op", "?");
}

int pd_json_need_str(const cJSON *j, const char *name, const char **out, char *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);

	if (!cJSON_IsString(v)) {
		pd_err(err, "message '%s': member '%s' missing or not a string", op_of(j), name);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

int pd_json_need_int(const cJSON *j, const char *name, long long lo, long long hi,
		     long long *out, char *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
	double d;

	if (!cJSON_IsNumber(v))
		goto bad;
	d = v->valuedouble;
	if (d != d || d < (double)lo || d > (double)hi || d != (double)(long long)d)
		goto bad;
	*out = (long long)d;
	return 0;
bad:
	pd_err(err, "message '%s': member '%s' missing or not an integer in [%lld, %lld]",
	       op_of(j), name, lo, hi);
	return -1;
}

cJSON *pd_json_op(const char *op)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "op", op);
	return j;
}

void pd_json_add_double(cJSON *o, const char *name, double v)
{
	char num[32];
	int p;

	if (!isfinite(v)) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(num, sizeof num, "%.*g", p, v);
		if (strtod(num, NULL) == v)
			break;
	}
	if (p == 17)
		snprintf(num, sizeof num, "%.17g", v);
	cJSON_AddRawToObject(o, name, num);
}
