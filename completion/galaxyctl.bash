# SPDX-License-Identifier: MIT
# Bash completion for galaxyctl and galaxy: commands, options, and the instance and service names of the current config.

_galaxyctl_commands='start stop restart graceful reload update shutdown follow list configs
instances show get status pm supervisorctl exec'
_galaxyctl_global_opts='-d --debug -c --config-file --state-dir --user --no-user --backend
--version -h --help'
_galaxy_opts='-d --debug -c --config-file --state-dir -s --single-user --quiet --version -h
--help'

_galaxyctl_command_opts()
{
	case $1 in
	start) echo '-f --foreground --quiet --help' ;;
	update) echo '--force --clean --dry-run --help' ;;
	follow) echo '--quiet --help' ;;
	list | configs | instances) echo '-v --version --help' ;;
	show | get) echo '--details --json --sample-config --help' ;;
	status) echo '--json --help' ;;
	exec) echo '-i --service-instance -n --no-exec --help' ;;
	*) echo '--help' ;;
	esac
}

# Instance names (and, with $2 = 1, service names) of the config that
# galaxyctl ($1) finds with the -c options that follow.
_galaxyctl_names()
{
	local prog=$1 services=$2 inst
	local -a insts
	shift 2
	mapfile -t insts < <("$prog" "$@" list 2>/dev/null | awk 'NR > 1 && NF >= 2 { print $1 }')
	{
		printf '%s\n' "${insts[@]}"
		[[ $services == 1 ]] || return 0
		for inst in "${insts[@]}"; do
			"$prog" "$@" show --details "$inst" 2>/dev/null |
				sed -n 's/^ *"service_name": *"\([^"]*\)".*/\1/p'
		done
	} | sort -u
}

_galaxyctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' prog=${COMP_WORDS[0]}
	local cmd='' w i names=0 opts
	local -a configs=()

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The global options before the command: the config files, and where the command is.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ -n $cmd ]] && break
		case $w in
		-c | --config-file | --state-dir | --backend | -s | --single-user)
			((i++))
			[[ ${COMP_WORDS[i]} == = ]] && ((i++))
			if [[ ($w == -c || $w == --config-file) && $i -lt $COMP_CWORD ]]; then
				configs+=(-c "${COMP_WORDS[i]/#\~/$HOME}")
			fi
			;;
		-c?*) configs+=(-c "${w#-c}") ;;
		-*) ;;
		*) cmd=$w ;;
		esac
	done
	[[ $prev == = ]] && ((COMP_CWORD > 1)) && prev=${COMP_WORDS[COMP_CWORD - 2]}
	[[ $cur == = ]] && cur=

	case $prev in
	-c | --config-file)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	--state-dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	--backend)
		mapfile -t COMPREPLY < <(compgen -W 'supervisor systemd direct' -- "$cur")
		return 0
		;;
	-s | --single-user | -i | --service-instance)
		return 0
		;;
	esac

	if [[ ${prog##*/} == galaxy ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_galaxy_opts" -- "$cur")
		return 0
	fi
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$_galaxyctl_global_opts" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$_galaxyctl_commands" -- "$cur")
		fi
		return 0
	fi
	if [[ $cur == -* ]]; then
		opts=$(_galaxyctl_command_opts "$cmd")
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return 0
	fi
	case $cmd in
	start | stop | restart | graceful | reload | follow | status | exec) names=1 ;;
	update | shutdown | show | get) names=0 ;;
	*) return 0 ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$(_galaxyctl_names "$prog" "$names" "${configs[@]}")" -- "$cur")
	return 0
}

complete -F _galaxyctl galaxyctl galaxy
