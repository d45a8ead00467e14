#!/usr/bin/env bats
# contrib/slurm/pd-slurm under a real Slurm (Debian's slurm-wlm): a
# private two-node cluster (tests/helpers/slurm-real.bash: munged,
# slurmctld, one slurmd per network namespace) made in setup_file and
# taken down in teardown_file.  Jobs are submitted from a login node of
# its own with salloc and sbatch, as a user would; after every job, no
# pd-serve, no job process and no copy of the cluster key may be left on
# any node.  Skipped, with the reason, where Slurm cannot be installed or
# started (not root, no namespaces, a chroot without cgroups).

load helpers/common
load helpers/slurm-real

# PD_SLURM_DIR: where pd-slurm and its page are (default: contrib/slurm)
SLURM_DIR=${PD_SLURM_DIR:-$(cd "$BATS_TEST_DIRNAME/../contrib/slurm" && pwd)}

# (Bats 1.8 cannot skip from setup_file: the reason is passed on to
# every test's setup in SLURM_REAL_SKIP.)
setup_file() {
	local st=0

	slurm_real_setup 2 || st=$?
	if [ "$st" -eq 2 ]; then
		slurm_real_teardown
		export SLURM_REAL_SKIP
		return 0
	fi
	[ "$st" -eq 0 ] || { slurm_real_teardown; return 1; }
}

teardown_file() {
	slurm_real_teardown
}

setup() {
	[ -z "${SLURM_REAL_SKIP:-}" ] || skip "no real Slurm here: $SLURM_REAL_SKIP"
	pd_setup
	cp "$NS_CLIENT_HOME/key" "$PD_HOME/key"
	chmod 600 "$PD_HOME/key"
	# where every node keeps its server's private directory: ours
	mkdir -p "$T/tmp" "$T/w"
}

teardown() {
	pd_teardown
}

# Set the array LOGIN to the words that run a command on the login node
# as a user of the cluster: pd-slurm, pd-map and pd-serve in PATH, our
# PD_HOME and TMPDIR (srun and sbatch pass the environment on to the
# nodes), in the work directory $T/w; salloc gives up at once (20 s) on
# a request the cluster cannot meet.
login_argv() {
	local SLURM_ON

	slurm_on_argv login
	LOGIN=(timeout -k 5 60 "${SLURM_ON[@]}" env -C "$T/w" PATH="$SLURM_DIR:$B/bin:$PATH"
		PD_HOME="$PD_HOME" TMPDIR="$T/tmp" SALLOC_IMMEDIATE=20)
}

# sub OUT CMD...: CMD on the login node, bounded, stdout and stderr to
# OUT; sets status.
sub() {
	local out=$1 LOGIN
	shift
	login_argv
	status=0
	"${LOGIN[@]}" "$@" >"$out" 2>&1 </dev/null 3>&- || status=$?
	echo "+ $* -> status $status"
	sed 's/^/  /' "$out"
}

