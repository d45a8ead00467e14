#!/usr/bin/env bats
# The test kit's own process tracking (helpers/common.bash): teardown
# signals a tracked pid only while it still names the process that was
# tracked.  A reused pid is made here by changing the start time kept for
# a live process, as if the tracked one had exited and this one had taken
# its pid.

load helpers/common

setup() { pd_setup; }
teardown() { pd_teardown; }

# Two processes that sleep until killed, A tracked as a process and B as
# a server; sets A and B.
start_tracked() {
	sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	A=$!
	sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	B=$!
	pd_track "$A"
	pd_track_server "$B"
}

@test "test kit: teardown kills a tracked process and stops a tracked server while their pids still name them" {
	start_tracked
	pd_teardown
	pd_dead "$A" || { echo "tracked process $A still runs after teardown"; false; }
	pd_dead "$B" || { echo "tracked server $B still runs after teardown"; false; }
}

@test "test kit: teardown leaves alone a process that holds a tracked pid with another start time" {
	start_tracked
	PD_PID_START[$A]=1
	PD_PID_START[$B]=1
	pd_teardown
	local alive=0
	pd_alive "$A" && pd_alive "$B" && alive=1
	kill -KILL "$A" "$B" 2>/dev/null || true
	[ "$alive" -eq 1 ] || { echo "teardown signalled a process it had not tracked"; false; }
}
