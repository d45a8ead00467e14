/* checkpoint.c - writing and reading pd-opt checkpoints. */
#include "opt/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "fdio.h"

#define CHECKPOINT_MAX (1L << 30)

/* A double as the 16 hex digits of its bits. */
static void put_bits(struct pd_buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	pd_buf_addf(b, " %016" PRIx64, u);
}

int pd_checkpoint_write(const char *path, const char *job, int maximize, const struct pd_params *p,
			const struct pd_optim *o, char *err)
{
	struct pd_buf b = PD_BUF_INIT;
	char e[PD_ERRLEN];
	int rc, i;

	pd_buf_addf(&b, "pd-opt-checkpoint 1\njob %s\nmaximize %d\nparams %d\n", job, maximize, p->dim);
	for (i = 0; i < p->dim; i++) {
		pd_buf_addf(&b, "param %s", p->name[i]);
		put_bits(&b, p->min[i]), put_bits(&b, p->lo[i]), put_bits(&b, p->hi[i]), put_bits(&b, p->max[i]);
		pd_buf_addc(&b, '\n');
	}
	pd_optim_save(o, &b);
	rc = pd_replace_file(path, b.data, b.len, 0600, 1, e);
	pd_buf_release(&b);
	if (rc)
		pd_err(err, "write checkpoint %s", e);
	return rc;
}

/* One "param NAME MIN LO HI MAX" line into p; the bytes used, or -1. */
static int read_param(const char *s, struct pd_params *p)
{
	char name[PD_PARAM_NAME_MAX + 1], spec[PD_PARAM_NAME_MAX + 120], e[PD_ERRLEN];
	uint64_t u[4];
	double v[4];
	int used = 0, i;

	if (sscanf(s, "param %63s %16" SCNx64 " %16" SCNx64 " %16" SCNx64 " %16" SCNx64 "\n%n", name, &u[0], &u[1],
		   &u[2], &u[3], &used) != 5 || !used)
		return -1;
	for (i = 0; i < 4; i++)
		memcpy(&v[i], &u[i], sizeof v[i]);
	snprintf(spec, sizeof spec, "%s=%a:%a:%a:%a", name, v[0], v[1], v[2], v[3]);
	if (pd_params_add(p, spec, e))
		return -1;
	return used;
}

int pd_checkpoint_read(const char *path, struct pd_checkpoint *cp, char *err)
{
	char *text = NULL, *s, e[PD_ERRLEN];
	int n, used = 0, i, r;
	size_t len;

	memset(cp, 0, sizeof *cp);
	pd_params_init(&cp->params);
	if (pd_read_file(path, CHECKPOINT_MAX, &text, &len, e)) {
		pd_err(err, "checkpoint %s: %s", path, e);
		return -1;
	}
	s = text;
	if (memchr(text, 0, len) || sscanf(s, "pd-opt-checkpoint 1\njob %255s\nmaximize %d\nparams %d\n%n", cp->job,
					   &cp->maximize, &n, &used) != 3 || !used || n < 1 || n > PD_PARAM_MAX)
		goto bad;
	for (s += used, i = 0; i < n; i++, s += r)
		if ((r = read_param(s, &cp->params)) < 0)
			goto bad;
	cp->optim = pd_optim_load(s, len - (size_t)(s - text), e);
	if (!cp->optim) {
		pd_err(err, "checkpoint %s: %s", path, e);
		goto fail;
	}
	if (pd_optim_dim(cp->optim) != n) {
		pd_err(err, "checkpoint %s: %d parameters, its optimiser %d", path, n, pd_optim_dim(cp->optim));
		goto fail;
	}
	free(text);
	return 0;
bad:
	pd_err(err, "checkpoint %s: not a pd-opt checkpoint, or damaged", path);
fail:
	free(text);
	pd_checkpoint_release(cp);
	return -1;
}

void pd_checkpoint_release(struct pd_checkpoint *cp)
{
	pd_optim_free(cp->optim);
	cp->optim = NULL;
	pd_params_release(&cp->params);
}
