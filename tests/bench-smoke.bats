#!/usr/bin/env bats
# The benchmark script (tests/bench/run.sh) at tiny sizes, so that it cannot
# rot: it runs, its correctness checks pass on good output and catch bad
# output, and missing reference tools are skipped with a message.  No
# timing is judged here; `make bench` measures.

setup() {
	B=${B:-build}
	case $B in /*) ;; *) B=$BATS_TEST_DIRNAME/../$B ;; esac
	export B
}

@test "bench --smoke: every run completes and passes its correctness check" {
	BENCH_OUT=$BATS_TEST_TMPDIR/results.txt run timeout 900 sh "$BATS_TEST_DIRNAME/bench/run.sh" --smoke
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"[1] Throughput"* ]]
	[[ $output == *"[2] Efficiency"* ]]
	[[ $output == *"[3] Idle pd-serve"* ]]
	[[ $output == *"[4] Tube round trip"* ]]
	[[ $output == *"[5] Tube throughput"* ]]
	[[ $output == *"[6] Heat equation"* ]]
	[[ $output == *"[7] Optimisation"* ]]
	[[ $output == *"[8] Result cache"* ]]
	[[ $output == *"[9] Commands"* ]]
	[[ $output == *"[10] Scaling"* ]]
	[[ $output != *FAILED* ]]
	# No goals or verdicts in smoke mode.
	[[ $output != *goal* ]]
	[[ $output != *" met"* ]]
	[[ $output != *">="* && $output != *"<="* ]]
	# Machine-readable results: a header and a figure for each pd-map case.
	r=$BATS_TEST_TMPDIR/results.txt
	head -n 1 "$r" | grep -q '^bench	case	metric	value	unit	goal	status	config$'
	grep -q '^throughput	pd-map embedded (-c 2)	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^throughput	pd-map via local pd-serve	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^efficiency	pd-map embedded (-c 4)	efficiency	[0-9.]*		.*	ok	' "$r"
	grep -q '^memory	RSS, pd-serve + [0-9]* workers (sum of VmRSS)	rss_kb	[0-9][0-9]*	' "$r"
	grep -q '^startup	start to accepting (median of [0-9]*)	startup_ms	[0-9.]*	ms	' "$r"
	# pd-task's figures and their references (MPI: a figure, or skipped
	# with a reason where mpich is missing); namespace rows may be skipped.
	grep -q '^pingpong	pd-task, one host (shared-memory tube)	rtt_us	[0-9.]*	us	.*	ok	' "$r"
	grep -q '^pingpong	pd-task, one host, PD_TUBES=socket (informative)	rtt_us	[0-9.]*	us	.*	ok	' "$r"
	grep -q '^pingpong	plain TCP over loopback (C)	rtt_us	[0-9.]*	us	.*	ok	' "$r"
	grep -q '^pingpong	MPI ping-pong, one host.*	rtt_us	.*	\(ok\|skipped\)	' "$r"
	grep -q '^pingpong	ratio pd-task / TCP, one host	ratio	[0-9.]*	x	' "$r"
	grep -q '^tube_throughput	pd-task, one host (shared-memory tube)	gb_per_s	[0-9.]*	GB/s	.*	ok	' "$r"
	grep -q '^tube_throughput	pd-task, one host, PD_TUBES=socket (informative)	gb_per_s	[0-9.]*	GB/s	.*	ok	' "$r"
	grep -q '^tube_throughput	plain TCP over loopback (C)	gb_per_s	[0-9.]*	GB/s	.*	ok	' "$r"
	grep -q '^heat	serial solver, no pd-task (reference)	wall_s	[0-9.]*	s	.*	ok	' "$r"
	grep -q '^heat	pd-task, 1 node	wall_s	[0-9.]*	s	.*	ok	' "$r"
	grep -q '^heat	ratio t(1 node) / t(serial solver)	ratio	[0-9.]*	x	' "$r"
	grep -q '^heat	pd-task, 2 nodes	wall_s	[0-9.]*	s	.*	ok	' "$r"
	grep -q '^heat	speed-up t(1 node) / t(2 nodes)	ratio	[0-9.]*	x	' "$r"
	# the cache: both sweeps of both jobs measured, and their ratios
	grep -q '^cache	(a) 0.1 ms records: second sweep, --cache	wall_s	[0-9.]*	s	.*	ok	' "$r"
	grep -q '^cache	(a) 0.1 ms records: ratio second / first	ratio	[0-9.]*	x	.*	ok	' "$r"
	grep -q '^cache	(b) trivial records: ratio second / first	ratio	[0-9.]*	x	.*	ok	' "$r"
	# GNU parallel is a dependency (contrib/debian-deps.sh; make check's
	# bats --jobs needs it too): both its rows are measured, not skipped.
	grep -q '^throughput	GNU parallel -j2 (20 rec)	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^efficiency	GNU parallel -j4	efficiency	[0-9.]*		.*	ok	' "$r"
	# a program per record: pd-map, the posix_spawn floor, xargs, parallel
	grep -q '^exec	pd-map -c 2 /bin/echo (embedded)	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^exec	posix_spawn floor (spawnfloor.c, 2 at a time)	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^exec	xargs -P2 -n1 /bin/echo	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^exec	GNU parallel -j2 /bin/echo (20 records)	records_per_s	[0-9][0-9]*	rec/s	.*	ok	' "$r"
	grep -q '^exec	time pd-map / time floor	ratio	[0-9.]*	x	' "$r"
	# the scaling curve over 1 and 2 namespace hosts (skipped, with the
	# reason, where namespaces cannot be made)
	if grep -q '^scale	1 host(s)	setup	.*	skipped	' "$r"; then
		[ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || false # as root with ip it must run
	else
		for n in 1 2; do
			grep -q "^scale	$n host(s): trivial records	records_per_s	[0-9][0-9]*	rec/s	.*	ok	" "$r"
			grep -q "^scale	$n host(s): 1 ms records, efficiency	efficiency	[0-9.]*		.*	ok	" "$r"
			grep -q "^scale	$n host(s): pd-opt, time per iteration	iter_ms	[0-9.]*	ms	.*	ok	" "$r"
			grep -q "^scale	$n host(s): a run of one record	wall_ms	[0-9.]*	ms	.*	ok	" "$r"
		done
		grep -q '^scale	trivial: client CPU per record	client_cpu_us	[0-9.]*	us	.*	ok	' "$r"
		grep -q '^scale	over the best with fewer hosts ([0-9]* rec/s)	ratio	[0-9.]*	x	' "$r"
		[[ $output == *"hosts    trivial  cli us  srv us  wrk us"* ]]
		[[ $output == *"hosts  1 ms: eff  cli us"* ]]
	fi
	! grep -q '	FAILED	' "$r" || false
}

@test "bench --smoke: wrong output is FAILED, a missing GNU parallel or mpich is skipped with a message" {
	# A build directory whose sum.so is really square.so: the throughput
	# figures must not be reported, and the exit status must say so.
	fake=$BATS_TEST_TMPDIR/b
	mkdir -p "$fake/examples" "$BATS_TEST_TMPDIR/path"
	ln -s "$B/bin" "$fake/bin"
	cp "$B/examples/square.so" "$fake/examples/sum.so"
	cp "$B/examples/sleep.so" "$fake/examples/sleep.so"
	cp "$B/examples/heat.so" "$fake/examples/heat.so"
	# A `parallel` that is not GNU parallel counts as missing.
	printf '#!/bin/sh\nexit 1\n' >"$BATS_TEST_TMPDIR/path/parallel"
	chmod +x "$BATS_TEST_TMPDIR/path/parallel"
	# mpich as if not installed (--smoke never installs it).
	B=$fake PATH=$BATS_TEST_TMPDIR/path:$PATH PD_BENCH_NETNS=/nonexistent MPICC=/nonexistent/mpicc \
		BENCH_OUT=$BATS_TEST_TMPDIR/results.txt run timeout 900 sh "$BATS_TEST_DIRNAME/bench/run.sh" --smoke
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"pd-map embedded (-c 2)"*FAILED*"wrong output"* ]]
	[[ $output == *"pd-map via local pd-serve"*FAILED*"wrong output"* ]]
	[[ $output == *"GNU parallel not installed"* ]]
	[[ $output == *"/nonexistent not found"* ]]
	[[ $output == *"MPI ping-pong, one host"*skipped*"mpich not installed"* ]]
	[[ $output == *"MPI send/recv, one host"*skipped*"mpich not installed"* ]]
	grep -q '^scale	1 host(s)	setup	/nonexistent not found.*	skipped	' "$BATS_TEST_TMPDIR/results.txt"
	# The rest still ran and passed.
	grep -q '^efficiency	pd-map embedded (-c 4)	efficiency	[0-9.]*		.*	ok	' "$BATS_TEST_TMPDIR/results.txt"
	grep -q '^throughput	GNU parallel -j2 (20 rec)	records_per_s	.*	skipped	' "$BATS_TEST_TMPDIR/results.txt"
	grep -q '^pingpong	pd-task, one host (shared-memory tube)	rtt_us	[0-9.]*	us	.*	ok	' "$BATS_TEST_TMPDIR/results.txt"
	grep -q '^heat	pd-task, 2 nodes	wall_s	[0-9.]*	s	.*	ok	' "$BATS_TEST_TMPDIR/results.txt"
	! grep -q '^throughput	pd-map embedded (-c 2)	records_per_s	[0-9]' "$BATS_TEST_TMPDIR/results.txt" || false
}

@test "bench scale.sh --smoke alone: wrong output is FAILED, the other figures still come" {
	[ "$(id -u)" = 0 ] && command -v ip >/dev/null || skip "network namespaces need root and ip"
	# sum.so that is really square.so: no records/s may be reported.
	fake=$BATS_TEST_TMPDIR/b
	mkdir -p "$fake/examples"
	ln -s "$B/bin" "$fake/bin"
	cp "$B/examples/square.so" "$fake/examples/sum.so"
	cp "$B/examples/sleep.so" "$fake/examples/sleep.so"
	nstmp=$(mktemp -d /tmp/pdsc.XXXXXX) # the namespaces' directory (short: sockets live there)
	NS_TMP=$nstmp B=$fake BENCH_OUT=$BATS_TEST_TMPDIR/scale.txt \
		run timeout 300 sh "$BATS_TEST_DIRNAME/bench/scale.sh" --smoke --hosts 1
	left=$(ls -A "$nstmp")
	rmdir "$nstmp" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"1 host(s): trivial records"*FAILED*"wrong output"* ]]
	[[ $output == *"FAILED their run or correctness check"* ]]
	r=$BATS_TEST_TMPDIR/scale.txt
	grep -q '^scale	1 host(s): trivial records	records_per_s	.*	FAILED	' "$r"
	! grep -q '^scale	1 host(s): trivial records	records_per_s	[0-9]' "$r" || false
	grep -q '^scale	1 host(s): 1 ms records, efficiency	efficiency	[0-9.]*		.*	ok	' "$r"
	grep -q '^scale	1 host(s): pd-opt, time per iteration	iter_ms	[0-9.]*	ms	.*	ok	' "$r"
	# Torn down: the helper removes its directory last, after the servers
	# and the namespaces.
	[ -z "$left" ]
}
