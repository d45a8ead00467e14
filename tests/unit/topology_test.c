/* topology_test.c - task topologies (lib/wire/topology.c). */
#include "err.h"
#include "topology.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNKNOWN_TAIL "(ring, ring2, line, star, all, none, grid:RxC, torus:RxC, or a file of NAME SOURCE TARGET lines)"

/* The tubes a topology should have, computed here independently. */
struct expect {
	struct pd_tube_def v[64];
	int n;
};

/* Append name: src -> dst to e. */
static void want(struct expect *e, const char *name, int src, int dst)
{
	snprintf(e->v[e->n].name, sizeof e->v[e->n].name, "%s", name);
	e->v[e->n].src = src;
	e->v[e->n].dst = dst;
	e->n++;
}

/* The expected tubes of named topology spec for k nodes, in the
 * documented order. */
static void expected(struct expect *e, const char *spec, int k)
{
	char name[64];
	int i, j;

	e->n = 0;
	if (!strcmp(spec, "ring") && k >= 2)
		for (i = 0; i < k; i++)
			want(e, "next", i, i == k - 1 ? 0 : i + 1);
	if (!strcmp(spec, "line"))
		for (i = 0; i < k - 1; i++) {
			want(e, "right", i, i + 1);
			want(e, "left", i + 1, i);
		}
	if (!strcmp(spec, "star"))
		for (i = 1; i < k; i++) {
			snprintf(name, sizeof name, "up%d", i);
			want(e, name, i, 0);
			snprintf(name, sizeof name, "down%d", i);
			want(e, name, 0, i);
		}
	if (!strcmp(spec, "all"))
		for (i = 0; i < k; i++)
			for (j = 0; j < k; j++)
				if (i != j) {
					snprintf(name, sizeof name, "%d-%d", i, j);
					want(e, name, i, j);
				}
}

/* Check that pd_topology_count/tube agree with a direct scan of t->v
 * for every node (and a few outside) in both directions. */
static void check_lookup(const struct pd_topology *t, int k)
{
	int node, out, i, c, ok;

	for (node = -1; node <= k; node++)
		for (out = 0; out <= 1; out++) {
			c = 0;
			ok = 1;
			for (i = 0; i < t->n; i++) {
				if ((out ? t->v[i].src : t->v[i].dst) != node)
					continue;
				if (pd_topology_tube(t, node, out, c) != &t->v[i])
					ok = 0;
				c++;
			}
			CHECK(ok);
			CHECK(pd_topology_count(t, node, out) == c);
			CHECK(pd_topology_tube(t, node, out, c) == NULL);
			CHECK(pd_topology_tube(t, node, out, -1) == NULL);
		}
}

/* Check that t has exactly the tubes of e, in order, with the per-node
 * counts they imply. */
static void check_same(const struct pd_topology *t, const struct expect *e, int k)
{
	int i, node, in, out, same = t->n == e->n;

	CHECK(t->n == e->n);
	for (i = 0; same && i < t->n; i++)
		if (strcmp(t->v[i].name, e->v[i].name) || t->v[i].src != e->v[i].src ||
		    t->v[i].dst != e->v[i].dst) {
			fprintf(stderr, "tube %d: %s %d %d, expected %s %d %d\n", i, t->v[i].name,
				t->v[i].src, t->v[i].dst, e->v[i].name, e->v[i].src, e->v[i].dst);
			same = 0;
		}
	CHECK(same);
	for (node = 0; node < k; node++) {
		in = out = 0;
		for (i = 0; i < e->n; i++) {
			in += e->v[i].dst == node;
			out += e->v[i].src == node;
		}
		CHECK(pd_topology_count(t, node, 0) == in);
		CHECK(pd_topology_count(t, node, 1) == out);
	}
	check_lookup(t, k);
}

