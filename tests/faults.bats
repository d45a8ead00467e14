#!/usr/bin/env bats
# Faults injected into running work: each run completes with every record's
# result exactly once (compared with results computed without Playdoh or
# without the fault), or fails cleanly with a clear message where completing
# is impossible; no stored result is lost; the servers go on.
#
# Covered here: a host's pd-serve killed (-9) during a detached run that a
# pd-serve coordinates over TCP; a link cut and restored mid-run; a lossy,
# slow link for a whole run (tc netem, else netfilter: tests/helpers/
# impair.bash); pd-serve restarted while holding several detached runs; a
# per-worker memory limit (--mem); a client killed mid-run; the state
# directory's disk full.
#
# Covered elsewhere, not repeated here:
#   pd-map, a host killed -9 / vanishing mid-run, pd-alloc --cpu 0 mid-run:
#       tests/multihost.bats
#   pd-opt, a host killed -9 mid-run, same result with --seed:
#       tests/multihost-opt.bats
#   pd-task, a node's host killed or vanishing mid-task: tests/multihost-task.bats
#   pd-serve killed (-9) or stopped mid detached run, then resumed: tests/detach.bats
#   a worker that segfaults, aborts, exits or loops (--timeout): tests/pd-map.bats
#
# With PD_FAULT_REPORT set, each scenario appends a line to that file
# (tests/helpers/faults.bash; tests/reliability/faults-report.sh).

load helpers/netns
load helpers/common
load helpers/faults
load helpers/impair

F_TIMEOUT=60 # seconds any one client may take; a hang fails the test

setup() {
	unset PD_HOSTS
	pd_setup
	BIN=$(_ns_bin)
	FL_MOUNT=
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
		f_diag
	fi
	netns_teardown
	pd_teardown
	if [ -n "$FL_MOUNT" ]; then
		umount "$FL_MOUNT" || umount -l "$FL_MOUNT"
	fi
}

# f_client NAME CMD...: CMD in the client namespace, time-bounded; stdout
# to $T/NAME.out, stderr to $T/NAME.err, exit status in $status.
f_client() {
	local name=$1
	shift
	status=0
	netns_client timeout -k 5 "$F_TIMEOUT" "$@" >"$T/$name.out" 2>"$T/$name.err" 3>&- || status=$?
}

# f_client_bg NAME CMD...: the same in the background, stdout line by
# line, stdin passed on; sets F_PID (the background shell's pid).  (In a
# sanitizer build, ASan must let stdbuf's preloaded library come first.)
f_client_bg() {
	local name=$1
	shift
	ASAN_OPTIONS="verify_asan_link_order=0:${ASAN_OPTIONS:-}" netns_client timeout -k 5 "$F_TIMEOUT" stdbuf -oL "$@" <&0 >"$T/$name.out" 2>"$T/$name.err" 3>&- &
	F_PID=$!
}

# f_cluster N [ARGS]: N namespace hosts, each running pd-serve --cpu 2 ARGS.
f_cluster() {
	local n=$1 i
	shift
	netns_setup "$n" || return 1
	for ((i = 0; i < n; i++)); do
		netns_start_server "$i" --cpu 2 "$@" || return 1
	done
}

# Records for sleep.so: N lines "MS rI"; expected --tag output "MS rI<TAB>MS".
f_sleeps() {
	awk -v n="$1" -v ms="$2" 'BEGIN { for (i = 1; i <= n; i++) print ms " r" i }' >"$T/in"
	awk '{ print $0 "\t" $1 }' "$T/in" >"$T/expected"
}

# A pd-serve --local in the client namespace (the coordinator of detached
# runs on the namespace hosts), with the client's home and the cluster key.
f_start_coordinator() {
	ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$BIN/pd-serve" -f --local -v \
		</dev/null >>"$NS_DIR/c/log" 2>&1 3>&- &
	wait_for -t 10 test -S "$NS_CLIENT_HOME/sock" || { echo "no coordinator socket after 10 s"; return 1; }
}

