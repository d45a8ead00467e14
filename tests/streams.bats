#!/usr/bin/env bats
# Output a script can trust (issue 13): the job log, --json, one record
# one line, -0, closed standard descriptors, broken pipes.  Results are
# checked against tests/helpers/streamcheck.py, which computes what the
# echo job (tests/jobs/echo.c) must give from the input bytes alone.

load helpers/common

setup() {
	pd_setup
	ECHO="$T/echo.so"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/echo.c -o "$ECHO"
	CHECK="python3 tests/helpers/streamcheck.py"
}

teardown() {
	pd_teardown
}

# 0 when every line of FILE parses as JSON and the file ends in a newline.
all_json() {
	python3 -c 'import json,sys
d=open(sys.argv[1],"rb").read()
assert d.endswith(b"\n"), "last line torn: %r" % d[-60:]
for i,l in enumerate(d.split(b"\n")[:-1],1):
    try: json.loads(l.decode("utf-8"))
    except Exception as e: sys.exit("line %d: %s: %r" % (i,e,l[:80]))' "$1"
}

# 0 when FILE has more than N bytes.
size_over() {
	[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -gt "$2" ]
}

@test "joblog: a run killed by SIGINT leaves only whole lines, and --resume finishes it with every record once" {
	seq 1 400000 >"$T/in"
	# exact integers (awk prints squares past 2^31 as 2.14749e+09)
	python3 -c 'import sys; sys.stdout.writelines("%d\n" % (int(l) ** 2) for l in sys.stdin)' <"$T/in" >"$T/want"
	"$PD_MAP" -c 2 --joblog "$T/log" "$EX/square.so" <"$T/in" >"$T/out1" 2>"$T/err1" &
	pid=$!
	pd_track "$pid"
	wait_for -t 30 size_over "$T/log" 300000
	kill -INT "$pid"
	wait "$pid" || true
	[ "$(wc -l <"$T/log")" -lt 400000 ]
	all_json "$T/log"
	pdrun_to "$T/out2" "$PD_MAP" -c 2 --joblog "$T/log" --resume "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/want" "$T/out2"
	all_json "$T/log"
	# every record is logged ok exactly once
	[ "$(jq -r 'select(.status=="ok") | .line' "$T/log" | sort -n | uniq | wc -l)" -eq 400000 ]
	[ "$(jq -r 'select(.status=="ok") | .line' "$T/log" | wc -l)" -eq 400000 ]
}

@test "joblog: --resume cuts a torn last line back to the last whole one, and says so" {
	export PD_COUNTER_FILE="$T/calls"
	seq 1 20 | sed 's/^/r/' >"$T/in"
	pdrun "$PD_MAP" -c 1 --joblog "$T/log" "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	# keep 14 whole lines and half of the 15th, as a kill mid-write would
	head -n 14 "$T/log" >"$T/torn"
	sed -n 15p "$T/log" | head -c 25 >>"$T/torn"
	cp "$T/torn" "$T/log"
	rm -f "$T/calls"
	pdrun "$PD_MAP" -c 1 --joblog "$T/log" --resume "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[[ $stderr == *"$T/log"*"torn"* ]]
	all_json "$T/log"
	[ "$(sort "$T/calls")" = "$(sed -n '15,20p' "$T/in" | sort)" ]
	[ "$(jq -r .line "$T/log" | sort -n | tr '\n' ' ')" = "$(seq 1 20 | tr '\n' ' ')" ]
}

@test "--json: bytes that are not UTF-8, CRs and NULs in results give valid JSON that loses nothing" {
	{
		printf 'plain\n'
		printf 'latin1 caf\351\n'
		printf 'cut \360\237\230\n'
		printf 'cr\r\n'
		printf '!nul~inside\n'
		printf '!new|line\n'
		printf 'tab\there "quoted" \\ back\n'
		# Random bytes, each line led by 'r': a line whose first non-blank
		# byte is '{' is a JSON record (pd-map(1), Records), and random
		# bytes that are not valid JSON would fail it (1 run in 8 did).
		head -c 20000 /dev/urandom | tr -d '\n\0' | fold -w 300 | sed 's/^/r/'
		echo
	} >"$T/in"
	pdrun_to "$T/out" "$PD_MAP" -c 2 --json "$ECHO" <"$T/in"
	cat "$T/out.err" # shown if the test fails: why pd-map did
	[ "$status" -eq 0 ]
	$CHECK json nl "$T/in" "$T/out"
}

