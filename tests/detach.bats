#!/usr/bin/env bats
# Detached runs: pd-map --detach / --fetch [--wait] / --cancel, pd-status ID,
# and a pd-serve restart that resumes them without losing a result.

load helpers/common
load helpers/faults

setup() {
	pd_setup
}

teardown() {
	pd_teardown
}

# Records of sleep.so: N records sleeping MS milliseconds each.
sleeps() {
	local i
	for ((i = 1; i <= $1; i++)); do echo "$2"; done
}

@test "--detach prints a run id; --fetch --wait prints what an attached run prints" {
	pd_start_server --local --cpu 2
	seq 1 500 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[[ $output =~ ^r[0-9a-f]{10}$ ]]
	id=$output
	pdrun "$PD_MAP" --fetch "$id" --wait
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	# fetching again gives the same, and pd-status ID says it is done
	pdrun "$PD_MAP" --fetch "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	pdrun "$PD_STATUS" "$id"
	[ "$status" -eq 0 ]
	[[ $output == "run $id done"*"500/500 done, 0 failed"* ]]
}

@test "a fetched run with failed records: same messages and exit 1 as attached" {
	pd_start_server --local --cpu 2
	printf 'ok\nsegv\nhello\nfail\n' >"$T/in"
	pdrun "$PD_MAP" "$EX/faulty.so" <"$T/in"
	[ "$status" -eq 1 ]
	attached_out=$output attached_err=$stderr
	pdrun "$PD_MAP" --detach "$EX/faulty.so" <"$T/in"
	id=$output
	pdrun "$PD_MAP" --fetch "$id" --wait
	[ "$status" -eq 1 ]
	[ "$output" = "$attached_out" ]
	[ "$stderr" = "$attached_err" ]
	# --json carries the kind of failure
	pdrun "$PD_MAP" --fetch "$id" --json
	[ "$status" -eq 1 ]
	[[ ${lines[1]} == *'"status":"crash"'* ]]
	[[ ${lines[3]} == *'"status":"error"'*'"error":"asked to fail"'* ]]
}

@test "--fetch of a run still running: 75 and progress, unless --wait" {
	pd_start_server --local --cpu 1
	# 20 s of sleeps on one slot: still running at the pd-status below
	# however slow the machine (the run is cancelled at the end)
	sleeps 20 1000 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/in"
	id=$output
	pdrun "$PD_MAP" --fetch "$id"
	[ "$status" -eq 75 ]
	[[ $stderr == *"run $id is still running"* ]]
	[ -z "$output" ]
	pdrun "$PD_STATUS"
	[[ $output == *"run $id running"* ]]
	pdrun "$PD_MAP" --cancel "$id"
	[ "$status" -eq 0 ]
}

