# slurm-real.bash - a real Slurm cluster (Debian's slurm-wlm) for Bats
# tests, built from nothing and taken down again: a munged with a key of
# its own, a slurmctld and one slurmd per node, each node in a network
# namespace of its own (helpers/netns.bash), with its own host name and
# /etc/hosts (a private mount namespace), and a login namespace from which
# salloc, sbatch and scancel are run.  Config, state, logs, PID files and
# the munge key all live in one temporary directory; nothing under /etc or
# /run is read or written, no fixed global name or port is used (the
# daemons' fixed ports are inside our namespaces), so this can run while
# other tests run.  Load with `load helpers/slurm-real` and call:
#
#   slurm_real_setup N     N nodes node1..nodeN (198.18.0.1..N) and the
#                          login node "login" (198.18.0.100); slurmctld on
#                          node1; waits (bounded) until every node is idle.
#                          Returns 2 with SLURM_REAL_SKIP set to the reason
#                          when this machine cannot run it (not root, no
#                          slurm-wlm, no namespaces, no cgroup file system)
#   slurm_on NAME CMD...   CMD on node NAME (node1.., or login) with
#                          SLURM_CONF set: its network namespace, its host
#                          name and its /etc/hosts
#   slurm_on_argv NAME     set the array SLURM_ON to the words slurm_on
#                          puts before CMD (for timeout, or a background
#                          job whose pid is wanted)
#   slurm_real_pids        every process in our namespaces (daemons, jobs)
#   slurm_job_processes    those that are not daemons: "PID COMMAND" lines
#   slurm_until SECS CMD.. run CMD every 0.05 s until it succeeds (0) or
#                          SECS seconds of wall time have passed (1)
#   slurm_real_teardown    stop the daemons (by PID file: slurmd,
#                          slurmctld, munged), kill whatever is left in the
#                          namespaces, delete them and the directory; safe
#                          to call twice or after a partial set-up
#
# Variables: SLURM_REAL_DIR (the directory), SLURM_REAL_NODES (the number
# of nodes), SLURM_CONF (exported), plus those of netns.bash (NS_*).
#
# Gotchas met on the way: `ip netns exec` remounts /sys, and slurmd then
# finds no /sys/fs/cgroup and dies, so a node is entered with nsenter --net
# and unshare -m -u instead; a node's CPUs must be those `slurmd -C`
# reports; MailProg must exist (/bin/true); munged's socket is a file, so
# every namespace reaches it by path (AuthInfo=socket=...).

load "${BASH_SOURCE[0]%/*}/netns"

SLURM_REAL_HELPER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Print a message on stderr (Bats shows it when a test fails).
_sr_say() { printf 'slurm-real: %s\n' "$*" >&2; }

# Set SLURM_REAL_SKIP to why this machine cannot run a real Slurm, and
# return 2.
_sr_cannot() {
	SLURM_REAL_SKIP=$*
	export SLURM_REAL_SKIP
	return 2
}

# 0 when the PID file $1 names a live process called $2.
_sr_running() {
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null &&
		[ "$(cat "/proc/$(cat "$1")/comm" 2>/dev/null)" = "$2" ]
}

slurm_until() {
	local deadline=$((SECONDS + $1))

	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.05
	done
}

# Can this machine run it at all?  (2 and SLURM_REAL_SKIP when not.)
_sr_check_machine() {
	local c name err

	[ "$(id -u)" = 0 ] || { _sr_cannot "not root (uid $(id -u)): slurmd and namespaces need root"; return 2; }
	for c in slurmctld slurmd slurmstepd munged srun salloc sbatch scancel sinfo nsenter unshare; do
		command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] ||
			{ _sr_cannot "$c not installed (contrib/debian-deps.sh installs slurm-wlm and munge as root)"; return 2; }
	done
	[ -d /sys/fs/cgroup ] && [ -n "$(ls -A /sys/fs/cgroup 2>/dev/null)" ] ||
		{ _sr_cannot "no cgroup file system at /sys/fs/cgroup (a chroot?): slurmd cannot start"; return 2; }
	# a namespace made and deleted here, so that netns_setup (which
	# would call skip, and Bats 1.8 cannot skip from setup_file) succeeds
	name=pdslprobe$$$RANDOM
	if ! err=$(ip netns add "$name" 2>&1); then
		_sr_cannot "cannot create network namespaces: $err"
		return 2
	fi
	ip netns del "$name"
}

