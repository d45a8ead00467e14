#!/usr/bin/env bats
# Protocol attacks on a live session: tests/unit/pd_proxy.c sits between an
# honest pd-map and pd-serve and tampers with the frames of every
# connection (a flipped byte, a dropped frame, two frames swapped, frames
# of an earlier session replayed, the hello or challenge rewritten to an
# older protocol version), in either direction.  Each must be detected:
# pd-map fails with a clear message and a non-zero status, never prints a
# wrong result, and the server (for what the client sent) logs the fault
# and keeps serving: an honest run through a pass-through proxy then gives
# the right output, which also shows that the proxy itself relays faithfully.
#
# Frames are counted per connection and direction from 1: 1-2 are the
# plain handshake (hello, auth / challenge, welcome), 3 info, 4 job, then
# (the server being new, without the job in its cache) c2s 5 the upload
# and 6.. the run batches, several sent at once; s2c 5 the upload's
# answer and 6.. the results.  A dropped or swapped frame is one that
# others follow without waiting for an answer: a gap at the end of a
# stream cannot be told from a slow peer (pd-map's no-answer timeout
# covers that case).

load helpers/common

setup() {
	pd_setup
	pd_keygen
	pd_start_server
	PROXY="$B/tests/pd_proxy"
	seq 1 400 >"$T/in"
	expect_squares "$T/in" >"$T/want"
}

teardown() {
	pd_teardown
}

# start_proxy NAME MODE...: a proxy to the server; sets PROXY_PORT, its
# log in $T/NAME.log.
start_proxy() {
	local name=$1
	shift
	rm -f "$T/$name.port"
	"$PROXY" "$T/$name.port" "$PD_PORT" "$@" </dev/null >/dev/null 2>"$T/$name.log" 3>&- &
	pd_track "$!"
	wait_for -t 10 test -s "$T/$name.port"
	PROXY_PORT=$(cat "$T/$name.port")
}

# run_through PORT: pd-map of $T/in through 127.0.0.1:PORT.
run_through() {
	pdrun "$PD_MAP" -H "127.0.0.1:$1" "$EX/square.so" <"$T/in"
}

# 0 when every line pd-map printed is the right result for its input
# line (output is in input order, so it must be a prefix of $T/want).
no_wrong_output() {
	local n
	n=$(printf '%s' "$output" | grep -c '' || true)
	[ "$n" -lt "$(wc -l <"$T/want")" ] || { echo "tampered run printed every result" >&2; return 1; }
	[ "$n" -eq 0 ] || [ "$output" = "$(head -n "$n" "$T/want")" ] || {
		echo "tampered run printed a wrong result" >&2
		return 1
	}
}

# 0 when the server logged MESSAGE as the fault of a TCP client.
logged() {
	grep -F -- "$1" "$PD_LOG" | grep -q '^pd-serve: warning: 127\.0\.0\.1:[0-9]*: '
}

# attack DETECTED_BY STATUS MESSAGE MODE...: run pd-map through a
# tampering proxy and check the outcome: pd-map exits with STATUS (69: the
# host is unusable; 77: it failed authentication), naming the host.
# DETECTED_BY is server (the server logs MESSAGE as the reason
# it dropped the connection) or client (pd-map found it and says MESSAGE).
attack() {
	local by=$1 want=$2 msg=$3
	shift 3
	start_proxy evil "$@"
	run_through "$PROXY_PORT"
	show "$T/evil.log"
	# the proxy did tamper, on the connection pd-map made
	grep -q "^pd_proxy: conn [0-9]* .*\(flipped\|dropped\|swapped\|replaced\|downgraded\|rewritten\)" "$T/evil.log"
	[ "$status" -eq "$want" ]
	no_wrong_output
	if [ "$by" = server ]; then
		wait_for -t 10 logged "$msg" || { show "$PD_LOG"; return 1; }
		# pd-map names the host; the reason is the server's error frame,
		# unless the server's close (with the client's next frames unread)
		# reset the connection before that frame got through
		[[ $stderr == *"127.0.0.1:$PROXY_PORT: "* ]]
	else
		[[ $stderr == *"127.0.0.1:$PROXY_PORT: $msg"* ]]
	fi
	still_serves
}

# The server is alive and an honest run through a pass-through proxy
# gives exactly the right output.
still_serves() {
	pd_alive "$PD_PID"
	start_proxy honest pass
	run_through "$PROXY_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
}

AUTH="frame failed authentication"

@test "a pass-through proxy relays a whole run faithfully" {
	still_serves
	grep -q "conn 1 closed" "$T/honest.log"
}