/* Every named topology for k = 1, 2, 3, 5. */
static void test_named(void)
{
	static const char *const specs[] = {"ring", "line", "star", "all", "none"};
	static const int ks[] = {1, 2, 3, 5};
	struct pd_topology t;
	struct expect e;
	char err[PD_ERRLEN];
	size_t s, j;

	for (s = 0; s < sizeof specs / sizeof *specs; s++)
		for (j = 0; j < sizeof ks / sizeof *ks; j++) {
			err[0] = 0;
			CHECK(pd_topology_build(&t, specs[s], ks[j], err) == 0);
			CHECK_STR(err, "");
			expected(&e, specs[s], ks[j]);
			check_same(&t, &e, ks[j]);
			pd_topology_release(&t);
			CHECK(t.v == NULL && t.n == 0);
		}
}

/* Spot checks written out by hand, and the limits on named topologies. */
static void test_named_details(void)
{
	struct pd_topology t;
	char err[PD_ERRLEN];
	const struct pd_tube_def *d;

	CHECK(pd_topology_build(&t, "ring", 3, err) == 0);
	CHECK(t.n == 3);
	d = pd_topology_tube(&t, 2, 1, 0);
	CHECK(d && !strcmp(d->name, "next") && d->src == 2 && d->dst == 0);
	d = pd_topology_tube(&t, 0, 0, 0);
	CHECK(d && d->src == 2);
	pd_topology_release(&t);

	CHECK(pd_topology_build(&t, "line", 3, err) == 0);
	CHECK(pd_topology_count(&t, 1, 0) == 2 && pd_topology_count(&t, 1, 1) == 2);
	CHECK(pd_topology_count(&t, 0, 1) == 1 && pd_topology_count(&t, 2, 1) == 1);
	d = pd_topology_tube(&t, 0, 1, 0);
	CHECK(d && !strcmp(d->name, "right") && d->dst == 1);
	d = pd_topology_tube(&t, 2, 1, 0);
	CHECK(d && !strcmp(d->name, "left") && d->dst == 1);
	pd_topology_release(&t);

	CHECK(pd_topology_build(&t, "star", 5, err) == 0);
	CHECK(pd_topology_count(&t, 0, 0) == 4 && pd_topology_count(&t, 0, 1) == 4);
	d = pd_topology_tube(&t, 3, 1, 0);
	CHECK(d && !strcmp(d->name, "up3") && d->dst == 0);
	d = pd_topology_tube(&t, 3, 0, 0);
	CHECK(d && !strcmp(d->name, "down3") && d->src == 0);
	pd_topology_release(&t);

	CHECK(pd_topology_build(&t, "all", 5, err) == 0);
	CHECK(t.n == 20);
	d = pd_topology_tube(&t, 0, 1, 2);
	CHECK(d && !strcmp(d->name, "0-3") && d->dst == 3);
	pd_topology_release(&t);

	/* big ones: all stops at 256 nodes (256 * 255 tubes) */
	CHECK(pd_topology_build(&t, "all", 256, err) == 0);
	CHECK(t.n == 256 * 255);
	CHECK_STR(t.v[t.n - 1].name, "255-254");
	pd_topology_release(&t);
	CHECK(pd_topology_build(&t, "all", 257, err) == -1);
	CHECK_STR(err, "topology 'all' for 257 nodes would have 65792 tubes (at most 65536)");
	CHECK(t.v == NULL && t.n == 0);
	CHECK(pd_topology_build(&t, "ring", 4096, err) == 0);
	CHECK(t.n == 4096 && t.v[4095].dst == 0);
	pd_topology_release(&t);
	CHECK(pd_topology_build(&t, "star", 4096, err) == 0);
	CHECK(t.n == 2 * 4095);
	CHECK_STR(t.v[t.n - 1].name, "down4095");
	pd_topology_release(&t);

	/* node counts */
	CHECK(pd_topology_build(&t, "ring", 0, err) == -1);
	CHECK_STR(err, "nodes must be between 1 and 4096");
	CHECK(pd_topology_build(&t, "none", -3, err) == -1);
	CHECK_STR(err, "nodes must be between 1 and 4096");
	CHECK(pd_topology_build(&t, "line", 4097, err) == -1);
	CHECK_STR(err, "nodes must be between 1 and 4096");
	CHECK(t.v == NULL && t.n == 0);
	CHECK(pd_topology_build(&t, "line", 4096, err) == 0);
	CHECK(t.n == 2 * 4095);
	pd_topology_release(&t);
	/* names are exact */
	CHECK(pd_topology_build(&t, "Ring", 3, err) == -1);
	CHECK_STR(err, "unknown topology 'Ring' " UNKNOWN_TAIL);
	/* grids: a size that does not fit, or is malformed, is -2 */
	CHECK(pd_topology_build(&t, "torus:4x5", 16, err) == -2);
	CHECK_STR(err, "topology 'torus:4x5' has 20 nodes (4 rows of 5), but the task has 16");
	CHECK(t.v == NULL && t.n == 0);
	CHECK(pd_topology_build(&t, "torus:0x4", 16, err) == -2);
	CHECK_STR(err, "topology 'torus:0x4': rows and columns must be from 1 to 4096");
	CHECK(pd_topology_build(&t, "grid:4x99999999999999999999", 16, err) == -2);
	CHECK_STR(err, "topology 'grid:4x99999999999999999999': rows and columns must be from 1 to 4096");
	CHECK(pd_topology_build(&t, "torus:4x4x1", 16, err) == -2);
	CHECK_STR(err, "topology 'torus:4x4x1': expected torus:ROWSxCOLUMNS, as in torus:4x4");
	CHECK(pd_topology_build(&t, "torus", 16, err) == -2);
	CHECK(pd_topology_build(&t, "grid:-4x4", 16, err) == -2);
	CHECK(pd_topology_build(&t, "torus:4x", 16, err) == -2);
	CHECK(pd_topology_build(&t, "torus:64x64", 4096, err) == 0);
	CHECK(t.n == 4 * 4096);
	pd_topology_release(&t);
	CHECK(pd_topology_build(&t, "grid:1x1", 1, err) == 0);
	CHECK(t.n == 0);
	pd_topology_release(&t);
}

