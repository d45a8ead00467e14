#!/usr/bin/env bats
# pd-serve from the outside: the key, the lock, the port file, serving
# pd-map over TCP (sealed) and over the local Unix socket, refusing a
# wrong key, stopping on SIGTERM, keeping the allocation, and handing a
# stopped or killed server's records to the other host.

load helpers/common

setup() {
	pd_setup
}

teardown() {
	pd_teardown
}

@test "--keygen writes a 32-byte key with mode 0600, creating PD_HOME" {
	export PD_HOME="$T/new/home"
	pdrun "$PD_SERVE" --keygen
	[ "$status" -eq 0 ]
	[[ $output == *"$PD_HOME/key"* ]]
	[ "$(stat -c %s "$PD_HOME/key")" -eq 32 ]
	[ "$(stat -c %a "$PD_HOME/key")" = 600 ]
	[ "$(stat -c %a "$PD_HOME")" = 700 ]
	# 32 random bytes, not a constant: two keys differ
	PD_HOME="$T/other" pdrun "$PD_SERVE" --keygen
	[ "$status" -eq 0 ]
	run cmp -s "$PD_HOME/key" "$T/other/key"
	[ "$status" -eq 1 ]
}

@test "--keygen refuses to overwrite an existing key" {
	pd_keygen
	cp -p "$PD_HOME/key" "$T/key.before"
	pdrun "$PD_SERVE" --keygen
	echo "$stderr"
	[ "$status" -eq 71 ]
	[[ $stderr == *"already exists"* ]]
	cmp "$PD_HOME/key" "$T/key.before"
}

# refused_key: pd-serve exits 77 with MESSAGE, and never starts serving.
refused_key() {
	pdrun "$PD_SERVE" -f -p 0 --port-file "$T/port"
	echo "$stderr"
	[ "$status" -eq 77 ]
	[[ $stderr == *"$1"* ]]
	[ ! -e "$T/port" ]
	[ ! -e "$PD_HOME/sock" ]
}

@test "a key readable by others is refused (77, says chmod 600)" {
	pd_keygen
	chmod 644 "$PD_HOME/key"
	refused_key "chmod 600"
	chmod 640 "$PD_HOME/key"
	refused_key "chmod 600"
}

@test "no key: refused (77), saying how to make one; --local needs none" {
	refused_key "--keygen"
	pd_start_server --local
	seq 1 20 >"$T/in"
	pdrun "$PD_MAP" --json "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/out"
	run "$B/tests/pd_json" output host <"$T/out"
	[ "$status" -eq 0 ]
	[ "$(cut -f1 <<<"$output")" = "$(expect_squares "$T/in")" ]
	# served by pd-serve, not by pd-map's embedded workers
	[ "$(cut -f2 <<<"$output" | sort -u)" = "$(uname -n)" ]
}

