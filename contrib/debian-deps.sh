#!/bin/sh
# Install the Debian packages Playdoh-C builds and tests with, if missing.
# Used by `make deps`, `make demo`, `make check` and .ci/run.
set -e
# clang and libclang-rt-14-dev (libFuzzer, the sanitizer runtimes; only
# recommended by clang, so named here) build `make fuzz`; util-linux gives
# setpriv, with which tests run a client as another uid; nftables and
# iptables (NFQUEUE) impair a link where the kernel has no netem; GNU
# parallel runs the suite's files at once (bats --jobs) and is a row of
# `make bench`; openssh-server and openssh-client let tests/sshd.bats run
# `ssh HOST pd-serve` against a private sshd; debootstrap builds the
# pristine Debian of tests/fresh/run.sh; slurm-wlm, slurm-client and munge
# run a real private Slurm cluster for tests/slurm-real.bats (its daemons
# use their own config, started and stopped by the tests; the packages'
# services need /etc/slurm/slurm.conf, which is not written); python3-numpy
# checks the BBOB functions against a second implementation (tests/bbob.bats).
pkgs="build-essential pkg-config libevent-dev libsodium-dev libcjson-dev bats parallel mandoc iproute2 procps clang libclang-rt-14-dev util-linux systemd zsh socat gnuplot-nox nftables iptables valgrind openssh-server openssh-client debootstrap slurm-wlm slurm-client munge python3-numpy jq"
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
# The tests start their own sshd; installing the package must not start
# (nor, at boot, run) the machine's SSH service.  Debian's unit and init
# script both stand down while this file exists.
case " $missing " in
*" openssh-server "*)
	mkdir -p /etc/ssh && touch /etc/ssh/sshd_not_to_be_run
	echo "playdoh: /etc/ssh/sshd_not_to_be_run keeps this machine's own sshd off; remove it to run one" >&2 ;;
esac
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >/dev/null
