#!/usr/bin/env bats
# pd-opt on local workers: the three algorithms, bounds, maximising,
# determinism, trace/plot, checkpoints, NaN, failures and bad options.
# Restarts, optima on walls, start points and noise: pd-opt-search.bats.

load helpers/common
load helpers/opt

@test "the paper's first example: square reaches |x| < 1e-6 with each algorithm" {
	for a in cmaes pso ga; do
		pdrun "$PD_OPT" -a "$a" --seed 1 -q --iterations 300 "$EX/square.so" -p x=-10:10
		[ "$status" -eq 0 ]
		x=$(value x)
		echo "$a: x=$x"
		abs_below "$x" 1e-6
		# fitness is x squared, computed independently here
		awk -v x="$x" -v f="$(value fitness)" 'BEGIN { d = x * x - f; exit !(d < 1e-300 && d > -1e-300) }'
	done
}

@test "CMA-ES on 10-D Rosenbrock reaches the target 1e-8 and says why it stopped" {
	pdrun "$PD_OPT" --seed 3 --target 1e-8 --dim 10 --bounds -2.2:2.2 "$ROSEN"
	[ "$status" -eq 0 ]
	[[ $stderr == *"target reached"* ]]
	awk -v f="$(value fitness)" 'BEGIN { exit !(f < 1e-8) }'
	for i in 0 1 2 3 4 5 6 7 8 9; do
		abs_below "$(awk -v x="$(value x$i)" 'BEGIN { print x - 1 }')" 1e-3
	done
}

@test "maximise: the negated sphere's highest point, with each algorithm" {
	# -(x^2) has its maximum 0 at 0: maximise the function of the nanny job's
	# sphere part through a fitness that is its negative: use square and --maximize
	# on a box where the farthest corner wins instead: max of x^2 on [-3, 2] is at -3.
	for a in cmaes pso ga; do
		pdrun "$PD_OPT" -a "$a" --maximize --seed 2 -q --iterations 200 "$EX/square.so" -p x=-3:2
		[ "$status" -eq 0 ]
		echo "$a: $output"
		abs_below "$(awk -v x="$(value x)" 'BEGIN { print x + 3 }')" 1e-6
		awk -v f="$(value fitness)" 'BEGIN { exit !(f > 9 - 1e-5 && f <= 9) }'
	done
}

@test "no point outside the hard bounds is ever evaluated (the fitness aborts if one is)" {
	# (x - 5)^2 is least at the wall x = 1 of the hard box [-1, 1]
	for a in cmaes pso ga; do
		pdrun "$PD_OPT" -a "$a" --seed 4 -q --iterations 150 "$PROBE:fenced" \
			-p a=-1:-0.5:0.5:1 -p b=-1:0:0.5:1 --dim 3 --bounds -1:-1:1:1
		[ "$status" -eq 0 ]
		echo "$a: $output"
		for p in a b x0 x1 x2; do
			awk -v x="$(value $p)" 'BEGIN { exit !(x >= -1 && x <= 1) }'
		done
		# and the search presses on the wall
		for p in a b x0 x1 x2; do
			awk -v x="$(value $p)" 'BEGIN { exit !(x > 0.99) }'
		done
	done
}

@test "the same seed gives the same result bit for bit on 1, 2 and 3 workers" {
	for a in cmaes pso ga; do
		pdrun "$PD_OPT" -a "$a" -n 1 --seed 11 --iterations 40 --json --dim 4 --bounds -2:2 "$ROSEN"
		[ "$status" -eq 0 ]
		one=$output
		for n in 2 3; do
			pdrun "$PD_OPT" -a "$a" -n "$n" --seed 11 --iterations 40 --json --dim 4 --bounds -2:2 "$ROSEN"
			[ "$output" = "$one" ]
		done
		# the batch form of the same function gives the same run
		pdrun "$PD_OPT" -a "$a" -n 2 --seed 11 --iterations 40 --json --dim 4 --bounds -2:2 \
			"$EX/rosenbrock.so:rosenbrock_batch"
		[ "$output" = "$one" ]
		# another seed, another run
		pdrun "$PD_OPT" -a "$a" -n 2 --seed 12 --iterations 40 --json --dim 4 --bounds -2:2 "$ROSEN"
		[ "$output" != "$one" ]
	done
}

