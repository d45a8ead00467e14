#!/usr/bin/env bats
# pd-opt's search on harder ground: IPOP and BIPOP restarts, optima on
# the walls of the box, --x0 and --step, PSO's default rule on Ackley,
# noise handling, and those options' usage errors.  (Split from
# pd-opt.bats so that the two run side by side: each search here is a
# whole optimisation, some ten times slower under the sanitizers.)

load helpers/common
load helpers/opt

@test "IPOP restarts double the population and keep the best" {
	pdrun "$PD_OPT" --seed 2 --restarts 4 --target 1e-8 --trace "$T/tr" --json --dim 5 --bounds -5.12:5.12 \
		"$EX/rastrigin.so"
	[ "$status" -eq 0 ]
	r=$("$B/tests/pd_json" restarts <<<"$output")
	echo "restarts: $r"
	# the trace marks each restart
	[ "$(grep -c '"restarted":true' "$T/tr")" -eq "$r" ]
}

@test "optima on walls: six parameters from narrow intervals reach their walls to 1e-6, each algorithm" {
	# walls: (x_i - t_i)^2, t = 5, -5, 0.3 in turn: least at 1, -1, 0.3 in [-1, 1]
	# (seeds 1 and 6: PSO pinned c or x2 to a wall when it stopped particles there)
	for a in cmaes pso ga; do
		for s in 1 6; do
			pdrun "$PD_OPT" -a "$a" --seed "$s" -q "$PROBE:walls" -p a=-1:0:0.2:1 -p b=-1:-0.2:0:1 \
				-p c=-1:0.5:0.6:1 --dim 3 --bounds -1:0:0.2:1
			[ "$status" -eq 0 ]
			echo "$a $s: $output"
			near "$(value a)" 1 1e-6
			near "$(value b)" -1 1e-6
			near "$(value c)" 0.3 1e-4
			near "$(value x0)" 1 1e-6
			near "$(value x1)" -1 1e-6
			near "$(value x2)" 0.3 1e-4
		done
	done
}

@test "the reported stall: (x - 5)^2 with -p b=-1:0:0.2:1 reaches b = 1 to 1e-6, each algorithm, three seeds" {
	for a in cmaes pso ga; do
		for s in 1 2 3; do
			pdrun "$PD_OPT" -a "$a" --seed "$s" -q "$PROBE:fenced" -p b=-1:0:0.2:1
			[ "$status" -eq 0 ]
			echo "$a $s: $output"
			near "$(value b)" 1 1e-6
		done
	done
}

# Runs of both regimes under --restart-mode $1 (bipop or nbipop): the
# populations follow the mode's rules, the same bits on 1 and 3 workers,
# and a run stopped and resumed ends at the same result.
regimes_test() {
	args=(--restart-mode "$1" --max-evals 30000 --json --dim 5 --bounds -5.12:5.12 "$EX/rastrigin.so")
	pdrun "$PD_OPT" -n 1 --seed 5 --trace "$T/tr" "${args[@]}"
	[ "$status" -eq 0 ]
	one=$output
	r=$("$B/tests/pd_json" restarts <<<"$one")
	echo "restarts: $r; $stderr"
	[ "$r" -ge 3 ]
	# large runs double the population (default 8 in 5-D): 16, 32, 64 ...;
	# small ones lie between 8 and the last large one (nbipop: are 8)
	printf '%s\n' "$stderr" | sed -n 's/.*restart [0-9]*: population \([0-9]*\), \(large\|small\)$/\1 \2/p' >"$T/runs"
	cat "$T/runs"
	[ "$(grep -c small "$T/runs")" -ge 2 ]
	[ "$(grep -c large "$T/runs")" -ge 2 ]
	awk -v nb="$([ "$1" = nbipop ] && echo 1)" 'BEGIN { big = 8 }
		$2 == "large" { if ($1 != 2 * big) exit 1; big = $1 }
		$2 == "small" { if ($1 < 8 || $1 > big || (nb && $1 != 8)) exit 1 }' "$T/runs"
	pdrun "$PD_OPT" -n 3 --seed 5 "${args[@]}"
	[ "$output" = "$one" ]
	# stopped at 10000 evaluations, then resumed
	pdrun "$PD_OPT" -n 2 --seed 5 --restart-mode "$1" --max-evals 10000 --checkpoint "$T/ck" \
		--dim 5 --bounds -5.12:5.12 "$EX/rastrigin.so"
	[ "$status" -eq 0 ]
	pdrun "$PD_OPT" -n 2 --max-evals 30000 --json --resume "$T/ck" "$EX/rastrigin.so"
	[ "$status" -eq 0 ]
	[ "$output" = "$one" ]
}

