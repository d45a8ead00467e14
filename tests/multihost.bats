#!/usr/bin/env bats
# Multi-host behaviour on real separate network stacks: pd-map spreading a
# job over pd-serve hosts in network namespaces (tests/helpers/netns.bash),
# surviving a host killed mid-run, hosts down or holding the wrong key, and
# an allocation change; pd-status listing hosts up and down.  Skips where
# namespaces cannot be made (not root, no iproute2).

load helpers/netns
load helpers/faults
if [ -f "$BATS_TEST_DIRNAME/helpers/common.bash" ]; then
	load helpers/common
fi

MH_TIMEOUT=60 # seconds any one pd-map may take; a hang fails the test
F_TIMEOUT=$MH_TIMEOUT

setup() {
	f_ns_setup 3
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${NS_DIR:-}" ]; then
		f_diag
	fi
	netns_teardown
}

# mh_map NAME ARGS...: pd-map ARGS in the client namespace, stdin as given,
# stdout in $T/NAME.out, stderr in $T/NAME.err, exit status in $status.
mh_map() {
	local name=$1
	shift
	status=0
	netns_client timeout -k 5 "$MH_TIMEOUT" "$BIN/pd-map" --no-bar "$@" \
		>"$T/$name.out" 2>"$T/$name.err" || status=$?
}

# mh_map_bg NAME ARGS...: the same in the background, stdout line-buffered
# so that progress can be watched; sets MH_PID.  (<&0: a background
# command's stdin would otherwise be /dev/null.)
mh_map_bg() {
	local name=$1
	shift
	netns_client timeout -k 5 "$MH_TIMEOUT" stdbuf -oL "$BIN/pd-map" --no-bar "$@" \
		<&0 >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	MH_PID=$!
}

start_all() {
	local i

	for ((i = 0; i < NS_N; i++)); do
		netns_start_server "$i" "$@"
	done
}

@test "pd-map over 3 hosts: same output as the embedded run, records spread over hosts" {
	start_all --cpu 2
	seq 1 3000 >"$T/in"

	# Reference: the embedded run, outside the namespaces, empty PD_HOME.
	mkdir -m 700 "$NS_DIR/emb"
	status=0
	env PD_HOME="$NS_DIR/emb" timeout -k 5 "$MH_TIMEOUT" "$BIN/pd-map" --no-bar -c 2 "$EX/square.so" \
		<"$T/in" >"$T/emb.out" 2>"$T/emb.err" || status=$?
	f_status 0 "$status" "embedded pd-map -c 2 square.so"
	awk '{ printf "%d\n", $1 * $1 }' "$T/in" >"$T/squares"
	f_same "embedded run" "$T/squares" "$T/emb.out"

	mh_map dist -H "$(netns_hosts)" "$EX/square.so" < <(seq 1 3000)
	f_status 0 "$status" "pd-map -H $(netns_hosts) square.so"
	f_same "3-host run vs embedded run" "$T/emb.out" "$T/dist.out"

	# Which host ran each record: 60 records of 50 ms cannot all fit on
	# one host's 2 slots unless the others are never used.
	mh_map where -H "$(netns_hosts)" "$EX/whereami.so" < <(yes 50 | head -n 60)
	f_status 0 "$status" "pd-map whereami.so"
	[ "$(wc -l <"$T/where.out")" -eq 60 ] || { echo "expected 60 results"; cat "$T/where.out"; false; }
	if grep -qvE '^h[012]$' "$T/where.out"; then
		echo "unexpected host names (PD_TEST_HOST not seen by workers?):"
		sort "$T/where.out" | uniq -c
		false
	fi
	used=$(sort -u "$T/where.out" | wc -l)
	echo "records per host: $(sort "$T/where.out" | uniq -c | tr -s ' \n' ' ')"
	[ "$used" -ge 2 ] || { echo "only $used host ran records"; false; }
}

@test "pd-map: a host killed (SIGKILL) mid-run; every record once, in order, lost host named" {
	start_all --cpu 2
	# 50 short records, then 250 of 100 ms: after the 50th result at least
	# 4 s of sleeping is left on 6 slots, which no load can shorten, so the
	# kill below always lands mid-run.
	awk 'BEGIN { for (i = 1; i <= 300; i++) print (i <= 50 ? 20 : 100) " " i }' >"$T/in"
	awk '{ print $0 "\t" $1 }' "$T/in" >"$T/expected"

	mh_map_bg kill -H "$(netns_hosts)" --tag "$EX/sleep.so" <"$T/in"
	wait_for -t 30 lines_or_exit "$T/kill.out" 50 "$MH_PID" ||
		{ echo "fewer than 50 results after 30 s"; false; }
	if ! kill -0 "$MH_PID" 2>/dev/null; then
		echo "pd-map ended before host 1 could be killed mid-run"
		false
	fi
	netns_kill_server 1 KILL
	at_kill=$(wc -l <"$T/kill.out")
	status=0
	wait "$MH_PID" || status=$?
	echo "results before the kill: $at_kill of 300"
	fault_record "pd-serve kill -9" "pd-map over 3 hosts" "$((status == 0))" "$T/expected" "$T/kill.out"

	f_status 0 "$status" "pd-map with host 1 killed"
	f_same "results after the kill" "$T/expected" "$T/kill.out"
	f_has "stderr names the lost host" "$T/kill.err" "198.18.0.2:$NS_PORT_1"
	[ "$at_kill" -lt 300 ] || { echo "the run was over before the kill"; false; }
}

