#!/usr/bin/env bats
# The test kit's own process tracking (helpers/common.bash): teardown
# signals a tracked pid only while it still names the process that was
# tracked.  A reused pid is made here by changing the start time kept for
# a live process, as if the tracked one had exited and this one had taken
# its pid.

load helpers/common

setup() { pd_setup; }
teardown() { pd_teardown; }

# A process that sleeps until killed; sets KID.
start_kid() {
	sleep 300 </dev/null >/dev/null 2>&1 3>&- &
	KID=$!
}

@test "test kit: teardown kills a tracked process and stops a tracked server while their pids still name them" {
	start_kid
	local a=$KID
	start_kid
	local b=$KID
	pd_track "$a"
	pd_track_server "$b"
	pd_teardown
	pd_dead "$a" || { echo "tracked process $a still runs after teardown"; false; }
	pd_dead "$b" || { echo "tracked server $b still runs after teardown"; false; }
}

@test "test kit: teardown leaves alone a process that holds a tracked pid with another start time" {
	start_kid
	local a=$KID
	start_kid
	local b=$KID
	pd_track "$a"
	pd_track_server "$b"
	PD_PID_START[$a]=1
	PD_PID_START[$b]=1
	pd_teardown
	local alive=0
	pd_alive "$a" && pd_alive "$b" && alive=1
	kill -KILL "$a" "$b" 2>/dev/null || true
	[ "$alive" -eq 1 ] || { echo "teardown signalled a process it had not tracked"; false; }
}
