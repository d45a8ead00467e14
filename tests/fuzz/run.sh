#!/bin/sh
# Run one libFuzzer target for a bounded time (`make fuzz` runs every
# target through this): tests/fuzz/run.sh TARGET SECONDS.
#
# Seeds: the committed corpus (tests/fuzz/corpus/TARGET/) and regression
# inputs (tests/fuzz/regress/TARGET/), read only; new inputs go to
# build/fuzz/corpus/TARGET/ and crash inputs to build/fuzz/crashes/.
# Writes build/fuzz/TARGET.summary, one machine-readable line:
#   fuzz: TARGET execs=N crashes=C seconds=S
# and exits 1 when the target crashed (or leaked, or timed out).
set -u
t=$1
secs=$2
bin=build/fuzz/bin/$t
work=build/fuzz/corpus/$t
crashes=build/fuzz/crashes
log=build/fuzz/$t.log
mkdir -p "$work" "$crashes" tests/fuzz/corpus/"$t" tests/fuzz/regress/"$t"
rm -f "$crashes/$t-"*
start=$(date +%s)
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$crashes/$t-" "$work" tests/fuzz/corpus/"$t" tests/fuzz/regress/"$t" >"$log" 2>&1
rc=$?
end=$(date +%s)
# Executions: the final statistics, or (after a crash) the last status line.
execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=0
ncrash=$(find "$crashes" -name "$t-*" -type f | wc -l)
if [ "$rc" -ne 0 ] && [ "$ncrash" -eq 0 ]; then
	ncrash=1 # died without an artifact (e.g. out of memory in the fuzzer itself)
fi
echo "fuzz: $t execs=$execs crashes=$ncrash seconds=$((end - start))" >build/fuzz/"$t".summary
if [ "$ncrash" -ne 0 ]; then
	echo "fuzz: $t crashed; see $log and $crashes/$t-*" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
exit 0
