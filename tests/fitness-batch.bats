#!/usr/bin/env bats
# pd-opt --fitness-cmd CMD --fitness-input lines: several points per
# program call, one JSON array a line on its standard input, one value a
# line back (lib/opt/fitbatch.c).  The search must be the one of a point
# per call and of the C function, bit for bit: best point, value and the
# trace's history are compared with --fitness-input json/args and with
# square.so/rosenbrock.so, and the best value with Python's own sum at the
# best point.  Calls are counted by the program itself.

load helpers/common

setup() {
	pd_setup
	PD_OPT="$B/bin/pd-opt"
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the fitness"
	# the sphere summed in order, as square.so's square_fitness does;
	# repr is the shortest text that reads back as the same double
	cat >"$T/sphere.py" <<'EOF'
import json, sys
for line in sys.stdin:
    s = 0.0
    for v in json.loads(line):
        s += v * v
    print(repr(s))
EOF
	cat >"$T/sphere1.py" <<'EOF'
import json, sys
s = 0.0
for v in json.load(sys.stdin):
    s += v * v
print(repr(s))
EOF
}

teardown() {
	pd_teardown
}

# Rosenbrock as rosenbrock.so computes it, in awk, on JSON lines.
AWK_ROSEN='awk -F"[][,]" '\''{ f = 0; for (i = 2; i < NF - 1; i++) { a = $(i + 1) - $i * $i; b = 1 - $i; f += 100 * a * a + b * b }; printf "%.17g\n", f }'\'

# The same, one point as arguments.
AWK_ROSEN1='awk '\''BEGIN { f = 0; for (i = 1; i + 1 < ARGC; i++) { a = ARGV[i + 1] - ARGV[i] * ARGV[i]; b = 1 - ARGV[i]; f += 100 * a * a + b * b }; printf "%.17g\n", f }'\'

# same_search ARRAY JOB FITNESS...: pd-opt with the words in the array
# named ARRAY prints for FITNESS... (e.g. --fitness-cmd CMD) exactly what
# it prints for the job file JOB; $want holds that.
same_search() {
	local -n words=$1
	pdrun "$PD_OPT" "${words[@]}" "$2"
	[ "$status" -eq 0 ] || return 1
	want=$output
	shift 2
	pdrun "$PD_OPT" "${words[@]}" "$@"
	[ "$status" -eq 0 ] && [ "$output" = "$want" ]
}

# The trace without its timings: iterations, evaluations, best, mean, step.
history() {
	sed 's/,"eval_ms".*//' "$1"
}

@test "a Python fitness on lines equals one point per call and square.so, bit for bit, history too, on every algorithm" {
	for a in cmaes pso ga; do
		args=(-q -a "$a" --seed 7 --dim 3 --bounds -5:5 --popsize 10 --iterations 6 -n 2)
		pdrun "$PD_OPT" "${args[@]}" --trace "$T/so.tr" "$EX/square.so:square_fitness"
		[ "$status" -eq 0 ]
		want=$output
		[ "$(wc -l <"$T/so.tr")" -eq 6 ]
		# one point per call (json, and lines with --fitness-batch 1) on CMA-ES only: slow
		ks=("" 4)
		if [ "$a" = cmaes ]; then
			ks+=(1 json)
		fi
		for k in "${ks[@]}"; do
			if [ "$k" = json ]; then
				fin=(--fitness-input json --fitness-cmd "/usr/bin/python3 $T/sphere1.py")
			else
				fin=(--fitness-input lines ${k:+--fitness-batch $k} --fitness-cmd "/usr/bin/python3 $T/sphere.py")
			fi
			pdrun "$PD_OPT" "${args[@]}" --trace "$T/cmd.tr" "${fin[@]}"
			[ "$status" -eq 0 ]
			[ "$output" = "$want" ]
			[ "$(history "$T/cmd.tr")" = "$(history "$T/so.tr")" ]
		done
	done
	# the best value is Python's sum of squares at the best point, exactly
	printf '%s\n' "$output" | /usr/bin/python3 -c '
import sys
kv = dict(l.strip().split("=") for l in sys.stdin)
s = 0.0
for i in range(3):
    s += float(kv["x%d" % i]) ** 2
assert s == float(kv["fitness"]), (s, kv)'
}

@test "an awk Rosenbrock on lines equals rosenbrock.so and the same awk one point per call; a seed repeats it" {
	args=(-q --json --seed 3 --dim 4 --bounds -2:2 --popsize 12 --iterations 10 -n 2)
	same_search args "$EX/rosenbrock.so:rosenbrock" --fitness-cmd "$AWK_ROSEN1"
	pdrun "$PD_OPT" "${args[@]}" --fitness-input lines --fitness-cmd "$AWK_ROSEN"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	for run in 1 2; do
		pdrun "$PD_OPT" "${args[@]}" --fitness-batch 5 --fitness-cmd "$AWK_ROSEN"
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
	done
	[[ $output == *'"evaluations":120,'* ]]
	# and the value is Rosenbrock at the point, computed apart
	printf '%s\n' "$output" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
x = [r["params"]["x%d" % i] for i in range(4)]
f = 0.0
for i in range(3):
    a = x[i + 1] - x[i] * x[i]
    b = 1 - x[i]
    f += 100 * a * a + b * b
assert f == r["fitness"], (f, r)'
}

