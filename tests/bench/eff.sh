# tests/bench/eff.sh - section [2] of the benchmarks: efficiency of
# sleeping records on one host, and over namespace hosts.
#
# Sourced by tests/bench/run.sh after section [1]; uses its helpers
# (section, row, note, measure, m_summary, calc, median, descendants,
# ns_bats_env, bench_start_server, bench_stop_server) and settings (MODE,
# B, BIN, EX, T, TMO, NCPU, ROOT, PDB, EFF_*, NB_*).
#
# EFF_N records of EFF_MS ms on EFF_SLOTS slots: pd-map embedded (its
# workers forked by the run), then on a running pd-serve (workers forked
# before the run, the job loaded once: what pre-forking buys), each with
# the spread of its slots' first-record starts (tests/bench/stamp.c); GNU
# parallel and xargs as references; then pd-map over NB_HOSTS namespace
# hosts.

eff_row() { # CASE IDEAL_S GOAL CONFIG
	local e
	e=$(calc %.3f "$2 / $M_MED")
	row efficiency "$1" efficiency "$e" "" "$3" ok \
		"$4; ideal_s=$2; median_s=$M_MED; best_s=$M_BEST; all_s=$M_ALL" \
		"$e ($(calc %.0f "$M_MED * 1000") ms)"
}

yes "$EFF_MS" | head -n "$EFF_N" >"$T/eff.in"
EFF_EXPECT=$(cksum <"$T/eff.in") # sleep.so prints its input
sec=$(calc %g "$EFF_MS / 1000")
yes "$sec" | head -n "$EFF_N" >"$T/effs.in"
EFF_IDEAL=$(calc %.6f "int(($EFF_N + $EFF_SLOTS - 1) / $EFF_SLOTS) * $EFF_MS / 1000")

section 2 "Efficiency: sleeping records, $EFF_SLOTS slots on one host" \
	"$EFF_N records sleeping $EFF_MS ms, $EFF_SLOTS slots ($NCPU CPUs: sleeping jobs need no CPU)" \
	"efficiency = ideal makespan ($EFF_N*${EFF_MS}ms/$EFF_SLOTS = $(calc %.0f "$EFF_IDEAL*1000") ms) / median wall time incl. start-up, of $EFF_REPS run(s)"

mkdir -p "$T/home-eff"
STAMP=$B/bench/stamp.so
mkdir -p "$B/bench"
STAMP_BUILT=1
${CC:-cc} -std=c11 -shared -fPIC -O2 -Ilib tests/bench/stamp.c -o "$STAMP" -lm 2>"$T/stamp.err" || STAMP_BUILT=""

# eff_spread LABEL CFG HOME [SERVER_PID]: how far apart the EFF_SLOTS slots
# start their first records (the first record each worker ran, by its
# pid), the median over EFF_REPS runs of stamp.so; with SERVER_PID, every
# record must have run in a worker of that pd-serve.
eff_spread() {
	local label=$1 cfg=$2 home=$3 srv=${4:-} i err="" spread pids spreads=()
	if [ -z "$STAMP_BUILT" ]; then
		row efficiency "$label" spread_ms "cannot build stamp.so: $(tail -n 1 "$T/stamp.err")" ms "<=2" FAILED "$cfg"
		return 0
	fi
	for ((i = 1; i <= EFF_REPS; i++)); do
		if ! PD_HOME=$home timeout -k 5 "$TMO" "$BIN/pd-map" -c "$EFF_SLOTS" "$STAMP" <"$T/eff.in" >"$T/stamp.out" 2>"$T/stamp.err" ||
			[ "$(wc -l <"$T/stamp.out")" -ne "$EFF_N" ]; then
			err="pd-map stamp.so failed: $(tail -n 1 "$T/stamp.err")"
			break
		fi
		if [ -n "$srv" ]; then
			pids=" $(descendants "$srv" | tr '\n' ' ')"
			if ! awk -v p="$pids" 'index(p, " " $1 " ") == 0 { exit 1 }' "$T/stamp.out"; then
				err="a record ran outside the workers of pd-serve $srv"
				break
			fi
		fi
		spreads+=("$(awk '!($1 in s) { s[$1] = $2; n++ } END { if (n != slots) { print "workers " n; exit }
			for (p in s) { if (lo == "" || s[p] < lo) lo = s[p]; if (s[p] > hi) hi = s[p] } printf "%.2f\n", (hi - lo) * 1000 }' \
			slots="$EFF_SLOTS" "$T/stamp.out")")
	done
	spread=$([ -z "$err" ] && printf '%s\n' "${spreads[@]}" | median 2>/dev/null)
	if [ -n "$err" ] || ! [[ $spread =~ ^[0-9.]+$ ]]; then
		row efficiency "$label" spread_ms "${err:-${spreads[*]} (not one first record per slot)}" ms "<=2" FAILED "$cfg"
	else
		row efficiency "$label" spread_ms "$spread" ms "<=2" ok "$cfg; all_ms=${spreads[*]}"
	fi
}

