# tests/bench/alone.sh - the start and the end of a section script
# (tests/bench/opt.sh, tests/bench/scale.sh) run alone, not sourced by
# tests/bench/run.sh.
#
# Sourced by such a script, in bash, after it has parsed its options, with
# MODE (full or smoke), ALONE_NAME (its results file is
# $B/bench-ALONE_NAME[-smoke]-results.txt unless BENCH_OUT says) and
# ALONE_TITLE (the banner's "Playdoh-C benchmarks, TITLE") set.  Sets what
# run.sh would have (ROOT, B, BIN, EX, TMO, OUT, T, PDB; the failures file
# and the results file's header), takes run.sh's own table and namespace
# helpers and its pdbench build, and prints a banner.  The script ends
# with alone_end: the failures, if any, and the exit status.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
BIN=$B/bin EX=$B/examples TMO=120
OUT=${BENCH_OUT:-$B/bench-$ALONE_NAME$([ "$MODE" = smoke ] && echo -smoke)-results.txt}
export LC_ALL=C
unset PD_HOSTS
T=$(mktemp -d "/tmp/pdbench.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
# The helpers, and the timing helper's build, are run.sh's own.
eval "$(sed -n '/^section() {/,/^}/p; /^row() {/,/^}/p; /^note() /p; /^median() /p; /^calc() /p
	/^ns_section() {/,/^}/p; /^descendants() {/,/^}/p; /^fig_set() /p; /^fig() /p
	/^PDB=\$B\/bench\/pdbench$/,/^fi$/p' tests/bench/run.sh)"
if ! declare -F row >/dev/null 2>&1 || ! declare -F section >/dev/null 2>&1 || [ ! -x "${PDB:-}" ]; then
	echo "bench: cannot take the helpers from tests/bench/run.sh" >&2
	exit 2
fi
: >"$T/failures"
mkdir -p "$(dirname "$OUT")"
printf 'bench\tcase\tmetric\tvalue\tunit\tgoal\tstatus\tconfig\n' >"$OUT"
printf 'Playdoh-C benchmarks, %s (%s mode) - %s\n' "$ALONE_TITLE" "$MODE" "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
printf '  machine: %s CPUs; load average at start: %s; results: %s\n' "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" "$OUT"

# The end of a script run alone: its failures and exit status.
alone_end() {
	echo
	if [ -s "$T/failures" ]; then
		echo "bench: $(wc -l <"$T/failures") benchmark(s) FAILED their run or correctness check:"
		sed 's/^/  /' "$T/failures"
		exit 1
	fi
	echo "bench: all runs completed and their outputs checked; results in $OUT"
	exit 0
}
