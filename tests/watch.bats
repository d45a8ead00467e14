#!/usr/bin/env bats
# pd-status --watch (frames of hosts and runs, in place on a terminal)
# and pd-status --why ID (why a detached run waits), from the outside.

load helpers/common

setup() {
	pd_setup
	NCPU=$(getconf _NPROCESSORS_ONLN)
	# wide enough that every CPU gets a cell of its own
	export COLUMNS=400
}

teardown() {
	pd_teardown
}

# A second server under $T/NAME with this test's key: sets its PORT_NAME.
second_server() {
	local name=$1
	shift
	mkdir -p "$T/$name"
	chmod 700 "$T/$name"
	cp -p "$PD_HOME/key" "$T/$name/key"
	PD_HOME="$T/$name" pd_start_server "$@"
}

# The bar of a host with busy B, shared S of N CPUs, one cell each.
bar() {
	local i s='['
	for ((i = 0; i < $3; i++)); do
		if ((i < $1)); then s+='#'; elif ((i < $2)); then s+='.'; else s+=' '; fi
	done
	echo "$s]"
}

# Frame number $1 (1-based) of the plain --watch output in $watched.
frame() {
	awk -v want="$1" '/^pd-status / { n++ } n == want && NF' <<<"$watched"
}

# Records of sleep.so: N records sleeping MS milliseconds each.
sleeps() {
	local i
	for ((i = 1; i <= $1; i++)); do echo "$2"; done
}

@test "bars, durations, rates and --why's sentences (C unit test of lib/front/watch.c, lib/front/why.c)" {
	run "$B/tests/watch_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "--watch --count 2 into a pipe: two plain frames with each host's CPUs from --cpu" {
	skip_if_cuda_driver
	pd_keygen
	pd_start_server --cpu 1
	pa=$PD_PORT
	second_server b --cpu 2
	pb=$PD_PORT
	pdrun "$PD_STATUS" --watch --count 2 --interval 0.1 -H "127.0.0.1:$pa,127.0.0.1:$pb"
	[ "$status" -eq 0 ]
	[[ $output != *$'\033'* ]]
	[ "$(grep -c '^pd-status ' <<<"$output")" -eq 2 ]
	# frames are separated by an empty line (Bats drops the last one)
	[ "$(grep -c '^$' <<<"$output")" -eq 1 ]
	watched=$output
	for f in 1 2; do
		run frame "$f"
		[ "${#lines[@]}" -eq 3 ]
		[[ ${lines[0]} =~ ^pd-status\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ \ hosts\ 2/2\ up\ \ cpu\ 0/3/$((2 * NCPU))\ \ gpu\ 0/0/0 ]]
		[ "${lines[1]}" = "$(printf '%-20s %-7s cpu %s 0/1/%d  0 GPUs' "127.0.0.1:$pa" up "$(bar 0 1 "$NCPU")" "$NCPU")" ]
		[ "${lines[2]}" = "$(printf '%-20s %-7s cpu %s 0/2/%d  0 GPUs' "127.0.0.1:$pb" up "$(bar 0 2 "$NCPU")" "$NCPU")" ]
	done
}

@test "--watch: a narrow terminal width scales the bars down" {
	skip_if_cuda_driver
	pd_keygen
	pd_start_server --cpu 1
	COLUMNS=40 pdrun "$PD_STATUS" --watch --count 1
	[ "$status" -eq 0 ]
	watched=$output
	run frame 1
	# 4 cells (or one per CPU when fewer), the shared one showing
	cells=$((NCPU < 4 ? NCPU : 4))
	[[ ${lines[1]} == *" cpu $(bar 0 1 "$cells") 0/1/$NCPU  0 GPUs" ]]
}

