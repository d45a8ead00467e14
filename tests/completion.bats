#!/usr/bin/env bats
# contrib/completion: bash completion offers each tool's options exactly as
# its --help lists them, option values, host names and job files; the zsh
# completion parses, and offers the same options.

load helpers/common

BASH_COMP=contrib/completion/playdoh.bash
ZSH_COMP=contrib/completion/_playdoh
TOOLS="pd-serve pd-map pd-task pd-opt pd-status pd-alloc"

setup() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
	TOP=$PWD
	pd_setup
	export PATH="$B/bin:$PATH"
}

teardown() {
	pd_teardown
}

# The options (-x, --xxx) in tool $1's --help, one per line, sorted: the
# same reading of a usage text as tests/man.bats, independent of the
# completion's own parser.
help_options() {
	"$1" --help | grep -oE '(^|[][ |(])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed -E 's/^[][ |(]//' | sort -u
}

# complete WORD...: run the bash completion for the command line WORD...
# (the last word is the one being completed) in a fresh bash, and print
# COMPREPLY, one per line, sorted.
complete_bash() {
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_playdoh "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" | sort' sh "$TOP/$BASH_COMP" "$@"
}

@test "completion: bash offers exactly the options --help lists, for every tool" {
	bad=
	for t in $TOOLS; do
		want=$(help_options "$t")
		[ -n "$want" ]
		got=$(complete_bash "$t" -)
		[ "$got" = "$want" ] || bad="$bad $t"
		if [ "$got" != "$want" ]; then
			echo "$t: diff (< --help, > completion):"
			diff <(echo "$want") <(echo "$got") || true
		fi
		# and only the long ones after --
		got=$(complete_bash "$t" --)
		[ "$got" = "$(grep -- '^--' <<<"$want")" ] || bad="$bad $t(--)"
	done
	[ -z "$bad" ]
}

@test "completion: bash offers the words of an option that takes one of a few" {
	run complete_bash pd-opt -a ""
	[ "$output" = "$(printf '%s\n' cmaes ga pso)" ]
	run complete_bash pd-opt --pso-rule c
	[ "$output" = classic ]
	# an option with a number takes no completion from the file system
	cd "$T" && touch 5.so
	run complete_bash pd-map -c ""
	[ -z "$output" ]
}

@test "completion: bash completes -H from the hosts file, entry by entry" {
	printf '%s\n' '# the lab' 'lab1, lab2   # desktops' 'bigbox:2719' '' 'lab10' >"$PD_HOME/hosts"
	run complete_bash pd-map -H lab
	[ "$output" = "$(printf '%s\n' lab1 lab10 lab2)" ]
	run complete_bash pd-status -H big
	[ "$output" = bigbox:2719 ]
	run complete_bash pd-map -H lab1,b
	[ "$output" = lab1,bigbox:2719 ]
	rm "$PD_HOME/hosts"
	run complete_bash pd-map -H ""
	[ -z "$output" ]
}

@test "completion: bash offers .so files and directories for the job, files for FILE" {
	cd "$T"
	mkdir jobs
	touch a.so b.so notes.txt jobs/c.so
	for t in pd-map pd-task pd-opt; do
		run complete_bash "$t" -c 2 ""
		[ "$output" = "$(printf '%s\n' a.so b.so h jobs)" ]
		run complete_bash "$t" jobs/
		[ "$output" = jobs/c.so ]
	done
	run complete_bash pd-map --joblog n
	[ "$output" = notes.txt ]
	run complete_bash pd-serve --port-file ""
	[ "$output" = "$(printf '%s\n' a.so b.so h jobs notes.txt)" ]
	# pd-status and pd-alloc take no job file
	run complete_bash pd-alloc ""
	[ -z "$output" ]
}

@test "completion: bash registers the function for all six tools" {
	run bash -c 'source "$1"; complete -p' sh "$BASH_COMP"
	for t in $TOOLS; do
		grep -qx -- "complete -F _playdoh $t" <<<"$output"
	done
}

# Skip unless zsh is installed and can open a pseudo-terminal (zpty).
need_zsh_pty() {
	command -v zsh >/dev/null || skip "zsh is not installed (make deps installs it)"
	zsh -fc 'zmodload zsh/zpty && zpty t true && zpty -d t' 2>/dev/null ||
		skip "zsh cannot open a pseudo-terminal here (zsh/zpty)"
}

# complete_zsh LINE: the matches a real interactive zsh offers for LINE.
complete_zsh() {
	timeout -k 5 30 zsh "$TOP/tests/helpers/zcomplete.zsh" "$TOP/contrib/completion" "$1"
}

@test "completion: zsh parses _playdoh, which names all six tools" {
	command -v zsh >/dev/null || skip "zsh is not installed (make deps installs it)"
	zsh -n "$ZSH_COMP"
	[ "$(head -1 "$ZSH_COMP")" = "#compdef $TOOLS" ]
}

@test "completion: zsh offers exactly the options --help lists, for every tool" {
	need_zsh_pty
	bad=
	for t in $TOOLS; do
		want=$(help_options "$t")
		got=$(complete_zsh "$t -")
		if [ "$got" != "$want" ]; then
			bad="$bad $t"
			echo "$t: diff (< --help, > zsh):"
			diff <(echo "$want") <(echo "$got") || true
		fi
	done
	[ -z "$bad" ]
}

@test "completion: zsh offers option words, hosts and .so job files" {
	need_zsh_pty
	cd "$T"
	mkdir jobs
	touch a.so b.so notes.txt jobs/c.so
	printf '%s\n' 'lab1, lab2   # desktops' 'bigbox:2719' >"$PD_HOME/hosts"
	run complete_zsh "pd-opt -a "
	[ "$output" = "$(printf '%s\n' cmaes ga pso)" ]
	run complete_zsh "pd-map -H lab"
	[ "$output" = "$(printf '%s\n' lab1 lab2)" ]
	run complete_zsh "pd-status -H lab1,b"
	[ "$output" = bigbox:2719 ]
	run complete_zsh "pd-map -c 2 "
	[ "$output" = "$(printf '%s\n' a.so b.so h jobs)" ]
	run complete_zsh "pd-opt jobs/"
	[ "$output" = c.so ]
	run complete_zsh "pd-map --joblog n"
	[ "$output" = notes.txt ]
}
