#!/usr/bin/env bats
# pd-serve against hostile clients (tests/unit/pd_attack.c): every
# malformed frame, broken handshake, replay, tampered sealed frame and
# forbidden request must end that connection (with an error frame naming
# the fault, where the protocol promises one), be logged with its cause,
# and leave the server serving everyone else.

load helpers/common

setup() {
	pd_setup
	pd_keygen
	pd_start_server
	ATTACK="$B/tests/pd_attack"
}

teardown() {
	pd_teardown
}

# The server still runs and still serves a correct pd-map over TCP.
still_serves() {
	pd_alive "$PD_PID"
	seq 1 20 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

# 0 when the server log has a line about client 127.0.0.1:$1.
logged() {
	grep -q "127\.0\.0\.1:$1: " "$PD_LOG"
}

# Every connection the attack reports as dropped ("dropped ADDR[
# error=MSG]") is in the server log at the default level (warnings), with
# a cause: the error sent to the client when there was one, else at least
# a non-empty reason.
check_logged() {
	local line port msg
	while IFS= read -r line; do
		[[ $line == "dropped 127.0.0.1:"* ]] || continue
		port=${line#dropped 127.0.0.1:}
		port=${port%% *}
		msg=
		[[ $line == *" error="* ]] && msg=${line#* error=}
		wait_for -t 5 logged "$port" || {
			echo "no log line for 127.0.0.1:$port; the log:"
			cat "$PD_LOG"
			return 1
		}
		grep "127\.0\.0\.1:$port: " "$PD_LOG" >"$T/conn.log"
		if [ -n "$msg" ]; then
			grep -qF -- "$msg" "$T/conn.log" || {
				echo "the log for 127.0.0.1:$port does not give the cause '$msg':"
				cat "$T/conn.log"
				return 1
			}
		fi
		if grep -qE ': $' "$T/conn.log"; then
			echo "the log for 127.0.0.1:$port has an empty reason:"
			cat "$T/conn.log"
			return 1
		fi
	done <<<"$output"
}

# attack NAME [TEXT]: the server drops the attacking connection (and
# says TEXT in its error frame, when given), logs it, and still serves.
# What pd_attack printed is left in ATTACK_OUTPUT.
attack() {
	run --separate-stderr timeout -k 5 30 "$ATTACK" "$PD_PORT" "$1"
	no_crash
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	if [ -n "${2:-}" ]; then
		[[ $output == *"server error: "*"$2"* ]]
	fi
	check_logged
	ATTACK_OUTPUT=$output
	still_serves
}

@test "pd_attack knows every attack this file runs" {
	run "$ATTACK" list
	[ "$status" -eq 0 ]
	local names=" ${lines[*]} "
	for a in $(grep -o '^	attack [a-z-]*' "$BATS_TEST_FILENAME" | awk '{ print $2 }'); do
		[[ $names == *" $a "* ]]
	done
	run "$ATTACK" "$PD_PORT" no-such-attack
	[ "$status" -eq 2 ]
}

@test "random bytes: bad magic" {
	attack garbage "bad magic"
}

@test "a frame cut short, then EOF: dropped and logged" {
	attack truncated
}

@test "a header announcing a 2^40-byte blob: refused before allocating" {
	attack huge "1099511627776"
}

@test "a JSON part over 1 MiB announced: refused" {
	attack bigjson "JSON part"
}

@test "a JSON part of 0 bytes: refused" {
	attack tinyjson "JSON part"
}

@test "unknown frame flags: refused" {
	attack flags "flags"
}

@test "a sealed frame before the handshake: refused" {
	attack sealed-early "sealed"
}

@test "a body that is not JSON: refused" {
	attack badjson "JSON"
}

@test "JSON that is not an object: refused" {
	attack notobject "JSON"
}

@test "an object without op: refused" {
	attack noop "op"
}

@test "a first message other than hello: refused" {
	attack wrongop "hello"
}

@test "frame version 0 or 2, hello proto 0 or 2: refused" {
	attack downgrade "version"
}

@test "hello without a nonce: refused" {
	attack nononce "nonce"
}

@test "skipping auth: refused as an authentication failure" {
	attack skipauth "authentication failed (code 77)"
}

@test "a random proof: refused as an authentication failure" {
	attack badproof "authentication failed (code 77)"
}

@test "a proof for the wrong role and nonces: refused" {
	attack reflect "authentication failed (code 77)"
}

@test "a recorded handshake replayed on a new connection: refused" {
	attack replay "authentication failed (code 77)"
}

@test "a sealed frame with one ciphertext byte flipped: dropped" {
	attack flipped "authentication"
}

@test "a sealed frame with its tag altered: dropped" {
	attack flipped-tag "authentication"
}

@test "a sealed frame whose header (associated data) was altered: dropped" {
	attack flipped-header "authentication"
}

@test "a genuine sealed frame sent twice: the copy is dropped" {
	attack dupframe "authentication"
}

@test "an unsealed frame after the handshake: dropped" {
	attack unsealed "unsealed"
}

@test "alloc over TCP: refused (pd-alloc is local only), share unchanged" {
	pdrun "$PD_ALLOC" --json
	local before=$output
	attack remote-alloc "pd-alloc is local only"
	[[ $ATTACK_OUTPUT == *"(code 77)"* ]]
	pdrun "$PD_ALLOC" --json
	run "$B/tests/pd_json" shared <<<"$output"
	[ "$output" = "$("$B/tests/pd_json" shared <<<"$before")" ]
}

@test "an unknown operation: refused" {
	attack unknown-op "unknown operation"
}

@test "a run message with bad members: refused" {
	attack badrun "batch"
}

@test "a run message whose gpu member is not a boolean: refused" {
	attack badrun-gpu "gpu is not true or false"
}

@test "a run message with binary points of dimension 0: refused" {
	attack badrun-binary "f64"
}

@test "a run message with a per-run option out of its range or of the wrong type: refused by the table" {
	attack badrun-mem "message 'run': member 'mem' not an integer in [0, 1125899906842624]"
	attack badrun-timeout "message 'run': member 'timeout_ms' not an integer in [0, 2147483647]"
}

@test "a task message without its job's hash: refused by the message table" {
	attack badtask "message 'task': member 'hash' missing or not a string"
}

@test "an upload whose bytes do not match its hash: refused" {
	attack badupload "hash"
}

@test "a stalled handshake is dropped at the timeout while others are served" {
	run_stall() {
		timeout -k 5 30 "$ATTACK" "$PD_PORT" stall >"$T/stall.out" 2>&1 3>&-
	}
	# 0 while another client than this pd-alloc is connected
	stall_open() {
		"$PD_ALLOC" --json | grep -qE '"clients":([2-9]|[1-9][0-9])[,}]'
	}
	run_stall 3>&- &
	local bg=$! st=0
	# the stalled connection is open (the server counts it) ...
	wait_for -t 10 stall_open
	# ... and does not block anyone else
	still_serves
	wait "$bg" || st=$?
	cat "$T/stall.out"
	[ "$st" -eq 0 ]
	output=$(cat "$T/stall.out")
	check_logged
	grep -q 'handshake timed out' "$PD_LOG"
	still_serves
}

@test "every attack in a row against one server, which still serves" {
	local a
	for a in $("$ATTACK" list); do
		[ "$a" = stall ] && continue
		run --separate-stderr timeout -k 5 30 "$ATTACK" "$PD_PORT" "$a"
		no_crash
		echo "$a: $status"
		[ "$status" -eq 0 ]
	done
	still_serves
	pdrun "$PD_STATUS" -H "127.0.0.1:$PD_PORT"
	[ "$status" -eq 0 ]
}
