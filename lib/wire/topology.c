/* topology.c - the tubes joining the nodes of a pd-task task. */
#include "topology.h"

#include "buf.h"
#include "err.h"
#include "xmalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 63 /* sizeof ((struct pd_tube_def *)0)->name - 1 */
#define SHOW_MAX 64	/* longest field quoted whole in a message */

/*
 * A topology being built.  Every tube is entered twice in an
 * open-addressing hash table, under (dst, incoming, name) and (src,
 * outgoing, name), so that duplicate names are found in constant time.
 * A slot holds 0 (empty) or 1 + 2 * tube index + out.
 */
struct builder {
	struct pd_tube_def *v;
	int n, vcap;
	long *lines;	/* file line of each tube; 0 for named topologies */
	int *slots;
	size_t nslots, used;
	int nodes;
	const char *path; /* the file, or NULL for a named topology */
	const char *spec;
	char *err;
};

/* Fill err with "FILE:LINE: " (or "topology 'NAME': ") and the message. */
static void fail(struct builder *b, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(struct builder *b, long line, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!b->err)
		return;
	if (b->path)
		pd_err(b->err, "%s:%ld: ", b->path, line);
	else
		pd_err(b->err, "topology '%s': ", b->spec);
	len = strlen(b->err);
	va_start(ap, fmt);
	vsnprintf(b->err + len, PD_ERRLEN - len, fmt, ap);
	va_end(ap);
}

/* Copy s[0..len) into out (SHOW_MAX + 4 bytes) for quoting in a message:
 * long fields are cut with "...", non-printing bytes become '?'. */
