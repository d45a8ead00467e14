#!/usr/bin/env bats
# pd-map --cache: results remembered across runs.  A job that logs every
# call it gets (tests/jobs/calls.c) proves which records ran; outputs are
# compared with uncached runs of the same records.

load helpers/common

setup() {
	pd_setup
	export PD_CALLS_FILE="$T/calls"
	build_calls "$T/calls.so"
}

teardown() {
	pd_teardown
}

# build_calls OUT [CFLAGS...]: compile tests/jobs/calls.c into OUT.
build_calls() {
	local out=$1
	shift
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -Ilib "$@" tests/jobs/calls.c -o "$out"
}

# The number of calls logged so far (0 when none).
ncalls() {
	if [ -f "$PD_CALLS_FILE" ]; then wc -l <"$PD_CALLS_FILE"; else echo 0; fi
}

# The records called since the log was last cleared, sorted; then clear it.
calls_taken() {
	if [ -f "$PD_CALLS_FILE" ]; then sort "$PD_CALLS_FILE"; fi
	rm -f "$PD_CALLS_FILE"
}

# The RESULTS column of --cache-list's total line.
cached_results() {
	"$PD_MAP" --cache-list | awk '$1 == "total" { print $2 }'
}

@test "cache: a rerun prints byte-identical output (plain, --tag, --json, --joblog) and runs nothing" {
	for i in $(seq 1 500); do echo "rec $i"; done >"$T/in"
	# uncached reference runs
	pdrun_to "$T/plain0" "$PD_MAP" -c 2 "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	pdrun_to "$T/tag0" "$PD_MAP" -c 2 --tag "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	rm -f "$PD_CALLS_FILE"
	# the first cached run computes (and fills the joblog and --json lines)
	pdrun_to "$T/json1" "$PD_MAP" -c 2 --cache --json --joblog "$T/log1" "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(ncalls)" -eq 500 ]
	rm -f "$PD_CALLS_FILE"
	# the reruns compute nothing and print the same bytes
	pdrun_to "$T/plain1" "$PD_MAP" -c 2 --cache "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	grep -q -- '--cache: 500 of 500 records from the cache' "$T/plain1.err"
	pdrun_to "$T/tag1" "$PD_MAP" -c 2 --cache --tag "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	pdrun_to "$T/json2" "$PD_MAP" -c 3 --cache --json --joblog "$T/log2" "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(ncalls)" -eq 0 ]
	cmp "$T/plain0" "$T/plain1"
	cmp "$T/in" "$T/plain1" # calls.so echoes the record
	cmp "$T/tag0" "$T/tag1"
	cmp "$T/json1" "$T/json2"
	cmp "$T/log1" "$T/log2"
	[ "$(wc -l <"$T/log2")" -eq 500 ]
}

@test "cache: a sweep with 10% new records runs only those, output equal to an uncached run" {
	for i in $(seq 1 900); do echo "p $i"; done >"$T/old"
	# the new records go between the old ones, every tenth line
	awk '{ print } NR % 9 == 0 { print "new " NR }' "$T/old" >"$T/in"
	[ "$(wc -l <"$T/in")" -eq 1000 ]
	pdrun "$PD_MAP" -c 2 --cache "$T/calls.so" <"$T/old"
	[ "$status" -eq 0 ]
	calls_taken >/dev/null
	pdrun_to "$T/out" "$PD_MAP" -c 2 --cache "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	calls_taken >"$T/ran"
	grep '^new ' "$T/in" | sort >"$T/want_ran"
	[ "$(wc -l <"$T/want_ran")" -eq 100 ]
	cmp "$T/want_ran" "$T/ran"
	pdrun_to "$T/ref" "$PD_MAP" -c 2 "$T/calls.so" <"$T/in"
	cmp "$T/ref" "$T/out"
	grep -q -- '--cache: 900 of 1000 records from the cache, 100 results stored' "$T/out.err"
}

