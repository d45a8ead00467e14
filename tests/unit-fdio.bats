#!/usr/bin/env bats
# pd_replace_file with a symbolic link planted at a guessable temporary
# name (tests/unit/fdio_test.c).

@test "fdio unit tests: a planted link is not followed" {
	run "${B:-build}/tests/fdio_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
