/* coordf64.c - a fitness run's points as binary doubles, or as text for an older host. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coordint.h"
#include "f64.h"
#include "json.h"

/*
 * The blob of batch b for host h: its binary points as they are (and
 * "f64" in the run message j) when h takes them, else the same points as
 * text lines, which read back to the same doubles, for an older host.
 */
const void *pd_coord_i_f64_blob(struct pd_coord *c, const struct chost *h, struct cbatch *b, cJSON *j,
				size_t *len)
{
	b->binary = h->f64 && !c->o.f64_text;
	if (b->binary) {
		cJSON_AddNumberToObject(j, "f64", c->o.f64_dim);
		*len = b->recs.len;
		return b->recs.data;
	}
	pd_buf_reset(&c->scratch);
	pd_f64_lines(&c->scratch, b->recs.data, (size_t)b->n, c->o.f64_dim);
	*len = c->scratch.len;
	return c->scratch.data;
}

/*
 * An OK result of a fitness batch as the caller gets it, 8 little-endian
 * bytes: a binary batch's as it came (NULL unless 8 bytes: malformed), a
 * text batch's value read back (no text: NaN, ranked worst).
 */
const char *pd_coord_i_f64_value(const struct cbatch *b, const char *out, size_t len, char val[PD_F64_SIZE])
{
	char num[64];
	double v;

	if (b->binary)
		return len == PD_F64_SIZE ? out : NULL;
	if (len >= sizeof num)
		len = sizeof num - 1;
	memcpy(num, out, len);
	num[len] = 0;
	v = len ? strtod(num, NULL) : (double)NAN;
	pd_f64_put(val, &v, 1);
	return val;
}
