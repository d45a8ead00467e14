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