# (a) embedded: the run forks its server and the server its workers
cfg="embedded, PD_HOME=empty private dir; pd-map -c $EFF_SLOTS sleep.so"
if PD_HOME=$T/home-eff measure "$EFF_REPS" "$T/eff.in" "$EFF_EXPECT" 0 "$BIN/pd-map" -c "$EFF_SLOTS" "$EX/sleep.so"; then
	eff_row "pd-map embedded (-c $EFF_SLOTS)" "$EFF_IDEAL" ">=0.98" "$cfg"
else
	row efficiency "pd-map embedded (-c $EFF_SLOTS)" efficiency "$M_ERR" "" ">=0.98" FAILED "$cfg"
fi
eff_spread "  start spread of the $EFF_SLOTS slots" \
	"embedded; pd-map -c $EFF_SLOTS stamp.so (tests/bench/stamp.c: prints its pid and start time, then sleeps like sleep.so); spread = last - first of the $EFF_SLOTS workers' first starts; median of $EFF_REPS run(s)" \
	"$T/home-eff"

# (b) pre-forked: a pd-serve started before the runs, its workers idle
label="pd-map on a running pd-serve (-c $EFF_SLOTS, pre-forked)"
cfg="pd-serve -f --local --cpu $EFF_SLOTS (private PD_HOME), started before the runs, workers forked and idle; pd-map -c $EFF_SLOTS sleep.so over its Unix socket (the first run loads the job in every worker, which keeps it for the next runs)"
if bench_start_server "$T/home-effsrv" --local --cpu "$EFF_SLOTS"; then
	srv=$SERVER_PID
	if PD_HOME=$T/home-effsrv measure "$EFF_REPS" "$T/eff.in" "$EFF_EXPECT" 0 "$BIN/pd-map" -c "$EFF_SLOTS" "$EX/sleep.so"; then
		eff_row "$label" "$EFF_IDEAL" ">=0.98" "$cfg"
	else
		row efficiency "$label" efficiency "$M_ERR" "" ">=0.98" FAILED "$cfg"
	fi
	eff_spread "  start spread of the $EFF_SLOTS slots, pre-forked" \
		"$cfg; stamp.so as above; every record checked to run in a worker of this pd-serve" "$T/home-effsrv" "$srv"
	bench_stop_server "$srv"
else
	row efficiency "$label" efficiency "$M_ERR" "" ">=0.98" FAILED "$cfg"
fi


cfg="parallel --will-cite -j$EFF_SLOTS sleep < ($sec per line)"
if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	if measure "$EFF_REPS" "$T/effs.in" - 0 parallel --will-cite -j"$EFF_SLOTS" sleep; then
		eff_row "GNU parallel -j$EFF_SLOTS" "$EFF_IDEAL" "" "$cfg"
	else
		row efficiency "GNU parallel -j$EFF_SLOTS" efficiency "$M_ERR" "" "" FAILED "$cfg"
	fi
else
	row efficiency "GNU parallel -j$EFF_SLOTS" efficiency \
		"GNU parallel not installed (apt-get install parallel)" "" "" skipped "$cfg"
fi

cfg="xargs -P$EFF_SLOTS -n1 sleep < ($sec per line)"
if measure "$EFF_REPS" "$T/effs.in" - 0 xargs -P"$EFF_SLOTS" -n1 sleep; then
	eff_row "xargs -P$EFF_SLOTS sleep" "$EFF_IDEAL" "" "$cfg"
else
	row efficiency "xargs -P$EFF_SLOTS sleep" efficiency "$M_ERR" "" "" FAILED "$cfg"
fi

