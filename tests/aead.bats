#!/usr/bin/env bats
# The AEAD of a sealed link (playdoh-protocol(7), Handshake): AES-256-GCM
# where both ends have the CPU's AES instructions, else ChaCha20-Poly1305,
# chosen in the handshake; PD_AEAD narrows what one side may use, which is
# how these tests make a machine with AES behave as one without, so that
# both AEADs and both directions of interoperation run here.  The server
# logs (with -v) the AEAD of each TCP connection ("pd-map connected
# (sealed: ...)").
# Downgrade and tampering attacks on the negotiation are in proxy.bats.

load helpers/common

setup() {
	pd_setup
	pd_keygen
	seq 1 300 >"$T/in"
	expect_squares "$T/in" >"$T/want"
}

teardown() {
	pd_teardown
}

# What libsodium's crypto_aead_aes256gcm_is_available checks: AES-NI and
# PCLMUL.
have_aes() { grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo; }

# map_via_tcp [ENV...]: pd-map of $T/in over TCP to the server, with ENV
# (NAME=VALUE words) in pd-map's environment.
map_via_tcp() {
	pdrun env "$@" "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$EX/square.so" <"$T/in"
}

# sealed_with NAME: the server logged exactly one TCP connection, sealed
# with NAME.
sealed_with() {
	wait_for -t 10 grep -q "127\.0\.0\.1:[0-9]*: pd-map connected (sealed: " "$PD_LOG"
	show "$PD_LOG"
	[ "$(grep -c "127\.0\.0\.1:[0-9]*: pd-map connected (sealed: $1)" "$PD_LOG")" -eq 1 ]
	[ "$(grep -c "127\.0\.0\.1:[0-9]*: pd-map connected" "$PD_LOG")" -eq 1 ]
}

@test "both ends by default: AES-256-GCM where the CPU has it, else ChaCha20-Poly1305" {
	pd_start_server -v
	map_via_tcp
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	if have_aes; then sealed_with aes256gcm; else sealed_with chacha20poly1305; fi
}

@test "interop: a server without AES (PD_AEAD=chacha20poly1305) and a default client agree on ChaCha20-Poly1305" {
	PD_AEAD=chacha20poly1305 pd_start_server -v
	map_via_tcp
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	sealed_with chacha20poly1305
}

@test "interop: a client without AES (PD_AEAD=chacha20poly1305) and a default server agree on ChaCha20-Poly1305" {
	pd_start_server -v
	map_via_tcp PD_AEAD=chacha20poly1305
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	sealed_with chacha20poly1305
}

@test "interop: both ends limited to AES-256-GCM still agree on it" {
	have_aes || skip "this CPU lacks AES-NI or PCLMUL"
	PD_AEAD=aes256gcm pd_start_server -v
	map_via_tcp PD_AEAD=aes256gcm
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	sealed_with aes256gcm
}

@test "nothing in common (AES-only server, ChaCha-only client): refused with a message, the server serves on" {
	have_aes || skip "this CPU lacks AES-NI or PCLMUL"
	PD_AEAD=aes256gcm pd_start_server -v
	map_via_tcp PD_AEAD=chacha20poly1305
	[ "$status" -eq 69 ]
	[[ $stderr == *"no AEAD in common: the client offers chacha20poly1305; this side allows aes256gcm"* ]]
	[ -z "$output" ]
	wait_for -t 10 grep -q "no AEAD in common" "$PD_LOG"
	pd_alive "$PD_PID"
	map_via_tcp PD_AEAD=aes256gcm
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
}

@test "PD_AEAD naming an unknown AEAD: pd-map fails naming the variable, sends no hello" {
	pd_start_server -v
	map_via_tcp PD_AEAD=rot13
	[ "$status" -eq 69 ]
	[[ $stderr == *"PD_AEAD: unknown AEAD 'rot13' (known: aes256gcm, chacha20poly1305)"* ]]
	[ -z "$output" ]
	run grep -c "pd-map connected" "$PD_LOG"
	[ "$output" = 0 ]
	pd_alive "$PD_PID"
}
