#!/bin/sh
# tests/bench/run.sh - Playdoh-C benchmarks (`make bench`).
#
#   B=build sh tests/bench/run.sh [--smoke]
#
# Measures, in one run, pd-map/pd-serve and reference tools doing the same
# kind of work, prints a table and writes one TSV line per figure to
# ${BENCH_OUT:-$B/bench-results.txt} ($B/bench-smoke-results.txt with
# --smoke).  Every pd-map run's output is checked against a checksum
# computed independently with awk, so a broken run cannot report a good
# figure; a failed check is shown as FAILED and makes the exit status 1.
# A missing reference tool (GNU parallel) or an impossible set-up (network
# namespaces) is reported as skipped, with the reason.
#
# --smoke: tiny sizes, one repetition, no goals and no judgements; checks
# that this script and its correctness checks still work (tests/bench-smoke.bats).
#
# Environment: B (build directory, default build), BENCH_OUT, CC,
# PD_BENCH_NETNS (the namespace helper, default tests/helpers/netns.bash).

# The script is bash; `make bench` starts it with sh.
if [ -z "${BASH_VERSION:-}" ]; then
	if command -v bash >/dev/null 2>&1; then
		exec bash "$0" "$@"
	fi
	echo "bench: bash is needed to run $0" >&2
	exit 2
fi
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2

MODE=full
case "${1:-}" in
--smoke) MODE=smoke ;;
"") ;;
-h | --help)
	sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
*)
	echo "usage: tests/bench/run.sh [--smoke]" >&2
	exit 64
	;;
esac

B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
BIN=$B/bin
EX=$B/examples
if [ "$MODE" = smoke ]; then
	OUT=${BENCH_OUT:-$B/bench-smoke-results.txt}
else
	OUT=${BENCH_OUT:-$B/bench-results.txt}
fi
NCPU=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)

# Sizes.  The reference tools spawn a process per record, so they get fewer
# records; each row says how many.
if [ "$MODE" = smoke ]; then
	TP_N=1000 TP_REPS=1 XARGS_N=20 PAR_N=20
	EFF_N=8 EFF_MS=20 EFF_SLOTS=4 EFF_REPS=1
	NB_HOSTS=2 NB_SLOTS=1 NB_N=4 NB_MS=20
	SU_REPS=2
else
	TP_N=1000000 TP_REPS=3 XARGS_N=5000 PAR_N=2000
	EFF_N=48 EFF_MS=100 EFF_SLOTS=16 EFF_REPS=3
	NB_HOSTS=4 NB_SLOTS=4 NB_N=48 NB_MS=100
	SU_REPS=10
fi
TMO=120 # seconds, bound on any single measured command

for f in "$BIN/pd-map" "$BIN/pd-serve" "$EX/sum.so" "$EX/sleep.so"; do
	if [ ! -e "$f" ]; then
		echo "bench: $f is missing; run make first" >&2
		exit 2
	fi
done

