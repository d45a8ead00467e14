#!/usr/bin/env bats
# pd-map from the outside, in its embedded mode (no hosts, no server:
# pd-map forks its own workers): results, order, output formats, failing
# records, retries, --halt, --joblog/--resume, bad job files, bad options.

load helpers/common

setup() {
	pd_setup
}

teardown() {
	pd_teardown
}

# The lines of $stderr that pd-map printed, one per line (Bats keeps
# them in stderr_lines).
stderr_count() {
	printf '%s' "$stderr" | grep -c '' || true
}

@test "square of 1..1000, embedded on 2 slots, equals the serial result" {
	seq 1 1000 >"$T/in"
	expect_squares "$T/in" >"$T/want"
	pdrun "$PD_MAP" -c 2 "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ -z "$stderr" ]
}

@test "default slot count works too, and input from a regular file or a pipe is the same" {
	seq 1 200 >"$T/in"
	expect_squares "$T/in" >"$T/want"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	run --separate-stderr bash -c 'cat "$1" | timeout 60 "$2" -c 3 "$3"' _ "$T/in" "$PD_MAP" "$EX/square.so"
	no_crash
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
}

@test "sum of two pasted columns" {
	seq 1 400 >"$T/xs"
	seq 1000 -3 -197 >"$T/ys"
	paste "$T/xs" "$T/ys" >"$T/in"
	awk '{ print $1 + $2 }' "$T/in" >"$T/want"
	pdrun "$PD_MAP" -c 2 "$EX/sum.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
}

@test "output keeps input order when records finish out of order" {
	printf '%s\n' 300 0 200 0 100 0 50 0 >"$T/in"
	pdrun "$PD_MAP" -c 8 "$EX/sleep.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
}

@test "--unordered gives the same set of results" {
	printf '%s\n' 300 0 200 0 100 0 50 0 >"$T/in"
	pdrun "$PD_MAP" -c 8 --unordered "$EX/sleep.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sort -n)" = "$(sort -n "$T/in")" ]
}

@test "--bar draws progress on stderr only; --no-bar draws none" {
	for i in 1 2 3 4 5 6 7 8; do echo 100; done >"$T/in"
	pdrun "$PD_MAP" -c 2 --bar "$EX/sleep.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[[ $stderr == *" done, "* ]]
	pdrun "$PD_MAP" -c 2 --bar --no-bar "$EX/sleep.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[ -z "$stderr" ]
}

@test "--tag prints input TAB output" {
	seq 1 50 >"$T/in"
	printf '7 x\n' >>"$T/in"
	awk '{ printf "%s\t%s\n", $0, $1 * $1 }' "$T/in" >"$T/want"
	pdrun "$PD_MAP" --tag "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
}

@test "--json: one valid object per record with line, input, output or status+error, host, ms" {
	printf '3\nx\n5\n' >"$T/in"
	pdrun "$PD_MAP" --json "$EX/square.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "$output" >"$T/out"
	run "$B/tests/pd_json" line input output status host <"$T/out"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf '1\t3\t9\t<missing>\tembedded')" ]
	[ "${lines[1]}" = "$(printf '2\tx\t<missing>\terror\tembedded')" ]
	[ "${lines[2]}" = "$(printf '3\t5\t25\t<missing>\tembedded')" ]
	# the failure carries a message; every record a non-negative time
	run "$B/tests/pd_json" error ms <"$T/out"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == field* ]]
	for l in "${lines[@]}"; do
		awk -F '\t' '{ exit !($2 ~ /^[0-9.e+-]+$/ && $2 >= 0) }' <<<"$l"
	done
}

@test "--json reports crash and timeout statuses, and the time a timed-out record ran" {
	printf 'a\nsegv\nloop\n' >"$T/in"
	pdrun "$PD_MAP" --json --timeout 0.3 "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" >"$T/out"
	run "$B/tests/pd_json" line status <"$T/out"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf '1\t<missing>')" ]
	[ "${lines[1]}" = "$(printf '2\tcrash')" ]
	[ "${lines[2]}" = "$(printf '3\ttimeout')" ]
	# a record killed at its 0.3 s limit ran at least that long
	run "$B/tests/pd_json" ms <"$T/out"
	echo "ms of the timed-out record: ${lines[2]}"
	awk '{ exit !($1 >= 250) }' <<<"${lines[2]}"
}

