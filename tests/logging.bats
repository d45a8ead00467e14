#!/usr/bin/env bats
# pd-serve's log: every refused connection and every failed record leaves
# exactly one line naming the peer (or the run) and the cause; -v adds the
# ordinary events; a daemon with no terminal logs to syslog.

load helpers/common

setup() {
	pd_setup
	pd_keygen
	ATTACK="$B/tests/pd_attack"
}

teardown() {
	local pid
	# a daemon started by the syslog test, should that test fail early
	if [ -s "$PD_HOME/state/lock" ]; then
		pid=$(cat "$PD_HOME/state/lock")
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != "$(readlink -f "$PD_SERVE")" ] ||
			pd_track "$pid"
	fi
	pd_teardown
}

# The lines of the server log about client address $1 (ADDR:PORT).
lines_about() {
	grep -F -- " $1: " "$PD_LOG" | grep -vF -- " $1: gone" || true
}

# A request that the server answers only after handling everything sent
# before it: once it returns, every log line of earlier connections is out.
sync_server() {
	"$PD_STATUS" -H "127.0.0.1:$PD_PORT" >/dev/null
}

# refusal ATTACK CAUSE: pd_attack's ATTACK is refused; the log has one
# line for its connection, with CAUSE.
refusal() {
	run timeout -k 5 30 "$ATTACK" "$PD_PORT" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	addr=$(sed -n 's/^dropped \(127\.0\.0\.1:[0-9]*\).*/\1/p' <<<"$output" | head -1)
	[ -n "$addr" ]
	wait_for -t 5 grep -qF -- " $addr: " "$PD_LOG"
	sync_server
	got=$(lines_about "$addr")
	echo "log lines for $addr:"
	echo "$got"
	[ "$(wc -l <<<"$got")" -eq 1 ]
	[[ $got == *"$2"* ]]
}

@test "logging: each kind of refused connection leaves exactly one line with its cause" {
	pd_start_server
	refusal garbage "bad magic"
	refusal nononce "hello without a valid nonce"
	refusal badproof "authentication failed"
	refusal remote-alloc "allocation can only be changed on the host itself"
	refusal unknown-op "unknown operation"
	refusal badrun "message 'run'"
	# a whole client with another key: one line, whatever it retries
	mkdir -p "$T/other"
	pd_keygen "$T/other"
	before=$(grep -c 'authentication failed' "$PD_LOG")
	echo 1 >"$T/in"
	PD_HOME="$T/other" pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 77 ]
	sync_server
	[ "$(grep -c 'authentication failed' "$PD_LOG")" -eq $((before + 1)) ]
}

@test "logging: each failed record leaves one line with the client, its line number and the cause" {
	pd_start_server
	printf '%s\n' ok fail segv ok exit loop ok >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --timeout "$PD_WAIT_SCALE" "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(grep -c '^ok$' <<<"$output")" -eq 3 ]
	show "$PD_LOG"
	got=$(grep -E '\(pd-map\): line [0-9]+ ' "$PD_LOG")
	[ "$(wc -l <<<"$got")" -eq 4 ]
	grep -qE '^pd-serve: warning: 127\.0\.0\.1:[0-9]+ \(pd-map\): line 2 failed: asked to fail$' <<<"$got"
	grep -qE ': line 3 crashed: .*SIGSEGV' <<<"$got"
	grep -qE ': line 5 crashed: ' <<<"$got"
	grep -qE ': line 6 timed out: ' <<<"$got"
	# the same over the local socket, with its own peer name
	printf '%s\n' ok fail >"$T/in2"
	pdrun "$PD_MAP" "$EX/faulty.so" <"$T/in2"
	[ "$status" -eq 1 ]
	[ "$(grep -cE '^pd-serve: warning: local:[0-9]+ \(pd-map\): line 2 failed: asked to fail$' "$PD_LOG")" -eq 1 ]
}

@test "logging: a failed record of a detached run names the run" {
	pd_start_server
	printf '%s\n' ok ok fail ok >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 0 ]
	id=$output
	pdrun "$PD_MAP" --fetch "$id" --wait
	[ "$status" -eq 1 ]
	show "$PD_LOG"
	[ "$(grep -c "(pd-serve run $id): line 3 failed: asked to fail\$" "$PD_LOG")" -eq 1 ]
	[ "$(grep -c ': line [0-9]* failed' "$PD_LOG")" -eq 1 ]
}

