#!/usr/bin/env bats
# contrib/slurm/pd-slurm inside a pretend Slurm allocation: a stub srun
# (tests/helpers/slurm/srun) runs each node's task in a network namespace
# of its own, so the servers pd-slurm starts are on separate network
# stacks, reached at the node names 198.18.0.1, ...

load helpers/common
load helpers/netns

# PD_SLURM: the pd-slurm under test (default: contrib/slurm/pd-slurm)
SLURM=${PD_SLURM:-$BATS_TEST_DIRNAME/../contrib/slurm/pd-slurm}

setup() {
	pd_setup
	STUBS="$BATS_TEST_DIRNAME/helpers/slurm"
	export STUB_LOG="$T/srun.log" STUB_NODES="$T/nodes"
}

teardown() {
	netns_teardown
	pd_teardown
}

# A pretend allocation of N nodes: namespaces, and the stub's node map.
allocation() {
	local i
	netns_setup "$1"
	: >"$STUB_NODES"
	for ((i = 0; i < $1; i++)); do
		echo "198.18.0.$((i + 1)) ${NS_HOSTS[i]}" >>"$STUB_NODES"
	done
	export SLURM_JOB_ID=$((RANDOM + 1000)) SLURM_JOB_NODELIST="198.18.0.[1-$1]"
	# the nodes' private PD_HOMEs go under TMPDIR: ours
	mkdir -p "$T/tmp"
}

# slurm ARGS...: pd-slurm ARGS in the client namespace, the stubs first
# in PATH; sets status, output (stdout) and stderr.  Through files, not
# pipes, so that servers left behind cannot hold up the test.
slurm() {
	pdrun_to "$T/slurm.out" ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" TMPDIR="$T/tmp" \
		PATH="$STUBS:$B/bin:$PATH" "$SLURM" -t 20 "$@" </dev/null
	output=$(cat "$T/slurm.out")
	stderr=$(cat "$T/slurm.out.err")
	echo "+ pd-slurm $* -> status $status"
	printf '%s\n' "$stderr"
}

# No process is left in any host namespace, and no private PD_HOME.
nodes_clean() {
	local ns
	for ns in "${NS_HOSTS[@]}"; do
		[ -z "$(ip netns pids "$ns")" ] || { echo "left in $ns: $(ip netns pids "$ns")"; return 1; }
	done
	[ -z "$(ls -A "$T/tmp")" ] || { echo "left in the nodes' TMPDIR: $(ls -A "$T/tmp")"; return 1; }
}

# Nor the directory of port files and logs.
servers_gone() {
	nodes_clean || return 1
	[ ! -e "$NS_CLIENT_HOME/slurm.$SLURM_JOB_ID" ]
}

@test "slurm: pd-map across the allocation equals the embedded run, on more than one host" {
	allocation 3
	seq 1 300 >"$T/in"
	yes 20 | head -n 60 >"$T/in2"
	slurm sh -c "echo \"\$PD_HOSTS\" >'$T/hosts'; pd-map '$EX/square.so' <'$T/in' >'$T/cluster' &&
		pd-map '$EX/whereami.so' <'$T/in2' >'$T/where'"
	[ "$status" -eq 0 ]
	cat "$STUB_LOG"
	# one srun, for all three nodes
	[ "$(grep -c '^srun ' "$STUB_LOG")" -eq 1 ]
	grep -qE '^198\.18\.0\.1:[0-9]+,198\.18\.0\.2:[0-9]+,198\.18\.0\.3:[0-9]+$' "$T/hosts"
	# the same as an embedded run (no hosts, no server) and as awk
	PD_HOME="$T/embedded" pdrun "$PD_MAP" -c 2 "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/cluster")" ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	sort "$T/where" | uniq -c
	[ "$(wc -l <"$T/where")" -eq 60 ]
	[ "$(sort -u "$T/where" | wc -l)" -ge 2 ]
	[ -z "$(sort -u "$T/where" | grep -vE '^198\.18\.0\.[123]$')" ]
	servers_gone
}

@test "slurm: the command's exit status is passed through and the servers stop" {
	allocation 2
	slurm sh -c 'test -n "$PD_HOSTS" && exit 7'
	[ "$status" -eq 7 ]
	servers_gone
	printf '%s\n' ok fail >"$T/in"
	slurm sh -c "pd-map '$EX/faulty.so' <'$T/in'"
	[ "$status" -eq 1 ]
	[ "$output" = ok ]
	servers_gone
}

