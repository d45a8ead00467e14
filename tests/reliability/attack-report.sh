#!/bin/sh
# tests/reliability/attack-report.sh - issue 12's attacks for `make
# reliability-report`: runs tests/attack.bats (a local user of another uid,
# a keyless client or server, a key holder's floods and share bypasses),
# tests/attack-tubes.bats (strangers at a task node's tube listener, on
# namespace hosts) and tests/unit-fdio.bats, and prints one line per
# attack, "attack: NAME<TAB>defended|FAIL|skipped: WHY", then the figures
# the tests measured ("figure: ..."), then "attacks: P defended, F failed,
# S skipped".  Needs root for the uid switches and namespaces (those tests
# skip, saying why, without).  Exit status: 0 when none failed, else 1.
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${B:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pd-attack-report.XXXXXX") || exit 71
trap 'rm -rf "$tmp"' EXIT INT TERM
: >"$tmp/figures"
B=$B PD_ATTACK_REPORT="$tmp/figures" bats tests/attack.bats tests/attack-tubes.bats tests/unit-fdio.bats \
	>"$tmp/tap" 2>&1
rc=$?
sed -n -e 's/^ok [0-9]* \(.*\) # skip \(.*\)/attack: \1	skipped: \2/p' \
	-e '/ # skip /!s/^ok [0-9]* \(.*\)/attack: \1	defended/p' \
	-e 's/^not ok [0-9]* \(.*\)/attack: \1	FAIL/p' "$tmp/tap"
sed 's/^/figure: /' "$tmp/figures"
printf 'attacks: %d defended, %d failed, %d skipped\n' \
	"$(grep '^ok [0-9]*' "$tmp/tap" | grep -vc ' # skip ')" "$(grep -c '^not ok' "$tmp/tap")" \
	"$(grep -c '^ok [0-9]* .* # skip ' "$tmp/tap")"
if [ "$rc" -ne 0 ]; then
	echo "the failing tests' output:"
	grep -v '^ok ' "$tmp/tap" | head -n 100
	exit 1
fi
exit 0
