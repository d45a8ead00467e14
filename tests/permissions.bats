#!/usr/bin/env bats
# Key and socket permissions: a cluster key readable by others is refused
# by the clients as it is by pd-serve; pd-serve's Unix socket (mode 0600)
# serves its owner only: another uid cannot open it, and if it is made
# reachable anyway (mode 0666) pd-serve checks the peer's uid
# (SO_PEERCRED) and answers that uid's hello with a refusal (77) instead
# of serving it, so another user can neither change the allocation
# (pd-alloc) nor submit work through the socket; the clients check the
# listener's uid as well and send nothing to another uid's server (issue
# 12, tests/attack.bats).  The other uid is nobody
# (65534), run with setpriv; those tests need root and skip without it.

load helpers/common

NOBODY=65534

setup() {
	pd_setup
	NCPU=$(getconf _NPROCESSORS_ONLN)
	SHARED_HOME=
}

teardown() {
	pd_teardown
	if [ -n "$SHARED_HOME" ]; then
		rm -rf "$SHARED_HOME"
	fi
}

# as_nobody CMD...: run CMD as uid/gid 65534 with no groups, PD_HOME kept
# (AS_NOBODY: the same as a command prefix, for pdrun).
as_nobody() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env PD_HOME="$PD_HOME" "$@"
}
AS_NOBODY=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env)

# A server whose PD_HOME nobody may traverse (made mode 0711 after the
# start, which refuses a directory open to others: the socket is then
# reachable by path, its own mode decides); skips unless this test can
# switch to another uid and that uid can run the built tools.
start_shared_server() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run a client as another uid"
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	SHARED_HOME=$(mktemp -d /tmp/pdperm.XXXXXX)
	chmod 700 "$SHARED_HOME"
	export PD_HOME="$SHARED_HOME"
	pd_start_server --local
	chmod 711 "$SHARED_HOME"
	as_nobody test -x "$PD_ALLOC" || skip "uid $NOBODY cannot run $PD_ALLOC (a directory above it is private)"
	[ "$(stat -c %a "$PD_HOME/sock")" = 600 ]
}

# A raw client as nobody that sends its hello without checking who
# listens (as an old client would): prints the server's answer.
raw_hello_as_nobody() {
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 for a raw client"
	as_nobody /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/attack.py" unix-hello "$PD_HOME/sock"
}

# The owner's view: pd-alloc works and shares every CPU (nothing changed).
owner_share_unchanged() {
	pdrun "$PD_ALLOC"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "cpu $NCPU total, $NCPU shared, 0 busy" ]
}

# client_refuses_key MODE TOOL ARGS...: with the key at MODE the tool exits
# 77 saying to chmod 600, before trying any host.
client_refuses_key() {
	local mode=$1
	shift
	chmod "$mode" "$PD_HOME/key"
	pdrun "$@"
	[ "$status" -eq 77 ]
	[[ $stderr == *"key file $PD_HOME/key is accessible by group or others (mode 0$mode); fix it with: chmod 600 $PD_HOME/key"* ]]
}

@test "a key readable by others or the group: pd-map refuses it (77, says chmod 600)" {
	pd_keygen
	seq 3 >"$T/in"
	client_refuses_key 644 "$PD_MAP" -H 127.0.0.1:1 "$EX/square.so" <"$T/in"
	[ -z "$output" ]
	client_refuses_key 640 "$PD_MAP" -H 127.0.0.1:1 "$EX/square.so" <"$T/in"
	# and the same key at 0600 is accepted (the host then is unreachable: 69)
	chmod 600 "$PD_HOME/key"
	pdrun "$PD_MAP" -H 127.0.0.1:1 "$EX/square.so" <"$T/in"
	[ "$status" -eq 69 ]
}

@test "a key readable by others: pd-status refuses it too (77)" {
	pd_keygen
	client_refuses_key 604 "$PD_STATUS" -H 127.0.0.1:1
}

@test "pd-alloc from another uid: the socket (mode 0600) cannot be opened: 77, saying so" {
	start_shared_server
	pdrun "${AS_NOBODY[@]}" PD_HOME="$PD_HOME" "$PD_ALLOC" --cpu 1
	[ "$status" -eq 77 ]
	[[ $stderr == *"pd-alloc: connect to $PD_HOME/sock: permission denied: that pd-serve belongs to another user, and only its owner may use its socket"* ]]
	owner_share_unchanged
}

@test "a socket made reachable (0666): pd-serve refuses another uid's pd-alloc (77) and logs it" {
	start_shared_server
	chmod 666 "$PD_HOME/sock"
	# pd-alloc itself sees that root listens, not nobody, and sends nothing
	pdrun "${AS_NOBODY[@]}" PD_HOME="$PD_HOME" "$PD_ALLOC" --cpu 1
	[ "$status" -eq 77 ]
	[[ $stderr == *"pd-alloc: refusing the pd-serve on $PD_HOME/sock: it runs as uid 0, not as you (uid $NOBODY)"* ]]
	# a client that does not check is refused by the server (SO_PEERCRED)
	run raw_hello_as_nobody
	echo "$output"
	[ "$output" = "error: local connection from uid $NOBODY refused: this pd-serve runs as uid 0, and only its owner may use its socket" ]
	grep -q "warning: local:[0-9]*: local connection from uid $NOBODY refused" "$PD_LOG"
	# one warning per refused connection (the probes of pd-alloc and the
	# raw hello), each naming the connection: no second line when it closes
	[ "$(grep -c "warning: local:[0-9]*: local connection from uid $NOBODY refused" "$PD_LOG")" -eq \
		"$(grep -c 'warning:' "$PD_LOG")" ]
	# nothing changed, and the server serves its owner
	owner_share_unchanged
	pd_alive "$PD_PID"
}

@test "a socket made reachable (0666): another uid's pd-map and pd-status are refused too" {
	start_shared_server
	chmod 666 "$PD_HOME/sock"
	seq 3 >"$T/in"
	pdrun "${AS_NOBODY[@]}" PD_HOME="$PD_HOME" "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 77 ]
	[ -z "$output" ]
	[[ $stderr == *"refusing the pd-serve on $PD_HOME/sock: it runs as uid 0, not as you (uid $NOBODY)"* ]]
	pdrun "${AS_NOBODY[@]}" PD_HOME="$PD_HOME" "$PD_STATUS"
	[ "$status" -eq 77 ]
	[[ $output$stderr == *"refusing the pd-serve on $PD_HOME/sock: it runs as uid 0"* ]]
	# the owner's run through the same socket works
	pdrun "$PD_MAP" "$EX/square.so" <"$T/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(expect_squares "$T/in")" ]
}