@test "slurm: a server that cannot start: 69, its log shown, nothing left" {
	allocation 2
	PD_SLURM_SERVE_FLAGS="--cpu many" slurm true
	[ "$status" -eq 69 ]
	[[ $stderr == *"198.18.0.1: no server; its log:"* ]]
	[[ $stderr == *"--cpu: 'many'"* ]]
	[[ $stderr == *"2 of 2 servers ended before they started"* ]]
	servers_gone
}

@test "slurm: node lists are expanded with scontrol, or without it" {
	# without: a PATH holding awk and nothing else (a real scontrol may
	# be installed)
	mkdir "$T/nosc"
	ln -s "$(command -v awk)" "$T/nosc/awk"
	SLURM_JOB_NODELIST='node[01-03,10],gpu7,r[1-2]-n[8-9]' PATH="$T/nosc" run "$SLURM" -l
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' node01 node02 node03 node10 gpu7 r1-n8 r1-n9 r2-n8 r2-n9)" ]
	SLURM_NODELIST='a[8-11]' PATH="$T/nosc" run "$SLURM" -l
	[ "$output" = "$(printf '%s\n' a8 a9 a10 a11)" ]
	SLURM_JOB_NODELIST='node[01-03' PATH="$T/nosc" run "$SLURM" -l
	[ "$status" -eq 64 ]
	[[ $output == *"cannot read the node list 'node[01-03'"* ]]
	# with scontrol, its answer is used
	mkdir "$T/sc"
	printf '#!/bin/sh\n[ "$1 $2 $3" = "show hostnames n[1-2]" ] && echo alpha && echo beta\n' >"$T/sc/scontrol"
	chmod 755 "$T/sc/scontrol"
	SLURM_JOB_NODELIST='n[1-2]' PATH="$T/sc:$PATH" run "$SLURM" -l
	[ "$output" = "$(printf '%s\n' alpha beta)" ]
}

@test "slurm: outside an allocation, without a key, or with a bad option: clear errors" {
	run env -u SLURM_JOB_NODELIST -u SLURM_NODELIST "$SLURM" true
	[ "$status" -eq 64 ]
	[[ $output == *"not inside a Slurm allocation"* ]]
	SLURM_JOB_NODELIST=n1 PD_HOME="$T/nokey" run "$SLURM" true
	[ "$status" -eq 77 ]
	[[ $output == *"no cluster key $T/nokey/key"* ]]
	SLURM_JOB_NODELIST=n1 run "$SLURM" -p 70000 true
	[ "$status" -eq 64 ]
	run "$SLURM" -h
	[ "$status" -eq 0 ]
	[[ $output == "usage: pd-slurm "* ]]
}

@test "slurm: SIGTERM (scancel) stops the command and the servers; stdin reaches the command" {
	allocation 2
	seq 1 5 >"$T/in"
	ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" TMPDIR="$T/tmp" \
		PATH="$STUBS:$B/bin:$PATH" "$SLURM" -t 20 \
		sh -c "pd-map '$EX/square.so' >'$T/sq'; touch '$T/ready'; exec sleep 613" \
		<"$T/in" >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	pd_track "$pid"
	wait_for -t 30 test -e "$T/ready" || { show "$T/err"; false; }
	[ "$(cat "$T/sq")" = "$(expect_squares "$T/in")" ]
	kill -TERM "$pid"
	wait_for -t 30 pd_dead "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	servers_gone
	# and the command (sleep 613) went with it
	no_sleeper() { ! pgrep -fx 'sleep 613' >/dev/null; }
	wait_for no_sleeper
}

@test "slurm: the page is lint-clean and documents exactly the options -h prints" {
	page="$BATS_TEST_DIRNAME/../contrib/slurm/pd-slurm.1"
	if command -v mandoc >/dev/null; then
		run mandoc -T lint -W warning "$page"
		echo "$output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	fi
	help=$("$SLURM" -h | sed -n '1,2p' | grep -oE '(^|[][ ])-[a-z]' | tr -d '[] ' | sort -u)
	page_opts=$(awk '/^\.Sh /{ s = ($2 == "SYNOPSIS") } s' "$page" |
		grep -oE 'Fl [a-z]' | sed 's/Fl /-/' | sort -u)
	[ -n "$help" ]
	[ "$help" = "$page_opts" ]
	for sec in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
		grep -qx "\.Sh $sec" "$page"
	done
}

