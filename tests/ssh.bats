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
	# what a test planted in /tmp, and its listener
	if [ -s "$T/planted" ]; then
		while read -r f; do rm -rf -- "$f"; done <"$T/planted"
	fi
	[ ! -s "$T/evil.pid" ] || kill "$(cat "$T/evil.pid")" 2>/dev/null || true
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

# A PD_SSH_SERVE that records, on the host's side, the key it is handed:
# the first 32 bytes of its input are appended to $S/hI/keys (beside that
# host's PD_HOME), then everything goes on to pd-serve.
key_recorder() {
	cat >"$T/keyserve" <<-EOF
		#!/bin/sh
		{ head -c 32 | tee -a "\${PD_HOME%/home}/keys"; cat; } | exec "$PD_SERVE" "\$@"
	EOF
	chmod 755 "$T/keyserve"
}

# Bytes FROM..FROM+31 of file F.
key_at() {
	tail -c +"$(($2 + 1))" "$1" | head -c 32 | od -An -tx1 | tr -d ' \n'
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

@test "-S: ssh's control sockets go to a private directory made for the run, never to what is planted at the old /tmp path" {
	ssh_hosts 2
	seq 1 60 >"$T/in"
	# a client home whose path holds a space: the control sockets cannot
	# go beside its server's socket
	home="$T/client home"
	cp -a "$NS_CLIENT_HOME" "$home"
	mkdir -m 700 "$T/ctmp"
	# another user's listener, to which a planted symlink points
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    open(sys.argv[2], "a").write("connection\n")
    c.close()' "$T/evil.sock" "$T/evil.log" 3>&- &
	echo $! >"$T/evil.pid"
	wait_for test -e "$T/evil.log"
	# the old predictable paths of this run's two sessions (pd-map keeps
	# the shell's pid): a symlink to that listener, and a directory
	pdrun ip netns exec "$NS_CLIENT" env -u XDG_RUNTIME_DIR TMPDIR="$T/ctmp" PD_HOME="$home" sh -c '
		old=/tmp/playdoh-ssh-$(id -u)-$$
		printf "%s\n" "$old-1" "$old-2" >>"$1/planted"
		ln -s "$1/evil.sock" "$old-1" && mkdir -m 755 "$old-2" || exit 99
		exec "$2" -S "$3,$4" "$5"' sh "$T" "$BIN/pd-map" "$NS_ADDR_0" "$NS_ADDR_1" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(awk '{ printf "%d\n", $1 * $1 }' "$T/in")" ]
	grep -q 'Accepted publickey' "$S/h0/sshd.log"
	grep -q 'Accepted publickey' "$S/h1/sshd.log"
	# nobody connected to the listener; the planted paths are as they were
	[ ! -s "$T/evil.log" ]
	[ -L "$(sed -n 1p "$T/planted")" ]
	[ -d "$(sed -n 2p "$T/planted")" ]
	[ -z "$(find "$(sed -n 2p "$T/planted")" -mindepth 1)" ]
	# the run's private directory is gone
	[ -z "$(find "$T/ctmp" -mindepth 1)" ]
	all_clean 2
}

@test "-S with a host that cannot be reached: it is named with ssh's message, the others do the run" {
	ssh_hosts 3 2 # no sshd on host 2
	seq 1 120 >"$T/in"
	client_map -S "$(id -un)@${NS_ADDR_0},${NS_ADDR_1},${NS_ADDR_2}" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(awk '{ printf "%d\n", $1 * $1 }' "$T/in")" ]
	[[ $stderr == *"ssh ${NS_ADDR_2}: "*"Connection refused"* ]]
	[[ $stderr != *"ssh ${NS_ADDR_0}"* && $stderr != *"ssh ${NS_ADDR_1}"* ]]
	all_clean 3
}

@test "-S with no host reachable: exit 69, each named" {
	ssh_hosts 2 0
	client_map -S "${NS_ADDR_0},${NS_ADDR_1}" "$EX/square.so" <<<"3"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[[ $stderr == *"ssh ${NS_ADDR_0}: "*"Connection refused"* ]]
	[[ $stderr == *"ssh ${NS_ADDR_1}: "*"Connection refused"* ]]
	[[ $stderr == *"no host in -S could be reached"* ]]
}

@test "-S on a host whose pd-serve already runs (default port, our key): it is used as is, no ssh" {
	ssh_hosts 2
	netns_start_server 0 -p 2718
	seq 1 50 >"$T/in"
	client_map -S "${NS_ADDR_0},${NS_ADDR_1}" --tag "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(cut -f 2 <<<"$output")" = "$(awk '{ printf "%d\n", $1 * $1 }' "$T/in")" ]
	# host 0 was not logged into; host 1 was
	run -1 grep -q 'Accepted publickey' "$S/h0/sshd.log"
	grep -q 'Accepted publickey' "$S/h1/sshd.log"
	# host 0's own server is still there, nothing was started beside it
	pd_alive "$NS_PID_0"
	[ -z "$(find "$S/h0/tmp" -mindepth 1)" ]
	wait_for -t 15 host_clean 1
}