@test "a numpy fitness reading the whole batch at once gives the same search" {
	/usr/bin/python3 -c 'import numpy' 2>/dev/null || skip "needs numpy"
	cat >"$T/np.py" <<'EOF'
import sys
import numpy as np
x = np.array([[float(v) for v in l.strip()[1:-1].split(",")] for l in sys.stdin])
s = np.zeros(len(x))
for j in range(x.shape[1]):
    s += x[:, j] * x[:, j]
sys.stdout.write("".join(repr(float(v)) + "\n" for v in s))
EOF
	args=(-q --seed 9 --dim 5 --bounds -3:3 --popsize 20 --iterations 6 -n 2)
	same_search args "$EX/square.so:square_fitness" --fitness-input lines --fitness-cmd "/usr/bin/python3 $T/np.py"
}

@test "the program runs once per slot per generation by default, and ceil(population/K) times with --fitness-batch K" {
	args=(--json -q --seed 4 --dim 2 --bounds -1:1 --popsize 16 --iterations 5 -n 2)
	# each call appends how many points it read
	cat >"$T/counted.sh" <<EOF
#!/bin/sh
cat >"$T/in.\$\$"
wc -l <"$T/in.\$\$" >>"$T/calls"
/usr/bin/python3 "$T/sphere.py" <"$T/in.\$\$"
rm -f "$T/in.\$\$"
EOF
	chmod +x "$T/counted.sh"
	: >"$T/calls"
	pdrun "$PD_OPT" "${args[@]}" --fitness-input lines --fitness-cmd "$T/counted.sh"
	[ "$status" -eq 0 ]
	[[ $output == *'"evaluations":80,'* ]]
	# 16 points, 2 slots: 2 calls of 8 points per generation
	[ "$(wc -l <"$T/calls")" -eq 10 ]
	[ "$(sort -u "$T/calls")" = 8 ]
	: >"$T/calls"
	pdrun "$PD_OPT" "${args[@]}" --fitness-batch 5 --fitness-cmd "$T/counted.sh"
	[ "$status" -eq 0 ]
	# at most 5 points a call: 4 calls of 4 points per generation
	[ "$(wc -l <"$T/calls")" -eq 20 ]
	[ "$(sort -u "$T/calls")" = 4 ]
	: >"$T/calls"
	pdrun "$PD_OPT" "${args[@]}" --fitness-batch 6 --fitness-cmd "$T/counted.sh"
	[ "$status" -eq 0 ]
	# 16 points, at most 6 a call: 3 calls split 5, 5, 6 (sizes differ by one at most)
	[ "$(wc -l <"$T/calls")" -eq 15 ]
	[ "$(sort -n "$T/calls" | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" = "5:10 6:5 " ]
}

@test "too few values, too many, a non-number, or a failing program stop the search, naming the program and the line" {
	args=(-q --seed 1 --dim 2 --bounds -1:1 --popsize 6 --iterations 2 -n 2 --fitness-batch 3)
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd "/usr/bin/python3 $T/sphere.py | head -n 2"
	[ "$status" -eq 1 ]
	[[ $stderr == *"fitness failed in a call for 3 points from "*": '/usr/bin/python3 "*"' printed 2 lines for 3 points, not one value per point"* ]]
	[ -z "$output" ]
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd "/usr/bin/python3 $T/sphere.py; echo 1"
	[ "$status" -eq 1 ]
	[[ $stderr == *"printed 4 lines for 3 points, not one value per point"* ]]
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd 'cat >/dev/null; printf "1\n 2.5 \nabc\n"'
	[ "$status" -eq 1 ]
	[[ $stderr == *"'cat >/dev/null; printf \"1\n 2.5 \nabc\n\"' printed line 3 of 3 as 'abc', not one number"* ]]
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd 'cat >/dev/null; printf "1\n\n3\n"'
	[ "$status" -eq 1 ]
	[[ $stderr == *"printed line 2 of 3 as '', not one number"* ]]
	pdrun "$PD_OPT" "${args[@]}" --fitness-cmd 'echo "no licence" >&2; exit 3'
	[ "$status" -eq 1 ]
	[[ $stderr == *"fitness failed in a call for 3 points from "*": sh: exit 3: no licence"* ]]
	# nan, inf and blanks around a number are values; the last newline is optional
	pdrun "$PD_OPT" --json "${args[@]}" --fitness-cmd 'cat >/dev/null; printf "nan\n inf\t\n0.25"'
	[ "$status" -eq 0 ]
	[[ $output == *'"fitness":0.25,'* ]]
	[[ $output == *'"nonfinite":8,'* ]]
}

@test "--fitness-batch and --fitness-input lines: bad uses are usage errors" {
	pdrun "$PD_OPT" --dim 1 --bounds 0:1 --fitness-batch 0 --fitness-cmd true
	[ "$status" -eq 64 ]
	[[ $stderr == *"--fitness-batch: '0' is not a whole number from 1 to"* ]]
	pdrun "$PD_OPT" --dim 1 --bounds 0:1 --fitness-batch 4 --fitness-input json --fitness-cmd true
	[ "$status" -eq 64 ]
	[[ $stderr == *"--fitness-batch goes with --fitness-input lines"* ]]
	pdrun "$PD_OPT" --dim 1 --bounds 0:1 --fitness-batch 4 "$EX/square.so"
	[ "$status" -eq 64 ]
	[[ $stderr == *"go with --fitness-cmd"* ]]
	pdrun "$PD_OPT" --dim 1 --bounds 0:1 --fitness-input columns --fitness-cmd true
	[ "$status" -eq 64 ]
	[[ $stderr == *"is not args, json or lines"* ]]
}
