#!/bin/bash
# SPDX-License-Identifier: MIT
# The man pages are lint-clean and document every option --help lists.
. "$(dirname "$0")/lib.sh"
need_cmd mandoc
pages="init/nook-init.8 spawner/nook.1 config/nook.ini.5"
plan 5
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
done_testing
