#!/usr/bin/env bats
# The manual pages: mandoc finds nothing to warn about, every option a
# tool's --help prints is documented in its page as `Fl x` / `Fl -xxx`, and
# every option in a page's SYNOPSIS is one that --help prints.

bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
	bin="${B:-build}/bin"
}

# The options (-x, --xxx) in a usage text on stdin, one per line, sorted.
options_of_usage() {
	grep -oE '(^|[][ |(])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed -E 's/^[][ |(]//' | sort -u
}

# The options in the SYNOPSIS of mdoc page $1: each word after `Fl`, with a
# dash put back in front ("Fl c" is -c, "Fl -json" is --json).
options_of_synopsis() {
	awk '/^\.Sh /{ in_syn = ($2 == "SYNOPSIS") } in_syn' "$1" |
		grep -oE '(^|[ .])Fl [^ ]+' | sed -E 's/^[ .]?Fl //; s/\\//g; s/^/-/' |
		sort -u
}

# The binaries to check: every tool in $bin.
tools() {
	local f
	for f in "$bin"/pd-*; do
		[ -x "$f" ] && basename "$f"
	done
}

@test "man: mandoc -T lint -W warning is clean on every page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed (make deps installs it)"
	pages=(man/man*/*.[1-9])
	[ -e "${pages[0]}" ]
	run mandoc -T lint -W warning "${pages[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "man: every tool in the build has a page in man1" {
	[ -n "$(tools)" ] || skip "no tools in $bin; run make first"
	missing=
	for t in $(tools); do
		[ -f "man/man1/$t.1" ] || missing="$missing $t"
	done
	echo "no page for:$missing"
	[ -z "$missing" ]
}

@test "man: every option printed by --help is in the tool's page" {
	[ -n "$(tools)" ] || skip "no tools in $bin; run make first"
	bad=
	for t in $(tools); do
		page="man/man1/$t.1"
		[ -f "$page" ] || continue
		run "$bin/$t" --help
		[ "$status" -eq 0 ] || { bad="$bad $t(--help exits $status)"; continue; }
		for opt in $(printf '%s\n' "$output" | options_of_usage); do
			case $opt in
			--*) pat="Fl \\\\?-${opt#--}" ;;
			*) pat="Fl ${opt#-}" ;;
			esac
			grep -qE -e "${pat}([^A-Za-z0-9-]|\$)" "$page" || bad="$bad $t:$opt"
		done
	done
	echo "options printed by --help but missing from the page:$bad"
	[ -z "$bad" ]
}

@test "man: every option in a page's SYNOPSIS is printed by --help" {
	[ -n "$(tools)" ] || skip "no tools in $bin; run make first"
	bad=
	for t in $(tools); do
		page="man/man1/$t.1"
		[ -f "$page" ] || continue
		run "$bin/$t" --help
		[ "$status" -eq 0 ] || { bad="$bad $t(--help exits $status)"; continue; }
		help=$output
		for opt in $(options_of_synopsis "$page"); do
			printf '%s\n' "$help" | grep -qE -e "(^|[][ |(])${opt}([^A-Za-z0-9-]|\$)" ||
				bad="$bad $t:$opt"
		done
	done
	echo "options in a SYNOPSIS but not printed by --help:$bad"
	[ -z "$bad" ]
}

@test "man: every page of a tool has the standard sections" {
	bad=
	for page in man/man1/*.1; do
		for sec in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
			grep -qx "\.Sh $sec" "$page" || bad="$bad ${page##*/}:$sec"
		done
	done
	echo "missing sections:$bad"
	[ -z "$bad" ]
}

@test "man: the option checks notice a missing option" {
	# The helpers above must see every kind of option in a usage line
	# and in a SYNOPSIS, or the two tests before would pass vacuously.
	run options_of_usage <<-'EOF'
	usage: pd-x [-h] [--version] [-v]... [-p PORT] [--a | --no-a] JOB.so[:NAME]
	       pd-x --keygen
	EOF
	[ "$output" = "$(printf '%s\n' --a --keygen --no-a --version -h -p -v)" ]
	page=$BATS_TEST_TMPDIR/p.1
	printf '%s\n' '.Sh SYNOPSIS' '.Nm' '.Op Fl h' '.Oo Fl v Oc Ns ...' \
		'.Op Fl c Ar N' '.Op Fl -bar | Fl \-no-bar' '.Sh DESCRIPTION' '.Fl z' >"$page"
	run options_of_synopsis "$page"
	[ "$output" = "$(printf '%s\n' --bar --no-bar -c -h -v)" ]
}

