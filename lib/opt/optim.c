/* optim.c - dispatch to CMA-ES, PSO or the island GA behind one interface. */
#include "opt/optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/cmaes.h"
#include "opt/ga.h"
#include "opt/pso.h"
#include "xmalloc.h"

struct pd_optim {
	enum pd_algo algo;
	int dim, restarts_left;
	struct pd_cmaes *cma;
	struct pd_pso *pso;
	struct pd_ga *ga;
	double *x; /* the asked points */
	size_t xcap;
};

static const char *const algo_names[] = {"cmaes", "pso", "ga"};

const char *pd_optim_algo_name(enum pd_algo a) { return algo_names[a]; }

int pd_optim_algo_parse(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, algo_names[i]))
			return i;
	return -1;
}

/* A zeroed optimiser shell. */
static struct pd_optim *shell(enum pd_algo algo)
{
	struct pd_optim *o = pd_xcalloc(1, sizeof *o);

	o->algo = algo;
	return o;
}

/* Set up the CMA-ES of o; 0 or -1 with err. */
static int new_cmaes(struct pd_optim *o, const struct pd_params *p, const struct pd_optim_conf *k, char *err)
{
	o->cma = pd_xcalloc(1, sizeof *o->cma);
	o->restarts_left = k->restarts;
	if (pd_cmaes_init(o->cma, p->dim, p->lo, p->hi, p->min, p->max, k->sigma0, k->popsize, k->seed, err))
		return -1;
	pd_cmaes_set_restart_mode(o->cma, (enum pd_cmaes_restart_mode)k->restart_mode);
	pd_cmaes_set_noise(o->cma, k->noise);
	return pd_cmaes_start(o->cma, k->x0, k->step, err);
}

struct pd_optim *pd_optim_new(const struct pd_params *p, const struct pd_optim_conf *k, char *err)
{
	struct pd_optim *o = shell(k->algo);
	int rc = 0;

	o->dim = p->dim;
	if (k->algo == PD_ALGO_CMAES)
		rc = new_cmaes(o, p, k, err);
	else if (k->algo == PD_ALGO_PSO) {
		struct pd_pso_params pp = {k->popsize, k->omega, k->cl, k->cg};

		o->pso = pd_pso_new(p->dim, p->lo, p->hi, p->min, p->max, &pp, k->seed, err);
		rc = o->pso ? 0 : -1;
		if (!rc)
			rc = pd_pso_set_rule(o->pso, k->pso_rule, err);
		if (!rc && k->x0)
			rc = pd_pso_set_x0(o->pso, k->x0, err);
	} else {
		struct pd_ga_params gp = {k->islands, k->popsize, k->elite, k->crossover, k->mutation,
					  k->migration_interval, k->migration_proportion};

		o->ga = pd_ga_new(p->dim, p->lo, p->hi, p->min, p->max, &gp, k->seed, err);
		rc = o->ga ? 0 : -1;
		if (!rc && k->x0)
			rc = pd_ga_set_x0(o->ga, k->x0, err);
	}
	if (rc) {
		pd_optim_free(o);
		return NULL;
	}
	return o;
}

void pd_optim_free(struct pd_optim *o)
{
	if (!o)
		return;
	if (o->cma)
		pd_cmaes_release(o->cma);
	free(o->cma);
	pd_pso_free(o->pso);
	pd_ga_free(o->ga);
	free(o->x);
	free(o);
}

enum pd_algo pd_optim_algo(const struct pd_optim *o) { return o->algo; }
int pd_optim_dim(const struct pd_optim *o) { return o->dim; }

int pd_optim_npoints(const struct pd_optim *o)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: return pd_cmaes_npoints(o->cma);
	case PD_ALGO_PSO: return pd_pso_npoints(o->pso);
	default: return pd_ga_npoints(o->ga);
	}
}

const double *pd_optim_ask(struct pd_optim *o)
{
	size_t need = (size_t)pd_optim_npoints(o) * (size_t)o->dim;

	if (need > o->xcap) {
		free(o->x);
		o->x = pd_xmalloc(sizeof *o->x * need);
		o->xcap = need;
	}
	switch (o->algo) {
	case PD_ALGO_CMAES: pd_cmaes_ask(o->cma, o->x); break;
	case PD_ALGO_PSO: pd_pso_ask(o->pso, o->x); break;
	default: pd_ga_ask(o->ga, o->x);
	}
	return o->x;
}

void pd_optim_tell(struct pd_optim *o, const double *f)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: pd_cmaes_tell(o->cma, f); break;
	case PD_ALGO_PSO: pd_pso_tell(o->pso, f); break;
	default: pd_ga_tell(o->ga, f);
	}
}

