#!/bin/sh
# tests/bench/run.sh - Playdoh-C benchmarks (`make bench`).
#
#   B=build sh tests/bench/run.sh [--smoke]
#
# Measures, in one run, pd-map/pd-serve and pd-task and reference tools
# doing the same kind of work, prints a table and writes one TSV line per
# figure to ${BENCH_OUT:-$B/bench-results.txt} ($B/bench-smoke-results.txt
# with --smoke).  Sections: [1] pd-map throughput, [2] efficiency, embedded
# and on a running pd-serve whose workers are forked before the run,
# with the spread of the slots' first-record starts (tests/bench/eff.sh,
# tests/bench/stamp.c), [3] idle pd-serve, [4] tube round trip (pingpong.c;
# TCP and MPI references), [5] tube throughput (throughput.c; TCP and
# MPI), [6] heat equation, 1 node against 2, [7] pd-opt against DEAP and a
# textbook PSO (tests/bench/opt.sh, which says more), [8] pd-map --cache: a
# sweep run twice, 10% new records the second time (tests/bench/cache.sh),
# [9] a program per record: pd-map CMD against xargs -P2, GNU parallel
# -j2 and a posix_spawn floor (tests/bench/exec.sh), [10] the scaling
# curve: pd-map and pd-opt over 1 to 32 namespace hosts of 1 slot
# (tests/bench/scale.sh; PD_BENCH_SCALE_HOSTS picks the host counts).
# Every pd-map run's output is checked against a checksum computed
# independently with awk, every pd-task and reference run checks its
# messages and its output, so a broken run cannot report a good figure; a
# failed check is shown as FAILED and makes the exit status 1.  A missing
# reference tool (GNU parallel, MPICH) or an impossible set-up (network
# namespaces) is reported as skipped, with the reason.  In full mode a
# missing MPICH is installed with apt-get when running as root, unless
# PD_BENCH_NO_INSTALL is set.
#
# --smoke: tiny sizes, one repetition, no goals and no judgements; checks
# that this script and its correctness checks still work (tests/bench-smoke.bats).
#
# Environment: B (build directory, default build), BENCH_OUT, CC,
# PD_BENCH_NETNS (the namespace helper, default tests/helpers/netns.bash),
# MPICC, MPIEXEC (default mpicc, mpiexec), PD_BENCH_NO_INSTALL,
# PD_BENCH_HEAT ("G STEPS" for section 6 instead of "2048 500").

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
	sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//'
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

for f in "$BIN/pd-map" "$BIN/pd-serve" "$BIN/pd-task" "$EX/sum.so" "$EX/sleep.so" "$EX/heat.so"; do
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

# M_MED, M_BEST and M_ALL of the times given (seconds).
m_summary() {
	M_MED=$(printf '%s\n' "$@" | median)
	M_BEST=$(printf '%s\n' "$@" | sort -g | head -n 1)
	M_ALL=$(printf '%s ' "$@")
}

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
	m_summary "${times[@]}"
	return 0
}

# bench_start_server HOME ARGS...: pd-serve -f ARGS with PD_HOME=HOME in
# the background, waiting until its Unix socket accepts.  Sets SERVER_PID.
bench_start_server() {
	local home=$1
	shift
	mkdir -p "$home" && chmod 700 "$home" # pd-serve refuses a home open to others
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

# In the subshell of a namespace section: what the namespace helper
# (tests/helpers/netns.bash, written for Bats) expects of Bats: skip (its
# reason goes to $T/ns.skip), load (beside $helper, the caller's), and
# the BATS_* directories.
ns_bats_env() {
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

. tests/bench/eff.sh

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
	mkdir -p "$T/su$i" && chmod 700 "$T/su$i"
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

# ------------------------------------------- tools for sections 4 to 6

# The task jobs and reference programs of sections 4-6, built here into
# $B/bench (they are not part of the product).  BUILT[name] is the path,
# or unset with BUILD_ERR[name] saying why.
declare -A BUILT=() BUILD_ERR=()
bench_build() { # NAME SRC COMPILER ARGS...  (BLIBS=LIBS: linked after SRC)
	local name=$1 src=$2 out=$B/bench/$1
	shift 2
	if [ -e "$out" ] && [ ! "$src" -nt "$out" ] && [ ! lib/playdoh.h -nt "$out" ] &&
		[ ! "$0" -nt "$out" ]; then
		BUILT[$name]=$out
		return 0
	fi
	mkdir -p "$B/bench"
	# shellcheck disable=SC2086 # BLIBS: libraries, one a word
	if "$@" -o "$out.tmp.$$" "$src" ${BLIBS:-} >"$T/build.err" 2>&1 && mv -f "$out.tmp.$$" "$out"; then
		BUILT[$name]=$out
		return 0
	fi
	rm -f "$out.tmp.$$"
	BUILD_ERR[$name]="cannot build $out: $(grep -m 1 -i error "$T/build.err" || head -n 1 "$T/build.err")"
	return 1
}

# MPI (MPICH; MPICC and MPIEXEC name other commands).  In full mode a
# missing mpich is installed with apt-get when this runs as root
# (PD_BENCH_NO_INSTALL=1 prevents it); --smoke never installs anything.
MPICC=${MPICC:-mpicc} MPIEXEC=${MPIEXEC:-mpiexec}
MPI_STATE="" MPI_WHY="" MPI_VERSION=""
mpi_ready() {
	[ -n "$MPI_STATE" ] && { [ "$MPI_STATE" = yes ]; return; }
	MPI_STATE=no
	if ! command -v "$MPICC" >/dev/null 2>&1 || ! command -v "$MPIEXEC" >/dev/null 2>&1; then
		if [ $MODE = full ] && [ -z "${PD_BENCH_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] &&
			command -v apt-get >/dev/null 2>&1 && [ "$MPICC" = mpicc ]; then
			note "mpich is missing: apt-get install -y mpich libmpich-dev (at most 300 s; PD_BENCH_NO_INSTALL=1 skips this)"
			DEBIAN_FRONTEND=noninteractive timeout -k 5 300 apt-get install -y mpich libmpich-dev \
				</dev/null >"$T/apt.log" 2>&1
		fi
		if ! command -v "$MPICC" >/dev/null 2>&1 || ! command -v "$MPIEXEC" >/dev/null 2>&1; then
			MPI_WHY="mpich not installed ($MPICC or $MPIEXEC not found)"
			[ -s "$T/apt.log" ] && MPI_WHY="$MPI_WHY; apt-get install -y mpich libmpich-dev failed: $(tail -n 1 "$T/apt.log")"
			[ -s "$T/apt.log" ] || MPI_WHY="$MPI_WHY; apt-get install mpich libmpich-dev"
			return 1
		fi
	fi
	MPI_VERSION=$("$MPIEXEC" --version 2>&1 | awk -F': *' '/^ *Version:/ { v = $2 } END { if (v != "") print "mpich " v }')
	if [ -z "$MPI_VERSION" ]; then
		MPI_WHY="$MPIEXEC is not MPICH's (hydra): $("$MPIEXEC" --version 2>&1 | head -n 1)"
		return 1
	fi
	MPI_STATE=yes
}

# bounded WHERE CMD...: CMD with stdin /dev/null, stdout $T/out, stderr
# $T/err, bounded by timeout $TMO; WHERE is local, client (the namespace
# client) or hI (host namespace I).  With PIN set (a CPU list), CMD runs
# under taskset -c PIN.  0, or 1 with M_ERR.
PIN=""
bounded() {
	local where=$1 rc
	shift
	[ -n "$PIN" ] && set -- taskset -c "$PIN" "$@"
	case $where in
	local) timeout -k 5 "$TMO" "$@" ;;
	client) netns_client timeout -k 5 "$TMO" "$@" ;;
	h*) netns_exec "${where#h}" timeout -k 5 "$TMO" "$@" ;;
	esac </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 0 ] && return 0
	[ $rc -eq 124 ] && M_ERR="timed out after ${TMO}s" || M_ERR="exit status $rc"
	[ -s "$T/err" ] && M_ERR="$M_ERR: $(grep -v '^ *$' "$T/err" | tail -n 1)"
	return 1
}

