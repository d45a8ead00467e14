#!/usr/bin/env bats
# The manual pages: mandoc finds nothing to warn about, every option a
# tool's --help prints is documented in its page as `Fl x` / `Fl -xxx`, and
# every option in a page's SYNOPSIS is one that --help prints.

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
