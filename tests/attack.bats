#!/usr/bin/env bats
# Attacks from issue 12, each as the attacker would run it: another local
# uid (setpriv, unusual uids so that no real user is touched), or a raw
# client or server without the cluster key (tests/helpers/attack.py).
# Each test failed on the code before the fix; the expected behaviour is
# the rule in playdoh(7), SECURITY.  Tests that switch uids need root and
# skip (saying why) without it.

load helpers/common

ATTACK_PY=${BATS_TEST_DIRNAME}/helpers/attack.py

setup() {
	pd_setup
	SQUAT_DIR=
	ATK_DIR=
}

teardown() {
	pd_teardown
	if [ -n "$SQUAT_DIR" ]; then
		rm -rf "$SQUAT_DIR"
	fi
	if [ -n "$ATK_DIR" ]; then
		rm -rf "$ATK_DIR"
	fi
}

# Two unusual uids for this run: VICTIM and ATTACKER; a scratch directory
# both may traverse (ATK_DIR, mode 0711) with a private HOME for each.
# Skips unless this test can switch uids and those uids can run the tools.
two_users() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run as other uids"
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the attacker"
	VICTIM=$((47000 + ($$ % 1000) * 2))
	ATTACKER=$((VICTIM + 1))
	ATK_DIR=$(mktemp -d /tmp/pdatk.XXXXXX)
	chmod 711 "$ATK_DIR"
	mkdir -m 700 "$ATK_DIR/victim" "$ATK_DIR/attacker"
	chown "$VICTIM:$VICTIM" "$ATK_DIR/victim"
	chown "$ATTACKER:$ATTACKER" "$ATK_DIR/attacker"
	SQUAT_DIR=/tmp/playdoh-$VICTIM
	rm -rf "$SQUAT_DIR"
	set_users
	as_victim test -x "$PD_MAP" || skip "uid $VICTIM cannot run $PD_MAP (a directory above it is private)"
}

# as_victim / as_attacker CMD...: run CMD as that uid with a clean
# environment: no PD_HOME, no XDG_RUNTIME_DIR, so the socket is
# /tmp/playdoh-UID/sock as on a machine without a login session.  VIC and
# ATK hold the same as command prefixes (for pdrun).
set_users() {
	VIC=(setpriv --reuid="$VICTIM" --regid="$VICTIM" --clear-groups
		env -i PATH=/usr/bin:/bin HOME="$ATK_DIR/victim")
	ATK=(setpriv --reuid="$ATTACKER" --regid="$ATTACKER" --clear-groups
		env -i PATH=/usr/bin:/bin HOME="$ATK_DIR/attacker")
}
as_victim() { "${VIC[@]}" "$@"; }
as_attacker() { "${ATK[@]}" "$@"; }

# The attacker squats /tmp/playdoh-VICTIM with a listener of its own that
# logs what it receives to $ATK_DIR/attacker/got.
squat_socket() {
	as_attacker mkdir -m 777 "$SQUAT_DIR"
	as_attacker /usr/bin/python3 "$ATTACK_PY" squat "$SQUAT_DIR/sock" "$ATK_DIR/attacker/got" 3>&- &
	pd_track "$!"
	wait_for grep -qs listening "$ATK_DIR/attacker/got"
}

# Bytes the squatter received from the victim, summed over connections.
squatter_got() {
	awk '$1 == "conn" { n += $2 } END { print n + 0 }' "$ATK_DIR/attacker/got"
}

@test "squat: another uid's listener at /tmp/playdoh-UID/sock gets nothing from pd-map (77)" {
	two_users
	squat_socket
	seq 3 >"$T/in"
	pdrun "${VIC[@]}" "$PD_MAP" "$EX/square.so" <"$T/in"
	echo "squatter got $(squatter_got) bytes"
	[ "$(squatter_got)" -eq 0 ]
	[ "$status" -eq 77 ]
	[[ $stderr == *"refusing the pd-serve on $SQUAT_DIR/sock: it runs as uid $ATTACKER, not as you (uid $VICTIM)"* ]]
	# and no escape sequence of the fake server reached the terminal
	[[ $stderr != *$'\e'* ]]
}

@test "squat: pd-alloc and pd-status refuse the squatter too, sending nothing" {
	two_users
	squat_socket
	pdrun "${VIC[@]}" "$PD_ALLOC" --cpu 1
	[ "$status" -eq 77 ]
	[[ $stderr == *"refusing the pd-serve on $SQUAT_DIR/sock"* ]]
	pdrun "${VIC[@]}" "$PD_STATUS"
	[ "$status" -ne 0 ]
	[ "$(squatter_got)" -eq 0 ]
}