@test "slurm: a server that never reports its port: 69 after -t seconds, nothing left" {
	allocation 2
	# a pd-serve that starts but never listens
	printf '#!/bin/sh\nexec sleep 617\n' >"$T/hang-serve"
	chmod 755 "$T/hang-serve"
	PD_SERVE="$T/hang-serve" pdrun_to "$T/slurm.out" ip netns exec "$NS_CLIENT" \
		env PD_HOME="$NS_CLIENT_HOME" TMPDIR="$T/tmp" PATH="$STUBS:$B/bin:$PATH" \
		"$SLURM" -t 1 true </dev/null
	cat "$T/slurm.out.err"
	[ "$status" -eq 69 ]
	grep -q '2 of 2 servers not started after 1 s' "$T/slurm.out.err"
	servers_gone
	no_hang() { ! pgrep -fx 'sleep 617' >/dev/null; }
	wait_for no_hang
}

# The stub srun's step ended with no task killed (a real srun would say
# "task N: Killed", and leave the nodes' private directories behind).
no_task_killed() {
	! grep -E 'srun: error|forcing job termination' <<<"$1" || false
}

@test "slurm: servers are stopped, not killed (as a real srun allows); no key copy while they run; a -d DIR is kept" {
	allocation 2
	mkdir -m 700 "$T/shared"
	echo mine >"$T/shared/keep"
	seq 1 20 >"$T/in"
	PD_SLURM_SERVE_FLAGS=-v slurm -d "$T/shared" sh -c "pd-map '$EX/square.so' <'$T/in' >'$T/sq' &&
		ls '$T/tmp' >'$T/private' && find '$T/tmp' -name key >'$T/keys'"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/sq")" = "$(expect_squares "$T/in")" ]
	# while they ran: two private directories, no key copy in them
	[ "$(wc -l <"$T/private")" -eq 2 ]
	[ ! -s "$T/keys" ]
	no_task_killed "$stderr"
	# each server was asked to stop (SIGTERM) and did, by itself
	for node in 198.18.0.1 198.18.0.2; do
		cat "$T/shared/$node.log"
		grep -q 'signal 15: stopping' "$T/shared/$node.log"
		grep -q 'stopped' "$T/shared/$node.log"
		[ ! -e "$T/shared/$node.port" ]
	done
	[ "$(cat "$T/shared/keep")" = mine ]
	servers_gone
}

@test "slurm: a signal to pd-slurm's whole process group (a terminal's hang-up) stops the servers, not kills them" {
	allocation 2
	ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" TMPDIR="$T/tmp" \
		PATH="$STUBS:$B/bin:$PATH" setsid "$SLURM" -t 20 \
		sh -c "touch '$T/ready'; exec sleep 619" </dev/null >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	pd_track "$pid"
	wait_for -t 30 test -e "$T/ready" || { show "$T/err"; false; }
	# setsid did not fork (we are not a group leader): pid is the group's
	kill -HUP -- "-$pid"
	wait_for -t 30 pd_dead "$pid"
	st=0
	wait "$pid" || st=$?
	cat "$T/err"
	[ "$st" -eq 129 ]
	no_task_killed "$(cat "$T/err")"
	servers_gone
}

@test "slurm: pd-slurm killed (SIGKILL): every server still stops and removes its private directory" {
	allocation 2
	ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" TMPDIR="$T/tmp" \
		PATH="$STUBS:$B/bin:$PATH" "$SLURM" -t 20 \
		sh -c "echo \$\$ >'$T/cmd'; exec sleep 621" </dev/null >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	pd_track "$pid"
	wait_for -t 30 test -s "$T/cmd" || { show "$T/err"; false; }
	pd_track "$(cat "$T/cmd")"
	kill -KILL "$pid"
	clean() { nodes_clean >/dev/null 2>&1; }
	wait_for -t 30 clean || nodes_clean
	no_task_killed "$(cat "$T/err")"
}
