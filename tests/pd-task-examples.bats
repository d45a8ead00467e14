#!/usr/bin/env bats
# Acceptance examples of pd-task: the paper's two task examples,
# share/examples/pi.c (Monte Carlo pi, independent nodes) and
# share/examples/heat.c (heat equation, neighbours exchanging columns
# through the tubes of -t line), checked against serial programs written
# without Playdoh (tests/jobs/pi_serial.c, tests/jobs/heat_serial.c).
#
# Every test has a private $PD_HOME with no hosts file (pd_setup), so the
# tasks run on this machine only, and every pd-task call is bounded by
# $PD_RUN_TIMEOUT (pdrun / pdrun_to; helpers/common.bash).

load helpers/common

setup() {
	pd_setup
	PD_TASK="$B/bin/pd-task"
}

teardown() {
	pd_teardown
}

# build_refs: compile the serial references into $T.
build_refs() {
	local p
	for p in pi_serial heat_serial; do
		cc -std=c11 -Wall -Wextra -Werror -O2 "$BATS_TEST_DIRNAME/jobs/$p.c" -o "$T/$p" -lm
	done
}

# pi_estimate FILE: print 4 * sum(COUNT) / sum(N) of the "COUNT N" lines
# in FILE; fail when it is not within 0.01 of pi.
pi_estimate() {
	awk '{ c += $1; n += $2 }
	END {
		if (n == 0) { print "no points"; exit 1 }
		e = 4 * c / n; d = e - 3.141592653589793
		if (d < 0) d = -d
		printf "estimate %.6f\n", e
		exit !(d <= 0.01)
	}' "$1"
}

# same_columns WANT GOT: GOT has the lines of WANT ("c v_1 ... v_n"),
# each with as many fields, the same column number c, and every value
# within 1e-12 * max(1, |v|) of WANT's.  Prints the first differences.
same_columns() {
	awk '
	function abs(x) { return x < 0 ? -x : x }
	function fail(msg) { if (++bad <= 10) print msg }
	FILENAME == ARGV[1] { nw = FNR; nf[FNR] = NF; for (i = 1; i <= NF; i++) w[FNR, i] = $i; next }
	{
		ng = FNR
		if (FNR > nw) { fail("line " FNR ": not expected: " substr($0, 1, 60)); next }
		if (NF != nf[FNR]) { fail("line " FNR ": " NF " fields, expected " nf[FNR]); next }
		if ($1 + 0 != w[FNR, 1] + 0) fail("line " FNR ": column " $1 ", expected " w[FNR, 1])
		for (i = 2; i <= NF; i++) {
			v = w[FNR, i] + 0; m = abs(v) > 1 ? abs(v) : 1
			if (abs($i - v) > 1e-12 * m)
				fail("line " FNR " field " i ": " $i ", expected " w[FNR, i])
		}
	}
	END {
		if (ng != nw) fail(ng + 0 " lines, expected " nw)
		exit bad > 0
	}' "$1" "$2"
}

# hmax FILE: the largest value in heat output FILE.
hmax() {
	awk '{ for (i = 2; i <= NF; i++) if ($i + 0 > m) m = $i + 0 } END { printf "%.17g\n", m }' "$1"
}

@test "the serial references: pi near 3.14159, heat symmetric and decaying" {
	build_refs
	"$T/pi_serial" 1000000 42 4 >"$T/pi"
	[ "$(wc -l <"$T/pi")" -eq 4 ]
	[ "$(grep -c -v '^[0-9][0-9]* 1000000$' "$T/pi")" -eq 0 ]
	pi_estimate "$T/pi"
	# Streams differ between nodes and seeds.
	[ "$(sort -u "$T/pi" | wc -l)" -eq 4 ]
	[ "$("$T/pi_serial" 1000 42 2)" != "$("$T/pi_serial" 1000 43 2)" ]

	for s in 0 60 600; do
		"$T/heat_serial" 40 "$s" >"$T/h$s"
		[ "$(wc -l <"$T/h$s")" -eq 38 ]
		[ "$(awk '{ print NF }' "$T/h$s" | sort -u)" = 39 ]
		[ "$(cut -d ' ' -f 1 "$T/h$s" | tr '\n' ' ')" = "$(seq 1 38 | tr '\n' ' ')" ]
	done
	# Symmetric in columns c and G-1-c, and in rows and columns, up to
	# rounding; the maximum decays with the steps.
	for s in 0 60 600; do
		awk '
		function abs(x) { return x < 0 ? -x : x }
		{ for (i = 2; i <= NF; i++) v[$1, i - 1] = $i; n = NR }
		END {
			for (c = 1; c <= n; c++) for (r = 1; r <= n; r++) {
				if (abs(v[c, r] - v[n + 1 - c, r]) > 1e-12) { print "asymmetric at", c, r; exit 1 }
				if (abs(v[c, r] - v[r, c]) > 1e-12) { print "not transposable at", c, r; exit 1 }
				if (v[c, r] + 0 <= 0) { print "not positive at", c, r; exit 1 }
			}
		}' "$T/h$s"
	done
	a=$(hmax "$T/h0") b=$(hmax "$T/h60") c=$(hmax "$T/h600")
	echo "max: $a $b $c"
	awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { exit !(a > b && b > c && c > 0) }'
}