# Lines of a run's log (its results kept so far), 0 before it exists.
f_log_lines() { wc -l <"$1" 2>/dev/null || echo 0; }
f_log_at_least() { [ "$(f_log_lines "$1")" -ge "$2" ]; }

# True when FILE has more than N lines containing TEXT.
f_more_lines() { [ "$(grep -c "$2" "$1")" -gt "$3" ]; }

# Duplicate line numbers in a run's log (one entry per record expected).
f_log_dups() { sed 's/.*"line":\([0-9]*\).*/\1/' "$1" | sort -n | uniq -d | wc -l; }

@test "detached run coordinated over TCP (-H): a host's pd-serve killed -9 mid-run; every result once" {
	f_cluster 3
	f_start_coordinator
	f_sleeps 400 30 # about 2 s on 6 slots

	netns_client timeout -k 5 30 "$BIN/pd-map" -H "$(netns_hosts)" --detach "$EX/sleep.so" <"$T/in" \
		>"$T/id" 2>"$T/submit.err" || { echo "submit failed"; cat "$T/submit.err"; false; }
	id=$(cat "$T/id")
	log=$NS_CLIENT_HOME/state/runs/$id/log
	wait_for -t 30 f_log_at_least "$log" 50 || { echo "fewer than 50 results after 30 s"; false; }
	at_kill=$(f_log_lines "$log")
	[ "$at_kill" -lt 400 ] || { echo "the run was over before the kill"; false; }
	netns_kill_server 1 KILL

	f_client fetch "$BIN/pd-map" --fetch "$id" --wait --tag
	echo "results before host 1 was killed: $at_kill of 400"
	fault_record "pd-serve kill -9" "detached pd-map over TCP, 3 hosts" "$((status == 0))" "$T/expected" "$T/fetch.out"
	f_status 0 "$status" "pd-map --fetch --wait"
	f_same "fetched results" "$T/expected" "$T/fetch.out"
	[ "$(wc -l <"$log")" -eq 400 ] || { echo "the run's log holds $(wc -l <"$log") entries, not 400"; false; }
	[ "$(f_log_dups "$log")" -eq 0 ] || { echo "records logged twice"; false; }
	f_has "the coordinator names the lost host" "$NS_DIR/c/log" "198.18.0.2:$NS_PORT_1"
	# Fetching again gives the same bytes.
	f_client fetch2 "$BIN/pd-map" --fetch "$id" --tag
	f_status 0 "$status" "second --fetch"
	f_same "second fetch" "$T/fetch.out" "$T/fetch2.out"
}

@test "a host's link cut mid-run and restored: every record once; the host serves the next run" {
	f_cluster 3
	f_sleeps 400 30 # about 2 s on 6 slots
	lost="198.18.0.2:$NS_PORT_1"

	f_client_bg cut "$BIN/pd-map" --no-bar -H "$(netns_hosts)" --tag "$EX/sleep.so" <"$T/in"
	wait_for -t 30 lines_or_exit "$T/cut.out" 50 "$F_PID" || { echo "fewer than 50 results after 30 s"; false; }
	kill -0 "$F_PID" 2>/dev/null || { echo "pd-map ended before the link could be cut"; false; }
	netns_unplug 1
	at_cut=$(wc -l <"$T/cut.out")
	# Restore the link once pd-map has given up on the host (it must, to
	# finish: the host's records in flight have no results yet).
	wait_for -t 45 bash -c "grep -qF '$lost' '$T/cut.err' || ! kill -0 $F_PID" ||
		{ echo "pd-map neither named the cut host nor ended in 45 s"; false; }
	netns_replug 1
	status=0
	wait "$F_PID" || status=$?
	echo "results before the cut: $at_cut of 400"

	fault_record "link down, then up" "pd-map over 3 hosts" "$((status == 0))" "$T/expected" "$T/cut.out"
	f_status 0 "$status" "pd-map with host 1's link cut"
	f_same "results after the cut" "$T/expected" "$T/cut.out"
	f_has "stderr names the cut host" "$T/cut.err" "$lost"

	# Back on the network, the host answers and runs work again.
	seq 1 200 >"$T/in2"
	expect_squares "$T/in2" >"$T/expected2"
	f_client again "$BIN/pd-map" --no-bar -H "$lost" "$EX/square.so" <"$T/in2"
	f_status 0 "$status" "pd-map on the restored host alone"
	f_same "results from the restored host" "$T/expected2" "$T/again.out"
	f_client st "$BIN/pd-status" -H "$(netns_hosts)"
	f_status 0 "$status" "pd-status after the link came back"
	grep -qE " $lost +up " "$T/st.out" || { echo "host 1 not listed up:"; cat "$T/st.out"; false; }
}