@test "-S, client killed with -9 mid-run: the remote servers notice and leave nothing behind" {
	ssh_hosts 2
	yes 400 | head -n 200 >"$T/in"
	ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$BIN/pd-map" -S "${NS_ADDR_0}:1,${NS_ADDR_1}:1" \
		"$EX/sleep.so" <"$T/in" >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	# both servers up, each with its state directory, and results coming
	wait_for -t 60 test -s "$T/out"
	[ -n "$(host_servers 0)" ]
	[ -n "$(host_servers 1)" ]
	[ -n "$(find "$S/h0/tmp" "$S/h1/tmp" -mindepth 1)" ]
	kill -KILL "$pid"
	wait "$pid" || true
	all_clean 2
}

@test "pd-task -S: a line of 2 nodes, one per ssh host (tubes between hosts), equals the serial solver" {
	ssh_hosts 2
	cc -O2 -o "$T/heat_serial" tests/jobs/heat_serial.c -lm
	"$T/heat_serial" 40 60 >"$T/serial"
	pdrun ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$BIN/pd-task" \
		-S "${NS_ADDR_0}:1,${NS_ADDR_1}:1" -n 2 -t line --args "40 60" "$EX/heat.so"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/serial")" ]
	all_clean 2
}

@test "-S: each run hands its ssh hosts' servers a fresh key, never the cluster key; results equal the embedded run's" {
	ssh_hosts 2
	key_recorder
	seq 1 80 >"$T/in"
	PD_HOME=$T/emb-home "$PD_MAP" -c 2 "$EX/square.so" <"$T/in" >"$T/embedded"
	cluster=$(key_at "$NS_CLIENT_HOME/key" 0)
	[ ${#cluster} -eq 64 ]
	for run in 0 1; do
		PD_SSH_SERVE=$T/keyserve client_map -S "${NS_ADDR_0},${NS_ADDR_1}" "$EX/square.so" <"$T/in"
		[ "$status" -eq 0 ]
		[ "$output" = "$(cat "$T/embedded")" ]
		all_clean 2
	done
	# each host got one 32-byte key a run
	[ "$(stat -c %s "$S/h0/keys")" -eq 64 ]
	[ "$(stat -c %s "$S/h1/keys")" -eq 64 ]
	first=$(key_at "$S/h0/keys" 0)
	second=$(key_at "$S/h0/keys" 32)
	# the run's key, the same on both hosts of a run, a new one each run
	[ "$(key_at "$S/h1/keys" 0)" = "$first" ]
	[ "$(key_at "$S/h1/keys" 32)" = "$second" ]
	[ "$first" != "$cluster" ]
	[ "$second" != "$cluster" ]
	[ "$first" != "$second" ]
	[ "$first" != "$(printf '0%.0s' $(seq 1 64))" ]
}

@test "pd-task -S beside a host that takes the cluster key: tubes between them work (the started server gets the cluster key)" {
	ssh_hosts 2
	key_recorder
	netns_start_server 0 -p 2718
	cc -O2 -o "$T/heat_serial" tests/jobs/heat_serial.c -lm
	"$T/heat_serial" 40 60 >"$T/serial"
	pdrun ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" PD_SSH_SERVE="$T/keyserve" "$BIN/pd-task" \
		-S "${NS_ADDR_0}:1,${NS_ADDR_1}:1" -n 2 -t line --args "40 60" "$EX/heat.so"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/serial")" ]
	# host 0's own server was used; host 1's, started for the run, shares
	# the cluster key with it, since the tube between them is sealed with it
	[ ! -e "$S/h0/keys" ]
	[ "$(key_at "$S/h1/keys" 0)" = "$(key_at "$NS_CLIENT_HOME/key" 0)" ]
	wait_for -t 15 host_clean 1
}

@test "pd-opt with ssh hosts from the hosts file ('ssh' line): the same result as the local run, same seed" {
	ssh_hosts 2
	args=(-a pso --seed 17 --iterations 20 --json --dim 3 --bounds -2:2 "$EX/rosenbrock.so:rosenbrock")
	PD_HOME=$T/emb-home "$B/bin/pd-opt" -n 1 "${args[@]}" >"$T/local"
	printf '# lab machines with nothing set up\nssh %s:1, %s@%s:2\n' "$NS_ADDR_0" "$(id -un)" "$NS_ADDR_1" \
		>"$NS_CLIENT_HOME/hosts"
	pdrun ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$B/bin/pd-opt" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/local")" ]
	grep -q 'Accepted publickey' "$S/h0/sshd.log"
	grep -q 'Accepted publickey' "$S/h1/sshd.log"
	all_clean 2
	# pd-status starts no servers: it looks for running ones, logs in nowhere
	logins=$(cat "$S"/h*/sshd.log | grep -c 'Accepted publickey')
	pdrun ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$B/bin/pd-status"
	[ "$status" -ne 0 ]
	[ "$status" -lt 128 ]
	[ "$(cat "$S"/h*/sshd.log | grep -c 'Accepted publickey')" = "$logins" ]
}

