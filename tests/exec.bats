#!/usr/bin/env bats
# pd-map CMD ...: any program run once per record (the runner job, lib/job/
# runner/exec.c).  Each result is compared with the same command run
# serially by a shell loop, or with values computed by awk or Python;
# failures, signals, time limits, retries, the job log, --tag/--json and a
# loopback pd-serve are checked as for a job file.

load helpers/common

setup() {
	pd_setup
}

teardown() {
	# the background sleeps that the tests' commands left running
	if [ -s "$T/bg" ]; then
		while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$T/bg"
	fi
	pd_teardown
}

# serial FILE CMD...: CMD RECORD for each line of FILE, one after the
# other, every byte of their outputs as they are (the reference).
serial() {
	local f=$1 line
	shift
	while IFS= read -r line; do
		"$@" "$line"
	done <"$f"
}

@test "echo per record equals the same command run serially, byte for byte" {
	seq 1 60 | sed "s/^/rec /" >"$T/in"
	serial "$T/in" echo >"$T/want"
	pdrun_to "$T/out" "$PD_MAP" -c 2 echo <"$T/in"
	cat "$T/out.err"
	[ "$status" -eq 0 ]
	cmp "$T/out" "$T/want"
	[ ! -s "$T/out.err" ]
}

@test "a program's output is kept exact: no newline added or removed, several lines, any bytes" {
	printf '%s\n' a 'b c' 'x"y' "it's" '' 'tab	in' >"$T/in"
	: >"$T/want"
	while IFS= read -r l; do printf '[%s]\001\n\n' "$l" >>"$T/want"; printf 'end' >>"$T/want"; done <"$T/in"
	pdrun_to "$T/out" "$PD_MAP" -c 2 sh -c 'printf "[%s]\001\n\n" "$1"; printf end' sh '{}' <"$T/in"
	cat "$T/out.err"
	[ "$status" -eq 0 ]
	cmp "$T/out" "$T/want"
}

@test "replacement strings {} {1} {2} {#} {.} {/} {//} {/.}, against Python's reading of each record" {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the reference"
	cat >"$T/in" <<'EOF'
a.txt
dir/sub/file.tar.gz
/abs/path/noext
.hidden
x.d/y
two fields.c
with 'quotes' and "dq"
EOF
	/usr/bin/python3 - "$T/in" >"$T/want" <<'EOF'
import os, sys
for n, line in enumerate(open(sys.argv[1]).read().split('\n')[:-1], 1):
    f = line.split()
    base = line.rsplit('/', 1)[-1]
    d = line.rsplit('/', 1)[0] if '/' in line else '.'
    if d == '' and line.startswith('/'):
        d = '/'
    vals = [line, f[0] if f else '', f[1] if len(f) > 1 else '', str(n),
            os.path.splitext(line)[0], base, d, os.path.splitext(base)[0]]
    print('|'.join(vals))
EOF
	pdrun "$PD_MAP" -c 2 printf '%s|%s|%s|%s|%s|%s|%s|%s\n' {} {1} {2} {#} {.} {/} {//} {/.} <"$T/in"
	[ "$status" -eq 0 ]
	diff <(printf '%s\n' "$output") "$T/want"
}

@test "fields: tab-separated records keep empty fields; blank-separated ones split on runs of spaces" {
	printf 'a\t\tc\t\n  x   y  \n' >"$T/in"
	pdrun "$PD_MAP" -c 1 printf '<%s><%s><%s><%s><%s>\n' {1} {2} {3} {4} {9} <"$T/in"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "<a><><c><><>" ]
	[ "${lines[1]}" = "<x><y><><><>" ]
}

@test "without a replacement string the record is one last argument, spaces and quotes kept" {
	printf '%s\n' 'one two' "q'uote" '{not json' '--opt' >"$T/in"
	serial "$T/in" printf '(%s)\n' >"$T/want"
	pdrun_to "$T/out" "$PD_MAP" -c 2 printf '(%s)\n' <"$T/in"
	cat "$T/out.err"
	[ "$status" -eq 0 ]
	cmp "$T/out" "$T/want"
}

@test "options after the command are the command's; options after a job file are pd-map's" {
	printf 'a\nb\n' >"$T/in"
	pdrun "$PD_MAP" -c 2 echo -n {} <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "ab" ]
	seq 1 5 >"$T/sq"
	pdrun "$PD_MAP" "$EX/square.so" -c 2 <"$T/sq"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/sq")" ]
}

