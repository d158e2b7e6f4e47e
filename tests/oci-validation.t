#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-oci against the OCI validation programs (tests/helpers/oci/
# validation.sh: Go programs on runtime-tools' libraries, in the manner of
# runtime-tools' validation/ suite).  One point per program.  A program
# listed in tests/helpers/oci/validation-known.txt ("NAME reason...") is a
# "# TODO reason" point: its failure is expected, its pass is reported by
# prove as unexpectedly succeeded (then take it off the list).  Everything
# not listed must pass.  runc's and crun's totals, when they are installed,
# are printed as comments beside nook-oci's.
. "$(dirname "$0")/lib.sh"
need_root
need_busybox
OCI=$BUILD/nook-oci
[ -x "$OCI" ] || skip_all "$OCI not built (run make)"
command -v go >/dev/null 2>&1 || skip_all "go not installed (golang-go)"
[ -d /usr/share/gocode/src/github.com/opencontainers/runtime-tools/generate ] ||
	skip_all "runtime-tools source not installed (golang-github-opencontainers-runtime-tools-dev)"
V=$TOP/tests/helpers/oci/validation.sh
KNOWN=${OCI_VALIDATION_KNOWN:-$TOP/tests/helpers/oci/validation-known.txt}
export OCI_VALIDATION_DIR=${OCI_VALIDATION_DIR:-$BUILD/oci-validation}
# per program, and for each runtime's whole run: a hanging runtime fails
# its points, not the suite's time
export OCI_VALIDATION_TIMEOUT=${OCI_VALIDATION_TIMEOUT:-30}
export OCI_VALIDATION_BUDGET=${OCI_VALIDATION_BUDGET:-180}

# the programs are part of the test: one that does not build fails
if ! err=$("$V" --build 2>&1); then
	plan 1
	fail "the validation programs build"
	diag "$err"
	exit 1
fi
mapfile -t names < <("$V" --list)
plan ${#names[@]}

declare -A known=()
while read -r n why; do
	case $n in '' | '#'*) continue ;; esac
	known[$n]=${why:-known failure}
done <"$KNOWN"
for n in "${!known[@]}"; do
	printf '%s\n' "${names[@]}" | grep -qx -- "$n" ||
		diag "validation-known.txt: $n: no such program"
done

t0=$SECONDS
total=$("$V" -q "$OCI" 2>&1 | tail -1)
diag "nook-oci: ${total#*: nook-oci: } ($((SECONDS - t0))s)"
for rt in runc crun; do
	command -v "$rt" >/dev/null 2>&1 || continue
	t0=$SECONDS
	total=$("$V" -q "$rt" 2>&1 | tail -1)
	diag "$rt: ${total#*: $rt: } ($((SECONDS - t0))s)"
done

RES=$OCI_VALIDATION_DIR/results/nook-oci
for n in "${names[@]}"; do
	read -r _ v points < <(grep -m1 "^$n " "$RES/summary" 2>/dev/null)
	v=${v:-fail}
	desc="$n ($points points)"
	if [ -n "${known[$n]:-}" ]; then
		[ "$v" = fail ] && st=1 || st=0
		todo_ok "$st" "$desc" "${known[$n]}"
	elif [ "$v" = skip ]; then
		skip 1 "$n: $(grep -m1 'SKIP' "$RES/$n.tap" | sed 's/.*# SKIP //')"
	else
		[ "$v" = pass ]
		ok $? "$desc"
		if [ "$v" != pass ]; then
			diag "$(grep -A3 '^not ok' "$RES/$n.tap" | head -12)"
		fi
	fi
done
done_testing