@test "one server per PD_HOME: a second one exits 75, the first keeps serving" {
	pd_keygen
	pd_start_server
	pdrun "$PD_SERVE" -f -p 0 --port-file "$T/port2"
	echo "$stderr"
	[ "$status" -eq 75 ]
	[[ $stderr == *"already running"* ]]
	[[ $stderr == *"$PD_PID"* ]]
	pdrun "$PD_SERVE" -f --local
	[ "$status" -eq 75 ]
	pd_alive "$PD_PID"
	seq 1 10 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

@test "-p 0 binds a free port and writes it to the port file" {
	pd_keygen
	pd_start_server -b 127.0.0.1
	[[ $PD_PORT =~ ^[1-9][0-9]*$ ]]
	[ "$PD_PORT" -le 65535 ]
	[ "$(cat "$PD_HOME/port")" = "$PD_PORT" ]
	[ ! -e "$PD_HOME/port.tmp" ]
	pdrun "$PD_STATUS" -H "127.0.0.1:$PD_PORT"
	[ "$status" -eq 0 ]
	[[ $output == *"127.0.0.1:$PD_PORT"*up* ]]
}

@test "pd-map over TCP gives the embedded result" {
	pd_keygen
	seq 1 500 >"$T/in"
	# embedded first: no server runs yet
	pdrun "$PD_MAP" -c 2 "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	local embedded=$output
	pd_start_server
	pdrun "$PD_MAP" -c 2 -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$embedded" ]
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --json "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/out"
	run "$B/tests/pd_json" host <"$T/out"
	[ "$status" -eq 0 ]
	[ "$(sort -u <<<"$output")" = "$(uname -n)" ]
}

@test "pd-map uses the hosts file and PD_HOSTS" {
	pd_keygen
	pd_start_server
	seq 1 30 >"$T/in"
	echo "127.0.0.1:$PD_PORT" >"$PD_HOME/hosts"
	pdrun "$PD_MAP" --json "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/out"
	run "$B/tests/pd_json" output <"$T/out"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	rm "$PD_HOME/hosts"
	PD_HOSTS="127.0.0.1:$PD_PORT" pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

@test "pd-map with no host list uses the local server over its Unix socket" {
	pd_keygen
	pd_start_server -v
	seq 1 300 >"$T/in"
	pdrun "$PD_MAP" --json "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/out"
	run "$B/tests/pd_json" output host <"$T/out"
	[ "$status" -eq 0 ]
	[ "$(cut -f1 <<<"$output")" = "$(expect_squares "$T/in")" ]
	[ "$(cut -f2 <<<"$output" | sort -u)" = "$(uname -n)" ]
	grep -E '^pd-serve: .*local:[0-9]+: pd-map connected' "$PD_LOG"
}

@test "a client with a different key gets 77; the server logs the refusal" {
	pd_keygen
	pd_start_server
	mkdir -p "$T/other"
	pd_keygen "$T/other"
	seq 1 5 >"$T/in"
	PD_HOME="$T/other" pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 77 ]
	[ -z "$output" ]
	[[ $stderr == *"127.0.0.1:$PD_PORT"*"authentication failed"* ]]
	wait_for grep -q 'authentication failed' "$PD_LOG"
	# and it still serves the right key
	pd_alive "$PD_PID"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

@test "failing records over TCP fail alone and the server survives them" {
	pd_keygen
	pd_start_server
	printf 'a\nsegv\nb\nabort\nc\nexit\nd\nfail\ne\nloop\nf\n' >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --timeout "$PD_WAIT_SCALE" "$EX/faulty.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'a\nb\nc\nd\ne\nf')" ]
	for n in 2 4 6 8 10; do
		printf '%s\n' "$stderr" | grep -q "^pd-map: line $n: "
	done
	[ "${stderr_lines[-1]}" = "pd-map: 5 of 11 records failed" ]
	pd_alive "$PD_PID"
	seq 1 10 >"$T/in2"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in2")" ]
}

@test "a 1 MiB result over TCP comes back intact" {
	pd_keygen
	pd_start_server
	printf 'big 1048576\nafter\n' >"$T/in"
	pdrun_to "$T/out" "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p "$T/out" | tr -d '\n' | wc -c)" -eq 1048576 ]
	[ -z "$(sed -n 1p "$T/out" | tr -d 'x\n')" ]
	[ "$(sed -n 2p "$T/out")" = after ]
}

@test "two clients at once, TCP and Unix socket, both get their own results" {
	pd_keygen
	pd_start_server
	seq 1 2000 >"$T/a"
	seq 5000 -1 3001 >"$T/b"
	timeout 60 "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/a" >"$T/a.out" 2>"$T/a.err" 3>&- &
	local bg=$!
	pdrun "$PD_MAP" "$EX/square.so" <"$T/b"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/b")" ]
	local st=0
	wait "$bg" || st=$?
	cat "$T/a.err"
	[ "$st" -eq 0 ]
	[ "$(cat "$T/a.out")" = "$(expect_squares "$T/a")" ]
}

@test "SIGTERM: exit 0, socket removed, port closed" {
	pd_keygen
	pd_start_server
	local port=$PD_PORT
	pd_stop_server "$PD_PID"
	[ "$PD_STOP_STATUS" -eq 0 ]
	[ ! -e "$PD_HOME/sock" ]
	pdrun "$PD_STATUS" -H "127.0.0.1:$port"
	[ "$status" -eq 69 ]
	# and it starts again on the same PD_HOME (the lock is free)
	pd_start_server
	pd_alive "$PD_PID"
}