# untimed FILE: a --trace file without its timing members (eval_ms ...).
untimed() {
	sed 's/,"eval_ms":.*}$/}/' "$1"
}

@test "binary points and values give the same search, all digits, as the text form older servers take" {
	# pd-opt sends points to hosts that say "f64" in their info as
	# little-endian doubles, values back likewise; PD_OPT_TEXT_POINTS=1
	# sends every host the text form instead (points and values printed
	# with 17 digits, as before binary): both must agree bit for bit,
	# single and batch fitness, NaN and infinity included.
	for a in cmaes pso ga; do
		for job in "$ROSEN" "$EX/rosenbrock.so:rosenbrock_batch" "$PROBE:nanny"; do
			pdrun "$PD_OPT" -a "$a" -n 2 --seed 21 --iterations 30 --json --trace "$T/bin" \
				--dim 3 --bounds -2:2 "$job"
			[ "$status" -eq 0 ]
			bin=$output
			PD_OPT_TEXT_POINTS=1 pdrun "$PD_OPT" -a "$a" -n 2 --seed 21 --iterations 30 --json \
				--trace "$T/text" --dim 3 --bounds -2:2 "$job"
			[ "$status" -eq 0 ]
			echo "$a $job: $bin"
			[ "$output" = "$bin" ]
			[ "$(wc -l <"$T/bin")" -eq 30 ]
			[ "$(untimed "$T/bin")" = "$(untimed "$T/text")" ]
			# every value printed reads back to itself: 17 significant digits
			grep -q '"best":[-0-9.e]\{17,\}' "$T/bin" || [[ $job == *nanny ]]
		done
	done
}

@test "--json carries the parameters, fitness and counts; --trace has a line per iteration" {
	pdrun "$PD_OPT" -a pso --popsize 10 --seed 5 --iterations 25 --json --trace "$T/trace" \
		--dim 2 --bounds -2:2 "$ROSEN"
	[ "$status" -eq 0 ]
	"$B/tests/pd_json" evaluations <<<"$output" | grep -qx 250
	"$B/tests/pd_json" iterations <<<"$output" | grep -qx 25
	[ "$(wc -l <"$T/trace")" -eq 25 ]
	# the best in the trace never gets worse and ends at the reported fitness
	best=$("$B/tests/pd_json" fitness <<<"$output")
	awk -F'"best":' '{ split($2, a, ","); b = a[1] + 0
		if (NR > 1 && b > prev) bad = 1; prev = b; last = a[1] }
		END { exit bad }' "$T/trace"
	tail -n 1 "$T/trace" | grep -q "\"evals\":250,"
}

@test "--plot writes an SVG convergence curve" {
	pdrun "$PD_OPT" --seed 5 --iterations 60 -q --plot "$T/c.svg" --dim 3 --bounds -2:2 "$ROSEN"
	[ "$status" -eq 0 ]
	head -c 200 "$T/c.svg" | grep -q '<svg'
	grep -q '<polyline' "$T/c.svg"
	grep -q 'log scale' "$T/c.svg"
	tail -n 1 "$T/c.svg" | grep -qx '</svg>'
	# 60 iterations, 60 points
	pts=$(sed -n "s/.*points='\\([^']*\\)'.*/\\1/p" "$T/c.svg" | wc -w)
	[ "$pts" -eq 60 ]
}

