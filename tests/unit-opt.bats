#!/usr/bin/env bats
# The C unit tests of pd-opt's optimisers: CMA-ES, PSO and the island GA, and of its
# batches of points per fitness program call (lib/opt/).

@test "cmaes: convergence, bounds, non-finite values, determinism, save/load" {
	run "${B:-build}/tests/cmaes_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "pso: convergence, bounds, non-finite values, determinism, save/load, bad parameters" {
	run "${B:-build}/tests/pso_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "ga: convergence, bounds, migration, non-finite values, determinism, save/load, bad parameters" {
	run "${B:-build}/tests/ga_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "cmaes: box transformation, optima on walls, --x0/--step, BIPOP regimes and resume, uncertainty handling" {
	run "${B:-build}/tests/cmaes_more_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "fitbatch: points packed into even batches that read back bit for bit, values read back or refused by line" {
	run "${B:-build}/tests/fitbatch_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
