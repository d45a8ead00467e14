#!/usr/bin/env bats
# pd-status from the outside: one line (or JSON object) per host with its
# state, up, down or refused; exit 69 when no host is up.

load helpers/common

setup() {
	pd_setup
	NCPU=$(getconf _NPROCESSORS_ONLN)
}

teardown() {
	pd_teardown
}

@test "no hosts configured and no local server: 69, saying so" {
	pdrun "$PD_STATUS"
	echo "$stderr"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[[ $stderr == pd-status:* ]]
}

@test "the local server, with no host list" {
	pd_keygen
	pd_start_server
	pdrun "$PD_STATUS"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$host" = "$(uname -n)" ]
	[ "$addr" = local ]
	[ "$state" = up ]
}

@test "a host that is up, by -H" {
	pd_keygen
	pd_start_server
	pdrun "$PD_STATUS" -H "127.0.0.1:$PD_PORT"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$host" = "$(uname -n)" ]
	[ "$addr" = "127.0.0.1:$PD_PORT" ]
	[ "$state" = up ]
}

@test "an unreachable host is down; with no host up, 69" {
	pd_keygen
	pd_dead_port
	pdrun "$PD_STATUS" -H "127.0.0.1:$PD_DEAD_PORT"
	[ "$status" -eq 69 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$addr" = "127.0.0.1:$PD_DEAD_PORT" ]
	[ "$state" = down ]
}

@test "one host up and one down: both listed in order, exit 0" {
	pd_keygen
	pd_start_server
	pd_dead_port
	pdrun "$PD_STATUS" -H "127.0.0.1:$PD_DEAD_PORT,127.0.0.1:$PD_PORT"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$addr $state" = "127.0.0.1:$PD_DEAD_PORT down" ]
	read -r host addr state rest <<<"${lines[1]}"
	[ "$addr $state" = "127.0.0.1:$PD_PORT up" ]
}

@test "--json: one array, an object per host with address, state and resources or error" {
	skip_if_cuda_driver
	pd_keygen
	pd_start_server
	pd_dead_port
	pdrun "$PD_STATUS" --json -H "127.0.0.1:$PD_PORT,127.0.0.1:$PD_DEAD_PORT"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == \[* ]]
	local json=$output
	run "$B/tests/pd_json" address state host cpus shared busy gpus <<<"$json"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf '127.0.0.1:%s\tup\t%s\t%d\t%d\t0\t0' "$PD_PORT" "$(uname -n)" "$NCPU" "$NCPU")" ]
	[[ ${lines[1]} == "$(printf '127.0.0.1:%s\tdown\t' "$PD_DEAD_PORT")"* ]]
	run "$B/tests/pd_json" error <<<"$json"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "<missing>" ]
	[ -n "${lines[1]}" ]
	[ "${lines[1]}" != "<missing>" ]
}

@test "a host with another key is refused; 77 when every host refuses" {
	pd_keygen
	pd_start_server
	mkdir -p "$T/other"
	pd_keygen "$T/other"
	PD_HOME="$T/other" pdrun "$PD_STATUS" -H "127.0.0.1:$PD_PORT"
	[ "$status" -eq 77 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$addr $state" = "127.0.0.1:$PD_PORT refused" ]
	[[ $rest == *"authentication failed"* ]]
	# one host refusing and one down: nothing is up, and not all refused
	pd_dead_port
	PD_HOME="$T/other" pdrun "$PD_STATUS" -H "127.0.0.1:$PD_PORT,127.0.0.1:$PD_DEAD_PORT"
	[ "$status" -eq 69 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "the hosts file and PD_HOSTS are used when there is no -H" {
	pd_keygen
	pd_start_server
	echo "127.0.0.1:$PD_PORT" >"$PD_HOME/hosts"
	pdrun "$PD_STATUS"
	[ "$status" -eq 0 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$addr $state" = "127.0.0.1:$PD_PORT up" ]
	rm "$PD_HOME/hosts"
	pd_dead_port
	PD_HOSTS="127.0.0.1:$PD_DEAD_PORT" pdrun "$PD_STATUS"
	[ "$status" -eq 69 ]
	read -r host addr state rest <<<"${lines[0]}"
	[ "$addr $state" = "127.0.0.1:$PD_DEAD_PORT down" ]
}

@test "shows the share set with pd-alloc" {
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 0 ]
	pdrun "$PD_STATUS" --json
	[ "$status" -eq 0 ]
	run "$B/tests/pd_json" address shared <<<"$output"
	[ "$output" = "$(printf 'local\t1')" ]
}

@test "usage errors: 64" {
	# (one argument is a run ID; two are too many)
	pdrun "$PD_STATUS" run1 run2
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" -H ""
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" -H "127.0.0.1:99999"
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --no-such-option
	[ "$status" -eq 64 ]
}