@test "a run interrupted and resumed from its checkpoint ends as an uninterrupted one" {
	for a in cmaes pso ga; do
		pdrun "$PD_OPT" -a "$a" --seed 21 --iterations 60 --json --dim 5 --bounds -2:2 "$ROSEN"
		[ "$status" -eq 0 ]
		full=$output
		# stopped after 23 iterations (a checkpoint is written at the stop) ...
		pdrun "$PD_OPT" -a "$a" --seed 21 --iterations 23 --checkpoint "$T/ck.$a" --dim 5 --bounds -2:2 "$ROSEN"
		[ "$status" -eq 0 ]
		# ... and resumed to 60
		pdrun "$PD_OPT" -a "$a" --iterations 60 --json --resume "$T/ck.$a" --dim 5 --bounds -2:2 "$ROSEN"
		[ "$status" -eq 0 ]
		[ "$output" = "$full" ]
	done
}

@test "a run killed mid-way resumes from its last periodic checkpoint to the same result" {
	# 10 particles x 60 iterations x 10 ms: about 3 s on 2 workers
	pdrun "$PD_OPT" -a pso --popsize 10 --seed 8 --iterations 60 --json --dim 3 --bounds -2:2 "$PROBE:slowsq"
	[ "$status" -eq 0 ]
	full=$output
	"$PD_OPT" -a pso --popsize 10 --seed 8 --iterations 60 --checkpoint "$T/ck" --checkpoint-every 3 \
		--dim 3 --bounds -2:2 "$PROBE:slowsq" >/dev/null 2>&1 &
	pid=$!
	wait_for -t 30 test -s "$T/ck"
	kill -9 "$pid"
	wait "$pid" || true
	grep -q '^pd-opt-checkpoint 1$' "$T/ck"
	pdrun "$PD_OPT" -a pso --iterations 60 --json --resume "$T/ck" "$PROBE:slowsq"
	[ "$status" -eq 0 ]
	[ "$output" = "$full" ]
}

# The trace without its times (they differ from run to run).
untimed() {
	sed 's/,"eval_ms":.*//' "$1"
}

@test "a run resumed after a kill past its checkpoint: the trace reads as one run" {
	args=(-a pso --popsize 6 --seed 4 --dim 3 --bounds -2:2 "$ROSEN")
	pdrun "$PD_OPT" --iterations 40 --trace "$T/full" "${args[@]}"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/full")" -eq 40 ]
	# a checkpoint at iteration 20 ...
	pdrun "$PD_OPT" --iterations 20 --checkpoint "$T/ck" --trace "$T/tr" "${args[@]}"
	[ "$status" -eq 0 ]
	cp "$T/ck" "$T/ck20"
	# ... then 3 more iterations traced and a torn line, as from a kill before
	# the next checkpoint (no timing: the checkpoint of iteration 20 is put back)
	pdrun "$PD_OPT" --iterations 23 --resume "$T/ck" --trace "$T/tr" "${args[@]}"
	[ "$status" -eq 0 ]
	printf '{"iter":24,"evals":1' >>"$T/tr"
	cp "$T/ck20" "$T/ck"
	pdrun "$PD_OPT" --iterations 40 --resume "$T/ck" --trace "$T/tr" "${args[@]}"
	[ "$status" -eq 0 ]
	diff <(untimed "$T/full") <(untimed "$T/tr")
	[[ $stderr == *"--trace $T/tr: 4 lines after the checkpoint's iteration 20 removed"* ]]
}

@test "NaN and infinite values rank worst, are counted and reported" {
	pdrun "$PD_OPT" --seed 6 --max-evals 2000 --json --dim 2 --bounds -1:1 "$PROBE:nanny"
	[ "$status" -eq 0 ]
	n=$("$B/tests/pd_json" nonfinite <<<"$output")
	[ "$n" -gt 0 ]
	[[ $stderr == *"$n evaluations gave NaN or infinity"* ]]
	f=$("$B/tests/pd_json" fitness <<<"$output")
	awk -v f="$f" 'BEGIN { exit !(f < 1e-10) }'
}

@test "a fitness that crashes fails the run with exit 1, naming the point and the signal" {
	pdrun "$PD_OPT" --seed 1 --dim 2 --bounds -1:1 "$PROBE:crashy"
	[ "$status" -eq 1 ]
	[[ $stderr == *"fitness failed at point "*"SIGSEGV"* ]]
	[ -z "$output" ]
}

