/* json.h - reading members of cJSON objects, with defaults or checks; numbers that read back. */
#ifndef PD_JSON_H
#define PD_JSON_H

#include <cjson/cJSON.h>

/* JSON field accessors: return the value, or the default when absent or
 * of the wrong type. */
const char *pd_json_str(const cJSON *j, const char *name, const char *def);
double pd_json_num(const cJSON *j, const char *name, double def);
int pd_json_has_num(const cJSON *j, const char *name);

/* Message shape checks for handlers: 0 when member `name` is present with
 * the right type (and, for integers, within [lo, hi]), else -1 with err
 * "message 'run': member 'batch' missing or not an integer in [0, ...]". */
int pd_json_need_str(const cJSON *j, const char *name, const char **out, char *err);
int pd_json_need_int(const cJSON *j, const char *name, long long lo, long long hi,
		     long long *out, char *err);

/* Add member name = v to object o as the shortest number that reads back
 * to the same double (cJSON's own printing may drop the last digits);
 * a NaN or infinity, which JSON cannot hold, as null. */
void pd_json_add_double(cJSON *o, const char *name, double v);

/* A new message object {"op": op} (cJSON_Delete it). */
cJSON *pd_json_op(const char *op);

#endif
