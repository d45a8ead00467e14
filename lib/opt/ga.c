/* ga.c - island genetic algorithm: seeded ask/tell, ring migration, exact save/load. */
#include "opt/ga.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "opt/fields.h"
#include "opt/rank.h"
#include "opt/rng.h"
#include "xmalloc.h"

#define DEF_POPSIZE 100
#define DEF_ELITE PD_GA_ELITE_DEFAULT
#define DEF_CROSSOVER PD_GA_CROSSOVER_DEFAULT
#define DEF_MIGRATION_INTERVAL 20
#define DEF_MIGRATION_PROPORTION 0.2
#define BLX_ALPHA 0.5
#define SIGMA0 0.1
#define SIGMA_MIN 1e-12
#define SIGMA_MAX 1.0
#define SUCCESS_FACTOR 0.85 /* sigma change per generation, 1/5 rule */

/*
 * The islands.  Individuals are kept in user coordinates (the operators
 * scale their steps by hi - lo), island-major: individual j of island k
 * is row k * popsize + j of x.
 */
struct pd_ga {
	int n, islands, pop;
	int nelite, ncross, nmigr, mig_interval;
	double elite, crossover, mutation, mig_prop; /* as given or defaulted */
	double *lo, *hi, *min, *max;	/* n each */
	double *x;			/* islands * pop * n: the generation asked */
	double *pf;			/* islands * pop: a mutant's parent's value (finite), NaN otherwise */
	double *sigma;			/* islands: mutation step, units of hi - lo */
	struct pd_rng *rng;		/* islands */
	double *best_x, best_f;
	long long evals, iter, nonfinite;
	/* scratch for tell */
	double *f, *nx, *npf, *migx, *migf;
	int *order;
};

/* ---- set-up ---- */

/* Fill in the defaults and check the parameters; 0 or -1 with err. */
static int resolve_params(int n, struct pd_ga_params *p, char *err)
{
	double e = p->elite, c = p->crossover, m = p->mutation;

	p->islands = p->islands ? p->islands : 1;
	p->popsize = p->popsize ? p->popsize : DEF_POPSIZE;
	p->migration_interval = p->migration_interval ? p->migration_interval : DEF_MIGRATION_INTERVAL;
	if (!(p->migration_proportion > 0))
		p->migration_proportion = p->migration_proportion == p->migration_proportion
						  ? DEF_MIGRATION_PROPORTION : NAN;
	if ((e == 0 && c == 0 && m == 0) || (e < 0 && c < 0 && m < 0))
		e = p->elite = DEF_ELITE, c = p->crossover = DEF_CROSSOVER,
		m = p->mutation = 1 - DEF_ELITE - DEF_CROSSOVER;
	if (n < 1 || n > PD_GA_MAXDIM)
		return pd_err(err, "dimension %d out of range 1..%d", n, PD_GA_MAXDIM), -1;
	if (p->islands < 1 || p->islands > PD_GA_MAXISLANDS)
		return pd_err(err, "islands %d out of range 1..%d", p->islands, PD_GA_MAXISLANDS), -1;
	if (p->popsize < 2 || p->popsize > PD_GA_MAXPOINTS)
		return pd_err(err, "population %d out of range 2..%d", p->popsize, PD_GA_MAXPOINTS), -1;
	if ((long long)p->islands * p->popsize > PD_GA_MAXPOINTS ||
	    (long long)p->islands * p->popsize * n > PD_GA_MAXSIZE)
		return pd_err(err, "islands * population * dimension too large"), -1;
	if (!(e >= 0 && c >= 0 && m >= 0) || !(fabs(e + c + m - 1) <= 1e-9))
		return pd_err(err, "ga proportions elite %g, crossover %g, mutation %g: each must be "
			      "at least 0 and they must sum to 1", e, c, m), -1;
	if (p->migration_interval < 1)
		return pd_err(err, "migration interval %d: must be at least 1", p->migration_interval), -1;
	if (!(p->migration_proportion <= 1))
		return pd_err(err, "migration proportion %g out of range (0, 1]",
			      p->migration_proportion), -1;
	return 0;
}

/* The operator counts of a generation, from the proportions. */
static void set_counts(struct pd_ga *g)
{
	g->nelite = (int)ceil(g->elite * g->pop - 1e-9);
	g->nelite = g->nelite > g->pop ? g->pop : g->nelite;
	g->ncross = (int)floor(g->crossover * g->pop + 1e-9);
	g->ncross = g->ncross > g->pop - g->nelite ? g->pop - g->nelite : g->ncross;
	g->nmigr = (int)ceil(g->mig_prop * g->pop - 1e-9);
	g->nmigr = g->nmigr < 1 ? 1 : g->nmigr > g->pop ? g->pop : g->nmigr;
}