# Scratch space.  Socket paths must fit in 108 bytes, so stay short.
tbase=${TMPDIR:-/tmp}
[ ${#tbase} -gt 60 ] && tbase=/tmp
T=$(mktemp -d "$tbase/pdbench.XXXXXX") || exit 2
SERVERS=()
cleanup() {
	local p
	for p in "${SERVERS[@]}"; do
		bench_stop_server "$p"
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset PD_HOSTS
export LC_ALL=C

# The timing helper, built here (it is not part of the product).
PDB=$B/bench/pdbench
if [ ! -x "$PDB" ] || [ tests/bench/pdbench.c -nt "$PDB" ]; then
	mkdir -p "$B/bench"
	if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$PDB.tmp.$$" tests/bench/pdbench.c ||
		! mv -f "$PDB.tmp.$$" "$PDB"; then
		echo "bench: cannot build $PDB" >&2
		exit 2
	fi
fi

# ---------------------------------------------------------------- output

: >"$T/failures"
mkdir -p "$(dirname "$OUT")"
printf 'bench\tcase\tmetric\tvalue\tunit\tgoal\tstatus\tconfig\n' >"$OUT"

section() { # NUMBER TITLE CONFIG-LINE...
	printf '\n[%s] %s\n' "$1" "$2"
	shift 2
	local l
	for l; do printf '    %s\n' "$l"; done
	printf '    %-46s %20s  %-12s %s\n' "case" "measured" \
		"$([ $MODE = full ] && echo goal)" "$([ $MODE = full ] && echo verdict)"
}

# row BENCH CASE METRIC VALUE UNIT GOAL STATUS CONFIG [SHOWN]
# GOAL is ">=X" or "<=X" or empty; STATUS ok, FAILED or skipped (VALUE then
# holds the reason).  The verdict is computed here from the figure.
row() {
	local bench=$1 case=$2 metric=$3 value=$4 unit=$5 goal=$6 status=$7 config=$8
	local shown=${9:-$value $unit} verdict="" g=""
	case $status in
	ok)
		if [ -n "$goal" ] && [ $MODE = full ]; then
			g="$goal $unit"
			if awk -v v="$value" -v g="${goal:2}" -v op="${goal:0:2}" \
				'BEGIN { exit !(op == ">=" ? v >= g : v <= g) }'; then
				verdict="met"
			else
				verdict="NOT met"
			fi
		fi
		;;
	FAILED)
		shown="FAILED"
		verdict="$value"
		echo "$bench $case" >>"$T/failures"
		;;
	skipped)
		shown="skipped"
		verdict="$value"
		;;
	esac
	[ $MODE = full ] || { g=""; [ "$status" = ok ] && verdict=""; }
	printf '    %-46s %20s  %-12s %s\n' "$case" "$shown" "$g" "$verdict"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$bench" "${case#"${case%%[! ]*}"}" "$metric" \
		"$(printf %s "$value" | tr '\t\n' '  ')" "$unit" "$goal" "$status" "$config" >>"$OUT"
}

note() { printf '    note: %s\n' "$*"; }

# Numbers.
median() { sort -g | awk '{ a[NR] = $1 } END { if (!NR) exit 1; print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
calc() { awk "BEGIN { printf \"$1\\n\", $2 }"; }

# ------------------------------------------------------------ measuring

# measure REPS INPUT EXPECT SORTED CMD...: run CMD REPS times (bounded by
# timeout) with INPUT on stdin; check each run's exit status and the
# checksum of its stdout (sorted first when SORTED=1) against EXPECT
# ("-": only the exit status).  Sets M_MED, M_BEST (seconds) and M_ALL, or
# returns 1 with M_ERR.
measure() {
	local reps=$1 in=$2 expect=$3 sorted=$4 i rc got times=()
	shift 4
	M_ERR="" M_MED="" M_BEST="" M_ALL=""
	for ((i = 1; i <= reps; i++)); do
		rm -f "$T/time"
		timeout -k 5 "$TMO" "$PDB" time "$T/time" "$@" <"$in" >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			[ $rc -eq 124 ] && M_ERR="timed out after ${TMO}s" || M_ERR="exit status $rc"
			[ -s "$T/err" ] && M_ERR="$M_ERR: $(tail -n 1 "$T/err")"
			return 1
		fi
		if [ "$expect" != - ]; then
			if [ "$sorted" = 1 ]; then got=$(sort "$T/out" | cksum); else got=$(cksum <"$T/out"); fi
			if [ "$got" != "$expect" ]; then
				M_ERR="wrong output: cksum '$got', expected '$expect' ($(wc -l <"$T/out") lines)"
				return 1
			fi
		fi
		times+=("$(cat "$T/time")")
	done
	M_MED=$(printf '%s\n' "${times[@]}" | median)
	M_BEST=$(printf '%s\n' "${times[@]}" | sort -g | head -n 1)
	M_ALL=$(printf '%s ' "${times[@]}")
	return 0
}

# bench_start_server HOME ARGS...: pd-serve -f ARGS with PD_HOME=HOME in
# the background, waiting until its Unix socket accepts.  Sets SERVER_PID.
bench_start_server() {
	local home=$1
	shift
	mkdir -p "$home"
	PD_HOME=$home "$BIN/pd-serve" -f "$@" 2>>"$home.log" &
	SERVER_PID=$!
	SERVERS+=("$SERVER_PID")
	if ! timeout 15 "$PDB" wait "$home/sock" 10000 2>>"$home.log"; then
		M_ERR="pd-serve $* did not start: $(tail -n 1 "$home.log")"
		return 1
	fi
}

# bench_stop_server PID: SIGTERM, SIGKILL after 5 s.
bench_stop_server() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 500; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Direct children of a process, then theirs.
descendants() {
	local c kids
	if [ -r "/proc/$1/task/$1/children" ]; then
		kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
	else
		kids=$(ps -o pid= --ppid "$1" 2>/dev/null)
	fi
	for c in $kids; do
		echo "$c"
		descendants "$c"
	done
}

# kB of a /proc field summed over PIDs: sum_kb FILE FIELD PID...
sum_kb() {
	local file=$1 field=$2 p total=0 v
	shift 2
	for p; do
		v=$(awk -v f="$field:" '$1 == f { print $2; exit }' "/proc/$p/$file" 2>/dev/null)
		[ -n "$v" ] || return 1
		total=$((total + v))
	done
	echo "$total"
}

# ---------------------------------------------------------------- header

printf 'Playdoh-C benchmarks (%s mode) - %s\n' "$MODE" "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
printf '  machine: %s CPUs, %s, %s\n' "$NCPU" "$(uname -sr)" \
	"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
printf '  %s; results: %s\n' "$("$BIN/pd-map" --version 2>&1 | head -n 1)" "$OUT"
printf '  load average at start: %s (other work on the machine disturbs the figures)\n' \
	"$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
printf '  wall times include process start-up; every run is bounded by timeout %ss\n' "$TMO"

# ------------------------------------------------------ 1. throughput

# Input: "i<TAB>3i", i = 1..N, so the sums 4i differ line by line and the
# ordered checksum also checks the order.
paste <(seq 1 "$TP_N") <(seq 3 3 $((3 * TP_N))) >"$T/tp.in"
TP_EXPECT=$(awk '{ print $1 + $2 }' "$T/tp.in" | cksum)
head -n "$XARGS_N" "$T/tp.in" >"$T/xargs.in"
XARGS_EXPECT=$(awk '{ print $1 + $2 }' "$T/xargs.in" | sort | cksum)
head -n "$PAR_N" "$T/tp.in" >"$T/par.in"
PAR_EXPECT=$(awk '{ print $1 + $2 }' "$T/par.in" | sort | cksum)

section 1 "Throughput: trivial records, 2 slots" \
	"input: paste <(seq 1 N) <(seq 3 3 3N), summed per line; pd-map: $TP_N records with sum.so" \
	"figure: records / median wall time of $TP_REPS run(s); each run's output checked (cksum of ordered output vs awk)"

declare -A RATE
tp_row() { # CASE-KEY CASE-LABEL N GOAL CONFIG (uses M_*)
	local r
	r=$(calc %.0f "$3 / $M_MED")
	RATE[$1]=$r
	row throughput "$2" records_per_s "$r" rec/s "$4" ok \
		"$5; N=$3; reps=$TP_REPS; median_s=$M_MED; best_s=$M_BEST; all_s=$M_ALL"
}

# (a) embedded
mkdir -p "$T/home-emb"
cfg="PD_HOME=empty private dir; pd-map -c 2 sum.so < input > file (kept for the check; no measurable difference from /dev/null)"
if PD_HOME=$T/home-emb measure "$TP_REPS" "$T/tp.in" "$TP_EXPECT" 0 "$BIN/pd-map" -c 2 "$EX/sum.so"; then
	tp_row emb "pd-map embedded (-c 2)" "$TP_N" ">=500000" "$cfg"
else
	row throughput "pd-map embedded (-c 2)" records_per_s "$M_ERR" rec/s ">=500000" FAILED "$cfg"
fi

# (b) via a local pd-serve
cfg="pd-serve -f --local --cpu 2 (private PD_HOME, no key); pd-map -c 2 sum.so over its Unix socket"
if bench_start_server "$T/home-srv" --local --cpu 2; then
	srv=$SERVER_PID
	if PD_HOME=$T/home-srv measure "$TP_REPS" "$T/tp.in" "$TP_EXPECT" 0 "$BIN/pd-map" -c 2 "$EX/sum.so"; then
		# Make sure the figure is the server's, not an embedded fallback.
		hosts=$(head -n 3 "$T/tp.in" | PD_HOME=$T/home-srv timeout 20 "$BIN/pd-map" -c 2 --json "$EX/sum.so" |
			sed -n 's/.*"host":"\([^"]*\)".*/\1/p' | sort -u | tr '\n' ' ')
		if [ -z "$hosts" ] || [ "$hosts" = "embedded " ]; then
			row throughput "pd-map via local pd-serve" records_per_s \
				"pd-map did not run on the server (host: ${hosts:-none})" rec/s ">=250000" FAILED "$cfg"
		else
			tp_row srv "pd-map via local pd-serve" "$TP_N" ">=250000" "$cfg; host=${hosts% }"
			pids=$(echo "$srv"; descendants "$srv")
			rss=$(sum_kb status VmRSS $pids)
			row throughput "  pd-serve RSS after these runs (informative)" rss_after_kb "$rss" KiB "" ok \
				"VmRSS of pd-serve and its $(($(echo "$pids" | wc -l) - 1)) worker(s) after $((TP_REPS + 1)) runs"
		fi
	else
		row throughput "pd-map via local pd-serve" records_per_s "$M_ERR" rec/s ">=250000" FAILED "$cfg"
	fi
	bench_stop_server "$srv"
else
	row throughput "pd-map via local pd-serve" records_per_s "$M_ERR" rec/s ">=250000" FAILED "$cfg"
fi

# References: one process per record.
cfg="xargs -P2 -L1 sh -c 'echo \$((\$1+\$2))' _ ; output compared sorted"
if measure "$TP_REPS" "$T/xargs.in" "$XARGS_EXPECT" 1 xargs -P2 -L1 sh -c 'echo $(($1+$2))' _; then
	tp_row xargs "xargs -P2, sh per record ($XARGS_N rec)" "$XARGS_N" "" "$cfg"
else
	row throughput "xargs -P2, sh per record ($XARGS_N rec)" records_per_s "$M_ERR" rec/s "" FAILED "$cfg"
fi

cfg="parallel --will-cite -j2 --colsep '\\t' 'echo \$(({1}+{2}))'; output compared sorted"
if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
	if measure "$TP_REPS" "$T/par.in" "$PAR_EXPECT" 1 parallel --will-cite -j2 --colsep '\t' 'echo $(({1}+{2}))'; then
		tp_row par "GNU parallel -j2 ($PAR_N rec)" "$PAR_N" "" "$cfg"
	else
		row throughput "GNU parallel -j2 ($PAR_N rec)" records_per_s "$M_ERR" rec/s "" FAILED "$cfg"
	fi
else
	row throughput "GNU parallel -j2 ($PAR_N rec)" records_per_s \
		"GNU parallel not installed (apt-get install parallel)" rec/s "" skipped "$cfg"
fi

for p in emb srv; do
	for r in xargs par; do
		[ -n "${RATE[$p]:-}" ] && [ -n "${RATE[$r]:-}" ] || continue
		label="ratio $([ $p = emb ] && echo embedded || echo server) / $([ $r = xargs ] && echo xargs || echo parallel)"
		v=$(calc %.1f "${RATE[$p]} / ${RATE[$r]}")
		row throughput "$label" ratio "$v" x "" ok "records/s of pd-map over records/s of the reference, this run" "${v}x"
	done
done

# ------------------------------------------------------ 2. efficiency

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
cfg="embedded, PD_HOME=empty private dir; pd-map -c $EFF_SLOTS sleep.so"
if PD_HOME=$T/home-eff measure "$EFF_REPS" "$T/eff.in" "$EFF_EXPECT" 0 "$BIN/pd-map" -c "$EFF_SLOTS" "$EX/sleep.so"; then
	eff_row "pd-map embedded (-c $EFF_SLOTS)" "$EFF_IDEAL" ">=0.98" "$cfg"
else
	row efficiency "pd-map embedded (-c $EFF_SLOTS)" efficiency "$M_ERR" "" ">=0.98" FAILED "$cfg"
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
		skip() { echo "$*" >"$T/ns.skip"; return 1; }
		load() {
			local f=$1
			case $f in /*) ;; *) f=$(dirname "$helper")/$f ;; esac
			[ -f "$f" ] || f=$f.bash
			# shellcheck source=/dev/null
			. "$f"
		}
		export BATS_TEST_TMPDIR=${BATS_TEST_TMPDIR:-$T/ns} BATS_FILE_TMPDIR=${BATS_FILE_TMPDIR:-$T/ns}
		export BATS_RUN_TMPDIR=${BATS_RUN_TMPDIR:-$T/ns} BATS_TMPDIR=${BATS_TMPDIR:-$T}
		export BATS_TEST_DIRNAME=${BATS_TEST_DIRNAME:-$ROOT/tests} B NS_BIN=$BIN
		mkdir -p "$T/ns"
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
	M_MED=$(printf '%s\n' "${times[@]}" | median)
	M_BEST=$(printf '%s\n' "${times[@]}" | sort -g | head -n 1)
	M_ALL=$(printf '%s ' "${times[@]}")
}

bench_netns

# ------------------------------------------------------ 3. idle server

section 3 "Idle pd-serve: memory and start-up, --local --cpu 2" \
	"memory: pd-serve -f --local --cpu 2 (private PD_HOME), idle after its socket accepts and its workers exist" \
	"start-up: fork of pd-serve -f --local --cpu 2 (fresh PD_HOME) until a connect() to its Unix socket succeeds (pdbench, ~20 us polling); median of $SU_REPS"

cfg="pd-serve -f --local --cpu 2, idle"
if bench_start_server "$T/home-mem" --local --cpu 2; then
	srv=$SERVER_PID
	# Workers are forked at start; give them up to 2 s to exist, then settle.
	for ((i = 0; i < 200; i++)); do
		[ "$(descendants "$srv" | wc -l)" -ge 2 ] && break
		sleep 0.01
	done
	sleep 0.3
	pids=$(echo "$srv"; descendants "$srv")
	nw=$(($(echo "$pids" | wc -l) - 1))
	rss=$(sum_kb status VmRSS $pids)
	pss=$(sum_kb smaps_rollup Pss $pids)
	own=$(sum_kb status VmRSS "$srv")
	if [ -n "$rss" ]; then
		row memory "RSS, pd-serve + $nw workers (sum of VmRSS)" rss_kb "$rss" KiB "<=8192" ok \
			"$cfg; pids=$(echo $pids); server alone ${own} KiB" "$rss KiB ($(calc %.1f "$rss/1024") MiB)"
	else
		row memory "RSS, pd-serve + workers" rss_kb "cannot read /proc/PID/status" KiB "<=8192" FAILED "$cfg"
	fi
	if [ -n "$pss" ]; then
		row memory "PSS, pd-serve + $nw workers (smaps_rollup)" pss_kb "$pss" KiB "<=8192" ok \
			"$cfg; pids=$(echo $pids)" "$pss KiB ($(calc %.1f "$pss/1024") MiB)"
	else
		row memory "PSS, pd-serve + workers" pss_kb "/proc/PID/smaps_rollup not readable" KiB "<=8192" skipped "$cfg"
	fi
	bench_stop_server "$srv"
else
	row memory "RSS, pd-serve + workers" rss_kb "$M_ERR" KiB "<=8192" FAILED "$cfg"
fi

cfg="pd-serve -f --local --cpu 2, fresh PD_HOME each time; time from fork to first accepted connect()"
sus=()
su_err=""
for ((i = 1; i <= SU_REPS; i++)); do
	mkdir -p "$T/su$i"
	if ms=$(PD_HOME=$T/su$i timeout -k 5 30 "$PDB" startup "$T/su$i/sock" 10000 \
		"$BIN/pd-serve" -f --local --cpu 2 2>"$T/su.err"); then
		sus+=("$ms")
	else
		su_err="run $i: $(tail -n 1 "$T/su.err")"
		break
	fi
done
if [ -z "$su_err" ]; then
	med=$(printf '%s\n' "${sus[@]}" | median)
	row startup "start to accepting (median of $SU_REPS)" startup_ms "$med" ms "<=50" ok \
		"$cfg; all_ms=$(echo "${sus[@]}")" \
		"$(calc %.2f "$med") ms"
	note "all runs (ms): $(echo "${sus[@]}")"
else
	row startup "start to accepting" startup_ms "$su_err" ms "<=50" FAILED "$cfg"
fi

# ---------------------------------------------------------------- end

nf=$(wc -l <"$T/failures")
echo
if [ "$nf" -gt 0 ]; then
	echo "bench: $nf benchmark(s) FAILED their run or correctness check:"
	sed 's/^/  /' "$T/failures"
	exit 1
fi
echo "bench: all runs completed and their outputs checked; results in $OUT"
exit 0
