# tests/helpers/load.bash - load scenarios shared by tests/load.bats and
# tests/reliability/load-report.sh.  Load helpers/netns first; the
# cluster (netns_setup, netns_start_server) is the caller's.
#
#   load_build_job DIR          compile tests/jobs/slowsquare.c to DIR/slowsquare.so
#   load_clients C N MS JOB DIR C pd-map clients at once from the client
#                               namespace against every started host, each
#                               N records "X MS" of its own (client k gets
#                               X = k*N+1 .. k*N+N); waits for all; DIR gets
#                               in.K out.K err.K rc.K and t.K (start and end,
#                               seconds since the epoch), and go.t (when all
#                               were told to start)
#   load_check DIR C            every client exited 0 and wrote exactly the
#                               squares of its own X, computed here by awk
#   load_rates DIR C N          records/s of each client from the common
#                               start (N over its end - go.t), one a line,
#                               ascending: a client whose own start came
#                               late (its shell scheduled late on a loaded
#                               machine) found its share of the slots had
#                               gone to the others meanwhile, and is not
#                               counted fast for it
#   load_skew DIR C             seconds from go.t to the latest client's own
#                               start
#   load_stats                  from rates on stdin: "MIN MEDIAN MAX RATIO"
#   load_hwm PID / load_rss PID peak / current resident memory in KiB
#   load_server_conns I         established TCP connections of host I's
#                               server (its listening port, server side)
#   load_server_idle I          0 when host I's server holds none (for
#                               wait_for, which runs it again each time)
#
# Client k's run is bounded by LOAD_TIMEOUT seconds (default 300).

LOAD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

load_build_job() {
	cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2 -I"$LOAD_SRC/lib" \
		"$LOAD_SRC/tests/jobs/slowsquare.c" -o "$1/slowsquare.so"
}

# One client: wait for the start signal on fd 8, run, note times and status.
_load_client() {
	local k=$1 job=$2 dir=$3 hosts=$4 t0 rc=0

	read -r _ <&8
	exec 8<&-
	t0=$EPOCHREALTIME
	netns_client timeout -k 5 "${LOAD_TIMEOUT:-300}" "$(_ns_bin)/pd-map" -H "$hosts" "$job" \
		<"$dir/in.$k" >"$dir/out.$k" 2>"$dir/err.$k" || rc=$?
	echo "$t0 $EPOCHREALTIME" >"$dir/t.$k"
	echo "$rc" >"$dir/rc.$k"
}

load_clients() {
	local c=$1 n=$2 ms=$3 job=$4 dir=$5 hosts k pids=()

	hosts=$(netns_hosts)
	for ((k = 0; k < c; k++)); do
		seq $((k * n + 1)) $((k * n + n)) | awk -v ms="$ms" '{print $1, ms}' >"$dir/in.$k"
		rm -f "$dir/rc.$k" "$dir/t.$k"
	done
	# A start line each through one pipe, so that all begin together
	# (opened read-write: neither side blocks on open).
	rm -f "$dir/go"
	mkfifo "$dir/go"
	exec 9<>"$dir/go"
	for ((k = 0; k < c; k++)); do
		_load_client "$k" "$job" "$dir" "$hosts" 8<"$dir/go" 9>&- 3>&- &
		pids+=($!)
	done
	echo "$EPOCHREALTIME" >"$dir/go.t"
	for ((k = 0; k < c; k++)); do
		echo go >&9
	done
	wait "${pids[@]}"
	exec 9>&-
}

load_check() {
	local dir=$1 c=$2 k bad=0

	for ((k = 0; k < c; k++)); do
		if [ "$(cat "$dir/rc.$k" 2>/dev/null)" != 0 ]; then
			echo "client $k: exit status $(cat "$dir/rc.$k" 2>/dev/null || echo none):" >&2
			sed 's/^/  /' "$dir/err.$k" >&2
			bad=1
		fi
		awk '{printf "%.0f\n", $1 * $1}' "$dir/in.$k" >"$dir/want.$k"
		if ! cmp -s "$dir/want.$k" "$dir/out.$k"; then
			echo "client $k: output differs from the squares of its input:" >&2
			diff "$dir/want.$k" "$dir/out.$k" | head -5 >&2
			bad=1
		fi
	done
	return $bad
}

# Each client's "START END" line (DIR C).
_load_times() {
	local k
	for ((k = 0; k < $2; k++)); do
		cat "$1/t.$k"
	done
}

load_rates() {
	_load_times "$1" "$2" | awk -v n="$3" -v go="$(cat "$1/go.t")" '{printf "%.1f\n", n / ($2 - go)}' | sort -n
}

load_skew() {
	_load_times "$1" "$2" | awk -v go="$(cat "$1/go.t")" '$1 - go > m { m = $1 - go } END { printf "%.3f\n", m }'
}

load_stats() {
	awk '{r[NR] = $1} END {
		if (NR == 0) exit 1
		med = NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f %.3f\n", r[1], med, r[NR], r[NR] / r[1]
	}'
}

load_hwm() { awk '$1 == "VmHWM:" {print $2}' "/proc/$1/status"; }
load_rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }

load_server_conns() {
	local port

	port=$(cat "$NS_DIR/h$1/port.last")
	ip netns exec "${NS_PREFIX}h$1" ss -tnH state established "( sport = :$port )" | wc -l
}

load_server_idle() { [ "$(load_server_conns "$1")" -eq 0 ]; }