@test "cache: new records among cached ones run with their own line numbers" {
	# pd_lineno is not in the key (pd-map(1)): a cached result keeps the
	# line number of the run that computed it, a new record gets its own
	build_calls "$T/ln.so" -DCALLS_LINENO
	for i in $(seq 1 2000); do echo "p $i"; done >"$T/old"
	awk '{ print } NR % 7 == 0 { print "new " NR }' "$T/old" >"$T/in"
	pdrun_to "$T/o1" "$PD_MAP" -c 2 --cache "$T/ln.so" <"$T/old"
	awk '{ print $0 "@" NR }' "$T/old" | cmp - "$T/o1"
	pdrun_to "$T/o2" "$PD_MAP" -c 2 --cache "$T/ln.so" <"$T/in"
	[ "$status" -eq 0 ]
	awk '/^new/ { print $0 "@" NR; next } { print $0 "@" $2 }' "$T/in" | cmp - "$T/o2"
}

@test "cache: failed records are never cached, they run again" {
	# counter.c fails a record whose first field is "fail"
	export PD_COUNTER_FILE="$T/counter"
	printf '%s\n' "a 1" "fail now" "b 2" "fail again" "c 3" >"$T/in"
	pdrun "$PD_MAP" -c 2 --cache "$EX/counter.so" <"$T/in"
	[ "$status" -eq 1 ]
	pdrun "$PD_MAP" -c 2 --cache "$EX/counter.so" <"$T/in"
	[ "$status" -eq 1 ]
	[[ $stderr == *"line 2: asked to fail"* ]]
	[[ $stderr == *"line 4: asked to fail"* ]]
	# each failing record ran twice, each good one once
	sort "$PD_COUNTER_FILE" | uniq -c | awk '{ print $1, $2 }' >"$T/got"
	printf '%s\n' "1 a" "1 b" "1 c" "2 fail" "2 fail" >"$T/want"
	sort "$T/got" | cmp - <(sort "$T/want")
	[ "$(cached_results)" -eq 3 ]
}

@test "cache: a changed job, --share data or record runs again; the same bytes elsewhere do not" {
	seq 1 50 >"$T/in"
	echo one >"$T/shareA"
	echo two >"$T/shareB"
	cp "$T/shareA" "$T/shareA2"
	pdrun "$PD_MAP" --cache --share "$T/shareA" "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 50 ]
	# other share bytes: every record runs; the same bytes under another name: none
	pdrun "$PD_MAP" --cache --share "$T/shareB" "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 50 ]
	pdrun "$PD_MAP" --cache --share "$T/shareA2" "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	# no --share is another context again
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 50 ]
	# a rebuilt job with other code: everything runs, and its output is its own
	build_calls "$T/calls2.so" -DCALLS_TAG='" v2"'
	pdrun "$PD_MAP" --cache "$T/calls2.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 50 ]
	[ "$output" = "$(sed 's/$/ v2/' "$T/in")" ]
	# the same .so copied elsewhere: the bytes decide, not the path
	cp "$T/calls2.so" "$T/copy.so"
	pdrun "$PD_MAP" --cache "$T/copy.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	# one record changed: only it runs
	sed '25s/.*/25 changed/' "$T/in" >"$T/in2"
	pdrun "$PD_MAP" --cache "$T/copy.so" <"$T/in2"
	[ "$(calls_taken)" = "25 changed" ]
	[ "$output" = "$(sed 's/$/ v2/' "$T/in2")" ]
}

@test "cache: a job given as C source is cached by its source; an edit runs again" {
	command -v cc >/dev/null || skip "no C compiler"
	# (without the opening comment, which names PD_NONDETERMINISTIC)
	sed '1,/\*\//d; s/CALLS_TAG ""/CALLS_TAG " src"/' tests/jobs/calls.c >"$T/job.c"
	run grep -c PD_NONDETERMINISTIC "$T/job.c"
	[ "$output" = 0 ]
	seq 1 20 >"$T/in"
	pdrun "$PD_MAP" --cache "$T/job.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed 's/$/ src/' "$T/in")" ]
	[ "$(calls_taken | wc -l)" -eq 20 ]
	pdrun "$PD_MAP" --cache "$T/job.c" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	[ "$output" = "$(sed 's/$/ src/' "$T/in")" ]
	sed -i 's/" src"/" edited"/' "$T/job.c"
	pdrun "$PD_MAP" --cache "$T/job.c" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 20 ]
	[ "$output" = "$(sed 's/$/ edited/' "$T/in")" ]
}

