#!/usr/bin/env zsh
# zcomplete.zsh FPATHDIR WANT WORDS...: type WORDS and a TAB into an
# interactive zsh (in a pseudo-terminal, zpty) whose fpath holds FPATHDIR,
# and print what the terminal shows until the fixed string WANT appears,
# or for 20 seconds. Exits 0 when WANT appeared. The real completion
# system runs: compinit, _arguments, the script's own functions.
zmodload zsh/zpty || exit 2
dir=$1 want=$2
shift 2
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($dir \$fpath); autoload -U compinit; compinit -u -d $TMPDIR/zcompdump.$$; setopt autolist nobeep"
zpty -w -n z "$*"$'\t'
out=
deadline=$((SECONDS + 20))
while (( SECONDS < deadline )); do
	if zpty -r -t z line; then
		out+=$line
		[[ $out == *"$want"* ]] && break
	else
		sleep 0.1
	fi
done
zpty -d z
rm -f $TMPDIR/zcompdump.$$
print -r -- "$out"
[[ $out == *"$want"* ]]
