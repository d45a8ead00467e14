#!/usr/bin/env bats
# Issue 12, attack 2: a stray connection to a task node's tube listener,
# from someone without the key, must not end a multi-host pd-task.  An
# attacker in host 1's network namespace watches /proc/net/tcp* there and
# connects to each new listening port (the node's tube listener) at once,
# while host 0's own tube connection is held back (its SYNs to host 1
# dropped until the attacker got in) so that the stranger always comes
# first.  The node must drop it, log it, and keep accepting until the
# expected tube arrives.  Skips where namespaces cannot be made.

load helpers/netns
load helpers/common # wait_for, scaled for the sanitizer build

TASK_TIMEOUT=60
ATTACK_PY=${BATS_TEST_DIRNAME}/helpers/attack.py

setup() {
	unset PD_HOSTS
	BIN=$(_ns_bin)
	EX=$(cd "$BIN/../examples" && pwd)
	T=$BATS_TEST_TMPDIR
	WATCH_PID=
	netns_setup 2
	cc -O2 -o "$T/heat_serial" tests/jobs/heat_serial.c -lm
}

teardown() {
	if [ -n "$WATCH_PID" ]; then
		kill "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
	fi
	netns_teardown
}

# Hold back host 0's TCP connections to host 1 (SYNs dropped) until
# release_h0: TCP sends its SYN again a second later.
hold_h0() {
	local ipt
	for ipt in iptables iptables-legacy; do
		command -v "$ipt" >/dev/null && HOLD_IPT=$ipt && break
	done
	[ -n "${HOLD_IPT:-}" ] || skip "needs iptables to hold back host 0's connections"
	ip netns exec "${NS_PREFIX}h0" "$HOLD_IPT" -w 10 -I OUTPUT -p tcp --syn -d "$NS_ADDR_1" -j DROP
}
release_h0() {
	ip netns exec "${NS_PREFIX}h0" "$HOLD_IPT" -w 10 -D OUTPUT -p tcp --syn -d "$NS_ADDR_1" -j DROP
}

# stray_run MODE: a 2-node heat task across hosts 0 and 1 with the
# attacker (MODE: junk, close, slow) on host 1; the task's status in st,
# its output in $T/out, its stderr in $T/err.
stray_run() {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the attacker"
	netns_start_server 0 --cpu 1
	netns_start_server 1 --cpu 1
	ip netns exec "${NS_PREFIX}h1" /usr/bin/python3 "$ATTACK_PY" tubewatch "$NS_ADDR_1" "$1" "$T/watch.log" 3>&- &
	WATCH_PID=$!
	wait_for grep -qs watching "$T/watch.log"
	hold_h0
	"$T/heat_serial" 40 60 >"$T/serial"
	netns_client timeout -k 5 "$TASK_TIMEOUT" "$BIN/pd-task" -H "$(netns_hosts)" -n 2 -t line \
		--args "40 60" "$EX/heat.so" >"$T/out" 2>"$T/err" 3>&- &
	local task=$!
	wait_for grep -q '^connected' "$T/watch.log"
	release_h0
	st=0
	wait "$task" || st=$?
	echo "pd-task status $st; its stderr:"
	cat "$T/err"
	echo "the attacker:"
	cat "$T/watch.log"
	echo "host 1's log:"
	cat "$(netns_server_log 1)"
}

@test "tube listener: a keyless stranger sending junk first is dropped and logged; the task succeeds" {
	stray_run junk
	[ "$st" -eq 0 ]
	cmp "$T/serial" "$T/out"
	grep -q "warning: tubes: dropped $NS_ADDR_1:[0-9]*: bad magic" "$(netns_server_log 1)"
}

@test "tube listener: a stranger that connects and closes (EOF before a byte) is no tube; the task succeeds" {
	stray_run close
	[ "$st" -eq 0 ]
	cmp "$T/serial" "$T/out"
	grep -q "warning: tubes: dropped $NS_ADDR_1:[0-9]*: tube handshake: connection closed before 'hello'" \
		"$(netns_server_log 1)"
}

@test "tube listener: a stranger trickling a byte every 0.5 s cannot hold the node; the task succeeds at once" {
	stray_run slow
	[ "$st" -eq 0 ]
	cmp "$T/serial" "$T/out"
	# done while the stranger was still trickling (45 s in all)
	! grep -q slow-end "$T/watch.log" || false
}

@test "tube listener: bound to the address the coordinator reached the host at, not every address" {
	stray_run close
	[ "$st" -eq 0 ]
	# the attacker found the port on host 1's own address; on loopback
	# it was not open (before the fix the listener took every address)
	port=$(awk '$1 == "connected" { print $2; exit }' "$T/watch.log")
	[ -n "$port" ]
	grep -qx "loopback $port refused" "$T/watch.log"
}
