# Sourced by a sandboxed bash (no environment, no PATH, restricted
# mode, no network) to read a Toltec recipe the way Toltec does: source
# it, then print every variable and function it defines as
# NUL-separated records Go parses (bash.go):
#   V name value            a scalar
#   A name count values...  an array
#   F name line text        a function (declare -f text)
#   E                       end of a view
# Each view (the recipe's, then each split package's) starts with the
# marker Go passes in $1, so what the recipe itself prints is skipped.
shopt -s extdebug
__kiln_base=$'\n'"$(compgen -v)"$'\n'
__kiln_dump() {
	local __n __t
	for __n in $(compgen -v); do
		case $__n in __kiln* | BASH* | FUNCNAME | PIPESTATUS | OLDPWD | _) continue ;; esac
		[[ $__kiln_base == *$'\n'"$__n"$'\n'* ]] && continue
		__t=$(declare -p "$__n")
		__t=${__t#declare -}
		if [[ ${__t%% *} == *[aA]* ]]; then
			eval "printf 'A\0%s\0%s\0' \"\$__n\" \"\${#$__n[@]}\"; ((\${#$__n[@]})) && printf '%s\0' \"\${$__n[@]}\""
		else
			printf 'V\0%s\0%s\0' "$__n" "${!__n}"
		fi
	done
	for __n in $(compgen -A function); do
		case $__n in __kiln*) continue ;; esac
		__t=$(declare -F "$__n")
		__t=${__t#"$__n "}
		printf 'F\0%s\0%s\0%s\0' "$__n" "${__t%% *}" "$(declare -f "$__n")"
	done
	printf 'E\0'
}
__kiln_mark=$1
cd "$2" || exit 1
shopt -u sourcepath
set -r
. recipe
printf '\0%s\0' "$__kiln_mark"
__kiln_dump
for __kiln_p in "${pkgnames[@]}"; do
	[[ $(type -t "$__kiln_p") == function ]] || continue
	("$__kiln_p"
	printf '\0%s\0' "$__kiln_mark"
	__kiln_dump)
done
