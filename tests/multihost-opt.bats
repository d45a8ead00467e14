#!/usr/bin/env bats
# pd-opt across hosts on separate network stacks: the same seed gives the
# same result on 1 local worker and on 3 namespace hosts, and a host
# killed mid-run changes nothing but where the points ran.

load helpers/netns
load helpers/faults

OPT_TIMEOUT=120

setup() {
	f_ns_setup 3
	cc -std=c11 -shared -fPIC -O2 -Ilib tests/jobs/optprobe.c -o "$T/optprobe.so" -lm
}

teardown() {
	netns_teardown
}

start_hosts() {
	local i
	for i in 0 1 2; do
		netns_start_server "$i" --cpu 2
	done
}

@test "the same seed gives the same result on 1 local worker and on 3 namespace hosts" {
	start_hosts
	for a in cmaes pso ga; do
		args=(-a "$a" --seed 17 --iterations 30 --json --dim 4 --bounds -2:2 "$EX/rosenbrock.so:rosenbrock")
		PD_HOME=$T/none timeout -k 5 "$OPT_TIMEOUT" "$BIN/pd-opt" -n 1 "${args[@]}" >"$T/one.$a"
		st=0
		netns_client timeout -k 5 "$OPT_TIMEOUT" "$BIN/pd-opt" -H "$(netns_hosts)" "${args[@]}" \
			>"$T/three.$a" 2>"$T/err.$a" || st=$?
		cat "$T/err.$a"
		[ "$st" -eq 0 ]
		cat "$T/one.$a"
		cmp "$T/one.$a" "$T/three.$a"
	done
}

@test "a host killed with -9 mid-run: its points run elsewhere and the result is unchanged" {
	start_hosts
	# 8 particles x 100 iterations x 10 ms over 6 slots: about 2 s
	args=(-a pso --popsize 8 --seed 5 --iterations 100 --json --dim 3 --bounds -2:2 "$T/optprobe.so:slowsq")
	PD_HOME=$T/none timeout -k 5 "$OPT_TIMEOUT" "$BIN/pd-opt" -n 2 "${args[@]}" >"$T/clean"
	netns_client timeout -k 5 "$OPT_TIMEOUT" "$BIN/pd-opt" -H "$(netns_hosts)" --trace "$T/trace" \
		"${args[@]}" >"$T/faulty" 2>"$T/err" &
	bg=$!
	for i in $(seq 1 400); do
		[ -s "$T/trace" ] && [ "$(wc -l <"$T/trace")" -ge 5 ] && break
		sleep 0.05
	done
	netns_kill_server 1 KILL
	st=0
	wait "$bg" || st=$?
	cat "$T/err"
	fault_record "pd-serve kill -9" "pd-opt pso --seed over 3 hosts" "$((st == 0))" "$T/clean" "$T/faulty"
	[ "$st" -eq 0 ]
	# the lost host is named (host 1 is 198.18.0.2)
	grep -q "198\.18\.0\.2" "$T/err"
	cmp "$T/clean" "$T/faulty"
}
