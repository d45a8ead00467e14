#!/usr/bin/env bats
# `ssh HOST pd-serve`, the README's lab step, against a real sshd: a
# private one (own configuration, host key and authorized key, nothing of
# the machine's ssh set-up) on a network-namespace host, and on 127.0.0.1
# where namespaces cannot be made.  ssh returns only once the remote
# command and everything holding its output have let go, so a detached
# pd-serve that keeps the session's stdout or stderr hangs it.

load helpers/common
load helpers/netns
load helpers/sshd

setup() {
	pd_setup
	sshd_prepare
	SSHD_PID=
}

teardown() {
	local pid
	for pid in $(cat "$T"/remote-home*/state/lock 2>/dev/null); do
		kill -TERM "$pid" 2>/dev/null || true
	done
	[ -z "$SSHD_PID" ] || kill -TERM "$SSHD_PID" 2>/dev/null || true
	netns_teardown
	pd_teardown
}

# Start sshd (run by the words before it, e.g. netns_exec 0) on $1:$2 in
# the background; 0 once it listens, 1 when it exited (port taken).
start_sshd() {
	local addr=$1 port=$2
	shift 2
	sshd_config "$addr" "$port" >"$S/sshd_config"
	: >"$S/sshd.log"
	"$@" "$SSHD" -D -e -f "$S/sshd_config" </dev/null 2>"$S/sshd.log" 3>&- &
	SSHD_PID=$!
	wait_for -t 10 grep -q -e 'Server listening' -e 'Cannot bind' -e 'fatal' "$S/sshd.log" || true
	if ! grep -q 'Server listening' "$S/sshd.log"; then
		cat "$S/sshd.log" >&2
		kill -TERM "$SSHD_PID" 2>/dev/null
		SSHD_PID=
		return 1
	fi
	if [ "$port" = 22 ]; then
		echo "$addr $(cat "$S/host_key.pub")" >"$S/known_hosts"
	else
		echo "[$addr]:$port $(cat "$S/host_key.pub")" >"$S/known_hosts"
	fi
}

# ssh (run by the words before --) to $1:$2 with the remote command $3,
# within 30 s; sets status and output, as run does.
ssh_to() {
	local pre=() addr port cmd
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	addr=$1 port=$2 cmd=$3
	run "${pre[@]}" timeout -k 5 30 ssh -F /dev/null -i "$S/id" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o UserKnownHostsFile="$S/known_hosts" -o GlobalKnownHostsFile=/dev/null \
		-o StrictHostKeyChecking=yes -o ConnectTimeout=10 -p "$port" "$(id -un)@$addr" "$cmd" </dev/null 3>&-
	echo "+ ssh $addr -p $port '$cmd' -> status $status: $output"
	if [ "$status" -eq 255 ] && grep -q 'account is locked' "$S/sshd.log"; then
		skip "sshd (UsePAM no) lets no one log in as $(id -un): its account is locked"
	fi
}

# The pd-serve started through ssh in home $1 answers on $2:port (from
# the command the words before -- give, e.g. ip netns exec ...): squares.
serves_squares() {
	local pre=()
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	seq 1 25 >"$T/in"
	pdrun "${pre[@]}" "$PD_MAP" -H "$2:$(cat "$1/port")" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

# Stop the server of home $1 (SIGTERM, by the pid in its lock file).
stop_remote() {
	local pid
	pid=$(cat "$1/state/lock")
	pd_alive "$pid"
	kill -TERM "$pid"
	wait_for -t 10 pd_dead "$pid"
}

@test "ssh HOST pd-serve returns, on a network-namespace host, and the server answers" {
	netns_setup 1
	local home=$T/remote-home
	mkdir -m 700 "$home"
	cp "$NS_CLIENT_HOME/key" "$home/key"
	start_sshd 198.18.0.1 22 netns_exec 0
	ssh_to netns_client -- 198.18.0.1 22 "PD_HOME=$home $PD_SERVE -p 0 --port-file $home/port"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -q 'Accepted publickey' "$S/sshd.log"
	serves_squares ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" -- "$home" 198.18.0.1
	stop_remote "$home"
}

@test "ssh HOST pd-serve returns, through sshd on 127.0.0.1, and the server answers" {
	local home=$T/remote-home port
	pd_keygen
	mkdir -m 700 "$home"
	cp "$PD_HOME/key" "$home/key"
	# a free high port; another run may take it first, so a few tries
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		ss -Htln "sport = :$port" | grep -q . && continue
		start_sshd 127.0.0.1 "$port" && break
		port=
	done
	[ -n "$port" ]
	ssh_to -- 127.0.0.1 "$port" "PD_HOME=$home $PD_SERVE -p 0 --port-file $home/port"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	serves_squares -- "$home" 127.0.0.1
	stop_remote "$home"
}