# repeat REPS FN ARGS...: FN ARGS REPS times; each run sets R_VAL (its
# figure) and may set R_NOTE.  Sets M_MED (median of the figures), M_ALL,
# M_NOTES, or returns 1 with M_ERR.
repeat() {
	local reps=$1 i vals=() notes=()
	shift
	M_ERR="" M_MED="" M_ALL="" M_NOTES=""
	for ((i = 1; i <= reps; i++)); do
		R_VAL="" R_NOTE=""
		"$@" || { M_ERR="run $i: $M_ERR"; return 1; }
		vals+=("$R_VAL")
		[ -n "$R_NOTE" ] && notes+=("$R_NOTE")
	done
	M_MED=$(printf '%s\n' "${vals[@]}" | median)
	M_ALL=$(echo "${vals[@]}")
	M_NOTES=$(echo "${notes[@]}")
	return 0
}

# A pd-task --json output line's field ("output" or "host") of node N.
json_field() { # N FIELD
	sed -n "$(($1 + 1))s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$T/out"
}

# check_hosts WHERE: for a pd-task --json run of 2 nodes, whether the
# nodes ran where they should: locally (host "local"), or with WHERE=client
# on two different hosts (so that the tube between them crosses the
# network).  1 with M_ERR.
check_hosts() {
	local h0 h1
	h0=$(json_field 0 host) h1=$(json_field 1 host)
	if [ "$1" = local ]; then
		[ "$h0" = local ] && [ "$h1" = local ] && return 0
		M_ERR="nodes ran on '$h0' and '$h1', not locally"
	else
		[ -n "$h0" ] && [ "$h0" != local ] && [ "$h0" != "$h1" ] && [ -n "$h1" ] && [ "$h1" != local ] && return 0
		M_ERR="nodes ran on '$h0' and '$h1', not on two different hosts"
	fi
	return 1
}

# Start a reference server in host namespace 0, in the background: sets
# SRV_PID (timeout's pid; ip netns exec execs it).  The port goes to
# $T/port.
ns_server() {
	rm -f "$T/port" "$T/port.tmp"
	[ -n "$PIN" ] && set -- taskset -c "$PIN" "$@"
	ip netns exec "${NS_PREFIX}h0" timeout -k 5 "$TMO" "$@" </dev/null >"$T/srv.out" 2>"$T/srv.err" &
	SRV_PID=$!
}

# ns_server_wait: wait for the server; 1 with M_ERR unless it succeeded.
ns_server_wait() {
	local rc
	wait "$SRV_PID"
	rc=$?
	[ $rc -eq 0 ] && return 0
	M_ERR="server exit status $rc: $(tail -n 1 "$T/srv.err")"
	return 1
}

