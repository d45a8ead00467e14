#!/bin/sh
# tests/valgrind/run.sh - `make valgrind-check`: the Bats files that start
# pd-serve, with every server the helpers start run under valgrind's
# memcheck (PD_SERVE_WRAP, tests/helpers/common.bash), then every log
# judged by tests/valgrind/scan.awk.  Fails when a test fails or a log
# shows a memory error or a leak in pd-serve.
#
# Environment: B (build directory, default build), VG_DIR (where the logs
# go, default $B/valgrind, emptied first), VG_FILES (the Bats files, default
# below), PD_TEST_JOBS (Bats files run at once, default 2).
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
B=${B:-build}
VG_DIR=${VG_DIR:-$B/valgrind}
case $VG_DIR in /*) ;; *) VG_DIR=$root/$VG_DIR ;; esac
# Every file that starts pd-serve through the helpers (pd_start_server,
# netns_start_server); servers a test runs directly (usage errors, a
# second server refused, daemon mode) are not wrapped.
VG_FILES=${VG_FILES:-$(grep -l 'pd_start_server\|netns_start_server' tests/*.bats | tr '\n' ' ')}

command -v valgrind >/dev/null || { echo "valgrind-check: valgrind not found (apt-get install valgrind)" >&2; exit 1; }
rm -rf "$VG_DIR"
mkdir -p "$VG_DIR"

# No --error-exitcode: workers are forked copies of pd-serve, valgrind
# included, and it would change the exit status of a job that exits its
# worker, which pd-serve reports to clients; the logs are judged instead.
PD_SERVE_WRAP="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect"
PD_SERVE_WRAP="$PD_SERVE_WRAP --errors-for-leak-kinds=definite,indirect --trace-children=no"
PD_SERVE_WRAP="$PD_SERVE_WRAP --fullpath-after= --log-file=$VG_DIR/vg.%q{PD_SERVE_TAG}.%p.log"
# pd-serve runs some 20 times slower: stretch every bounded wait.
export PD_SERVE_WRAP PD_WAIT_SCALE="${PD_WAIT_SCALE:-6}" NS_WAIT="${NS_WAIT:-60}" PD_RUN_TIMEOUT="${PD_RUN_TIMEOUT:-300}"

st=0
# shellcheck disable=SC2086 # a list of files
B=$B bats --jobs "${PD_TEST_JOBS:-2}" --no-parallelize-within-files $VG_FILES || st=$?
[ "$st" -eq 0 ] || echo "valgrind-check: FAIL some tests failed under valgrind (bats status $st)"
set -- "$VG_DIR"/vg.*.log
if [ -e "$1" ]; then
	awk -f tests/valgrind/scan.awk "$@" || st=1
else
	echo "valgrind-check: FAIL no valgrind log in $VG_DIR: no server was started under valgrind"
	st=1
fi
exit "$st"
