#!/usr/bin/env bats
# Frames read from a socket bufferevent (tests/unit/evframe_test.c).

@test "evframe unit tests: a large frame's rest read at once, the next frame kept, plain and sealed" {
	run "${B:-build}/tests/evframe_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