@test "pi: 4 nodes x 10^6 points, one args line each: the counts of pi_serial, pi within 0.01" {
	build_refs
	printf '1000000 42\n%.0s' 1 2 3 4 >"$T/args"
	pdrun_to "$T/out" "$PD_TASK" -n 4 -t none --oversubscribe "$EX/pi.so" <"$T/args"
	show "$T/out.err"
	[ "$status" -eq 0 ]
	"$T/pi_serial" 1000000 42 4 >"$T/want"
	diff "$T/want" "$T/out"
	pi_estimate "$T/out"
}

@test "pi: --args gives every node the same line, TASK.so:NAME names the task" {
	build_refs
	pdrun "$PD_TASK" -n 3 -t none --oversubscribe --args '20000 7' "$EX/pi.so:pi" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$("$T/pi_serial" 20000 7 3)" ]
}

@test "pi: bad args fail the task with the node's message" {
	printf '1000 1\n12x 1\n' >"$T/args"
	pdrun "$PD_TASK" -n 2 -t none --oversubscribe "$EX/pi.so" <"$T/args"
	[ "$status" -ne 0 ]
	[[ $stderr == *"bad N"* ]]
	pdrun "$PD_TASK" -n 1 --args '10 1 extra' "$EX/pi.so" </dev/null
	[ "$status" -ne 0 ]
	[[ $stderr == *"extra text after SEED"* ]]
}

@test "heat on 1, 2, 3 and 4 nodes (-t line): heat_serial's columns to 1e-12" {
	build_refs
	"$T/heat_serial" 40 60 >"$T/want"
	[ "$(wc -l <"$T/want")" -eq 38 ]
	for n in 1 2 3 4; do
		echo "# $n nodes"
		pdrun_to "$T/out$n" "$PD_TASK" -n "$n" -t line --oversubscribe --args '40 60' "$EX/heat.so" </dev/null
		show "$T/out$n.err"
		[ "$status" -eq 0 ]
		[ "$(wc -l <"$T/out$n")" -eq 38 ]
		[ "$(awk '{ print NF }' "$T/out$n" | sort -u)" = 39 ]
		same_columns "$T/want" "$T/out$n"
	done
}

@test "heat through shared-memory tubes and through sockets (PD_TUBES=socket): the same bytes, heat_serial's columns" {
	build_refs
	"$T/heat_serial" 40 60 >"$T/want"
	pdrun_to "$T/shm" "$PD_TASK" -n 4 -t line --oversubscribe --args '40 60' "$EX/heat.so" </dev/null
	show "$T/shm.err"
	[ "$status" -eq 0 ]
	PD_TUBES=socket pdrun_to "$T/sock" "$PD_TASK" -n 4 -t line --oversubscribe --args '40 60' "$EX/heat.so" </dev/null
	show "$T/sock.err"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/shm")" -eq 38 ]
	cmp "$T/shm" "$T/sock"
	same_columns "$T/want" "$T/shm"
}

@test "heat: the same args on every stdin line work as --args does" {
	build_refs
	"$T/heat_serial" 12 25 >"$T/want"
	printf '12 25\n12 25\n12 25\n' >"$T/args"
	pdrun_to "$T/out" "$PD_TASK" -n 3 -t line --oversubscribe "$EX/heat.so" <"$T/args"
	show "$T/out.err"
	[ "$status" -eq 0 ]
	same_columns "$T/want" "$T/out"
}

