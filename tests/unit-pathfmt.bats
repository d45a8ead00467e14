#!/usr/bin/env bats
# The path-building unit tests (tests/unit/pathfmt_test.c).

@test "pd_path_fmt keeps a name that fits and refuses one byte more" {
	run "${B:-build}/tests/pathfmt_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
