#!/usr/bin/env bats
# pd-map JOB.c: the job given as C source, compiled by each host with its
# own compiler (PD_CC), cached by source and compiler: the same results as
# the built .so, embedded, through a local pd-serve and across hosts in
# network namespaces; one compile per host and source; compile errors
# naming the host; a missing compiler; a source over the size limit; a
# compiler past PD_CC_TIMEOUT; compiler output over 16 KiB; the
# server answering other clients while a compile runs.

load helpers/common
load helpers/netns

setup() {
	pd_setup
	SRC=$(cd "$BATS_TEST_DIRNAME/../share/examples" && pwd)
	cp "$SRC/square.c" "$T/square.c"
	cat >"$T/flavour.c" <<-'EOF'
	/* Prints the HOSTFLAVOUR its host's compiler defined (1 when none)
	 * and the host that ran it ($PD_TEST_HOST, set by netns.bash). */
	#include <stdlib.h>
	#include <playdoh.h>
	#ifndef HOSTFLAVOUR
	#define HOSTFLAVOUR 1
	#endif
	PD_MAP(flavour)
	{
		const char *host = getenv("PD_TEST_HOST");

		(void)in;
		return pd_printf(out, "%d %s", HOSTFLAVOUR, host ? host : "?");
	}
	EOF
	seq 1 300 >"$T/in"
	expect_squares "$T/in" >"$T/want"
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${NS_DIR:-}" ]; then
		for ((i = 0; i < NS_N; i++)); do
			echo "--- host $i server log:"
			tail -n 30 "$(netns_server_log "$i")"
		done
	fi
	netns_teardown
	pd_teardown
}

# make_cc NAME [FLAGS...]: a compiler $T/NAME that counts its runs (one
# line each in $T/NAME.count) and runs `cc FLAGS ARGS...`.
make_cc() {
	local w=$T/$1
	shift
	printf '#!/bin/sh\necho "$$" >>"%s.count"\nexec cc %s "$@"\n' "$w" "$*" >"$w"
	chmod +x "$w"
}

# compiles NAME: how many times the compiler $T/NAME ran.
compiles() {
	if [ -f "$T/$1.count" ]; then
		wc -l <"$T/$1.count"
	else
		echo 0
	fi
}

# A copy of square.c with a syntax error on one line; BAD_LINE is that
# line's number, found independently of the compiler.
make_bad() {
	sed 's/return pd_put_double(out, x \* x);/return pd_put_double(out, x * x +);/' "$T/square.c" >"$T/bad.c"
	BAD_LINE=$(grep -n 'x \* x +)' "$T/bad.c" | cut -d: -f1)
	[ -n "$BAD_LINE" ]
}

@test "embedded: square.c gives what square.so gives, and rebuilds after an edit" {
	pdrun "$PD_MAP" -c 2 "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	make_cc mycc
	PD_CC=$T/mycc pdrun "$PD_MAP" -c 2 "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ -z "$stderr" ]
	[ "$(compiles mycc)" -eq 1 ]
	sed -i 's/x \* x)/x * x * x)/' "$T/square.c"
	PD_CC=$T/mycc pdrun "$PD_MAP" -c 2 "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(awk '{ print $1 * $1 * $1 }' "$T/in")" ]
}

@test "embedded: JOB.c:NAME picks a job; a fitness-only source is refused as its .so is" {
	pdrun "$PD_MAP" "$T/square.c:square" <<<3
	[ "$status" -eq 0 ]
	[ "$output" = 9 ]
	pdrun "$PD_MAP" "$T/square.c:square_fitness" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"host localhost: square.c: job 'square_fitness' is a fitness function, not a map job"* ]]
	pdrun "$PD_MAP" "$T/square.c:cube" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"square.c has no job 'cube'"* ]]
	pdrun "$PD_MAP" "$EX/rosenbrock.so" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"rosenbrock.so defines no map job"* ]]
	pdrun "$PD_MAP" "$SRC/rosenbrock.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"host localhost: rosenbrock.c defines no map job"* ]]
}

@test "embedded: a syntax error comes back with the compiler's message and line, status 65" {
	make_bad
	pdrun "$PD_MAP" "$T/bad.c" <<<3
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ $stderr == *"pd-map: host localhost: bad.c did not compile:"* ]]
	[[ $stderr == *"bad.c:$BAD_LINE:"*error* ]]
}

