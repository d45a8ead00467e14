# tests/bench/cache.sh - section [8] of the benchmarks: pd-map --cache.
#
# Sourced by tests/bench/run.sh after section [7]; uses its helpers
# (section, row, note, measure, calc, fig_set, ratio_row) and settings
# (MODE, B, BIN, EX, T).
#
# A sweep of N records (100,000; 2,000 with --smoke) run twice with
# --cache, the second time with 10 % of its records new (one new record
# after every 9 old ones; the last old ones dropped to keep N), each run
# on 2 slots, embedded, starting from an empty cache.  Two kinds of job:
#   (a) slowsquare.so (tests/jobs/slowsquare.c): record "X 0.1" sleeps
#       0.1 ms and prints X squared: a job with about 100 us of work;
#   (b) sum.so: trivial records, where the cache's own cost shows.
# For each: the first sweep without --cache (the baseline), the first
# sweep with --cache (empty cache: every result computed and stored), the
# second sweep with --cache, and the ratio second / first.  Every run's
# output is checked against awk's (cksum of the ordered output).

if [ "$MODE" = smoke ]; then
	CA_N=2000
else
	CA_N=100000
fi

section 8 "Result cache: a sweep of $CA_N records run twice with --cache, 10% new the second time" \
	"pd-map -c 2 --cache JOB < sweep > file, embedded, PD_HOME=a private dir whose cache starts empty" \
	"second sweep: one new record after every 9 old ones, $CA_N records in all; one run each; outputs checked"

# ca_inputs FIRST SECOND ARGS: X ARGS for X = 1..N, then the second sweep.
ca_inputs() {
	seq 1 "$CA_N" | awk -v a="$3" '{ print $1 "\t" a }' >"$1"
	awk -v n="$CA_N" -v a="$3" 'NR % 9 == 0 { print n + NR "\t" a } { print }' "$1" | head -n "$CA_N" >"$2"
}

# ca_case KEY LABEL JOB AWK-EXPR: the four rows for one job.
ca_case() {
	local key=$1 label=$2 job=$3 expr=$4 home=$T/home-cache-$1 e1 e2 cfg
	ca_inputs "$T/ca1.in" "$T/ca2.in" "$5"
	# printf: mawk prints big products in %.6g, pd-map whole
	e1=$(awk "{ printf \"%.0f\\n\", $expr }" "$T/ca1.in" | cksum)
	e2=$(awk "{ printf \"%.0f\\n\", $expr }" "$T/ca2.in" | cksum)
	rm -rf "$home" && mkdir -p "$home" && chmod 700 "$home"
	cfg="pd-map -c 2 $(basename "$job") < first sweep (no --cache)"
	if PD_HOME=$home measure 1 "$T/ca1.in" "$e1" 0 "$BIN/pd-map" -c 2 "$job"; then
		row cache "$label: first sweep, no --cache" wall_s "$M_MED" s "" ok "$cfg; N=$CA_N"
	else
		row cache "$label: first sweep, no --cache" wall_s "$M_ERR" s "" FAILED "$cfg"
	fi
	cfg="pd-map -c 2 --cache $(basename "$job") < first sweep (empty cache)"
	if PD_HOME=$home measure 1 "$T/ca1.in" "$e1" 0 "$BIN/pd-map" -c 2 --cache "$job"; then
		fig_set "ca1$key" "$M_MED"
		row cache "$label: first sweep, --cache" wall_s "$M_MED" s "" ok "$cfg; N=$CA_N"
	else
		row cache "$label: first sweep, --cache" wall_s "$M_ERR" s "" FAILED "$cfg"
	fi
	cfg="pd-map -c 2 --cache $(basename "$job") < second sweep (10% new)"
	if PD_HOME=$home measure 1 "$T/ca2.in" "$e2" 0 "$BIN/pd-map" -c 2 --cache "$job"; then
		if grep -q -- "--cache: $((CA_N - CA_N / 10)) of $CA_N records from the cache" "$T/err"; then
			fig_set "ca2$key" "$M_MED"
			row cache "$label: second sweep, --cache" wall_s "$M_MED" s "" ok "$cfg; N=$CA_N"
		else
			row cache "$label: second sweep, --cache" wall_s "not 90% from the cache: $(tail -n 1 "$T/err")" \
				s "" FAILED "$cfg"
		fi
	else
		row cache "$label: second sweep, --cache" wall_s "$M_ERR" s "" FAILED "$cfg"
	fi
	ratio_row cache "$label: ratio second / first" "ca2$key" "ca1$key" 1 %.3f x "" \
		"wall time of the second --cache sweep over the first's, this run"
}

if [ -f tests/jobs/slowsquare.c ] && BLIBS=-lm bench_build slowsquare.so tests/jobs/slowsquare.c \
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -shared -fPIC -Ilib; then
	ca_case slow "(a) 0.1 ms records" "${BUILT[slowsquare.so]}" '$1 * $1' 0.1
else
	row cache "(a) 0.1 ms records" wall_s "${BUILD_ERR[slowsquare.so]:-tests/jobs/slowsquare.c missing}" s "" \
		FAILED "slowsquare.so"
fi
ca_case triv "(b) trivial records" "$EX/sum.so" '$1 + $2' 3
rm -f "$T/ca1.in" "$T/ca2.in"
