#!/usr/bin/env bats
# Base helpers without a tool of their own: escaping peer text and the
# signals a forked child starts with (tests/unit/esc_test.c).

@test "escapes of peer text, by string and by length; a child's signals reset" {
	run "${B:-build}/tests/esc_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"0 failed"* ]]
}
