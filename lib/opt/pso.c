/* pso.c - global-best particle swarm optimisation: seeded ask/tell, exact save/load. */
#include "opt/pso.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/fields.h"
#include "opt/rng.h"
#include "xmalloc.h"

#define DEF_PARTICLES 40
#define DEF_OMEGA 0.7298
#define DEF_C 1.49618

/*
 * The swarm.  Positions are kept in user coordinates (the update is
 * equivariant under per-coordinate affine maps, so nothing is gained by
 * normalising, and clamping to a bound stays exact).
 */
struct pd_pso {
	int n, np, rule;
	double omega, cl, cg;
	double *lo, *hi, *min, *max;	/* n each */
	double *x, *v, *p;		/* np * n: positions, velocities, own bests */
	double *pf;			/* np: own best values (INFINITY: none yet) */
	double *best_x, best_f;		/* the swarm's best ever */
	long long evals, iter, nonfinite;
	struct pd_rng rng;
};

/* Check the parameters after defaults are filled in; 0 or -1 with err. */
static int check_params(int n, int np, double omega, double cl, double cg, int rule, char *err)
{
	if (n < 1 || n > PD_PSO_MAXDIM)
		return pd_err(err, "dimension %d out of range 1..%d", n, PD_PSO_MAXDIM), -1;
	if (np < 1 || np > PD_PSO_MAXPARTICLES)
		return pd_err(err, "particles %d out of range 1..%d", np, PD_PSO_MAXPARTICLES), -1;
	if ((long long)np * n > PD_PSO_MAXSIZE)
		return pd_err(err, "particles * dimension over %d", PD_PSO_MAXSIZE), -1;
	if (!(omega >= 0 && omega < 2))
		return pd_err(err, "pso omega %g out of range [0, 2)", omega), -1;
	if (!(cl >= 0 && cl <= 10) || !(cg >= 0 && cg <= 10))
		return pd_err(err, "pso cl %g / cg %g out of range [0, 10]", cl, cg), -1;
	if (rule != PD_PSO_LINEAR && rule != PD_PSO_CLASSIC)
		return pd_err(err, "pso update rule %d unknown", rule), -1;
	return 0;
}

/* Allocate a swarm whose sizes, coefficients and box are set. */
static struct pd_pso *alloc_swarm(int n, int np)
{
	struct pd_pso *p = pd_xcalloc(1, sizeof(*p));
	size_t sz = (size_t)n * (size_t)np;

	p->n = n;
	p->np = np;
	p->x = pd_xcalloc(sz, sizeof(double));
	p->v = pd_xcalloc(sz, sizeof(double));
	p->p = pd_xcalloc(sz, sizeof(double));
	p->pf = pd_xcalloc((size_t)np, sizeof(double));
	p->best_x = pd_xcalloc((size_t)n, sizeof(double));
	return p;
}

void pd_pso_free(struct pd_pso *p)
{
	if (!p)
		return;
	free(p->lo), free(p->hi), free(p->min), free(p->max);
	free(p->x), free(p->v), free(p->p), free(p->pf), free(p->best_x);
	free(p);
}

/* First positions uniform in [lo, hi], velocities (u - x) / 2 (SPSO-2007). */
static void init_swarm(struct pd_pso *p)
{
	int n = p->n, k, i;
	double *x, w;

	for (k = 0; k < p->np; k++)
		for (i = 0, x = p->x + (size_t)k * n; i < n; i++)
			x[i] = p->lo[i] + (p->hi[i] - p->lo[i]) * pd_rng_unif(&p->rng);
	for (k = 0; k < p->np; k++)
		for (i = 0, x = p->x + (size_t)k * n; i < n; i++) {
			w = p->hi[i] - p->lo[i];
			p->v[(size_t)k * n + i] = (p->lo[i] + w * pd_rng_unif(&p->rng) - x[i]) / 2;
		}
	memcpy(p->p, p->x, (size_t)n * p->np * sizeof(double));
	for (k = 0; k < p->np; k++)
		p->pf[k] = INFINITY;
	for (i = 0; i < n; i++)
		p->best_x[i] = p->lo[i] + (p->hi[i] - p->lo[i]) / 2;
	p->best_f = INFINITY;
}

