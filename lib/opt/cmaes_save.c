/* cmaes_save.c - CMA-ES state as text, saved and loaded bit for bit. */
#include "opt/cmaes.h"

#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/cmaesint.h"
#include "opt/fields.h"

/* ---- save / load: "key value ..." lines (opt/fields.h) ---- */

/* The saved state of format version v after "dim" and "lambda", in
 * order; returns the count. */
static int fields(const struct pd_cmaes *c, int v, struct pd_field *f)
{
	size_t n = (size_t)c->n, nn = n * n, i = 0, np = (size_t)c->lambda + (size_t)pd_cmaes_i_nreev(c->lambda);

	f[i++] = PD_FIELD("sigma0", PD_F_DBL, &c->sigma0, 1);
	f[i++] = PD_FIELD("tolfun", PD_F_DBL, &c->tolfun, 1);
	f[i++] = PD_FIELD("tolx", PD_F_DBL, &c->tolx, 1);
	f[i++] = PD_FIELD("sigma", PD_F_DBL, &c->sigma, 1);
	f[i++] = PD_FIELD("evals", PD_F_LL, &c->evals, 1);
	f[i++] = PD_FIELD("eigeneval", PD_F_LL, &c->eigeneval, 1);
	f[i++] = PD_FIELD("iter", PD_F_LL, &c->iter, 1);
	f[i++] = PD_FIELD("gen", PD_F_LL, &c->gen, 1);
	f[i++] = PD_FIELD("nonfinite", PD_F_LL, &c->nonfinite, 1);
	f[i++] = PD_FIELD("restarts", PD_F_INT, &c->restarts, 1);
	f[i++] = PD_FIELD("mode", PD_F_INT, &c->mode, 1);
	f[i++] = PD_FIELD("lambda_def", PD_F_INT, &c->lambda_def, 1);
	f[i++] = PD_FIELD("nlarge", PD_F_INT, &c->nlarge, 1);
	f[i++] = PD_FIELD("regime", PD_F_INT, &c->regime, 1);
	f[i++] = PD_FIELD("sigma_def", PD_F_DBL, &c->sigma_def, 1);
	f[i++] = PD_FIELD("budget", PD_F_LL, c->budget, 2);
	f[i++] = PD_FIELD("run_start", PD_F_LL, &c->run_start, 1);
	f[i++] = PD_FIELD("maxgen", PD_F_LL, &c->maxgen, 1);
	f[i++] = PD_FIELD("uh", PD_F_INT, &c->uh, 1);
	f[i++] = PD_FIELD("nreev", PD_F_INT, &c->nreev, 1);
	f[i++] = PD_FIELD("uh_s", PD_F_DBL, &c->uh_s, 1);
	f[i++] = PD_FIELD("uh_evals", PD_F_DBL, &c->uh_evals, 1);
	i += (size_t)pd_fields_rng(f + i, &c->rng);
	f[i++] = PD_FIELD("asked", PD_F_INT, &c->asked, 1);
	f[i++] = PD_FIELD("best_f", PD_F_DBL, &c->best_f, 1);
	if (v >= 3)
		f[i++] = PD_FIELD("best_regime", PD_F_INT, &c->best_regime, 1);
	f[i++] = PD_FIELD("fworst", PD_F_DBL, &c->fworst, 1);
	f[i++] = PD_FIELD("hist_n", PD_F_INT, &c->hist_n, 1);
	f[i++] = PD_FIELD("hist_pos", PD_F_INT, &c->hist_pos, 1);
	i += (size_t)pd_fields_box(f + i, c->lo, c->hi, c->min, c->max, c->best_x, n);
	f[i++] = PD_FIELD("mean", PD_F_DBL, c->mean, n);
	f[i++] = PD_FIELD("pc", PD_F_DBL, c->pc, n);
	f[i++] = PD_FIELD("ps", PD_F_DBL, c->ps, n);
	f[i++] = PD_FIELD("D", PD_F_DBL, c->D, n);
	f[i++] = PD_FIELD("stds", PD_F_DBL, c->stds, n);
	f[i++] = PD_FIELD("C", PD_F_DBL, c->C, nn);
	f[i++] = PD_FIELD("B", PD_F_DBL, c->B, nn);
	f[i++] = PD_FIELD("invsqrtc", PD_F_DBL, c->invsqrtc, nn);
	f[i++] = PD_FIELD("hist", PD_F_DBL, c->hist, (size_t)c->histlen);
	f[i++] = PD_FIELD("arx", PD_F_DBL, c->arx, np * (size_t)c->uh_k * n);
	return (int)i;
}