# The hardware line of `slurmd -C` as node settings: CPUs=2 ... (they
# must match, or slurmd refuses the node).
_sr_hwconf() {
	local hw f v out=

	hw=$(PATH=/usr/sbin:$PATH slurmd -C 2>/dev/null | head -n 1)
	for f in CPUs SocketsPerBoard CoresPerSocket ThreadsPerCore; do
		v=$(printf '%s\n' "$hw" | sed -n "s/.* $f=\([0-9]*\).*/\1/p")
		[ -n "$v" ] || return 1
		out+=" $f=$v"
	done
	printf '%s\n' "${out# }"
}

# Write slurm.conf for N nodes into $SLURM_REAL_DIR.
_sr_write_conf() {
	local n=$1 d=$SLURM_REAL_DIR hw i

	hw=$(_sr_hwconf) || { _sr_say "cannot read this host's hardware from slurmd -C"; return 1; }
	{
		echo "# written by tests/helpers/slurm-real.bash"
		echo "ClusterName=pdtest"
		echo "SlurmctldHost=node1(198.18.0.1)"
		echo "SlurmUser=root"
		echo "AuthType=auth/munge"
		echo "CredType=cred/munge"
		echo "AuthInfo=socket=$d/munge.sock"
		echo "MpiDefault=none"
		echo "MailProg=/bin/true"
		echo "ProctrackType=proctrack/linuxproc"
		echo "TaskPlugin=task/none"
		echo "JobAcctGatherType=jobacct_gather/none"
		echo "AccountingStorageType=accounting_storage/none"
		echo "SelectType=select/cons_tres"
		echo "SelectTypeParameters=CR_Core"
		echo "ReturnToService=2"
		echo "KillWait=10"
		echo "StateSaveLocation=$d/ctld"
		echo "SlurmdSpoolDir=$d/spool/%n"
		echo "SlurmctldPidFile=$d/slurmctld.pid"
		echo "SlurmdPidFile=$d/slurmd-%n.pid"
		echo "SlurmctldLogFile=$d/slurmctld.log"
		echo "SlurmdLogFile=$d/slurmd-%n.log"
		for ((i = 1; i <= n; i++)); do
			echo "NodeName=node$i NodeAddr=198.18.0.$i $hw RealMemory=1000 State=UNKNOWN"
		done
		echo "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
	} >"$d/slurm.conf"
	{
		echo "127.0.0.1 localhost"
		for ((i = 1; i <= n; i++)); do
			echo "198.18.0.$i node$i"
		done
		echo "198.18.0.100 login"
	} >"$d/hosts"
}

# The namespace of node NAME (node1.. or login).
_sr_ns() {
	case $1 in
	login) printf '%s\n' "$NS_CLIENT" ;;
	node[0-9]*) printf '%s\n' "${NS_PREFIX}h$((${1#node} - 1))" ;;
	*) _sr_say "no node '$1'"; return 1 ;;
	esac
}

# Set the array SLURM_ON to the words that run a command on node NAME
# with SLURM_CONF set: its network namespace (not `ip netns exec`, which
# remounts /sys), its host name, its /etc/hosts.
slurm_on_argv() {
	local ns

	ns=$(_sr_ns "$1") || return 1
	SLURM_ON=(env SLURM_CONF="$SLURM_REAL_DIR/slurm.conf" PATH="/usr/sbin:$PATH"
		nsenter --net="/run/netns/$ns" unshare -m -u --propagation private
		sh -c 'hostname "$0" && mount --bind "$1" /etc/hosts && shift && exec "$@"'
		"$1" "$SLURM_REAL_DIR/hosts")
}

slurm_on() {
	local SLURM_ON

	slurm_on_argv "$1" || return 1
	shift
	"${SLURM_ON[@]}" "$@"
}

