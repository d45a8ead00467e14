#!/bin/sh
# tests/layout/includes.sh - the include graph of lib/ and cmd/, drawn from
# the #include "..." lines: how many files and arrows, how many arrows run
# back up a layer, and which modules include each other in a circle.
#
# Usage: sh tests/layout/includes.sh [-v] [-m MAP] [ROOT]
#   ROOT  the source tree (default: the current directory)
#   -v    also list each upward arrow and each circle
#   -m    MAP: lines "FILE-STEM FOLDER" placing files that sit at the top of
#         lib/ into a layer (to measure a tree from before the folders)
#
# Layers, lowest first: lib/playdoh.h, base, opt, wire, job, run, task,
# serve, front, then cmd.  An arrow runs up when a file includes one of a
# higher layer.  A module is a file name without .c/.h; the modules
# listed on one line of split-modules (next to this script) are one module
# cut into files, and a circle among them alone is not counted.
# Prints "files N", "arrows N", "upward N", "circles N".
set -eu
verbose=0 map=/dev/null
while getopts vm: o; do
	case $o in
	v) verbose=1 ;;
	m) map=$OPTARG ;;
	*) echo "usage: includes.sh [-v] [-m MAP] [ROOT]" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
here=$(cd "$(dirname "$0")" && pwd)
cd "${1:-.}"
files=$(find lib cmd -name '*.[ch]' | sort)
# One line per include: "SOURCE NAME".
for f in $files; do
	sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" | sed "s|^|$f |"
done | awk -v verbose="$verbose" -v files="$files" -v mapfile="$map" -v splitfile="$here/split-modules" '
function stem(p) { sub(/.*\//, "", p); sub(/\.[ch]$/, "", p); return p }
function layer(p,   s) {
	if (p ~ /^cmd\//) return "cmd"
	if (p ~ /^lib\/[^\/]+\//) { s = p; sub(/^lib\//, "", s); sub(/\/.*/, "", s); return s }
	s = stem(p)
	return (s in where) ? where[s] : "root"
}
function dir(p) { sub(/\/[^\/]*$/, "", p); return p }
# The file an include names, searched like the compiler: its own folder,
# then lib/, then each folder of lib/.
function resolve(src, name,   d, c) {
	c = dir(src) "/" name; if (c in exists) return c
	c = "lib/" name; if (c in exists) return c
	for (d in folders) { c = d "/" name; if (c in exists) return c }
	return ""
}
BEGIN {
	n = split(files, fl, /[ \n]+/)
	for (i = 1; i <= n; i++) if (fl[i] != "") { exists[fl[i]] = 1; nfiles++; d = dir(fl[i]); if (d ~ /^lib\//) folders[d] = 1 }
	while ((getline line < mapfile) > 0) { split(line, w, " "); if (w[1] != "") where[w[1]] = w[2] }
	while ((getline line < splitfile) > 0) {
		if (line ~ /^#/) continue
		k = split(line, w, " ")
		for (i = 1; i <= k; i++) group[w[i]] = w[1]
	}
	k = split("root base opt wire job run task serve front cmd", w, " ")
	for (i = 1; i <= k; i++) rank[w[i]] = i
}
{
	t = resolve($1, $2)
	if (t == "" || t == $1 || (($1 " " t) in seen)) next
	seen[$1 " " t] = 1
	arrows++
	ls = layer($1); lt = layer(t)
	if (!(ls in rank) || !(lt in rank)) { print "includes.sh: no layer for " (ls in rank ? t : $1) > "/dev/stderr"; bad = 1 }
	if (ls != lt && rank[lt] > rank[ls]) {
		up++
		if (verbose) print "up: " $1 " (" ls ") -> " t " (" lt ")"
	}
	a = stem($1); b = stem(t)
	if (a != b) { reach[a, b] = 1; node[a] = 1; node[b] = 1 }
}
END {
	for (k in node) for (i in node) if ((i, k) in reach) for (j in node) if ((k, j) in reach) reach[i, j] = 1
	for (i in node) {
		if (done[i] || !((i, i) in reach)) continue
		c = i; m = 1; same = 1; done[i] = 1
		for (j in node) if (j != i && (i, j) in reach && (j, i) in reach) {
			c = c " " j; m++; done[j] = 1
			if (!(i in group) || !(j in group) || group[i] != group[j]) same = 0
		}
		if (m > 1 && !same) { circles++; if (verbose) print "circle: " c }
	}
	printf "files %d\narrows %d\nupward %d\ncircles %d\n", nfiles, arrows, up, circles
	exit bad
}'