@test "logging: -v adds accepted connections and departures; the default has neither" {
	seq 1 5 >"$T/in"
	pd_start_server
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	sync_server
	pd_stop_servers
	show "$PD_LOG"
	! grep -qE 'connected|gone|info:|debug:' "$PD_LOG" || false
	quiet=$(wc -l <"$PD_LOG")

	rm -f "$PD_LOG"
	pd_start_server -v
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	sync_server
	pd_stop_servers
	show "$PD_LOG"
	grep -qE '^pd-serve: info: 127\.0\.0\.1:[0-9]+: pd-map connected \(sealed: (aes256gcm|chacha20poly1305)\)$' "$PD_LOG"
	grep -qE '^pd-serve: info: 127\.0\.0\.1:[0-9]+: gone' "$PD_LOG"
	! grep -q 'debug:' "$PD_LOG" || false
	[ "$(wc -l <"$PD_LOG")" -gt "$quiet" ]

	rm -f "$PD_LOG"
	pd_start_server -v -v
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	pd_stop_servers
	grep -q '^pd-serve: debug: ' "$PD_LOG"
}

# A private /dev (in a mount namespace of its own) whose /dev/log is a
# datagram socket that socat appends to $T/syslog, and a daemonised
# pd-serve started there.  Sets DAEMON_PID and SOCAT_PID.
start_daemon_with_syslog() {
	unshare -m --propagation private sh -c '
		set -e
		mkdir -p "$T/realdev"
		mount --bind /dev "$T/realdev"
		mount -t tmpfs -o mode=755 tmpfs /dev
		for d in null zero urandom random; do
			touch "/dev/$d"
			mount --bind "$T/realdev/$d" "/dev/$d"
		done
		umount "$T/realdev"
		socat -u UNIX-RECV:/dev/log OPEN:"$T/syslog",creat,append </dev/null >/dev/null 2>&1 &
		echo $! >"$T/socat.pid"
		i=0
		while [ ! -S /dev/log ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		[ -S /dev/log ] || { echo "no /dev/log from socat" >&2; exit 1; }
		exec "$0" -p 0 --port-file "$T/port"
	' "$PD_SERVE" </dev/null >"$T/daemon.out" 2>"$T/daemon.err" 3>&-
}

@test "logging: a daemon logs to syslog, one line per refusal and failed record" {
	command -v socat >/dev/null || skip "socat is not installed (make deps installs it)"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"
	run start_daemon_with_syslog
	[ -s "$T/socat.pid" ] && pd_track "$(cat "$T/socat.pid")"
	cat "$T/daemon.err"
	[ "$status" -eq 0 ]
	# the daemon writes its pid to the lock file once it has detached
	wait_for grep -q '^[0-9]' "$PD_HOME/state/lock"
	DAEMON_PID=$(cat "$PD_HOME/state/lock")
	pd_track "$DAEMON_PID"
	PD_PORT=$(cat "$T/port")
	# detached: nothing on the starting terminal; stderr is /dev/null
	[ ! -s "$T/daemon.err" ]
	# (the device, not the name: in a chroot, readlink shows the daemon's
	# /dev/null by its path from the machine's root)
	stderr_is_null() { [ "$(stat -L -c '%F %t:%T' "/proc/$DAEMON_PID/fd/2")" = "$(stat -L -c '%F %t:%T' /dev/null)" ]; }
	wait_for stderr_is_null
	printf '%s\n' ok fail >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 1 ]
	run timeout -k 5 30 "$ATTACK" "$PD_PORT" garbage
	[ "$status" -eq 0 ]
	# syslog(3) sends one datagram per line, with no newline: split them
	# at their "<priority>" headers.
	logged() { { sed 's/<[0-9]\{1,3\}>/\n&/g' "$T/syslog"; echo; } | sed '/^$/d'; }
	wait_for -t 10 bash -c "grep -q 'bad magic' '$T/syslog'"
	logged
	[ "$(logged | grep -c "pd-serve\[$DAEMON_PID\]: 127\.0\.0\.1:[0-9]* (pd-map): line 2 failed: asked to fail\$")" -eq 1 ]
	[ "$(logged | grep -c "pd-serve\[$DAEMON_PID\]: 127\.0\.0\.1:[0-9]*: dropped: bad magic")" -eq 1 ]
	# LOG_DAEMON (3 << 3) | LOG_WARNING (4) = 28
	[ "$(logged | grep -c '^<28>')" -eq "$(logged | wc -l)" ]
	kill -TERM "$DAEMON_PID"
	wait_for pd_dead "$DAEMON_PID"
}