@test "a link with 200 ms latency and 5% loss (tc netem, else NFQUEUE delay + nft drops) for a whole run: every record once" {
	f_cluster 3
	impair_link 1 200 5
	echo "# impaired link to host 1: $IMPAIR_HOW" >&3
	# The set-up, checked: a connect to host 1 waits for its SYN-ACK, held
	# 200 ms (longer when a SYN or SYN-ACK is lost); host 0's, unimpaired,
	# is shown for comparison.
	for k in 1 2 3; do
		rtt=$(impair_rtt_ms 1 "$NS_PORT_1") || { echo "no TCP connection to host 1"; false; }
		echo "connect to host 1: $rtt ms; to host 0: $(impair_rtt_ms 0 "$NS_PORT_0") ms"
		[ "$rtt" -ge 200 ] || { echo "a connect to host 1 took $rtt ms: the 200 ms latency is not in effect"; false; }
	done
	# 600 records of 50 ms on 6 slots (5 s or more), with 4 kB each to
	# carry to the host that runs it.
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/squarewhere.c -o "$T/squarewhere.so"
	pad=$(printf '%04000d' 0)
	awk -v pad="$pad" 'BEGIN { for (i = 1; i <= 600; i++) print i, 50, pad }' >"$T/in"
	awk '{ printf "%d\n", $1 * $1 }' "$T/in" >"$T/expected"

	F_TIMEOUT=30 f_client lossy "$BIN/pd-map" --no-bar -H "$(netns_hosts)" "$T/squarewhere.so" <"$T/in"
	cut -d ' ' -f 1 "$T/lossy.out" >"$T/squares"
	read -r packets drops < <(impair_counts 1)
	impair_stop 1
	echo "host 1's link: $drops of $packets packets dropped${IMPAIR_HELD:+; pd_delay: $IMPAIR_HELD}"
	echo "records per host: $(cut -d ' ' -f 2 "$T/lossy.out" | sort | uniq -c | tr -s ' \n' ' ')"
	local how=netem
	[ -z "${IMPAIR_IPT:-}" ] || how=nfq+nft
	fault_record "200 ms, 5% loss ($how)" "pd-map over 3 hosts" \
		"$((status == 0))" "$T/expected" "$T/squares"
	f_status 0 "$status" "pd-map with a slow, lossy link to host 1"
	f_same "results over the lossy link" "$T/expected" "$T/squares"
	if grep -qvE ' h[012]$' "$T/lossy.out"; then
		echo "results without a known host:"
		grep -vE ' h[012]$' "$T/lossy.out" | head -n 5
		false
	fi
	# (pd-map counts a host down, for the rest of the run, when its connect
	# and handshake take over 10 s: SYNs or SYN-ACKs lost 4 times in a row
	# with exponential SYN backoff, 1 + 2 + 4 + 8 s, about 1e-4 at 5% loss
	# each way; 8 times where the kernel retries every second,
	# net.ipv4.tcp_syn_linear_timeouts.)
	grep -q ' h1$' "$T/lossy.out" || { echo "host 1 ran no record; pd-map said:"; cat "$T/lossy.err"; false; }
	[ "$drops" -gt 0 ] || { echo "no packet of host 1's link was dropped: the loss is not in effect"; false; }
	if [ -n "$IMPAIR_IPT" ]; then
		[[ $IMPAIR_HELD =~ ^held\ ([0-9]+)\ packets,\ each\ for\ at\ least\ 200\ ms\;\ 0\ notices\ lost$ ]] ||
			{ echo "pd_delay said: '$IMPAIR_HELD'"; false; }
		[ "${BASH_REMATCH[1]}" -gt 0 ] || { echo "pd_delay held no packet"; false; }
	fi
}

