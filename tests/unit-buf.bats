#!/usr/bin/env bats
# The growable buffer and its huge-page mode (tests/unit/buf_test.c).

@test "buf unit tests: a huge-page buffer keeps its bytes across growth, on aligned whole 2 MiB pages" {
	run "${B:-build}/tests/buf_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
