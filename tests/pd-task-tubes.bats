#!/usr/bin/env bats
# pd-task's tubes between nodes of one host: shared-memory rings by
# default, sockets with PD_TUBES=socket.  Big messages arrive byte-exact
# on both, a node waiting in pd_pop sleeps instead of spinning, and the
# ring's edge cases (sizes around the ring's, a peer dying mid-message)
# are driven directly in tests/unit/tube_test.c.

load helpers/common

setup() {
	pd_setup
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/tubes.c -o "$T/tubes.so"
	PD_TASK="$B/bin/pd-task"
}

teardown() {
	pd_teardown
}

# run_kind KIND ARGS-FILE: pd-task -n 2 -t ring tubes.so with tubes of
# KIND (shm: the default; socket: PD_TUBES=socket), output in $T/out.KIND.
run_kind() {
	if [ "$1" = socket ]; then
		PD_TUBES=socket pdrun_to "$T/out.$1" "$PD_TASK" -n 2 -t ring --oversubscribe "$T/tubes.so" <"$2"
	else
		pdrun_to "$T/out.$1" "$PD_TASK" -n 2 -t ring --oversubscribe "$T/tubes.so" <"$2"
	fi
	show "$T/out.$1" "$T/out.$1.err"
	[ "$status" -eq 0 ]
}

@test "tube unit tests: sizes around the ring's, a peer dying mid-message: the socket's errors, bounded" {
	run timeout 300 "$B/tests/tube_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "64 MiB messages and odd sizes arrive byte-exact through rings and through sockets" {
	head -c 67108864 /dev/urandom >"$T/in"
	want=$(sha256sum <"$T/in")
	for size in 67108864 4194305 1000003; do
		msgs=$(((67108864 + size - 1) / size))
		for kind in shm socket; do
			echo "# $size-byte messages, $kind"
			rm -f "$T/got"
			printf 'send %s %s\nrecv %s\n' "$T/in" "$size" "$T/got" >"$T/args"
			run_kind "$kind" "$T/args"
			[ "$(cat "$T/out.$kind")" = "$(printf 'sent 67108864 in %s\nreceived 67108864 in %s' "$msgs" "$msgs")" ]
			cmp "$T/in" "$T/got"
			[ "$(sha256sum <"$T/got")" = "$want" ]
		done
	done
}

@test "a node blocked in pd_pop for 2 s uses well under 1 s of CPU, on rings and on sockets" {
	printf 'later 2000\nidle\n' >"$T/args"
	for kind in shm socket; do
		run_kind "$kind" "$T/args"
		read -r w waited c cpu < <(sed -n 2p "$T/out.$kind")
		[ "$w $c" = "waited cpu_ms" ]
		# It did wait (the push came 2 s after start), and slept meanwhile:
		# CPU time, not wall time, so a loaded machine does not matter.
		[ "$waited" -ge 1500 ]
		[ "$cpu" -lt 300 ]
	done
}
