#!/usr/bin/env bats
# pd-task on local workers: tubes, topologies, barriers, failures, limits.

load helpers/common

setup() {
	pd_setup
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib tests/jobs/probe.c -o "$T/probe.so"
	PD_TASK="$B/bin/pd-task"
	P="$T/probe.so"
}

teardown() {
	pd_teardown
}

@test "one result per node, in node order; --json carries node, host and output" {
	printf 'echo zero\necho one\n' >"$T/args"
	pdrun "$PD_TASK" "$P" <"$T/args"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'zero\none')" ]
	pdrun "$PD_TASK" --json "$P" <"$T/args"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == '{"node":0,"host":"local","output":"zero","ms":'* ]]
	[[ ${lines[1]} == '{"node":1,"host":"local","output":"one","ms":'* ]]
	# --args gives every node the same line
	pdrun "$PD_TASK" -n 2 --args "echo same" "$P"
	[ "$output" = "$(printf 'same\nsame')" ]
}

@test "named topologies give each node the tubes documented in pd-task(1)" {
	pdrun "$PD_TASK" -n 3 --oversubscribe -t line --args tubes "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'in:left out:right\nin:right,left out:left,right\nin:right out:left')" ] ||
		[ "$output" = "$(printf 'in:left out:right\nin:right,left out:right,left\nin:right out:left')" ] ||
		{ echo "$output"; false; }
	pdrun "$PD_TASK" -n 3 --oversubscribe -t ring --args tubes "$P"
	[ "$output" = "$(printf 'in:next out:next\nin:next out:next\nin:next out:next')" ]
	pdrun "$PD_TASK" -n 3 --oversubscribe -t star --args tubes "$P"
	[ "$output" = "$(printf 'in:up1,up2 out:down1,down2\nin:down1 out:up1\nin:down2 out:up2')" ]
	pdrun "$PD_TASK" -n 2 -t none --args tubes "$P"
	[ "$output" = "$(printf 'in: out:\nin: out:')" ]
}

@test "messages arrive in order, none lost or duplicated, through a file topology" {
	printf '# a ring of two, by hand\nnext 0 1\nnext 1 0\n' >"$T/topo"
	printf 'push hello\npop\n' >"$T/a"
	pdrun "$PD_TASK" -t "$T/topo" "$P" <"$T/a"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'pushed\npopped hello')" ]
}

@test "a message larger than 64 MiB crosses a tube intact, both ways at once" {
	pdrun "$PD_TASK" -n 2 -t ring --args "big 70000000" "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ok 70000000\nok 70000000')" ]
}

@test "barriers: every node passes each one together" {
	pdrun "$PD_TASK" -n 2 --args "barrier 5" "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'passed 5\npassed 5')" ]
}

@test "a barrier one node never reaches fails, not hangs" {
	printf 'barrier 1\necho done\n' >"$T/a"
	pdrun "$PD_TASK" "$P" <"$T/a"
	[ "$status" -eq 1 ]
	[[ $stderr == *"node 0 on local failed in start: barrier: node 1 ended without reaching it"* ]]
}

@test "a node that crashes ends the task on every node: which node, where, why (exit 1)" {
	printf 'crash\nsleep 30000\n' >"$T/a"
	pdrun "$PD_TASK" "$P" <"$T/a"
	[ "$status" -eq 1 ]
	[[ $stderr == *"node 0 on local failed in start: crashed: SIGSEGV"* ]]
	[ -z "$output" ]
}

@test "a node that returns an error ends the task, with its message" {
	printf 'sleep 30000\nfail\n' >"$T/a"
	pdrun "$PD_TASK" "$P" <"$T/a"
	[ "$status" -eq 1 ]
	[[ $stderr == *"node 1 on local failed in start: asked to fail"* ]]
	printf 'badinit\necho x\n' >"$T/a"
	pdrun "$PD_TASK" "$P" <"$T/a"
	[ "$status" -eq 1 ]
	[[ $stderr == *"node 0 on local failed in init: init refused 'badinit'"* ]]
}

@test "a pop from a node that ended without sending is an error, not a hang" {
	printf 'echo x\npop\n' >"$T/a"
	pdrun "$PD_TASK" -t ring "$P" <"$T/a"
	[ "$status" -eq 1 ]
	[[ $stderr == *"node 1 on local failed in start: pop on 'next': node 0 has ended and sent nothing more"* ]]
}