static void show(const char *s, size_t len, char *out)
{
	size_t i, n = len > SHOW_MAX ? SHOW_MAX : len;

	for (i = 0; i < n; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	strcpy(out + n, len > n ? "..." : "");
}

/* FNV-1a over the name, mixed with the node and the direction. */
static size_t hash_key(int node, int out, const char *name)
{
	unsigned long h = 2166136261UL;

	for (; *name; name++)
		h = ((h ^ (unsigned char)*name) * 16777619UL) & 0xffffffffUL;
	h ^= (unsigned long)node * 2654435761UL + (unsigned long)out;
	h = (h ^ (h >> 15)) * 2246822519UL;
	return (size_t)(h ^ (h >> 13));
}

/* The slot holding (node, out, name), or the empty slot where it goes. */
static int *find_slot(const struct builder *b, int node, int out, const char *name)
{
	size_t mask = b->nslots - 1, i = hash_key(node, out, name) & mask;
	const struct pd_tube_def *d;
	int s;

	while ((s = b->slots[i]) != 0) {
		d = &b->v[(s - 1) >> 1];
		if (((s - 1) & 1) == out && (out ? d->src : d->dst) == node &&
		    !strcmp(d->name, name))
			return &b->slots[i];
		i = (i + 1) & mask;
	}
	return &b->slots[i];
}

/* Make room in the table for two more entries, keeping it at most half
 * full. */
static void grow_slots(struct builder *b)
{
	const struct pd_tube_def *d;
	int *old = b->slots, out;
	size_t i, nold = b->nslots;

	if (2 * (b->used + 2) <= b->nslots)
		return;
	b->nslots = nold ? 2 * nold : 64;
	b->slots = pd_xrealloc(NULL, b->nslots * sizeof *b->slots);
	memset(b->slots, 0, b->nslots * sizeof *b->slots);
	for (i = 0; i < nold; i++) {
		if (!old[i])
			continue;
		d = &b->v[(old[i] - 1) >> 1];
		out = (old[i] - 1) & 1;
		*find_slot(b, out ? d->src : d->dst, out, d->name) = old[i];
	}
	free(old);
}

/* Append the tube name: src -> dst read on `line` (0 for a named
 * topology), unless there are too many or a name would be repeated. */
static int add_tube(struct builder *b, const char *name, int src, int dst, long line)
{
	struct pd_tube_def *d;
	int *in_slot, *out_slot, idx;

	if (b->n >= PD_TOPOLOGY_TUBES_MAX) {
		fail(b, line, "too many tubes (at most %d)", PD_TOPOLOGY_TUBES_MAX);
		return -1;
	}
	grow_slots(b);
	in_slot = find_slot(b, dst, 0, name);
	if (*in_slot) {
		fail(b, line, "node %d would get a second incoming tube named '%s' (the first is on line %ld)",
		     dst, name, b->lines[(*in_slot - 1) >> 1]);
		return -1;
	}
	out_slot = find_slot(b, src, 1, name);
	if (*out_slot) {
		fail(b, line, "node %d would get a second outgoing tube named '%s' (the first is on line %ld)",
		     src, name, b->lines[(*out_slot - 1) >> 1]);
		return -1;
	}
	if (b->n == b->vcap) {
		b->vcap = b->vcap ? 2 * b->vcap : 16;
		b->v = pd_xrealloc(b->v, (size_t)b->vcap * sizeof *b->v);
		b->lines = pd_xrealloc(b->lines, (size_t)b->vcap * sizeof *b->lines);
	}
	idx = b->n++;
	d = &b->v[idx];
	snprintf(d->name, sizeof d->name, "%s", name);
	d->src = src;
	d->dst = dst;
	b->lines[idx] = line;
	*in_slot = 1 + 2 * idx;
	b->used += 2;
	/* Both lookups may have ended on the same empty slot, now taken: look
	 * the outgoing entry up again. */
	*find_slot(b, src, 1, name) = 1 + 2 * idx + 1;
	return 0;
}

/* Parse "ROWSxCOLS" (decimal numbers from 1 to PD_TOPOLOGY_NODES_MAX,
 * nothing else); 0, or -1 with err. */
static int parse_dims(const char *spec, const char *kind, const char *s, int *rows, int *cols, char *err)
{
	long v[2] = {0, 0};
	int i;

	for (i = 0; i < 2; i++) {
		if (*s < '0' || *s > '9')
			break;
		for (; *s >= '0' && *s <= '9'; s++)
			if (v[i] <= PD_TOPOLOGY_NODES_MAX)
				v[i] = v[i] * 10 + (*s - '0');
		if (i == 0 && *s++ != 'x')
			break;
	}
	if (i < 2 || *s) {
		pd_err(err, "topology '%s': expected %s:ROWSxCOLUMNS, as in %s:4x4", spec, kind, kind);
		return -1;
	}
	if (v[0] < 1 || v[1] < 1 || v[0] > PD_TOPOLOGY_NODES_MAX || v[1] > PD_TOPOLOGY_NODES_MAX) {
		pd_err(err, "topology '%s': rows and columns must be from 1 to %d", spec, PD_TOPOLOGY_NODES_MAX);
		return -1;
	}
	*rows = (int)v[0];
	*cols = (int)v[1];
	return 0;
}

/* Whether spec is KIND or starts with "KIND:"; the length of what to skip. */
static size_t kind_prefix(const char *spec, const char *kind)
{
	size_t n = strlen(kind);

	if (strncmp(spec, kind, n) || (spec[n] && spec[n] != ':'))
		return 0;
	return spec[n] ? n + 1 : n;
}

int pd_topology_grid(const char *spec, int *rows, int *cols, int *periodic, char *err)
{
	char scratch[PD_ERRLEN];
	size_t t = kind_prefix(spec, "torus"), g = kind_prefix(spec, "grid");
	const char *kind = t ? "torus" : "grid";

	if (!t && !g)
		return 0;
	if (periodic)
		*periodic = t != 0;
	if (parse_dims(spec, kind, spec + (t ? t : g), rows, cols, err ? err : scratch))
		return -1;
	return 1;
}

/* Tubes "right", "left" (within a row), "down", "up" (within a column)
 * from every node of a rows x cols grid, numbered row by row; periodic
 * grids wrap around, others stop at the edges. */
static int build_grid(struct builder *b, int rows, int cols, int periodic, int ndirs)
{
	static const char *names[4] = {"right", "left", "down", "up"};
	static const int dr[4] = {0, 0, 1, -1}, dc[4] = {1, -1, 0, 0};
	int i, d, r, c;

	if ((long)rows * cols != b->nodes) {
		pd_err(b->err, "topology '%s' has %ld nodes (%d rows of %d), but the task has %d",
		       b->spec, (long)rows * cols, rows, cols, b->nodes);
		return -2;
	}
	for (i = 0; i < b->nodes; i++)
		for (d = 0; d < ndirs; d++) {
			r = i / cols + dr[d];
			c = i % cols + dc[d];
			if (!periodic && (r < 0 || r >= rows || c < 0 || c >= cols))
				continue;
			r = (r + rows) % rows;
			c = (c + cols) % cols;
			if (add_tube(b, names[d], i, r * cols + c, 0))
				return -1;
		}
	return 0;
}

/* Add the tubes of the named topology spec; 1 when spec is no such name,
 * -2 when it is a grid or torus that cannot be built. */
static int build_named(struct builder *b, const char *spec)
{
	char name[64];
	int k = b->nodes, i, j, rc = 0, rows, cols, periodic;

	if ((rc = pd_topology_grid(spec, &rows, &cols, &periodic, b->err)) != 0)
		return rc < 0 ? -2 : build_grid(b, rows, cols, periodic, 4);
	if (!strcmp(spec, "ring2")) /* one periodic row: "right" and "left" only */
		return build_grid(b, 1, k, 1, 2);
	if (!strcmp(spec, "ring")) {
		for (i = 0; k >= 2 && i < k && !rc; i++)
			rc = add_tube(b, "next", i, (i + 1) % k, 0);
	} else if (!strcmp(spec, "line")) {
		for (i = 0; i + 1 < k && !rc; i++)
			rc = add_tube(b, "right", i, i + 1, 0) || add_tube(b, "left", i + 1, i, 0);
	} else if (!strcmp(spec, "star")) {
		for (i = 1; i < k && !rc; i++) {
			snprintf(name, sizeof name, "up%d", i);
			rc = add_tube(b, name, i, 0, 0);
			snprintf(name, sizeof name, "down%d", i);
			rc = rc || add_tube(b, name, 0, i, 0);
		}
	} else if (!strcmp(spec, "all")) {
		if ((long)k * (k - 1) > PD_TOPOLOGY_TUBES_MAX) {
			pd_err(b->err, "topology 'all' for %d nodes would have %ld tubes (at most %d)",
			       k, (long)k * (k - 1), PD_TOPOLOGY_TUBES_MAX);
			return -1;
		}
		for (i = 0; i < k && !rc; i++)
			for (j = 0; j < k && !rc; j++) {
				if (i == j)
					continue;
				snprintf(name, sizeof name, "%d-%d", i, j);
				rc = add_tube(b, name, i, j, 0);
			}
	} else if (strcmp(spec, "none")) {
		return 1;
	}
	return rc ? -1 : 0;
}

/* Whitespace as the C locale has it, without depending on the locale. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* A tube name: 1 to 63 bytes of [A-Za-z0-9_.-]. */
static int valid_name(const char *s, size_t len)
{
	return pd_name_ok(s, len, NAME_MAX_LEN, "_.-");
}

/* Parse node number s[0..len) (decimal digits only) within 0..nodes-1. */
static int parse_node(struct builder *b, const char *s, size_t len, long line, int *node)
{
	char q[SHOW_MAX + 4];
	size_t i;
	long v = 0;

	show(s, len, q);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			fail(b, line, "bad node number '%s' (a decimal number without sign)", q);
			return -1;
		}
		if (v <= PD_TOPOLOGY_NODES_MAX) /* stop before overflowing */
			v = v * 10 + (s[i] - '0');
	}
	if (v >= b->nodes) {
		fail(b, line, "node %s is outside 0..%d", q, b->nodes - 1);
		return -1;
	}
	*node = (int)v;
	return 0;
}