@test "man: every page has EXIT STATUS, ENVIRONMENT, FILES and EXAMPLES" {
	pages=(man/man*/*.[1-9])
	[ "${#pages[@]}" -ge 10 ]
	bad=
	for page in "${pages[@]}"; do
		for sec in "EXIT STATUS" ENVIRONMENT FILES EXAMPLES; do
			grep -qx "\.Sh $sec" "$page" || bad="$bad ${page##*/}:$sec"
		done
	done
	echo "missing sections:$bad"
	[ -z "$bad" ]
}

# The C programs in the EXAMPLES of mdoc page $1 (literal displays that
# include playdoh.h), unescaped, written to $2/ex1.c, $2/ex2.c, ...
extract_examples() {
	awk -v dir="$2" '
		/^\.Sh / { in_ex = ($2 == "EXAMPLES") }
		in_ex && /^\.Bd -literal/ { inblk = 1; text = ""; next }
		inblk && /^\.Ed/ {
			inblk = 0
			if (text ~ /#include <playdoh.h>/) printf "%s", text > (dir "/ex" ++n ".c")
			next
		}
		inblk { text = text $0 "\n" }' "$1"
	# mdoc escapes: \e is a backslash, \& nothing, \(aq a quote, \- a dash
	sed -i 's/\\e/\\/g; s/\\&//g; s/\\(aq/'"'"'/g; s/\\-/-/g' "$2"/ex*.c
}

@test "man: the job examples in playdoh(3) compile and define every kind of job" {
	d=$BATS_TEST_TMPDIR/ex
	mkdir -p "$d"
	extract_examples man/man3/playdoh.3 "$d"
	n=$(ls "$d"/ex*.c | wc -l)
	echo "$n examples"
	[ "$n" -ge 4 ]
	for c in "$d"/ex*.c; do
		cc -std=c11 -Wall -Wextra -Werror -O2 -shared -fPIC -Ilib "$c" -o "${c%.c}.so"
		# each defines at least one job the worker will find
		nm -D --defined-only "${c%.c}.so" | grep -q ' pd_desc_'
	done
	all=$(cat "$d"/ex*.c)
	for kind in 'PD_MAP(' 'PD_MAP_WITH(' 'PD_FITNESS(' 'PD_FITNESS_BATCH(' 'PD_TASK('; do
		[[ $all == *"$kind"* ]] || { echo "no example uses $kind"; false; }
	done
}

@test "man: the map example in playdoh(3) prints what the page says" {
	d=$BATS_TEST_TMPDIR/ex
	mkdir -p "$d"
	extract_examples man/man3/playdoh.3 "$d"
	c=$(grep -l '^PD_MAP(dist)' "$d"/ex*.c)
	cc -std=c11 -O2 -shared -fPIC -Ilib "$c" -o "$d/dist.so" -lm
	# the page's session: the command, then its output lines
	cmd=$(grep '| pd-map dist.so$' man/man3/playdoh.3 | sed 's/^\$ //; s/\\e/\\/g')
	session=$(awk '/pd-map dist.so$/ { on = 1; next } on && /^\.Ed/ { exit } on' man/man3/playdoh.3)
	[ -n "$cmd" ]
	[ -n "$session" ]
	pdmap=$(cd "$bin" && pwd)/pd-map
	cd "$d"
	run --separate-stderr bash -c "${cmd/pd-map/$pdmap}"
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n' "$session" | grep -v '^pd-map:')" ]
	[ "$stderr" = "$(printf '%s\n' "$session" | grep '^pd-map:')" ]
	# and independently: hypot(3, 4) = 5 in quadrant 1, and so on
	[ "$output" = "$(printf '5 1\n1 2\n2 4')" ]
}