@test "pd-serve killed -9 holding 3 detached runs and restarted: finished ones byte-identical, the unfinished resumed" {
	pd_start_server --local --cpu 2 -v
	runs=$PD_HOME/state/runs
	# A: finished, all ok.  C: finished with failed records.  B: running.
	seq 1 200 >"$T/a.in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/a.in"
	a=$output
	printf 'ok\nsegv\nhello\nfail\n' >"$T/c.in"
	pdrun "$PD_MAP" --detach "$EX/faulty.so" <"$T/c.in"
	c=$output
	pdrun_to "$T/a.out" "$PD_MAP" --fetch "$a" --wait
	[ "$status" -eq 0 ]
	expect_squares "$T/a.in" | cmp - "$T/a.out"
	pdrun_to "$T/a.json" "$PD_MAP" --fetch "$a" --json
	pdrun_to "$T/c.out" "$PD_MAP" --fetch "$c" --wait
	[ "$status" -eq 1 ]
	cp "$runs/$a/log" "$T/a.log"
	cp "$runs/$c/log" "$T/c.log"
	f_sleeps 300 20
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/in"
	b=$output
	wait_for -t 30 f_log_at_least "$runs/$b/log" 40
	kill -KILL "$PD_PID"
	wait "$PD_PID" 2>/dev/null || true
	before=$(f_log_lines "$runs/$b/log")
	[ "$before" -lt 300 ] || { echo "run B was over before the kill"; false; }

	pd_start_server --local --cpu 2 -v
	pdrun_to "$T/b.out" "$PD_MAP" --fetch "$b" --wait --tag
	fault_record "pd-serve kill -9, restart" "unfinished detached run resumed" "$((status == 0))" "$T/expected" "$T/b.out"
	pdrun_to "$T/a2.out" "$PD_MAP" --fetch "$a"
	fault_record "pd-serve kill -9, restart" "finished detached run kept" "$((status == 0))" "$T/a.out" "$T/a2.out"
	echo "run B: $before of 300 results before the kill"
	f_same "run B after the restart" "$T/expected" "$T/b.out"
	[ "$(wc -l <"$runs/$b/log")" -eq 300 ]
	[ "$(f_log_dups "$runs/$b/log")" -eq 0 ]
	grep -q "resuming run $b" "$PD_LOG"
	# The finished runs: the same bytes on disk and from --fetch.
	f_same "run A's results" "$T/a.out" "$T/a2.out"
	pdrun_to "$T/a2.json" "$PD_MAP" --fetch "$a" --json
	f_same "run A's --json" "$T/a.json" "$T/a2.json"
	cmp "$T/a.log" "$runs/$a/log"
	cmp "$T/c.log" "$runs/$c/log"
	pdrun_to "$T/c2.out" "$PD_MAP" --fetch "$c"
	[ "$status" -eq 1 ]
	f_same "run C's results" "$T/c.out" "$T/c2.out"
	f_same "run C's messages" "$T/c.out.err" "$T/c2.out.err"
	! grep -q "resuming run $a" "$PD_LOG" || { echo "finished run A was resumed"; false; }
	pdrun "$PD_STATUS"
	[[ $output == *"run $a done"*"200/200 done, 0 failed"* ]]
	[[ $output == *"run $b done"*"300/300 done, 0 failed"* ]]
	[[ $output == *"run $c done"*"4/4 done, 2 failed"* ]]
}

# hog.so (tests/jobs/hog.c): N allocates N MiB; crash and check allocate
# until malloc fails (then crash on its NULL, or fail the record).
f_build_hog() {
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/hog.c -o "$T/hog.so"
}

