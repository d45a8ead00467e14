#!/usr/bin/env bats
# The judge of `make valgrind-check` (tests/valgrind/scan.awk) on memcheck
# logs written here in valgrind's own format: what fails, what does not.

load helpers/common

SCAN="$BATS_TEST_DIRNAME/valgrind/scan.awk"

setup() {
	pd_setup
	mkdir "$T/vg"
}

teardown() { pd_teardown; }

# vglog TAG PID PPID DEFLOST INDLOST ERRORS [BLOCK]: a finished process's
# log, as valgrind writes it, with BLOCK (one report, lines without the
# ==PID== prefix) before the summaries.
vglog() {
	local f="$T/vg/vg.$1.$2.log" line
	{
		printf '==%s== Memcheck, a memory error detector\n' "$2"
		printf '==%s== Command: /x/build/bin/pd-serve -f -p 0\n' "$2"
		printf '==%s== Parent PID: %s\n==%s== \n' "$3" "$3" "$2"
		if [ -n "${7:-}" ]; then
			while IFS= read -r line; do
				printf '==%s== %s\n' "$2" "$line"
			done <<<"$7"
			printf '==%s== \n' "$2"
		fi
		printf '==%s== LEAK SUMMARY:\n' "$2"
		printf '==%s==    definitely lost: %s bytes in 1 blocks\n' "$2" "$4"
		printf '==%s==    indirectly lost: %s bytes in 1 blocks\n' "$2" "$5"
		printf '==%s==      possibly lost: 0 bytes in 0 blocks\n==%s== \n' "$2" "$2"
		printf '==%s== ERROR SUMMARY: %s errors from %s contexts (suppressed: 0 from 0)\n' "$2" "$6" "$6"
	} >"$f"
}

# The fork artefact: a worker holds the server's heap when it _exits.
CHILD_LOST='80 bytes in 1 blocks are definitely lost in loss record 6 of 20
   at 0x48465EF: calloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
   by 0x122925: pd_pool_i_spawn (/src/lib/poolproc.c:66)
   by 0x1114B9: main (/src/cmd/pd-serve.c:266)'
LIB_READ='Invalid read of size 1
   at 0x4A3B000: memcpy (in /lib/x86_64-linux-gnu/libc.so.6)
   by 0x12C532: pd_worker_main (/src/lib/worker.c:446)
   by 0x122BB0: worker_child (/src/lib/poolproc.c:52)
 Address 0x4be5a54 is 0 bytes after a block of size 4 alloc'"'"'d
   at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)'
JOB_WRITE='Invalid write of size 4
   at 0x4C3A111: ??? (in /tmp/t/build/examples/faulty.so)
   by 0x12C600: pd_worker_main (/src/lib/worker.c:470)
 Address 0x0 is not stack'"'"'d, malloc'"'"'d or (recently) free'"'"'d'
SERVER_LEAK='40 bytes in 1 blocks are definitely lost in loss record 3 of 9
   at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
   by 0x11A000: srv_accept (/src/lib/server.c:300)'

scan() { pdrun awk -f "$SCAN" "$T"/vg/vg.*.log; }

@test "valgrind scan: clean servers pass; a worker's copy of the server heap is not a leak" {
	vglog 1.a 100 50 0 0 0
	vglog 1.a 101 100 80 0 1 "$CHILD_LOST"
	vglog 1.a 102 100 80 0 1 "$CHILD_LOST"
	vglog 2.b 200 50 0 0 0
	scan
	[ "$status" -eq 0 ]
	[[ $output == *"4 pd-serve processes checked: 2 servers, 2 forked children"* ]]
	[[ $output == *"servers: 0 errors, definitely lost 0 bytes, indirectly lost 0 bytes"* ]]
	[[ $output == *"0 memory errors in pd-serve's code"*"160 bytes \"definitely lost\""* ]]
	[[ $output != *FAIL* ]]
}

@test "valgrind scan: a server's definite or indirect leak fails, naming its log" {
	vglog 1.a 100 50 40 0 1 "$SERVER_LEAK"
	vglog 2.b 200 50 0 24 1
	vglog 3.c 300 50 0 0 0
	scan
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL $T/vg/vg.1.a.100.log (server): 1 errors (leaks included), definitely lost 40 bytes"* ]]
	[[ $output == *"srv_accept (/src/lib/server.c:300)"* ]]
	[[ $output == *"FAIL $T/vg/vg.2.b.200.log (server)"*"indirectly lost 24 bytes"* ]]
	[[ $output != *"vg.3.c.300.log"* ]]
	[[ $output == *"servers: 2 errors, definitely lost 40 bytes, indirectly lost 24 bytes"* ]]
}

@test "valgrind scan: a server's memory error fails even without a leak" {
	vglog 1.a 100 50 0 0 1 "$LIB_READ"
	scan
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL $T/vg/vg.1.a.100.log (server): 1 errors"* ]]
}

@test "valgrind scan: a worker's invalid read in pd-serve's code fails; one inside a job does not" {
	vglog 1.a 100 50 0 0 0
	vglog 1.a 101 100 0 0 1 "$JOB_WRITE"
	scan
	[ "$status" -eq 0 ]
	[[ $output == *"0 memory errors in pd-serve's code; not counted: 1 errors in job code"* ]]
	vglog 1.a 102 100 80 0 2 "$LIB_READ"
	scan
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL $T/vg/vg.1.a.102.log (forked child): 1 memory errors in pd-serve's code"* ]]
	[[ $output == *"pd_worker_main (/src/lib/worker.c:446)"* ]]
}

@test "valgrind scan: a server dying of a signal fails; one killed by SIGKILL is listed as not checked" {
	vglog 1.a 100 50 0 0 0
	printf '==300== Command: pd-serve\n==300== Parent PID: 50\n' >"$T/vg/vg.3.c.300.log"
	scan
	[ "$status" -eq 0 ]
	[[ $output == *"1 pd-serve processes checked: 1 servers, 0 forked children"* ]]
	[[ $output == *"not checked (killed by SIGKILL before exiting): 1 servers, 0 forked children; servers: $T/vg/vg.3.c.300.log"* ]]
	vglog 2.b 200 50 0 0 0
	sed -i 's/^==200== LEAK SUMMARY:/==200== Process terminating with default action of signal 11 (SIGSEGV)\n&/' "$T/vg/vg.2.b.200.log"
	scan
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL $T/vg/vg.2.b.200.log (server): killed by signal 11"* ]]
}

@test "valgrind scan: servers are told from children by tag, so a reused pid cannot hide a server" {
	# Server 2's parent (a shell) got server 1's old pid: still a server.
	vglog 1.a 100 50 0 0 0
	vglog 2.b 300 100 40 0 1 "$SERVER_LEAK"
	scan
	[ "$status" -eq 1 ]
	[[ $output == *"2 servers, 0 forked children"* ]]
	[[ $output == *"FAIL $T/vg/vg.2.b.300.log (server)"* ]]
}

@test "valgrind scan: no server checked at all fails" {
	printf '==300== Command: pd-serve\n==300== Parent PID: 50\n' >"$T/vg/vg.3.c.300.log"
	vglog 3.c 301 300 80 0 1 "$CHILD_LOST"
	scan
	[ "$status" -eq 1 ]
	[[ $output == *"1 pd-serve processes checked: 0 servers, 1 forked children"* ]]
	[[ $output == *"FAIL no server was checked"* ]]
}