@test "cache: a job marked PD_NONDETERMINISTIC is never cached, and --cache says so once" {
	build_calls "$T/nondet.so" -DCALLS_FLAGS=PD_NONDETERMINISTIC
	seq 1 30 >"$T/in"
	for run in 1 2; do
		pdrun "$PD_MAP" -c 2 --cache "$T/nondet.so" <"$T/in"
		[ "$status" -eq 0 ]
		[ "$output" = "$(cat "$T/in")" ]
		[ "$(calls_taken | wc -l)" -eq 30 ]
		[ "$(printf '%s\n' "$stderr" | grep -c 'PD_NONDETERMINISTIC')" -eq 1 ]
	done
	[ "$(cached_results)" -eq 0 ]
	# the same for C source that declares it
	sed 's/^#define CALLS_FLAGS 0$/#define CALLS_FLAGS PD_NONDETERMINISTIC/' tests/jobs/calls.c >"$T/nd.c"
	grep -q 'define CALLS_FLAGS PD_NONDETERMINISTIC' "$T/nd.c"
	for run in 1 2; do
		pdrun "$PD_MAP" --cache "$T/nd.c" <"$T/in"
		[ "$(calls_taken | wc -l)" -eq 30 ]
	done
	[ "$(cached_results)" -eq 0 ]
}

@test "cache: --cache-list shows each job's results; --cache-prune empties the cache" {
	seq 1 40 >"$T/in"
	build_calls "$T/other.so" -DCALLS_TAG='" o"'
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	head -7 "$T/in" | pdrun "$PD_MAP" --cache "$T/other.so"
	pdrun "$PD_MAP" --cache-list
	[ "$status" -eq 0 ]
	[ "${lines[0]%% *}" = CONTEXT ]
	[ "$(printf '%s\n' "$output" | awk -v j="$T/calls.so:calls" '$NF == j { print $2 }')" -eq 40 ]
	[ "$(printf '%s\n' "$output" | awk -v j="$T/other.so:calls" '$NF == j { print $2 }')" -eq 7 ]
	[ "$(printf '%s\n' "$output" | awk '$1 == "total" { print $2 }')" -eq 47 ]
	calls_taken >/dev/null
	pdrun "$PD_MAP" --cache-prune
	[ "$status" -eq 0 ]
	[[ $stderr == *"47 results dropped, 0 kept"* ]]
	[ "$(cached_results)" -eq 0 ]
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 40 ]
	# misuse is a usage error
	pdrun "$PD_MAP" --cache-list "$T/calls.so"
	[ "$status" -eq 64 ]
	pdrun "$PD_MAP" --cache --detach "$T/calls.so" </dev/null
	[ "$status" -eq 64 ]
	pdrun "$PD_MAP" --cache-size 1M "$T/calls.so" </dev/null
	[ "$status" -eq 64 ]
	PD_CACHE_SIZE=lots pdrun "$PD_MAP" --cache "$T/calls.so" </dev/null
	[ "$status" -eq 64 ]
}

@test "cache: the size limit drops the least recently used results" {
	# measure one entry: fixed-width records give results of one size
	for i in $(seq 1 10); do printf 'a%03d\n' "$i"; done | pdrun "$PD_MAP" --cache "$T/calls.so"
	pdrun "$PD_MAP" --cache-list
	per=$(printf '%s\n' "$output" | awk -v j="$T/calls.so:calls" '$NF == j { print $3 / 10 }')
	logsz=$(printf '%s\n' "$output" | awk '$1 == "total" { print $3 }')
	ctx=$((logsz - 10 * per))
	[ "$per" -gt 60 ]
	[ "$ctx" -gt 36 ]
	pdrun "$PD_MAP" --cache-prune
	# room for 40 results; compaction keeps 3/4 of the limit
	limit=$((40 * per + ctx))
	keep=$(((limit / 4 * 3 - ctx) / per))
	[ "$keep" -gt 20 ]
	[ "$keep" -lt 40 ]
	for i in $(seq 1 60); do printf 'a%03d\n' "$i"; done >"$T/a"
	pdrun "$PD_MAP" --cache --cache-size "$limit" "$T/calls.so" <"$T/a"
	[ "$(cached_results)" -eq "$keep" ]
	[ "$(stat -c %s "$PD_HOME/state/results/log")" -le "$limit" ]
	# the newest results stayed; the oldest kept five are used now
	first=$((61 - keep))
	for i in $(seq "$first" $((first + 4))); do printf 'a%03d\n' "$i"; done >"$T/used"
	calls_taken >/dev/null
	pdrun "$PD_MAP" --cache --cache-size "$limit" "$T/calls.so" <"$T/used"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	# new results push the cache over its limit again: the five used
	# survive, the ones written after them but not used go
	for i in $(seq 1 $((keep - 10))); do printf 'b%03d\n' "$i"; done >"$T/b"
	pdrun "$PD_MAP" --cache --cache-size "$limit" "$T/calls.so" <"$T/b"
	[ "$(calls_taken | wc -l)" -eq $((keep - 10)) ]
	[ "$(cached_results)" -eq "$keep" ]
	pdrun "$PD_MAP" --cache --cache-size "$limit" "$T/calls.so" <"$T/used"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	printf 'a%03d\n' $((first + 5)) | pdrun "$PD_MAP" --cache --cache-size 100M "$T/calls.so"
	[ "$(calls_taken | wc -l)" -eq 1 ]
	printf 'a%03d\n' 60 | pdrun "$PD_MAP" --cache --cache-size 100M "$T/calls.so"
	[ "$(calls_taken | wc -l)" -eq 0 ]
}