@test "-S: a bad entry, or -S with --detach or --fetch, is a usage error (64) naming it" {
	run -64 "$PD_MAP" -S 'lab1,lab2:0' "$EX/square.so" </dev/null
	[[ $output == *"-S: bad slots in 'lab2:0'"* ]]
	run -64 "$PD_MAP" -S '-oProxyCommand=x' "$EX/square.so" </dev/null
	[[ $output == *"-S: bad host name"* ]]
	run -64 "$PD_MAP" -S 'bad!user@lab1' "$EX/square.so" </dev/null
	[[ $output == *"-S: bad user in"* ]]
	run -64 "$PD_MAP" -S lab1 --detach "$EX/square.so" </dev/null
	[[ $output == *"not with --detach"* ]]
	run -64 "$B/bin/pd-task" -S lab1 --fetch abc
	[[ $output == *"not with --fetch"* ]]
	pd_keygen
	printf 'ssh lab1:2\n' >"$PD_HOME/hosts"
	run -64 "$PD_MAP" --detach "$EX/square.so" </dev/null
	[[ $output == *"ssh hosts take attached runs only"* ]]
}

@test "pd-serve --ephemeral: key on stdin, ready line, serves on 127.0.0.1; its stdin's end stops it and removes its state" {
	pd_keygen
	mkdir -m 700 "$T/rtmp"
	mkfifo "$T/keyin"
	env -u SSH_CONNECTION TMPDIR="$T/rtmp" PD_HOME="$T/nohome" "$PD_SERVE" --ephemeral <"$T/keyin" \
		>"$T/ready" 2>"$T/err" 3>&- &
	pid=$!
	exec 4>"$T/keyin"
	cat "$PD_HOME/key" >&4
	wait_for test -s "$T/ready"
	read -r word port addr <"$T/ready"
	[ "$word" = ready ]
	[ "$addr" = - ]
	[ -n "$(find "$T/rtmp" -mindepth 1 -maxdepth 1 -name 'playdoh-ssh-*')" ]
	seq 1 30 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$port" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(awk '{ printf "%d\n", $1 * $1 }' "$T/in")" ]
	exec 4>&-
	wait_for -t 15 pd_dead "$pid"
	wait "$pid"
	[ -z "$(find "$T/rtmp" -mindepth 1)" ]
	[ ! -e "$T/nohome" ]
	# its usage: only -v, --cpu and --mem; no key is exit 65
	run -64 "$PD_SERVE" --ephemeral -p 0
	run -65 "$PD_SERVE" --ephemeral </dev/null
	[[ $output == *"no key on standard input"* ]]
}
