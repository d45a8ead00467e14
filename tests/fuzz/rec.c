/* rec.c - fuzz target: the record parser (pd_record_parse, lib/job/rec.c).
 *
 * The input is one record line (newlines included: the parser must take
 * any bytes).  Every parsed field must be a NUL-terminated string inside
 * the record's scratch space, and the job API's field accessors must
 * answer for every index and name without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_record r;
	struct pd_result res;
	char err[PD_ERRLEN], *line = malloc(size + 1);
	pd_rec in0, *in = &in0;
	pd_out out0, *out = &out0;
	int i;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	pd_record_init(&r);
	pd_result_init(&res);
	if (pd_record_parse(&r, line, size, 1, err) == 0) {
		if (r.nf < 0 || r.nf > PD_REC_FIELDS_MAX)
			abort();
		in0 = pd_rec_wrap(&r);
		out0 = pd_out_wrap(&res);
		for (i = 0; i < r.nf; i++) {
			if (!r.f[i].val || pd_str(in, i) != r.f[i].val)
				abort(); /* every field has its text, as jobs see it */
			(void)pd_num(in, i);
			(void)pd_int(in, i);
			if (r.f[i].name)
				(void)pd_get_int(in, r.f[i].name);
		}
		if (pd_str(in, r.nf) != NULL)
			abort(); /* one past the end: absent */
		(void)pd_get_num(in, "x");
		if (pd_nfields(in) != r.nf || pd_line(in, NULL) != line)
			abort();
		pd_put_str(out, line);
	} else if (!err[0]) {
		abort(); /* a refused line always says why */
	}
	pd_result_release(&res);
	pd_record_release(&r);
	free(line);
	return 0;
}
