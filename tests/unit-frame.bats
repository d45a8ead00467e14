#!/usr/bin/env bats
# The frame codec's direct paths for large results (tests/unit/frame_test.c).

@test "frame unit tests: a frame written from its blob in place, a blob handed over in place" {
	run "${B:-build}/tests/frame_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
