/* topology.h - the tubes joining the nodes of a pd-task task. */
#ifndef PD_TOPOLOGY_H
#define PD_TOPOLOGY_H

#define PD_TOPOLOGY_NODES_MAX 4096 /* nodes of one task */
#define PD_TOPOLOGY_TUBES_MAX 65536 /* tubes of one task */
#define PD_TOPOLOGY_LINE_MAX 4096 /* bytes of a topology-file line */

/*
 * A tube is a one-way named FIFO queue from node src to node dst: src
 * pushes to it under `name` and dst pops from it under the same name.
 * src == dst (a tube from a node to itself) is allowed.
 */
struct pd_tube_def {
	char name[64]; /* 1 to 63 characters of [A-Za-z0-9_.-] */
	int src, dst;
};

struct pd_topology {
	struct pd_tube_def *v;
	int n;
};

/*
 * Build the tubes of a topology for `nodes` nodes, numbered 0..k-1
 * (k = nodes, 1 to 4096).  spec is one of these names (exact case):
 *
 *   ring   "next" from i to (i+1) mod k, for every i; none when k = 1.
 *   ring2  the two-way ring: "right" from i to (i+1) mod k and "left"
 *          from i to (i-1) mod k, for every i (tubes from node 0 to
 *          itself when k = 1).
 *   line   the double linear topology: "right" from i to i+1 and "left"
 *          from i+1 to i, for i = 0..k-2.
 *   torus:RxC  R rows of C nodes (R * C = k; node i is at row i / C,
 *          column i % C), periodic: from every node "right" to the next
 *          column, "left" to the previous one, "down" to the next row and
 *          "up" to the previous one, all modulo the grid's size.
 *   grid:RxC   the same without the tubes that wrap around the edges.
 *   star   master 0 and workers 1..k-1: "up<i>" from i to 0 and
 *          "down<i>" from 0 to i ("up3", "down3"), for i = 1..k-1.
 *   all    for every ordered pair i != j, "<i>-<j>" ("0-3") from i to j;
 *          k(k-1) tubes, so at most 256 nodes.
 *   none   no tubes.
 *
 * t->v lists the tubes in the order above (for ring, line and star by
 * increasing i, "right" before "left" and "up" before "down"; for all by
 * i, then j; for ring2, grid and torus by source node, then "right",
 * "left", "down", "up").  Anything else is the path of a file of "NAME SOURCE
 * TARGET" lines (use "./ring" for a file named like a topology): fields
 * separated by blanks, '#' starts a comment, blank lines ignored; t->v
 * lists its tubes in file order.
 *
 * Rules, also met by the named topologies: SOURCE and TARGET are
 * decimal numbers (no sign) within 0..k-1; no node gets two incoming
 * tubes of the same name, nor two outgoing ones; at most 65536 tubes;
 * lines of at most 4096 bytes.
 *
 * Returns 0; -2 with err for a grid or torus spec that is malformed or
 * does not have k nodes ("topology 'torus:4x5' has 20 nodes (4 rows of
 * 5), but the task has 16"); or -1 with err: "nodes must be between 1
 * and 4096", "unknown topology 'foo' (ring, ring2, line, ..., or a file
 * of NAME SOURCE TARGET lines)" when there is no such file, "open FILE: REASON", or
 * "FILE:LINE: WHAT", e.g. "topo.txt:3: node 7 is outside 0..3", or
 * "topo.txt:5: node 2 would get a second incoming tube named 'left' (the
 * first is on line 2)".  t need not be initialised; it is overwritten
 * (not released) and left empty ({NULL, 0}) on error.
 */
int pd_topology_build(struct pd_topology *t, const char *spec, int nodes, char *err);

/*
 * Whether spec names a grid or torus ("grid", "torus", or either followed
 * by ':'): 0 when not; 1 with its rows, columns and whether it wraps
 * around (any pointer may be NULL but rows and cols); -1 with err when
 * its size is malformed or out of range.
 */
int pd_topology_grid(const char *spec, int *rows, int *cols, int *periodic, char *err);

/* The same from the text of a topology file (errors name `where`). */
int pd_topology_parse(struct pd_topology *t, const char *text, const char *where, int nodes, char *err);

/* Free the tubes and leave t empty. */
void pd_topology_release(struct pd_topology *t);

/*
 * The number of tubes of node `node` in direction `out` (1: the tubes
 * it pushes to, src == node; 0: those it pops from, dst == node), and
 * the i-th of them (0 <= i < count) in the order of t->v: a pointer into
 * t->v, or NULL when i is out of range.  Both scan t->v (O(n)).
 */
int pd_topology_count(const struct pd_topology *t, int node, int out);
const struct pd_tube_def *pd_topology_tube(const struct pd_topology *t, int node, int out, int i);

#endif
