# bash completion for sockstep(1): options, lesson names, files.
# Installed as bash-completion/completions/sockstep.

# Lists the lessons sockstep finds (shipped, SOCKSTEP_LESSONS, the user's).
_sockstep_lessons()
{
	"${1:-sockstep}" -c lessons 2>/dev/null |
	    awk '/^  [^ ]/ { print $1 }'
}

_sockstep()
{
	local cur prev words cword i mode=
	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	case $prev in
	--color | --colour)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
		return ;;
	--host)
		COMPREPLY=($(compgen -W 'alpha beta' -- "$cur"))
		return ;;
	--record)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	-c | --command | -D | --var | --delay | --timeout)
		return ;;
	esac

	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
		if [[ $prev == --color || $prev == --colour ]]; then
			COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
		elif [[ $prev == --host ]]; then
			COMPREPLY=($(compgen -W 'alpha beta' -- "$cur"))
		fi
		return
	fi

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--command= --no-notes --color=
		    --hex --play --step --check --quiz --var= --delay
		    --timeout --no-partner --record --force --lab --host= --capture --verbose
		    --help --version -c -n -D -v -h -V' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi

	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--play | --step | --check | --quiz) mode=lesson ;;
		esac
	done
	compopt -o filenames 2>/dev/null
	if [[ $mode == lesson ]]; then
		COMPREPLY=($(compgen -W "$(_sockstep_lessons "${words[0]}")" \
		    -- "$cur") $(compgen -f -X '!*.lesson' -- "$cur")
		    $(compgen -d -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _sockstep sockstep