/* Allocate the arrays for n, islands and pop (set in g). */
static void alloc_arrays(struct pd_ga *g)
{
	size_t n = (size_t)g->n, np = (size_t)g->islands * g->pop, k = (size_t)g->islands;

	g->lo = pd_xcalloc(n, sizeof(double)), g->hi = pd_xcalloc(n, sizeof(double));
	g->min = pd_xcalloc(n, sizeof(double)), g->max = pd_xcalloc(n, sizeof(double));
	g->x = pd_xcalloc(np * n, sizeof(double));
	g->pf = pd_xcalloc(np, sizeof(double));
	g->sigma = pd_xcalloc(k, sizeof(double));
	g->rng = pd_xcalloc(k, sizeof(*g->rng));
	g->best_x = pd_xcalloc(n, sizeof(double));
	g->f = pd_xcalloc(np, sizeof(double));
	g->nx = pd_xcalloc((size_t)g->pop * n, sizeof(double));
	g->npf = pd_xcalloc((size_t)g->pop, sizeof(double));
	g->migx = pd_xcalloc(np * n, sizeof(double));
	g->migf = pd_xcalloc(np, sizeof(double));
	g->order = pd_xcalloc((size_t)g->pop, sizeof(int));
}

void pd_ga_free(struct pd_ga *g)
{
	if (!g)
		return;
	free(g->lo), free(g->hi), free(g->min), free(g->max), free(g->x), free(g->pf);
	free(g->sigma), free(g->rng), free(g->best_x), free(g->f), free(g->nx), free(g->npf);
	free(g->migx), free(g->migf), free(g->order);
	free(g);
}

/* Generation 0: every island uniform in [lo, hi] from its own stream. */
static void init_islands(struct pd_ga *g, uint64_t seed)
{
	int n = g->n, k, j, i;
	double *x;

	for (k = 0; k < g->islands; k++) {
		pd_rng_seed(&g->rng[k], pd_rng_derive(seed, (uint64_t)k));
		g->sigma[k] = SIGMA0;
		for (j = 0; j < g->pop; j++) {
			x = g->x + ((size_t)k * g->pop + j) * n;
			for (i = 0; i < n; i++)
				x[i] = g->lo[i] + (g->hi[i] - g->lo[i]) * pd_rng_unif(&g->rng[k]);
			g->pf[(size_t)k * g->pop + j] = NAN;
		}
	}
	for (i = 0; i < n; i++)
		g->best_x[i] = g->lo[i] + (g->hi[i] - g->lo[i]) / 2;
	g->best_f = INFINITY;
}

struct pd_ga *pd_ga_new(int dim, const double *lo, const double *hi, const double *min,
			const double *max, const struct pd_ga_params *par, uint64_t seed, char *err)
{
	struct pd_ga_params p = {0, 0, 0, 0, 0, 0, 0};
	struct pd_ga *g;

	if (par)
		p = *par;
	if (resolve_params(dim, &p, err) < 0 || pd_opt_check_box(dim, lo, hi, min, max, err) < 0)
		return NULL;
	g = pd_xcalloc(1, sizeof(*g));
	g->n = dim, g->islands = p.islands, g->pop = p.popsize;
	g->elite = p.elite, g->crossover = p.crossover, g->mutation = p.mutation;
	g->mig_interval = p.migration_interval, g->mig_prop = p.migration_proportion;
	set_counts(g);
	alloc_arrays(g);
	free(g->lo), free(g->hi), free(g->min), free(g->max);
	pd_opt_copy_box(dim, lo, hi, min, max, &g->lo, &g->hi, &g->min, &g->max);
	init_islands(g, seed);
	return g;
}

int pd_ga_set_x0(struct pd_ga *g, const double *x0, char *err)
{
	if (pd_opt_check_start(g->n, x0, g->min, g->max, err))
		return -1;
	memcpy(g->x, x0, (size_t)g->n * sizeof(double));
	return 0;
}

int pd_ga_npoints(const struct pd_ga *g) { return g->islands * g->pop; }

void pd_ga_ask(struct pd_ga *g, double *x)
{
	memcpy(x, g->x, (size_t)g->islands * g->pop * g->n * sizeof(double));
}

