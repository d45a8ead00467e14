#!/bin/bash
# tests/fresh/run.sh - the README's Quick start on a brand-new Debian 12.
#
# Builds (once, then cached) a pristine Debian 12 chroot: debootstrap
# --variant=minbase bookworm plus build-essential, from the mirror this
# machine's apt uses.  Into a fresh copy of it goes `git archive HEAD` of
# this repository; then every command of README.md's "Quick start" block,
# taken from HEAD's README verbatim, runs there in order from the tree's
# root, as root, with a bare environment and no standard input.  Exit 0
# when every command succeeded; otherwise the first failing command's
# status (2: the set-up itself failed).  As root; needs debootstrap, git
# and unshare (contrib/debian-deps.sh installs them).
#
# The chroot's mounts (its root bound on itself; /proc, /sys, /dev and
# /dev/pts bound from this machine; /dev/shm and /run fresh tmpfs, so that
# network namespaces made there are named there only) are made in a
# private mount namespace: this machine never sees them, they vanish with
# the namespace, and the copy is removed with --one-file-system after
# checking that nothing below it is mounted here.  Processes left running
# by the commands (their root is the copy) are killed by pid before that.
#
# Environment: FRESH_CACHE (base tarballs; /var/cache/playdoh-fresh),
# FRESH_TMP (where the copy goes; /tmp), FRESH_KEEP=1 keeps the copy,
# FRESH_MAX_AGE_DAYS (rebuild an older base; 14), FRESH_MIRROR (overrides
# the mirror).  Logs: one per command in the work folder, named on output,
# kept when the copy beside them is removed.
set -u
me=fresh
say() { echo "$me: $*" >&2; }

# Lazily unmount what inside() mounted on the chroot $1 (also when only
# part of it was mounted); the namespace's end would do it too.
umount_chroot() {
	local m
	for m in run dev/shm dev/pts dev sys proc; do
		umount -l "$1/$m" 2>/dev/null
	done
	umount -l "$1" 2>/dev/null
	return 0
}

# The "not ok" lines of a Bats log $1 and the "#" lines under each.
failed_tests() {
	awk '/^not ok / {f = 1; print; next} f && /^#/ {print; next} {f = 0}' "$1" | head -n 400
}

# Inside the private mount namespace: mount, run each command, report.
inside() {
	local root=$1 logdir=$2 n=0 rc t0 c
	shift 2
	# shellcheck disable=SC2064 # the path, now
	trap "umount_chroot '$root'" EXIT
	# The root is a mount point, as on a real machine (ip netns needs it).
	mount --bind "$root" "$root" &&
		mount --bind /proc "$root/proc" && mount --bind /sys "$root/sys" &&
		mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" &&
		mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm" &&
		mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run" ||
		{ say "cannot mount the chroot's file systems"; return 2; }
	for c in "$@"; do
		n=$((n + 1))
		say "== $c (log: $logdir/step$n.log)"
		t0=$SECONDS
		chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			/bin/sh -c "cd /root/playdoh && $c" </dev/null >"$logdir/step$n.log" 2>&1
		rc=$?
		say "   '$c' exited $rc after $((SECONDS - t0)) s; its last lines:"
		tail -n "$([ "$rc" = 0 ] && echo 6 || echo 30)" "$logdir/step$n.log" | sed 's/^/   | /' >&2
		if [ "$rc" != 0 ]; then
			say "   its failed tests (Bats), with what they printed:"
			failed_tests "$logdir/step$n.log" | sed 's/^/   | /' >&2
			return "$rc"
		fi
	done
	return 0
}


# The commands of README.md's Quick start: the first ```sh block after
# the "## Quick start" heading, one command a line.
quick_start() {
	awk '/^## Quick start/ {q = 1; next}
	     q && /^## / {exit}
	     q && !b && /^```sh/ {b = 1; next}
	     b && /^```/ {exit}
	     b && NF {print}' "$1"
}

# The Debian mirror of this machine's apt (deb822 .sources first): the
# URI of an entry whose suites include bookworm itself.
host_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN {RS = ""} /(^|\n)Suites:([^\n]* )?bookworm( |\n|$)/ && /(^|\n)Types:[^\n]*deb( |\n|$)/ {
			if (match($0, /(^|\n)URIs: *[^ \n]+/)) { s = substr($0, RSTART, RLENGTH); sub(/^\n?URIs: */, "", s); print s; exit }
		}' "$f"
	done | head -n 1 | grep . && return 0
	awk '$1 == "deb" {i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
	     if ($(i + 1) == "bookworm") {print $i; exit}}' /etc/apt/sources.list 2>/dev/null | grep .
}

