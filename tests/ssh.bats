#!/usr/bin/env bats
# -S: hosts reached through ssh, with no pd-serve set up there.  Real
# private sshd's (helpers/sshd.bash) on network-namespace hosts; each
# host's sessions have a PD_HOME and a TMPDIR of their own, so that what
# a run leaves behind there can be seen.  Results are compared with the
# embedded run of the same input or with awk.

load helpers/common
load helpers/netns
load helpers/sshd

setup() {
	pd_setup
	BIN=$B/bin
}

teardown() {
	[ -z "${S:-}" ] || sshd_stop_all
	netns_teardown
	pd_teardown
}

# N namespace hosts, sshd on the first M (default all).
ssh_hosts() {
	local n=$1 m=${2:-$1} i
	sshd_prepare
	netns_setup "$n"
	for ((i = 0; i < m; i++)); do
		sshd_start_host "$i"
	done
}

# Processes of host namespace I whose command line names pd-serve.
host_servers() {
	local pid
	for pid in $(ip netns pids "${NS_PREFIX}h$1" 2>/dev/null); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q pd-serve && echo "$pid"
	done
	return 0
}

# Nothing of host I's run is left: no pd-serve process, and its PD_HOME
# and TMPDIR are empty.
host_clean() {
	[ -z "$(host_servers "$1")" ] && [ -z "$(find "$S/h$1/home" "$S/h$1/tmp" -mindepth 1)" ]
}

# Every host of 0..N-1 clean within 15 s; says what is left otherwise.
all_clean() {
	local i
	for ((i = 0; i < $1; i++)); do
		if ! wait_for -t 15 host_clean "$i"; then
			echo "host $i: servers: $(host_servers "$i"); files:" $(find "$S/h$i/home" "$S/h$i/tmp" -mindepth 1)
			return 1
		fi
	done
	# nor ssh's control sockets on the client
	[ -z "$(find "$NS_CLIENT_HOME" -name 'ssh-*')" ]
}

# pd-map in the client namespace; sets status, output, stderr.
client_map() {
	pdrun ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$BIN/pd-map" "$@"
}

@test "-S two hosts: pd-map's results equal the embedded run's and awk's; nothing is left on either" {
	ssh_hosts 2
	seq 1 200 >"$T/in"
	awk '{ printf "%d\n", $1 * $1 }' "$T/in" >"$T/awk"
	PD_HOME=$T/emb-home "$PD_MAP" -c 2 "$EX/square.so" <"$T/in" >"$T/embedded"
	cmp "$T/awk" "$T/embedded"
	client_map -S "${NS_ADDR_0},${NS_ADDR_1}:2" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/embedded")" ]
	# both hosts really ran through ssh
	grep -q 'Accepted publickey' "$S/h0/sshd.log"
	grep -q 'Accepted publickey' "$S/h1/sshd.log"
	all_clean 2
}
