# playdoh.bash - bash completion for the Playdoh tools (pd-serve, pd-map,
# pd-task, pd-opt, pd-status, pd-alloc).  Source it from ~/.bashrc:
#
#	. /usr/local/share/playdoh/contrib/completion/playdoh.bash
#
# The options are read from each tool's own --help (once per shell), so
# they never drift from the tool: options, the words of an option that
# takes one of a few (-a cmaes|pso|ga), files for FILE arguments, host
# names from the hosts file for -H, and .so job files for the job.

# The options of the usage text on stdin, one per line: "OPT" for a flag,
# "OPT ARG" for an option that takes an argument (ARG as --help names it).
_playdoh_parse_usage() {
	awk '{
		n = split($0, w, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			t = w[i]; sub(/^[[(]+/, "", t)
			if (t !~ /^--?[A-Za-z0-9]/) continue
			bare = t; sub(/[])].*$/, "", bare)
			if (bare !~ /^--?[A-Za-z0-9][A-Za-z0-9-]*$/) continue
			arg = ""
			# an argument follows in the same group: "-c N", not "-v]..."
			if (t == bare && i < n && w[i + 1] !~ /^[-|[]/) {
				arg = w[i + 1]; sub(/[])].*$/, "", arg)
			}
			if (!(bare in seen) || arg != "") seen[bare] = arg
		}
	} END { for (o in seen) print o (seen[o] == "" ? "" : " " seen[o]) }' | sort
}

# Fill _playdoh_opts[TOOL] ("OPT[ ARG]" lines) from TOOL --help, once.
_playdoh_load() {
	declare -gA _playdoh_opts
	[ -n "${_playdoh_opts[$1]+set}" ] && return
	_playdoh_opts[$1]=$("$1" --help 2>/dev/null | _playdoh_parse_usage)
}

# The hosts named in the hosts file ($PD_HOME/hosts or ~/.config/playdoh/hosts).
_playdoh_hosts() {
	local f
	if [ -n "${PD_HOME:-}" ]; then
		f=$PD_HOME/hosts
	else
		f=${XDG_CONFIG_HOME:-$HOME/.config}/playdoh/hosts
	fi
	[ -r "$f" ] || return 0
	sed 's/#.*//' "$f" | tr ', \t' '\n\n\n' | sed '/^$/d'
}

# Complete the value of option $1 whose argument --help calls $2.
_playdoh_complete_arg() {
	local cur=$3 pre
	case $2 in
	*'|'*)
		COMPREPLY=($(compgen -W "${2//|/ }" -- "$cur"))
		;;
	HOSTS | HOST)
		# a comma-separated list: complete its last entry
		pre=
		[[ $cur == *,* ]] && pre=${cur%,*},
		COMPREPLY=($(compgen -P "$pre" -W "$(_playdoh_hosts)" -- "${cur##*,}"))
		;;
	FILE* | *FILE)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	*)
		COMPREPLY=()
		;;
	esac
}

# The completion function of every tool.
_playdoh() {
	local tool=$1 cur=${COMP_WORDS[COMP_CWORD]} prev= line opt arg
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	_playdoh_load "$tool"
	COMPREPLY=()
	# the word after an option that takes an argument
	while read -r opt arg; do
		if [ -n "$arg" ] && [ "$prev" = "$opt" ]; then
			_playdoh_complete_arg "$opt" "$arg" "$cur"
			return
		fi
	done <<<"${_playdoh_opts[$tool]}"
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(cut -d' ' -f1 <<<"${_playdoh_opts[$tool]}")" -- "$cur"))
		return
	fi
	case ${tool##*/} in
	pd-map | pd-task | pd-opt)
		# the job: shared objects, and directories to reach them
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -X '!*.so' -- "$cur") $(compgen -d -- "$cur"))
		;;
	esac
}

complete -F _playdoh pd-serve pd-map pd-task pd-opt pd-status pd-alloc
