/* param.c - parsing pd-opt's -p NAME=LO:HI and --dim/--bounds. */
#include "opt/param.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "xmalloc.h"

void pd_params_init(struct pd_params *p) { memset(p, 0, sizeof *p); }

void pd_params_release(struct pd_params *p)
{
	free(p->name), free(p->lo), free(p->hi), free(p->min), free(p->max);
	pd_params_init(p);
}

/* One number of a bounds spec; 0 or -1. */
static int number(const char *s, size_t len, double *v)
{
	char tmp[64], *end;

	if (!len || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	*v = strtod(tmp, &end);
	return *end || isnan(*v) ? -1 : 0;
}

/*
 * Split "A:B" or "A:B:C:D" into bounds; the names in messages are those
 * of the spec's fields.  0 or -1 with err (prefixed by what).
 */
static int parse_bounds(const char *what, const char *s, double b[4], char *err)
{
	const char *names[4] = {"MIN", "LO", "HI", "MAX"}, *p = s, *colon;
	double v[4];
	int n = 0, i;

	for (;;) {
		colon = strchr(p, ':');
		if (n == 4)
			return pd_err(err, "%s: '%s' has more than four numbers (LO:HI or MIN:LO:HI:MAX)", what, s), -1;
		if (number(p, colon ? (size_t)(colon - p) : strlen(p), &v[n]))
			return pd_err(err, "%s: '%.*s' is not a number", what,
				      (int)(colon ? colon - p : (long)strlen(p)), p), -1;
		n++;
		if (!colon)
			break;
		p = colon + 1;
	}
	if (n != 2 && n != 4)
		return pd_err(err, "%s: '%s' needs LO:HI or MIN:LO:HI:MAX", what, s), -1;
	if (n == 2) {
		b[0] = b[1] = v[0];
		b[2] = b[3] = v[1];
	} else
		memcpy(b, v, sizeof v);
	for (i = 1; i < 3; i++)
		if (!isfinite(b[i]))
			return pd_err(err, "%s: %s must be finite", what, names[i]), -1;
	if (!(b[1] < b[2]))
		return pd_err(err, "%s: LO (%g) is not below HI (%g)", what, b[1], b[2]), -1;
	if (b[0] > b[1])
		return pd_err(err, "%s: MIN (%g) is above LO (%g)", what, b[0], b[1]), -1;
	if (b[3] < b[2])
		return pd_err(err, "%s: MAX (%g) is below HI (%g)", what, b[3], b[2]), -1;
	return 0;
}

/* Grow every array by one parameter; its index. */
static int grow(struct pd_params *p)
{
	size_t n = (size_t)p->dim + 1;

	p->name = pd_xrealloc(p->name, sizeof *p->name * n);
	p->lo = pd_xrealloc(p->lo, sizeof *p->lo * n);
	p->hi = pd_xrealloc(p->hi, sizeof *p->hi * n);
	p->min = pd_xrealloc(p->min, sizeof *p->min * n);
	p->max = pd_xrealloc(p->max, sizeof *p->max * n);
	return p->dim++;
}

/* Whether the name is taken already. */
static int taken(const struct pd_params *p, const char *name)
{
	int i;

	for (i = 0; i < p->dim; i++)
		if (!strcmp(p->name[i], name))
			return 1;
	return 0;
}

/* Append a checked parameter. */
static void put(struct pd_params *p, const char *name, size_t len, const double b[4])
{
	int i = grow(p);

	memcpy(p->name[i], name, len);
	p->name[i][len] = 0;
	p->min[i] = b[0], p->lo[i] = b[1], p->hi[i] = b[2], p->max[i] = b[3];
}

int pd_params_add(struct pd_params *p, const char *spec, char *err)
{
	const char *eq = strchr(spec, '=');
	char what[PD_PARAM_NAME_MAX + 8], name[PD_PARAM_NAME_MAX + 1];
	size_t len = eq ? (size_t)(eq - spec) : 0;
	double b[4];

	if (!eq || !len)
		return pd_err(err, "-p '%s': expected NAME=LO:HI or NAME=MIN:LO:HI:MAX", spec), -1;
	if (!pd_name_ok(spec, len, PD_PARAM_NAME_MAX, "_"))
		return pd_err(err, "-p '%s': a name is 1 to %d letters, digits or _", spec, PD_PARAM_NAME_MAX), -1;
	memcpy(name, spec, len);
	name[len] = 0;
	if (taken(p, name))
		return pd_err(err, "-p %s: parameter '%s' given twice", spec, name), -1;
	if (p->dim >= PD_PARAM_MAX)
		return pd_err(err, "-p %s: more than %d parameters", spec, PD_PARAM_MAX), -1;
	snprintf(what, sizeof what, "-p %s", name);
	if (parse_bounds(what, eq + 1, b, err))
		return -1;
	put(p, name, len, b);
	return 0;
}

int pd_params_add_anon(struct pd_params *p, int n, const char *bounds, char *err)
{
	char name[32];
	double b[4];
	int i;

	if (n < 1 || p->dim + n > PD_PARAM_MAX)
		return pd_err(err, "--dim %d: from 1 to %d parameters in all", n, PD_PARAM_MAX), -1;
	if (parse_bounds("--bounds", bounds, b, err))
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "x%d", i);
		if (taken(p, name))
			return pd_err(err, "--dim: parameter '%s' is also given with -p", name), -1;
		put(p, name, strlen(name), b);
	}
	return 0;
}

double *pd_params_list(const struct pd_params *p, const char *name, const char *s, char *err)
{
	int n = p->dim, k = 0, i;
	double *v = pd_xcalloc((size_t)n, sizeof *v), d;
	const char *at = s;
	char *end;

	for (;;) {
		d = strtod(at, &end);
		if (end == at || (*end && *end != ',') || !isfinite(d)) {
			pd_err(err, "%s: '%s' is not a list of numbers", name, s);
			goto fail;
		}
		if (k == n) {
			pd_err(err, "%s: '%s' has more than %d numbers (one per parameter)", name, s, n);
			goto fail;
		}
		v[k++] = d;
		if (!*end)
			break;
		at = end + 1;
	}
	if (k == 1)
		for (i = 1; i < n; i++)
			v[i] = v[0];
	else if (k != n) {
		pd_err(err, "%s: %d numbers for %d parameters (give one per parameter, or one for all)", name, k, n);
		goto fail;
	}
	return v;
fail:
	free(v);
	return NULL;
}

int pd_params_same(const struct pd_params *a, const struct pd_params *b)
{
	int i;

	if (a->dim != b->dim)
		return 0;
	for (i = 0; i < a->dim; i++)
		if (strcmp(a->name[i], b->name[i]) || a->lo[i] != b->lo[i] || a->hi[i] != b->hi[i] ||
		    a->min[i] != b->min[i] || a->max[i] != b->max[i])
			return 0;
	return 1;
}
