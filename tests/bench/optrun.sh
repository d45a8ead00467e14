# tests/bench/optrun.sh - a pd-opt run and its check, for the benchmarks
# of pd-opt (tests/bench/opt.sh, section [7]; tests/bench/scale.sh, [10]).
#
# Sourced; uses run.sh's calc and the settings B, BIN, T, TMO, OPT_HOME.

# The functions, recomputed from the point pd-opt reports (share/examples/*.c,
# tests/jobs/optprobe.c).  Input: the "x0":v,"x1":v,... of the JSON params.
# shellcheck disable=SC2016 # an awk program
OPT_AWK='
{
	n = split($0, a, ",")
	for (i = 1; i <= n; i++) {
		if (a[i] !~ "^\"x" (i - 1) "\":")
			exit 1
		sub(/^"x[0-9]+":/, "", a[i])
		x[i - 1] = a[i] + 0
	}
	if (n != dim)
		exit 1
	f = 0
	if (fn == "rosenbrock") {
		for (i = 0; i + 1 < n; i++)
			f += 100 * (x[i + 1] - x[i] * x[i]) ^ 2 + (1 - x[i]) ^ 2
	} else if (fn == "rastrigin") {
		f = 10 * n
		for (i = 0; i < n; i++)
			f += x[i] * x[i] - 10 * cos(6.283185307179586 * x[i])
	} else if (fn == "schwefel") {
		s = 0
		for (i = 0; i < n; i++)
			s += x[i] * sin(sqrt(x[i] < 0 ? -x[i] : x[i]))
		f = 418.9828872724339 * n - s
	} else if (fn == "sphere") {
		for (i = 0; i < n; i++)
			f += x[i] * x[i]
	} else
		exit 1
	printf "%.17g\n", f
}'

# opt_json FIELD: a number or string field of the result in $T/opt.out.
opt_json() {
	sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^,\"}]*\\).*/\\1/p" "$T/opt.out"
}

# opt_run FUNCTION DIM ARGS...: pd-opt --json ARGS (bounded by timeout $TMO;
# under $OPT_RUN_IN, a command such as netns_client, when set),
# its result checked: exit status 0, one JSON line, the fitness it reports
# equal to FUNCTION at the point it reports (within 1e-11 + 1e-9 |f|).
# Sets O_FIT, O_EVALS, O_STOP and O_WALL (seconds), or returns 1 with M_ERR.
opt_run() {
	local fn=$1 dim=$2 rc t0 t1 params f
	shift 2
	O_FIT="" O_EVALS="" O_STOP="" O_WALL="" M_ERR=""
	t0=$EPOCHREALTIME
	PD_HOME=$OPT_HOME ${OPT_RUN_IN:-} timeout -k 5 "$TMO" "$BIN/pd-opt" --json "$@" </dev/null >"$T/opt.out" 2>"$T/opt.err"
	rc=$?
	t1=$EPOCHREALTIME
	O_WALL=$(calc %.3f "$t1 - $t0")
	if [ $rc -ne 0 ]; then
		[ $rc -eq 124 ] && M_ERR="timed out after ${TMO}s" || M_ERR="exit status $rc"
		[ -s "$T/opt.err" ] && M_ERR="$M_ERR: $(grep -v '^ *$' "$T/opt.err" | tail -n 1)"
		M_ERR="pd-opt $*: $M_ERR"
		return 1
	fi
	if [ "$(wc -l <"$T/opt.out")" -ne 1 ]; then
		M_ERR="pd-opt $*: $(wc -l <"$T/opt.out") output lines, wanted one JSON line"
		return 1
	fi
	O_FIT=$(opt_json fitness) O_EVALS=$(opt_json evaluations) O_STOP=$(opt_json stop)
	params=$(sed -n 's/^{"params":{\([^}]*\)}.*/\1/p' "$T/opt.out")
	if [ -z "$O_FIT" ] || ! [[ $O_EVALS =~ ^[0-9]+$ ]] || [ -z "$O_STOP" ] || [ -z "$params" ]; then
		M_ERR="pd-opt $*: no params, fitness, evaluations or stop in '$(head -c 200 "$T/opt.out")'"
		return 1
	fi
	if ! f=$(printf '%s\n' "$params" | awk -v fn="$fn" -v dim="$dim" "$OPT_AWK"); then
		M_ERR="pd-opt $*: params are not x0..x$((dim - 1)): '$(head -c 200 "$T/opt.out")'"
		return 1
	fi
	if ! awk -v a="$f" -v b="$O_FIT" 'BEGIN { d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a
		exit !(d <= 1e-11 + 1e-9 * m) }'; then
		M_ERR="pd-opt $*: reports fitness $O_FIT, but $fn at its point is $f"
		return 1
	fi
	return 0
}

# opt_probe_build: tests/jobs/optprobe.c built as $B/bench/optprobe.so
# (when missing or older than its source); sets OPT_PROBE, and OPT_PROBE_ERR
# when it cannot be built.
opt_probe_build() {
	OPT_PROBE=$B/bench/optprobe.so OPT_PROBE_ERR=""
	if [ ! -e "$OPT_PROBE" ] || [ tests/jobs/optprobe.c -nt "$OPT_PROBE" ] || [ lib/playdoh.h -nt "$OPT_PROBE" ]; then
		mkdir -p "$B/bench"
		if ! ${CC:-cc} -std=c11 -shared -fPIC -O2 -Ilib tests/jobs/optprobe.c -o "$OPT_PROBE.tmp.$$" -lm >"$T/probe.err" 2>&1 ||
			! mv -f "$OPT_PROBE.tmp.$$" "$OPT_PROBE"; then
			rm -f "$OPT_PROBE.tmp.$$"
			OPT_PROBE_ERR="cannot build optprobe.so: $(tail -n 1 "$T/probe.err")"
		fi
	fi
}
