# netns.bash - a private cluster in network namespaces, for Bats tests and
# benchmarks.  Load it with `load helpers/netns` (from tests/) and call:
#
#   netns_setup N                 N host namespaces, a client namespace and a
#                                 switch namespace holding a bridge; host i
#                                 (0-based) is 198.18.0.$((i+1)), the client
#                                 198.18.0.100, all on 198.18.0.0/24; creates
#                                 the cluster key (in the client's PD_HOME);
#                                 skips the test when namespaces cannot be made
#   netns_keygen I                give host I a key of its own (not the
#                                 cluster key); call before netns_start_server
#   netns_start_server I [ARGS]   pd-serve -f -p 0 -b ADDR_I [ARGS] in host
#                                 namespace I with its own PD_HOME and
#                                 PD_TEST_HOST=hI in its environment; waits
#                                 for its port; sets NS_PORT_I
#   netns_hosts                   "198.18.0.1:PORT,..." of every server started
#                                 so far, in host order (killed ones included,
#                                 so that a test can list a down host)
#   netns_client CMD...           CMD in the client namespace, PD_HOME = the
#                                 client's home (which holds the cluster key)
#   netns_exec I CMD...           CMD in host namespace I with its PD_HOME
#   netns_home I                  host I's PD_HOME (NS_CLIENT_HOME: client's)
#   netns_kill_server I [SIGNAL]  signal host I's server (default TERM); for
#                                 TERM, INT and KILL waits until it has exited
#   netns_server_log I            path of host I's server log (its stderr)
#   netns_unplug I                take host I off the network: its link goes
#                                 down, nothing more is sent or answered (a
#                                 power cut or a cable pulled, as peers see it)
#   netns_replug I                put host I back (undoes netns_unplug);
#                                 waits until its link is up again
#   netns_teardown                stop every server and process left in the
#                                 namespaces, delete them and the temporary
#                                 directory; safe to call twice or after a
#                                 partial set-up
#
# Variables set by netns_setup: NS_PREFIX (unique per run, e.g. pd3fa2),
# NS_N, NS_SWITCH, NS_CLIENT, NS_CLIENT_ADDR, NS_CLIENT_HOME, NS_DIR (the
# temporary directory), NS_HOST_0..NS_HOST_{N-1} and the array NS_HOSTS
# (namespace names), NS_ADDR_0.. and the array NS_ADDRS (addresses).
# netns_start_server I sets NS_PORT_I and NS_PID_I.
#
# Only 198.18.0.0/24 (the benchmarking range) is used, and only inside the
# namespaces made here: every interface is created inside the switch
# namespace with its peer moved straight into a host or client namespace,
# so the root namespace's interfaces, routes and addresses are never touched.
#
# Binaries come from $NS_BIN when set, else from ${B:-build}/bin at the top
# of the source tree.  Every wait is bounded (NS_WAIT seconds, default 10).
# PD_SERVE_WRAP, as in common.bash, is put before pd-serve in
# netns_start_server (set NS_WAIT higher for a slow wrapper).