@test "a command with shell syntax runs with sh -c, the record quoted; --shell forces it" {
	printf '%s\n' 3 "it's" 'a b' >"$T/in"
	: >"$T/want"
	while IFS= read -r l; do printf '%s\n' "$l" | tr a-z A-Z | sed 's/^/>/' >>"$T/want"; done <"$T/in"
	pdrun_to "$T/out" "$PD_MAP" -c 2 'printf "%s\n" {} | tr a-z A-Z | sed "s/^/>/"' <"$T/in"
	cat "$T/out.err"
	[ "$status" -eq 0 ]
	cmp "$T/out" "$T/want"
	pdrun_to "$T/out2" "$PD_MAP" -c 2 --shell printf '"%s\n"' {} '|' tr a-z A-Z '|' sed '"s/^/>/"' <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/out2" "$T/want"
	# and the program's standard input is empty, not pd-map's records
	pdrun "$PD_MAP" -c 1 'cat; echo got {}' <"$T/in"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "got 3" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "a non-zero exit fails that record with its line, the exit status and the tail of its stderr" {
	seq 1 6 >"$T/in"
	pdrun "$PD_MAP" -c 2 sh -c 'if [ $(($1 % 3)) -eq 0 ]; then echo "bad $1" >&2; exit 7; fi; echo ok $1' sh {} <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'ok %s\n' 1 2 4 5)" ]
	[[ $stderr == *"line 3: sh: exit 7: bad 3 (input: 3)"* ]]
	[[ $stderr == *"line 6: sh: exit 7: bad 6 (input: 6)"* ]]
	[[ $stderr == *"2 of 6 records failed"* ]]
}

@test "only the tail of a long stderr is kept; a signal and a missing program fail their records" {
	echo 1 >"$T/in"
	pdrun "$PD_MAP" sh -c 'seq 1 5000 >&2; exit 1' <"$T/in"
	[ "$status" -eq 1 ]
	[[ $stderr == *'sh: exit 1: 4997\n4998\n4999\n5000 (input: 1)'* ]]
	pdrun "$PD_MAP" sh -c 'kill -TERM $$' <"$T/in"
	[ "$status" -eq 1 ]
	[[ $stderr == *"line 1: sh: crashed: SIGTERM"* ]]
	pdrun "$PD_MAP" ./no-such-program-here {} <"$T/in"
	[ "$status" -eq 1 ]
	[[ $stderr == *"line 1: ./no-such-program-here: No such file or directory"* ]]
}

@test "--timeout kills the program and what it started, and fails only that record" {
	printf '%s\n' fast slow >"$T/in"
	pdrun "$PD_MAP" -c 2 --timeout 2 sh -c '
		if [ "$1" = slow ]; then sleep 300 & echo $! >"$2/kid"; echo $$ >"$2/sh"; wait; fi; echo "$1"' sh {} "$T" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$output" = fast ]
	[[ $stderr == *"line 2: timed out after 2 s"* ]]
	[ -s "$T/kid" ]
	[ -s "$T/sh" ]
	wait_for pd_dead "$(cat "$T/kid")"
	wait_for pd_dead "$(cat "$T/sh")"
}

@test "a background child holding stdout and stderr does not hold the record: the output is whole, the run ends" {
	# each record's command leaves a 'sleep 300' running with the pipes
	# open (a direct child, and one that sh no longer knows of), writes
	# more than a pipe holds, and exits
	seq 1 6 >"$T/in"
	pdrun timeout -k 5 120 "$PD_MAP" -c 2 sh -c '
		sleep 300 & echo $! >>"$2/bg"
		(sleep 300 & echo $! >>"$2/bg")
		seq "$1" 30000; echo "$1 done" >&2' sh {} "$T" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(for i in $(seq 1 6); do seq "$i" 30000; done)" ]
	[ "$(wc -l <"$T/bg")" -eq 12 ]
	# a failure's stderr tail is the program's own, read at its exit
	pdrun timeout -k 5 120 "$PD_MAP" 'sleep 300 & echo $! >>'"$T"'/bg; echo oops {} >&2; exit 3' <<<"x"
	[ "$status" -eq 1 ]
	[[ $stderr == *"line 1: sh: exit 3: oops x"* ]]
}

