#!/bin/sh
# faults-report.sh - run the fault-injection tests and print what they saw:
# one row per fault injected (the run's fate, records expected and seen,
# results lost and duplicated, counted from the actual outputs by
# fault_record in tests/helpers/faults.bash), then the totals.
#
#   sh tests/reliability/faults-report.sh [BATS-FILE...]
#
# Run from the top of the source tree after `make` (B=build-san for the
# sanitizer build).  Needs root for the network namespaces, as make check.
# Exit status: that of bats (0 when every test passed).
set -u

files=${*:-tests/faults.bats tests/multihost.bats tests/multihost-opt.bats tests/multihost-task.bats tests/detach.bats}
report=$(mktemp "${TMPDIR:-/tmp}/pd-faults.XXXXXX") || exit 71
log=$report.tap
trap 'rm -f "$report" "$log"' EXIT INT TERM

# shellcheck disable=SC2086 # one file a word
PD_FAULT_REPORT=$report bats --jobs 4 --no-parallelize-within-files $files >"$log" 2>&1
st=$?

skipped=$(grep -c '^ok .* # skip' "$log")
failed=$(grep -c '^not ok ' "$log")
passed=$(($(grep -c '^ok ' "$log") - skipped))

awk -F '\t' -v passed="$passed" -v failed="$failed" -v skipped="$skipped" '
	BEGIN {
		printf "%-28s %-48s %5s %8s %6s %5s %5s\n", "fault", "scenario", "ended", "expected", "seen", "lost", "dups"
	}
	NF == 7 {
		printf "%-28s %-48s %5s %8d %6d %5d %5d\n", $1, $2, $3 ? "ok" : "NO", $4, $5, $6, $7
		n++; ok += $3; want += $4; seen += $5; lost += $6; dup += $7
	}
	END {
		printf "\nfaults injected: %d\nruns ended as they should: %d of %d\n", n, ok, n
		printf "records expected: %d, seen: %d, lost: %d, duplicated: %d\n", want, seen, lost, dup
		printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
	}' "$report"
if [ "$skipped" -gt 0 ]; then
	echo "skipped (not measured):"
	grep '^ok .* # skip' "$log" | sed 's/^ok [0-9]* /  /'
fi
if [ "$failed" -gt 0 ]; then
	echo "failed tests:"
	grep '^not ok ' "$log" | sed 's/^not ok [0-9]* /  /'
fi
exit "$st"