# Start one daemon: $1 node, $2 PID file, $3 its command name, $4 its
# output file, then the command.
_sr_start() {
	local name=$1 pidf=$2 comm=$3 out=$4
	shift 4

	(slurm_on "$name" "$@" </dev/null >>"$out" 2>&1 3>&- &)
	if ! slurm_until 20 _sr_running "$pidf" "$comm"; then
		_sr_say "$comm on $name did not start; its output ($out):"
		sed 's/^/  /' "$out" >&2
		return 1
	fi
}

# All nodes idle, as the controller sees them.
_sr_idle() {
	local st
	st=$(slurm_on login sinfo -h -o %t 2>/dev/null) || return 1
	[ "$st" = idle ]
}

slurm_real_setup() {
	local n=${1:-1} d i st

	_sr_check_machine || return 2
	SLURM_REAL_SKIP=
	NS_WAIT=20 netns_setup "$n" 2>"$BATS_FILE_TMPDIR/netns.err"
	st=$?
	if [ -z "${NS_PREFIX:-}" ] || [ "$st" -ne 0 ]; then
		_sr_cannot "$(tail -n 1 "$BATS_FILE_TMPDIR/netns.err")"
		return 2
	fi
	d=$(mktemp -d /tmp/pdsl.XXXXXX) || return 1
	export SLURM_REAL_DIR=$d SLURM_REAL_NODES=$n SLURM_CONF=$d/slurm.conf
	mkdir -p "$d/ctld" "$d/spool" || return 1
	_sr_write_conf "$n" || return 1
	# munged: a key of its own, its socket, PID, log and seed files here
	head -c 1024 /dev/urandom >"$d/munge.key" && chmod 400 "$d/munge.key" || return 1
	_sr_start node1 "$d/munged.pid" munged "$d/munged.out" munged -F --force \
		--socket="$d/munge.sock" --key-file="$d/munge.key" --pid-file="$d/munged.pid" \
		--log-file="$d/munged.log" --seed-file="$d/munged.seed" || return 1
	slurm_until 10 test -S "$d/munge.sock" || { _sr_say "munged made no socket $d/munge.sock"; return 1; }
	_sr_start node1 "$d/slurmctld.pid" slurmctld "$d/slurmctld.out" slurmctld -D -i || return 1
	for ((i = 1; i <= n; i++)); do
		mkdir -p "$d/spool/node$i"
		_sr_start "node$i" "$d/slurmd-node$i.pid" slurmd "$d/slurmd-node$i.out" slurmd -D || return 1
	done
	if ! slurm_until 30 _sr_idle; then
		_sr_say "the nodes are not idle after 30 s:"
		slurm_on login sinfo >&2
		tail -n 20 "$d"/slurmctld.log "$d"/slurmd-*.log >&2
		return 1
	fi
}

slurm_real_pids() {
	[ -n "${NS_PREFIX:-}" ] && _ns_pids
}

slurm_job_processes() {
	local pid comm

	for pid in $(slurm_real_pids); do
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		case $comm in slurmd | slurmctld | slurmscriptd | munged) ;; *) echo "$pid $comm" ;; esac
	done
}

# Stop the daemon of PID file $1 (command name $2): SIGTERM, wait up to
# 10 s, then SIGKILL.
_sr_stop() {
	local pid

	_sr_running "$1" "$2" || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null
	slurm_until 10 _ns_gone "$pid" || kill -KILL "$pid" 2>/dev/null
}

slurm_real_teardown() {
	local d=${SLURM_REAL_DIR:-} f

	if [ -n "$d" ] && [ -d "$d" ]; then
		for f in "$d"/slurmd-*.pid; do
			[ -e "$f" ] && _sr_stop "$f" slurmd
		done
		_sr_stop "$d/slurmctld.pid" slurmctld
		_sr_stop "$d/munged.pid" munged
	fi
	netns_teardown # whatever is left in the namespaces: killed
	if [ -n "$d" ] && [ -d "$d" ]; then
		rm -rf "$d"
	fi
	unset SLURM_REAL_DIR SLURM_REAL_NODES SLURM_CONF
	return 0
}