@test "--tag and --json cannot be combined (64)" {
	pdrun "$PD_MAP" --tag --json "$EX/square.so" </dev/null
	[ "$status" -eq 64 ]
	[ -z "$output" ]
}

# check_one_failure KIND MESSAGE-REGEX: records a, KIND, b through
# faulty.so fail only line 2, with the message, and the count.
check_one_failure() {
	printf 'a\n%s\nb\n' "$1" >"$T/in"
	pdrun "$PD_MAP" -c 2 --timeout 1 "$EX/faulty.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'a\nb')" ]
	[ "$(stderr_count)" -eq 2 ]
	[[ ${stderr_lines[0]} =~ ^pd-map:\ line\ 2:\ $2\ \(input:\ $1\)$ ]]
	[ "${stderr_lines[1]}" = "pd-map: 1 of 3 records failed" ]
}

@test "a record that segfaults fails alone, with its line number" {
	check_one_failure segv '.*SIGSEGV.*'
}

@test "a record that aborts fails alone, with its line number" {
	check_one_failure abort '.*SIGABRT.*'
}

@test "a record that exits the worker fails alone, with its line number" {
	check_one_failure exit '.*status 3.*'
}

@test "a record failed with pd_error fails alone, with the job's message" {
	check_one_failure fail 'asked to fail'
}

@test "a record over --timeout fails alone as timed out" {
	check_one_failure loop '.*timed out.*'
}

@test "worker crashes lose no other record" {
	for i in $(seq 1 300); do
		case $i in
		50 | 100 | 150) echo segv ;;
		200) echo abort ;;
		*) echo "r$i" ;;
		esac
	done >"$T/in"
	grep '^r' "$T/in" >"$T/want"
	pdrun "$PD_MAP" -c 2 "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ "${stderr_lines[-1]}" = "pd-map: 4 of 300 records failed" ]
	for n in 50 100 150 200; do
		printf '%s\n' "$stderr" | grep -q "^pd-map: line $n: "
	done
}

@test "--retries runs a failed record again, and stops at the limit" {
	export PD_COUNTER_FILE="$T/calls"
	# fails on its first two calls: three tries are enough
	printf 'one\nflaky 2 x\ntwo\n' >"$T/in"
	pdrun "$PD_MAP" --retries 2 "$EX/counter.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'one\nflaky 2 x\ntwo')" ]
	[ "$(grep -cx 'flaky 2 x' "$T/calls")" -eq 3 ]
	[ "$(grep -cx 'one' "$T/calls")" -eq 1 ]
	# two tries are not: the record fails after exactly two calls
	rm -f "$T/calls"
	pdrun "$PD_MAP" --retries 1 "$EX/counter.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'one\ntwo')" ]
	[ "$(grep -cx 'flaky 2 x' "$T/calls")" -eq 2 ]
	[ "${stderr_lines[-1]}" = "pd-map: 1 of 3 records failed" ]
	# without --retries a failure is final after one call
	rm -f "$T/calls"
	pdrun "$PD_MAP" "$EX/counter.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(grep -cx 'flaky 2 x' "$T/calls")" -eq 1 ]
}

@test "--halt stops at the first failure with exit 1, printing nothing after it" {
	export PD_COUNTER_FILE="$T/calls"
	{
		printf 'r1\nr2\nfail\n'
		seq 4 1003 | sed 's/^/r/'
	} >"$T/in"
	pdrun "$PD_MAP" -c 1 --halt "$EX/counter.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 1 ]
	# output in input order ends before the failed record
	[ "$output" = "$(printf 'r1\nr2')" ]
	printf '%s\n' "$stderr" | grep -qx 'pd-map: line 3: asked to fail (input: fail)'
	# the stop is not reported as a problem of the embedded server
	[ "$(printf '%s\n' "$stderr" | grep -ci 'warning')" -eq 0 ]
	# not every record ran
	[ "$(wc -l <"$T/calls")" -lt 1003 ]
	# and without --halt they all do
	rm -f "$T/calls"
	pdrun "$PD_MAP" -c 1 "$EX/counter.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1002 ]
	[ "$(wc -l <"$T/calls")" -eq 1003 ]
}