@test "cache: reruns that take everything from the cache do not grow the log without bound" {
	for i in $(seq 1 12000); do printf 'r%05d\n' "$i"; done >"$T/in"
	pdrun "$PD_MAP" -c 2 --cache "$T/calls.so" <"$T/in"
	log="$PD_HOME/state/results/log"
	first=$(stat -c %s "$log")
	[ "$first" -gt $((1 << 20)) ] # past the size where dead weight is compacted
	for run in 1 2 3 4 5 6 7 8; do
		pdrun_to "$T/out" "$PD_MAP" -c 2 --cache "$T/calls.so" <"$T/in"
		cmp "$T/in" "$T/out"
		size=$(stat -c %s "$log")
		echo "run $run: log $size bytes (first $first)"
		# at most twice the live results, plus what one run adds
		[ "$size" -le $((2 * first + 12000 * 32)) ]
	done
	[ "$(calls_taken | wc -l)" -eq 12000 ]
}

@test "cache: a damaged or torn entry is never served, its record runs again" {
	for i in $(seq 1 100); do printf 'rec-%04d-zz\n' "$i"; done >"$T/in"
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	calls_taken >/dev/null
	log="$PD_HOME/state/results/log"
	# flip one byte of record 50's stored output
	off=$(grep -boa 'rec-0050-zz' "$log" | head -1 | cut -d: -f1)
	[ -n "$off" ]
	printf 'X' | dd of="$log" bs=1 seek="$((off + 4))" conv=notrunc status=none
	grep -qa 'rec-X050-zz' "$log"
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[ "$(calls_taken)" = "rec-0050-zz" ]
	# the run rewrote the log without the damage: nothing runs now
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	# a crash mid-write: the last result torn
	pdrun "$PD_MAP" --cache-prune
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	calls_taken >/dev/null
	truncate -s -5 "$log"
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$output" = "$(cat "$T/in")" ]
	[ "$(calls_taken)" = "rec-0100-zz" ]
	[[ $stderr == *"skipped"*"damaged or torn"* ]]
	# garbage over the middle of the log: the entries there run again,
	# the others are still found
	size=$(stat -c %s "$log")
	head -c 300 /dev/urandom | dd of="$log" bs=1 seek="$((size / 2))" conv=notrunc status=none
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$output" = "$(cat "$T/in")" ]
	n=$(calls_taken | wc -l)
	[ "$n" -ge 1 ]
	[ "$n" -le 10 ]
	pdrun "$PD_MAP" --cache "$T/calls.so" <"$T/in"
	[ "$(calls_taken | wc -l)" -eq 0 ]
}

# entry_offsets LOG: the offset of each entry of a cache log, one a line
# (the 36-byte header holds the payload length at byte 8, u32 LE).
entry_offsets() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
p = 0
while p + 36 <= len(d):
    print(p)
    p += 36 + struct.unpack_from("<I", d, p + 8)[0]
' "$1"
}

