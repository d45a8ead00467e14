#!/usr/bin/env bats
# The Makefile sweep example: a full run, then an interrupted run resumed.

setup() {
	B=$(cd "${B:-build}" && pwd)
	W=$(mktemp -d /tmp/pdsweep.XXXXXX)
	cp share/examples/sweep/Makefile "$W/"
	export PD_HOME="$W/home"
	mkdir -p "$PD_HOME"
	MK="make -s -C $W PDMAP=$B/bin/pd-map JOB=$B/examples/himmelblau.so STEP=1"
}

teardown() {
	rm -rf "$W"
}

# Himmelblau on the grid, computed independently with awk.
expected() {
	awk 'BEGIN { for (i = 0; i <= 10; i++) for (j = 0; j <= 10; j++) {
		x = -5 + i; y = -5 + j; a = x * x + y - 11; b = x + y * y - 7
		printf "x=%g y=%g\t%.17g\n", x, y, a * a + b * b } }'
}

@test "sweep: make evaluates the whole grid" {
	run $MK
	[ "$status" -eq 0 ]
	[ "$(wc -l < "$W/results.tsv")" -eq 121 ]
	diff <(expected) "$W/results.tsv"
}

@test "sweep: an interrupted sweep resumes and ends with the same results" {
	$MK grid.txt
	# A first run that dies after 40 records: feed it only those, as if
	# the machine had stopped there.
	head -40 "$W/grid.txt" | "$B/bin/pd-map" --tag --joblog "$W/sweep.joblog" \
		"$B/examples/himmelblau.so" > /dev/null
	[ "$(wc -l < "$W/sweep.joblog")" -eq 40 ]
	run $MK
	[ "$status" -eq 0 ]
	diff <(expected) "$W/results.tsv"
	# The 40 records already done were not run again: only 81 new entries.
	[ "$(wc -l < "$W/sweep.joblog")" -eq 121 ]
}