/* ---- one generation ---- */

/* Rank island k: order[0] its best individual, order[pop - 1] its worst. */
static void rank_island(struct pd_ga *g, int k, int *order)
{
	struct pd_rank *r = pd_xcalloc((size_t)g->pop, sizeof(*r));
	const double *f = g->f + (size_t)k * g->pop;
	int j;

	for (j = 0; j < g->pop; j++)
		r[j] = (struct pd_rank){f[j], !isfinite(f[j]), j, 0};
	qsort(r, (size_t)g->pop, sizeof(*r), pd_rank_cmp);
	for (j = 0; j < g->pop; j++)
		order[j] = r[j].i;
	free(r);
}

/* Take the values: count non-finite ones, keep the best ever, and adapt
 * each island's sigma by the success of its mutants (1/5 rule): a mutant
 * succeeds when its value is finite and below its parent's. */
static void take_values(struct pd_ga *g, const double *f)
{
	size_t np = (size_t)g->islands * g->pop, j, b = np;
	int k, tried, won;

	memcpy(g->f, f, np * sizeof(double));
	for (j = 0; j < np; j++) {
		if (!isfinite(f[j]))
			g->nonfinite++;
		else if (f[j] < (b == np ? g->best_f : f[b]))
			b = j;
	}
	if (b < np) {
		g->best_f = f[b];
		memcpy(g->best_x, g->x + b * g->n, (size_t)g->n * sizeof(double));
	}
	for (k = 0; k < g->islands; k++) {
		for (j = (size_t)k * g->pop, tried = won = 0; j < (size_t)(k + 1) * g->pop; j++) {
			if (g->pf[j] != g->pf[j]) /* not a mutant */
				continue;
			tried++;
			won += isfinite(f[j]) && f[j] < g->pf[j];
		}
		if (tried && 5 * won > tried)
			g->sigma[k] = fmin(SIGMA_MAX, g->sigma[k] / SUCCESS_FACTOR);
		else if (tried && 5 * won < tried)
			g->sigma[k] = fmax(SIGMA_MIN, g->sigma[k] * SUCCESS_FACTOR);
	}
}

/* Ring migration: copies of every island's best first, then each
 * replaces the worst of the next island, values included. */
static void migrate(struct pd_ga *g)
{
	size_t n = (size_t)g->n, pop = (size_t)g->pop, m = (size_t)g->nmigr, j, src, dst;
	int k, to;

	for (k = 0; k < g->islands; k++) {
		rank_island(g, k, g->order);
		for (j = 0; j < m; j++) {
			src = (size_t)k * pop + (size_t)g->order[j];
			memcpy(g->migx + ((size_t)k * m + j) * n, g->x + src * n, n * sizeof(double));
			g->migf[(size_t)k * m + j] = g->f[src];
		}
	}
	for (k = 0; k < g->islands; k++) {
		to = (k + 1) % g->islands;
		rank_island(g, to, g->order);
		for (j = 0; j < m; j++) {
			dst = (size_t)to * pop + (size_t)g->order[pop - 1 - j];
			memcpy(g->x + dst * n, g->migx + ((size_t)k * m + j) * n, n * sizeof(double));
			g->f[dst] = g->migf[(size_t)k * m + j];
		}
	}
}

/* Binary tournament on the ranks: the better of two uniform draws. */
static int tournament(struct pd_rng *r, const int *order, int pop)
{
	uint64_t a = pd_rng_below(r, (uint64_t)pop), b = pd_rng_below(r, (uint64_t)pop);

	return order[a < b ? a : b];
}

/* Put coordinate i back inside the hard bounds by reflection off them. */
static double confine(const struct pd_ga *g, int i, double v)
{
	return pd_opt_reflect(v, g->min[i], g->max[i]);
}

/* A BLX-0.5 child of a and b into c. */
static void blend(const struct pd_ga *g, struct pd_rng *r, const double *a, const double *b, double *c)
{
	double l, h, d;
	int i;

	for (i = 0; i < g->n; i++) {
		l = fmin(a[i], b[i]), h = fmax(a[i], b[i]), d = h - l;
		c[i] = confine(g, i, l - BLX_ALPHA * d + (1 + 2 * BLX_ALPHA) * d * pd_rng_unif(r));
	}
}