/* Write text (len bytes) to a new temporary file; its name goes to path. */
static void write_file(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/topology_test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd)) {
		perror("topology_test: temporary file");
		exit(1);
	}
}

/* Build a topology of k nodes from a file holding text; returns the
 * result, with the file's name in path (removed already). */
static int build_text(struct pd_topology *t, const char *text, int k, char *path, char *err)
{
	int rc;

	write_file(path, text, strlen(text));
	err[0] = 0;
	rc = pd_topology_build(t, path, k, err);
	unlink(path);
	return rc;
}

/* Check that a file holding text fails for k nodes with "FILE:" + msg. */
static void file_fails(const char *text, int k, const char *msg)
{
	struct pd_topology t;
	char path[64], err[PD_ERRLEN], want_err[PD_ERRLEN];

	CHECK(build_text(&t, text, k, path, err) == -1);
	snprintf(want_err, sizeof want_err, "%s:%s", path, msg);
	CHECK_STR(err, want_err);
	CHECK(t.v == NULL && t.n == 0);
}

/* Files that parse: the paper's heat-equation example, comments, blank
 * lines, CRLF, self-loops, leading zeros, same name on other nodes. */
static void test_file_good(void)
{
	struct pd_topology t;
	struct expect e;
	char path[64], err[PD_ERRLEN], name63[64], text[256];

	CHECK(build_text(&t, "right 0 1\nleft 1 0\nright 1 2\nleft 2 1\n", 3, path, err) == 0);
	CHECK_STR(err, "");
	expected(&e, "line", 3);
	check_same(&t, &e, 3);
	pd_topology_release(&t);

	CHECK(build_text(&t,
			 "# a ring of three, by hand\n"
			 "\n"
			 "   \t\n"
			 "next 0 1   # first\n"
			 "\tnext\t1  2\r\n"
			 "#next 2 0\n"
			 "next 2 00 \n"
			 "self 1 1\n"
			 "self 2 2\n"
			 "x.y_Z-9 2 1",
			 3, path, err) == 0);
	e.n = 0;
	want(&e, "next", 0, 1);
	want(&e, "next", 1, 2);
	want(&e, "next", 2, 0);
	want(&e, "self", 1, 1);
	want(&e, "self", 2, 2);
	want(&e, "x.y_Z-9", 2, 1);
	check_same(&t, &e, 3);
	pd_topology_release(&t);

	/* empty and comment-only files: no tubes */
	CHECK(build_text(&t, "", 2, path, err) == 0);
	CHECK(t.n == 0);
	pd_topology_release(&t);
	CHECK(build_text(&t, "# nothing\n\n", 2, path, err) == 0);
	CHECK(t.n == 0);
	pd_topology_release(&t);

	/* a 63-character name; node 4095 of 4096 */
	memset(name63, 'n', 63);
	name63[63] = 0;
	snprintf(text, sizeof text, "%s 4095 0\n%s 0 4095\n", name63, name63);
	CHECK(build_text(&t, text, 4096, path, err) == 0);
	CHECK(t.n == 2 && !strcmp(t.v[0].name, name63) && t.v[0].src == 4095);
	check_lookup(&t, 4096);
	pd_topology_release(&t);
}

