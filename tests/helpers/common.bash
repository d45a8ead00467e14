# tests/helpers/common.bash - set-up shared by the Bats files.
#
# Load with `load helpers/common`, then call pd_setup from setup() and
# pd_teardown from teardown().  Every test gets a private $PD_HOME (key,
# hosts, state and the Unix socket all live there), so test files can run
# in parallel; servers listen on port 0 and report the port they bound.
# Nothing here sleeps to synchronise: wait_for polls a condition with a
# deadline.

bats_require_minimum_version 1.5.0

# Binaries: $B/bin/pd-*, $B/examples/*.so, $B/tests/* (make check sets B).
B="${B:-build}"
case $B in
/*) ;;
*) B="$PWD/$B" ;;
esac
PD_MAP="$B/bin/pd-map"
PD_SERVE="$B/bin/pd-serve"
PD_ALLOC="$B/bin/pd-alloc"
PD_STATUS="$B/bin/pd-status"
EX="$B/examples"

# In sanitizer builds (make SAN=1) let a job's deliberate SIGSEGV kill its
# worker as it does in a normal build, instead of ASan turning it into a
# report and exit 1; genuine crashes of the tools still fail the tests.
export ASAN_OPTIONS="handle_segv=0:${ASAN_OPTIONS:-}"

# Seconds any single command under test may take before it counts as hung:
# a guard against hangs, never a measure, so it leaves room for a loaded
# 2-core CI machine (a search that takes 1 s here took over 60 s there
# under the sanitizers, which slow pd-opt some tenfold).
case $B in
*san*) PD_RUN_TIMEOUT="${PD_RUN_TIMEOUT:-360}" ;;
*) PD_RUN_TIMEOUT="${PD_RUN_TIMEOUT:-180}" ;;
esac

# PD_SERVE_WRAP: words put before pd-serve wherever the helpers start a
# server (pd_start_server, netns_start_server), e.g. a valgrind command
# (tests/valgrind/run.sh); each such server gets a unique PD_SERVE_TAG in
# its environment, which the wrapper may use to name its files.
# PD_WAIT_SCALE: a whole number multiplying every bounded wait of the
# helpers (wait_for, server start and stop), for slow wrappers; default 1,
# 3 in sanitizer builds.
PD_SERVE_WRAP="${PD_SERVE_WRAP:-}"
case $B in
*san*) PD_WAIT_SCALE="${PD_WAIT_SCALE:-3}" ;;
*) PD_WAIT_SCALE="${PD_WAIT_SCALE:-1}" ;;
esac

# pd_serve_argv: set the array PD_SERVE_ARGV to the command that runs
# pd-serve: "$PD_SERVE" alone, or env PD_SERVE_TAG=... WRAP "$PD_SERVE".
pd_serve_argv() {
	PD_SERVE_ARGV=("$PD_SERVE")
	if [ -n "$PD_SERVE_WRAP" ]; then
		# shellcheck disable=SC2206 # the wrapper is a list of words
		PD_SERVE_ARGV=(env "PD_SERVE_TAG=$(date +%s%N).$$.$RANDOM" $PD_SERVE_WRAP "$PD_SERVE")
	fi
}

# Private directories: T (scratch) and PD_HOME (T/h).  The socket path
# $PD_HOME/sock must stay under 108 bytes, so a long BATS_TEST_TMPDIR is
# replaced by a short directory of our own, removed in pd_teardown.
pd_setup() {
	unset PD_HOSTS PD_HOME
	PD_OWN_TMP=
	if [ -n "${BATS_TEST_TMPDIR:-}" ] && [ "${#BATS_TEST_TMPDIR}" -le 80 ]; then
		T="$BATS_TEST_TMPDIR"
	else
		T=$(mktemp -d /tmp/pdt.XXXXXX)
		PD_OWN_TMP="$T"
	fi
	export T
	export PD_HOME="$T/h"
	mkdir -p "$PD_HOME"
	chmod 700 "$PD_HOME"
	PD_SERVER_PIDS=()
	PD_EXTRA_PIDS=()
	declare -gA PD_PID_START=()
}

# Processes a test started are signalled at teardown only while their pid
# still names them: bash reaps a background process as soon as it exits,
# and with pid_max at 32768 and the suite's parallel files starting about
# 100 processes a second, an exited process's pid is soon another's (a
# server killed mid-test, then SIGTERM at teardown, would hit whatever
# holds its pid then).  So each tracked pid keeps its process's start
# time, and a pid whose process has another start time is left alone.

# _pd_stat_field PID N: field N of /proc/PID/stat, counting from field 3
# (the state) as 1, past the command name, which may hold spaces and
# parentheses; nothing when the process is gone.
_pd_stat_field() {
	local stat n=$2
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	set -- $stat
	echo "${!n}"
}

# _pd_start_time PID: process PID's start time (field 22 of
# /proc/PID/stat, clock ticks since boot); nothing when there is none.
_pd_start_time() { _pd_stat_field "$1" 20; }

# _pd_remember PID: keep PID's start time (an exited one's is empty).
_pd_remember() { PD_PID_START[$1]=$(_pd_start_time "$1"); }

# pd_track PID...: teardown kills each PID (SIGKILL) while it is still the
# process it was when tracked.
pd_track() {
	local pid
	for pid in "$@"; do
		_pd_remember "$pid"
		PD_EXTRA_PIDS+=("$pid")
	done
}

# pd_track_server PID: teardown stops PID as a server (pd_stop_server).
pd_track_server() {
	_pd_remember "$1"
	PD_SERVER_PIDS+=("$1")
}

# _pd_ours PID: 0 while PID is the process tracked under it (or was never
# tracked, and runs).
_pd_ours() {
	local now
	now=$(_pd_start_time "$1")
	[ -n "$now" ] || return 1
	[ -z "${PD_PID_START[$1]+set}" ] || [ "${PD_PID_START[$1]}" = "$now" ]
}

# _pd_ended PID: 0 once the process tracked as PID has exited (even if
# its pid now names another).
_pd_ended() { ! _pd_ours "$1" || pd_dead "$1"; }

# _pd_reused PID: 0 when PID names a process other than the tracked one
# (which must not be waited for: it may be a child of this shell's).
_pd_reused() { [ -n "$(_pd_start_time "$1")" ] && ! _pd_ours "$1"; }

pd_teardown() {
	local pid
	pd_stop_servers
	for pid in "${PD_EXTRA_PIDS[@]}"; do
		if _pd_ours "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		_pd_reused "$pid" || wait "$pid" 2>/dev/null || true
	done
	PD_EXTRA_PIDS=()
	if [ -n "${PD_OWN_TMP:-}" ]; then
		rm -rf "$PD_OWN_TMP"
	fi
}

# wait_for [-t SECONDS] CMD...: run CMD every 0.05 s until it succeeds
# (return 0) or SECONDS (default 10) times PD_WAIT_SCALE have passed
# (return 1, saying so).
wait_for() {
	local secs=10 i n
	if [ "$1" = -t ]; then
		secs=$2
		shift 2
	fi
	secs=$((secs * PD_WAIT_SCALE))
	n=$((secs * 20))
	for ((i = 0; i < n; i++)); do
		if "$@"; then
			return 0
		fi
		sleep 0.05
	done
	echo "wait_for: gave up after ${secs} s waiting for: $*" >&2
	return 1
}

# True when FILE has at least N lines, or process PID has ended (for
# wait_for: a background run got that far, or stopped trying).
lines_or_exit() {
	[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] || ! kill -0 "$3" 2>/dev/null
}

# Fail the test when the last `run` status is a crash (over 128: killed
# by a signal) or a hang (124: killed by our timeout).
no_crash() {
	if [ "$status" -gt 128 ]; then
		echo "crash: status $status (signal $((status - 128)))" >&2
		return 1
	fi
	if [ "$status" -eq 124 ]; then
		echo "hang: still running after ${PD_RUN_TIMEOUT} s, killed" >&2
		return 1
	fi
}

# pdrun CMD...: `run --separate-stderr` under a time bound ($output is
# stdout, $stderr is stderr), then no_crash.  The command, its status and
# its stderr are echoed: Bats shows them when the test fails.
pdrun() {
	run --separate-stderr timeout -k 5 "$PD_RUN_TIMEOUT" "$@"
	echo "+ ${*##*/} -> status $status"
	if [ -n "$stderr" ]; then
		printf '%s\n' "$stderr"
	fi
	no_crash
}