@test "values come back in any order, but the failure named is the first point's, on 1, 2 or 3 workers" {
	# point 1 (PSO's particle at --x0) fails after 300 ms, later points
	# with x > 0.75 at once: on 2 or 3 workers they fail first
	for n in 1 2 3; do
		pdrun "$PD_OPT" -a pso --popsize 64 --x0 0.25,0.25 --seed 3 -n $n --dim 2 --bounds -1:1 "$PROBE:twofail"
		echo "-n $n: $stderr"
		[ "$status" -eq 1 ]
		[[ $stderr == *"fitness failed at point 0.25 0.25: job crashed: SIGABRT"* ]]
	done
}

@test "the job must be a fitness function: map jobs and missing names are refused with 65" {
	pdrun "$PD_OPT" -p x=0:1 "$EX/sum.so"
	[ "$status" -eq 65 ]
	[[ $stderr == *"sum.so defines no fitness function"* ]]
	pdrun "$PD_OPT" -p x=0:1 "$EX/square.so:square"
	[ "$status" -eq 65 ]
	[[ $stderr == *"job 'square' is a map job, not a fitness function"* ]]
	pdrun "$PD_OPT" -p x=0:1 "$EX/rosenbrock.so"
	[ "$status" -eq 65 ]
	[[ $stderr == *"several jobs"* ]]
	pdrun "$PD_OPT" -p x=0:1 "$T/nothing.so"
	[ "$status" -eq 65 ]
	# and pd-map refuses a fitness function the same way
	pdrun "$PD_MAP" "$EX/rosenbrock.so:rosenbrock" </dev/null
	[ "$status" -eq 65 ]
	[[ $stderr == *"is a fitness function, not a map job"* ]]
}

@test "bad options and intervals: exit 64 with the reason" {
	usage_fails "LO (3) is not below HI (1)" -p x=3:1
	usage_fails "LO (1) is not below HI (1)" -p x=1:1
	usage_fails "MIN (0) is above LO (-1)" -p x=0:-1:1:2
	usage_fails "MAX (0.5) is below HI (1)" -p x=-2:-1:1:0.5
	usage_fails "'abc' is not a number" -p x=abc:1
	usage_fails "expected NAME=LO:HI" -p 3
	usage_fails "given twice" -p x=0:1 -p x=0:2
	usage_fails "unknown algorithm 'bogus'" -a bogus -p x=0:1
	usage_fails "no parameters" -a pso
	usage_fails "--dim N and --bounds LO:HI go together" --dim 3
	usage_fails "--islands is for the GA" --islands 3 -p x=0:1
	usage_fails "--popsize: '1' is not" --popsize 1 -p x=0:1
	usage_fails "--iterations: 'x' is not" --iterations x -p x=0:1
	usage_fails "--target: 'nan' is not" --target nan -p x=0:1
	usage_fails "proportions" -a ga --elite 0.5 --crossover 0.5 --mutation 0.5 -p x=0:1
	pdrun "$PD_OPT"
	[ "$status" -eq 64 ]
	pdrun "$PD_OPT" --help
	[ "$status" -eq 0 ]
	[[ $output == usage:* ]]
}

@test "--resume refuses a damaged checkpoint or one of another search" {
	pdrun "$PD_OPT" --seed 1 --iterations 5 --checkpoint "$T/ck" -q "$EX/square.so" -p x=-1:1
	[ "$status" -eq 0 ]
	pdrun "$PD_OPT" --resume "$T/ck" -q "$EX/square.so" -p y=-1:1
	[ "$status" -eq 65 ]
	[[ $stderr == *"other parameters"* ]]
	pdrun "$PD_OPT" -a pso --resume "$T/ck" -q "$EX/square.so"
	[ "$status" -eq 65 ]
	[[ $stderr == *"saved by -a cmaes"* ]]
	head -c 300 "$T/ck" >"$T/cut"
	pdrun "$PD_OPT" --resume "$T/cut" -q "$EX/square.so"
	[ "$status" -eq 65 ]
	[[ $stderr == *"checkpoint $T/cut"* ]]
}