@test "--timeout bounds the whole task" {
	pdrun "$PD_TASK" -n 2 --timeout 0.5 --args "sleep 30000" "$P"
	[ "$status" -eq 1 ]
	[[ $stderr == *"timed out after 0.5 s"* ]]
}

@test "more nodes than slots: 69 unless --oversubscribe" {
	pdrun "$PD_TASK" -n 3 -c 2 --args "echo x" "$P"
	[ "$status" -eq 69 ]
	[[ $stderr == *"3 nodes but 2 slots"*"--oversubscribe"* ]]
	pdrun "$PD_TASK" -n 3 -c 2 --oversubscribe --args "echo x" "$P"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "topologies naming a node outside 0..k-1 or a second incoming tube of a name: 65 with the line, nothing runs" {
	printf 'next 0 1\nnext 1 5\n' >"$T/topo"
	printf 'echo a\necho b\n' >"$T/a"
	pdrun "$PD_TASK" -t "$T/topo" "$P" <"$T/a"
	[ "$status" -eq 65 ]
	[[ $stderr == *"topo:2: node 5 is outside 0..1"* ]]
	[ -z "$output" ]
	printf 'x 0 1\nx 1 1\n' >"$T/topo"
	printf 'echo a\necho b\n' >"$T/a"
	pdrun "$PD_TASK" -t "$T/topo" "$P" <"$T/a"
	[ "$status" -eq 65 ]
	[[ $stderr == *"topo:2: node 1 would get a second incoming tube named 'x'"* ]]
	pdrun "$PD_TASK" -n 2 -t mesh --args x "$P"
	[ "$status" -eq 65 ]
	[[ $stderr == *"unknown topology 'mesh'"* ]]
}

@test "argument lines: one per node, else 65; usage errors 64" {
	printf 'echo a\n' >"$T/a"
	pdrun "$PD_TASK" -n 2 "$P" <"$T/a"
	[ "$status" -eq 65 ]
	[[ $stderr == *"stdin has 1 argument line for 2 nodes"* ]]
	pdrun "$PD_TASK" --args x "$P"
	[ "$status" -eq 64 ]
	pdrun "$PD_TASK" -n 0 "$P"
	[ "$status" -eq 64 ]
	pdrun "$PD_TASK"
	[ "$status" -eq 64 ]
	pdrun "$PD_TASK" -h
	[ "$status" -eq 0 ]
	[[ $output == usage:* ]]
}

@test "a map job or a missing file is not a task: 65 before anything runs" {
	pdrun "$PD_TASK" -n 1 --args x "$EX/square.so"
	[ "$status" -eq 65 ]
	[[ $stderr == *"square.so defines no task"* ]]
	pdrun "$PD_TASK" -n 1 --args x "$EX/square.so:square"
	[ "$status" -eq 65 ]
	[[ $stderr == *"square.so: job 'square' is a map job, not a task"* ]]
	pdrun "$PD_TASK" -n 1 --args x "$T/missing.so"
	[ "$status" -eq 65 ]
}

@test "configured hosts that are all down: 69 naming them, never a silent local run" {
	pd_keygen
	pd_dead_port
	PD_HOSTS=127.0.0.1:$PD_DEAD_PORT pdrun "$PD_TASK" -n 1 --args "echo x" "$P"
	[ "$status" -eq 69 ]
	[[ $stderr == *"127.0.0.1:$PD_DEAD_PORT"* ]]
	[[ $stderr == *"no host is up"* ]]
	[ -z "$output" ]
}

# Start a second server sharing the first's key; its port in PORT2.
second_server() {
	mkdir -p "$T/h2"
	chmod 700 "$T/h2"
	cp -p "$PD_HOME/key" "$T/h2/key"
	PD_HOME="$T/h2" pd_start_server "$@"
	PORT2=$PD_PORT LOG2=$PD_LOG
}

@test "through the local pd-serve: the same results, and the server logs the task" {
	pd_start_server --local -v
	printf 'push hello
pop
' >"$T/a"
	pdrun "$PD_TASK" -t ring "$P" <"$T/a"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'pushed
popped hello')" ]
	grep -q "started 2 nodes here" "$PD_LOG"
}

@test "across two servers: sealed tubes between hosts, 70 MB both ways, heat as serial" {
	pd_keygen
	pd_start_server --cpu 2 -v
	port1=$PD_PORT log1=$PD_LOG
	second_server --cpu 2 -v
	H="127.0.0.1:$port1,127.0.0.1:$PORT2"
	pdrun "$PD_TASK" -H "$H" -n 4 -t ring --args "big 70000000" "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ok 70000000
ok 70000000
ok 70000000
ok 70000000')" ]
	# two nodes on each host, so two of the ring's tubes cross between them
	grep -q "started 2 nodes here" "$log1"
	grep -q "started 2 nodes here" "$LOG2"
	pdrun "$PD_TASK" -H "$H" -n 4 --json --args "echo x" "$P"
	[[ ${lines[0]} == *"\"host\":\"127.0.0.1:$port1\""* ]]
	[[ ${lines[3]} == *"\"host\":\"127.0.0.1:$PORT2\""* ]]
}

@test "across two servers: a node that crashes ends the task, naming node and host" {
	pd_keygen
	pd_start_server --cpu 2
	port1=$PD_PORT
	second_server --cpu 2
	printf 'sleep 30000
sleep 30000
sleep 30000
crash
' >"$T/a"
	pdrun "$PD_TASK" -H "127.0.0.1:$port1,127.0.0.1:$PORT2" "$P" <"$T/a"
	[ "$status" -eq 1 ]
	[[ $stderr == *"node 3 on 127.0.0.1:$PORT2 failed in start: crashed: SIGSEGV"* ]]
}

@test "more nodes than the hosts' free slots: 69 unless --oversubscribe" {
	pd_keygen
	pd_start_server --cpu 1
	pdrun "$PD_TASK" -H "127.0.0.1:$PD_PORT" -n 2 --args "echo x" "$P"
	[ "$status" -eq 69 ]
	[[ $stderr == *"2 nodes but the hosts have 1 free slot"* ]]
	pdrun "$PD_TASK" -H "127.0.0.1:$PD_PORT" -n 2 --oversubscribe --args "echo x" "$P"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'x
x')" ]
}

@test "--detach: the local pd-serve runs the task; --fetch --wait prints what an attached run prints" {
	pd_start_server --local --cpu 2
	pdrun "$PD_TASK" -n 2 -t ring --args "echo hi" "$P"
	attached=$output
	pdrun "$PD_TASK" -n 2 -t ring --args "echo hi" --detach "$P"
	[ "$status" -eq 0 ]
	[[ $output =~ ^r[0-9a-f]{10}$ ]]
	id=$output
	pdrun "$PD_TASK" --fetch "$id" --wait
	[ "$status" -eq 0 ]
	[ "$output" = "$attached" ]
	pdrun "$PD_STATUS" "$id"
	[[ $output == "run $id done"*"2/2 done, 0 failed"* ]]
	pdrun "$PD_TASK" --json --fetch "$id"
	[[ ${lines[1]} == '{"node":1,"host":"local","output":"hi"'* ]]
}

@test "a detached task that fails: --fetch says which node and why (1)" {
	pd_start_server --local --cpu 2
	printf 'sleep 30000\ncrash\n' >"$T/a"
	pdrun "$PD_TASK" --detach "$P" <"$T/a"
	id=$output
	pdrun "$PD_TASK" --fetch "$id" --wait
	[ "$status" -eq 1 ]
	[[ $stderr == *"run $id failed: node 1 on local failed in start: crashed: SIGSEGV"* ]]
	[ -z "$output" ]
}

@test "a detached task still running: --fetch 75; --cancel ends it" {
	pd_start_server --local --cpu 2
	pdrun "$PD_TASK" -n 2 --args "sleep 30000" --detach "$P"
	id=$output
	pdrun "$PD_TASK" --fetch "$id"
	[ "$status" -eq 75 ]
	# both nodes hold their slots while they run
	wait_for -t 10 bash -c "'$PD_ALLOC' --json | grep -q '\"busy\":2,'"
	pdrun "$PD_TASK" --cancel "$id"
	[ "$status" -eq 0 ]
	pdrun "$PD_STATUS" --json "$id"
	[[ $output == *'"state":"cancelled"'* ]]
	# its nodes are gone and their slots free again
	wait_for -t 10 bash -c "'$PD_ALLOC' --json | grep -q '\"busy\":0,'"
}

@test "a detached task does not survive a pd-serve restart: it is marked failed, saying so" {
	pd_start_server --local --cpu 2
	pdrun "$PD_TASK" -n 2 --args "sleep 30000" --detach "$P"
	id=$output
	pd_stop_server "$PD_PID"
	pd_start_server --local --cpu 2
	pdrun "$PD_TASK" --fetch "$id"
	[ "$status" -eq 1 ]
	[[ $stderr == *"interrupted: pd-serve stopped, and a task does not resume"* ]]
}

@test "detached tasks need a local pd-serve (69); bad fetch usage: 64" {
	pdrun "$PD_TASK" -n 1 --args "echo x" --detach "$P"
	[ "$status" -eq 69 ]
	[[ $stderr == *"--detach needs a pd-serve"* ]]
	pdrun "$PD_TASK" --wait "$P"
	[ "$status" -eq 64 ]
	pdrun "$PD_TASK" --fetch r0123456789 "$P"
	[ "$status" -eq 64 ]
}

# expected_edges SPEC K: the tubes "NAME SOURCE TARGET" of named topology
# SPEC for K nodes, sorted, computed here from pd-task(1)'s words alone.
expected_edges() {
	python3 - "$1" "$2" <<'PY' | LC_ALL=C sort
import sys
spec, k = sys.argv[1], int(sys.argv[2])
if spec == "ring2":
    rows, cols, wrap, names = 1, k, True, ["right", "left"]
else:
    kind, size = spec.split(":")
    rows, cols = map(int, size.split("x"))
    wrap, names = kind == "torus", ["right", "left", "down", "up"]
moves = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
for node in range(k):
    r, c = divmod(node, cols)
    for name in names:
        rr, cc = r + moves[name][0], c + moves[name][1]
        if not wrap and not (0 <= rr < rows and 0 <= cc < cols):
            continue
        print(name, node, (rr % rows) * cols + cc % cols)
PY
}

@test "ring2, torus:RxC and grid:RxC: every tube joins the nodes pd-task(1) names, messages prove it" {
	local spec k
	for spec in ring2:1 ring2:2 ring2:5 torus:4x4:16 torus:2x2:4 torus:1x3:3 torus:3x1:3 grid:3x4:12 grid:1x1:1 grid:2x1:2; do
		k=${spec##*:}
		spec=${spec%:*}
		# each node pushes its number on every outgoing tube and says
		# what arrived on each incoming one: "NAME:SOURCE ..."
		pdrun "$PD_TASK" -n "$k" --oversubscribe -t "$spec" --args wired "$P"
		[ "$status" -eq 0 ] || { echo "$spec: $stderr"; false; }
		[ "${#lines[@]}" -eq "$k" ] || [ "$k$output" = 1 ]
		printf '%s\n' "$output" | awk '{ for (i = 1; i <= NF; i++) { split($i, a, ":"); print a[1], a[2], NR - 1 } }' |
			LC_ALL=C sort >"$T/got"
		expected_edges "$spec" "$k" >"$T/want"
		diff "$T/want" "$T/got" || { echo "topology $spec, $k nodes"; false; }
	done
	# without -n a grid's size gives the number of nodes
	pdrun "$PD_TASK" --oversubscribe -t torus:2x3 --args wired "$P"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "grid and torus sizes that are malformed or do not match -n: 64 naming the spec, nothing runs" {
	pdrun "$PD_TASK" -n 16 -t torus:4x5 --args wired "$P"
	[ "$status" -eq 64 ]
	[[ $stderr == *"topology 'torus:4x5' has 20 nodes (4 rows of 5), but the task has 16"* ]]
	[ -z "$output" ]
	pdrun "$PD_TASK" -n 16 -t torus:0x4 --args wired "$P"
	[ "$status" -eq 64 ]
	[[ $stderr == *"topology 'torus:0x4': rows and columns must be from 1 to 4096"* ]]
	for spec in torus:junk torus:4x grid:4x4x4 'grid:4 x4' torus:-1x4 torus; do
		pdrun "$PD_TASK" -n 16 -t "$spec" --args wired "$P"
		[ "$status" -eq 64 ] || { echo "$spec: $status"; false; }
		[[ $stderr == *"topology '$spec': expected ${spec%%:*}:ROWSxCOLUMNS, as in ${spec%%:*}:4x4"* ]]
		[ -z "$output" ]
	done
	pdrun "$PD_TASK" -t torus:100x100 --args wired "$P"
	[ "$status" -eq 64 ]
	[[ $stderr == *"topology 'torus:100x100' has 10000 nodes (at most 4096)"* ]]
}