@test "--joblog then --resume after a failed record: only that record runs again" {
	export PD_COUNTER_FILE="$T/calls"
	seq 1 20 | sed 's/^/r/' >"$T/good"
	sed '10s/.*/fail/' "$T/good" >"$T/bad"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" "$EX/counter.so" <"$T/bad"
	[ "$status" -eq 1 ]
	[ "$output" = "$(grep -vx fail "$T/bad")" ]
	rm -f "$T/calls"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --resume "$EX/counter.so" <"$T/good"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/good")" ]
	[ "$(cat "$T/calls")" = "r10" ]
}

@test "--joblog then --resume after a halted run: full output once, logged records not run again" {
	export PD_COUNTER_FILE="$T/calls"
	seq 1 40 | sed 's/^/r/' >"$T/good"
	sed '10s/.*/fail/' "$T/good" >"$T/bad"
	# first run: halts at line 10; what it printed is in the log
	pdrun "$PD_MAP" -c 2 --halt --joblog "$T/log" "$EX/counter.so" <"$T/bad"
	[ "$status" -eq 1 ]
	[ -s "$T/log" ]
	printf '%s\n' "$output" | grep . >"$T/done1" || true
	head -n 9 "$T/good" >"$T/first9"
	# at least lines 1-9 finished (they precede the failure)
	[ "$(head -n 9 "$T/done1")" = "$(cat "$T/first9")" ]
	# second run on the fixed input resumes
	rm -f "$T/calls"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --resume "$EX/counter.so" <"$T/good"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/good")" ]
	# it ran exactly the records the first run did not finish, once each
	sort "$T/calls" >"$T/calls.sorted"
	sort "$T/good" | comm -23 - <(sort "$T/done1") >"$T/want.calls"
	diff "$T/want.calls" "$T/calls.sorted"
	# a third run has nothing left to run; a changed line runs again
	rm -f "$T/calls"
	sed '5s/.*/R5/' "$T/good" >"$T/changed"
	pdrun "$PD_MAP" --joblog "$T/log" --resume "$EX/counter.so" <"$T/changed"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/changed")" ]
	[ "$(cat "$T/calls")" = "R5" ]
}

# log_check LOG N FLAKY: the joblog's last entry for each of lines 1..N is
# "ok" with the input line as output, lines in FLAKY (space-separated) have
# exactly one "error" entry before it, the others none (python, from the
# format pd-map(1) documents).
log_check() {
	python3 - "$@" <<'PY'
import json, sys, hashlib
log, n, flaky = sys.argv[1], int(sys.argv[2]), set(map(int, sys.argv[3].split()))
entries = {}
for text in open(log):
    e = json.loads(text)
    entries.setdefault(e["line"], []).append(e["status"])
for line in range(1, n + 1):
    want = ["error", "ok"] if line in flaky else ["ok"]
    if entries.get(line) != want:
        sys.exit("line %d: entries %s, expected %s" % (line, entries.get(line), want))
if set(entries) - set(range(1, n + 1)):
    sys.exit("entries for lines outside 1..%d" % n)
PY
}

