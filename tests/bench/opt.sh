# tests/bench/opt.sh - section [7] of the benchmarks: pd-opt.
#
# Sourced by tests/bench/run.sh after section [6]; uses its helpers
# (section, row, note, median, calc) and settings (MODE, B, BIN, EX, T,
# TMO).  Can also run alone, with the same table and a TSV file of its own:
#
#   B=build bash tests/bench/opt.sh [--smoke]
#
# Figures, each from pd-opt --json runs over a range of seeds:
#   (a) CMA-ES, 10-D Rosenbrock: median evaluations to reach f < 1e-8 and
#       the seeds that reach it, without and with --restarts 9; beside it
#       DEAP's CMA-ES (deap.cma.Strategy, default population) started like
#       pd-opt (tests/bench/deap_ref.py).
#   (b) IPOP-CMA-ES, 10-D Rastrigin: seeds reaching f < 1e-8.
#   (c) island GA, 5-D Schwefel: seeds reaching f < 1e-3, 4 islands and 1.
#   (d) PSO, 5-D Rosenbrock: median final value; beside it a textbook
#       global-best PSO in numpy (tests/bench/deap_ref.py).
#   (e) parallel speed-up, -n 4 against -n 1, on a fitness that sleeps
#       10 ms a point (tests/jobs/optprobe.c: slowsq).
#   (f) one generation of 10^5 10-D points through a trivial batch fitness
#       (rosenbrock.so:rosenbrock_batch), PSO, embedded on this host: the
#       median over generations 2.. of the trace's eval_ms (points out,
#       values back: the wire) and of eval_ms + update_ms (the whole
#       generation, the optimiser's ask and tell included); the first
#       generation (workers starting, batch sizes growing) is left out.
#       The median of OPT_GEN_REPS such runs (3; the smoke test 1), as
#       the other rows take medians of several runs.
# Every run's exit status and JSON result are checked, and the fitness it
# reports is recomputed with awk at the point it reports, so a broken run
# cannot report a good figure (FAILED otherwise).
#
# Environment: PD_BENCH_PYTHON (default /usr/bin/python3: the Debian python,
# for python3-deap and python3-numpy; a pyenv python3 on PATH usually has
# neither).  In full mode a missing DEAP is installed with apt-get when
# running as root, unless PD_BENCH_NO_INSTALL is set; --smoke never installs.

# ----------------------------------------------------- standalone set-up

OPT_ALONE=0
if ! declare -F row >/dev/null 2>&1; then
	if [ -z "${BASH_VERSION:-}" ]; then
		echo "bench: bash is needed to run tests/bench/opt.sh" >&2
		exit 2
	fi
	OPT_ALONE=1
	MODE=full
	case "${1:-}" in
	--smoke) MODE=smoke ;;
	"") ;;
	*)
		echo "usage: tests/bench/opt.sh [--smoke]" >&2
		exit 64
		;;
	esac
	ALONE_NAME=opt ALONE_TITLE="pd-opt only"
	# shellcheck source=tests/bench/alone.sh
	. "$(dirname "${BASH_SOURCE[0]}")/alone.sh"
fi

# ----------------------------------------------------------------- sizes

if [ "$MODE" = smoke ]; then
	OPT_ROS_SEEDS=2 OPT_RAS_SEEDS=1 OPT_RAS_EVALS=5000
	OPT_GA_SEEDS=1 OPT_GA_POP=50 OPT_GA_IT=20
	OPT_PSO_SEEDS=2
	OPT_SU_POP=8 OPT_SU_IT=1
	OPT_GEN_POP=2000 OPT_GEN_IT=3 OPT_GEN_REPS=1
else
	OPT_ROS_SEEDS=25 OPT_RAS_SEEDS=10 OPT_RAS_EVALS=400000
	OPT_GA_SEEDS=5 OPT_GA_POP=1000 OPT_GA_IT=2000
	OPT_PSO_SEEDS=25
	OPT_SU_POP=48 OPT_SU_IT=20
	OPT_GEN_POP=100000 OPT_GEN_IT=6 OPT_GEN_REPS=3
fi
OPT_PY=${PD_BENCH_PYTHON:-/usr/bin/python3}
OPT_REF=tests/bench/deap_ref.py
OPT_HOME=$T/home-opt # empty: pd-opt runs its workers itself (embedded)
mkdir -p "$OPT_HOME"

# ----------------------------------------------------------------- helpers

# opt_run and its check.
# shellcheck source=tests/bench/optrun.sh
. tests/bench/optrun.sh

