#!/usr/bin/env bats
# Fed fixed-size records: taken one by one or in runs, copied in or lent
# and read in place (tests/unit/input_test.c).

@test "input: fixed-size records taken singly and in runs, lent ones read in place, fed again once taken" {
	run "${B:-build}/tests/input_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"0 failed"* ]]
}