@test "a result with a newline fails its record in plain output, with a clear message; one record one line" {
	printf 'a\n!x|y\nb\n' >"$T/in"
	pdrun "$PD_MAP" -c 1 "$ECHO" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'a\nb')" ]
	[[ $stderr == *"line 2"*newline* ]]
	pdrun "$PD_MAP" -c 1 --tag "$ECHO" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'a\ta\nb\tb')" ]
}

@test "a record holding a NUL byte fails with a clear message instead of running cut short" {
	printf 'r=3.1\0junk\nr=2\n' >"$T/in"
	pdrun "$PD_MAP" -c 1 "$ECHO" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "r=2" ]
	[[ $stderr == *"line 1"*NUL* ]]
}

@test "-0: NUL-separated records and results carry newlines both ways" {
	printf 'a\nb\0plain\0!x|y\0!n~ul\0last' >"$T/in"
	$CHECK expect nul "$T/in" >"$T/want"
	pdrun_to "$T/out" "$PD_MAP" -c 2 -0 "$ECHO" <"$T/in"
	[ "$status" -eq 1 ]
	cmp "$T/want" "$T/out"
	grep -q 'line 4.*NUL' "$T/out.err"
	pdrun_to "$T/out" "$PD_MAP" -c 2 --null --json "$ECHO" <"$T/in"
	[ "$status" -eq 0 ]
	$CHECK json nul "$T/in" "$T/out"
}

@test "closed stdin is an empty input, not a hang on the server socket" {
	run --separate-stderr bash -c 'timeout 20 "$1" -c 2 "$2" <&-' _ "$PD_MAP" "$EX/square.so"
	echo "status $status: $stderr"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "closed stdout: results go nowhere, never into a socket" {
	seq 1 50 >"$T/in"
	run --separate-stderr bash -c 'timeout 20 "$1" -c 2 "$2" <"$3" >&-' _ "$PD_MAP" "$EX/square.so" "$T/in"
	echo "status $status: $stderr"
	[ "$status" -eq 0 ]
	[[ $stderr != *magic* ]]
}

@test "a broken pipe stops the run quietly, as SIGPIPE stops other tools" {
	seq 1 300000 >"$T/in"
	run --separate-stderr bash -c '"$1" -c 2 "$2" <"$3" | head -n 1; echo "${PIPESTATUS[0]}"' _ "$PD_MAP" "$EX/square.so" "$T/in"
	echo "output $output stderr $stderr"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 141 ]
	[ -z "$stderr" ]
}

# Start pd-serve --grace 1 and, in the background, pd-map --unordered on
# faulty.so with records ok, loop, ok; return once both ok results are
# out and the loop record is running.  Sets MPID.
start_loop_run() {
	pd_keygen
	pd_start_server --grace 1 --cpu 2
	printf 'ok\nloop\nok\n' >"$T/in"
	timeout 60 "$PD_MAP" --unordered "$EX/faulty.so" <"$T/in" >"$T/out" 2>"$T/err" &
	MPID=$!
	pd_track "$MPID"
	wait_for -t 20 lines_or_exit "$T/out" 2 "$MPID"
	[ "$(cat "$T/out")" = "$(printf 'ok\nok')" ]
}

@test "pd-serve stops after --grace although a record loops: it fails as 'server stopping', logged" {
	start_loop_run
	kill -TERM "$PD_PID"
	wait_for -t 15 pd_dead "$PD_PID"
	st=0
	wait "$MPID" || st=$?
	cat "$T/err"
	[ "$st" -eq 1 ]
	grep -q '^pd-map: line 2: server stopping: still running after the grace period of 1 s' "$T/err"
	grep -q 'killing it' "$PD_LOG"
}

@test "pd-alloc --cpu 0 takes a looping record's slot back after the grace period" {
	start_loop_run
	pdrun "$PD_ALLOC" --cpu 0
	[ "$status" -eq 0 ]
	st=0
	wait "$MPID" || st=$?
	cat "$T/err"
	[ "$st" -eq 1 ]
	grep -q "^pd-map: line 2: slot taken back by the host's owner (pd-alloc)" "$T/err"
	grep -q 'killing it' "$PD_LOG"
}