@test "squat: pd-serve refuses a /tmp/playdoh-UID made by another uid (77, names the owner)" {
	two_users
	as_attacker mkdir -m 777 "$SQUAT_DIR"
	pdrun "${VIC[@]}" "$PD_SERVE" -f --local
	[ "$status" -eq 77 ]
	[[ $stderr == *"refusing $SQUAT_DIR: owned by uid $ATTACKER, not by you (uid $VICTIM)"* ]]
	[ ! -e "$SQUAT_DIR/sock" ]
}

@test "squat: pd-serve refuses /tmp/playdoh-UID as a symbolic link to the attacker's directory" {
	two_users
	as_attacker mkdir -m 777 "$ATK_DIR/attacker/trap"
	chmod 711 "$ATK_DIR/attacker"
	as_attacker ln -s "$ATK_DIR/attacker/trap" "$SQUAT_DIR"
	pdrun "${VIC[@]}" "$PD_SERVE" -f --local
	[ "$status" -eq 77 ]
	[[ $stderr == *"refusing $SQUAT_DIR: it is a symbolic link"* ]]
	[ -z "$(ls -A "$ATK_DIR/attacker/trap")" ]
}

@test "squat: pd-serve refuses its own socket directory open to others (mode 0777), says chmod 700" {
	two_users
	as_victim mkdir -m 777 "$SQUAT_DIR"
	as_victim chmod 777 "$SQUAT_DIR"
	pdrun "${VIC[@]}" "$PD_SERVE" -f --local
	[ "$status" -eq 77 ]
	[[ $stderr == *"refusing $SQUAT_DIR: mode 0777 lets others in; fix it with: chmod 700 $SQUAT_DIR"* ]]
}

@test "squat: a fresh /tmp/playdoh-UID is made 0700 and the victim's own server works" {
	two_users
	as_victim "$PD_SERVE" --local 3>&-
	wait_for test -S "$SQUAT_DIR/sock"
	[ "$(stat -c '%a %u' "$SQUAT_DIR")" = "700 $VICTIM" ]
	seq 5 >"$T/in"
	pdrun "${VIC[@]}" "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	as_victim kill "$(cat "$ATK_DIR/victim/.local/state/playdoh/lock")"
	wait_for bash -c "! test -S '$SQUAT_DIR/sock'"
}

# A fake pd-serve without the key on 127.0.0.1 (tests/helpers/attack.py):
# FAKE_PORT; what it received goes to $T/fake.got.
start_fake_server() {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the fake server"
	/usr/bin/python3 "$ATTACK_PY" fakeserver "$T/fake.port" "$T/fake.got" 3>&- &
	pd_track "$!"
	wait_for test -s "$T/fake.port"
	FAKE_PORT=$(cat "$T/fake.port")
}

@test "terminal injection: a fake server's escape sequences reach pd-map's stderr escaped, never raw" {
	pd_keygen
	start_fake_server
	seq 3 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$FAKE_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 69 ]
	[[ $stderr != *$'\e'* ]]
	[[ $stderr != *$'\a'* ]]
	[[ $stderr == *'\e]0;pwned\x07\e[2J\e[31mforged: all records done\e[0m'* ]]
	pdrun "$PD_STATUS" -H "127.0.0.1:$FAKE_PORT"
	[[ $output$stderr != *$'\e'* ]]
}

@test "log injection: a keyless client's newline cannot forge a pd-serve log line" {
	pd_keygen
	pd_start_server
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for the raw client"
	/usr/bin/python3 "$ATTACK_PY" hello-op 127.0.0.1 "$PD_PORT" \
		'x\npd-serve: warning: allocation changed: cpu 0 shared\e[2J'
	wait_for grep -q 'expected hello' "$PD_LOG"
	cat "$PD_LOG"
	# one line names the fault, with the newline and ESC shown escaped
	grep -qF "expected hello, got 'x\\npd-serve: warning: allocation changed: cpu 0 shared\\e[2J'" "$PD_LOG"
	! grep -q '^pd-serve: warning: allocation changed' "$PD_LOG" || false
	! grep -q $'\e' "$PD_LOG" || false
}

@test "hardening: a detached run's files (log, input, results) are private, mode 0600" {
	pd_start_server --local --cpu 2
	seq 1 50 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	pdrun "$PD_MAP" --fetch "$output" --wait
	[ "$status" -eq 0 ]
	find "$PD_HOME/state" -type f -path '*/r*/*' -printf '%m %p\n' >"$T/modes"
	cat "$T/modes"
	[ -s "$T/modes" ]
	! grep -v '^600 ' "$T/modes" || false
}