@test "BIPOP restarts: small and large runs, the same bits on 1 and 3 workers, resumed to the same result" {
	regimes_test bipop
}

@test "NBIPOP restarts: small runs at the default population, the same bits on 1 and 3 workers, resumed" {
	regimes_test nbipop
}

@test "--x0 and --step: the first points are drawn there; PSO and GA start one point at x0" {
	# CMA-ES: one generation around x = 3 with a step of 1e-6 stays within 1e-4 of it
	pdrun "$PD_OPT" --seed 1 -q --iterations 1 --x0 3 --step 1e-6 "$EX/square.so" -p x=-10:10
	[ "$status" -eq 0 ]
	near "$(value x)" 3 1e-4
	# and without them it does not (the middle, 0, with a step of 6)
	pdrun "$PD_OPT" --seed 1 -q --iterations 1 "$EX/square.so" -p x=-10:10
	! near "$(value x)" 3 1e-4 || false
	# PSO and GA: x0 is Rosenbrock's optimum, so the first iteration finds 0
	for a in pso ga; do
		pdrun "$PD_OPT" -a "$a" --seed 1 -q --iterations 1 --x0 1 --dim 4 --bounds -2:2 "$ROSEN"
		[ "$status" -eq 0 ]
		[ "$(value fitness)" = 0 ]
	done
	# one value per parameter
	pdrun "$PD_OPT" --seed 1 -q --iterations 1 --x0 0.5,-1.5 --step 1e-9,1e-9 -p a=-2:2 -p b=-2:2 "$ROSEN"
	[ "$status" -eq 0 ]
	near "$(value a)" 0.5 1e-6
	near "$(value b)" -1.5 1e-6
}

@test "10-D Ackley: the default PSO rule reaches 1e-6 on seeds 1 to 5" {
	for s in 1 2 3 4 5; do
		pdrun "$PD_OPT" -a pso --seed "$s" -q --dim 10 --bounds -32.768:32.768 "$T/ackley.so"
		[ "$status" -eq 0 ]
		f=$(value fitness)
		echo "seed $s: $f"
		awk -v f="$f" 'BEGIN { exit !(f < 1e-6) }'
	done
}

@test "--noise-handling: more points per iteration, the same bits on 1 and 2 workers, resumable" {
	args=(--noise-handling --iterations 60 --json --dim 4 --bounds -2:2 "$PROBE:noisy")
	pdrun "$PD_OPT" -n 1 --seed 9 "${args[@]}"
	[ "$status" -eq 0 ]
	one=$output
	# 8 points and 2 re-evaluations an iteration at least
	ev=$("$B/tests/pd_json" evaluations <<<"$one")
	[ "$ev" -ge 600 ]
	pdrun "$PD_OPT" -n 2 --seed 9 "${args[@]}"
	[ "$output" = "$one" ]
	pdrun "$PD_OPT" -n 2 --seed 9 --noise-handling --iterations 25 --checkpoint "$T/ck" \
		--dim 4 --bounds -2:2 "$PROBE:noisy"
	[ "$status" -eq 0 ]
	pdrun "$PD_OPT" --iterations 60 --json --resume "$T/ck" "$PROBE:noisy"
	[ "$output" = "$one" ]
}

@test "bad --x0, --step, --restart-mode and CMA-ES-only options: exit 64 with the reason" {
	usage_fails "2 numbers for 3 parameters" --x0 1,2 --dim 3 --bounds -1:1
	usage_fails "is not a list of numbers" --x0 1,x -p x=0:1
	usage_fails "start 5 outside the hard bounds" --x0 5 -p x=0:1
	usage_fails "initial step -1 out of range" --step -1 -p x=0:1
	usage_fails "give one" --step 0.1 --sigma0 0.2 -p x=0:1
	usage_fails "not ipop, bipop or nbipop" --restart-mode xpop -p x=0:1
	usage_fails "are for CMA-ES" -a pso --noise-handling -p x=0:1
	usage_fails "are for CMA-ES" -a ga --restart-mode bipop -p x=0:1
}