@test "--retries runs a failed record again: a program failing on its first try succeeds" {
	seq 1 8 >"$T/in"
	cmd='n=$(cat "$2/c.$1" 2>/dev/null || echo 0); echo $((n + 1)) >"$2/c.$1"; [ "$n" -ge 1 ] || exit 3; echo "$1 on try $((n + 1))"'
	pdrun "$PD_MAP" -c 2 --retries 1 sh -c "$cmd" sh {} "$T" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 1 8 | sed 's/$/ on try 2/')" ]
	rm -f "$T"/c.*
	pdrun "$PD_MAP" -c 2 sh -c "$cmd" sh {} "$T" <"$T/in"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "--joblog then --resume: only the failed records run again" {
	seq 1 10 >"$T/in"
	# records 4 and 7 fail while the file "$T/fail" exists; every run is counted
	cmd='echo "$1" >>"$2/runs"; [ -e "$2/fail" ] && { [ "$1" = 4 ] || [ "$1" = 7 ]; } && exit 1; echo "r$1"'
	touch "$T/fail"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" sh -c "$cmd" sh {} "$T" <"$T/in"
	[ "$status" -eq 1 ]
	[ "$(wc -l <"$T/runs")" -eq 10 ]
	rm "$T/fail" "$T/runs"
	pdrun "$PD_MAP" -c 2 --joblog "$T/log" --resume sh -c "$cmd" sh {} "$T" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 1 10 | sed 's/^/r/')" ]
	[ "$(sort -n "$T/runs" | tr '\n' ' ')" = "4 7 " ]
}

@test "--tag prefixes every output line with its input; --json holds the exact output" {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 to read the JSON"
	printf '%s\n' a 'b c' >"$T/in"
	pdrun "$PD_MAP" -c 2 --tag printf '1 %s\n2\n' {} <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\t1 a\na\t2\nb c\t1 b c\nb c\t2')" ]
	pdrun_to "$T/j" "$PD_MAP" -c 2 --json printf 'x\t%s\n\001"' {} <"$T/in"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c '
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = ["x\t%s\n\x01\"" % r for r in ("a", "b c")]
assert [g["output"] for g in got] == want, got
assert [g["input"] for g in got] == ["a", "b c"], got
assert [g["line"] for g in got] == [1, 2], got' "$T/j"
}

@test "a pd-serve over TCP (loopback) runs the command: same output, its host named" {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 to read the JSON"
	pd_keygen
	pd_start_server --cpu 2
	seq 1 20 | sed "s/$/.dat/" >"$T/in"
	: >"$T/want"
	while IFS= read -r l; do echo "${l%.dat} $((${l%.dat} * 3))" >>"$T/want"; done <"$T/in"
	pdrun_to "$T/out" "$PD_MAP" -H "127.0.0.1:$PD_PORT" 'echo {.} $(expr {.} \* 3)' <"$T/in"
	cat "$T/out.err"
	[ "$status" -eq 0 ]
	cmp "$T/out" "$T/want"
	pdrun_to "$T/j" "$PD_MAP" -H "127.0.0.1:$PD_PORT" --json echo {#} <"$T/in"
	[ "$status" -eq 0 ]
	/usr/bin/python3 -c '
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
assert all(g["host"] not in ("", "embedded") for g in got), got[:2]
assert [g["output"] for g in got] == ["%d\n" % i for i in range(1, 21)]' "$T/j"
}

@test "bad uses: --shell with a job file, --detach with a command, a command too long" {
	pdrun "$PD_MAP" --shell "$EX/square.so" </dev/null
	[ "$status" -eq 64 ]
	[[ $stderr == *"--shell goes with a command"* ]]
	pdrun "$PD_MAP" --detach echo {} </dev/null
	[ "$status" -eq 64 ]
	[[ $stderr == *"a command runs attached only"* ]]
	long=$(head -c 70000 /dev/zero | tr '\0' x)
	pdrun "$PD_MAP" echo "$long" </dev/null
	[ "$status" -eq 64 ]
	[[ $stderr == *"at most 65536 fit"* ]]
}

# pd-opt --fitness-cmd: the same runner, one program run per point.

# The sphere sum of x_i^2, summed in order as square.so's square_fitness
# does, printed so that it reads back as the same double.
AWK_SPHERE='awk '\''BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i] * ARGV[i]; printf "%.17g\n", s }'\'

@test "pd-opt --fitness-cmd: an awk fitness gives the same search as the C function, and a seed repeats it" {
	PD_OPT="$B/bin/pd-opt"
	args=(-q --seed 5 --dim 3 --bounds -5:5 --popsize 6 --iterations 6 -n 2)
	pdrun "$PD_OPT" "${args[@]}" "$EX/square.so:square_fitness"
	[ "$status" -eq 0 ]
	want=$output
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd "$AWK_SPHERE"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd "$AWK_SPHERE"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[[ $output == *fitness=* ]]
}

@test "pd-opt --fitness-cmd with --fitness-input json: a Python fitness equals the C function, on PSO too" {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the fitness"
	PD_OPT="$B/bin/pd-opt"
	py='/usr/bin/python3 -c "import json, sys; x = json.load(sys.stdin); print(repr(sum(v * v for v in x)))"'
	for a in cmaes pso; do
		args=(-q -a "$a" --seed 11 --dim 2 --bounds -3:3 --popsize 4 --iterations 3 -n 2)
		pdrun "$PD_OPT" "${args[@]}" "$EX/square.so:square_fitness"
		[ "$status" -eq 0 ]
		want=$output
		pdrun "$PD_OPT" "${args[@]}" --fitness-input json --fitness-cmd "$py"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
	done
}

