/* runcli.c - the per-run options on the command line, from runopt.c's table. */
#include "runcli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "memlimit.h"
#include "num.h"
#include "xmalloc.h"

const struct option *pd_runcli_longopts(const struct option *own)
{
	static struct option *all; /* one table a process: a tool parses its options once */
	size_t n = 0, k = 0, i;

	free(all);
	while (own[n].name)
		n++;
	while (pd_runopt_table[k].option)
		k++;
	all = pd_xcalloc(n + k + 1, sizeof *all);
	memcpy(all, own, n * sizeof *all);
	for (i = 0; i < k; i++)
		all[n + i] = (struct option){pd_runopt_table[i].option, required_argument, NULL, PD_O_RUNOPT + (int)i};
	return all;
}

/* Read one value written in a row's unit; 0, or -1 when it is not one. */
static int parse_unit(const struct pd_runopt *row, const char *arg, long long *v)
{
	long ms;

	if (row->unit == PD_RUNOPT_SIZE)
		return pd_size_parse(arg, v);
	if (pd_parse_seconds_ms(arg, &ms))
		return -1;
	*v = ms;
	return 0;
}

int pd_runcli_parse(int ch, const char *arg, struct pd_runopts *o)
{
	static const char *const what[] = {
	    [PD_RUNOPT_SECONDS] = "a positive number of seconds",
	    [PD_RUNOPT_SIZE] = "a size (bytes, or a number with K, M, G or T)",
	};
	const struct pd_runopt *row;
	long long v;
	int i = ch - PD_O_RUNOPT, k = 0;

	while (pd_runopt_table[k].option)
		k++;
	if (i < 0 || i >= k)
		return 0;
	row = &pd_runopt_table[i];
	if (parse_unit(row, arg, &v) || v < row->lo || v > row->hi)
		pd_cli_die(PD_EX_USAGE, "--%s: '%s' is not %s", row->option, arg, what[row->unit]);
	*pd_runopt_at(o, row) = v;
	return 1;
}