/* A mutant of a into c: a normal step of sigma (hi - lo) per coordinate. */
static void mutate(const struct pd_ga *g, struct pd_rng *r, double sigma, const double *a, double *c)
{
	int i;

	for (i = 0; i < g->n; i++)
		c[i] = confine(g, i, a[i] + sigma * (g->hi[i] - g->lo[i]) * pd_rng_gauss(r));
}

/* Breed island k's next generation from its ranked current one. */
static void breed(struct pd_ga *g, int k)
{
	struct pd_rng *r = &g->rng[k];
	size_t n = (size_t)g->n, base = (size_t)k * g->pop;
	double *x = g->x + base * n, *f = g->f + base;
	int j, a, b;

	rank_island(g, k, g->order);
	for (j = 0; j < g->pop; j++) {
		g->npf[j] = NAN;
		if (j < g->nelite) {
			memcpy(g->nx + j * n, x + (size_t)g->order[j] * n, n * sizeof(double));
		} else if (j < g->nelite + g->ncross) {
			a = tournament(r, g->order, g->pop), b = tournament(r, g->order, g->pop);
			blend(g, r, x + (size_t)a * n, x + (size_t)b * n, g->nx + j * n);
		} else {
			a = tournament(r, g->order, g->pop);
			mutate(g, r, g->sigma[k], x + (size_t)a * n, g->nx + j * n);
			/* the 1/5 rule counts only mutants of finite parents */
			g->npf[j] = isfinite(f[a]) ? f[a] : NAN;
		}
	}
	memcpy(x, g->nx, (size_t)g->pop * n * sizeof(double));
	memcpy(g->pf + base, g->npf, (size_t)g->pop * sizeof(double));
}

void pd_ga_tell(struct pd_ga *g, const double *f)
{
	int k;

	take_values(g, f);
	g->evals += (long long)g->islands * g->pop;
	g->iter++;
	if (g->islands > 1 && g->iter % g->mig_interval == 0)
		migrate(g);
	for (k = 0; k < g->islands; k++)
		breed(g, k);
}

PD_ASKTELL_DEFINE_TALLY(pd_ga, struct pd_ga)

double pd_ga_spread(const struct pd_ga *g)
{
	double s = 0;
	int k;

	for (k = 0; k < g->islands; k++)
		s += g->sigma[k];
	return s / g->islands;
}

/* ---- save / load ---- */

#define NFIELDS 24

/* The islands' streams as flat arrays, for the field table. */
struct rngs {
	uint64_t *s;
	int *has_spare;
	double *spare;
};

static void rngs_alloc(struct rngs *r, int k)
{
	r->s = pd_xcalloc(4 * (size_t)k, sizeof(uint64_t));
	r->has_spare = pd_xcalloc((size_t)k, sizeof(int));
	r->spare = pd_xcalloc((size_t)k, sizeof(double));
}

static void rngs_free(struct rngs *r) { free(r->s), free(r->has_spare), free(r->spare); }

/* The saved state after the sizes, in order; returns the count. */
static int fields(const struct pd_ga *g, const struct rngs *r, struct pd_field *f)
{
	size_t n = (size_t)g->n, k = (size_t)g->islands, np = k * g->pop;
	int i = 0;

	f[i++] = PD_FIELD("elite", PD_F_DBL, &g->elite, 1);
	f[i++] = PD_FIELD("crossover", PD_F_DBL, &g->crossover, 1);
	f[i++] = PD_FIELD("mutation", PD_F_DBL, &g->mutation, 1);
	f[i++] = PD_FIELD("migration_interval", PD_F_INT, &g->mig_interval, 1);
	f[i++] = PD_FIELD("migration_proportion", PD_F_DBL, &g->mig_prop, 1);
	i += pd_fields_counts(f + i, &g->evals, &g->iter, &g->nonfinite);
	f[i++] = PD_FIELD("best_f", PD_F_DBL, &g->best_f, 1);
	i += pd_fields_box(f + i, g->lo, g->hi, g->min, g->max, g->best_x, n);
	f[i++] = PD_FIELD("sigma", PD_F_DBL, g->sigma, k);
	f[i++] = PD_FIELD("rng", PD_F_U64, r->s, 4 * k);
	f[i++] = PD_FIELD("has_spare", PD_F_INT, r->has_spare, k);
	f[i++] = PD_FIELD("spare", PD_F_DBL, r->spare, k);
	f[i++] = PD_FIELD("pf", PD_F_DBL, g->pf, np);
	f[i++] = PD_FIELD("x", PD_F_DBL, g->x, np * n);
	return i;
}