# pdrun_to FILE CMD...: run CMD with stdout to FILE and stderr to
# FILE.err (for big outputs); sets $status, then no_crash.
pdrun_to() {
	local out=$1
	shift
	status=0
	timeout -k 5 "$PD_RUN_TIMEOUT" "$@" >"$out" 2>"$out.err" 3>&- || status=$?
	no_crash
}

# Print the state letter of a process (R, S, Z, ...) or nothing if gone.
_pd_proc_state() { _pd_stat_field "$1" 1; }

# 0 while process $1 runs (a zombie, exited but not reaped, does not).
pd_alive() {
	local st
	st=$(_pd_proc_state "$1")
	[ -n "$st" ] && [ "$st" != Z ]
}

pd_dead() { ! pd_alive "$1"; }

# pd_keygen [HOME]: create a cluster key in HOME (default $PD_HOME).
pd_keygen() {
	local home=${1:-$PD_HOME} st=0
	PD_HOME="$home" "$PD_SERVE" --keygen >/dev/null 2>"$T/keygen.err" || st=$?
	if [ "$st" -ne 0 ]; then
		echo "pd-serve --keygen for $home failed with status $st:" >&2
		cat "$T/keygen.err" >&2
		return 1
	fi
}

# 0 once the server $1 wrote its port file $2 and its socket $3 exists.
_pd_server_ready() {
	[ -s "$2" ] && [ -S "$3" ]
}

