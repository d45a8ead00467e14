#!/usr/bin/env bats
# The C unit tests of the record parser and the job API (lib/job/rec.c).

@test "record parser and job API unit tests" {
	run "${B:-build}/tests/rec_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "reorder buffer delivers parked results in input order" {
	run "${B:-build}/tests/reorder_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
