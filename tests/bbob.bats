#!/usr/bin/env bats
# The BBOB functions of share/examples/bbob (COCO's 24 noiseless
# functions): f(x_opt) = f_opt everywhere, values equal to a second
# implementation (tests/bbob/bbob_ref.py, numpy) and to values derived by
# hand, and the job as pd-opt runs it.

setup() {
	B=${B:-build}
	case $B in /*) ;; *) B=$BATS_TEST_DIRNAME/../$B ;; esac
	CHECK=$B/tests/bbob-check
	SO=$B/examples/bbob.so
	PY=${PYTHON:-/usr/bin/python3}
	export PD_HOME=$BATS_TEST_TMPDIR/pdhome
	mkdir -p "$PD_HOME"
}

# "F INST DIM x..." on stdin to bbob-check eval; prints the value.
val() {
	echo "$*" | "$CHECK" eval
}

# Exit 0 when $1 and $2 agree to 1e-12 relative.
close() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b;
		if (m < 1) m = 1; exit !(d <= 1e-12 * m) }' || { echo "got $1, want $2"; return 1; }
}

@test "bbob: f(x_opt) = f_opt and nothing lower nearby, f1-f24, instances 1-15, 2 5 10 20-D" {
	run "$CHECK" opt 2 5 10 20
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1440 problems checked, 0 failed" ]
}

@test "bbob: f_opt of instance 1 are COCO's (-209.88 for f2, 1000 for f15 ...)" {
	# COCO's f_opt of instance 1 of the bbob suite, f1 to f24, as its
	# experiments report them; they test the generator and its seeds
	# (f4 and f18 share f3's and f17's) and the rounding and clipping.
	want="79.48 -209.88 -462.09 -462.09 -9.21 35.9 92.94 149.15 123.83 -54.94 76.27 -621.11
29.97 -52.35 1000 71.35 -16.94 -16.94 -102.55 -546.5 40.78 -1000 6.87 102.61"
	f=1
	for w in $want; do
		got=$("$CHECK" info $f 1 10 | head -n 1)
		close "$got" "$w"
		f=$((f + 1))
	done
	[ $f -eq 25 ]
}

@test "bbob: values derived by hand at x = 0 (f5, f9, f19, f20) in 2 and 10-D" {
	for d in 2 10; do
		zero=$(printf ' 0%.0s' $(seq $d))
		# f5: sum 5 * 10^(i/(D-1)) + f_opt (|s_i| = 10^(i/(D-1)))
		want=$(awk -v d=$d 'BEGIN { for (i = 0; i < d; i++) s += 5 * 10 ^ (i / (d - 1));
			printf "%.17g", s - 9.21 }')
		close "$(val 5 1 $d $zero)" "$want"
		# f9: z = 0.5 whatever the rotation: (D-1) (100 (0.25-0.5)^2 + 0.25)
		close "$(val 9 1 $d $zero)" "$(awk -v d=$d 'BEGIN { printf "%.17g", 6.5 * (d - 1) + 123.83 }')"
		# f19: z = 0.5, s = 6.5 in every term: 10 + 10 (6.5/4000 - cos 6.5)
		close "$(val 19 1 $d $zero)" \
			"$(awk 'BEGIN { printf "%.17g", 10 + 10 * (6.5 / 4000 - cos(6.5)) - 102.55 }')"
		# f20: x_hat = 0, z_0 = 0, z_i = 100 c (1 - 1.25 * 10^(i/(2(D-1))))
		# with c = 4.2096874637, whatever the signs of x_opt
		want=$(awk -v d=$d 'BEGIN { c = 4.2096874637; s = 0; p = 0
			for (i = 1; i < d; i++) { z = 100 * c * (1 - 1.25 * 10 ^ (0.5 * i / (d - 1)))
				a = z < 0 ? -z : z; s += z * sin(sqrt(a)); if (a > 500) p += (a - 500) ^ 2 }
			printf "%.17g", 0.01 * (p + 418.9828872724339 - s / d) - 546.5 }')
		close "$(val 20 1 $d $zero)" "$want"
	done
}

@test "bbob: values equal a numpy implementation to 1e-12, f1-f24, instances 1-15, 2 5 10 20-D" {
	"$PY" -c 'import numpy' 2>/dev/null || skip "no numpy for $PY (apt-get install python3-numpy)"
	run "$PY" "$BATS_TEST_DIRNAME/bbob/bbob_ref.py" "$CHECK"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "5760 values compared, 0 differ"* ]]
}

@test "bbob: bad arguments are named" {
	run "$CHECK" info 25 1 10
	[ "$status" -eq 64 ]
	[ "$output" = "bbob-check: function 25 out of range 1-24" ]
	run "$CHECK" info 1 1 41
	[ "$status" -eq 64 ]
	[ "$output" = "bbob-check: dimension 41 out of range 2-40" ]
	run "$CHECK" eval <<<"1 0 2 0 0"
	[ "$status" -eq 65 ]
	[ "$output" = "bbob-check: line 1: instance 0 out of range 1-100000" ]
	run "$CHECK" eval <<<"1 1 3 0 0"
	[ "$status" -eq 65 ]
	[[ $output == "bbob-check: line 1: want F INST DIM"* ]]
}

@test "bbob job: pd-opt reaches f_opt + 1e-8 on bbob.so:f1_i2, and its value is the function's" {
	fopt=$("$CHECK" info 1 2 5 | head -n 1)
	target=$(awk -v f="$fopt" 'BEGIN { printf "%.17g", f + 1e-8 }')
	run timeout 120 "$B/bin/pd-opt" -q -n 1 --dim 5 --bounds -5:5 --seed 3 --target "$target" "$SO:f1_i2"
	echo "$output"
	[ "$status" -eq 0 ]
	fit=$(sed -n 's/^fitness=//p' <<<"$output")
	awk -v f="$fit" -v t="$target" 'BEGIN { exit !(f <= t) }'
	# the printed point, evaluated again outside Playdoh, gives the
	# printed fitness bit for bit
	x=$(sed -n 's/^x[0-9]*=//p' <<<"$output" | tr '\n' ' ')
	[ "$(val 1 2 5 $x)" = "$fit" ]
	# fF is instance 1, a different function from f1_i2
	run timeout 60 "$B/bin/pd-opt" -q -n 1 --dim 2 --bounds -5:5 --max-evals 40 "$SO:f8"
	[ "$status" -eq 0 ]
	x=$(sed -n 's/^x[0-9]*=//p' <<<"$output" | tr '\n' ' ')
	[ "$(val 8 1 2 $x)" = "$(sed -n 's/^fitness=//p' <<<"$output")" ]
}