/* Every file error message. */
static void test_file_errors(void)
{
	char text[256], msg[PD_ERRLEN];

	file_fails("a 0 1\n\n# c\nb 7 1\n", 4, "4: node 7 is outside 0..3");
	file_fails("a 0 4\n", 4, "1: node 4 is outside 0..3");
	file_fails("a 0 99999999999999999999\n", 4, "1: node 99999999999999999999 is outside 0..3");
	file_fails("a 0 1\n", 1, "1: node 1 is outside 0..0");
	file_fails("a 0 1\nb/c 1 0\n", 2,
		   "2: bad tube name 'b/c' (1 to 63 characters of A-Z a-z 0-9 _ . -)");
	snprintf(text, sizeof text, "%064d 0 1\n", 0);
	snprintf(msg, sizeof msg, "1: bad tube name '%064d' (1 to 63 characters of A-Z a-z 0-9 _ . -)", 0);
	file_fails(text, 2, msg);
	file_fails("a 0\n", 2, "1: expected 3 fields (NAME SOURCE TARGET), found 2");
	file_fails("a\n", 2, "1: expected 3 fields (NAME SOURCE TARGET), found 1");
	file_fails("a 0 1 2 # four\n", 3, "1: expected 3 fields (NAME SOURCE TARGET), found 4");
	file_fails("a 0 1x\n", 2, "1: bad node number '1x' (a decimal number without sign)");
	file_fails("a +1 0\n", 2, "1: bad node number '+1' (a decimal number without sign)");
	file_fails("a -1 0\n", 2, "1: bad node number '-1' (a decimal number without sign)");
	file_fails("a 0x1 0\n", 2, "1: bad node number '0x1' (a decimal number without sign)");
	file_fails("left 1 0\nright 0 1\n\nleft 2 0\n", 3,
		   "4: node 0 would get a second incoming tube named 'left' (the first is on line 1)");
	file_fails("x 1 2\ny 0 2\nx 1 0\n", 3,
		   "3: node 1 would get a second outgoing tube named 'x' (the first is on line 1)");
	file_fails("s 1 1\ns 0 1\n", 2,
		   "2: node 1 would get a second incoming tube named 's' (the first is on line 1)");
	file_fails("s 1 1\ns 1 1\n", 2,
		   "2: node 1 would get a second incoming tube named 's' (the first is on line 1)");
}

