#!/usr/bin/env bats
# The source layout (issue 14): lib/'s folders are layers, and includes go
# down them.  tests/layout/includes.sh draws the include graph from the
# #include lines; the tree may have no circle between modules (a module
# cut into files, tests/layout/split-modules, aside) and at most 2 arrows
# running back up a layer.

bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
}

# The value of "NAME N" in the script's output $1.
count() {
	printf '%s\n' "$1" | awk -v k="$2" '$1 == k { print $2 }'
}

@test "the include graph of lib/ and cmd/ has no circle and at most 2 upward arrows" {
	run -0 sh tests/layout/includes.sh -v
	printf '%s\n' "$output"
	[ "$(count "$output" circles)" -eq 0 ]
	[ "$(count "$output" upward)" -le 2 ]
	[ "$(count "$output" files)" -eq "$(find lib cmd -name '*.[ch]' | wc -l)" ]
}

@test "the graph script finds a planted circle and planted upward arrows" {
	t="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$t/lib/base" "$t/lib/wire" "$t/lib/serve" "$t/cmd"
	printf '#include "x.h"\n' >"$t/lib/base/a.c"          # base -> wire: up
	printf '#include "a.h"\n' >"$t/lib/base/b.c"          # down within base
	: >"$t/lib/base/a.h"
	printf '#include "y.h"\n' >"$t/lib/wire/x.h"          # x -> y
	printf '#include "x.h"\n#include "s.h"\n' >"$t/lib/wire/y.h" # y -> x: circle; wire -> serve: up
	: >"$t/lib/serve/s.h"
	printf '#include "s.h"\n#include "a.h"\n#include <stdio.h>\n' >"$t/cmd/t.c"
	run -0 sh tests/layout/includes.sh -v "$t"
	printf '%s\n' "$output"
	[ "$(count "$output" files)" -eq 7 ]
	[ "$(count "$output" arrows)" -eq 7 ]
	[ "$(count "$output" upward)" -eq 2 ]
	[ "$(count "$output" circles)" -eq 1 ]
	[[ $output == *"up: lib/base/a.c (base) -> lib/wire/x.h (wire)"* ]]
	[[ $output == *"up: lib/wire/y.h (wire) -> lib/serve/s.h (serve)"* ]]
}

@test "a circle inside one module cut into files (split-modules) is not counted" {
	t="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$t/lib/run" "$t/cmd"
	printf '#include "coordint.h"\n' >"$t/lib/run/coord.h"
	printf '#include "coord.h"\n' >"$t/lib/run/coordint.h"
	printf '#include "coord.h"\n' >"$t/cmd/t.c"
	run -0 sh tests/layout/includes.sh "$t"
	[ "$(count "$output" circles)" -eq 0 ]
	[ "$(count "$output" arrows)" -eq 3 ]
}

# The message members of lib/wire/runopt.c's table, one a line.
runopt_members() {
	awk '/^const struct pd_runopt pd_runopt_table/ { t = 1; next } t && /^};/ { exit }
	     t && /^ *\{"/ { split($0, f, "\""); print f[4] }' lib/wire/runopt.c
}

@test "per-run options are rows of one table: the layers between the tool and the worker never name one" {
	run -0 runopt_members
	printf 'members: %s\n' "$output"
	[[ $output == *timeout_ms* && $output == *mem* ]]
	# each member of a run or submit is read and written by runopt.c only:
	# the coordinator, the server, detached runs, the pool and the worker
	# hand struct pd_runopts on (lib/task/ and pd-task have a task's own
	# timeout_ms, another message's)
	bad=0
	files=(lib/run/*.c lib/serve/*.c lib/front/*.c lib/job/*.c cmd/pd-map/*.c cmd/pd-opt/*.c)
	# every pattern names files: a folder renamed away must fail here,
	# not pass by grepping nothing
	for f in "${files[@]}"; do
		[ -f "$f" ] || { echo "no file: $f"; false; }
	done
	for m in $output; do
		if grep -n "\"$m\"" "${files[@]}"; then
			echo "'$m' named outside lib/wire/runopt.c"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
	# and each row is an option of both tools, named in their --help
	for o in $(awk '/^const struct pd_runopt pd_runopt_table/ { t = 1; next } t && /^};/ { exit }
			t && /^ *\{"/ { split($0, f, "\""); print f[2] }' lib/wire/runopt.c); do
		"${B:-build}/bin/pd-map" --help | grep -q -e "--$o "
		"${B:-build}/bin/pd-opt" --help | grep -q -e "--$o "
	done
}