@test "SIGINT stops it too, with exit 0" {
	pd_keygen
	pd_start_server
	kill -INT "$PD_PID"
	wait_for pd_dead "$PD_PID"
	local st=0
	wait "$PD_PID" || st=$?
	PD_SERVER_PIDS=()
	[ "$st" -eq 0 ]
}

@test "pd-alloc --cpu 1 survives a restart" {
	pd_keygen
	pd_start_server
	pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 0 ]
	pd_stop_server "$PD_PID"
	[ "$PD_STOP_STATUS" -eq 0 ]
	pd_start_server
	pdrun "$PD_ALLOC"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "cpu "*" total, 1 shared, "* ]]
}

@test "--cpu N shares N CPUs" {
	pd_keygen
	pd_start_server --cpu 1
	pdrun "$PD_ALLOC" --json
	[ "$status" -eq 0 ]
	run "$B/tests/pd_json" shared <<<"$output"
	[ "$output" = 1 ]
}

@test "usage errors: 64" {
	pdrun "$PD_SERVE" -p 70000
	[ "$status" -eq 64 ]
	pdrun "$PD_SERVE" -p x
	[ "$status" -eq 64 ]
	pdrun "$PD_SERVE" --cpu 100001
	[ "$status" -eq 64 ]
	pdrun "$PD_SERVE" -f extra
	[ "$status" -eq 64 ]
	pdrun "$PD_SERVE" --no-such-option
	[ "$status" -eq 64 ]
	pdrun "$PD_SERVE" -h
	[ "$status" -eq 0 ]
	[[ $output == usage:* ]]
}

@test "-b with an address that is not numeric is a usage error (64)" {
	pd_keygen
	pdrun "$PD_SERVE" -f -p 0 -b notanaddress --port-file "$T/port"
	echo "$stderr"
	[ "$status" -eq 64 ]
	[[ $stderr == *notanaddress* ]]
	[ ! -e "$T/port" ]
}

# Start a second server, sharing the first's key, in $T/h2; its port in
# PORT2, its pid in PID2.
start_second_server() {
	mkdir -p "$T/h2"
	chmod 700 "$T/h2"
	cp -p "$PD_HOME/key" "$T/h2/key"
	PD_HOME="$T/h2" pd_start_server
	PORT2=$PD_PORT
	PID2=$PD_PID
}

# 0 once the job has been called at least $1 times.
calls_at_least() {
	[ "$(cat "$PD_COUNTER_FILE" 2>/dev/null | wc -l)" -ge "$1" ]
}

# stop_mid_run SIGNAL: a run on two hosts whose first host gets SIGNAL
# while records are running must still deliver every result exactly once.
# (pd-map's stdout to a file is buffered, so progress is read from the
# calls the counter job logs, which the servers' workers append to.)
stop_mid_run() {
	export PD_COUNTER_FILE="$T/calls"
	pd_keygen
	pd_start_server
	local port1=$PD_PORT pid1=$PD_PID
	start_second_server
	for i in $(seq 1 40); do echo "hold 100 r$i"; done >"$T/in"
	timeout 60 "$PD_MAP" -H "127.0.0.1:$port1,127.0.0.1:$PORT2" "$EX/counter.so" \
		<"$T/in" >"$T/out" 2>"$T/err" 3>&- &
	local bg=$! st=0
	wait_for -t 30 calls_at_least 6
	# mid-run: records are running, and not all have started
	[ "$(wc -l <"$PD_COUNTER_FILE")" -lt 40 ]
	kill "-$1" "$pid1"
	wait "$bg" || st=$?
	cat "$T/err"
	[ "$st" -eq 0 ]
	[ "$(cat "$T/out")" = "$(cat "$T/in")" ]
	pd_stop_server "$pid1"
	pd_alive "$PID2"
}

@test "a server stopped (SIGTERM) mid-run: its records finish elsewhere, each once" {
	stop_mid_run TERM
	[ "$PD_STOP_STATUS" -eq 0 ]
}

@test "a server killed (SIGKILL) mid-run: its records run elsewhere, each once" {
	stop_mid_run KILL
}