@test "--watch: detached runs' progress matches what --fetch says" {
	pd_start_server --local --cpu 1
	seq 1 50 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	done_id=$output
	pdrun "$PD_MAP" --fetch "$done_id" --wait
	[ "$status" -eq 0 ]
	sleeps 300 20 >"$T/slow"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/slow"
	cancel_id=$output
	wait_for -t 30 bash -c "'$PD_STATUS' $cancel_id | grep -qv ' 0/300 done'"
	pdrun "$PD_MAP" --cancel "$cancel_id"
	[ "$status" -eq 0 ]
	pdrun "$PD_MAP" --fetch "$cancel_id"
	[ "$status" -eq 1 ]
	k=${#lines[@]}
	[[ $stderr == *"run $cancel_id cancelled ($k of 300 records have results)"* ]]
	pdrun "$PD_STATUS" --watch --count 2 --interval 0.1
	[ "$status" -eq 0 ]
	me="$(id -un)@$(uname -n)"
	watched=$output
	for f in 1 2; do
		run frame "$f"
		printf '%s\n' "${lines[@]}"
		[[ " ${lines[*]} " == *" run $done_id done      50/50 100.0%  took "*"s  $me  square "* ]]
		pct=$(awk -v k="$k" 'BEGIN { printf "%5.1f", 100 * k / 300 }')
		[[ " ${lines[*]} " == *" run $cancel_id cancelled $k/300 $pct%  took "*"s  $me  sleep_ms "* ]]
	done
}

@test "--watch: a running run shows its rate and ETA; --why says where its records are" {
	pd_start_server --local --cpu 1
	sleeps 400 50 >"$T/slow"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/slow"
	id=$output
	wait_for -t 30 bash -c "'$PD_STATUS' $id | grep -qv ' 0/400 done'"
	pdrun "$PD_STATUS" --watch --count 2 --interval 0.2
	[ "$status" -eq 0 ]
	watched=$output
	run frame 2
	printf '%s\n' "${lines[@]}"
	re=" run $id running +[0-9]+/400 +[0-9.]+%  [0-9.e+]+/s  ETA [0-9dhms]+  "
	[[ " ${lines[*]} " =~ $re ]]
	pdrun "$PD_STATUS" --why "$id"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^run\ $id\ is\ running:\ [0-9]+\ records\ in\ flight,\ [0-9]+\ of\ 400\ done$ ]]
	[[ ${lines[1]} =~ ^\ \ $(uname -n):\ [0-9]+\ records\ of\ this\ run\ in\ flight$ ]]
	pdrun "$PD_MAP" --cancel "$id"
}

@test "--watch on a terminal redraws in place and gives the cursor back" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	pd_start_server --local --cpu 1
	run timeout -k 5 30 script -qec "'$PD_STATUS' --watch --count 2 --interval 0.1" /dev/null </dev/null
	[ "$status" -eq 0 ]
	# hide the cursor and clear once, then per frame: home, lines cleared
	# to their end, the rest of the screen cleared; the cursor back last
	[[ $output == $'\033[?25l\033[H\033[2J\033[Hpd-status '* ]]
	[ "$(grep -o $'\033\\[H' <<<"$output" | wc -l)" -eq 3 ]
	[ "$(grep -o $'\033\\[J' <<<"$output" | wc -l)" -eq 2 ]
	[[ $output == *$'\033[K'* ]]
	[[ $output == *$'\033[J\033[?25h' ]]
}

@test "--watch: SIGINT on a terminal exits 0 and gives the cursor back; SIGTERM in a pipe exits 0" {
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	pd_start_server --local --cpu 1
	# (the terminal's output is script's stdout; its typescript file
	# would add lines of its own)
	script -qefc "echo \$\$ >'$T/pid'; exec '$PD_STATUS' --watch --interval 0.1" /dev/null \
		</dev/null >"$T/tty.out" 2>&1 3>&- &
	spid=$!
	pd_track "$spid"
	wait_for -t 20 bash -c "[ \$(grep -c 'pd-status ' '$T/tty.out') -ge 2 ]"
	kill -INT "$(cat "$T/pid")"
	st=0
	wait "$spid" || st=$?
	[ "$st" -eq 0 ]
	[[ $(cat "$T/tty.out") == *$'\033[J\033[?25h' ]]
	"$PD_STATUS" --watch --interval 0.1 >"$T/pipe.out" 2>&1 3>&- &
	wpid=$!
	pd_track "$wpid"
	wait_for -t 20 bash -c "[ \$(grep -c '^pd-status ' '$T/pipe.out') -ge 2 ]"
	kill -TERM "$wpid"
	st=0
	wait "$wpid" || st=$?
	[ "$st" -eq 0 ]
	[[ $(cat "$T/pipe.out") != *$'\033'* ]]
}

@test "--watch: a host that goes down is shown down and the watch goes on" {
	pd_keygen
	pd_start_server --cpu 1
	pa=$PD_PORT
	second_server b --cpu 1
	pb=$PD_PORT bpid=$PD_PID
	"$PD_STATUS" --watch --interval 0.1 -H "127.0.0.1:$pa,127.0.0.1:$pb" >"$T/w.out" 2>&1 3>&- &
	wpid=$!
	pd_track "$wpid"
	wait_for -t 20 grep -q "hosts 2/2 up" "$T/w.out"
	pd_stop_server "$bpid"
	wait_for -t 20 grep -q "hosts 1/2 up" "$T/w.out"
	grep -qE "^127\.0\.0\.1:$pb +down +." "$T/w.out"
	pd_alive "$wpid"
	kill -TERM "$wpid"
	st=0
	wait "$wpid" || st=$?
	[ "$st" -eq 0 ]
}

@test "--watch --json: one array per frame" {
	pd_start_server --local --cpu 1
	pdrun "$PD_STATUS" --watch --json --count 2 --interval 0.1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do
		run "$B/tests/pd_json" address state shared <<<"$l"
		[ "$output" = "$(printf 'local\tup\t1')" ]
	done
}