# Over network-namespace hosts.  The helper is written for Bats; it runs in
# a subshell here so that whatever it sets stays contained, and `skip`
# becomes a clear message.
bench_netns() {
	local helper=${PD_BENCH_NETNS:-$ROOT/tests/helpers/netns.bash} slots=$NB_SLOTS i hosts ideal label cfg
	label="pd-map over $NB_HOSTS namespace hosts"
	if [ ! -f "$helper" ]; then
		row efficiency "$label" efficiency "$helper not found (not written yet?)" "" ">=0.95" skipped ""
		return 0
	fi
	# The configuration asked for is $NB_SLOTS slots per host; pd-serve caps
	# --cpu at the machine's CPU count, so ask pd-serve itself first.
	if ! PD_HOME=$T/probe "$BIN/pd-serve" --cpu "$NB_SLOTS" --version >/dev/null 2>"$T/probe.err"; then
		slots=$NCPU
		[ "$slots" -gt "$NB_SLOTS" ] && slots=$NB_SLOTS
		note "the asked configuration ($NB_HOSTS hosts x $NB_SLOTS slots, pd-serve --cpu $NB_SLOTS) could not be made:"
		note "  $(head -n 1 "$T/probe.err")"
		note "  measured instead: $NB_HOSTS hosts x $slots slots (--cpu $slots); the goal was set for $NB_SLOTS slots"
	fi
	ideal=$(calc %.6f "int(($NB_N + $NB_HOSTS * $slots - 1) / ($NB_HOSTS * $slots)) * $NB_MS / 1000")
	label="pd-map over $NB_HOSTS hosts x $slots slots"
	cfg="$NB_HOSTS network-namespace hosts, pd-serve --cpu $slots each (asked: --cpu $NB_SLOTS); client namespace runs pd-map -H HOSTS sleep.so; $NB_N records x $NB_MS ms; timed inside the client namespace"
	note "$NB_N records x $NB_MS ms over $NB_HOSTS hosts x $slots slots: ideal makespan $(calc %.0f "$ideal*1000") ms"
	(
		ns_bats_env
		# shellcheck source=/dev/null
		. "$helper" || { row efficiency "$label" efficiency "cannot source $helper" "" ">=0.95" FAILED "$cfg"; exit 0; }
		trap 'netns_teardown >/dev/null 2>&1' EXIT
		if ! netns_setup "$NB_HOSTS" >"$T/ns.log" 2>&1 || [ -s "$T/ns.skip" ]; then
			why=$(cat "$T/ns.skip" 2>/dev/null)
			[ -n "$why" ] || why="netns_setup failed: $(tail -n 1 "$T/ns.log")"
			row efficiency "$label" efficiency "namespaces cannot be made: $why" "" ">=0.95" skipped "$cfg"
			exit 0
		fi
		for ((i = 0; i < NB_HOSTS; i++)); do # hosts are numbered from 0
			if ! netns_start_server "$i" --cpu "$slots" >>"$T/ns.log" 2>&1 || [ -s "$T/ns.skip" ]; then
				row efficiency "$label" efficiency "netns_start_server $i --cpu $slots failed: $(cat "$T/ns.skip" 2>/dev/null) $(tail -n 1 "$T/ns.log")" \
					"" ">=0.95" FAILED "$cfg"
				exit 0
			fi
		done
		hosts=$(netns_hosts)
		cfg="$cfg; hosts=$hosts"
		netns_client true >/dev/null 2>&1 || true # warm the namespace exec path
		if measure_ns "$hosts"; then
			M_MED=$(calc %.6f "$M_MED") # keep the format uniform
			eff_row "$label" "$ideal" ">=0.95" "$cfg"
		else
			row efficiency "$label" efficiency "$M_ERR" "" ">=0.95" FAILED "$cfg"
		fi
	)
}

# The namespace runs: timed by pdbench inside the client namespace.
measure_ns() {
	local hosts=$1 i rc got times=()
	M_ERR=""
	yes "$NB_MS" | head -n "$NB_N" >"$T/ns.in"
	for ((i = 1; i <= EFF_REPS; i++)); do
		rm -f "$T/time"
		netns_client timeout -k 5 "$TMO" "$PDB" time "$T/time" "$BIN/pd-map" -H "$hosts" "$EX/sleep.so" \
			<"$T/ns.in" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -ne 0 ] || [ ! -s "$T/time" ]; then
			M_ERR="exit status $rc: $(tail -n 1 "$T/err")"
			return 1
		fi
		got=$(cksum <"$T/out")
		if [ "$got" != "$(cksum <"$T/ns.in")" ]; then
			M_ERR="wrong output: cksum '$got' ($(wc -l <"$T/out") lines)"
			return 1
		fi
		times+=("$(cat "$T/time")")
	done
	m_summary "${times[@]}"
}

bench_netns