@test "a flipped byte in a sealed client frame: the server drops it" {
	attack server 69 "$AUTH" flip c2s 5
}

@test "a flipped byte in a sealed server frame (a result): pd-map drops it" {
	attack client 69 "$AUTH" flip s2c 5
}

@test "a changed digit in the hello's nonce: the proofs disagree, the server refuses (77)" {
	attack server 77 "authentication failed" flip c2s 1
}

@test "a changed digit in the server's proof: pd-map refuses the server (77)" {
	attack client 77 "authentication failed" flip s2c 2
}

@test "a dropped client frame: the server sees the gap" {
	attack server 69 "$AUTH" drop c2s 6
}

@test "a dropped server frame: pd-map sees the gap" {
	attack client 69 "$AUTH" drop s2c 6
}

@test "two client frames swapped: the server sees the reordering" {
	attack server 69 "$AUTH" swap c2s 6
}

@test "two server frames swapped: pd-map sees the reordering" {
	attack client 69 "$AUTH" swap s2c 6
}

@test "an earlier session's client frames replayed on a new connection: refused" {
	start_proxy evil replay c2s 3
	# the first session is recorded and relayed unchanged
	run_through "$PROXY_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	run_through "$PROXY_PORT"
	show "$T/evil.log"
	grep -q "conn 2 c2s frame 3 replaced" "$T/evil.log"
	[ "$status" -eq 69 ]
	[[ $stderr == *"$AUTH"* ]]
	no_wrong_output
	wait_for -t 10 logged "$AUTH"
	still_serves
}

@test "an earlier session's server frames replayed to a new client: refused" {
	start_proxy evil replay s2c 3
	run_through "$PROXY_PORT"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	run_through "$PROXY_PORT"
	show "$T/evil.log"
	grep -q "conn 2 s2c frame 3 replaced" "$T/evil.log"
	[ "$status" -eq 69 ]
	[[ $stderr == *"127.0.0.1:$PROXY_PORT: $AUTH"* ]]
	no_wrong_output
	still_serves
}

@test "a hello downgraded to protocol 0: the server refuses it" {
	attack server 69 "protocol version 0 not supported (this is 1)" downgrade c2s
}

@test "a challenge downgraded to protocol 0: pd-map refuses it" {
	attack client 69 "message 'challenge': protocol version 0 not supported (this is 1)" downgrade s2c
}

# AES-256-GCM is offered only where libsodium finds AES-NI and PCLMUL
# (crypto_aead_aes256gcm_is_available tests exactly these two).
needs_aes() {
	grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo ||
		skip "this CPU lacks AES-NI or PCLMUL, so no side offers AES-256-GCM to strip or swap"
}

@test "AEAD downgrade: AES stripped from the hello's offer, the proofs disagree, the server refuses (77)" {
	needs_aes
	attack server 77 "authentication failed" rewrite c2s '"aead":["aes256gcm",' '"aead":['
	grep -q 'frame 1 rewritten' "$T/evil.log"
}

@test "AEAD downgrade: the whole offer hidden from the server, pd-map refuses the choiceless challenge" {
	attack client 69 "the server chose no AEAD" rewrite c2s '"aead":' '"xaead":'
}

@test "AEAD choice tampered: AES-256-GCM swapped for ChaCha20-Poly1305, the proofs disagree, the server refuses (77)" {
	needs_aes
	attack server 77 "authentication failed" rewrite s2c '"aead":"aes256gcm"' '"aead":"chacha20poly1305"'
}

@test "AEAD choice tampered: an unknown AEAD named in the challenge, pd-map refuses it" {
	attack client 69 "the server chose AEAD 'rot13', which this side did not offer" \
		rewrite s2c '"aead":"' '"aead":"rot13","x":"'
}

@test "AEAD offer of an unknown suite only: the server answers that none is in common" {
	attack server 69 "no AEAD in common: the client offers rot13;" rewrite c2s '"aead":[' '"aead":["rot13"],"x":['
}

@test "pd_proxy: usage errors exit 64" {
	run "$PROXY" "$T/p" 1 nosuchmode
	[ "$status" -eq 64 ]
	run "$PROXY" "$T/p" 1 flip sideways 3
	[ "$status" -eq 64 ]
	run "$PROXY" "$T/p" 1 drop c2s 0
	[ "$status" -eq 64 ]
	run "$PROXY" "$T/p" 1 rewrite c2s onlyold
	[ "$status" -eq 64 ]
}