# ns_section N BODY SKIP: BODY (a function) in a subshell after setting
# up N namespace hosts with pd-serve --cpu 1 each and the cluster key;
# when they cannot be made, SKIP (a function) is called with the reason
# and a status (skipped or FAILED).  As bench_netns: the helper is written for
# Bats and stays contained in the subshell.
ns_section() {
	local n=$1 body=$2 skipfn=$3 helper=${PD_BENCH_NETNS:-$ROOT/tests/helpers/netns.bash} i
	if [ ! -f "$helper" ]; then
		"$skipfn" "$helper not found (not written yet?)" skipped
		return 0
	fi
	(
		ns_bats_env
		rm -f "$T/ns.skip"
		# shellcheck source=/dev/null
		. "$helper" || { "$skipfn" "cannot source $helper" FAILED; exit 0; }
		trap 'netns_teardown >/dev/null 2>&1' EXIT
		trap 'exit 130' INT TERM # so that the EXIT trap tears down
		if ! netns_setup "$n" >"$T/ns.log" 2>&1 || [ -s "$T/ns.skip" ]; then
			why=$(cat "$T/ns.skip" 2>/dev/null)
			[ -n "$why" ] || why="netns_setup failed: $(tail -n 1 "$T/ns.log")"
			"$skipfn" "namespaces cannot be made: $why" skipped
			exit 0
		fi
		for ((i = 0; i < n; i++)); do
			if ! netns_start_server "$i" --cpu 1 >>"$T/ns.log" 2>&1 || [ -s "$T/ns.skip" ]; then
				"$skipfn" "netns_start_server $i --cpu 1 failed: $(cat "$T/ns.skip" 2>/dev/null) $(tail -n 1 "$T/ns.log")" FAILED
				exit 0
			fi
		done
		netns_client true >/dev/null 2>&1 || true # warm the namespace exec path
		"$body" "$(netns_hosts)"
	)
}

# Figures shared between a section's rows (the namespace part runs in a
# subshell, so they go through files).
fig_set() { echo "$2" >"$T/fig.$1"; }
fig() { cat "$T/fig.$1" 2>/dev/null; }

# ratio_row BENCH CASE NUM-FIG DEN-FIG SCALE FMT UNIT GOAL CONFIG: NUM/DEN*SCALE, when both exist.
ratio_row() {
	local n d v
	n=$(fig "$3") d=$(fig "$4")
	if [ -z "$n" ] || [ -z "$d" ]; then
		row "$1" "$2" ratio "a figure is missing (see above)" "$7" "$8" skipped "$9"
		return 0
	fi
	v=$(calc "$6" "$n / $d * $5")
	row "$1" "$2" ratio "$v" "$7" "$8" ok "$9; $n / $d" "$v$([ "$7" = x ] && echo x || echo " $7")"
}

# ------------------------------------------------ 4. tube round trip

if [ "$MODE" = smoke ]; then
	PP_N=200 PP_W=20 PP_NS_N=200 PP_NS_W=20 PP_REPS=1
	TT_SIZE=1048576 TT_K=4 TT_NS_K=4 TT_W=1 TT_REPS=1
	HEAT_G=64 HEAT_S=10 HEAT_REPS=1
else
	PP_N=20000 PP_W=1000 PP_NS_N=5000 PP_NS_W=500 PP_REPS=5
	TT_SIZE=67108864 TT_K=16 TT_NS_K=8 TT_W=1 TT_REPS=5
	HEAT_G=2048 HEAT_S=500 HEAT_REPS=5
