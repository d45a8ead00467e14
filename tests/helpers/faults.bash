# faults.bash - fault_record, for the reliability report
# (tests/reliability/faults-report.sh).  Load with `load helpers/faults`.
#
#   fault_record FAULT SCENARIO COMPLETED EXPECTED ACTUAL
#
# When $PD_FAULT_REPORT names a file, append one line to it:
#   FAULT TAB SCENARIO TAB COMPLETED TAB EXPECTED TAB SEEN TAB LOST TAB DUPLICATES
# computed from two files of result lines, one per record: EXPECTED (from
# a run without the fault) and ACTUAL (from the run with it).  LOST counts
# expected lines missing from ACTUAL (a wrong result counts as lost),
# DUPLICATES the extra copies of expected lines.  COMPLETED is 1 when the
# run ended as it should: it finished, or, where finishing is impossible
# (a pd-task node lost), it failed cleanly with the expected message; 0
# otherwise.  Never fails the calling test.
fault_record() {
	[ -n "${PD_FAULT_REPORT:-}" ] || return 0
	awk -v fault="$1" -v scen="$2" -v done="$3" '
		FILENAME == ARGV[1] { want[$0]++; nwant++; next }
		{ got[$0]++; ngot++ }
		END {
			for (l in want) {
				d = got[l] - want[l]
				if (d > 0) dup += d; else lost -= d
			}
			printf "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", fault, scen, done, nwant, ngot, lost, dup
		}' "${4:-/dev/null}" "${5:-/dev/null}" >>"$PD_FAULT_REPORT" 2>/dev/null || true
}