# opt_seeds FUNCTION DIM TARGET NSEEDS ARGS...: opt_run for --seed 1..NSEEDS.
# Sets S_REACH (seeds whose value is below TARGET; "" for no target),
# S_MEDEV (median evaluations of those; "" if none), S_MEDFIT (median final
# value), S_MEDWALL, S_MAXWALL, S_ALL ("seed:evaluations:value" per seed);
# 1 with M_ERR at the first failed run.
opt_seeds() {
	local fn=$1 dim=$2 target=$3 n=$4 s evs=() fits=() walls=() reach=0
	shift 4
	S_ALL="" S_REACH="" S_MEDEV="" S_MEDFIT="" S_MEDWALL="" S_MAXWALL=""
	for ((s = 1; s <= n; s++)); do
		opt_run "$fn" "$dim" "$@" --seed "$s" || { M_ERR="seed $s: $M_ERR"; return 1; }
		fits+=("$O_FIT") walls+=("$O_WALL")
		S_ALL="$S_ALL $s:$O_EVALS:$O_FIT"
		if [ -n "$target" ] && awk -v f="$O_FIT" -v t="$target" 'BEGIN { exit !(f < t) }'; then
			reach=$((reach + 1))
			evs+=("$O_EVALS")
		fi
	done
	S_ALL=${S_ALL# }
	[ -n "$target" ] && S_REACH=$reach
	[ ${#evs[@]} -gt 0 ] && S_MEDEV=$(printf '%s\n' "${evs[@]}" | median)
	S_MEDFIT=$(printf '%s\n' "${fits[@]}" | median)
	S_MEDWALL=$(printf '%s\n' "${walls[@]}" | median)
	S_MAXWALL=$(printf '%s\n' "${walls[@]}" | sort -g | tail -n 1)
	return 0
}

# opt_target_rows BENCH LABEL NSEEDS REACH-GOAL CONFIG [KEY]: the rows of an
# opt_seeds run with a target: seeds reaching it, median evaluations (and
# the figure KEY for a ratio).
opt_target_rows() {
	local bench=$1 label=$2 n=$3 goal=$4 cfg=$5 key=${6:-}
	row "$bench" "$label: seeds reaching" seeds_reaching "$S_REACH" seeds "$goal" ok \
		"$cfg; seeds 1..$n; per seed seed:evaluations:value = $S_ALL" "$S_REACH of $n"
	if [ -n "$S_MEDEV" ]; then
		row "$bench" "$label: median evaluations" median_evals "$S_MEDEV" evals "" ok \
			"$cfg; median over the $S_REACH seed(s) reaching the target; median wall per run ${S_MEDWALL}s" \
			"$S_MEDEV"
		[ -n "$key" ] && OPT_FIG[$key]=$S_MEDEV
	else
		row "$bench" "$label: median evaluations" median_evals "no seed reached the target" evals "" skipped "$cfg"
	fi
	return 0
}

declare -A OPT_FIG=()
# opt_ratio BENCH CASE NUM DEN FMT GOAL CONFIG: OPT_FIG[NUM] / OPT_FIG[DEN].
opt_ratio() {
	local n=${OPT_FIG[$3]:-} d=${OPT_FIG[$4]:-} v
	if [ -z "$n" ] || [ -z "$d" ]; then
		row "$1" "$2" ratio "a figure is missing (see above)" x "$6" skipped "$7"
		return 0
	fi
	v=$(calc "$5" "$n / $d")
	row "$1" "$2" ratio "$v" x "$6" ok "$7; $n / $d" "${v}x"
}

# The references need the Debian python with python3-deap (CMA-ES) and
# python3-numpy (PSO).
opt_deap_version() { "$OPT_PY" -c 'import deap; print("DEAP " + deap.__version__)' 2>/dev/null || echo DEAP; }
opt_py_has() { "$OPT_PY" "$OPT_REF" check "$1" >/dev/null 2>&1; }
OPT_DEAP_WHY=""
if ! opt_py_has deap; then
	if [ "$MODE" = full ] && [ "$(id -u)" = 0 ] && [ -z "${PD_BENCH_NO_INSTALL:-}" ] &&
		[ "$OPT_PY" = /usr/bin/python3 ] && command -v apt-get >/dev/null 2>&1; then
		echo "    (python3-deap is missing: apt-get install -y python3-deap, at most 300 s; PD_BENCH_NO_INSTALL=1 skips this)"
		DEBIAN_FRONTEND=noninteractive timeout -k 5 300 apt-get install -y python3-deap \
			</dev/null >"$T/apt-deap.log" 2>&1
	fi
	opt_py_has deap ||
		OPT_DEAP_WHY="DEAP not available to $OPT_PY (apt-get install python3-deap); no comparison"
fi
OPT_NUMPY_WHY=""
opt_py_has numpy || OPT_NUMPY_WHY="numpy not available to $OPT_PY (apt-get install python3-numpy); no comparison"

# ----------------------------------------------------------------- section

if [ "$MODE" = full ]; then
	OPT_GOALS="goals: CMA-ES median evaluations at most DEAP's and all seeds with --restarts; Rastrigin 9 of 10; GA 4 of 5; PSO median 0.3 or less; speed-up 3.6 or more"
else
	OPT_GOALS="smoke: few seeds, small sizes"
fi
section 7 "Optimisation: pd-opt against DEAP's CMA-ES and a textbook PSO" \
	"pd-opt --json ... --seed S, S = 1..N, embedded (PD_HOME=empty private dir); every result's fitness recomputed with awk at its point" \
	"evaluations: pd-opt's count when it stops (target reached: whole generations); medians over the seeds that reach the target" \
	"$OPT_GOALS"

for f in "$BIN/pd-opt" "$EX/rosenbrock.so" "$EX/rastrigin.so" "$EX/schwefel.so"; do
	[ -e "$f" ] || OPT_MISSING="${OPT_MISSING:+$OPT_MISSING, }$f"
done

if [ -n "${OPT_MISSING:-}" ]; then
	row optimise "pd-opt" missing "$OPT_MISSING missing; run make" "" "" FAILED ""
else

# (a) CMA-ES on 10-D Rosenbrock, with DEAP beside it.
OPT_ARGS=(--dim 10 --bounds -2.2:2.2 --target 1e-8)
note "CMA-ES: pd-opt ${OPT_ARGS[*]} [--restarts 9] --seed 1..$OPT_ROS_SEEDS rosenbrock.so:rosenbrock"
note "  $(opt_deap_version): deap.cma.Strategy(centroid = domain middle (0,...,0) as pd-opt, sigma = 0.3*4.4 = 1.32 as pd-opt's sigma0), default lambda 10, same seeds, at most 100000 evaluations (pd-opt's default budget)"
cfg="pd-opt ${OPT_ARGS[*]} rosenbrock.so:rosenbrock (CMA-ES, default population 10, sigma0 0.3 of the width, mean the domain middle, default budget 100000 evaluations)"
if opt_seeds rosenbrock 10 1e-8 "$OPT_ROS_SEEDS" "${OPT_ARGS[@]}" "$EX/rosenbrock.so:rosenbrock"; then
	opt_target_rows optimise "CMA-ES 10-D Rosenbrock" "$OPT_ROS_SEEDS" "" "$cfg" cma
else
	row optimise "CMA-ES 10-D Rosenbrock" median_evals "$M_ERR" evals "" FAILED "$cfg"
fi
cfg="pd-opt ${OPT_ARGS[*]} --restarts 9 rosenbrock.so:rosenbrock (IPOP: population doubled at each restart)"
if opt_seeds rosenbrock 10 1e-8 "$OPT_ROS_SEEDS" "${OPT_ARGS[@]}" --restarts 9 "$EX/rosenbrock.so:rosenbrock"; then
	opt_target_rows optimise "  the same, --restarts 9" "$OPT_ROS_SEEDS" ">=$OPT_ROS_SEEDS" "$cfg" cmar
else
	row optimise "  the same, --restarts 9" median_evals "$M_ERR" evals "" FAILED "$cfg"
fi
cfg="$OPT_PY $OPT_REF cmaes 10 -2.2 2.2 1e-8 100000 SEEDS: deap.cma.Strategy(centroid = domain middle (0,...,0), sigma = 0.3*4.4 = 1.32), default lambda 4+3ln(10) = 10, seeded numpy.random.seed(S); stops below 1e-8, at 100000 evaluations or when the distribution collapses"
if [ -n "$OPT_DEAP_WHY" ]; then
	row optimise "DEAP CMA-ES (reference)" median_evals "$OPT_DEAP_WHY" evals "" skipped "$cfg"
elif timeout -k 5 $((TMO * 5)) "$OPT_PY" "$OPT_REF" cmaes 10 -2.2 2.2 1e-8 100000 $(seq 1 "$OPT_ROS_SEEDS") \
	</dev/null >"$T/deap.out" 2>"$T/deap.err" &&
	[ "$(awk 'NF == 4 && $1 == NR && $2 > 0' "$T/deap.out" | wc -l)" -eq "$OPT_ROS_SEEDS" ] &&
	[ "$(wc -l <"$T/deap.out")" -eq "$OPT_ROS_SEEDS" ]; then
	S_REACH=$(awk '$3 < 1e-8 { n++ } END { print n + 0 }' "$T/deap.out")
	S_MEDEV=$(awk '$3 < 1e-8 { print $2 }' "$T/deap.out" | median)
	S_ALL=$(awk '{ printf "%s%s:%s:%s", (NR > 1 ? " " : ""), $1, $2, $3 }' "$T/deap.out")
	opt_target_rows optimise "DEAP CMA-ES (reference)" "$OPT_ROS_SEEDS" "" "$cfg" deap
else
	row optimise "DEAP CMA-ES (reference)" median_evals \
		"deap_ref.py failed or printed a wrong result: $(tail -n 1 "$T/deap.err" "$T/deap.out" 2>/dev/null | grep -v '^ *$\|==>' | tail -n 1)" \
		evals "" FAILED "$cfg"
fi
if [ -z "$OPT_DEAP_WHY" ]; then
	opt_ratio optimise "ratio pd-opt / DEAP, median evaluations" cma deap %.2f "<=1" \
		"median evaluations to reach 1e-8 of pd-opt (no restarts) over DEAP's, this run"
	opt_ratio optimise "  the same, pd-opt --restarts 9" cmar deap %.2f "<=1" \
		"median evaluations to reach 1e-8 of pd-opt --restarts 9 over DEAP's, this run"
fi

# (b) IPOP-CMA-ES on 10-D Rastrigin.
OPT_ARGS=(--dim 10 --bounds -5.12:5.12 --restarts 9 --target 1e-8 --max-evals "$OPT_RAS_EVALS")
cfg="pd-opt ${OPT_ARGS[*]} rastrigin.so"
note "IPOP-CMA-ES: $cfg --seed 1..$OPT_RAS_SEEDS"
if opt_seeds rastrigin 10 1e-8 "$OPT_RAS_SEEDS" "${OPT_ARGS[@]}" "$EX/rastrigin.so"; then
	opt_target_rows optimise "IPOP-CMA-ES 10-D Rastrigin" "$OPT_RAS_SEEDS" \
		">=$(((OPT_RAS_SEEDS * 9 + 9) / 10))" "$cfg"
else
	row optimise "IPOP-CMA-ES 10-D Rastrigin" seeds_reaching "$M_ERR" seeds "" FAILED "$cfg"
fi

# (c) Island GA on 5-D Schwefel, 4 islands and 1.
note "GA: pd-opt -a ga --islands 4|1 --popsize $OPT_GA_POP (per island) --iterations $OPT_GA_IT --dim 5 --bounds -500:500 --target 1e-3 --seed 1..$OPT_GA_SEEDS schwefel.so; 1 island: informative"
for k in 4 1; do
	OPT_ARGS=(-a ga --islands "$k" --popsize "$OPT_GA_POP" --iterations "$OPT_GA_IT" --dim 5 --bounds -500:500 --target 1e-3)
	cfg="pd-opt ${OPT_ARGS[*]} schwefel.so (popsize per island)"
	label="GA 5-D Schwefel, $k island$([ "$k" = 1 ] || echo s)"
	goal=$([ "$k" = 4 ] && echo ">=$(((OPT_GA_SEEDS * 4 + 4) / 5))") # 1 island: informative
	if opt_seeds schwefel 5 1e-3 "$OPT_GA_SEEDS" "${OPT_ARGS[@]}" "$EX/schwefel.so"; then
		opt_target_rows optimise "$label" "$OPT_GA_SEEDS" "$goal" "$cfg"
		row optimise "$label: wall per run" wall_s "$S_MEDWALL" s "" ok \
			"$cfg; median wall time of a run (stops at the target), max ${S_MAXWALL}s" \
			"${S_MEDWALL} s (max $S_MAXWALL)"
	else
		row optimise "$label" seeds_reaching "$M_ERR" seeds "" FAILED "$cfg"
	fi
done

# (d) PSO on 5-D Rosenbrock, with a textbook PSO beside it.
OPT_ARGS=(-a pso --popsize 80 --iterations 150 --dim 5 --bounds -2.2:2.2)
cfg="pd-opt ${OPT_ARGS[*]} rosenbrock.so:rosenbrock (12000 evaluations)"
note "PSO: pd-opt ${OPT_ARGS[*]} --seed 1..$OPT_PSO_SEEDS rosenbrock.so:rosenbrock; median of the final best values"
note "  textbook PSO (numpy, deap_ref.py pso): gbest, omega 0.7298, c1 = c2 = 1.49618, positions uniform in the domain, velocities 0, positions clamped; 80 x 150 evaluations, same seeds"
if opt_seeds rosenbrock 5 "" "$OPT_PSO_SEEDS" "${OPT_ARGS[@]}" "$EX/rosenbrock.so:rosenbrock"; then
	OPT_FIG[pso]=$S_MEDFIT
	row optimise "PSO 5-D Rosenbrock: median final value" median_value "$S_MEDFIT" "" "<=0.3" ok \
		"$cfg; seeds 1..$OPT_PSO_SEEDS; per seed seed:evaluations:value = $S_ALL" "$(calc %.4g "$S_MEDFIT")"
else
	row optimise "PSO 5-D Rosenbrock: median final value" median_value "$M_ERR" "" "<=0.3" FAILED "$cfg"
fi
cfg="$OPT_PY $OPT_REF pso 5 -2.2 2.2 80 150 SEEDS: numpy gbest PSO, omega 0.7298, c1 = c2 = 1.49618, positions uniform in the domain, velocities 0, positions clamped to the domain; 150 x 80 evaluations"
if [ -n "$OPT_NUMPY_WHY" ]; then
	row optimise "textbook numpy PSO (reference)" median_value "$OPT_NUMPY_WHY" "" "" skipped "$cfg"
elif timeout -k 5 "$TMO" "$OPT_PY" "$OPT_REF" pso 5 -2.2 2.2 80 150 $(seq 1 "$OPT_PSO_SEEDS") \
	</dev/null >"$T/tpso.out" 2>"$T/tpso.err" &&
	[ "$(awk 'NF == 3 && $1 == NR && $2 == 12000 && $3 >= 0' "$T/tpso.out" | wc -l)" -eq "$OPT_PSO_SEEDS" ] &&
	[ "$(wc -l <"$T/tpso.out")" -eq "$OPT_PSO_SEEDS" ]; then
	OPT_FIG[tpso]=$(awk '{ print $3 }' "$T/tpso.out" | median)
	row optimise "textbook numpy PSO (reference)" median_value "${OPT_FIG[tpso]}" "" "" ok \
		"$cfg; seeds 1..$OPT_PSO_SEEDS; per seed seed:evaluations:value = $(awk '{ printf "%s%s:%s:%s", (NR > 1 ? " " : ""), $1, $2, $3 }' "$T/tpso.out")" \
		"$(calc %.4g "${OPT_FIG[tpso]}")"
	opt_ratio optimise "ratio pd-opt / textbook, median (informative)" pso tpso %.3g "" \
		"median final value of pd-opt's PSO over the textbook PSO's, this run (lower is better)"
else
	row optimise "textbook numpy PSO (reference)" median_value \
		"deap_ref.py pso failed or printed a wrong result: $(grep -v '^ *$' "$T/tpso.err" | tail -n 1)" "" "" FAILED "$cfg"
fi

fi # pd-opt and the examples are there

# (e) Parallel speed-up on slowsq (10 ms sleep per point).
opt_probe_build
OPT_SU_EV=$((OPT_SU_POP * OPT_SU_IT))
note "speed-up: slowsq (tests/jobs/optprobe.c, sleeps 10 ms a point), --dim 5 --bounds -1:1 --iterations $OPT_SU_IT --seed 1, $OPT_SU_POP points a generation ($OPT_SU_EV evaluations, ideal $(calc %.1f "$OPT_SU_EV * 0.01") s on one node); wall time of one run each, incl. start-up"
for alg in cmaes ga pso; do
	case $alg in
	ga) OPT_ARGS=(-a ga --islands 4 --popsize $((OPT_SU_POP / 4))) what="GA, 4 islands x $((OPT_SU_POP / 4))" goal=">=3.6" ;;
	cmaes) OPT_ARGS=(-a cmaes --popsize "$OPT_SU_POP") what="CMA-ES, popsize $OPT_SU_POP" goal=">=3.6" ;;
	pso) OPT_ARGS=(-a pso --popsize "$OPT_SU_POP") what="PSO, popsize $OPT_SU_POP (informative)" goal="" ;;
	esac
	OPT_ARGS+=(--iterations "$OPT_SU_IT" --dim 5 --bounds -1:1 --seed 1)
	for n in 1 4; do
		cfg="pd-opt ${OPT_ARGS[*]} -n $n optprobe.so:slowsq"
		unset "OPT_FIG[su$alg$n]"
		if [ ! -e "$BIN/pd-opt" ] || [ -n "${OPT_PROBE_ERR:-}" ]; then
			row optimise "$what, -n $n" wall_s "${OPT_PROBE_ERR:-$BIN/pd-opt missing}" s "" FAILED "$cfg"
		elif ! opt_run sphere 5 "${OPT_ARGS[@]}" -n "$n" "$OPT_PROBE:slowsq"; then
			row optimise "$what, -n $n" wall_s "$M_ERR" s "" FAILED "$cfg"
		elif [ "$O_EVALS" != "$OPT_SU_EV" ]; then
			row optimise "$what, -n $n" wall_s "pd-opt made $O_EVALS evaluations, wanted $OPT_SU_EV" s "" FAILED "$cfg"
		else
			OPT_FIG[su$alg$n]=$O_WALL
			row optimise "$what, -n $n" wall_s "$O_WALL" s "" ok "$cfg; $O_EVALS evaluations" "$O_WALL s"
		fi
	done
	opt_ratio optimise "  speed-up -n 4 / -n 1" "su${alg}1" "su${alg}4" %.2f "$goal" \
		"wall time with -n 1 over that with -n 4, this run; $(nproc) CPUs (sleeping points need none)"
