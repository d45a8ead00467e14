#!/usr/bin/env bats
# contrib/systemd/pd-serve.service: systemd accepts the unit, and its
# ExecStart line starts a pd-serve that stays in the foreground.

load helpers/common

UNIT=contrib/systemd/pd-serve.service

setup() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
	pd_setup
}

teardown() {
	pd_teardown
}

# The unit with ExecStart pointing at the pd-serve we built, as
# `make install` with another PREFIX would need, in $T/pd-serve.service.
unit_for_build() {
	sed "s#^ExecStart=/usr/local/bin/pd-serve#ExecStart=$PD_SERVE#" "$1" >"$T/pd-serve.service"
	grep -q "^ExecStart=$PD_SERVE " "$T/pd-serve.service"
}

@test "systemd: systemd-analyze verify accepts the unit, and rejects a broken copy" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (make deps installs systemd)"
	unit_for_build "$UNIT"
	run systemd-analyze verify --man=no "$T/pd-serve.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# The check is not blind: a misspelt setting is reported.
	sed -i 's/^Restart=on-failure/Restart=on-falure/' "$T/pd-serve.service"
	run systemd-analyze verify --man=no "$T/pd-serve.service"
	[[ $output == *on-falure* ]]
}

@test "systemd: the unit's ExecStart runs pd-serve in the foreground until SIGTERM" {
	unshare -n true 2>/dev/null || skip "cannot make a network namespace here (unshare -n)"
	grep -q '^Type=simple$' "$UNIT"
	exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
	read -r -a argv <<<"$exec_start"
	[ "${argv[0]}" = /usr/local/bin/pd-serve ]
	argv[0]=$PD_SERVE
	pd_keygen
	# A network namespace of its own, so the default port is free.
	unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "${argv[@]}" \
		</dev/null >"$T/out" 2>"$T/err" 3>&- &
	pid=$!
	pd_track "$pid"
	wait_for test -S "$PD_HOME/sock" || { show "$T/err"; false; }
	# Still the process systemd started (no fork into the background)
	# and it logs to stderr, where the journal picks it up.
	pd_alive "$pid"
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$PD_SERVE")" ]
	grep -q 'listening on' "$T/err"
	kill -TERM "$pid"
	wait_for pd_dead "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
}

@test "systemd: exit statuses the unit will not restart on are the tool's usage and refusal codes" {
	codes=$(sed -n 's/^RestartPreventExitStatus=//p' "$UNIT")
	[ "$codes" = "64 77" ]
	grep -q 'PD_EX_USAGE *= *64\|PD_EX_USAGE 64' lib/base/err.h
	grep -q 'PD_EX_NOPERM *= *77\|PD_EX_NOPERM 77' lib/base/err.h
	# and pd-serve without a key does exit 77
	run env PD_HOME="$T/nokey" "$PD_SERVE" -f -p 0
	[ "$status" -eq 77 ]
}
