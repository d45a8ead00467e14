#!/bin/sh
# tests/reliability/report.sh - issue 5's reliability report, the figures
# of `make reliability-report`: faults injected and their outcome (runs
# completed, records lost, duplicates), the load tests (throughput per
# client, server peak memory, half-open connections) and the fuzz targets
# (executions and crashes).  Each part is measured here, in this run:
#
#   1. tests/reliability/faults-report.sh  (fault tests on namespace hosts)
#   2. tests/reliability/load-report.sh    (16 clients; 1,000 half-open)
#   3. make fuzz FUZZ_SECONDS=$FUZZ_SECONDS (every libFuzzer target)
#   4. tests/reliability/attack-report.sh  (issue 12's attacks)
#
# then one summary table.  Needs root (network namespaces), a built tree
# and clang for the fuzz part.  Exit status: 0 when every part passed,
# else 1.  Environment: FUZZ_SECONDS (default 60), and those of the parts.
set -u
cd "$(dirname "$0")/../.." || exit 2
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
out=$(mktemp -d "${TMPDIR:-/tmp}/pd-report.XXXXXX") || exit 71
trap 'rm -rf "$out"' EXIT INT TERM

echo "== 1. faults"
sh tests/reliability/faults-report.sh >"$out/faults" 2>&1
faults_rc=$?
cat "$out/faults"
echo
echo "== 2. load"
bash tests/reliability/load-report.sh >"$out/load" 2>&1
load_rc=$?
cat "$out/load"
echo
echo "== 3. fuzz ($FUZZ_SECONDS s a target)"
make -s fuzz FUZZ_SECONDS="$FUZZ_SECONDS" >"$out/fuzz" 2>&1
fuzz_rc=$?
grep '^fuzz: ' "$out/fuzz" || tail -n 20 "$out/fuzz"
echo
echo "== 4. attacks"
sh tests/reliability/attack-report.sh >"$out/attacks" 2>&1
attacks_rc=$?
cat "$out/attacks"

# The figures, picked from what the parts printed.
pick() { sed -n "s/$2/\\1/p" "$out/$1" | head -n 1; }
verdict() { if [ "$1" -eq 0 ]; then echo pass; else echo FAIL; fi; }
# shellcheck disable=SC2016 # sed patterns
{
	echo
	echo "== reliability report"
	printf '%-34s %s\n' "faults injected" "$(pick faults '^faults injected: \(.*\)')"
	printf '%-34s %s\n' "runs that ended as they should" "$(pick faults '^runs ended as they should: \(.*\)')"
	printf '%-34s %s\n' "records" "$(pick faults '^records \(expected: .*\)')"
	printf '%-34s %s\n' "fault tests" "$(pick faults '^tests: \(.*\)') ($(verdict "$faults_rc"))"
	printf '%-34s %s\n' "load: records/s per client" "$(pick load '^  records\/s per client: \(.*\)')"
	printf '%-34s %s\n' "load: throughput max/min" "$(pick load '^  ratio max\/min: \(.*\)')"
	sed -n 's/^  host \([0-9]*\): pd-serve VmHWM \(.*\)/load: host \1 pd-serve peak memory	\2/p' "$out/load" |
		awk -F '\t' '{ printf "%-34s %s\n", $1, $2 }'
	printf '%-34s %s\n' "half-open: connections" "$(pick load '^  connections opened: \(.*\)')"
	printf '%-34s %s\n' "half-open: honest run completed" "$(pick load '^  honest run.* completed: \([a-z]*\).*')"
	printf '%-34s %s\n' "half-open: pd-serve memory" "$(pick load '^  pd-serve \(VmHWM before .*\)')"
	printf '%-34s %s\n' "load tests" "$(verdict "$load_rc")"
	sed -n 's/^fuzz: \([a-z]*\) execs=\([0-9]*\) crashes=\([0-9]*\) seconds=\([0-9]*\)/fuzz: \1	\2 executions in \4 s, \3 crashes/p' "$out/fuzz" |
		awk -F '\t' '{ printf "%-34s %s\n", $1, $2 }'
	printf '%-34s %s\n' "fuzzing" "$(verdict "$fuzz_rc")"
	sed -n 's/^attack: \(.*\)	\(.*\)/attack: \2	\1/p' "$out/attacks" |
		awk -F '\t' '{ printf "%-34s %s\n", $1, $2 }'
	sed -n 's/^figure: \([^:]*\): \(.*\)/\1	\2/p' "$out/attacks" |
		awk -F '\t' '{ printf "%-34s %s\n", $1, $2 }'
	printf '%-34s %s\n' "attacks" "$(pick attacks '^attacks: \(.*\)') ($(verdict "$attacks_rc"))"
}
[ "$faults_rc" -eq 0 ] && [ "$load_rc" -eq 0 ] && [ "$fuzz_rc" -eq 0 ] && [ "$attacks_rc" -eq 0 ]