@test "--retry-failed runs only what the log says failed; --resume-failed also what never ran; the log ends right" {
	export PD_COUNTER_FILE="$T/calls"
	# the calls since the last mark (flaky counts need the whole file kept)
	mark() { seen=$(wc -l <"$T/calls"); }
	calls() { tail -n +"$((seen + 1))" "$T/calls"; }
	# 30 records; every 7th fails on its first call and succeeds after
	seq 1 30 | awk '{ print ($1 % 7 == 0 ? "flaky 1 r" : "r") $1 }' >"$T/in"
	# the first run sees only 20 of them: 7 and 14 fail
	head -n 20 "$T/in" >"$T/in20"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" "$EX/counter.so" <"$T/in20"
	[ "$status" -eq 1 ]
	[ "$output" = "$(grep -v flaky "$T/in20")" ]
	# --retry-failed on all 30: runs 7 and 14 only, prints 1..20, leaves 21..30 out
	mark
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --retry-failed "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$output" = "$(cat "$T/in20")" ]
	[ "$(calls | sort)" = "$(printf 'flaky 1 r14\nflaky 1 r7')" ]
	[[ $stderr == *"--retry-failed left out 10 records that the joblog does not show as failed"* ]]
	# --resume-failed: runs 21..30 (21 and 28 fail, first call), nothing of 1..20
	mark
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --resume-failed "$EX/counter.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(calls | sort)" = "$(sed -n '21,30p' "$T/in" | sort)" ]
	[ "$output" = "$(grep -vx -e 'flaky 1 r21' -e 'flaky 1 r28' "$T/in")" ]
	# --retry-failed once more: only 21 and 28 run; the whole output is the serial one
	mark
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --retry-failed "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(calls | sort)" = "$(printf 'flaky 1 r21\nflaky 1 r28')" ]
	# counter.so outputs each record's line: the serial result is the input
	[ "$output" = "$(cat "$T/in")" ]
	[[ $stderr != *"left out"* ]]
	log_check "$T/log" 30 "7 14 21 28"
	# --retry-failed with nothing failed runs nothing, prints the log's outputs
	mark
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --retry-failed "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[ -z "$(calls)" ]
}

@test "--retry-failed: needs --joblog, and goes with neither --resume nor --resume-failed" {
	bad_usage --retry-failed "$EX/square.so"
	[[ $stderr == *"--retry-failed needs --joblog FILE"* ]]
	bad_usage --joblog "$T/log" --retry-failed --resume "$EX/square.so"
	[[ $stderr == *"--retry-failed and --resume cannot be combined"* ]]
	bad_usage --joblog "$T/log" --resume-failed --retry-failed "$EX/square.so"
	[[ $stderr == *"--resume-failed and --retry-failed cannot be combined"* ]]
	bad_usage --resume-failed "$EX/square.so"
	# --resume and --resume-failed are the same and may both be given
	seq 3 | "$PD_MAP" --joblog "$T/log" "$EX/square.so" >/dev/null
	pdrun "$PD_MAP" --joblog "$T/log" --resume --resume-failed "$EX/square.so" < <(seq 3)
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1\n4\n9')" ]
}

@test "--joblog without --resume starts afresh" {
	export PD_COUNTER_FILE="$T/calls"
	seq 1 5 | sed 's/^/r/' >"$T/in"
	pdrun "$PD_MAP" --joblog "$T/log" "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	rm -f "$T/calls"
	pdrun "$PD_MAP" --joblog "$T/log" "$EX/counter.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[ "$(wc -l <"$T/calls")" -eq 5 ]
}

# bad_job JOB WORD: exit 65 before any record runs, nothing on stdout,
# a message naming WORD.
bad_job() {
	export PD_COUNTER_FILE="$T/calls"
	seq 1 3 >"$T/in"
	pdrun "$PD_MAP" "$1" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ $stderr == pd-map:* ]]
	[[ $stderr == *"$2"* ]]
	[ ! -e "$T/calls" ]
}

@test "missing job file: 65" {
	bad_job "$T/nonexistent.so" nonexistent.so
}

@test "text file as job: 65" {
	echo 'int main;' >"$T/text.so"
	bad_job "$T/text.so" "not an ELF file"
}

@test "relocatable object (.o) as job: 65" {
	bad_job "$B/obj/lib/base/buf.o" "not a shared object"
}

@test "unknown job NAME: 65, listing the jobs the file has" {
	bad_job "$EX/counter.so:nope" "counter"
	[[ $stderr == *nope* ]]
}

@test "several jobs and none named: 65, naming them" {
	printf '#include <playdoh.h>\nPD_MAP(one) { (void)in; return pd_put_str(out, "1"); }\nPD_MAP(two) { (void)in; return pd_put_str(out, "2"); }\n' >"$T/two.c"
	cc -std=c11 -shared -fPIC -Ilib "$T/two.c" -o "$T/two.so"
	bad_job "$T/two.so" "defines several jobs"
	[[ $stderr == *one* && $stderr == *two* ]]
}

