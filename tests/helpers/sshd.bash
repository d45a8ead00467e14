# sshd.bash - private OpenSSH servers for Bats tests: one per network
# namespace host, each with its own configuration, and a client
# configuration of its own, so nothing of the machine's ssh set-up (nor
# /root/.ssh) is read or written.  Load after helpers/common and
# helpers/netns.
#
#   sshd_prepare                  keys and the client config in $S ($T/ssh);
#                                 skips when sshd, ssh or root are missing
#   sshd_start_host I             sshd on host namespace I (198.18.0.I+1:22);
#                                 its sessions get PD_HOME=$S/hI/home and
#                                 TMPDIR=$S/hI/tmp (SetEnv); skips, saying
#                                 why, when sshd cannot run here
#   sshd_stop_all                 stop every sshd started (teardown)
#   sshd_config ADDR PORT [ENV]   the private sshd_config of a listener
#
# After sshd_prepare, PD_SSH names the client config ("ssh -F ...") and
# PD_SSH_SERVE the pd-serve the sessions run; export them for a client.

SSHD=/usr/sbin/sshd

sshd_prepare() {
	[ -x "$SSHD" ] || skip "no $SSHD (openssh-server; contrib/debian-deps.sh installs it)"
	command -v ssh >/dev/null && command -v ssh-keygen >/dev/null ||
		skip "no ssh or ssh-keygen (openssh-client)"
	[ "$(id -u)" = 0 ] || skip "sshd needs root to start a session for another login (uid $(id -u))"
	S=$T/ssh
	mkdir -m 700 "$S"
	ssh-keygen -q -t ed25519 -N '' -C host -f "$S/host_key"
	ssh-keygen -q -t ed25519 -N '' -C client -f "$S/id"
	cp "$S/id.pub" "$S/authorized_keys"
	chmod 600 "$S/authorized_keys"
	: >"$S/known_hosts"
	cat >"$S/ssh_config" <<-CONF
		Host *
		  User $(id -un)
		  IdentityFile $S/id
		  IdentitiesOnly yes
		  UserKnownHostsFile $S/known_hosts
		  GlobalKnownHostsFile /dev/null
		  StrictHostKeyChecking yes
		  ConnectTimeout 10
	CONF
	export PD_SSH="ssh -F $S/ssh_config"
	export PD_SSH_SERVE="$PD_SERVE"
	# sshd's privilege separation directory, as the package's unit makes it
	mkdir -p /run/sshd 2>/dev/null || true
	SSHD_PIDS=()
}

# sshd_config for a listener on address $1, port $2; the sessions' extra
# environment (SetEnv) in $3 when given.
sshd_config() {
	cat <<-CONF
		ListenAddress $1:$2
		HostKey $S/host_key
		PidFile none
		AuthorizedKeysFile $S/authorized_keys
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		PermitRootLogin prohibit-password
		AllowUsers $(id -un)
		LogLevel VERBOSE
	CONF
	[ -z "${3:-}" ] || echo "SetEnv $3"
}

sshd_start_host() {
	local i=$1 addr log
	addr=$(eval "echo \$NS_ADDR_$i")
	mkdir -p -m 700 "$S/h$i/home" "$S/h$i/tmp"
	sshd_config "$addr" 22 "PD_HOME=$S/h$i/home TMPDIR=$S/h$i/tmp" >"$S/h$i/sshd_config"
	log=$S/h$i/sshd.log
	: >"$log"
	ip netns exec "${NS_PREFIX}h$i" "$SSHD" -D -e -f "$S/h$i/sshd_config" </dev/null 2>"$log" 3>&- &
	SSHD_PIDS+=($!)
	wait_for -t 10 grep -q -e 'Server listening' -e 'fatal' -e 'Missing privilege' "$log" || true
	if ! grep -q 'Server listening' "$log"; then
		cat "$log" >&2
		skip "sshd cannot run here: $(grep -v '^$' "$log" | tail -n 1)"
	fi
	echo "$addr $(cat "$S/host_key.pub")" >>"$S/known_hosts"
}

sshd_stop_all() {
	local pid
	for pid in "${SSHD_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	SSHD_PIDS=()
}
