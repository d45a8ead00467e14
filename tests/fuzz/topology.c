/* topology.c - fuzz target: the topology-file parser (lib/wire/topology.c).
 *
 * The first two input bytes give the node count (1 to 4096, and now and
 * then an invalid 0 or 4097); the rest is a topology file's text.  An
 * accepted topology must obey the documented rules, checked here: nodes
 * in range, valid names, no node with two incoming or two outgoing tubes
 * of one name; a refused one says why and is left empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when name is 1 to 63 characters of [A-Za-z0-9_.-]. */
static int name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n < 1 || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", name[i]))
			return 0;
	return 1;
}

/* abort() unless t follows the rules of topology.h for k nodes. */
static void check_topology(const struct pd_topology *t, int k)
{
	int i, j, in = 0, out = 0;

	if (t->n < 0 || t->n > PD_TOPOLOGY_TUBES_MAX)
		abort();
	for (i = 0; i < t->n; i++) {
		if (t->v[i].src < 0 || t->v[i].src >= k || t->v[i].dst < 0 || t->v[i].dst >= k ||
		    !name_ok(t->v[i].name))
			abort();
		/* Quadratic, so only for small topologies (fuzz inputs mostly are). */
		for (j = 0; j < i && t->n <= 512; j++)
			if (!strcmp(t->v[i].name, t->v[j].name) &&
			    (t->v[i].src == t->v[j].src || t->v[i].dst == t->v[j].dst))
				abort();
	}
	for (i = 0; i < k && i < 8; i++) {
		in += pd_topology_count(t, i, 0);
		out += pd_topology_count(t, i, 1);
		if (pd_topology_count(t, i, 1) && !pd_topology_tube(t, i, 1, 0))
			abort();
	}
	if (k <= 8 && (in != t->n || out != t->n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_topology t;
	char err[PD_ERRLEN], *text;
	int k;

	if (size < 2)
		return 0;
	k = ((data[0] << 8) | data[1]) % (PD_TOPOLOGY_NODES_MAX + 2);
	text = malloc(size - 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = 0;
	err[0] = 0;
	if (pd_topology_parse(&t, text, "fuzz", k, err) == 0) {
		check_topology(&t, k);
		pd_topology_release(&t);
	} else if (!err[0] || t.n != 0 || t.v != NULL) {
		abort();
	}
	free(text);
	return 0;
}