#define NFIELDS 50
#define VERSION 3 /* 3: best_regime (NBIPOP); 2 still loads */

void pd_cmaes_save(const struct pd_cmaes *c, struct pd_buf *out)
{
	struct pd_field f[NFIELDS];
	int nf = fields(c, VERSION, f);

	pd_buf_addf(out, "pd-cmaes-state %d\ndim %d\nlambda %d\ncopies %d\n", VERSION, c->n, c->lambda,
		    c->uh_k);
	pd_fields_put(out, f, nf);
}

/* Consistency of a loaded state: what the code relies on to be safe. */
static int check_loaded(const struct pd_cmaes *c, char *err)
{
	int i;

	if (pd_cmaes_i_check_args(c->n, c->lo, c->hi, c->min, c->max, c->sigma0, c->lambda, err) < 0)
		return -1;
	if (c->hist_n > c->histlen || c->hist_pos >= c->histlen || c->rng.has_spare > 1 ||
	    c->asked > 1 || !(c->sigma > 0) || !(c->sigma0 > 0) || !(c->sigma_def > 0) ||
	    !(c->rng.s[0] | c->rng.s[1] | c->rng.s[2] | c->rng.s[3]) || c->mode > 2 || c->regime > 1 ||
	    c->best_regime < -1 || c->best_regime > 1 ||
	    c->uh > 1 || c->nreev != (c->uh ? pd_cmaes_i_nreev(c->lambda) : 0) ||
	    c->lambda_def < 2 || c->lambda_def > PD_CMAES_MAXLAMBDA || c->nlarge > 30 ||
	    !(c->uh_evals >= 1 && c->uh_evals <= PD_CMAES_UH_MAXCOPIES) || c->uh_k != (int)c->uh_evals)
		return pd_err(err, "cmaes state: inconsistent values"), -1;
	for (i = 0; i < c->n; i++)
		if (!(c->stds[i] > 0 && c->stds[i] <= 1))
			return pd_err(err, "cmaes state: inconsistent values"), -1;
	return 0;
}

int pd_cmaes_load(struct pd_cmaes *c, const char *text, size_t len, char *err)
{
	struct pd_rd r;
	struct pd_field f[NFIELDS];
	const char *save, *tok;
	size_t toklen;
	int v;

	memset(c, 0, sizeof(*c));
	pd_rd_init(&r, text, len, "cmaes", err);
	pd_rd_key(&r, "pd-cmaes-state");
	/* version 1: before the box transformation, BIPOP and UH */
	save = r.p;
	if (!r.bad && (tok = pd_rd_tok(&r, &toklen)) && toklen == 1 && *tok == '1')
		return pd_err(err, "cmaes state: version 1, saved by an older pd-opt (this one reads 2 and 3)"), -1;
	r.p = save;
	v = (int)pd_rd_int(&r, "version", 2, VERSION);
	pd_rd_key(&r, "dim");
	c->n = (int)pd_rd_int(&r, "dim", 1, PD_CMAES_MAXDIM);
	pd_rd_key(&r, "lambda");
	c->lambda = (int)pd_rd_int(&r, "lambda", 2, PD_CMAES_MAXLAMBDA);
	pd_rd_key(&r, "copies");
	c->uh_k = (int)pd_rd_int(&r, "copies", 1, PD_CMAES_UH_MAXCOPIES);
	/* Every saved double takes 17 bytes: the text caps the allocation. */
	if (!r.bad && ((size_t)c->lambda * (size_t)c->uh_k + 4 * (size_t)c->n) * (size_t)c->n > len / 17)
		pd_rd_fail(&r, "state (too short)");
	if (r.bad)
		return -1;
	pd_cmaes_i_alloc_dim(c);
	pd_cmaes_i_alloc_lambda(c);
	c->best_regime = -1; /* version 2 did not keep it: NBIPOP did not exist */
	if (pd_fields_get(&r, f, fields(c, v, f)) < 0 || pd_rd_end(&r) < 0 || check_loaded(c, err) < 0) {
		pd_cmaes_release(c);
		return -1;
	}
	pd_cmaes_i_set_ybounds(c);
	return 0;
}