struct pd_pso *pd_pso_new(int dim, const double *lo, const double *hi, const double *min,
			  const double *max, const struct pd_pso_params *par, uint64_t seed, char *err)
{
	struct pd_pso_params d = {0, 0, 0, 0};
	struct pd_pso *p;

	if (par)
		d = *par;
	d.particles = d.particles ? d.particles : DEF_PARTICLES;
	d.omega = d.omega != 0 ? d.omega : DEF_OMEGA;
	d.cl = d.cl != 0 ? d.cl : DEF_C;
	d.cg = d.cg != 0 ? d.cg : DEF_C;
	if (check_params(dim, d.particles, d.omega, d.cl, d.cg, PD_PSO_LINEAR, err) < 0 ||
	    pd_opt_check_box(dim, lo, hi, min, max, err) < 0)
		return NULL;
	p = alloc_swarm(dim, d.particles);
	p->omega = d.omega, p->cl = d.cl, p->cg = d.cg, p->rule = PD_PSO_LINEAR;
	pd_opt_copy_box(dim, lo, hi, min, max, &p->lo, &p->hi, &p->min, &p->max);
	pd_rng_seed(&p->rng, seed);
	init_swarm(p);
	return p;
}

int pd_pso_set_rule(struct pd_pso *p, int rule, char *err)
{
	if (rule != PD_PSO_LINEAR && rule != PD_PSO_CLASSIC)
		return pd_err(err, "pso update rule %d unknown", rule), -1;
	p->rule = rule;
	return 0;
}

int pd_pso_set_x0(struct pd_pso *p, const double *x0, char *err)
{
	if (pd_opt_check_start(p->n, x0, p->min, p->max, err))
		return -1;
	memcpy(p->x, x0, (size_t)p->n * sizeof(double));
	memcpy(p->p, x0, (size_t)p->n * sizeof(double));
	return 0;
}

int pd_pso_npoints(const struct pd_pso *p) { return p->np; }

void pd_pso_ask(struct pd_pso *p, double *x)
{
	memcpy(x, p->x, (size_t)p->n * p->np * sizeof(double));
}

/* Take the values: own bests, then the swarm's best (lowest index wins ties). */
static void update_bests(struct pd_pso *p, const double *f)
{
	int n = p->n, k, b = -1;

	for (k = 0; k < p->np; k++) {
		if (!isfinite(f[k]))
			p->nonfinite++;
		else if (f[k] < p->pf[k]) {
			p->pf[k] = f[k];
			memcpy(p->p + (size_t)k * n, p->x + (size_t)k * n, (size_t)n * sizeof(double));
		}
	}
	for (k = 0; k < p->np; k++)
		if (p->pf[k] < (b < 0 ? p->best_f : p->pf[b]))
			b = k;
	if (b >= 0) {
		p->best_f = p->pf[b];
		memcpy(p->best_x, p->p + (size_t)b * n, (size_t)n * sizeof(double));
	}
}

/* Move particle k one step (see pso.h for the rule and the confinement). */
static void move(struct pd_pso *p, int k)
{
	int n = p->n, i;
	double *x = p->x + (size_t)k * n, *v = p->v + (size_t)k * n, *pb = p->p + (size_t)k * n;
	const double *g = isfinite(p->best_f) ? p->best_x : pb;
	double r1 = 0, r2 = 0, vmax;

	if (p->rule == PD_PSO_LINEAR)
		r1 = pd_rng_unif(&p->rng), r2 = pd_rng_unif(&p->rng);
	for (i = 0; i < n; i++) {
		if (p->rule == PD_PSO_CLASSIC)
			r1 = pd_rng_unif(&p->rng), r2 = pd_rng_unif(&p->rng);
		v[i] = p->omega * v[i] + p->cl * r1 * (pb[i] - x[i]) + p->cg * r2 * (g[i] - x[i]);
		vmax = p->hi[i] - p->lo[i];
		v[i] = v[i] > vmax ? vmax : v[i] < -vmax ? -vmax : v[i];
		x[i] += v[i];
		if (x[i] < p->min[i] || x[i] > p->max[i])
			x[i] = pd_opt_reflect(x[i], p->min[i], p->max[i]), v[i] = -v[i];
	}
}

void pd_pso_tell(struct pd_pso *p, const double *f)
{
	int k;

	update_bests(p, f);
	p->evals += p->np;
	p->iter++;
	for (k = 0; k < p->np; k++)
		move(p, k);
}

PD_ASKTELL_DEFINE_TALLY(pd_pso, struct pd_pso)

double pd_pso_spread(const struct pd_pso *p)
{
	int n = p->n, k, i;
	double s = 0, m, d;

	for (i = 0; i < n; i++) {
		for (k = 0, m = 0; k < p->np; k++)
			m += p->x[(size_t)k * n + i];
		m /= p->np;
		for (k = 0; k < p->np; k++) {
			d = (p->x[(size_t)k * n + i] - m) / (p->hi[i] - p->lo[i]);
			s += d * d;
		}
	}
	return sqrt(s / p->np);
}