@test "pd-opt takes a source too: the .so's result; a map-only job is refused" {
	PD_OPT="$B/bin/pd-opt"
	pdrun "$PD_OPT" -n 1 --seed 11 --iterations 40 --json --dim 4 --bounds -2:2 "$EX/rosenbrock.so:rosenbrock"
	[ "$status" -eq 0 ]
	want=$output
	[[ $want == *fitness* ]]
	pdrun "$PD_OPT" -n 1 --seed 11 --iterations 40 --json --dim 4 --bounds -2:2 "$SRC/rosenbrock.c:rosenbrock"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	pdrun "$PD_OPT" -n 1 --seed 1 --iterations 10 "$T/square.c:square" -p x=-10:10
	[ "$status" -eq 65 ]
	[[ $stderr == *"host localhost: square.c: job 'square' is a map job, not a fitness function"* ]]
}

@test "pd-task asks for a compiled task instead of a source" {
	pdrun "$B/bin/pd-task" "$SRC/pi.c"
	[ "$status" -eq 65 ]
	[[ $stderr == *"pi.c: pd-task runs a compiled task; build it into a .so"* ]]
}

@test "local pd-serve: compiles once per source, with its own PD_CC, and again after an edit" {
	make_cc servercc
	pd_keygen
	PD_CC=$T/servercc pd_start_server
	pdrun "$PD_MAP" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ "$(compiles servercc)" -eq 1 ]
	pdrun "$PD_MAP" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ "$(compiles servercc)" -eq 1 ]
	sed -i 's/x \* x)/x + x)/' "$T/square.c"
	pdrun "$PD_MAP" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(awk '{ print $1 + $1 }' "$T/in")" ]
	[ "$(compiles servercc)" -eq 2 ]
}

@test "local pd-serve: a compile error names the host and the line; the server lives on" {
	make_bad
	pd_keygen
	pd_start_server
	pdrun "$PD_MAP" "$T/bad.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"pd-map: host localhost: bad.c did not compile:"* ]]
	[[ $stderr == *"bad.c:$BAD_LINE:"*error* ]]
	pd_alive "$PD_PID"
	pdrun "$PD_MAP" "$T/square.c" <<<4
	[ "$status" -eq 0 ]
	[ "$output" = 16 ]
}

@test "local pd-serve: no compiler on the host is a clear error" {
	pd_keygen
	PD_CC=$T/no-such-cc pd_start_server
	pdrun "$PD_MAP" "$T/square.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"host localhost: cannot compile square.c: no C compiler '$T/no-such-cc' on this host"* ]]
	pd_alive "$PD_PID"
}

@test "a source over the 4 MiB limit is refused before anything is sent" {
	make_cc servercc
	pd_keygen
	PD_CC=$T/servercc pd_start_server
	{
		cat "$T/square.c"
		head -c 5000000 /dev/zero | tr '\0' ' '
		echo
	} >"$T/huge.c"
	pdrun "$PD_MAP" "$T/huge.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"huge.c: 5000"*" bytes; a job source may have at most 4194304"* ]]
	[ "$(compiles servercc)" -eq 0 ]
}

@test "local pd-serve: other clients are served while a compile runs" {
	# The compiler waits for a go file (at most 30 s): the compile is
	# still running while the second client's whole run happens.
	printf '#!/bin/sh\necho "$$" >>"%s/slowcc.count"\ni=0\nwhile [ ! -e "%s/go" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\nexec cc "$@"\n' \
		"$T" "$T" >"$T/slowcc"
	chmod +x "$T/slowcc"
	pd_keygen
	PD_CC=$T/slowcc pd_start_server
	timeout -k 5 60 "$PD_MAP" --no-bar "$T/square.c" <"$T/in" >"$T/slow.out" 2>"$T/slow.err" 3>&- &
	slow=$!
	wait_for -t 20 test -s "$T/slowcc.count"
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ ! -e "$T/go" ]
	pd_alive "$slow"
	touch "$T/go"
	st=0
	wait "$slow" || st=$?
	cat "$T/slow.err"
	[ "$st" -eq 0 ]
	cmp "$T/want" "$T/slow.out"
}

@test "a compile longer than the client's 10 s silence limit: the host stays up, the run completes" {
	# The compiler sleeps 12 s first; the client pings the host while it
	# compiles, and the host answers, so it is not counted as down.
	printf '#!/bin/sh\nsleep 12\nexec cc "$@"\n' >"$T/sleepcc"
	chmod +x "$T/sleepcc"
	pd_keygen
	PD_CC=$T/sleepcc pd_start_server
	pdrun timeout -k 5 90 "$PD_MAP" --no-bar -H "127.0.0.1:$PD_PORT" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[[ $stderr != *"no answer"* ]]
}

# mh_map NAME ARGS...: pd-map in the client namespace; stdout in
# $T/NAME.out, stderr in $T/NAME.err, status in $status.
mh_map() {
	local name=$1
	shift
	status=0
	netns_client timeout -k 5 60 "$PD_MAP" --no-bar "$@" >"$T/$name.out" 2>"$T/$name.err" || status=$?
	cat "$T/$name.err"
}