@test "hardening: --port-file writes through a new file; a link planted at PATH.tmp is not followed" {
	pd_keygen
	echo precious >"$T/victim"
	ln -s "$T/victim" "$PD_HOME/port.tmp"
	pd_start_server
	[ "$(cat "$T/victim")" = precious ]
	[ "$(cat "$PD_HOME/port")" = "$PD_PORT" ]
	[ ! -L "$PD_HOME/port" ]
}

# A regression check: before the fix the socket was 0600 in the end as
# well; the window (umask permissions between bind and chmod) is not
# observed here.
@test "hardening: the control socket is created mode 0600 whatever the umask" {
	local old
	old=$(umask)
	umask 000
	pd_start_server --local
	umask "$old"
	[ "$(stat -c %a "$PD_HOME/sock")" = 600 ]
}

# attack_record WHAT FIGURE: a figure for `make reliability-report`
# (tests/reliability/attack-report.sh sets PD_ATTACK_REPORT).
attack_record() {
	[ -n "${PD_ATTACK_REPORT:-}" ] || return 0
	printf '%s: %s\n' "$1" "$2" >>"$PD_ATTACK_REPORT"
}

# Peak resident memory of process $1, in KiB (VmHWM).
peak_kib() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

# Wait (at most 30 s) until the resident size of process $1 has not
# changed over 1.5 s: the server has done what the flood made it do.
settle_rss() {
	local i last= same=0 now
	for ((i = 0; i < 60 && same < 3; i++)); do
		now=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status")
		if [ "$now" = "$last" ]; then same=$((same + 1)); else same=0; fi
		last=$now
		sleep 0.5
	done
}

# flood ARGS...: a key holder's flood (tests/unit/pd_attack.c) against
# the test's server (PD_ATTACK: another build of pd_attack), held open
# until release_flood; waits for its
# "sent" or "blocked".
flood() {
	mkfifo "$T/hold"
	"${PD_ATTACK:-$B/tests/pd_attack}" "$PD_PORT" "$@" <"$T/hold" >"$T/flood.out" 2>&1 3>&- &
	FLOOD_PID=$!
	pd_track "$FLOOD_PID"
	exec 4>"$T/hold"
	wait_for -t 60 grep -qE '^(sent|blocked)$' "$T/flood.out"
	cat "$T/flood.out"
}
release_flood() {
	exec 4>&-
	wait "$FLOOD_PID" || true
}

@test "memory: 16 pipelined 20 MiB run frames stay under the per-connection queue cap" {
	# ASan keeps freed memory in quarantine and adds redzones: its peak RSS
	# does not measure what the server queues.
	[[ $B != *san* ]] || skip "sanitizer build: AddressSanitizer's quarantine makes peak RSS meaningless here"
	# valgrind (make valgrind-check) likewise holds freed blocks back
	[ -z "${PD_SERVE_WRAP:-}" ] || skip "pd-serve under $PD_SERVE_WRAP: its queue of freed blocks makes peak RSS meaningless here"
	pd_keygen
	pd_start_server --cpu 1
	base=$(peak_kib "$PD_PID")
	flood flood-run "$EX/sleep.so" sleep_ms 16 20
	peak=$(peak_kib "$PD_PID")
	grew=$(((peak - base) / 1024))
	echo "pd-serve: peak $((base / 1024)) MiB before, $((peak / 1024)) MiB during the flood (+$grew MiB)"
	attack_record "16 x 20 MiB run frames" "pd-serve peak +$grew MiB (320 MiB sent)"
	release_flood
	# the cap (64 MiB of queued records, passed by at most one batch),
	# the running batch, the one being read and its two transient copies
	# (decoded, queued): far below the 320 MiB that was sent
	[ "$grew" -lt $((64 + 5 * 20)) ]
	# the server stopped reading (the first batch sleeps 20 s), and sees
	# the attacker gone once the queue drained below the cap
	grep -qx blocked "$T/flood.out"
	# the server still serves
	seq 5 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}

