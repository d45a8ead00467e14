#!/usr/bin/env bats
# The fuzz targets (tests/fuzz/TARGET.c) built without libFuzzer, with a
# main() that replays files ($B/fuzz-replay/TARGET): every committed seed
# (tests/fuzz/corpus/TARGET/) and every input that once crashed a target
# (tests/fuzz/regress/TARGET/) goes through its target on every
# `make check`, under ASan and UBSan in `make SAN=1 check`.  A target
# abort()s when a parser breaks its documented promises, so this is a
# test of those promises too, not only of crashes.

load helpers/common

F="$BATS_TEST_DIRNAME/fuzz"

# replay TARGET: run every corpus and regression input of TARGET.
replay() {
	local t=$1 dir n=0
	for dir in "$F/corpus/$t" "$F/regress/$t"; do
		[ -d "$dir" ] && n=$((n + $(find "$dir" -maxdepth 1 -type f ! -name '.*' | wc -l)))
	done
	# every target has seeds: an empty corpus would make this test vacuous
	[ "$n" -gt 0 ]
	run --separate-stderr "$B/fuzz-replay/$t" "$F/corpus/$t" "$F/regress/$t"
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "replayed $n inputs" ]
}

@test "every fuzz target has a replay binary and a seed corpus" {
	local src t
	for src in "$F"/*.c; do
		t=${src##*/}
		t=${t%.c}
		[ "$t" = replay_main ] && continue
		[ -x "$B/fuzz-replay/$t" ]
		[ -d "$F/corpus/$t" ]
		[ -d "$F/regress/$t" ]
	done
}

@test "frame decoder: corpus and regression inputs replay cleanly" {
	replay frame
}

@test "message validators: corpus and regression inputs replay cleanly" {
	replay msg
}

@test "record parser: corpus and regression inputs replay cleanly" {
	replay rec
}

@test "hosts-file parser: corpus and regression inputs replay cleanly" {
	replay hosts
}

@test "topology parser: corpus and regression inputs replay cleanly" {
	replay topology
}

@test "the replay driver names an unreadable input (status 1) and needs one (64)" {
	# one readable input (replayed), one missing (named, status 1)
	printf 'x' >"$BATS_TEST_TMPDIR/one"
	run --separate-stderr "$B/fuzz-replay/frame" "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$BATS_TEST_TMPDIR/missing: No such file or directory"* ]]
	[ "$output" = "replayed 1 inputs" ]
	run "$B/fuzz-replay/rec"
	[ "$status" -eq 64 ]
}
