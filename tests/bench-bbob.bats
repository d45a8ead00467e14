#!/usr/bin/env bats
# `make bench-bbob` (tests/bench/bbob.sh) at a tiny size, so that the
# harness cannot rot: every optimiser runs on the same C functions, the
# table agrees with the runs it reports, and the ECDF is drawn.  Nothing
# is timed or judged here.

setup() {
	B=${B:-build}
	case $B in /*) ;; *) B=$BATS_TEST_DIRNAME/../$B ;; esac
	export B
	# An ASan-built bbob.so needs the ASan runtime in python, which scipy
	# (imported by DEAP) does not survive: the bench is the normal build's.
	[[ $B != *san* ]] || skip "sanitizer build: python cannot load an ASan-built bbob.so beside scipy"
	PY=${PYTHON:-/usr/bin/python3}
	"$PY" -c 'import numpy' 2>/dev/null || skip "no numpy for $PY (apt-get install python3-numpy)"
}

@test "bench-bbob: a tiny run (2-D, f1 and f8, 1000 evaluations) reports every optimiser's runs consistently" {
	out=$BATS_TEST_TMPDIR/out
	BBOB_OUT=$out BBOB_DIM=2 BBOB_FUNCS=1,8 BBOB_INSTANCES=1-2 BBOB_BUDGET=500 PD_BENCH_NO_INSTALL=1 \
		run timeout 300 sh "$BATS_TEST_DIRNAME/bench/bbob.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *FAILED* ]]
	opts=$(head -n 1 <<<"$(sed -n '/^f  *function/p' "$out/table.txt")" | awk '{ for (i = 3; i <= NF; i++) print $i }')
	[[ $opts == *pdopt-ipop* && $opts == *pdopt-nbipop* ]]
	for m in cmaes deap; do
		if "$PY" -c "import $m" 2>/dev/null; then [[ $opts == *$m* ]]; else grep -q "^$m skipped" "$out/table.txt"; fi
	done
	n=$(wc -w <<<"$opts")
	# one line per (optimiser, function, instance)
	[ "$(tail -n +2 "$out/runs.tsv" | wc -l)" -eq $((n * 2 * 2)) ]
	# the table's "solved" and ERT, recomputed from runs.tsv with awk
	k=0
	for o in $opts; do
		k=$((k + 1))
		for f in 1 8; do
			want=$(awk -F'\t' -v o=$o -v f=$f '$1 == o && $2 == f { s += $5; e += $6; r++ }
				END { printf "%d/%d %s", s, r, s ? sprintf("%.0f", e / s) : "inf" }' "$out/runs.tsv")
			got=$(awk -v f="f$f" -v k=$k '$1 == f { print $(2 + 2 * k - 1), $(2 + 2 * k) }' "$out/table.txt")
			[ "$got" = "$want" ] || { echo "$o f$f: table $got, runs $want"; false; }
		done
	done
	# f1 (the sphere) in 2-D is solved by every CMA-ES within 1000 evaluations
	[ "$(awk -F'\t' '$2 == 1 && $5 != 1' "$out/runs.tsv" | wc -l)" -eq 0 ]
	# the ECDF: well-formed SVG, one curve per optimiser
	"$PY" -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(len(d.getElementsByTagName("polyline")))' \
		"$out/ecdf.svg" >"$BATS_TEST_TMPDIR/np"
	[ "$(cat "$BATS_TEST_TMPDIR/np")" -eq "$n" ]
}

@test "bench-bbob: a setting out of range is refused (64) before any run, naming it" {
	out=$BATS_TEST_TMPDIR/out
	for bad in "BBOB_INSTANCES=1,16|16 is out of range 1-15 (pd-opt's jobs in bbob.so are fF_iI" \
		"BBOB_FUNCS=0-2|0 is out of range 1-24" "BBOB_DIM=41|41 is out of range 2-40" \
		"BBOB_INSTANCES=1-x|want numbers and ranges" "BBOB_DIM=2,3|want one dimension" \
		"BBOB_BUDGET=0|want 1 or more" "BBOB_SEED=x|want a whole number"; do
		set="${bad%%|*}" want="${bad#*|}"
		BBOB_OUT=$out PD_BENCH_NO_INSTALL=1 run env "$set" sh "$BATS_TEST_DIRNAME/bench/bbob.sh"
		echo "$set: $status $output"
		[ "$status" -eq 64 ]
		[[ $output == *"bench-bbob: $set: "*"$want"* ]]
		[ ! -e "$out/runs.tsv" ]
	done
}