@test "cache: a torn last entry, alone or followed by a later run's entries, is dropped and its record runs again" {
	# x's results longer than y's first entries (its context, a result),
	# so that a torn one's length would reach past them
	pad=$(printf 'z%.0s' $(seq 1 2000))
	for i in $(seq 1 60); do printf 'tx-%04d-%s\n' "$i" "$pad"; done >"$T/x"
	for i in $(seq 1 40); do printf 'ty-%04d\n' "$i"; done >"$T/y"
	cat "$T/x" "$T/y" >"$T/xy"
	pdrun_to "$T/ref" "$PD_MAP" -c 1 "$T/calls.so" <"$T/xy"
	[ "$status" -eq 0 ]
	log="$PD_HOME/state/results/log"
	# a log of x alone, and one of y alone (same job: same context)
	pdrun "$PD_MAP" -c 1 --cache "$T/calls.so" <"$T/x"
	[ "$status" -eq 0 ]
	cp "$log" "$T/logx"
	pdrun "$PD_MAP" --cache-prune
	pdrun "$PD_MAP" -c 1 --cache "$T/calls.so" <"$T/y"
	[ "$status" -eq 0 ]
	cp "$log" "$T/logy"
	calls_taken >/dev/null
	size=$(stat -c %s "$T/logx")
	last=$(entry_offsets "$T/logx" | tail -1)
	[ -n "$last" ]
	[ "$last" -lt "$size" ]
	# the record whose result the last entry holds
	cut=$(tail -c +"$((last + 1))" "$T/logx" | grep -ao 'tx-[0-9]*-z*' | head -1)
	[ -n "$cut" ]
	# cuts whose torn entry claims to end exactly where one of y's entries
	# begins (its length field, from x's whole entry, reaching into y):
	# past the result's fixed fields and host, so that those hold x's own
	# bytes and only the end tells it from a whole entry
	n=$(od -An -tu4 -j "$((last + 8))" -N 4 "$T/logx" | tr -d ' ')
	aligned=$(entry_offsets "$T/logy" | awk -v n="$n" '$1 > 0 && 36 + n - $1 > 36 + 53 + 256 { print 36 + n - $1 }' |
		sed -n '1p;$p')
	[ -n "$aligned" ]
	for at in 1 4 9 12 20 35 36 50 $aligned $((size - last - 1)); do
		for tail in none y; do
			echo "# cut at $at into the last entry, then $tail"
			head -c "$((last + at))" "$T/logx" >"$log"
			if [ $tail = y ]; then cat "$T/logy" >>"$log"; fi
			pdrun_to "$T/out" "$PD_MAP" -c 1 --cache "$T/calls.so" <"$T/xy"
			[ "$status" -eq 0 ]
			cmp "$T/ref" "$T/out"
			grep -q 'skipped.*damaged or torn' "$T/out.err"
			# only the cut record ran, and those of y when their log was not there
			if [ $tail = y ]; then
				[ "$(calls_taken)" = "$cut" ]
			else
				[ "$(calls_taken)" = "$( (echo "$cut"; cat "$T/y") | sort)" ]
			fi
			# the log is whole again: nothing runs
			pdrun_to "$T/out" "$PD_MAP" -c 1 --cache "$T/calls.so" <"$T/xy"
			cmp "$T/ref" "$T/out"
			[ "$(calls_taken | wc -l)" -eq 0 ]
		done
	done
}

@test "cache: concurrent runs share the cache without damaging it" {
	for i in $(seq 1 3000); do echo "c $i"; done >"$T/all"
	sed -n '1,2000p' "$T/all" >"$T/x"
	sed -n '1001,3000p' "$T/all" >"$T/y"
	"$PD_MAP" -c 1 --cache "$T/calls.so" <"$T/x" >"$T/ox" 2>"$T/ex" &
	px=$!
	"$PD_MAP" -c 1 --cache "$T/calls.so" <"$T/y" >"$T/oy" 2>"$T/ey" &
	py=$!
	wait "$px"
	wait "$py"
	cmp "$T/x" "$T/ox"
	cmp "$T/y" "$T/oy"
	calls_taken >/dev/null
	pdrun_to "$T/oall" "$PD_MAP" --cache "$T/calls.so" <"$T/all"
	[ "$status" -eq 0 ]
	cmp "$T/all" "$T/oall"
	[ "$(calls_taken | wc -l)" -eq 0 ]
	run grep -c damaged "$T/oall.err"
	[ "$output" = 0 ]
	[ "$(cached_results)" -eq 3000 ]
}