# batch OUT SBATCH-ARGS...: sbatch on the login node, then wait (60 s at
# most) until the job has left the queue; as `sbatch --wait` (which polls
# every few seconds), status is the job's exit code, and OUT holds
# sbatch's output.  Sets JOB.
batch() {
	local out=$1 code
	shift
	sub "$out" sbatch "$@"
	[ "$status" -eq 0 ] || return 0
	JOB=$(sed -n 's/^Submitted batch job //p' "$out")
	if ! slurm_until 60 _job_gone "$JOB"; then
		echo "job $JOB still queued after 60 s"
		status=124
		return 0
	fi
	code=$(slurm_on login scontrol show job "$JOB" | grep -o 'ExitCode=[0-9]*:[0-9]*')
	echo "job $JOB: $code"
	code=${code#ExitCode=}
	status=${code%:*}
	[ "${code#*:}" -eq 0 ] || status=$((128 + ${code#*:}))
}

# script FILE: stdin to FILE, an executable shell script.
script() {
	{
		echo '#!/bin/sh'
		cat
	} >"$1"
	chmod 755 "$1"
}

_no_job_processes() { [ -z "$(slurm_job_processes)" ]; }
_job_gone() { [ -z "$(slurm_on login squeue -h -j "$1" 2>/dev/null)" ]; }

# Copies of the cluster key under the directories given (paths, one a line).
key_copies() {
	find "$@" -type f -size 32c 2>/dev/null | while read -r f; do
		cmp -s "$f" "$PD_HOME/key" && echo "$f"
	done
}

# After job $1: within 30 s the job is gone and no process of it is left
# on any node; no private directory, no key copy, no port file is left.
nothing_left() {
	local job=$1 left

	slurm_until 30 _job_gone "$job" || { echo "job $job still queued after 30 s"; slurm_on login squeue; return 1; }
	if ! slurm_until 30 _no_job_processes; then
		echo "left on the cluster 30 s after job $job:"
		slurm_job_processes
		return 1
	fi
	left=$(key_copies "$T/tmp" "$PD_HOME" /tmp/pd-slurm."$job".* | grep -vx "$PD_HOME/key" || true)
	[ -z "$left" ] || { echo "key copies left: $left"; return 1; }
	left=$(find "$T/tmp" -mindepth 1)
	[ -z "$left" ] || { echo "left in the nodes' TMPDIR: $left"; return 1; }
	[ ! -e "$PD_HOME/slurm.$job" ] || { echo "left: $PD_HOME/slurm.$job"; ls -la "$PD_HOME/slurm.$job"; return 1; }
}

# The job's output shows the servers were stopped, not killed.
stopped_not_killed() {
	! grep -E 'task [0-9]+: (Killed|Terminated)|srun: error|forcing job termination' "$1" || false
}

@test "real slurm: salloc, one node: pd-map's results equal awk's; the server is stopped, not killed; no key copy" {
	seq 1 200 >"$T/in"
	script "$T/cmd" <<EOF
echo "\$SLURM_JOB_ID" >'$T/job'
pd-map '$EX/square.so' <'$T/in' >'$T/out' || exit
ls "\$TMPDIR" >'$T/private'
find "\$TMPDIR" -name key >'$T/keys'
EOF
	sub "$T/salloc.out" salloc -N1 pd-slurm "$T/cmd"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = "$(expect_squares "$T/in")" ]
	# while the server ran: its private directory, but no key copy in it
	[ "$(cat "$T/private")" = "pd-slurm.$(cat "$T/job").node1" ]
	[ ! -s "$T/keys" ] || { echo "key copies while running: $(cat "$T/keys")"; false; }
	stopped_not_killed "$T/salloc.out"
	nothing_left "$(cat "$T/job")"
}

@test "real slurm: sbatch, two nodes: both nodes serve, results equal awk's, nothing is left" {
	seq 1 300 >"$T/in"
	yes 30 | head -n 40 >"$T/in2"
	script "$T/job.sh" <<EOF
#SBATCH -N 2 -o $T/job.out
pd-slurm sh -c "pd-map '$EX/square.so' <'$T/in' >'$T/out' && pd-map '$EX/whereami.so' <'$T/in2' >'$T/where'"
EOF
	batch "$T/sbatch.out" "$T/job.sh"
	cat "$T/job.out"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/out")" = "$(expect_squares "$T/in")" ]
	sort "$T/where" | uniq -c
	[ "$(wc -l <"$T/where")" -eq 40 ]
	[ "$(sort -u "$T/where")" = "$(printf '%s\n' node1 node2)" ]
	stopped_not_killed "$T/job.out"
	nothing_left "$JOB"
}

@test "real slurm: the command's exit status comes back through salloc and sbatch" {
	script "$T/seven" <<EOF
echo "\$SLURM_JOB_ID" >'$T/job'
test -n "\$PD_HOSTS" && exit 7
EOF
	sub "$T/a.out" salloc -N2 pd-slurm "$T/seven"
	[ "$status" -eq 7 ]
	stopped_not_killed "$T/a.out"
	nothing_left "$(cat "$T/job")"
	batch "$T/b.out" -N1 -o "$T/job.out" --wrap "pd-slurm '$T/seven'"
	cat "$T/job.out"
	[ "$status" -eq 7 ]
	stopped_not_killed "$T/job.out"
	nothing_left "$(cat "$T/job")"
	# a record that fails: pd-map's 1, and the good record's result
	printf '%s\n' ok fail >"$T/in"
	script "$T/faulty" <<EOF
echo "\$SLURM_JOB_ID" >'$T/job'
pd-map '$EX/faulty.so' <'$T/in' >'$T/out'
EOF
	sub "$T/c.out" salloc -N2 pd-slurm "$T/faulty"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/out")" = ok ]
	stopped_not_killed "$T/c.out"
	nothing_left "$(cat "$T/job")"
}

# Start a job on two nodes by $1 (salloc or sbatch) whose command squares
# $T/in into $T/sq.$2, then sleeps; wait until it sleeps.  Sets JOB and
# JOB_PID (salloc's, or sbatch's that returned at once).
start_sleeper() {
	local how=$1 i=$2 LOGIN

	script "$T/cmd.$i" <<EOF
echo "\$SLURM_JOB_ID" >'$T/job.$i'
pd-map '$EX/square.so' <'$T/in' >'$T/sq.$i' || exit
find "\$TMPDIR" -name key >'$T/keys.$i'
touch '$T/ready.$i'
exec sleep 600
EOF
	login_argv
	if [ "$how" = salloc ]; then
		"${LOGIN[@]}" salloc -N2 pd-slurm "$T/cmd.$i" >"$T/out.$i" 2>&1 </dev/null 3>&- &
	else
		"${LOGIN[@]}" sbatch -N2 -o "$T/out.$i" --wrap "pd-slurm '$T/cmd.$i'" \
			>"$T/sbatch.$i" 2>&1 </dev/null 3>&- &
	fi
	JOB_PID=$!
	pd_track "$JOB_PID"
	slurm_until 60 test -e "$T/ready.$i" || { show "$T/out.$i" "$T/sbatch.$i"; return 1; }
	JOB=$(cat "$T/job.$i")
}

@test "real slurm: scancel mid-run, ten times in a row (salloc and sbatch, two nodes): no server, key copy or command left" {
	local i how st
	seq 1 50 >"$T/in"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		how=salloc
		((i % 2)) || how=sbatch
		echo "# run $i: $how (at $SECONDS s)"
		start_sleeper "$how" "$i"
		echo "ready at $SECONDS s"
		[ "$(cat "$T/sq.$i")" = "$(expect_squares "$T/in")" ]
		[ ! -s "$T/keys.$i" ] || { echo "key copies while running: $(cat "$T/keys.$i")"; false; }
		slurm_on login scancel "$JOB"
		slurm_until 30 pd_dead "$JOB_PID" || { echo "$how still running 30 s after scancel"; show "$T/out.$i"; false; }
		st=0
		wait "$JOB_PID" || st=$?
		echo "$how exited with $st at $SECONDS s"
		# the command (sleep 600) is a job process: gone too
		nothing_left "$JOB" || { show "$T/out.$i"; false; }
		echo "nothing left at $SECONDS s"
		! grep -E 'task [0-9]+: Killed' "$T/out.$i" || { show "$T/out.$i"; false; }
	done
}

# The literal text of the page's N-th example display (.Bd -literal).
page_example() {
	awk -v want="$1" '/^\.Bd -literal/ { n++; on = (n == want); next } /^\.Ed/ { on = 0 } on' \
		"$SLURM_DIR/pd-slurm.1" | sed 's/\\(em/--/g; s/\\e/\\/g'
}

@test "real slurm: the man page's examples work as written" {
	# the user's files: the job (as the README builds it) and its input
	cp "$EX/square.so" "$T/w/square.so"
	cp "$EX/square.so" "$T/w/f.so"
	seq 1 500 >"$T/w/grid"
	ex=$(page_example 1)
	echo "example 1: $ex"
	[[ $ex == '$ '* ]]
	sub "$T/ex1.out" sh -c "${ex#\$ }"
	[ "$status" -eq 0 ]
	seq 1 1000 >"$T/thousand"
	[ "$(cat "$T/w/out")" = "$(expect_squares "$T/thousand")" ]
	page_example 2 >"$T/w/sweep.sh"
	cat "$T/w/sweep.sh"
	batch "$T/ex2.out" sweep.sh
	[ "$status" -eq 0 ]
	[ "$(cat "$T/w/results")" = "$(expect_squares "$T/w/grid")" ]
	[ "$(wc -l <"$T/w/sweep.joblog")" -ge 500 ]
	cat "$T/w/slurm-$JOB.out"
	stopped_not_killed "$T/w/slurm-$JOB.out"
	nothing_left "$JOB"
}
