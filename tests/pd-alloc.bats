#!/usr/bin/env bats
# pd-alloc from the outside: it talks to the local pd-serve only, shows
# and changes how many CPUs (and GPUs) the host shares, at once and for
# good.

load helpers/common

setup() {
	pd_setup
	NCPU=$(getconf _NPROCESSORS_ONLN)
}

teardown() {
	pd_teardown
}

@test "no local server: 69, saying so" {
	pdrun "$PD_ALLOC"
	echo "$stderr"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[[ $stderr == "pd-alloc: "*"no pd-serve"* ]]
	pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 69 ]
}

@test "shows this host's CPUs and GPUs" {
	skip_if_cuda_driver
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'cpu %d total, %d shared, 0 busy\ngpu 0 total, 0 shared, 0 busy' "$NCPU" "$NCPU")" ]
}

@test "--json has host, version, cpus, shared, busy, gpus, gpus_shared, gpus_busy" {
	skip_if_cuda_driver
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC" --json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$B/tests/pd_json" host version cpus shared busy gpus gpus_shared gpus_busy <<<"$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\t%s\t%d\t%d\t0\t0\t0\t0' "$(uname -n)" "$("$PD_ALLOC" --version | awk '{ print $2 }')" "$NCPU" "$NCPU")" ]
}

@test "--cpu 1 applies at once and shows in pd-alloc and pd-status" {
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cpu $NCPU total, 1 shared, 0 busy" ]
	pdrun "$PD_ALLOC" --json
	run "$B/tests/pd_json" shared <<<"$output"
	[ "$output" = 1 ]
	pdrun "$PD_STATUS" --json -H "127.0.0.1:$PD_PORT"
	[ "$status" -eq 0 ]
	run "$B/tests/pd_json" shared cpus <<<"$output"
	[ "$output" = "$(printf '1\t%d' "$NCPU")" ]
}

@test "--cpu persists across a pd-serve restart" {
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC" --cpu 0
	[ "$status" -eq 0 ]
	pd_stop_server "$PD_PID"
	pd_start_server
	pdrun "$PD_ALLOC" --json
	run "$B/tests/pd_json" shared <<<"$output"
	[ "$output" = 0 ]
	pdrun "$PD_ALLOC" --cpu 1
	pd_stop_server "$PD_PID"
	pd_start_server
	pdrun "$PD_ALLOC" --json
	run "$B/tests/pd_json" shared <<<"$output"
	[ "$output" = 1 ]
}

@test "a host sharing 1 CPU never runs more than 1 record at a time" {
	pd_keygen
	# the server's workers run the job: they need the variable
	export PD_COUNTER_FILE="$T/calls"
	pd_start_server
	pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 0 ]
	for i in 1 2 3 4 5 6; do echo "hold 100 $i"; done >"$T/in"
	pdrun "$PD_MAP" -c 8 "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	read -r running max <"$T/calls.active"
	echo "running $running, at most $max at once"
	[ "$running" -eq 0 ]
	[ "$max" -eq 1 ]
}

@test "with 0 CPUs shared a run does not hang: it ends with 69" {
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC" --cpu 0
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cpu $NCPU total, 0 shared, 0 busy" ]
	seq 1 3 >"$T/in"
	PD_RUN_TIMEOUT=20
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
}

@test "out-of-range shares are refused (65) and change nothing" {
	skip_if_cuda_driver
	pd_keygen
	pd_start_server
	# (shares above the CPU count are allowed, for jobs that mostly wait;
	# not beyond the protocol's PD_SLOTS_MAX of 1024)
	pdrun "$PD_ALLOC" --cpu 2000
	echo "$stderr"
	[ "$status" -eq 65 ]
	[[ $stderr == pd-alloc:* ]]
	pdrun "$PD_ALLOC" --gpu 1
	echo "$stderr"
	[ "$status" -eq 65 ]
	[[ $stderr == *"0 GPUs"* ]]
	pdrun "$PD_ALLOC" --json
	run "$B/tests/pd_json" shared gpus_shared <<<"$output"
	[ "$output" = "$(printf '%d\t0' "$NCPU")" ]
	pdrun "$PD_ALLOC" --gpu 0
	[ "$status" -eq 0 ]
}

@test "usage errors: 64" {
	pdrun "$PD_ALLOC" --cpu x
	[ "$status" -eq 64 ]
	pdrun "$PD_ALLOC" --cpu -1
	[ "$status" -eq 64 ]
	pdrun "$PD_ALLOC" --gpu x
	[ "$status" -eq 64 ]
	pdrun "$PD_ALLOC" extra
	[ "$status" -eq 64 ]
	pdrun "$PD_ALLOC" --no-such-option
	[ "$status" -eq 64 ]
}

@test "pd-alloc reaches only the server of its own PD_HOME" {
	pd_keygen
	pd_start_server
	mkdir -p "$T/other"
	PD_HOME="$T/other" pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 69 ]
	pdrun "$PD_ALLOC" --json
	run "$B/tests/pd_json" shared <<<"$output"
	[ "$output" = "$NCPU" ]
}