@test "three hosts: each compiles the source once with its own compiler" {
	netns_setup 3
	make_cc cc0
	make_cc cc1 -DHOSTFLAVOUR=2
	make_cc cc2 -DHOSTFLAVOUR=3
	for i in 0 1 2; do
		PD_CC=$T/cc$i netns_start_server "$i"
	done
	hosts=$(netns_hosts)
	# square.c over all three: the .so's results.
	mh_map square -H "$hosts" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/want" "$T/square.out"
	# flavour.c on each host alone: that host's compiler's macro.
	for i in 0 1 2; do
		mh_map "flavour$i" -H "${NS_ADDRS[$i]}:$(cat "$(netns_home "$i")/port")" "$T/flavour.c" <"$T/in"
		[ "$status" -eq 0 ]
		[ "$(sort -u "$T/flavour$i.out")" = "$((i + 1)) h$i" ]
		[ "$(wc -l <"$T/flavour$i.out")" -eq 300 ]
	done
	# flavour.c over all three: every record shows the flavour of the
	# host that ran it.
	mh_map flavour -H "$hosts" "$T/flavour.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/flavour.out")" -eq 300 ]
	sort -u "$T/flavour.out"
	[ -z "$(grep -vxE '1 h0|2 h1|3 h2' "$T/flavour.out")" ]
	# Two sources, two compiles per host, however often they ran.
	for i in 0 1 2; do
		[ "$(compiles "cc$i")" -eq 2 ]
	done
}

@test "three hosts: a compile error names the host and the line; the hosts live on" {
	netns_setup 3
	make_bad
	for i in 0 1 2; do
		netns_start_server "$i"
	done
	mh_map bad -H "$(netns_hosts)" "$T/bad.c" <"$T/in"
	[ "$status" -eq 65 ]
	[ ! -s "$T/bad.out" ]
	grep -E "^pd-map: host 198\.18\.0\.[123]:[0-9]+: bad\.c did not compile:$" "$T/bad.err"
	grep -F "bad.c:$BAD_LINE:" "$T/bad.err"
	mh_map square -H "$(netns_hosts)" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	cmp "$T/want" "$T/square.out"
}

@test "pd-serve refuses malformed source uploads and keeps serving" {
	pd_keygen
	make_cc servercc
	PD_CC=$T/servercc pd_start_server
	for a in "src-big:at most 4194304" "src-hash:does not match its hash" "src-path:source name"; do
		run --separate-stderr timeout -k 5 30 "$B/tests/pd_attack" "$PD_PORT" "${a%%:*}"
		no_crash
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output == *"server error: "*"${a#*:}"*"(code 65)"* ]]
	done
	[ "$(compiles servercc)" -eq 0 ]
	pdrun "$PD_MAP" -H "127.0.0.1:$PD_PORT" "$T/square.c" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$T/want")" ]
	[ "$(compiles servercc)" -eq 1 ]
}

@test "a compiler past PD_CC_TIMEOUT is killed with its children; the client is told" {
	pd_keygen
	# The compiler starts a child that would sleep 30 s and waits for it.
	printf '#!/bin/sh\nsleep 30 &\necho $! >"%s/child"\nwait\n' "$T" >"$T/hangcc"
	chmod +x "$T/hangcc"
	PD_CC=$T/hangcc PD_CC_TIMEOUT=1 pd_start_server
	pdrun "$PD_MAP" "$T/square.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"host localhost: square.c did not compile: $T/hangcc ran over 1 s and was killed"* ]]
	wait_for -t 10 pd_dead "$(cat "$T/child")"
	pd_alive "$PD_PID"
}

@test "a long compiler message is cut at 16 KiB and says so" {
	for i in $(seq 1 600); do
		echo "int f$i(void) { return undefined_name_$i; }"
	done >"$T/many.c"
	pdrun "$PD_MAP" "$T/many.c" <<<3
	[ "$status" -eq 65 ]
	[[ $stderr == *"many.c:1:"*"undefined_name_1"* ]]
	[[ $stderr == *"[compiler output cut at 16384 bytes]"* ]]
	[[ $stderr != *"undefined_name_600"* ]]
}

@test "a bad PD_CC_TIMEOUT is logged and the default used" {
	pd_keygen
	PD_CC_TIMEOUT=soon pd_start_server
	pdrun "$PD_MAP" "$T/square.c" <<<5
	[ "$status" -eq 0 ]
	[ "$output" = 25 ]
	grep -F "PD_CC_TIMEOUT='soon' is not a number of seconds from 1 to 3600; using 60" "$PD_LOG"
}