@test "--json of a resumed run shows the host and time that the log holds" {
	seq 1 30 >"$T/in"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	pdrun_to "$T/out" "$PD_MAP" -c 2 --joblog "$T/log" --resume --json "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	# the same (line, host, ms) triples in both, computed by jq from each
	jq -c '[.line, .host, .ms]' "$T/log" | sort >"$T/want"
	jq -c '[.line, .host, .ms]' "$T/out" | sort >"$T/got"
	[ "$(wc -l <"$T/got")" -eq 30 ]
	diff "$T/want" "$T/got"
	! grep -q '"host":""' "$T/out" || false
}

@test "messages name the job file as given, getopt errors the tool by its name" {
	# a shared object that is not a job (an executable would be a command)
	cp /bin/true "$T/true.so"
	pdrun "$PD_MAP" "$T/true.so" </dev/null
	[ "$status" -eq 65 ]
	[[ $stderr == "pd-map: $T/true.so defines no Playdoh job"* ]]
	pdrun "$PD_MAP" --no-such-option "$EX/square.so" </dev/null
	[ "$status" -eq 64 ]
	[[ ${stderr_lines[0]} == "pd-map: unrecognized option '--no-such-option'" ]]
}

@test "pd-serve's normal start says where it listens, not as a warning" {
	pd_keygen
	pd_start_server
	grep -q 'listening on' "$PD_LOG"
	! grep 'listening on' "$PD_LOG" | grep -q warning || false
}

@test "pd-opt with stdout closed: nothing goes into a socket" {
	PD_OPT="$B/bin/pd-opt"
	run --separate-stderr bash -c 'timeout 60 "$1" --seed 1 -q --iterations 50 "$2" -p x=-10:10 >&-' _ "$PD_OPT" "$EX/square.so"
	echo "status $status: $stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "joblog on a full disk: the log keeps whole lines only, said once, exit 71" {
	if ! unshare -m true 2>/dev/null; then
		skip "cannot make a mount namespace here (unshare -m), so no small file system to fill"
	fi
	seq 1 20000 >"$T/in"
	mkdir "$T/small"
	run --separate-stderr unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" &&
		"$2" -c 2 --joblog "$1/log" "$3" <"$4" >"$5"; st=$?; cp "$1/log" "$6"; exit $st' _ \
		"$T/small" "$PD_MAP" "$EX/square.so" "$T/in" "$T/out" "$T/log"
	echo "status $status: $stderr"
	[ "$status" -eq 71 ]
	[ "$(printf '%s\n' "$stderr" | grep -c 'No space left on device')" -eq 1 ]
	[ "$(wc -l <"$T/out")" -eq 20000 ]
	[ -s "$T/log" ]
	all_json "$T/log"
}

# Run a command with its standard output a pipe whose reader is already
# gone (closed before the start, so no timing); print its exit status as
# the shell reports it (128 + the signal for a death by signal).
closed_pipe() {
	python3 -c 'import os,subprocess,sys
r,w=os.pipe(); os.close(r)
p=subprocess.run(sys.argv[1:],stdout=w,stdin=subprocess.DEVNULL)
print(128-p.returncode if p.returncode<0 else p.returncode)' "$@"
}

@test "pd-task and pd-opt stop quietly on a broken pipe too (SIGPIPE, 141, nothing on stderr)" {
	cc -std=c11 -shared -fPIC -O2 -Ilib tests/jobs/probe.c -o "$T/probe.so"
	run --separate-stderr closed_pipe "$B/bin/pd-task" -n 2 --args "echo hi" "$T/probe.so"
	echo "pd-task: output $output stderr $stderr"
	[ "$output" = 141 ]
	[ -z "$stderr" ]
	# the trace on standard output, as in pd-opt --trace /dev/stdout ... | head -1
	run --separate-stderr closed_pipe "$B/bin/pd-opt" --trace /dev/stdout -a pso --popsize 4 --seed 1 \
		--iterations 5 --dim 2 --bounds -1:1 "$EX/square.so"
	echo "pd-opt --trace: output $output stderr $stderr"
	[ "$output" = 141 ]
	[ -z "$stderr" ]
	# and the result alone
	run --separate-stderr closed_pipe "$B/bin/pd-opt" -q -a pso --popsize 4 --seed 1 --iterations 5 \
		--dim 2 --bounds -1:1 "$EX/square.so"
	echo "pd-opt: output $output stderr $stderr"
	[ "$output" = 141 ]
	[ -z "$stderr" ]
}