/* ---- save / load ---- */

#define NFIELDS 24

/* The saved state after "dim" and "particles", in order; returns the count. */
static int fields(const struct pd_pso *p, struct pd_field *f)
{
	size_t n = (size_t)p->n, sz = n * (size_t)p->np;
	int i = 0;

	f[i++] = PD_FIELD("rule", PD_F_INT, &p->rule, 1);
	f[i++] = PD_FIELD("omega", PD_F_DBL, &p->omega, 1);
	f[i++] = PD_FIELD("cl", PD_F_DBL, &p->cl, 1);
	f[i++] = PD_FIELD("cg", PD_F_DBL, &p->cg, 1);
	i += pd_fields_counts(f + i, &p->evals, &p->iter, &p->nonfinite);
	i += pd_fields_rng(f + i, &p->rng);
	f[i++] = PD_FIELD("best_f", PD_F_DBL, &p->best_f, 1);
	i += pd_fields_box(f + i, p->lo, p->hi, p->min, p->max, p->best_x, n);
	f[i++] = PD_FIELD("pf", PD_F_DBL, p->pf, (size_t)p->np);
	f[i++] = PD_FIELD("x", PD_F_DBL, p->x, sz);
	f[i++] = PD_FIELD("v", PD_F_DBL, p->v, sz);
	f[i++] = PD_FIELD("p", PD_F_DBL, p->p, sz);
	return i;
}

void pd_pso_save(const struct pd_pso *p, struct pd_buf *out)
{
	struct pd_field f[NFIELDS];

	pd_buf_addf(out, "pd-pso-state 1\ndim %d\nparticles %d\n", p->n, p->np);
	pd_fields_put(out, f, fields(p, f));
}

/* Consistency of a loaded swarm: what the code relies on to be safe. */
static int check_loaded(const struct pd_pso *p, char *err)
{
	size_t k, sz = (size_t)p->n * p->np;

	if (check_params(p->n, p->np, p->omega, p->cl, p->cg, p->rule, err) < 0 ||
	    pd_opt_check_box(p->n, p->lo, p->hi, p->min, p->max, err) < 0)
		return -1;
	for (k = 0; k < sz; k++)
		if (!(p->x[k] >= p->min[k % p->n] && p->x[k] <= p->max[k % p->n]) ||
		    !isfinite(p->x[k]) || !isfinite(p->v[k]))
			return pd_err(err, "pso state: particle %zu outside the bounds", k / p->n + 1), -1;
	if (p->rng.has_spare > 1 || !(p->rng.s[0] | p->rng.s[1] | p->rng.s[2] | p->rng.s[3]))
		return pd_err(err, "pso state: inconsistent values"), -1;
	return 0;
}

struct pd_pso *pd_pso_load(const char *text, size_t len, char *err)
{
	struct pd_rd r;
	struct pd_field f[NFIELDS];
	struct pd_pso *p;
	int n, np;

	pd_rd_init(&r, text, len, "pso", err);
	pd_rd_key(&r, "pd-pso-state");
	pd_rd_key(&r, "1");
	pd_rd_key(&r, "dim");
	n = (int)pd_rd_int(&r, "dim", 1, PD_PSO_MAXDIM);
	pd_rd_key(&r, "particles");
	np = (int)pd_rd_int(&r, "particles", 1, PD_PSO_MAXPARTICLES);
	/* Every saved double takes 17 bytes: the text caps the allocation. */
	if (!r.bad && (long long)np * n > PD_PSO_MAXSIZE)
		pd_rd_fail(&r, "particles (too many)");
	if (!r.bad && 3 * (size_t)np * (size_t)n > len / 17)
		pd_rd_fail(&r, "state (too short)");
	if (r.bad)
		return NULL;
	p = alloc_swarm(n, np);
	p->lo = pd_xcalloc((size_t)n, sizeof(double));
	p->hi = pd_xcalloc((size_t)n, sizeof(double));
	p->min = pd_xcalloc((size_t)n, sizeof(double));
	p->max = pd_xcalloc((size_t)n, sizeof(double));
	if (pd_fields_get(&r, f, fields(p, f)) < 0 || pd_rd_end(&r) < 0 || check_loaded(p, err) < 0) {
		pd_pso_free(p);
		return NULL;
	}
	return p;
}
