#!/usr/bin/env bats
# The key-file and sealed-frame unit tests (tests/unit/seal_test.c).

@test "seal and key unit tests" {
	run "${B:-build}/tests/seal_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "AEAD negotiation unit tests (offer, choice, transcript, PD_AEAD)" {
	run "${B:-build}/tests/suite_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
