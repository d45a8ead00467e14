#!/usr/bin/env bats
# The C unit tests of pd-opt's CMA-ES core (lib/opt/cmaes.c).

@test "cmaes: convergence, bounds, non-finite values, determinism, save/load" {
	run "${B:-build}/tests/cmaes_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
