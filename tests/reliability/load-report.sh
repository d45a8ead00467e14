#!/bin/bash
# tests/reliability/load-report.sh - the load figures of the reliability
# report (issue 5), at full size:
#
#   1. 16 clients submit 10,000 records each at once to a 3-host cluster
#      of network namespaces (pd-serve --cpu 2 on each): every run must
#      complete with exactly the right output, and the clients' throughputs
#      (records/s over each one's own run) lie within 2x of each other.
#   2. 1,000 connections to one pd-serve never finish the handshake
#      (silent, a partial header, a hello without the proof, and too many
#      bytes, in turn) while an honest pd-map runs against it: the honest
#      run must complete exactly, the server must close all 1,000, and its
#      peak memory stay bounded.
#
# Prints the figures and PASS or FAIL for each property; exits 0 when all
# hold, 1 when one does not, 2 when the scenarios cannot run (not root,
# no namespaces, not built).  Run from the top of the tree after `make`:
#
#	tests/reliability/load-report.sh
#
# Environment: B (build directory, default build), LOAD_CLIENTS (16),
# LOAD_RECORDS (10000), LOAD_MS (1: milliseconds each record holds a
# slot), LOAD_HOSTS (3), LOAD_CPU (2), HALFOPEN (1000), MEM_BOUND_KB
# (65536).

set -u
cd "$(dirname "$0")/../.." || exit 2
export B=${B:-build}
. tests/helpers/netns.bash
. tests/helpers/load.bash

CLIENTS=${LOAD_CLIENTS:-16}
RECORDS=${LOAD_RECORDS:-10000}
MS=${LOAD_MS:-1}
HOSTS=${LOAD_HOSTS:-3}
CPU=${LOAD_CPU:-2}
HALFOPEN=${HALFOPEN:-1000}
MEM_BOUND_KB=${MEM_BOUND_KB:-65536}
BIN=$(_ns_bin)
failed=0

# verdict CONDITION-STATUS TEXT: print PASS/FAIL and remember a failure.
verdict() {
	if [ "$1" -eq 0 ]; then
		echo "  PASS $2"
	else
		echo "  FAIL $2"
		failed=1
	fi
}

trap netns_teardown EXIT
[ -x "$BIN/pd-serve" ] && [ -x "$BIN/../tests/pd_halfopen" ] || {
	echo "load-report: build first (make), no $BIN/pd-serve or pd_halfopen" >&2
	exit 2
}

echo "== load: $CLIENTS clients x $RECORDS records (slowsquare, $MS ms a record) at once, $HOSTS hosts x --cpu $CPU"
netns_setup "$HOSTS" || exit 2
for ((i = 0; i < HOSTS; i++)); do
	netns_start_server "$i" --cpu "$CPU" || exit 2
done
D=$NS_DIR/load
mkdir "$D" && load_build_job "$D" || exit 2
t0=$EPOCHREALTIME
load_clients "$CLIENTS" "$RECORDS" "$MS" "$D/slowsquare.so" "$D"
t1=$EPOCHREALTIME
load_check "$D" "$CLIENTS"
verdict $? "all $CLIENTS runs completed (exit 0) with exactly the right output"
read -r min med max ratio < <(load_rates "$D" "$CLIENTS" "$RECORDS" | load_stats)
awk -v t0="$t0" -v t1="$t1" -v c="$CLIENTS" -v n="$RECORDS" \
	'BEGIN {printf "  wall time %.1f s for %d records (%.0f records/s in all)\n", t1 - t0, c * n, c * n / (t1 - t0)}'
echo "  records/s per client, from the common start: min $min  median $med  max $max"
echo "  the latest client started $(load_skew "$D" "$CLIENTS") s after the start signal"
echo "  ratio max/min: $ratio"
awk -v r="$ratio" 'BEGIN {exit !(r <= 2.0)}'
verdict $? "each client's throughput within 2x of every other's (ratio <= 2.0)"
for ((i = 0; i < HOSTS; i++)); do
	echo "  host $i: pd-serve VmHWM $(load_hwm "$(cat "$NS_DIR/h$i/pid")") KiB"
done
netns_teardown

echo "== half-open: $HALFOPEN connections that never finish the handshake, an honest client meanwhile"
netns_setup 1 || exit 2
netns_start_server 0 --cpu "$CPU" || exit 2
pid=$(cat "$NS_DIR/h0/pid")
D=$NS_DIR/half
mkdir "$D"
hwm0=$(load_hwm "$pid")
netns_client timeout -k 5 120 "$BIN/../tests/pd_halfopen" "$NS_ADDR_0" "$NS_PORT_0" "$HALFOPEN" mixed 60 \
	>"$D/half.out" 2>&1 &
bg=$!
NS_WAIT=60 _ns_until grep -qs "^opened" "$D/half.out"
echo "  connections opened: $(sed -n "s/^opened //p" "$D/half.out")"
echo "  held by the server once all were open: $(load_server_conns 0) (at most 128 in handshake; the oldest go)"
seq 1 10000 >"$D/in"
h0=$EPOCHREALTIME
netns_client timeout -k 5 120 "$BIN/pd-map" -H "$(netns_hosts)" "$BIN/../examples/square.so" <"$D/in" >"$D/out" 2>"$D/err"
st=$?
h1=$EPOCHREALTIME
awk '{print $1 * $1}' "$D/in" | cmp -s - "$D/out"
exact=$?
[ "$st" -eq 0 ] && [ "$exact" -eq 0 ] && ok=yes || ok=no
awk -v a="$h0" -v b="$h1" -v ok="$ok" 'BEGIN {printf "  honest run (10000 records of square.so) completed: %s, in %.2f s\n", ok, b - a}'
[ "$ok" = yes ]
verdict $? "the honest run completed with exactly the right output meanwhile"
[ "$ok" = yes ] || sed 's/^/    /' "$D/err"
wait "$bg"
hst=$?
sed -n '2,$s/^/  /p' "$D/half.out"
grep -q "^closed $HALFOPEN of $HALFOPEN\$" "$D/half.out"
verdict $? "the server closed all $HALFOPEN (pd_halfopen exit $hst)"
NS_WAIT=10 _ns_until test "$(load_server_conns 0)" -eq 0
echo "  server connections left afterwards: $(load_server_conns 0)"
log=$(netns_server_log 0)
echo "  server log: $(grep -c 'handshake timed out' "$log") handshake timeouts, $(grep -c 'more than 8192 bytes' "$log") dropped for sending too much"
hwm=$(load_hwm "$pid")
echo "  pd-serve VmHWM before $hwm0 KiB, after $hwm KiB; VmRSS after $(load_rss "$pid") KiB"
[ "$hwm" -lt "$MEM_BOUND_KB" ]
verdict $? "pd-serve's peak memory below $MEM_BOUND_KB KiB"
exit $failed