@test "pd-map: a host that vanishes from the network mid-run (no FIN, no RST); every record once" {
	# A power cut or a pulled cable: the host's records must still move to
	# the others.  The run needs about 2 s; 45 s is ample time to notice.
	start_all --cpu 2
	# 50 short records, then 250 of 100 ms: after the 50th result at least
	# 4 s of sleeping is left on 6 slots, which no load can shorten, so the
	# kill below always lands mid-run.
	awk 'BEGIN { for (i = 1; i <= 300; i++) print (i <= 50 ? 20 : 100) " " i }' >"$T/in"
	awk '{ print $0 "\t" $1 }' "$T/in" >"$T/expected"

	MH_TIMEOUT=45
	mh_map_bg unplug -H "$(netns_hosts)" --tag "$EX/sleep.so" <"$T/in"
	wait_for -t 30 lines_or_exit "$T/unplug.out" 50 "$MH_PID" ||
		{ echo "fewer than 50 results after 30 s"; false; }
	if ! kill -0 "$MH_PID" 2>/dev/null; then
		echo "pd-map ended before host 1 could be unplugged mid-run"
		false
	fi
	netns_unplug 1
	at_cut=$(wc -l <"$T/unplug.out")
	status=0
	wait "$MH_PID" || status=$?
	echo "results before host 1 was unplugged: $at_cut of 300; after: $(wc -l <"$T/unplug.out")"
	fault_record "host vanishes (link down)" "pd-map over 3 hosts" "$((status == 0))" "$T/expected" "$T/unplug.out"

	f_status 0 "$status" "pd-map with host 1 unplugged"
	f_same "results after the cut" "$T/expected" "$T/unplug.out"
	f_has "stderr names the lost host" "$T/unplug.err" "198.18.0.2:$NS_PORT_1"
}

@test "pd-map: a host with nothing listening is reported, the others do the run" {
	start_all --cpu 2
	netns_kill_server 2 TERM # its address stays in the list, its port is closed
	seq 1 200 >"$T/in"
	awk '{ printf "%d\n", $1 * $1 }' "$T/in" >"$T/expected"

	mh_map down -H "$(netns_hosts)" "$EX/square.so" < <(seq 1 200)
	f_status 0 "$status" "pd-map with host 2 down"
	f_same "results with host 2 down" "$T/expected" "$T/down.out"
	f_has "stderr names the down host" "$T/down.err" "198.18.0.3:$NS_PORT_2"
}

@test "pd-map: every host down exits 69" {
	start_all --cpu 2
	netns_kill_server 0 TERM
	netns_kill_server 1 KILL
	netns_kill_server 2 TERM

	mh_map alldown -H "$(netns_hosts)" "$EX/square.so" < <(seq 1 20)
	f_status 69 "$status" "pd-map with every host down"
	[ ! -s "$T/alldown.out" ] || { echo "output with no host up:"; cat "$T/alldown.out"; false; }
	f_has "stderr names a down host" "$T/alldown.err" "198.18.0.1:$NS_PORT_0"
}

@test "pd-map: a host with another key is refused and reported, the others do the run" {
	netns_keygen 1
	start_all --cpu 2
	seq 1 200 >"$T/in"
	awk '{ printf "%d\n", $1 * $1 }' "$T/in" >"$T/expected"

	mh_map key -H "$(netns_hosts)" "$EX/square.so" < <(seq 1 200)
	f_status 0 "$status" "pd-map with a wrong key on host 1"
	f_same "results with host 1 refusing" "$T/expected" "$T/key.out"
	f_has "stderr reports the refusal" "$T/key.err" "198.18.0.2:$NS_PORT_1: authentication failed"
	f_has "host 1 logs the refusal" "$(netns_server_log 1)" "authentication failed"
}

@test "pd-map: every host with another key exits 77" {
	netns_keygen 0
	netns_keygen 1
	netns_keygen 2
	start_all --cpu 2

	mh_map badkeys -H "$(netns_hosts)" "$EX/square.so" < <(seq 1 20)
	f_status 77 "$status" "pd-map with a wrong key on every host"
	[ ! -s "$T/badkeys.out" ] || { echo "output with every host refusing:"; cat "$T/badkeys.out"; false; }
	f_has "stderr reports the refusal" "$T/badkeys.err" "authentication failed"
}