NS_HELPER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The directory holding pd-serve and the other tools.
_ns_bin() {
	if [ -n "${NS_BIN:-}" ]; then
		printf '%s\n' "$NS_BIN"
		return
	fi
	case ${B:-build} in
	/*) printf '%s/bin\n' "$B" ;;
	*) printf '%s/bin\n' "$(cd "$NS_HELPER_DIR/../.." && pwd)/${B:-build}" ;;
	esac
}

# Print a message on stderr (Bats shows it when the test fails).
_ns_say() { printf 'netns: %s\n' "$*" >&2; }

# Poll until "$@" succeeds, at most $NS_WAIT seconds; 1 on time-out.
_ns_until() {
	local deadline=$((SECONDS + ${NS_WAIT:-10}))

	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
}

# 0 when process $1 has exited (a zombie counts as exited) or, given a
# namespace $2, is no longer in it (its pid was reused by someone else's).
_ns_gone() {
	local st

	kill -0 "$1" 2>/dev/null || return 0
	if [ -n "${2:-}" ] && [ "$(ip netns identify "$1" 2>/dev/null)" != "$2" ]; then
		return 0
	fi
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) } # the state follows the command name in parentheses
	[ "${st%% *}" = Z ]
}

# Skip the calling test: namespaces cannot be made here.
_ns_skip() {
	_ns_say "cannot create network namespaces: $*"
	if declare -F skip >/dev/null; then
		skip "cannot create network namespaces: $*"
	fi
	return 1
}

# Reserve a prefix no other run uses: the switch namespace's name is the
# lock, since `ip netns add` refuses a name that exists.
_ns_reserve_prefix() {
	local p err

	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		p=pd$(od -An -N2 -tx2 /dev/urandom | tr -d ' \n')
		[ ${#p} -eq 6 ] || p=pd$(printf %04x $((RANDOM)))
		ip netns list 2>/dev/null | grep -q "^$p" && continue
		if err=$(ip netns add "${p}s" 2>&1); then
			NS_PREFIX=$p
			return 0
		fi
		case $err in
		*"File exists"*) continue ;;
		*) _ns_skip "ip netns add ${p}s: $err" || return 1 ;;
		esac
	done
	_ns_say "no free namespace prefix after 16 tries"
	return 1
}

# Interfaces of namespace $1 that are not up yet (prints them).
_ns_links_down() {
	ip -n "$1" -o link show 2>/dev/null | awk -F': ' '$2 != "lo" && !/state UP/ {print $2}'
}

_ns_links_up() { [ -z "$(_ns_links_down "$NS_SWITCH")" ]; }

# Connect namespace $1 to the bridge as port $2 with address $3/24.
_ns_wire() {
	ip -n "$NS_SWITCH" link add "$2" type veth peer name eth0 netns "$1" &&
		ip -n "$NS_SWITCH" link set "$2" master br0 up &&
		ip -n "$1" addr add "$3/24" dev eth0 &&
		ip -n "$1" link set eth0 up &&
		ip -n "$1" link set lo up
}

netns_setup() {
	local n=${1:-} i name err

	[ -n "${NS_PREFIX:-}" ] && netns_teardown
	if ! [[ $n =~ ^[0-9]+$ ]] || ((10#$n < 1 || 10#$n > 99)); then
		_ns_say "netns_setup: '$n' is not a number of hosts from 1 to 99"
		return 1
	fi
	[ "$(id -u)" = 0 ] || { _ns_skip "not root (uid $(id -u))"; return 1; }
	command -v ip >/dev/null || { _ns_skip "ip (iproute2) not found"; return 1; }
	[ -x "$(_ns_bin)/pd-serve" ] || { _ns_say "no $(_ns_bin)/pd-serve (run make)"; return 1; }
	_ns_reserve_prefix || return 1
	export NS_PREFIX NS_N=$n NS_SWITCH=${NS_PREFIX}s NS_CLIENT=${NS_PREFIX}c
	export NS_CLIENT_ADDR=198.18.0.100
	NS_DIR=$(mktemp -d "${NS_TMP:-/tmp}/pd.XXXXXX") || return 1
	export NS_DIR NS_CLIENT_HOME=$NS_DIR/c
	NS_HOSTS=() NS_ADDRS=()
	if ! err=$(ip netns add "$NS_CLIENT" 2>&1 &&
		ip -n "$NS_SWITCH" link add br0 type bridge forward_delay 0 2>&1 &&
		ip -n "$NS_SWITCH" link set br0 up 2>&1 &&
		ip -n "$NS_SWITCH" link set lo up 2>&1); then
		netns_teardown
		_ns_skip "$err"
		return 1
	fi
	for ((i = 0; i < n; i++)); do
		name=${NS_PREFIX}h$i
		NS_HOSTS+=("$name")
		NS_ADDRS+=("198.18.0.$((i + 1))")
		export "NS_HOST_$i=$name" "NS_ADDR_$i=198.18.0.$((i + 1))"
		if ! err=$(ip netns add "$name" 2>&1 && _ns_wire "$name" "h$i" "198.18.0.$((i + 1))" 2>&1); then
			netns_teardown
			_ns_skip "$err"
			return 1
		fi
	done
	if ! err=$(_ns_wire "$NS_CLIENT" c "$NS_CLIENT_ADDR" 2>&1); then
		netns_teardown
		_ns_skip "$err"
		return 1
	fi
	if ! _ns_until _ns_links_up; then
		_ns_say "links still down after ${NS_WAIT:-10}s: $(_ns_links_down "$NS_SWITCH")"
		netns_teardown
		return 1
	fi
	# One cluster key for every host, made once; hosts get copies.
	mkdir -m 700 "$NS_CLIENT_HOME" || return 1
	if ! err=$(PD_HOME=$NS_CLIENT_HOME "$(_ns_bin)/pd-serve" --keygen 2>&1); then
		_ns_say "pd-serve --keygen: $err"
		netns_teardown
		return 1
	fi
}

# Host I's PD_HOME (created on first use).
netns_home() {
	local d=$NS_DIR/h$1

	[ -d "$d" ] || mkdir -m 700 "$d" || return 1
	printf '%s\n' "$d"
}

# Give host I a key of its own instead of the cluster key.
netns_keygen() {
	local home err

	home=$(netns_home "$1") || return 1
	rm -f "$home/key"
	err=$(PD_HOME=$home "$(_ns_bin)/pd-serve" --keygen 2>&1) || { _ns_say "$err"; return 1; }
}

# Has server $1 written its port file in $2, or exited?  (No namespace
# check: just started, it may not have entered its namespace yet.)
_ns_port_or_exit() {
	[ -s "$2/port" ] || _ns_gone "$1"
}

netns_start_server() {
	local i=${1:-} home log pid port
	shift

	if ! [[ $i =~ ^[0-9]+$ ]] || ((i >= ${NS_N:-0})); then
		_ns_say "netns_start_server: no host '$i' (netns_setup made ${NS_N:-0})"
		return 1
	fi
	home=$(netns_home "$i") || return 1
	log=$home/log
	if [ ! -e "$home/key" ]; then
		cp "$NS_CLIENT_HOME/key" "$home/key" && chmod 600 "$home/key" || return 1
	fi
	if [ -s "$home/pid" ] && ! _ns_gone "$(cat "$home/pid")" "${NS_PREFIX}h$i"; then
		_ns_say "host $i: a server (pid $(cat "$home/pid")) is still running"
		return 1
	fi
	rm -f "$home/port" "$home/pid"
	# ip netns exec and env exec (as does a PD_SERVE_WRAP such as
	# valgrind, see common.bash), so $! is pd-serve's own pid.  fd 3 is
	# closed so that Bats does not wait for the server.
	# shellcheck disable=SC2086 # the wrapper is a list of words
	ip netns exec "${NS_PREFIX}h$i" env PD_HOME="$home" PD_TEST_HOST="h$i" \
		${PD_SERVE_WRAP:+PD_SERVE_TAG=$(date +%s%N).$$.$RANDOM $PD_SERVE_WRAP} \
		"$(_ns_bin)/pd-serve" -f -p 0 --port-file "$home/port" -b "198.18.0.$((i + 1))" "$@" \
		</dev/null >>"$log" 2>&1 3>&- &
	pid=$!
	disown "$pid" # no "Killed" notices; bash still reaps it
	echo "$pid" >"$home/pid"
	export "NS_PID_$i=$pid"
	if ! _ns_until _ns_port_or_exit "$pid" "$home" || [ ! -s "$home/port" ]; then
		if _ns_gone "$pid"; then
			_ns_say "host $i: pd-serve exited before writing its port; log $log:"
		else
			_ns_say "host $i: no port file after ${NS_WAIT:-10}s; log $log:"
			_ns_gone "$pid" "${NS_PREFIX}h$i" || kill -KILL "$pid" 2>/dev/null
			_ns_until _ns_gone "$pid" "${NS_PREFIX}h$i"
		fi
		sed 's/^/  /' "$log" >&2
		rm -f "$home/pid"
		return 1
	fi
	port=$(cat "$home/port")
	echo "$port" >"$home/port.last"
	export "NS_PORT_$i=$port"
}

netns_hosts() {
	local i list=

	for ((i = 0; i < ${NS_N:-0}; i++)); do
		[ -s "$NS_DIR/h$i/port.last" ] || continue
		list+=${list:+,}198.18.0.$((i + 1)):$(cat "$NS_DIR/h$i/port.last")
	done
	printf '%s\n' "$list"
}

netns_client() {
	ip netns exec "$NS_CLIENT" env PD_HOME="$NS_CLIENT_HOME" "$@"
}

netns_exec() {
	local i=$1 home
	shift

	home=$(netns_home "$i") || return 1
	ip netns exec "${NS_PREFIX}h$i" env PD_HOME="$home" "$@"
}

netns_server_log() { printf '%s/h%s/log\n' "$NS_DIR" "$1"; }

netns_unplug() {
	ip -n "${NS_PREFIX}h$1" link set eth0 down
}

_ns_host_link_up() {
	ip -n "${NS_PREFIX}h$1" -o link show eth0 2>/dev/null | grep -q 'state UP' && _ns_links_up
}

netns_replug() {
	ip -n "${NS_PREFIX}h$1" link set eth0 up || return 1
	_ns_until _ns_host_link_up "$1" || { _ns_say "host $1: link still down after ${NS_WAIT:-10}s"; return 1; }
}

netns_kill_server() {
	local i=$1 sig=${2:-TERM} pidf=$NS_DIR/h$1/pid ns=${NS_PREFIX}h$1 pid

	[ -s "$pidf" ] || { _ns_say "host $i: no server running"; return 1; }
	pid=$(cat "$pidf")
	if _ns_gone "$pid" "$ns"; then
		_ns_say "host $i: pd-serve (pid $pid) is no longer running"
		rm -f "$pidf"
		return 1
	fi
	sig=${sig#SIG}
	kill -s "$sig" "$pid" || return 1
	case $sig in
	TERM | INT | KILL | 9 | 15 | 2) ;;
	*) return 0 ;;
	esac
	if ! _ns_until _ns_gone "$pid" "$ns"; then
		_ns_say "host $i: pd-serve (pid $pid) still running ${NS_WAIT:-10}s after SIG$sig"
		return 1
	fi
	rm -f "$pidf"
}

# Every process still inside one of our namespaces (workers, clients).
_ns_pids() {
	local ns

	for ns in $(ip netns list 2>/dev/null | awk -v p="$NS_PREFIX" 'index($1, p) == 1 {print $1}'); do
		ip netns pids "$ns" 2>/dev/null
	done
}

netns_teardown() {
	local f pid pids ns

	[ -n "${NS_PREFIX:-}" ] || return 0
	# Servers first, gracefully, then whatever is left, by pid; a pid is
	# signalled only while it is inside one of our namespaces.
	for f in "${NS_DIR:-/nonexistent}"/h*/pid; do
		[ -s "$f" ] || continue
		ns=$NS_PREFIX$(basename "$(dirname "$f")")
		pid=$(cat "$f")
		_ns_gone "$pid" "$ns" || kill -TERM "$pid" 2>/dev/null
	done
	for f in "${NS_DIR:-/nonexistent}"/h*/pid; do
		[ -s "$f" ] || continue
		ns=$NS_PREFIX$(basename "$(dirname "$f")")
		pid=$(cat "$f")
		_ns_until _ns_gone "$pid" "$ns" || kill -KILL "$pid" 2>/dev/null
		rm -f "$f"
	done
	pids=$(_ns_pids)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086 # one pid a word
		kill -KILL $pids 2>/dev/null
		for pid in $pids; do
			NS_WAIT=5 _ns_until _ns_gone "$pid" || _ns_say "pid $pid survived SIGKILL"
		done
	fi
	for ns in $(ip netns list 2>/dev/null | awk -v p="$NS_PREFIX" 'index($1, p) == 1 {print $1}'); do
		ip netns del "$ns" 2>/dev/null || _ns_say "cannot delete namespace $ns"
	done
	[ -n "${NS_DIR:-}" ] && [ -d "$NS_DIR" ] && rm -rf "$NS_DIR"
	for ((f = 0; f < ${NS_N:-0}; f++)); do
		unset "NS_HOST_$f" "NS_ADDR_$f" "NS_PORT_$f" "NS_PID_$f"
	done
	unset NS_PREFIX NS_N NS_SWITCH NS_CLIENT NS_CLIENT_ADDR NS_CLIENT_HOME NS_DIR NS_HOSTS NS_ADDRS
	return 0
}