@test "a file of fitness functions only: 65, no map job in it" {
	bad_job "$EX/rosenbrock.so" "rosenbrock.so defines no map job"
}

@test "a fitness job is not a map job: 65, naming the job file" {
	seq 1 3 >"$T/in"
	pdrun "$PD_MAP" "$EX/rosenbrock.so:rosenbrock" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ $stderr == *"not a map job"* ]]
	# the user's file, not a cache entry, and said once
	[[ $stderr == *rosenbrock.so* ]]
	[ "$(printf '%s\n' "$stderr" | grep -c 'not a map job')" -eq 1 ]
}

# bad_usage ARGS...: exit 64, nothing on stdout, something on stderr.
bad_usage() {
	pdrun "$PD_MAP" "$@" </dev/null
	echo "$stderr"
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	[ -n "$stderr" ]
}

@test "usage errors: 64" {
	bad_usage -c 0 "$EX/square.so"
	bad_usage -c x "$EX/square.so"
	bad_usage -c 1x "$EX/square.so"
	bad_usage --retries x "$EX/square.so"
	bad_usage --retries -1 "$EX/square.so"
	bad_usage --timeout 0 "$EX/square.so"
	bad_usage --timeout soon "$EX/square.so"
	bad_usage --resume "$EX/square.so"
	bad_usage
	bad_usage "$EX/square.so" "$EX/sum.so"
	bad_usage --no-such-option "$EX/square.so"
	bad_usage -H "" "$EX/square.so"
}

@test "-h prints usage on stdout and exits 0; --version exits 0" {
	pdrun "$PD_MAP" -h
	[ "$status" -eq 0 ]
	[[ $output == usage:* ]]
	pdrun "$PD_MAP" --version
	[ "$status" -eq 0 ]
	[[ $output == "pd-map "* ]]
}

@test "a 1 MiB result comes back intact, and the next records too" {
	printf 'big 1048576\nafter\nbig 3\n' >"$T/in"
	pdrun_to "$T/out" "$PD_MAP" "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p "$T/out" | tr -d '\n' | wc -c)" -eq 1048576 ]
	[ -z "$(sed -n 1p "$T/out" | tr -d 'x\n')" ]
	[ "$(sed -n '2,$p' "$T/out")" = "$(printf 'after\nxxx')" ]
	[ "$(wc -l <"$T/out")" -eq 3 ]
}

@test "empty input (empty file or pipe): empty output, exit 0" {
	: >"$T/empty"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/empty"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run --separate-stderr bash -c ': | timeout 60 "$1" "$2"' _ "$PD_MAP" "$EX/square.so"
	no_crash
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "input from /dev/null: empty output, exit 0" {
	PD_RUN_TIMEOUT=10
	pdrun "$PD_MAP" "$EX/square.so" </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "a last line without newline is still a record" {
	printf '2\n3' >"$T/in"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '4\n9')" ]
	printf '7' >"$T/in"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "49" ]
}

@test "an empty line is a record too (and fails square with its line number)" {
	printf '2\n\n3\n' >"$T/in"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '4\n9')" ]
	[[ ${stderr_lines[0]} == "pd-map: line 2: "* ]]
	[ "${stderr_lines[1]}" = "pd-map: 1 of 3 records failed" ]
}

@test "a configured but unreachable host list is an error, never a local fallback" {
	pd_keygen
	pd_dead_port
	seq 1 3 >"$T/in"
	echo "127.0.0.1:$PD_DEAD_PORT" >"$PD_HOME/hosts"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	[[ $stderr == *"127.0.0.1:$PD_DEAD_PORT"* ]]
	rm "$PD_HOME/hosts"
	PD_HOSTS="127.0.0.1:$PD_DEAD_PORT" pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_DEAD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
}

@test "a host list without a cluster key: 77, saying how to make one" {
	pdrun "$PD_MAP" -H 127.0.0.1:1 "$EX/square.so" </dev/null
	echo "$stderr"
	[ "$status" -eq 77 ]
	[[ $stderr == *"--keygen"* ]]
}