fi
mkdir -p "$T/home-task" # empty PD_HOME: no hosts file, so pd-task runs locally
# shellcheck disable=SC2206 # CC may hold options, as make allows
TCC=(${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra)
bench_build pingpong.so tests/bench/pingpong.c "${TCC[@]}" -shared -fPIC -Ilib
bench_build throughput.so tests/bench/throughput.c "${TCC[@]}" -shared -fPIC -Ilib
bench_build tcp_pingpong tests/bench/tcp_pingpong.c "${TCC[@]}"
bench_build tcp_throughput tests/bench/tcp_throughput.c "${TCC[@]}"

section 4 "Tube round trip: 8-byte messages between two nodes" \
	"pd-task -n 2 -t ring pingpong.so: node 0 pushes 8 bytes on tube 'next', node 1 pops them and pushes 8 back; both check every message" \
	"one host: $PP_N timed round trips after $PP_W untimed; namespace hosts: $PP_NS_N after $PP_NS_W" \
	"figure: the median round trip of a run (each timed alone, CLOCK_MONOTONIC), median of $PP_REPS run(s); references in C, same exchange and checks"

# pp_parse N W WHO: the figure from "rtt_us MED MEAN MIN MAX N" in $1-line
# form; R_VAL = median, R_NOTE = mean.
pp_parse() { # LINE N
	if [[ $1 =~ ^rtt_us\ ([0-9.]+)\ ([0-9.]+)\ ([0-9.]+)\ ([0-9.]+)\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[5]}" = "$2" ]; then
		R_VAL=${BASH_REMATCH[1]} R_NOTE="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
		return 0
	fi
	M_ERR="unexpected result '$1'"
	return 1
}

# The host list for pd-task -H in the client namespace (set in the
# namespace subshells).
TASK_HOSTS=""
hosts_opt() { [ "$1" = client ] && printf '%s\n' -H "$TASK_HOSTS"; }

pp_task() { # WHERE N W
	# shellcheck disable=SC2046 # -H HOSTS: two words or none
	bounded "$1" "$BIN/pd-task" $(hosts_opt "$1") --json -n 2 -t ring --oversubscribe --args "$2 $3" "${BUILT[pingpong.so]}" || return 1
	[ "$(wc -l <"$T/out")" -eq 2 ] || { M_ERR="$(wc -l <"$T/out") output lines, wanted 2"; return 1; }
	check_hosts "$1" || return 1
	[ "$(json_field 1 output)" = "echoed $(($2 + $3))" ] ||
		{ M_ERR="node 1 says '$(json_field 1 output)', wanted 'echoed $(($2 + $3))'"; return 1; }
	pp_parse "$(json_field 0 output)" "$2"
}

pp_tcp_local() { # N W
	bounded local "${BUILT[tcp_pingpong]}" local "$1" "$2" || return 1
	grep -qx "echoed $(($1 + $2))" "$T/err" || { M_ERR="the server did not echo every message: $(tail -n 1 "$T/err")"; return 1; }
	pp_parse "$(cat "$T/out")" "$1"
}

pp_tcp_ns() { # N W
	ns_server "${BUILT[tcp_pingpong]}" server "$NS_ADDR_0" "$T/port" "$1" "$2"
	if ! bounded h1 "${BUILT[tcp_pingpong]}" client "$NS_ADDR_0" "$T/port" "$1" "$2"; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		return 1
	fi
	ns_server_wait || return 1
	grep -qx "echoed $(($1 + $2))" "$T/srv.err" || { M_ERR="the server did not echo every message"; return 1; }
	pp_parse "$(cat "$T/out")" "$1"
}

pp_mpi() { # N W
	bounded local "$MPIEXEC" -n 2 "${BUILT[mpi_pingpong]}" "$1" "$2" || return 1
	grep -qx "echoed $(($1 + $2))" "$T/err" || { M_ERR="rank 1 did not echo every message: $(tail -n 1 "$T/err")"; return 1; }
	pp_parse "$(cat "$T/out")" "$1"
}

pp_row() { # KEY CASE CONFIG: from M_*
	fig_set "$1" "$M_MED"
	row pingpong "$2" rtt_us "$M_MED" us "" ok "$3; runs=$PP_REPS; median_us(run)=$M_ALL; median/mean_us per run=$M_NOTES" \
		"$(calc %.2f "$M_MED") us"
}

# (a) one host
cfg="pd-task -n 2 -t ring --oversubscribe --args '$PP_N $PP_W' pingpong.so, embedded (no hosts: PD_HOME=empty private dir); shared-memory tube"
if [ -z "${BUILT[pingpong.so]:-}" ]; then
	row pingpong "pd-task, one host" rtt_us "${BUILD_ERR[pingpong.so]}" us "" FAILED "$cfg"
elif PD_HOME=$T/home-task repeat "$PP_REPS" pp_task local "$PP_N" "$PP_W"; then
	pp_row pd1 "pd-task, one host (shared-memory tube)" "$cfg"
else
	row pingpong "pd-task, one host (shared-memory tube)" rtt_us "$M_ERR" us "" FAILED "$cfg"
fi
cfg="the same with PD_TUBES=socket: the tube is a socket pair, as before shared-memory tubes"
if [ -z "${BUILT[pingpong.so]:-}" ]; then
	: # said above
elif PD_TUBES=socket PD_HOME=$T/home-task repeat "$PP_REPS" pp_task local "$PP_N" "$PP_W"; then
	pp_row pd1sock "  pd-task, one host, PD_TUBES=socket (informative)" "$cfg"
else
	row pingpong "  pd-task, one host, PD_TUBES=socket (informative)" rtt_us "$M_ERR" us "" FAILED "$cfg"
fi
cfg="tests/bench/tcp_pingpong.c local $PP_N $PP_W: fork, server and client over 127.0.0.1, TCP_NODELAY, blocking read/write"
if [ -z "${BUILT[tcp_pingpong]:-}" ]; then
	row pingpong "plain TCP over loopback (C)" rtt_us "${BUILD_ERR[tcp_pingpong]}" us "" FAILED "$cfg"
elif repeat "$PP_REPS" pp_tcp_local "$PP_N" "$PP_W"; then
	pp_row tcp1 "plain TCP over loopback (C)" "$cfg"
else
	row pingpong "plain TCP over loopback (C)" rtt_us "$M_ERR" us "" FAILED "$cfg"
fi
cfg="tests/bench/mpi_pingpong.c: mpiexec -n 2 mpi_pingpong $PP_N $PP_W (MPI_Send/MPI_Recv of 8 MPI_BYTEs), one host"
if ! mpi_ready; then
	row pingpong "MPI ping-pong, one host" rtt_us "$MPI_WHY" us "" skipped "$cfg"
elif ! bench_build mpi_pingpong tests/bench/mpi_pingpong.c "$MPICC" -std=c11 -O2; then
	row pingpong "MPI ping-pong, one host" rtt_us "${BUILD_ERR[mpi_pingpong]}" us "" FAILED "$cfg"
elif repeat "$PP_REPS" pp_mpi "$PP_N" "$PP_W"; then
	pp_row mpi1 "MPI ping-pong, one host ($MPI_VERSION)" "$cfg; $MPI_VERSION, default device (shared memory)"
else
	row pingpong "MPI ping-pong, one host" rtt_us "$M_ERR" us "" FAILED "$cfg"
fi
ratio_row pingpong "ratio pd-task / TCP, one host" pd1 tcp1 1 %.2f x "<=1.5" \
	"median round trip of pd-task over that of plain TCP, this run"
[ "$MODE" = full ] && [ -n "$(fig mpi1)" ] &&
	ratio_row pingpong "ratio pd-task / MPI, one host (informative)" pd1 mpi1 1 %.1f x "" \
		"median round trip of pd-task over that of MPI, this run"

# The same on CPU 0 only (taskset), so that no wake-up has to cross CPUs:
# where the kernel puts the two ends decides much of a round trip's time
# on a small virtual machine, and differs from run to run; pinned, pd-task
# and TCP are compared with the same placement.
if ! command -v taskset >/dev/null 2>&1; then
	row pingpong "pd-task and TCP on one CPU (informative)" rtt_us "taskset not installed (util-linux)" us "" skipped ""
else
	PIN=0
	cfg="as above, under taskset -c 0: both nodes (all their threads) on CPU 0"
	if [ -z "${BUILT[pingpong.so]:-}" ]; then
		row pingpong "  pd-task, one host, all on CPU 0" rtt_us "${BUILD_ERR[pingpong.so]}" us "" FAILED "$cfg"
	elif PD_HOME=$T/home-task repeat "$PP_REPS" pp_task local "$PP_N" "$PP_W"; then
		pp_row pd1pin "  pd-task, one host, all on CPU 0" "$cfg"
	else
		row pingpong "  pd-task, one host, all on CPU 0" rtt_us "$M_ERR" us "" FAILED "$cfg"
	fi
	cfg="tcp_pingpong local under taskset -c 0: server and client on CPU 0"
	if [ -z "${BUILT[tcp_pingpong]:-}" ]; then
		row pingpong "  plain TCP over loopback, all on CPU 0" rtt_us "${BUILD_ERR[tcp_pingpong]}" us "" FAILED "$cfg"
	elif repeat "$PP_REPS" pp_tcp_local "$PP_N" "$PP_W"; then
		pp_row tcp1pin "  plain TCP over loopback, all on CPU 0" "$cfg"
	else
		row pingpong "  plain TCP over loopback, all on CPU 0" rtt_us "$M_ERR" us "" FAILED "$cfg"
	fi
	PIN=""
	ratio_row pingpong "  ratio pd-task / TCP, one host, CPU 0" pd1pin tcp1pin 1 %.2f x "<=1.5" \
		"median round trip of pd-task over that of plain TCP, both under taskset -c 0, this run"
	[ "$MODE" = full ] &&
		note "unpinned, each run's figure depends on whether the kernel puts the two ends on one CPU or on two (a wake-up across CPUs costs tens of us on some VMs); the 'CPU 0' rows compare pd-task and TCP with the same placement"
fi

# (b) two namespace hosts
pp_ns_skip() { # WHY STATUS
	row pingpong "pd-task, 2 namespace hosts (sealed TCP tube)" rtt_us "$1" us "" "$2" ""
	row pingpong "plain TCP between 2 namespaces (C)" rtt_us "$1" us "" "$2" ""
}
pp_ns_body() { # HOSTS
	TASK_HOSTS=$1
	local cfg="2 network-namespace hosts (veth + bridge), pd-serve --cpu 1 each; client namespace runs pd-task -H $1 -n 2 -t ring --args '$PP_NS_N $PP_NS_W' pingpong.so; nodes on different hosts (checked), tube sealed"
	if [ -z "${BUILT[pingpong.so]:-}" ]; then
		row pingpong "pd-task, 2 namespace hosts (sealed TCP tube)" rtt_us "${BUILD_ERR[pingpong.so]}" us "" FAILED "$cfg"
	elif repeat "$PP_REPS" pp_task client "$PP_NS_N" "$PP_NS_W"; then
		pp_row pd2 "pd-task, 2 namespace hosts (sealed TCP tube)" "$cfg"
	else
		row pingpong "pd-task, 2 namespace hosts (sealed TCP tube)" rtt_us "$M_ERR" us "" FAILED "$cfg"
	fi
	cfg="tests/bench/tcp_pingpong.c: server in host namespace 0 on $NS_ADDR_0, client in host namespace 1; $PP_NS_N round trips after $PP_NS_W"
	if [ -z "${BUILT[tcp_pingpong]:-}" ]; then
		row pingpong "plain TCP between 2 namespaces (C)" rtt_us "${BUILD_ERR[tcp_pingpong]}" us "" FAILED "$cfg"
	elif repeat "$PP_REPS" pp_tcp_ns "$PP_NS_N" "$PP_NS_W"; then
		pp_row tcp2 "plain TCP between 2 namespaces (C)" "$cfg"
	else
		row pingpong "plain TCP between 2 namespaces (C)" rtt_us "$M_ERR" us "" FAILED "$cfg"
	fi
	# Informative: the same on CPU 0 only (the servers, hence the nodes
	# they fork, and the clients; see the one-host case).
	command -v taskset >/dev/null 2>&1 || return 0
	local p
	for p in $(ip netns pids "${NS_PREFIX}h0") $(ip netns pids "${NS_PREFIX}h1"); do
		taskset -a -p -c 0 "$p" >/dev/null 2>&1
	done
	PIN=0
	cfg="as above, with the namespaces' pd-serve processes (taskset -a -p) and the client under taskset -c 0"
	if [ -n "${BUILT[pingpong.so]:-}" ] && repeat "$PP_REPS" pp_task client "$PP_NS_N" "$PP_NS_W"; then
		pp_row pd2pin "  pd-task, 2 namespace hosts, all on CPU 0" "$cfg"
	else
		row pingpong "  pd-task, 2 namespace hosts, all on CPU 0" rtt_us "${M_ERR:-${BUILD_ERR[pingpong.so]:-}}" us "" FAILED "$cfg"
	fi
	cfg="tcp_pingpong server (host namespace 0) and client (host namespace 1) under taskset -c 0"
	if [ -n "${BUILT[tcp_pingpong]:-}" ] && repeat "$PP_REPS" pp_tcp_ns "$PP_NS_N" "$PP_NS_W"; then
		pp_row tcp2pin "  plain TCP between 2 namespaces, all on CPU 0" "$cfg"
	else
		row pingpong "  plain TCP between 2 namespaces, all on CPU 0" rtt_us "${M_ERR:-${BUILD_ERR[tcp_pingpong]:-}}" us "" FAILED "$cfg"
	fi
	PIN=""
}
ns_section 2 pp_ns_body pp_ns_skip
row pingpong "MPI between namespace hosts" rtt_us \
	"not measured: mpiexec (hydra) would have to start a rank in each host namespace through ssh/rsh, which is not set up there" \
	us "" skipped ""
ratio_row pingpong "ratio pd-task / TCP, 2 hosts" pd2 tcp2 1 %.2f x "<=1.3" \
	"median round trip of pd-task over that of plain TCP between the same namespaces, this run"
[ -n "$(fig pd2pin)" ] &&
	ratio_row pingpong "  ratio pd-task / TCP, 2 hosts, CPU 0" pd2pin tcp2pin 1 %.2f x "<=1.3" \
		"median round trip of pd-task over that of plain TCP, both on CPU 0, this run"

# --------------------------------------------- 5. tube throughput

TT_MIB=$(calc %g "$TT_SIZE / 1048576")
section 5 "Tube throughput: ${TT_MIB} MiB messages between two nodes" \
	"pd-task -n 2 -t ring throughput.so: node 0 pushes messages of $TT_SIZE bytes on 'next'; node 1 pops each and checks its size, its number and 64 pattern bytes" \
	"figure (node 0's): K x $TT_SIZE bytes / time from its first timed push to node 1's 8-byte acknowledgement of the last; $TT_W untimed message(s) first" \
	"K = $TT_K on one host, $TT_NS_K between hosts; GB/s = 10^9 bytes/s; median of $TT_REPS run(s); references in C, same exchange and checks"

tt_parse() { # LINE K
	if [[ $1 =~ ^gbps\ ([0-9.]+)\ ([0-9]+)\ ([0-9.]+)\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[4]}" = "$2" ] &&
		[ "${BASH_REMATCH[2]}" = "$((TT_SIZE * $2))" ]; then
		R_VAL=${BASH_REMATCH[1]} R_NOTE=${BASH_REMATCH[3]}s
		return 0
	fi
	M_ERR="unexpected result '$1'"
	return 1
}

tt_task() { # WHERE K
	local want="received $(($2 + TT_W)) $TT_SIZE ok"
	# shellcheck disable=SC2046 # -H HOSTS: two words or none
	bounded "$1" "$BIN/pd-task" $(hosts_opt "$1") --json -n 2 -t ring --oversubscribe --args "$TT_SIZE $2 $TT_W" "${BUILT[throughput.so]}" || return 1
	[ "$(wc -l <"$T/out")" -eq 2 ] || { M_ERR="$(wc -l <"$T/out") output lines, wanted 2"; return 1; }
	check_hosts "$1" || return 1
	[ "$(json_field 1 output)" = "$want" ] || { M_ERR="node 1 says '$(json_field 1 output)', wanted '$want'"; return 1; }
	tt_parse "$(json_field 0 output)" "$2"
}

tt_tcp_local() { # K
	bounded local "${BUILT[tcp_throughput]}" local "$TT_SIZE" "$1" "$TT_W" || return 1
	grep -qx "received $(($1 + TT_W)) $TT_SIZE ok" "$T/err" || { M_ERR="the receiver did not check every message: $(tail -n 1 "$T/err")"; return 1; }
	tt_parse "$(cat "$T/out")" "$1"
}

tt_tcp_ns() { # K
	ns_server "${BUILT[tcp_throughput]}" recv "$NS_ADDR_0" "$T/port" "$TT_SIZE" "$1" "$TT_W"
	if ! bounded h1 "${BUILT[tcp_throughput]}" send "$NS_ADDR_0" "$T/port" "$TT_SIZE" "$1" "$TT_W"; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		return 1
	fi
	ns_server_wait || return 1
	grep -qx "received $(($1 + TT_W)) $TT_SIZE ok" "$T/srv.err" || { M_ERR="the receiver did not check every message"; return 1; }
	tt_parse "$(cat "$T/out")" "$1"
}

tt_mpi() { # K
	bounded local "$MPIEXEC" -n 2 "${BUILT[mpi_throughput]}" "$TT_SIZE" "$1" "$TT_W" || return 1
	grep -qx "received $(($1 + TT_W)) $TT_SIZE ok" "$T/err" || { M_ERR="rank 1 did not check every message: $(tail -n 1 "$T/err")"; return 1; }
	tt_parse "$(cat "$T/out")" "$1"
}

tt_row() { # KEY CASE CONFIG
	fig_set "$1" "$M_MED"
	row tube_throughput "$2" gb_per_s "$M_MED" GB/s "" ok "$3; runs=$TT_REPS; gb_per_s(run)=$M_ALL; seconds(run)=$M_NOTES" \
		"$(calc %.2f "$M_MED") GB/s"
}

cfg="pd-task -n 2 -t ring --oversubscribe --args '$TT_SIZE $TT_K $TT_W' throughput.so, embedded (PD_HOME=empty private dir); shared-memory tube"
if [ -z "${BUILT[throughput.so]:-}" ]; then
	row tube_throughput "pd-task, one host (shared-memory tube)" gb_per_s "${BUILD_ERR[throughput.so]}" GB/s "" FAILED "$cfg"
elif PD_HOME=$T/home-task repeat "$TT_REPS" tt_task local "$TT_K"; then
	tt_row pd1 "pd-task, one host (shared-memory tube)" "$cfg"
else
	row tube_throughput "pd-task, one host (shared-memory tube)" gb_per_s "$M_ERR" GB/s "" FAILED "$cfg"
fi
cfg="the same with PD_TUBES=socket: the tube is a socket pair, as before shared-memory tubes"
if [ -z "${BUILT[throughput.so]:-}" ]; then
	: # said above
elif PD_TUBES=socket PD_HOME=$T/home-task repeat "$TT_REPS" tt_task local "$TT_K"; then
	tt_row pd1sock "  pd-task, one host, PD_TUBES=socket (informative)" "$cfg"
else
	row tube_throughput "  pd-task, one host, PD_TUBES=socket (informative)" gb_per_s "$M_ERR" GB/s "" FAILED "$cfg"
fi
cfg="tests/bench/tcp_throughput.c local $TT_SIZE $TT_K $TT_W: fork, receiver and sender over 127.0.0.1, one write() per message"
if [ -z "${BUILT[tcp_throughput]:-}" ]; then
	row tube_throughput "plain TCP over loopback (C)" gb_per_s "${BUILD_ERR[tcp_throughput]}" GB/s "" FAILED "$cfg"
elif repeat "$TT_REPS" tt_tcp_local "$TT_K"; then
	tt_row tcp1 "plain TCP over loopback (C)" "$cfg"
else
	row tube_throughput "plain TCP over loopback (C)" gb_per_s "$M_ERR" GB/s "" FAILED "$cfg"
fi
cfg="tests/bench/mpi_throughput.c: mpiexec -n 2 mpi_throughput $TT_SIZE $TT_K $TT_W (MPI_Send/MPI_Recv), one host"
if ! mpi_ready; then
	row tube_throughput "MPI send/recv, one host" gb_per_s "$MPI_WHY" GB/s "" skipped "$cfg"
elif ! bench_build mpi_throughput tests/bench/mpi_throughput.c "$MPICC" -std=c11 -O2; then
	row tube_throughput "MPI send/recv, one host" gb_per_s "${BUILD_ERR[mpi_throughput]}" GB/s "" FAILED "$cfg"
elif repeat "$TT_REPS" tt_mpi "$TT_K"; then
	tt_row mpi1 "MPI send/recv, one host ($MPI_VERSION)" "$cfg; $MPI_VERSION, default device"
else
	row tube_throughput "MPI send/recv, one host" gb_per_s "$M_ERR" GB/s "" FAILED "$cfg"
fi
ratio_row tube_throughput "pd-task / TCP, one host" pd1 tcp1 100 %.0f % ">=70" \
	"GB/s of pd-task as a percentage of plain TCP's, this run"
[ "$MODE" = full ] && [ -n "$(fig mpi1)" ] &&
	ratio_row tube_throughput "pd-task / MPI, one host (informative)" pd1 mpi1 100 %.0f % "" \
		"GB/s of pd-task as a percentage of MPI's, this run"

tt_ns_skip() { # WHY STATUS
	row tube_throughput "pd-task, 2 namespace hosts (sealed TCP tube)" gb_per_s "$1" GB/s "" "$2" ""
	row tube_throughput "plain TCP between 2 namespaces (C)" gb_per_s "$1" GB/s "" "$2" ""
}
tt_ns_body() { # HOSTS
	TASK_HOSTS=$1
	local cfg="2 network-namespace hosts (veth + bridge), pd-serve --cpu 1 each; client namespace runs pd-task -H $1 -n 2 -t ring --args '$TT_SIZE $TT_NS_K $TT_W' throughput.so; nodes on different hosts (checked), tube sealed"
	if [ -z "${BUILT[throughput.so]:-}" ]; then
		row tube_throughput "pd-task, 2 namespace hosts (sealed TCP tube)" gb_per_s "${BUILD_ERR[throughput.so]}" GB/s "" FAILED "$cfg"
	elif repeat "$TT_REPS" tt_task client "$TT_NS_K"; then
		tt_row pd2 "pd-task, 2 namespace hosts (sealed TCP tube)" "$cfg"
	else
		row tube_throughput "pd-task, 2 namespace hosts (sealed TCP tube)" gb_per_s "$M_ERR" GB/s "" FAILED "$cfg"
	fi
	cfg="tests/bench/tcp_throughput.c: receiver in host namespace 0 on $NS_ADDR_0, sender in host namespace 1; K=$TT_NS_K"
	if [ -z "${BUILT[tcp_throughput]:-}" ]; then
		row tube_throughput "plain TCP between 2 namespaces (C)" gb_per_s "${BUILD_ERR[tcp_throughput]}" GB/s "" FAILED "$cfg"
	elif repeat "$TT_REPS" tt_tcp_ns "$TT_NS_K"; then
		tt_row tcp2 "plain TCP between 2 namespaces (C)" "$cfg"
	else
		row tube_throughput "plain TCP between 2 namespaces (C)" gb_per_s "$M_ERR" GB/s "" FAILED "$cfg"
	fi
}
ns_section 2 tt_ns_body tt_ns_skip
row tube_throughput "MPI between namespace hosts" gb_per_s \
	"not measured: mpiexec (hydra) would have to start a rank in each host namespace through ssh/rsh, which is not set up there" \
	GB/s "" skipped ""
ratio_row tube_throughput "pd-task / TCP, 2 hosts" pd2 tcp2 100 %.0f % ">=70" \
	"GB/s of pd-task as a percentage of plain TCP's between the same namespaces, this run"

# ------------------------------------------------ 6. heat equation

# PD_BENCH_HEAT="G STEPS" changes the grid (say so when reporting).
if [ -n "${PD_BENCH_HEAT:-}" ]; then
	read -r HEAT_G HEAT_S <<<"$PD_BENCH_HEAT"
fi
section 6 "Heat equation: ${HEAT_G}x${HEAT_G} grid, $HEAT_S steps, 1 node against 2 (local)" \
	"pd-task -n K -t line --oversubscribe --args '$HEAT_G $HEAT_S' heat.so > file, K = 1 and 2, embedded (PD_HOME=empty private dir)" \
	"wall time incl. start-up and writing the $((HEAT_G - 2)) output lines; median of $HEAT_REPS run(s), the cases in turns; every output is compared (cmp) with the reference" \
	"reference output: tests/jobs/heat_serial.c (the independent serial solver), else the first 1-node run"
[ -n "${PD_BENCH_HEAT:-}" ] && note "grid and steps set by PD_BENCH_HEAT='$PD_BENCH_HEAT', not the configuration asked (2048 500)"

heat_run() { # NODES|serial
	local what
	if [ "$1" = serial ]; then
		bounded local "$PDB" time "$T/time" "${BUILT[heat_serial]}" "$HEAT_G" "$HEAT_S" || return 1
		what="heat_serial"
	else
		bounded local "$PDB" time "$T/time" "$BIN/pd-task" -n "$1" -t line --oversubscribe \
			--args "$HEAT_G $HEAT_S" "$EX/heat.so" || return 1
		what="the $1-node output"
	fi
	if [ ! -s "$T/heat.ref" ]; then
		# No serial reference: the first run's output becomes it, once
		# its shape is right (G-2 lines of column number and G-2 values).
		if ! awk -v g="$HEAT_G" 'NF != g - 1 || $1 != NR { exit 1 } END { exit NR != g - 2 }' "$T/out"; then
			M_ERR="$what is not $((HEAT_G - 2)) lines of a column number and $((HEAT_G - 2)) values"
			return 1
		fi
		cp "$T/out" "$T/heat.ref"
	elif ! cmp -s "$T/out" "$T/heat.ref"; then
		M_ERR="$what differs from the reference ($(cmp "$T/out" "$T/heat.ref" 2>&1 | head -n 1))"
		return 1
	fi
	R_VAL=$(cat "$T/time")
}

heat_row() { # KEY CASE CONFIG
	fig_set "$1" "$M_MED"
	row heat "$2" wall_s "$M_MED" s "" ok "$3; grid=${HEAT_G}x$HEAT_G; steps=$HEAT_S; runs=$HEAT_REPS; all_s=$M_ALL" \
		"$(calc %.3f "$M_MED") s"
}

# The cases take turns (serial, 1 node, 2 nodes, and again), so that a
# drift in the machine's speed over the section weighs on all of them
# alike: the section's goals are ratios between them.
heat_cfg() { # CASE
	if [ "$1" = serial ]; then
		echo "tests/jobs/heat_serial.c $HEAT_G $HEAT_S (cc -O2), one process; its output is the reference"
	else
		echo "pd-task -n $1 -t line --oversubscribe --args '$HEAT_G $HEAT_S' heat.so"
	fi
}
heat_name() { # CASE
	case $1 in
	serial) echo "serial solver, no pd-task (reference)" ;;
	1) echo "pd-task, 1 node" ;;
	*) echo "pd-task, $1 nodes" ;;
	esac
}

