#!/bin/sh
# Install the Debian packages Playdoh-C builds and tests with, if missing.
# Used by `make deps`, `make demo`, `make check` and .ci/run.
set -e
# clang and libclang-rt-14-dev (libFuzzer, the sanitizer runtimes; only
# recommended by clang, so named here) build `make fuzz`; util-linux gives
# setpriv, with which tests run a client as another uid; nftables and
# iptables (NFQUEUE) impair a link where the kernel has no netem;
# slurm-wlm, slurm-client and munge run a real private Slurm cluster for
# tests/slurm-real.bats (its daemons use their own config, started and
# stopped by the tests; the packages' services need /etc/slurm/slurm.conf,
# which is not written).
pkgs="build-essential pkg-config libevent-dev libsodium-dev libcjson-dev bats mandoc iproute2 procps clang libclang-rt-14-dev util-linux systemd zsh socat gnuplot-nox nftables iptables valgrind slurm-wlm slurm-client munge"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "playdoh: missing Debian packages:$missing; install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "playdoh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing >/dev/null
