# tests/helpers/opt.bash - what the pd-opt Bats files share: set-up (the
# probe and Ackley fitness jobs built from tests/jobs/) and checks on
# pd-opt's "NAME=value" output, made with awk, never with pd-opt's code.

# Bats' set-up of both files: pd_setup, then the fitness jobs they use.
setup() {
	pd_setup
	PD_OPT="$B/bin/pd-opt"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/optprobe.c -o "$T/optprobe.so" -lm
	PROBE="$T/optprobe.so"
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/ackley.c -o "$T/ackley.so" -lm
	ROSEN="$EX/rosenbrock.so:rosenbrock"
}

# value NAME: the value of NAME=... in $output.
value() {
	printf '%s\n' "$output" | sed -n "s/^$1=//p"
}

# abs_below X LIMIT: |X| < LIMIT, by awk.
abs_below() {
	awk -v x="$1" -v l="$2" 'BEGIN { exit !((x < 0 ? -x : x) < l) }'
}

# near X WANT LIMIT: |X - WANT| < LIMIT, by awk.
near() {
	awk -v x="$1" -v w="$2" -v l="$3" 'BEGIN { d = x - w; exit !((d < 0 ? -d : d) < l) }'
}

# usage_fails WANT ARGS...: pd-opt ARGS square.so exits 64 with WANT in
# its message.
usage_fails() {
	local want=$1
	shift
	pdrun "$PD_OPT" "$@" "$EX/square.so"
	[ "$status" -eq 64 ]
	[[ $stderr == *"$want"* ]]
}

teardown() {
	pd_teardown
}