done

# (f) One generation of 10^5 10-D points, binary points and values.
OPT_ARGS=(-a pso --popsize "$OPT_GEN_POP" --dim 10 --bounds -2:2 --iterations "$OPT_GEN_IT" --seed 1)
cfg="pd-opt ${OPT_ARGS[*]} --trace FILE rosenbrock.so:rosenbrock_batch, embedded ($(nproc) slots); median over generations 2..$OPT_GEN_IT of a run, median of $OPT_GEN_REPS run(s)"
note "generation: pd-opt ${OPT_ARGS[*]} --trace FILE rosenbrock.so:rosenbrock_batch; eval_ms = points out to values back"
gen_evals=() gen_alls=() gen_runs="" M_ERR=""
[ -e "$BIN/pd-opt" ] && [ -e "$EX/rosenbrock.so" ] || M_ERR="pd-opt or rosenbrock.so missing; run make"
for ((r = 0; r < OPT_GEN_REPS && ${#M_ERR} == 0; r++)); do
	if ! opt_run rosenbrock 10 "${OPT_ARGS[@]}" --trace "$T/gen.trace" "$EX/rosenbrock.so:rosenbrock_batch" ||
		[ "$(wc -l <"$T/gen.trace")" -ne "$OPT_GEN_IT" ] || [ "$O_EVALS" != $((OPT_GEN_POP * OPT_GEN_IT)) ]; then
		M_ERR=${M_ERR:-wrong trace or evaluation count}
		break
	fi
	gen_evals+=("$(sed -n '2,$ s/.*"eval_ms":\([0-9.]*\).*/\1/p' "$T/gen.trace" | median)")
	gen_alls+=("$(sed -n '2,$ s/.*"eval_ms":\([0-9.]*\),.*"update_ms":\([0-9.]*\).*/\1 \2/p' "$T/gen.trace" |
		awk '{ print $1 + $2 }' | median)")
	gen_runs="$gen_runs run $((r + 1)): $(sed -n 's/.*"eval_ms":\([0-9.]*\).*/\1/p' "$T/gen.trace" | tr '\n' ' ');"
done
if [ -n "$M_ERR" ]; then
	row optimise "generation of $OPT_GEN_POP 10-D points" gen_ms "$M_ERR" ms "" FAILED "$cfg"
else
	row optimise "generation of $OPT_GEN_POP 10-D points: wire" gen_eval_ms \
		"$(printf '%s\n' "${gen_evals[@]}" | median)" ms "<=10" ok \
		"$cfg; runs' medians: ${gen_evals[*]}; eval_ms per generation:$gen_runs"
	row optimise "  the whole generation (ask, wire, tell)" gen_ms "$(printf '%s\n' "${gen_alls[@]}" | median)" ms "" ok \
		"$cfg; eval_ms + update_ms per generation, runs' medians: ${gen_alls[*]}"
fi

# ----------------------------------------------------------------- alone

if [ "$OPT_ALONE" = 1 ]; then
	alone_end
fi