const char *pd_optim_converged(struct pd_optim *o, int *restarted, char *err)
{
	enum pd_cmaes_stop s;
	int large, rc;

	*restarted = 0;
	if (o->algo != PD_ALGO_CMAES || (s = pd_cmaes_stop(o->cma)) == PD_CMAES_GOING)
		return NULL;
	rc = pd_cmaes_restart_next(o->cma, o->restarts_left, &large, err);
	if (rc < 0)
		return "restart failed";
	if (rc > 0)
		return pd_cmaes_stop_name(s);
	o->restarts_left -= large;
	*restarted = 1;
	return NULL;
}

double pd_optim_best(const struct pd_optim *o, double *x)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: return pd_cmaes_best(o->cma, x);
	case PD_ALGO_PSO: return pd_pso_best(o->pso, x);
	default: return pd_ga_best(o->ga, x);
	}
}

long long pd_optim_evals(const struct pd_optim *o)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: return pd_cmaes_evals(o->cma);
	case PD_ALGO_PSO: return pd_pso_evals(o->pso);
	default: return pd_ga_evals(o->ga);
	}
}

long long pd_optim_iter(const struct pd_optim *o)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: return pd_cmaes_iter(o->cma);
	case PD_ALGO_PSO: return pd_pso_iter(o->pso);
	default: return pd_ga_iter(o->ga);
	}
}

long long pd_optim_nonfinite(const struct pd_optim *o)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: return pd_cmaes_nonfinite(o->cma);
	case PD_ALGO_PSO: return pd_pso_nonfinite(o->pso);
	default: return pd_ga_nonfinite(o->ga);
	}
}

int pd_optim_restarts(const struct pd_optim *o) { return o->cma ? pd_cmaes_restarts(o->cma) : 0; }

const char *pd_optim_regime(const struct pd_optim *o)
{
	if (!o->cma || o->cma->mode == PD_CMAES_IPOP)
		return NULL;
	return o->cma->regime ? "large" : "small";
}

double pd_optim_step(const struct pd_optim *o)
{
	switch (o->algo) {
	case PD_ALGO_CMAES: return pd_cmaes_sigma(o->cma);
	case PD_ALGO_PSO: return pd_pso_spread(o->pso);
	default: return pd_ga_spread(o->ga);
	}
}

void pd_optim_save(const struct pd_optim *o, struct pd_buf *out)
{
	pd_buf_addf(out, "pd-optim 1\nalgo %s\ndim %d\nrestarts_left %d\n", algo_names[o->algo], o->dim,
		    o->restarts_left);
	switch (o->algo) {
	case PD_ALGO_CMAES: pd_cmaes_save(o->cma, out); break;
	case PD_ALGO_PSO: pd_pso_save(o->pso, out); break;
	default: pd_ga_save(o->ga, out);
	}
}

/* Build the algorithm of o from its saved text; 0 or -1 with err. */
static int load_algo(struct pd_optim *o, const char *text, size_t len, char *err)
{
	if (o->algo == PD_ALGO_CMAES) {
		o->cma = pd_xcalloc(1, sizeof *o->cma);
		if (pd_cmaes_load(o->cma, text, len, err))
			return -1;
		if (o->cma->n != o->dim)
			return pd_err(err, "optimiser state: CMA-ES of %d parameters, header says %d", o->cma->n, o->dim), -1;
	} else if (o->algo == PD_ALGO_PSO) {
		if (!(o->pso = pd_pso_load(text, len, err)))
			return -1;
	} else if (!(o->ga = pd_ga_load(text, len, err)))
		return -1;
	return 0;
}

struct pd_optim *pd_optim_load(const char *text, size_t len, char *err)
{
	char algo[16], *body;
	struct pd_optim *o;
	int left, dim, used = 0, a;
	struct pd_buf t = PD_BUF_INIT;

	pd_buf_add(&t, text, len); /* NUL-terminated for sscanf */
	if (sscanf(t.data, "pd-optim 1\nalgo %15s\ndim %d\nrestarts_left %d\n%n", algo, &dim, &left, &used) != 3 ||
	    !used || (a = pd_optim_algo_parse(algo)) < 0 || left < 0 || dim < 1 || dim > PD_PARAM_MAX) {
		pd_buf_release(&t);
		pd_err(err, "not a pd-opt optimiser state (bad header)");
		return NULL;
	}
	o = shell((enum pd_algo)a);
	o->restarts_left = left;
	o->dim = dim;
	body = t.data + used;
	if (load_algo(o, body, t.len - (size_t)used, err)) {
		pd_buf_release(&t);
		pd_optim_free(o);
		return NULL;
	}
	pd_buf_release(&t);
	return o;
}