# Skip under AddressSanitizer only, where a worker's address space holds
# terabytes of shadow memory, so no address-space limit can be met.
f_skip_if_asan_mem() {
	local err
	err=$(printf '1\n' | PD_HOME=$T/probe timeout -k 5 30 "$PD_MAP" -c 1 --mem 1G "$T/hog.so" 2>&1 >/dev/null) && return 0
	if [[ $B == *san* ]] && [[ $err == *"is less than the worker itself uses"* ]]; then
		skip "--mem limits the address space, which AddressSanitizer fills with shadow memory: $err"
	fi
	echo "pd-map --mem 1G on 1 record failed: $err"
	return 1
}

@test "--mem: a record that allocates without bound fails with 'out of memory', the others go on" {
	f_build_hog
	f_skip_if_asan_mem
	printf '8\ncrash\n4\ncheck\n16\n' >"$T/in"
	pdrun "$PD_MAP" -c 2 --mem 64M "$T/hog.so" <"$T/in"
	ok=0
	[ "$status" -eq 1 ] && [[ $stderr == *"line 2: out of memory (--mem 64M)"* ]] && ok=1
	fault_record "worker out of memory (--mem)" "pd-map, 2 of 5 records allocate without bound" "$ok" \
		<(printf '8\n4\n16\n') <(printf '%s\n' "$output")
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '8\n4\n16')" ]
	[[ $stderr == *"line 2: out of memory (--mem 64M): job crashed: SIGSEGV"* ]]
	[[ $stderr == *"line 4: out of memory (--mem 64M): malloc failed after "*" MiB (input: check)"* ]]
	[[ $stderr == *"2 of 5 records failed"* ]]
	# Without a limit the same 16 MiB record runs; a limit too small for
	# the worker itself is refused as such.
	pdrun "$PD_MAP" -c 1 --mem 1M "$T/hog.so" <<<"1"
	[ "$status" -eq 65 ]
	[[ $stderr == *"--mem 1M is less than the worker itself uses"* ]]
}

@test "pd-serve --mem caps every worker; a client asks for less, never more; the server goes on" {
	f_build_hog
	f_skip_if_asan_mem
	if [ -n "$PD_SERVE_WRAP" ]; then
		skip "--mem limits the address space, and workers forked by a server under PD_SERVE_WRAP (valgrind) hold the wrapper's too"
	fi
	pd_start_server --local --cpu 2 --mem 64M
	pdrun "$PD_MAP" "$T/hog.so" <<<"crash"
	[ "$status" -eq 1 ]
	[[ $stderr == *"out of memory (--mem 64M): job crashed"* ]]
	pdrun "$PD_MAP" --mem 1G "$T/hog.so" <<<"crash"
	[ "$status" -eq 1 ]
	[[ $stderr == *"out of memory (--mem 64M)"* ]]
	# 40 MiB fits under the server's 64M, not under the client's 32M.
	pdrun "$PD_MAP" "$T/hog.so" <<<"40"
	[ "$status" -eq 0 ]
	[ "$output" = 40 ]
	pdrun "$PD_MAP" --mem 32M "$T/hog.so" <<<"40"
	[ "$status" -eq 1 ]
	[[ $stderr == *"out of memory (--mem 32M): malloc failed"* ]]
	# A detached run keeps its --mem.
	pdrun "$PD_MAP" --detach --mem 32M "$T/hog.so" <<<"40"
	pdrun "$PD_MAP" --fetch "$output" --wait
	[ "$status" -eq 1 ]
	[[ $stderr == *"out of memory (--mem 32M)"* ]]
	# The server is still there and runs other work.
	seq 1 100 >"$T/in"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	pd_alive "$PD_PID"
}

@test "--mem: sizes are checked (64); pd-opt passes it on" {
	for bad in 0 -1 12Q 1.5G '' 2000T M; do
		pdrun "$PD_MAP" --mem "$bad" "$EX/square.so" </dev/null
		[ "$status" -eq 64 ]
		[[ $stderr == *"--mem: '$bad' is not a size"* ]]
	done
	pdrun "$PD_SERVE" --mem 3X
	[ "$status" -eq 64 ]
	pdrun "$B/bin/pd-opt" --mem 0 --dim 2 --bounds -1:1 "$EX/rosenbrock.so:rosenbrock"
	[ "$status" -eq 64 ]
	pdrun "$B/bin/pd-opt" -n 1 --mem 1M --dim 2 --bounds -1:1 --iterations 2 "$EX/rosenbrock.so:rosenbrock"
	[ "$status" -eq 65 ]
	[[ $stderr == *"--mem 1M is less than the worker itself uses"* ]]
}