# pd_start_server [ARGS...]: start `pd-serve -f -p 0 --port-file` for
# $PD_HOME in the background, stderr appended to $PD_HOME/serve.log, and
# wait (at most 10 s times PD_WAIT_SCALE) until it has written its port
# file and created its Unix socket.  Sets and exports PD_PORT, PD_PID and
# PD_LOG.
pd_start_server() {
	local pf="$PD_HOME/port" sock="$PD_HOME/sock" i
	PD_LOG="$PD_HOME/serve.log"
	rm -f "$pf"
	pd_serve_argv
	"${PD_SERVE_ARGV[@]}" -f -p 0 --port-file "$pf" "$@" </dev/null >>"$PD_LOG" 2>&1 3>&- &
	PD_PID=$!
	pd_track_server "$PD_PID"
	for ((i = 0; i < 200 * PD_WAIT_SCALE; i++)); do
		if _pd_server_ready "$PD_PID" "$pf" "$sock"; then
			break
		fi
		if pd_dead "$PD_PID"; then
			echo "pd-serve $* exited during start-up; its log:" >&2
			cat "$PD_LOG" >&2
			return 1
		fi
		sleep 0.05
	done
	if ! _pd_server_ready "$PD_PID" "$pf" "$sock"; then
		echo "pd-serve $* not ready after $((10 * PD_WAIT_SCALE)) s (no $pf or no $sock); its log:" >&2
		cat "$PD_LOG" >&2
		return 1
	fi
	PD_PORT=$(cat "$pf")
	export PD_PORT PD_PID PD_LOG
}

# pd_stop_server PID: SIGTERM, wait at most 10 s (times PD_WAIT_SCALE,
# as wait_for counts), then SIGKILL.  Sets
# PD_STOP_STATUS to the server's exit status (137 after SIGKILL).
pd_stop_server() {
	local pid=$1 keep=() p
	PD_STOP_STATUS=0
	if _pd_ours "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_for -t 10 _pd_ended "$pid" 2>/dev/null; then
			echo "pd-serve $pid ignored SIGTERM for $((10 * PD_WAIT_SCALE)) s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	_pd_reused "$pid" || wait "$pid" 2>/dev/null || PD_STOP_STATUS=$?
	for p in "${PD_SERVER_PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	PD_SERVER_PIDS=("${keep[@]}")
}

# Stop every server this test started (teardown).
pd_stop_servers() {
	local pid
	for pid in "${PD_SERVER_PIDS[@]}"; do
		pd_stop_server "$pid"
	done
	PD_SERVER_PIDS=()
}

# pd_dead_port: a port on 127.0.0.1 where connections are refused, held
# (bound, not listening) until teardown.  Sets PD_DEAD_PORT.
pd_dead_port() {
	local f="$T/deadport"
	rm -f "$f"
	"$B/tests/pd_deadport" "$f" </dev/null >/dev/null 2>&1 3>&- &
	pd_track "$!"
	wait_for -t 10 test -s "$f"
	PD_DEAD_PORT=$(cat "$f")
}

# Expected output of square.so for the numbers in file $1, one per line
# (computed independently of Playdoh).
expect_squares() {
	awk '{ print $1 * $1 }' "$1"
}

# Show a file's contents (on failure only, as Bats prints test output then).
show() {
	local f
	for f in "$@"; do
		echo "--- $f"
		cat "$f" 2>/dev/null || echo "(missing)"
	done
}

# True when this machine has a real CUDA driver (libcuda.so.1 known to ld.so).
has_cuda_driver() {
	ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'
}

# Skip a test whose expected figures assume a host without GPUs when this
# machine has a CUDA driver (tests/gpu.bats covers GPUs with a fake driver).
skip_if_cuda_driver() {
	if has_cuda_driver; then
		skip "this machine has a CUDA driver (libcuda.so.1): this test expects a host without GPUs"
	fi
}