void pd_ga_save(const struct pd_ga *g, struct pd_buf *out)
{
	struct pd_field f[NFIELDS];
	struct rngs r;
	int k;

	rngs_alloc(&r, g->islands);
	for (k = 0; k < g->islands; k++) {
		memcpy(r.s + 4 * k, g->rng[k].s, sizeof(g->rng[k].s));
		r.has_spare[k] = g->rng[k].has_spare;
		r.spare[k] = g->rng[k].spare;
	}
	pd_buf_addf(out, "pd-ga-state 1\ndim %d\nislands %d\npopsize %d\n", g->n, g->islands, g->pop);
	pd_fields_put(out, f, fields(g, &r, f));
	rngs_free(&r);
}

/* Consistency of a loaded state: what the code relies on to be safe. */
static int check_loaded(struct pd_ga *g, const struct rngs *r, char *err)
{
	struct pd_ga_params p = {g->islands, g->pop, g->elite, g->crossover, g->mutation,
				 g->mig_interval, g->mig_prop};
	size_t j, np = (size_t)g->islands * g->pop;
	int k;

	if (resolve_params(g->n, &p, err) < 0 || pd_opt_check_box(g->n, g->lo, g->hi, g->min, g->max, err) < 0)
		return -1;
	if (p.elite != g->elite || p.migration_proportion != g->mig_prop ||
	    p.migration_interval != g->mig_interval)
		return pd_err(err, "ga state: bad proportions or migration interval"), -1;
	for (j = 0; j < np * g->n; j++)
		if (!(g->x[j] >= g->min[j % g->n] && g->x[j] <= g->max[j % g->n]))
			return pd_err(err, "ga state: individual %zu outside the bounds", j / g->n + 1), -1;
	for (k = 0; k < g->islands; k++)
		if (!(g->sigma[k] >= SIGMA_MIN && g->sigma[k] <= SIGMA_MAX) || r->has_spare[k] > 1 ||
		    !(r->s[4 * k] | r->s[4 * k + 1] | r->s[4 * k + 2] | r->s[4 * k + 3]))
			return pd_err(err, "ga state: inconsistent values for island %d", k + 1), -1;
	return 0;
}

/* Read the sizes and allocate for them; NULL when bad. */
static struct pd_ga *load_sizes(struct pd_rd *rd, size_t len)
{
	struct pd_ga *g;
	int n, k, pop;

	pd_rd_key(rd, "pd-ga-state");
	pd_rd_key(rd, "1");
	pd_rd_key(rd, "dim");
	n = (int)pd_rd_int(rd, "dim", 1, PD_GA_MAXDIM);
	pd_rd_key(rd, "islands");
	k = (int)pd_rd_int(rd, "islands", 1, PD_GA_MAXISLANDS);
	pd_rd_key(rd, "popsize");
	pop = (int)pd_rd_int(rd, "popsize", 2, PD_GA_MAXPOINTS);
	if (!rd->bad && ((long long)k * pop > PD_GA_MAXPOINTS || (long long)k * pop * n > PD_GA_MAXSIZE))
		pd_rd_fail(rd, "popsize (too large)");
	/* Every saved double takes 17 bytes: the text caps the allocation. */
	if (!rd->bad && (size_t)k * pop * (n + 1) > len / 17)
		pd_rd_fail(rd, "state (too short)");
	if (rd->bad)
		return NULL;
	g = pd_xcalloc(1, sizeof(*g));
	g->n = n, g->islands = k, g->pop = pop;
	alloc_arrays(g);
	return g;
}

struct pd_ga *pd_ga_load(const char *text, size_t len, char *err)
{
	struct pd_field f[NFIELDS];
	struct pd_rd rd;
	struct rngs r;
	struct pd_ga *g;
	int k, bad;

	pd_rd_init(&rd, text, len, "ga", err);
	if (!(g = load_sizes(&rd, len)))
		return NULL;
	rngs_alloc(&r, g->islands);
	bad = pd_fields_get(&rd, f, fields(g, &r, f)) < 0 || pd_rd_end(&rd) < 0 ||
	      check_loaded(g, &r, err) < 0;
	for (k = 0; k < g->islands && !bad; k++) {
		memcpy(g->rng[k].s, r.s + 4 * k, sizeof(g->rng[k].s));
		g->rng[k].has_spare = r.has_spare[k];
		g->rng[k].spare = r.spare[k];
	}
	rngs_free(&r);
	if (bad) {
		pd_ga_free(g);
		return NULL;
	}
	set_counts(g);
	return g;
}
