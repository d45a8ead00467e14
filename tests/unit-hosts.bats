#!/usr/bin/env bats
# C unit tests: host lists and paths (hosts_test), job files (jobfile_test).

@test "unit: host lists, hosts file, paths, mkdirs" {
	run "${B:-build}/tests/hosts_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: job .so inspection (ELF) and job choice" {
	run "${B:-build}/tests/jobfile_test"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "unit: task topologies (named and from files)" {
	run "${B:-build}/tests/topology_test"
	echo "$output"
	[ "$status" -eq 0 ]
}