@test "cache: concurrent runs that each outgrow the size limit keep the log whole" {
	pids=()
	for k in 1 2 3 4; do
		for i in $(seq 1 1500); do echo "k$k $i"; done >"$T/in$k"
		"$PD_MAP" -c 1 --cache --cache-size 40K "$T/calls.so" <"$T/in$k" >"$T/out$k" 2>"$T/err$k" &
		pids+=($!)
	done
	for k in 1 2 3 4; do
		wait "${pids[$((k - 1))]}"
		cmp "$T/in$k" "$T/out$k"
	done
	cat "$T"/err? >&2
	run grep -c damaged "$T/err1" "$T/err2" "$T/err3" "$T/err4"
	[ "$(printf '%s\n' "$output" | awk -F: '{ n += $2 } END { print n }')" -eq 0 ]
	pdrun "$PD_MAP" --cache-list
	[ "$(printf '%s\n' "$output" | awk '$1 == "total" { print $3 }')" -le 40960 ]
	[[ $stderr != *damaged* ]]
	# what is still cached is right: a run of everything prints every record
	cat "$T"/in? >"$T/all"
	calls_taken >/dev/null
	pdrun_to "$T/oall" "$PD_MAP" -c 2 --cache --cache-size 40K "$T/calls.so" <"$T/all"
	cmp "$T/all" "$T/oall"
	[ "$(calls_taken | wc -l)" -ge $((6000 - 400)) ]
}

@test "cache: results survive a pd-serve restart (-H, a server on TCP)" {
	pd_keygen
	pd_start_server --cpu 2
	seq 1 200 >"$T/in"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --cache "$T/calls.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in")" ]
	[ "$(calls_taken | wc -l)" -eq 200 ]
	pd_stop_server "$PD_PID"
	pd_start_server --cpu 2
	seq 1 220 >"$T/in2"
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" --cache "$T/calls.so" <"$T/in2"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/in2")" ]
	[ "$(calls_taken)" = "$(seq 201 220 | sort)" ]
}

@test "cache: a command's results are keyed by the command line; a command with {#} is never cached" {
	seq 1 20 >"$T/in"
	awk '{ print $1 * 2 }' "$T/in" >"$T/double"
	awk '{ print $1 * 3 }' "$T/in" >"$T/triple"
	# Each call appends its record to calls, so the file says what ran.
	dbl='echo "$1" >>"$2"; echo $(($1 * 2))'
	tpl='echo "$1" >>"$2"; echo $(($1 * 3))'
	pdrun_to "$T/out1" "$PD_MAP" -c 2 --cache sh -c "$dbl" sh {} "$T/cmdcalls" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/double" "$T/out1"
	[ "$(wc -l <"$T/cmdcalls")" -eq 20 ]
	rm -f "$T/cmdcalls"
	# the same command: nothing runs, same bytes
	pdrun_to "$T/out2" "$PD_MAP" -c 2 --cache sh -c "$dbl" sh {} "$T/cmdcalls" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/double" "$T/out2"
	[ ! -e "$T/cmdcalls" ]
	# another command on the same records: every record runs, new results
	pdrun_to "$T/out3" "$PD_MAP" -c 2 --cache sh -c "$tpl" sh {} "$T/cmdcalls" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/triple" "$T/out3"
	[ "$(wc -l <"$T/cmdcalls")" -eq 20 ]
	rm -f "$T/cmdcalls"
	# {#} is the record's number, not in the key: never cached, said once
	for i in 1 2; do
		pdrun_to "$T/num$i" "$PD_MAP" -c 2 --cache sh -c 'echo "$1" >>"$2"; echo "$3:$1"' sh {} "$T/cmdcalls" '{#}' <"$T/in"
		[ "$status" -eq 0 ]
		[ "$(grep -c 'uses {#}' "$T/num$i.err")" -eq 1 ]
		awk '{ print NR ":" $1 }' "$T/in" | cmp - "$T/num$i"
	done
	[ "$(wc -l <"$T/cmdcalls")" -eq 40 ]
}
