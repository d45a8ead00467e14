#!/usr/bin/env bats
# pd-serve as a daemon lets go of everything its caller gave it: the
# starting process's stdout and stderr (a pipe to `cat`, an ssh session)
# and any other inherited descriptor, in the server and in its workers;
# otherwise `pd-serve 2>&1 | cat` and `ssh HOST pd-serve` never return.

load helpers/common

setup() { pd_setup; }

teardown() {
	local pid
	pid=$(cat "$PD_HOME/state/lock" 2>/dev/null) || pid=
	[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
	[ -z "$pid" ] || wait_for -t 10 pd_dead "$pid" || kill -KILL "$pid" 2>/dev/null || true
	pd_teardown
}

# The daemon's pid, from its lock file.
daemon_pid() { cat "$PD_HOME/state/lock"; }

# The daemon $1 and every process under it (its workers), one pid a line.
daemon_tree() {
	local p
	echo "$1"
	for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		daemon_tree "$p"
	done
}

# The descriptors of the processes given on stdin that point at $1 (a
# readlink target such as pipe:[123]), as "PID fd N -> TARGET" lines.
holders_of() {
	local p f
	while read -r p; do
		for f in /proc/"$p"/fd/*; do
			[ "$(readlink "$f" 2>/dev/null)" = "$1" ] && echo "$p fd ${f##*/} -> $1"
		done
	done
	return 0
}

@test "pd-serve 2>&1 | cat returns at once, and the server it started serves" {
	pd_keygen
	local t0=$SECONDS st=0
	# On a hang, timeout ends the pipeline's shell; teardown then stops the
	# server, which lets cat go.
	timeout -k 2 20 bash -c '"$1" -p 0 --port-file "$2" 2>&1 3>&- | cat >"$3"' _ \
		"$PD_SERVE" "$T/port" "$T/out" || st=$?
	echo "status $st after $((SECONDS - t0)) s; output: $(cat "$T/out")"
	[ "$st" -eq 0 ]
	[ ! -s "$T/out" ]
	pd_alive "$(daemon_pid)"
	seq 1 30 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$(cat "$T/port")" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

@test "a start-up error still reaches the caller's stderr, through a pipe too" {
	pd_keygen
	pdrun "$PD_SERVE" -p 0 --port-file "$T/port"
	[ "$status" -eq 0 ]
	local st=0
	timeout -k 2 20 bash -c '"$1" -p 0 2>&1 3>&- | cat >"$2"; exit "${PIPESTATUS[0]}"' _ \
		"$PD_SERVE" "$T/out" || st=$?
	cat "$T/out"
	[ "$st" -eq 75 ]
	grep -q "^pd-serve: another pd-serve (pid $(daemon_pid)) is already running for $PD_HOME/state\$" "$T/out"
}

@test "neither the server nor its workers keep the caller's stdout, stderr or an inherited fd 7" {
	pd_keygen
	local pipe out err pid
	exec 7> >(exec cat >/dev/null)
	pipe=$(readlink /proc/$$/fd/7)
	# stdout and stderr: files of this test, checked by inode below
	: >"$T/o"
	: >"$T/e"
	timeout -k 2 20 "$PD_SERVE" -p 0 --port-file "$T/port" </dev/null >"$T/o" 2>"$T/e" 3>&-
	exec 7>&-
	pid=$(daemon_pid)
	out=$(readlink -f "$T/o")
	err=$(readlink -f "$T/e")
	# workers started after the server detached, as well as the first one
	seq 1 200 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$(cat "$T/port")" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	daemon_tree "$pid" >"$T/pids"
	cat "$T/pids"
	[ "$(wc -l <"$T/pids")" -ge 2 ] # the server and at least one worker
	holders_of "$pipe" <"$T/pids" >"$T/held"
	holders_of "$out" <"$T/pids" >>"$T/held"
	holders_of "$err" <"$T/pids" >>"$T/held"
	cat "$T/held"
	[ ! -s "$T/held" ]
	# the server's own 0, 1 and 2 are /dev/null
	for f in 0 1 2; do
		[ "$(stat -L -c '%F %t:%T' "/proc/$pid/fd/$f")" = "$(stat -L -c '%F %t:%T' /dev/null)" ]
	done
}

@test "--foreground keeps stderr for its log but no inherited fd above 2" {
	pd_keygen
	local pipe pid
	exec 7> >(exec cat >/dev/null)
	pipe=$(readlink /proc/$$/fd/7)
	"$PD_SERVE" -f -p 0 --port-file "$T/port" </dev/null >/dev/null 2>"$T/log" 3>&- &
	pid=$!
	pd_track_server "$pid"
	exec 7>&-
	wait_for test -s "$T/port"
	grep -q 'listening on all addresses port' "$T/log"
	daemon_tree "$pid" | holders_of "$pipe" >"$T/held"
	cat "$T/held"
	[ ! -s "$T/held" ]
}