@test "pd-status -H: every host up with its CPUs, a killed one down" {
	start_all --cpu 2
	hosts=$(netns_hosts)

	status=0
	netns_client timeout -k 5 30 "$BIN/pd-status" -H "$hosts" >"$T/st.out" 2>"$T/st.err" || status=$?
	cat "$T/st.out"
	f_status 0 "$status" "pd-status with 3 hosts up"
	[ "$(wc -l <"$T/st.out")" -eq 3 ] || { echo "expected 3 lines"; false; }
	for i in 0 1 2; do
		port=NS_PORT_$i
		grep -qE " 198\.18\.0\.$((i + 1)):${!port} +up +cpu +2/[0-9]+ " "$T/st.out" ||
			{ echo "host $i not listed up with 2 shared CPUs"; false; }
	done
	if command -v jq >/dev/null; then
		status=0
		netns_client timeout -k 5 30 "$BIN/pd-status" -H "$hosts" --json >"$T/stj.out" 2>"$T/stj.err" || status=$?
		f_status 0 "$status" "pd-status --json"
		[ "$(jq '[.[] | select(.state == "up" and .shared == 2)] | length' "$T/stj.out")" -eq 3 ] ||
			{ echo "--json: not 3 hosts up sharing 2 CPUs:"; cat "$T/stj.out"; false; }
	fi

	netns_kill_server 2 KILL
	status=0
	netns_client timeout -k 5 30 "$BIN/pd-status" -H "$hosts" >"$T/st2.out" 2>"$T/st2.err" || status=$?
	cat "$T/st2.out"
	f_status 0 "$status" "pd-status with host 2 killed"
	grep -qE " 198\.18\.0\.1:$NS_PORT_0 +up +cpu +2/" "$T/st2.out" || { echo "host 0 not up"; false; }
	grep -qE " 198\.18\.0\.2:$NS_PORT_1 +up +cpu +2/" "$T/st2.out" || { echo "host 1 not up"; false; }
	grep -qE " 198\.18\.0\.3:$NS_PORT_2 +down( |$)" "$T/st2.out" || { echo "host 2 not down"; false; }

	netns_kill_server 0 KILL
	netns_kill_server 1 TERM
	status=0
	netns_client timeout -k 5 30 "$BIN/pd-status" -H "$hosts" >"$T/st3.out" 2>"$T/st3.err" || status=$?
	f_status 69 "$status" "pd-status with every host down"
	[ "$(grep -cE ' down( |$)' "$T/st3.out")" -eq 3 ] || { echo "not 3 hosts down:"; cat "$T/st3.out"; false; }
}

@test "pd-map: pd-alloc --cpu 0 on host 0 mid-run moves its records to the other hosts" {
	start_all --cpu 2
	# 50 short records, then 250 of 100 ms, as in the kill test above: the
	# run is still going when pd-alloc runs, however loaded the machine
	# (with 300 of 20 ms, 0.8 s was left after the 50th result)
	awk 'BEGIN { for (i = 1; i <= 300; i++) print (i <= 50 ? 20 : 100) " " i }' >"$T/in"

	mh_map_bg alloc -H "$(netns_hosts)" --tag "$EX/whereami.so" <"$T/in"
	wait_for -t 30 lines_or_exit "$T/alloc.out" 50 "$MH_PID" ||
		{ echo "fewer than 50 results after 30 s"; false; }
	if ! kill -0 "$MH_PID" 2>/dev/null; then
		echo "pd-map ended before the allocation could change mid-run"
		false
	fi
	status=0
	netns_exec 0 timeout -k 5 30 "$BIN/pd-alloc" --cpu 0 >"$T/pdalloc.out" 2>"$T/pdalloc.err" || status=$?
	at_alloc=$(wc -l <"$T/alloc.out")
	f_status 0 "$status" "pd-alloc --cpu 0 on host 0"
	f_has "pd-alloc reports the new share" "$T/pdalloc.out" ", 0 shared"
	status=0
	wait "$MH_PID" || status=$?
	echo "results before pd-alloc returned: $at_alloc of 300"
	fault_record "pd-alloc --cpu 0" "pd-map over 3 hosts" "$((status == 0))" "$T/in" <(cut -f1 "$T/alloc.out")

	f_status 0 "$status" "pd-map with host 0 going to 0 CPUs"
	cut -f1 "$T/alloc.out" >"$T/inputs"
	f_same "every record once, in order" "$T/in" "$T/inputs"
	if cut -f2 "$T/alloc.out" | grep -qvE '^h[012]$'; then
		echo "unexpected host names:"
		cut -f2 "$T/alloc.out" | sort | uniq -c
		false
	fi
	# Host 0 worked before the change, and none of the records read well
	# after it (100 records past what was already delivered) ran there.
	head -n "$at_alloc" "$T/alloc.out" | grep -q $'\th0$' ||
		{ echo "host 0 ran nothing before pd-alloc: the test proves nothing"; false; }
	late=$(tail -n +"$((at_alloc + 101))" "$T/alloc.out" | grep -c $'\th0$' || true)
	[ "$late" -eq 0 ] || { echo "host 0 ran $late records after sharing 0 CPUs"; false; }
}