/* Parse one line (comment already cut) of a topology file. */
static int parse_line(struct builder *b, char *s, long line)
{
	char *f[3], name[NAME_MAX_LEN + 1], q[SHOW_MAX + 4];
	size_t flen[3];
	int nf = 0, src, dst;

	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s)
			break;
		if (nf < 3)
			f[nf] = s;
		while (*s && !is_space(*s))
			s++;
		if (nf < 3)
			flen[nf] = (size_t)(s - f[nf]);
		nf++;
	}
	if (nf == 0)
		return 0;
	if (nf != 3) {
		fail(b, line, "expected 3 fields (NAME SOURCE TARGET), found %d", nf);
		return -1;
	}
	if (!valid_name(f[0], flen[0])) {
		show(f[0], flen[0], q);
		fail(b, line, "bad tube name '%s' (1 to %d characters of A-Z a-z 0-9 _ . -)",
		     q, NAME_MAX_LEN);
		return -1;
	}
	memcpy(name, f[0], flen[0]);
	name[flen[0]] = 0;
	if (parse_node(b, f[1], flen[1], line, &src) || parse_node(b, f[2], flen[2], line, &dst))
		return -1;
	return add_tube(b, name, src, dst, line);
}

/* Add the tubes of the open topology file f. */
static int parse_file(struct builder *b, FILE *f)
{
	char line[PD_TOPOLOGY_LINE_MAX + 1], *hash;
	long lineno = 0;
	int rc;

	while ((rc = pd_read_line(f, line, PD_TOPOLOGY_LINE_MAX)) != 0) {
		lineno++;
		if (rc == -1)
			pd_err(b->err, "read %s: %s", b->path, strerror(errno));
		else if (rc == -2)
			fail(b, lineno, "line too long (at most %d bytes)", PD_TOPOLOGY_LINE_MAX);
		else if (rc == -3)
			fail(b, lineno, "NUL byte in line (not a text file?)");
		if (rc < 0)
			return -1;
		if ((hash = strchr(line, '#')))
			*hash = 0;
		if (parse_line(b, line, lineno))
			return -1;
	}
	return 0;
}

