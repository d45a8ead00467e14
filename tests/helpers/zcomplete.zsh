#!/usr/bin/env zsh
# zcomplete.zsh FPATH_DIR LINE - what zsh's completion system offers
# for the command line LINE (completed at its end), one match per line,
# sorted.  A real interactive zsh runs in a pseudo-terminal (zsh/zpty),
# with compinit and the completion functions of FPATH_DIR; compadd is
# wrapped to print every match it is given, and the line is never run.
# The technique is that of zsh-capture-completion.  Exits 3 when zsh has
# not finished completing within 10 seconds.
zmodload zsh/zpty || exit 2
dir=$1
shift
zpty z zsh -f -i
zpty -w z "PROMPT='%% '; bindkey '^I' complete-word"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'pd-end() { print -r -- "<<E""ND>>" }; comppostfuncs=(pd-end exit)'
zpty -w z 'compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
	local -a __hits; builtin compadd -A __hits "$@"
	local h; for h in $__hits; do print -r -- "<<""M>>$h"; done; builtin compadd "$@"
}'
zpty -w -n z "$*"$'\t'
all=
for ((i = 0; i < 200; i++)); do
	while zpty -r -t z chunk; do all+=$chunk; done
	[[ $all == *'<<END>>'* ]] && break
	sleep 0.05
done
zpty -d z 2>/dev/null
[[ $all == *'<<END>>'* ]] || { print -u2 "zcomplete: no end of completion after 10 s"; exit 3; }
all=${all//$'\r'/}
print -rl -- ${(f)all} | sed -n 's/.*<<M>>//p' | sort -u
