#!/bin/bash
# SPDX-License-Identifier: MIT
# The man pages are lint-clean and document every option --help lists.
. "$(dirname "$0")/lib.sh"
need_cmd mandoc
pages="init/nook-init.8 spawner/nook.1 spawner/nook-oci.1 config/nook.ini.5"
plan 8
for p in $pages; do
	out=$(mandoc -Tlint -W warning "$TOP/$p" 2>&1)
	is "$out" "" "mandoc -Tlint clean: $p"
done
missing=
for o in $("$NOOK_INIT" --help | grep -oE -- '--?[a-z][a-z-]*' | sort -u); do
	grep -qF -- "${o#-}" "$TOP/init/nook-init.8" || missing="$missing $o"
done
is "$missing" "" "nook-init(8) mentions every option of --help"
missing=
for o in $("$NOOK" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
	grep -qF -- "${o#--}" "$TOP/spawner/nook.1" || missing="$missing $o"
done
is "$missing" "" "nook(1) mentions every long option of --help"

# The key table is the one source: every [section] key that
# --print-config prints (all of them, defaults included) has its entry in
# nook.ini(5), and every key the man page documents exists.
[ -x "$NOOK" ] || { skip 2 "$NOOK not built"; done_testing; exit; }
T=$(mktemp -d) && trap 'rm -rf "$T"' EXIT
# one entry of each [mounts] kind: the section prints only what is given
printf '%s\n' '[process]' 'command = /bin/true' '[rootfs]' 'path = /' \
	'[mounts]' 'bind = /tmp:/a' 'bind_ro = /tmp:/b' 'tmpfs = /c' 'mkdir = /d' \
	'symlink = x:/e' 'file = /f:=x' >"$T/k.ini"
table=$("$NOOK" --print-config "$T/k.ini" | awk '
	/^\[/ { sec = $0; next }
	{ sub(/^# \(does not apply\) /, "") }
	/^[a-z_]+ =/ { print sec " " $1 }' | sort -u)
man=$(awk '
	/^\.Ss \[[a-z]+\]/ { sec = $2; inlist = 0; next }
	/^\.Sh / { sec = "" }
	/^\.Bl / { inlist = 1 }
	/^\.Ss / { inlist = 0 }
	sec == "[rlimits]" && !inlist && /^\.Cm [a-z]/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^[a-z_]+$/) print sec " " $i
		next }
	sec != "" && /^\.It Cm / {
		for (i = 3; i <= NF && $i != "No"; i++)
			if ($i ~ /^[a-z_]+$/) print sec " " $i }' \
	"$TOP/config/nook.ini.5" | sort -u)
undocumented=$(comm -23 <(echo "$table") <(echo "$man") | tr '\n' ' ')
unknown=$(comm -13 <(echo "$table") <(echo "$man") | tr '\n' ' ')
is "$undocumented" "" "nook.ini(5) documents every key of the key table"
is "$unknown" "" "nook.ini(5) names no key the table does not have"
done_testing
