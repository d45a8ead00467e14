#!/usr/bin/env bats
# The Makefile sweep example: a full run, then an interrupted run resumed.

setup() {
	B=$(cd "${B:-build}" && pwd)
	W=$(mktemp -d /tmp/pdsweep.XXXXXX)
	cp share/examples/sweep/Makefile "$W/"
	export PD_HOME="$W/home"
	mkdir -p "$PD_HOME"
	MKVARS="PDMAP=$B/bin/pd-map JOB=$B/examples/himmelblau.so STEP=1"
	MK="make -s -C $W $MKVARS"
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

@test "sweep: make plot draws results.png with gnuplot, or says in one line that it cannot" {
	$MK
	# without gnuplot in PATH: one line, success, no picture
	mkdir "$W/nognuplot"
	run env PATH="$W/nognuplot" "$(command -v make)" -s -C "$W" $MKVARS plot
	[ "$status" -eq 0 ]
	[ "$output" = "gnuplot is not installed: no plot" ]
	[ ! -e "$W/results.png" ]
	command -v gnuplot >/dev/null || skip "gnuplot is not installed (make deps installs gnuplot-nox)"
	run $MK plot
	[ "$status" -eq 0 ]
	[ -s "$W/results.png" ]
	# a PNG file: its 8-byte signature
	[ "$(head -c 8 "$W/results.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	# of the 121 points: x, y and log(1 + f), computed independently
	# (plot.dat has 6 significant digits)
	[ "$(wc -l <"$W/plot.dat")" -eq 121 ]
	paste <(expected | sed 's/x=//; s/ y=/ /' | awk '{ print $1, $2, log($3 + 1) }') "$W/plot.dat" |
		awk '{ d = $3 - $6; if ($1 != $4 || $2 != $5 || d * d > 1e-10 * $3 * $3) bad++ }
			END { print bad + 0, "points differ"; exit bad > 0 }'
}