@test "--why: a run held back by pd-alloc --cpu 0 waits, naming the host; it goes on when shared again" {
	pd_start_server --local --cpu 1
	pdrun "$PD_ALLOC" --cpu 0
	[ "$status" -eq 0 ]
	seq 1 5 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	id=$output
	# (once its coordinator has heard from the host)
	wait_for -t 20 bash -c "'$PD_STATUS' --why $id | grep -qx 'run $id is waiting: no host shares a CPU with it (0 of 5 done)'"
	pdrun "$PD_STATUS" --why "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "run $id is waiting: no host shares a CPU with it (0 of 5 done)" ]
	[ "${lines[1]}" = "  $(uname -n) shares 0 of its $NCPU CPUs: its owner reserved them (pd-alloc --cpu 0)" ]
	[ "${#lines[@]}" -eq 2 ]
	pdrun "$PD_ALLOC" --cpu 1
	[ "$status" -eq 0 ]
	pdrun "$PD_MAP" --fetch "$id" --wait
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	pdrun "$PD_STATUS" --why "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "run $id has finished: 5 of 5 records done, 0 of them failed" ]
}

@test "--why: cancelled and failed runs say so; unknown IDs 65, malformed 64" {
	pd_start_server --local --cpu 1
	sleeps 100 50 >"$T/slow"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/slow"
	id=$output
	pdrun "$PD_MAP" --cancel "$id"
	[ "$status" -eq 0 ]
	pdrun "$PD_MAP" --fetch "$id"
	k=${#lines[@]}
	pdrun "$PD_STATUS" --why "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "run $id was cancelled; $k of 100 records had finished" ]
	pdrun "$PD_STATUS" --why r0000000000
	[ "$status" -eq 65 ]
	[[ $stderr == *"no run r0000000000"* ]]
	pdrun "$PD_STATUS" --why nonsense
	[ "$status" -eq 64 ]
}

@test "--why: a host of the run that went down is named, with the run going on elsewhere" {
	pd_keygen
	second_server w1 --cpu 1
	p1=$PD_PORT
	second_server w2 --cpu 1
	p2=$PD_PORT w2pid=$PD_PID
	pd_start_server --local
	sleeps 2000 50 >"$T/slow"
	pdrun "$PD_MAP" -H "127.0.0.1:$p1,127.0.0.1:$p2" --detach "$EX/sleep.so" <"$T/slow"
	[ "$status" -eq 0 ]
	id=$output
	wait_for -t 30 bash -c "'$PD_STATUS' --why $id | grep -q '127.0.0.1:$p2: [0-9]* records of this run in flight'"
	kill -KILL "$w2pid"
	wait_for -t 30 bash -c "'$PD_STATUS' --why $id | grep -q '^  127.0.0.1:$p2 is down: '"
	pdrun "$PD_STATUS" --why "$id"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "run $id is running: "* ]]
	[[ $output == *$'\n'"  127.0.0.1:$p2 is down: "* ]]
	[[ $output != *"127.0.0.1:$p1 is down"* ]]
	pdrun "$PD_MAP" --cancel "$id"
}

@test "--why: shared CPUs busy with another run are named" {
	pd_start_server --local --cpu 1
	sleeps 200 100 >"$T/slow"
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/slow"
	first=$output
	pdrun "$PD_MAP" --detach "$EX/sleep.so" <"$T/slow"
	second=$output
	wait_for -t 30 bash -c "'$PD_STATUS' --why $second | grep -q '^  $(uname -n): all 1 shared CPUs are busy, also with: run $first from '"
	pdrun "$PD_MAP" --cancel "$first"
	pdrun "$PD_MAP" --cancel "$second"
}

@test "--why and --watch on a detached task still running" {
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/probe.c -o "$T/probe.so"
	pd_start_server --local --cpu 2
	pdrun "$B/bin/pd-task" -n 2 --args "sleep 30000" --detach "$T/probe.so"
	[ "$status" -eq 0 ]
	id=$output
	pdrun "$PD_STATUS" --why "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "run $id is running: a detached task (probe.so, 2 nodes); its nodes are counted when it ends" ]
	pdrun "$PD_STATUS" --watch --count 1
	[ "$status" -eq 0 ]
	[[ $output == *$'\n'"run $id running   0/2   0.0%  "* ]]
	pdrun "$B/bin/pd-task" --cancel "$id"
	[ "$status" -eq 0 ]
}

@test "--watch and --why usage errors: 64" {
	pdrun "$PD_STATUS" --count 2
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --interval 1
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --watch --interval 0
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --watch --interval x
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --watch --count 0
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --watch r0000000000
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --why r0000000000 --json
	[ "$status" -eq 64 ]
	pdrun "$PD_STATUS" --why r0000000000 r0000000001
	[ "$status" -eq 64 ]
}