rm -f "$T/heat.ref"
heat_cases=(1 2)
if [ -f tests/jobs/heat_serial.c ] && BLIBS=-lm bench_build heat_serial tests/jobs/heat_serial.c "${TCC[@]}"; then
	heat_cases=(serial 1 2)
else
	note "no serial reference (${BUILD_ERR[heat_serial]:-tests/jobs/heat_serial.c missing}): outputs are compared with the first 1-node run"
fi
declare -A HEAT_VALS=() HEAT_ERR=()
for ((hr = 1; hr <= HEAT_REPS; hr++)); do
	for k in "${heat_cases[@]}"; do
		[ -n "${HEAT_ERR[$k]:-}" ] && continue
		R_VAL="" M_ERR=""
		if PD_HOME=$T/home-task heat_run "$k"; then
			HEAT_VALS[$k]="${HEAT_VALS[$k]:-} $R_VAL"
		else
			HEAT_ERR[$k]="run $hr: $M_ERR"
		fi
	done
done
for k in "${heat_cases[@]}"; do
	if [ -n "${HEAT_ERR[$k]:-}" ]; then
		row heat "$(heat_name "$k")" wall_s "${HEAT_ERR[$k]}" s "" FAILED "$(heat_cfg "$k")"
		continue
	fi
	M_MED=$(printf '%s\n' ${HEAT_VALS[$k]} | median)
	M_ALL=$(echo ${HEAT_VALS[$k]})
	heat_row "$([ "$k" = serial ] && echo serial || echo "t$k")" "$(heat_name "$k")" "$(heat_cfg "$k"); the cases in turns"
	[ "$MODE" = full ] && [ "$k" = 1 ] && awk -v t="$M_MED" 'BEGIN { exit !(t > 60) }' &&
		note "a 1-node run takes more than 60 s here; PD_BENCH_HEAT='$HEAT_G STEPS' measures fewer steps"
done
[ -n "$(fig serial)" ] &&
	ratio_row heat "ratio t(1 node) / t(serial solver)" t1 serial 1 %.2f x "<=1.05" \
		"median wall time of pd-task with 1 node over that of the serial solver, this run"
ratio_row heat "speed-up t(1 node) / t(2 nodes)" t1 t2 1 %.2f x ">=1.9" \
	"median wall time with 1 node over that with 2, this run; $NCPU CPUs"
rm -f "$T/heat.ref" "$T/out"

# ------------------------------------------------ 7. optimisation

. tests/bench/opt.sh

# ---------------------------------------------------- 8. result cache

. tests/bench/cache.sh

# ------------------------------------------------ 9. commands

. tests/bench/exec.sh

# ------------------------------------------------ 10. scaling

. tests/bench/scale.sh

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