/* Add the tubes of the topology file path. */
static int build_file(struct builder *b, const char *path)
{
	FILE *f;
	int rc;

	if (!(f = fopen(path, "re"))) {
		if (errno == ENOENT)
			pd_err(b->err, "unknown topology '%s' (ring, ring2, line, star, all, none, grid:RxC, torus:RxC, or a file of NAME SOURCE TARGET lines)",
			       path);
		else
			pd_err(b->err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	b->path = path;
	rc = parse_file(b, f);
	fclose(f);
	return rc;
}

/* Hand the builder's tubes to t when rc is 0; free its scratch either way. */
static int finish(struct builder *b, int rc, struct pd_topology *t)
{
	free(b->lines);
	free(b->slots);
	if (rc) {
		free(b->v);
		return -1;
	}
	t->v = b->v;
	t->n = b->n;
	return 0;
}

/* Empty t and start b for `nodes` nodes, read from spec.  0, or -1 with
 * err when the node count is out of range. */
static int start(struct pd_topology *t, struct builder *b, int nodes, const char *spec, char *err)
{
	t->v = NULL;
	t->n = 0;
	if (nodes < 1 || nodes > PD_TOPOLOGY_NODES_MAX) {
		pd_err(err, "nodes must be between 1 and %d", PD_TOPOLOGY_NODES_MAX);
		return -1;
	}
	memset(b, 0, sizeof *b);
	b->nodes = nodes;
	b->spec = spec;
	b->err = err;
	return 0;
}

int pd_topology_build(struct pd_topology *t, const char *spec, int nodes, char *err)
{
	struct builder b;
	int rc;

	if (start(t, &b, nodes, spec, err))
		return -1;
	if (!spec) {
		pd_err(err, "no topology given");
		return -1;
	}
	rc = build_named(&b, spec);
	if (rc == 1)
		rc = build_file(&b, spec);
	return finish(&b, rc, t) ? (rc == -2 ? -2 : -1) : 0;
}

int pd_topology_parse(struct pd_topology *t, const char *text, const char *where, int nodes, char *err)
{
	struct builder b;
	FILE *f;
	int rc;

	if (start(t, &b, nodes, where, err))
		return -1;
	/* The same checks as a file, read from memory. */
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f) {
		pd_err(err, "%s: %s", where, strerror(errno));
		return -1;
	}
	b.path = where;
	rc = *text ? parse_file(&b, f) : 0;
	fclose(f);
	return finish(&b, rc, t);
}

void pd_topology_release(struct pd_topology *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Whether tube d belongs to node in direction out. */
static int is_of(const struct pd_tube_def *d, int node, int out)
{
	return (out ? d->src : d->dst) == node;
}

int pd_topology_count(const struct pd_topology *t, int node, int out)
{
	int i, c = 0;

	for (i = 0; i < t->n; i++)
		c += is_of(&t->v[i], node, out);
	return c;
}

const struct pd_tube_def *pd_topology_tube(const struct pd_topology *t, int node, int out, int i)
{
	int j;

	if (i < 0)
		return NULL;
	for (j = 0; j < t->n; j++)
		if (is_of(&t->v[j], node, out) && i-- == 0)
			return &t->v[j];
	return NULL;
}