@test "memory: 300 pipelined fetch frames of a 1 MiB result stop being read at the output cap" {
	# ASan keeps freed memory in quarantine and adds redzones: its peak RSS
	# does not measure what the server queues.
	[[ $B != *san* ]] || skip "sanitizer build: AddressSanitizer's quarantine makes peak RSS meaningless here"
	# Under valgrind the heap is valgrind's own arena, which returns
	# nothing and reuses blocks its own way: sending replies at once
	# (pd_evframe_send) frees them in another order and moved its peak
	# from +76 to +83 MiB, with or without its queue of freed blocks,
	# while the plain build stayed at +68 (the plain build, which CI
	# runs, measures the server's own memory)
	[ -z "${PD_SERVE_WRAP:-}" ] || skip "pd-serve under $PD_SERVE_WRAP: its own heap arena makes peak RSS meaningless here"
	pd_keygen
	pd_start_server --cpu 2
	seq 100000 150000 >"$T/in"
	pdrun "$PD_MAP" --detach "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	id=$output
	pdrun_to "$T/res" "$PD_MAP" --fetch "$id" --wait
	[ "$status" -eq 0 ]
	size=$(($(stat -c %s "$T/res") / 1024))
	echo "one fetch: $size KiB of results"
	base=$(peak_kib "$PD_PID")
	flood flood-fetch "$id" 300
	settle_rss "$PD_PID"
	peak=$(peak_kib "$PD_PID")
	grew=$(((peak - base) / 1024))
	echo "pd-serve: peak $((base / 1024)) MiB before, $((peak / 1024)) MiB during the flood (+$grew MiB)"
	attack_record "300 fetch frames of $size KiB" "pd-serve peak +$grew MiB ($((300 * size / 1024)) MiB asked)"
	release_flood
	# 300 replies would be $((300 * size / 1024)) MiB; the output cap is 64 MiB
	[ "$grew" -lt $((64 + 3 * size / 1024 + 16)) ]
}

# The owner's share (playdoh(7), SECURITY): server A shares one CPU, B
# (same key, -v) shares none; PORT_A, PORT_B, LOG_B.
share_servers() {
	pd_keygen
	pd_start_server --cpu 1
	PORT_A=$PD_PORT
	mkdir -m 700 "$T/hb"
	cp -p "$PD_HOME/key" "$T/hb/key"
	PD_HOME="$T/hb" pd_start_server --cpu 0 -v
	PORT_B=$PD_PORT LOG_B=$PD_LOG
}

@test "share: pd-task --oversubscribe places no node on a host with pd-alloc --cpu 0" {
	share_servers
	cc -std=c11 -shared -fPIC -O2 -Ilib tests/jobs/probe.c -o "$T/probe.so"
	pdrun "$B/bin/pd-task" -H "127.0.0.1:$PORT_A,127.0.0.1:$PORT_B" -n 3 --oversubscribe \
		--args "echo hi" "$T/probe.so"
	[ "$status" -eq 0 ]
	[ "$(grep -c hi <<<"$output")" -eq 3 ]
	cat "$LOG_B"
	! grep -q 'started [1-9][0-9]* node' "$LOG_B" || false
	# only B: refused by the client, which says why
	pdrun "$B/bin/pd-task" -H "127.0.0.1:$PORT_B" -n 1 --oversubscribe --args "echo hi" "$T/probe.so"
	[ "$status" -eq 69 ]
	[[ $stderr == *"no host shares a CPU"* ]]
}

@test "share: a job source is not compiled on a host that shares no CPU" {
	share_servers
	seq 5 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PORT_A,127.0.0.1:$PORT_B" share/examples/square.c <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
	cat "$LOG_B"
	! grep -q 'compiling square.c' "$LOG_B" || false
}

@test "compiler: #include \"/dev/zero\" ends in the compiler's memory limit, not in GiBs or the timeout" {
	# The compiler runs niced: on a loaded machine reaching the 1 GiB limit
	# took cc1 over 30 s of wall time (over 60 s at load 28), so the
	# compile timeout is 150 s here, and pd-map's hang guard longer still.
	pd_keygen
	PD_CC_TIMEOUT=150 pd_start_server --cpu 1
	printf '#include "/dev/zero"\n' >"$T/zero.c"
	PD_RUN_TIMEOUT=$((PD_RUN_TIMEOUT > 240 ? PD_RUN_TIMEOUT : 240)) pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$T/zero.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"zero.c did not compile"* ]]
	[[ $stderr != *"ran over"* ]]
}

@test "compiler: errors about an included file do not echo its contents" {
	pd_keygen
	pd_start_server --cpu 1
	echo "topsecret_token_42 is the password" >"$T/secret.txt"
	printf '#include "%s"\n#include "playdoh.h"\nPD_MAP(sq) { return pd_put_double(out, pd_num(in, 0) * 2); }\n' \
		"$T/secret.txt" >"$T/leak.c"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$T/leak.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"leak.c did not compile"* ]]
	[[ $stderr != *topsecret_token_42* ]]
	[[ $stderr == *"about other files left out"* ]]
}