@test "pd-opt --fitness-cmd: a failing program or one that prints no number stops the search, saying why" {
	PD_OPT="$B/bin/pd-opt"
	pdrun "$PD_OPT" -q --seed 1 --dim 2 --bounds -1:1 --iterations 2 --fitness-cmd 'echo "no licence" >&2; exit 3'
	[ "$status" -eq 1 ]
	[[ $stderr == *"fitness failed at point "*": sh: exit 3: no licence"* ]]
	pdrun "$PD_OPT" -q --seed 1 --dim 2 --bounds -1:1 --iterations 2 --fitness-cmd 'echo twelve'
	[ "$status" -eq 1 ]
	[[ $stderr == *"sh printed 'twelve"*"not one number"* ]]
	pdrun "$PD_OPT" --fitness-cmd true "$EX/square.so" --dim 1 --bounds 0:1
	[ "$status" -eq 64 ]
	pdrun "$PD_OPT" --fitness-input yaml --fitness-cmd true --dim 1 --bounds 0:1
	[ "$status" -eq 64 ]
}

@test "pd-opt --fitness-cmd: nan is ranked worst and counted, as a C function's NaN" {
	PD_OPT="$B/bin/pd-opt"
	# nan wherever x > 0: the best point found is then at x <= 0
	pdrun "$PD_OPT" --json --seed 2 --dim 1 --bounds -2:2 --popsize 6 --iterations 5 \
		--fitness-cmd 'awk "BEGIN { if (ARGV[1] > 0) print \"nan\"; else printf \"%.17g\n\", ARGV[1] * ARGV[1] }"'
	[ "$status" -eq 0 ]
	[[ $output == *'"nonfinite":'[1-9]* ]]
	x=$(printf '%s' "$output" | sed 's/.*"x0":\([^,}]*\).*/\1/')
	awk -v x="$x" 'BEGIN { exit !(x <= 0) }'
}

@test "--mem limits the program too: 100 MiB fails under --mem 80M and passes without" {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 to allocate"
	[[ $B != *san* ]] || skip "the sanitizer's worker reserves address space that --mem counts"
	echo 1 >"$T/in"
	pdrun "$PD_MAP" /usr/bin/python3 -c 'b = bytearray(100 << 20); print(len(b))' <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = $((100 << 20)) ]
	pdrun "$PD_MAP" --mem 80M /usr/bin/python3 -c 'b = bytearray(100 << 20); print(len(b))' <"$T/in"
	[ "$status" -eq 1 ]
	[[ $stderr == *"MemoryError"* ]]
}

@test "shell mode: records with \$(...), backquotes and quotes stay data; a replacement inside quotes is refused" {
	printf '%s\n' '$(touch pwned1)' '`touch pwned2`' "it's \"q\"" 'a;b' >"$T/in"
	cd "$T"
	pdrun_to "$T/out" "$PD_MAP" -c 2 'echo {} | cat' <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/in" "$T/out"
	[ ! -e "$T/pwned1" ]
	[ ! -e "$T/pwned2" ]
	for tpl in 'echo "{}"' "echo '{}'" 'echo \{}' 'cat <<E
{}
E' 'echo "x{1}y"'; do
		pdrun "$PD_MAP" -c 2 "$tpl" <"$T/in"
		[ "$status" -eq 64 ]
		[[ $stderr == *"is inside quotes, after a backslash or in a here-document"* ]]
	done
	[ ! -e "$T/pwned1" ] && [ ! -e "$T/pwned2" ]
}

@test "a record with more fields than the runner splits fails when the command reads fields, and runs when it does not" {
	awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "%d%s", i, i < 5000 ? " " : "\n" }' >"$T/in"
	pdrun "$PD_MAP" -c 1 echo {4097} <"$T/in"
	[ "$status" -eq 1 ]
	[[ $stderr == *"the record has more than 4096 fields"* ]]
	pdrun_to "$T/out" "$PD_MAP" -c 1 echo {} <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/in" "$T/out"
	# 4096 fields exactly: every one reaches the command
	awk 'BEGIN { for (i = 1; i <= 4096; i++) printf "%d%s", i, i < 4096 ? " " : "\n" }' >"$T/in2"
	pdrun "$PD_MAP" -c 1 echo {4096} {1} <"$T/in2"
	[ "$status" -eq 0 ]
	[ "$output" = "4096 1" ]
}