@test "heat: without -t line the nodes refuse to run, saying so" {
	pdrun "$PD_TASK" -n 2 -t none --oversubscribe --args '40 60' "$EX/heat.so" </dev/null
	[ "$status" -ne 0 ]
	[[ $stderr == *"-t line"* ]]
	# More nodes than inside columns.
	pdrun "$PD_TASK" -n 3 -t line --oversubscribe --args '4 10' "$EX/heat.so" </dev/null
	[ "$status" -ne 0 ]
	[[ $stderr == *"fewer than the 3 nodes"* ]]
}

# wave_serial N STEPS: share/examples/wave.c's formulas on the whole
# periodic domain at once, in Python (IEEE doubles, the same operations in
# the same order, the same libm exp), one "i u_i" line per point.
wave_serial() {
	python3 - "$1" "$2" <<'PY'
import math, sys
n, steps = int(sys.argv[1]), int(sys.argv[2])
u = [math.exp(-100.0 * (i / n - 0.5) * (i / n - 0.5)) for i in range(n)]
p = list(u)
for s in range(steps):
    nx = [2.0 * u[i] - p[i] + 0.5 * (u[i - 1] - 2.0 * u[i] + u[(i + 1) % n]) for i in range(n)]
    p, u = u, nx
for i in range(n):
    print("%d %.17g" % (i, u[i]))
PY
}

@test "wave on 1, 2, 3 and 5 nodes (-t ring2): a serial solver's values, every digit" {
	wave_serial 64 150 >"$T/serial"
	# the wave has moved: the serial run is not the initial bump
	[ "$(wave_serial 64 0)" != "$(cat "$T/serial")" ]
	[ "$(wc -l <"$T/serial")" -eq 64 ]
	for n in 1 2 3 5; do
		pdrun_to "$T/out$n" "$PD_TASK" -n "$n" -t ring2 --oversubscribe --args '64 150' "$EX/wave.so" </dev/null
		[ "$status" -eq 0 ] || { cat "$T/out$n.err"; false; }
		diff "$T/serial" "$T/out$n"
	done
	# a one-way ring lacks the tubes back: the nodes say so
	pdrun "$PD_TASK" -n 2 -t ring --oversubscribe --args '64 10' "$EX/wave.so" </dev/null
	[ "$status" -eq 1 ]
	[[ $stderr == *"lacks tubes 'left' and 'right' both ways: run it with -t ring2"* ]]
}

# torusheat_serial G STEPS: share/examples/torusheat.c's formulas on the
# whole periodic grid at once, in Python, one "r c u" line per point.
torusheat_serial() {
	python3 - "$1" "$2" <<'PY'
import math, sys
g, steps = int(sys.argv[1]), int(sys.argv[2])
pos = lambda k: -1.0 + 2.0 * k / g
u = [[math.exp(-50.0 * (pos(c) * pos(c) + pos(r) * pos(r))) for c in range(g)] for r in range(g)]
for s in range(steps):
    u = [[u[r][c] + 0.2 * (u[r][c - 1] + u[r][(c + 1) % g] + u[r - 1][c] + u[(r + 1) % g][c] - 4.0 * u[r][c])
          for c in range(g)] for r in range(g)]
for r in range(g):
    for c in range(g):
        print("%d %d %.17g" % (r, c, u[r][c]))
PY
}

@test "heat on a periodic grid over -t torus:1x1, 2x2, 1x3 and 3x2 nodes: a serial solver's values, every digit" {
	torusheat_serial 12 40 >"$T/serial"
	[ "$(torusheat_serial 12 0)" != "$(cat "$T/serial")" ]
	[ "$(wc -l <"$T/serial")" -eq 144 ]
	for shape in 1x1 2x2 1x3 3x2; do
		pdrun_to "$T/out" "$PD_TASK" -t "torus:$shape" --oversubscribe --args "12 40 ${shape%x*} ${shape#*x}" \
			"$EX/torusheat.so" </dev/null
		[ "$status" -eq 0 ] || { cat "$T/out.err"; false; }
		sort -n -k1,1 -k2,2 "$T/out" | diff "$T/serial" -
	done
	# a grid without the wrapping tubes is refused by the nodes, saying so
	pdrun "$PD_TASK" -t grid:2x2 --oversubscribe --args "12 40 2 2" "$EX/torusheat.so" </dev/null
	[ "$status" -eq 1 ]
	[[ $stderr == *"run it with -t torus:RxC"* ]]
}
