#!/usr/bin/env bats
# Job loading and the job interface's extras: ABI checks, init/fini hooks,
# --share data, the job cache (upload only where missing), daemon mode.

load helpers/common

setup() {
	pd_setup
}

teardown() {
	pd_teardown
}

# build_job NAME: compile tests/jobs/NAME.c as a user would, into $T.
build_job() {
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib "tests/jobs/$1.c" -o "$T/$1.so"
}

@test "a job built for another job ABI version: 65 naming both versions, no record runs" {
	build_job stale_abi
	seq 1 5 >"$T/in"
	pdrun "$PD_MAP" -c 2 "$T/stale_abi.so" <"$T/in"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ $stderr == *"stale_abi.so: job built for job ABI version 42, this worker runs version 1"* ]]
	[ "$(grep -c 'ABI version' <<<"$stderr")" -eq 1 ]
}

@test "init runs once per worker before its records, fini when the workers end" {
	build_job hooks
	export PD_HOOKS_FILE="$T/hooks"
	seq 1 200 >"$T/in"
	pdrun "$PD_MAP" -c 2 "$T/hooks.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 200 ]
	# every worker that ran records ran init once
	workers=$(sort -u <<<"$output")
	for pid in $workers; do
		[ "$(grep -c "^init $pid\$" "$T/hooks")" -eq 1 ]
	done
	# and fini, once the embedded server has ended them
	wait_for -t 10 bash -c "[ \$(grep -c '^fini ' '$T/hooks') -eq \$(grep -c '^init ' '$T/hooks') ]"
}

@test "embedded: every slot's worker loads the job before the first record runs; pd-serve loads on first use" {
	# The embedded server answers that it holds the job only once all its
	# workers have loaded it (init hook run), so that the first records of
	# all slots start together: one record on 4 slots finds 4 inits.
	build_job hooks
	export PD_HOOKS_FILE="$T/hooks"
	pdrun "$PD_MAP" -c 4 "$T/hooks.so" <<<"1"
	[ "$status" -eq 0 ]
	cat "$T/hooks"
	[ "$(grep '^init ' "$T/hooks" | sort -u | wc -l)" -eq 4 ]
	grep -qx "init $output" "$T/hooks"
	# a shared pd-serve does not run every worker's init for each client
	: >"$T/hooks"
	pd_keygen
	pd_start_server --cpu 4
	pdrun "$PD_MAP" "$T/hooks.so" <<<"1"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^init ' "$T/hooks")" -eq 1 ]
	grep -qx "init $output" "$T/hooks"
}

@test "--share: read-only data reaches every job, embedded, local server and TCP" {
	printf 'pi 3.14159\ne 2.71828\nphi 1.61803\n' >"$T/table"
	printf 'e\nphi\npi\ne\n' >"$T/in"
	want=$(printf '2.71828\n1.61803\n3.14159\n2.71828')
	pdrun "$PD_MAP" -c 2 --share "$T/table" "$EX/lookup.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	pd_keygen
	pd_start_server -v
	pdrun "$PD_MAP" --share "$T/table" "$EX/lookup.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --share "$T/table" "$EX/lookup.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	# a key the table lacks fails that record only; no table fails clearly
	pdrun "$PD_MAP" --share "$T/table" "$EX/lookup.so" <<<"tau"
	[ "$status" -eq 1 ]
	[[ $stderr == *"line 1: key 'tau' not in the table"* ]]
	pdrun "$PD_MAP" --share "$T/missing" "$EX/lookup.so" <<<"e"
	[ "$status" -eq 65 ]
	[[ $stderr == *"--share $T/missing"* ]]
}

@test "a job and its share data are uploaded once per host, then found by hash" {
	pd_keygen
	pd_start_server -v
	printf 'k v\n' >"$T/table"
	for i in 1 2 3; do
		pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --share "$T/table" "$EX/lookup.so" <<<"k"
		[ "$status" -eq 0 ]
		[ "$output" = v ]
	done
	# two files (the job and the table), each uploaded by the first run only
	[ "$(grep -c 'uploaded' "$PD_LOG")" -eq 2 ]
	[ "$(ls "$PD_HOME/state/cache" | wc -l)" -eq 2 ]
	# a changed job is a new hash: uploaded again
	cp "$EX/lookup.so" "$T/lookup.so"
	printf 'x' >>"$T/lookup.so"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --share "$T/table" "$T/lookup.so" <<<"k"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'uploaded' "$PD_LOG")" -eq 3 ]
}

@test "daemon mode: pd-serve returns once it listens, serves, and stops on SIGTERM" {
	pd_keygen
	pdrun "$PD_SERVE" -p 0 --port-file "$T/port"
	[ "$status" -eq 0 ]
	[ -s "$T/port" ]
	[ -S "$PD_HOME/sock" ]
	pid=$(cat "$PD_HOME/state/lock")
	pd_track "$pid"
	pd_alive "$pid"
	seq 1 20 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$(cat "$T/port")" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	# a second one for the same PD_HOME refuses, from the starting process
	pdrun "$PD_SERVE" -p 0
	[ "$status" -eq 75 ]
	kill -TERM "$pid"
	wait_for -t 10 pd_dead "$pid"
	[ ! -e "$PD_HOME/sock" ]
}