# Busy slots of each host (pd-status -H --json), one line each; nothing
# when a host does not answer.
f_busy() {
	local out
	out=$(netns_client timeout -k 5 10 "$BIN/pd-status" -H "$(netns_hosts)" --json 2>/dev/null) || return 1
	[ "$(grep -o '"state":"up"' <<<"$out" | wc -l)" -eq "$NS_N" ] || return 1
	grep -o '"busy":[0-9]*' <<<"$out" | cut -d: -f2
}
# Every host runs something / no host runs anything.
f_all_busy() { [ "$(f_busy | awk '$1 > 0' | wc -l)" -eq "$NS_N" ]; }
f_none_busy() { [ "$(f_busy | awk '$1 == 0' | wc -l)" -eq "$NS_N" ]; }

# Pids of the processes named NAME in namespace NS.
f_ns_proc() {
	local p
	for p in $(ip netns pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && echo "$p"
	done
	return 0
}

@test "a client killed (-9) mid-run: both servers stop its records and free its slots within 10 s" {
	f_cluster 2 -v
	# 8 records of 60 s on 4 slots: still running long after the kill.
	f_sleeps 8 60000

	f_client_bg doomed "$BIN/pd-map" --no-bar -H "$(netns_hosts)" --tag "$EX/sleep.so" <"$T/in"
	wait_for -t 30 f_all_busy || { echo "not both hosts got busy: busy $(f_busy | tr '\n' ' ')"; false; }
	client=$(f_ns_proc "$NS_CLIENT" pd-map)
	[ -n "$client" ] || { echo "no pd-map in the client namespace"; false; }
	kill -KILL $client
	wait "$F_PID" 2>/dev/null || true
	freed=0
	wait_for -t 10 f_none_busy && freed=1
	fault_record "client kill -9" "pd-map over 2 hosts, slots freed" "$freed" /dev/null /dev/null
	[ "$freed" -eq 1 ] || { echo "slots still busy 10 s after the client was killed: $(f_busy | tr '\n' ' ')"; false; }
	[ ! -s "$T/doomed.out" ] || { echo "results from 60 s records?"; false; }
	# The servers saw the client go, and serve the next one on every slot.
	for i in 0 1; do
		log=$(netns_server_log "$i")
		peer=$(sed -n 's/^pd-serve: info: \(.*\): pd-map connected (sealed: [a-z0-9]*)$/\1/p' "$log" | head -n 1)
		[ -n "$peer" ] || { echo "host $i did not log the pd-map connection"; false; }
		grep -qE "^pd-serve: [a-z]+: $peer: (gone|dropped)" "$log" ||
			{ echo "host $i did not log the departure of $peer"; false; }
	done
	seq 1 300 >"$T/in2"
	expect_squares "$T/in2" >"$T/expected2"
	f_client next "$BIN/pd-map" --no-bar -H "$(netns_hosts)" "$EX/square.so" <"$T/in2"
	f_status 0 "$status" "pd-map after the killed client"
	f_same "the next client's results" "$T/expected2" "$T/next.out"
}

@test "a client waiting on a detached run killed (-9): the run goes on, every result once" {
	pd_start_server --local --cpu 2 -v
	f_sleeps 200 30 # about 3 s on 2 slots
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/in"
	id=$output
	log=$PD_HOME/state/runs/$id/log
	clients=$(grep -c "pd-map connected" "$PD_LOG")
	"$PD_MAP" --fetch "$id" --wait >/dev/null 2>&1 3>&- &
	waiter=$!
	pd_track "$waiter"
	wait_for -t 30 f_log_at_least "$log" 10
	wait_for -t 10 f_more_lines "$PD_LOG" "pd-map connected" "$clients" # the waiter is in
	[ "$(f_log_lines "$log")" -lt 200 ] || { echo "the run was over before the kill"; false; }
	kill -KILL "$waiter"
	pdrun_to "$T/out" "$PD_MAP" --fetch "$id" --wait --tag
	fault_record "client kill -9" "pd-map --fetch --wait of a detached run" "$((status == 0))" "$T/expected" "$T/out"
	[ "$status" -eq 0 ]
	f_same "the detached run's results" "$T/expected" "$T/out"
	[ "$(f_log_dups "$log")" -eq 0 ]
}

@test "disk full under the state directory: a clear error (71), the server goes on, stored runs stay readable" {
	state=$PD_HOME/state
	mkdir -m 700 "$state"
	err=$(mount -t tmpfs -o size=256k,mode=0700 tmpfs "$state" 2>&1) || skip "cannot mount a tmpfs here: $err"
	FL_MOUNT=$state
	pd_start_server --local --cpu 2 -v
	# A stored run, fetched before the disk fills.
	seq 1 100 | sed 's/^/w/' >"$T/a.in"
	pdrun "$PD_MAP" --detach "$EX/faulty.so" <"$T/a.in"
	a=$output
	pdrun_to "$T/a.out" "$PD_MAP" --fetch "$a" --wait
	[ "$status" -eq 0 ]
	cmp "$T/a.in" "$T/a.out" # faulty.so gives an unknown word back
	pdrun_to "$T/a.json" "$PD_MAP" --fetch "$a" --json

	# Leave 40 KiB: room for a run's input, not for its 50 x 10 kB results.
	avail=$(df -k --output=avail "$state" | tail -n 1)
	dd if=/dev/zero of="$state/fill" bs=1k count=$((avail - 40)) 2>/dev/null
	for i in $(seq 1 50); do echo "big 10000"; done >"$T/b.in"
	pdrun "$PD_MAP" --detach "$EX/faulty.so" <"$T/b.in"
	[ "$status" -eq 0 ]
	b=$output
	pdrun_to "$T/b.out" "$PD_MAP" --fetch "$b" --wait
	[ "$status" -eq 71 ]
	f_has "the client is told" "$T/b.out.err" "run $b failed: write $state/runs/$b/log: No space left on device"
	# What it does hand back is whole: complete results of the first records.
	kept=$(wc -l <"$T/b.out")
	[ "$kept" -lt 50 ]
	head -c 10000 /dev/zero | tr '\0' x | awk -v n="$kept" '{ for (i = 0; i < n; i++) print }' | cmp - "$T/b.out"
	f_has "with how much it kept" "$T/b.out.err" "($kept of 50 records have results)"

	# A full disk: a new job cannot be stored, nor a run's input.
	dd if=/dev/zero of="$state/fill2" bs=1k 2>/dev/null || true
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/a.in"
	[ "$status" -eq 71 ]
	[[ $stderr == *"upload refused: write $state/cache/"*"No space left on device"* ]]
	pdrun "$PD_MAP" --detach "$EX/faulty.so" <"$T/a.in"
	[ "$status" -eq 71 ]
	[[ $stderr == *"$state/runs/r"*"No space left on device"* ]]
	[ "$(find "$state/runs" -mindepth 1 -maxdepth 1 | wc -l)" -eq 2 ] # nothing half-stored

	# The server goes on; the stored run reads the same, byte for byte.
	pd_alive "$PD_PID"
	pdrun "$PD_STATUS"
	[ "$status" -eq 0 ]
	pdrun_to "$T/a2.out" "$PD_MAP" --fetch "$a"
	fault_record "disk full" "stored detached run kept" "$((status == 0))" "$T/a.out" "$T/a2.out"
	f_same "run A after the disk filled" "$T/a.out" "$T/a2.out"
	pdrun_to "$T/a2.json" "$PD_MAP" --fetch "$a" --json
	f_same "run A's --json" "$T/a.json" "$T/a2.json"
	# With room again, new runs are stored and run.
	rm -f "$state/fill" "$state/fill2"
	seq 1 50 >"$T/c.in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/c.in"
	[ "$status" -eq 0 ]
	pdrun "$PD_MAP" --fetch "$output" --wait
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/c.in")" ]
}