@test "--cancel stops a run; its finished results stay fetchable" {
	pd_start_server --local --cpu 1
	sleeps 200 20 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/in"
	id=$output
	wait_for -t 20 bash -c "'$PD_STATUS' $id | grep -qv ' 0/200 done'"
	pdrun "$PD_MAP" --cancel "$id"
	[ "$status" -eq 0 ]
	pdrun "$PD_STATUS" --json "$id"
	[[ $output == *'"state":"cancelled"'* ]]
	pdrun "$PD_MAP" --fetch "$id"
	[ "$status" -eq 1 ]
	[[ $stderr == *"run $id cancelled"* ]]
	n=${#lines[@]}
	[ "$n" -ge 1 ]
	[ "$n" -lt 200 ]
	# what is there is right: a prefix of the input, in order
	[ "$output" = "$(head -n "$n" "$T/in")" ]
	# cancelling twice says it has ended
	pdrun "$PD_MAP" --cancel "$id"
	[ "$status" -eq 65 ]
	[[ $stderr == *"already ended"* ]]
}

@test "pd-serve killed (SIGKILL) mid-run and restarted: the run resumes, every result once" {
	pd_start_server --local --cpu 2 -v
	for i in $(seq 1 300); do echo "20 r$i"; done >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/in"
	id=$output
	log="$PD_HOME/state/runs/$id/log"
	wait_for -t 30 bash -c "[ \$(wc -l < '$log' 2>/dev/null || echo 0) -ge 40 ]"
	kill -KILL "$PD_PID"
	wait "$PD_PID" 2>/dev/null || true
	before=$(wc -l <"$log")
	[ "$before" -lt 300 ]
	pd_start_server --local --cpu 2 -v
	pdrun "$PD_MAP" --fetch "$id" --wait
	fault_record "pd-serve kill -9, restart" "detached pd-map resumed" "$((status == 0))" \
		<(cut -d' ' -f1 "$T/in") <(printf '%s\n' "$output")
	[ "$status" -eq 0 ]
	[ "$output" = "$(cut -d' ' -f1 "$T/in")" ]
	# no record ran twice: the log has one entry per record
	[ "$(wc -l <"$log")" -eq 300 ]
	[ "$(sed 's/.*"line":\([0-9]*\).*/\1/' "$log" | sort -n | uniq -d | wc -l)" -eq 0 ]
	grep -q "resuming run $id" "$PD_LOG" || [ "$before" -eq 300 ]
}

@test "pd-serve stopped (SIGTERM) with a run in progress resumes it at the next start" {
	pd_start_server --local --cpu 2
	sleeps 100 30 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/in"
	id=$output
	pd_stop_server "$PD_PID"
	[ "$PD_STOP_STATUS" -eq 0 ]
	pd_start_server --local --cpu 2
	pdrun "$PD_MAP" --fetch "$id" --wait
	fault_record "pd-serve SIGTERM, restart" "detached pd-map resumed" "$((status == 0))" \
		"$T/in" <(printf '%s\n' "$output")
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
}

@test "a detached run on other hosts (-H): pd-serve coordinates it over TCP" {
	pd_keygen
	mkdir -p "$T/w"
	chmod 700 "$T/w"
	cp -p "$PD_HOME/key" "$T/w/key"
	PD_HOME="$T/w" pd_start_server --cpu 2 -v
	wport=$PD_PORT wlog=$PD_LOG
	pd_start_server --local
	seq 1 200 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$wport" --detach "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	id=$output
	pdrun "$PD_MAP" --fetch "$id" --wait
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	# the work ran on the other server, for this one
	grep -q "pd-serve run $id connected" "$wlog"
}

@test "detached runs need a local pd-serve (69); bad ids: 64, unknown: 65" {
	seq 1 3 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	[ "$status" -eq 69 ]
	[[ $stderr == *"--detach needs a pd-serve running on this host"* ]]
	pd_start_server --local
	pdrun "$PD_MAP" --fetch nonsense
	[ "$status" -eq 64 ]
	pdrun "$PD_MAP" --fetch r0000000000
	[ "$status" -eq 65 ]
	[[ $stderr == *"no run r0000000000"* ]]
	pdrun "$PD_STATUS" r0000000000
	[ "$status" -eq 65 ]
	pdrun "$PD_MAP" --wait "$EX/square.so"
	[ "$status" -eq 64 ]
	pdrun "$PD_MAP" --detach --tag "$EX/square.so"
	[ "$status" -eq 64 ]
}

@test "a detached run's status and results over TCP, for another user of the key" {
	pd_keygen
	pd_start_server --cpu 2
	seq 1 50 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	id=$output
	mkdir -p "$T/other"
	chmod 700 "$T/other"
	cp -p "$PD_HOME/key" "$T/other/key"
	PD_HOME="$T/other" pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --fetch "$id" --wait
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	PD_HOME="$T/other" pdrun "$PD_STATUS" -H "127.0.0.1:$PD_PORT" "$id"
	[ "$status" -eq 0 ]
	[[ $output == "run $id done"* ]]
}