/* Line length, tube count, missing and unreadable files. */
static void test_file_limits(void)
{
	struct pd_topology t;
	char path[64], dirpath[80], err[PD_ERRLEN], msg[PD_ERRLEN], *text;
	size_t len, i, last = 0;
	int n;

	/* a line of exactly 4096 bytes is fine; one more byte is not */
	text = malloc(2 * 4097 + 64);
	strcpy(text, "a 0 1 #");
	len = strlen(text);
	memset(text + len, 'x', 4096 - len);
	text[4096] = '\n';
	len = 4097;
	write_file(path, text, len);
	CHECK(pd_topology_build(&t, path, 2, err) == 0);
	CHECK(t.n == 1);
	pd_topology_release(&t);
	unlink(path);
	memset(text + len, ' ', 4097);
	strcpy(text + len + 4097, "\nb 0 1\n");
	write_file(path, text, strlen(text));
	CHECK(pd_topology_build(&t, path, 2, err) == -1);
	snprintf(msg, sizeof msg, "%s:2: line too long (at most 4096 bytes)", path);
	CHECK_STR(err, msg);
	unlink(path);
	free(text);

	/* 65536 tubes are fine, 65537 are not */
	text = malloc(65537 * 16);
	for (len = 0, i = 0; i < 65537; i++) {
		last = len;
		len += (size_t)sprintf(text + len, "t%zu %zu %zu\n", i, i % 3, i % 2);
	}
	write_file(path, text, last);
	CHECK(pd_topology_build(&t, path, 3, err) == 0);
	CHECK(t.n == 65536);
	n = pd_topology_count(&t, 2, 1);
	CHECK(n == 21845);
	CHECK(pd_topology_tube(&t, 2, 1, n - 1) == &t.v[65534]);
	pd_topology_release(&t);
	unlink(path);
	write_file(path, text, len);
	CHECK(pd_topology_build(&t, path, 3, err) == -1);
	snprintf(msg, sizeof msg, "%s:65537: too many tubes (at most 65536)", path);
	CHECK_STR(err, msg);
	unlink(path);
	free(text);

	/* a NUL byte */
	write_file(path, "ok 0 1\nbad\0 0 1\n", 16);
	CHECK(pd_topology_build(&t, path, 2, err) == -1);
	snprintf(msg, sizeof msg, "%s:2: NUL byte in line (not a text file?)", path);
	CHECK_STR(err, msg);
	unlink(path);

	/* a missing file is an unknown topology; other failures say why */
	write_file(path, "", 0);
	unlink(path);
	CHECK(pd_topology_build(&t, path, 2, err) == -1);
	snprintf(msg, sizeof msg, "unknown topology '%s' " UNKNOWN_TAIL, path);
	CHECK_STR(err, msg);
	CHECK(pd_topology_build(&t, "rings", 2, err) == -1);
	CHECK_STR(err, "unknown topology 'rings' " UNKNOWN_TAIL);
	CHECK(pd_topology_build(&t, "", 2, err) == -1);
	CHECK_STR(err, "unknown topology '' " UNKNOWN_TAIL);
	write_file(path, "", 0);
	snprintf(dirpath, sizeof dirpath, "%s/x", path);
	CHECK(pd_topology_build(&t, dirpath, 2, err) == -1);
	snprintf(msg, sizeof msg, "open %s: Not a directory", dirpath);
	CHECK_STR(err, msg);
	unlink(path);
	CHECK(pd_topology_build(&t, "/tmp", 2, err) == -1);
	CHECK_STR(err, "read /tmp: Is a directory");
	CHECK(t.v == NULL && t.n == 0);
}

int main(void)
{
	test_named();
	test_named_details();
	test_file_good();
	test_file_errors();
	test_file_limits();
	return t_done("topology_test");
}
