#!/usr/bin/env bats
# The C unit tests of the pool's fair share between clients (lib/serve/fairshare.c).

@test "fair share: round-robin between equal clients, by worker time, late joiners served at once" {
	run "${B:-build}/tests/fairshare_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
