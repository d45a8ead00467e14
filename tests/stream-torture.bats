#!/usr/bin/env bats
# Stream torture (issue 13): random bytes, NULs, CRs, tabs, very long lines
# and invalid UTF-8 through pd-map in every output mode (plain, --tag,
# --json, --unordered, --joblog, --resume after a kill), newline- and
# NUL-separated (-0).  Every output line must parse, results must line up
# with records one to one, nothing lost or duplicated.  The expected
# output is computed from the input bytes alone by
# tests/helpers/streamcheck.py (see there for the echo job's rule and for
# which records must fail: a NUL in a newline-separated record, a result
# holding the output separator).

load helpers/common

N=600

setup() {
	pd_setup
	ECHO="$T/echo.so"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/echo.c -o "$ECHO"
	CHECK="python3 tests/helpers/streamcheck.py"
}

teardown() {
	pd_teardown
}

# torture_input SEP: $T/in.SEP with N records from a fixed seed, and
# $T/want.SEP / $T/tag.SEP, the expected plain and --tag output.
torture_input() {
	$CHECK gen "$1" 13 "$N" >"$T/in.$1"
	[ "$($CHECK records "$1" "$T/in.$1")" -eq "$N" ]
	$CHECK expect "$1" "$T/in.$1" >"$T/want.$1"
	$CHECK tag "$1" "$T/in.$1" >"$T/tag.$1"
	# the input does hold what it is meant to
	$CHECK awkward "$1" "$T/in.$1"
}

# plain_and_tag SEP [-0]: plain, --tag and --unordered runs.
plain_and_tag() {
	local sep=$1 f
	shift
	f=$($CHECK failures "$sep" "$T/in.$sep")
	[ "$f" -gt 0 ]
	pdrun_to "$T/out" "$PD_MAP" -c 2 "$@" "$ECHO" <"$T/in.$sep"
	[ "$status" -eq 1 ]
	cmp "$T/want.$sep" "$T/out"
	# one message line per failed record, and the count
	[ "$(grep -c '^pd-map: line [0-9]*: ' "$T/out.err")" -eq "$f" ]
	grep -qx "pd-map: $f of $N records failed" "$T/out.err"
	pdrun_to "$T/out" "$PD_MAP" -c 2 --tag "$@" "$ECHO" <"$T/in.$sep"
	[ "$status" -eq 1 ]
	cmp "$T/tag.$sep" "$T/out"
	pdrun_to "$T/out" "$PD_MAP" -c 3 --unordered "$@" "$ECHO" <"$T/in.$sep"
	[ "$status" -eq 1 ]
	$CHECK unordered "$sep" "$T/in.$sep" "$T/out"
}

# json_runs SEP [-0]: --json, ordered and not.
json_runs() {
	local sep=$1
	shift
	pdrun_to "$T/out" "$PD_MAP" -c 2 --json "$@" "$ECHO" <"$T/in.$sep"
	$CHECK json "$sep" "$T/in.$sep" "$T/out"
	pdrun_to "$T/out" "$PD_MAP" -c 3 --unordered --json "$@" "$ECHO" <"$T/in.$sep"
	$CHECK jsonu "$sep" "$T/in.$sep" "$T/out"
}

# killed_resume SEP SIGNAL [-0]: a --joblog run killed half-way by SIGNAL,
# then --resume: the full output once, a log of whole lines, no record
# logged ok twice, every record that can succeed logged ok.
killed_resume() {
	local sep=$1 sig=$2 pid ok
	shift 2
	rm -f "$T/log"
	PD_ECHO_DELAY_US=3000 "$PD_MAP" -c 2 --joblog "$T/log" "$@" "$ECHO" \
		<"$T/in.$sep" >"$T/out1" 2>"$T/err1" &
	pid=$!
	pd_track "$pid"
	wait_for -t 60 lines_or_exit "$T/log" 100 "$pid"
	kill "-$sig" "$pid"
	wait "$pid" || true
	[ "$(wc -l <"$T/log")" -lt "$N" ]
	pdrun_to "$T/out" "$PD_MAP" -c 2 --joblog "$T/log" --resume "$@" "$ECHO" <"$T/in.$sep"
	[ "$status" -eq 1 ]
	cmp "$T/want.$sep" "$T/out"
	ok=$($CHECK joblog "$sep" "$T/in.$sep" "$T/log")
	[ "$ok" -eq "$($CHECK oks "$sep" "$T/in.$sep")" ]
}

@test "torture, newline-separated: plain, --tag and --unordered stay one record one line" {
	torture_input nl
	plain_and_tag nl
}

@test "torture, newline-separated: every --json line parses and gives back the exact bytes" {
	torture_input nl
	json_runs nl
}

@test "torture, newline-separated: --joblog killed by SIGKILL and by SIGINT, then --resume" {
	torture_input nl
	killed_resume nl KILL
	killed_resume nl INT
}

@test "torture, -0: plain, --tag and --unordered, NUL-terminated" {
	torture_input nul
	plain_and_tag nul -0
}

@test "torture, -0: every --json line parses and gives back the exact bytes" {
	torture_input nul
	json_runs nul -0
}

@test "torture, -0: --joblog killed by SIGKILL, then --resume" {
	torture_input nul
	killed_resume nul KILL -0
}
