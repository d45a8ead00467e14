# faults.bash - what the fault-injection and multi-host tests share
# (faults.bats, multihost*.bats): their set-up on network namespaces, the
# checks that say what went wrong (f_status, f_same, f_has), f_diag for a
# failed test, and fault_record for the reliability report
# (tests/reliability/faults-report.sh).  Load with `load helpers/faults`
# after helpers/netns.
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

# f_ns_setup N: N pd-serve namespaces (netns_setup) for a test, with BIN
# (the tools), EX (the examples) and T (the test's directory) set.
f_ns_setup() {
	unset PD_HOSTS
	BIN=$(_ns_bin)
	EX=$(cd "$BIN/../examples" && pwd)
	T=$BATS_TEST_TMPDIR
	netns_setup "$1"
}

# On failure: what the tools said, and every server's log.
f_diag() {
	local f i

	for f in "$T"/*.err; do
		[ -s "$f" ] || continue
		echo "--- $(basename "$f"):"
		head -n 30 "$f"
	done
	for ((i = 0; i < ${NS_N:-0}; i++)); do
		f=$(netns_server_log "$i")
		[ -s "$f" ] && { echo "--- host $i server log:"; tail -n 30 "$f"; }
	done
	for f in "${NS_DIR:-/nonexistent}/c/log" "${PD_LOG:-/nonexistent}"; do
		[ -s "$f" ] && { echo "--- $f:"; tail -n 30 "$f"; }
	done
	return 0
}

# f_status WANT GOT WHAT: fail unless GOT is WANT; name a hang or a crash.
f_status() {
	if [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
		echo "$3: timed out after ${F_TIMEOUT}s (a hang), expected status $1"
		return 1
	fi
	if [ "$2" -gt 128 ]; then
		echo "$3: crashed with signal $(($2 - 128)), expected status $1"
		return 1
	fi
	[ "$2" -eq "$1" ] || { echo "$3: exit status $2, expected $1"; return 1; }
}

# f_same WHAT EXPECTED GOT: fail with a diff unless the files are equal.
f_same() {
	if ! cmp -s "$2" "$3"; then
		echo "$1: differs from the expected ($(wc -l <"$2") lines expected, $(wc -l <"$3") got):"
		diff "$2" "$3" | head -n 20
		return 1
	fi
}

# f_has WHAT FILE TEXT: fail unless FILE contains TEXT (fixed string).
f_has() {
	grep -qF -- "$3" "$2" && return 0
	echo "$1: '$3' not found in $2:"
	head -n 20 "$2"
	return 1
}