# Make the base tarball $1: minbase bookworm plus build-essential.
build_base() {
	local tar=$1 mirror=$2 dir
	dir=$(mktemp -d "$(dirname "$tar")/build.XXXXXX") || return 2
	chmod 755 "$dir" # it becomes /: mktemp's 0700 would lock every other user out
	say "building the base system in $dir from $mirror (a few minutes; log $dir.log)"
	if ! debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1; then
		say "debootstrap failed; last lines of $dir.log:"
		tail -n 20 "$dir.log" >&2
		rm -rf --one-file-system "$dir"
		return 2
	fi
	cp /etc/resolv.conf "$dir/etc/resolv.conf"
	if ! chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		sh -c 'apt-get update -q && apt-get install -y -q build-essential && apt-get clean' >>"$dir.log" 2>&1; then
		say "installing build-essential failed; last lines of $dir.log:"
		tail -n 20 "$dir.log" >&2
		rm -rf --one-file-system "$dir"
		return 2
	fi
	rm -f "$dir/etc/resolv.conf"
	tar -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar" && rm -rf --one-file-system "$dir" "$dir.log"
}

# Kill, by pid, every process whose root is the copy ($1).
kill_leftovers() {
	local p r pids=
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in "$1" | "$1"/*) pids="$pids ${p#/proc/}" ;; esac
	done
	[ -n "$pids" ] || return 0
	say "killing processes left in the chroot:$pids"
	kill -9 $pids 2>/dev/null
	sleep 1
}

# At the end: remove the copy $1, or with FRESH_KEEP=1 keep it.
on_exit() {
	if [ "${FRESH_KEEP:-0}" = 1 ]; then
		kill_leftovers "$1/root"
		say "kept $1"
	else
		remove_copy "$1"
	fi
}

# Remove the copy (the logs beside it stay); never while anything below
# it is mounted here.
remove_copy() {
	local work=$1
	kill_leftovers "$work/root"
	if findmnt -rn -o TARGET | grep -q "^$work/"; then
		say "something is still mounted below $work; not removing it"
		return 1
	fi
	rm -rf --one-file-system "$work/root"
	say "logs kept in $work"
}

# The whole run, from a function: bash has read all of it before it starts,
# so a checkout changing under a running script cannot derail it.
main() {
	local t proj cmds mirror cache key base work root rc
	if [ "${1-}" = --inside ]; then
		shift
		inside "$@"
		return
	fi
	[ "$(id -u)" = 0 ] || { say "must run as root (debootstrap, chroot, mount)"; exit 2; }
	for t in debootstrap git unshare chroot findmnt; do
		command -v "$t" >/dev/null || { say "$t not found (sh contrib/debian-deps.sh installs it)"; exit 2; }
	done
	proj=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || exit 2
	mapfile -t cmds < <(git -C "$proj" show HEAD:README.md | quick_start /dev/stdin)
	[ "${#cmds[@]}" -gt 0 ] || { say "no commands in README.md's Quick start block"; exit 2; }
	mirror=${FRESH_MIRROR:-$(host_mirror)} || true
	[ -n "$mirror" ] || { say "no Debian bookworm mirror in /etc/apt/sources.list{,.d/*.sources}; set FRESH_MIRROR"; exit 2; }

	# The base, cached per mirror and architecture, rebuilt when old.
	cache=${FRESH_CACHE:-/var/cache/playdoh-fresh}
	mkdir -p "$cache" || exit 2
	key=$(printf '%s\n' bookworm minbase build-essential "$(dpkg --print-architecture)" "$mirror" | sha256sum | cut -c1-12)
	base=$cache/bookworm-minbase-build-essential-$key.tar
	SECONDS=0
	exec 9>"$cache/lock"
	flock 9
	if [ -f "$base" ] && [ -z "$(find "$base" -mtime +"${FRESH_MAX_AGE_DAYS:-14}")" ]; then
		say "base system: $base (cached)"
	else
		build_base "$base" "$mirror" || exit 2
	fi
	flock -u 9
	exec 9>&-
	say "base ready after $SECONDS s"

	work=$(mktemp -d "${FRESH_TMP:-/tmp}/playdoh-fresh.XXXXXX") || exit 2
	root=$work/root
	# shellcheck disable=SC2064 # the path, now
	trap "on_exit '$work'" EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$root" && tar -C "$root" -xf "$base" || { say "cannot unpack $base"; exit 2; }
	# / is 0755 on a real machine; a base cached from a 0700 mktemp folder
	# left it 0700, and then no user but root can run anything (munge's
	# postinst, `su munge -s /bin/sh`, failed with "Permission denied").
	chmod 755 "$root"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# As in any Debian chroot: packages install, their services do not start
	# (this chroot shares the machine's network).
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
	mkdir -p "$root/root/playdoh" && git -C "$proj" archive HEAD | tar -x -C "$root/root/playdoh" ||
		{ say "cannot copy the tree"; exit 2; }
	say "tree: $(git -C "$proj" rev-parse --short HEAD) in $root/root/playdoh; commands: $(printf "'%s' " "${cmds[@]}")"
	unshare --mount --propagation private -- "$BASH" "$(realpath "$0")" --inside "$root" "$work" "${cmds[@]}"
	rc=$?
	say "total $SECONDS s; exit $rc"
	exit "$rc"
}

main "$@"
exit
