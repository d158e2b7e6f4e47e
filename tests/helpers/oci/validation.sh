#!/bin/bash
# SPDX-License-Identifier: MIT
# validation.sh - the OCI validation programs (tests/helpers/oci/validation,
# Go, on runtime-tools' packaged libraries) against one runtime.
#
#   validation.sh [-q] RUNTIME [NAME...]   run the programs (all by default)
#   validation.sh --build                  only build; exit 2 when it cannot
#   validation.sh --list                   the program names
#
# RUNTIME is a runc-like binary (a path, or a name in PATH).  The programs
# are built once into $OCI_VALIDATION_DIR (default $BUILD/oci-validation,
# BUILD = NOOK_BUILD or build/) with Debian's golang-go and golang-*-dev
# sources, offline (GOPATH mode, GO111MODULE=off); they are rebuilt when a
# source is newer than the binary.  Each program runs bounded by
# OCI_VALIDATION_TIMEOUT seconds (default 60); its TAP is kept in
# $OCI_VALIDATION_DIR/results/LABEL/NAME.tap and its verdict in
# .../LABEL/summary ("NAME pass|fail|skip POINTS-PASSED/POINTS").  Prints a
# line per program and the total:
#   oci validation: LABEL: P passed, F failed, S skipped of N
# -q prints only the total.  Exit 0 when nothing failed, 1 when something
# did, 2 when the programs cannot be built (the reason on stderr).
# OCI_VALIDATION_BUDGET (seconds, default none) bounds the whole run: the
# programs not started by then fail as "not run".
# OCIV_LIFECYCLE=run (passed through) starts the in-container checks with
# `run` instead of create + start.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
BUILD=${NOOK_BUILD:-$TOP/build}
DIR=${OCI_VALIDATION_DIR:-$BUILD/oci-validation}
SRC=$HERE/validation
BIN=$DIR/oci-validate
GOSRC=/usr/share/gocode
TMO=${OCI_VALIDATION_TIMEOUT:-60}
export LC_ALL=C

# build: the binary, unless it is newer than every source file.  Static
# (CGO_ENABLED=0): the same file is the checker inside the containers.
build() {
	if [ -x "$BIN" ] && [ -z "$(find "$SRC" -name '*.go' -newer "$BIN")" ]; then
		return 0
	fi
	command -v go >/dev/null 2>&1 ||
		{ echo "validation.sh: go not installed (golang-go)" >&2; return 2; }
	[ -d "$GOSRC/src/github.com/opencontainers/runtime-tools/generate" ] ||
		{ echo "validation.sh: runtime-tools source missing" \
			"(golang-github-opencontainers-runtime-tools-dev)" >&2; return 2; }
	mkdir -p "$DIR" || return 2
	if ! (cd "$SRC" && env GO111MODULE=off GOPATH="$GOSRC" GOFLAGS= \
	    GOCACHE="$DIR/gocache" CGO_ENABLED=0 \
	    go build -o "$BIN.new" . ) >"$DIR/build.log" 2>&1; then
		echo "validation.sh: go build failed:" >&2
		cat "$DIR/build.log" >&2
		return 2
	fi
	mv "$BIN.new" "$BIN"
}

# find_busybox: a static busybox for the rootfs (what tests/lib.sh takes)
find_busybox() {
	local b
	for b in "${NOOK_BUSYBOX:-}" /bin/busybox /usr/bin/busybox \
	    /usr/lib/busybox/busybox; do
		[ -n "$b" ] && [ -x "$b" ] && ! readelf -lW "$b" 2>/dev/null |
			grep -q 'program interpreter' && { echo "$b"; return 0; }
	done
	return 1
}

quiet=
case ${1:-} in
--build) build; exit ;;
--list) build || exit; "$BIN" list; exit ;;
-q) quiet=1; shift ;;
esac
[ $# -ge 1 ] || { sed -n '3,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
RT=$(command -v "$1") || { echo "validation.sh: $1: not found" >&2; exit 2; }
case $RT in /*) ;; *) RT=$PWD/$RT ;; esac
LABEL=$(basename "$1")
shift
build || exit
BB=$(find_busybox) || { echo "validation.sh: no static busybox (busybox-static)" >&2; exit 2; }
if [ $# -gt 0 ]; then names=("$@"); else mapfile -t names < <("$BIN" list); fi

RES=$DIR/results/$LABEL
WORK=$(mktemp -d /tmp/oci-validation.XXXXXX) || exit 2
chmod 755 "$WORK"
# mounts_under DIR: the mount points below DIR in the host's namespace,
# deepest first (a runtime that leaked a mount there)
mounts_under() {
	awk -v d="$1" 'index($5, d) == 1 { print length($5), $5 }' /proc/self/mountinfo |
		sort -rn | cut -d' ' -f2-
}
# the work dir goes only after what is mounted below it: never remove
# files through a leaked bind mount
trap 'mounts_under "$WORK/" | xargs -r -n1 umount -l 2>/dev/null
	rm -rf --one-file-system "$WORK"' EXIT
mkdir -p "$RES" && rm -f "$RES"/*.tap "$RES/summary"
# leftovers DIR ID-PREFIX: the pids of processes whose command line names
# DIR (a runtime's own processes that the program's delete did not end)
# or that are in a cgroup named after one of the program's container ids
# (the containers': runc, crun and nook-oci name them so).  The patterns
# come from a file, so grep does not find itself.  Zombies are not
# counted: they are dead, waiting for the host's init to reap them.
leftovers() {
	local pid st
	printf '%s\n' "$1" >"$WORK/pattern"
	printf '%s\n' "$2" >"$WORK/pattern-cg"
	{
		grep -alsFf "$WORK/pattern" /proc/[0-9]*/cmdline
		grep -lsFf "$WORK/pattern-cg" /proc/[0-9]*/cgroup
	} | while IFS=/ read -r _ _ pid _; do
		st=$(ps -o stat= -p "$pid") && [ "${st#Z}" = "$st" ] && echo "$pid"
	done | sort -u
}

pass=0 failed=0 skipped=0
start=$SECONDS
for n in "${names[@]}"; do
	if [ -n "${OCI_VALIDATION_BUDGET:-}" ] &&
	    [ $((SECONDS - start)) -ge "$OCI_VALIDATION_BUDGET" ]; then
		echo "not ok - not run: the budget of ${OCI_VALIDATION_BUDGET}s is spent" >"$RES/$n.tap"
		echo "$n fail 0/0" >>"$RES/summary"
		failed=$((failed + 1))
		[ -n "$quiet" ] || echo "$n fail (not run: budget spent)"
		continue
	fi
	# each program in a dir of its own below WORK, the runtime's cwd; the
	# runtime's state in WORK/root (--root), not in /run
	t0=${EPOCHREALTIME/./}
	(cd "$WORK" && RUNTIME=$RT OCIV_WORK=$WORK OCIV_ROOT=$WORK/root \
		OCIV_BUSYBOX=$BB timeout -k 30 "$TMO" "$BIN" "$n") \
		>"$RES/$n.tap" 2>"$RES/$n.err" </dev/null
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	[ "$rc" = 124 ] || [ "$rc" = 137 ] &&
		echo "not ok - timed out after ${TMO}s" >>"$RES/$n.tap"
	# a container or runtime process left behind fails the program and is
	# killed (by pid) so that the next one starts clean; so are the cgroups
	# of the cgroupsPath programs when the runtime left them
	left=$(leftovers "$WORK/$n/" "ociv-${n//_/-}-")
	if [ -n "$left" ]; then
		echo "not ok - left $(wc -w <<<"$left") processes behind (killed):" \
			$left >>"$RES/$n.tap"
		ps -o pid,stat,args -p "$(echo $left | tr ' ' ,)" >>"$RES/$n.err"
		kill -KILL $left 2>/dev/null
		rc=1
	fi
	mnts=$(mounts_under "$WORK/$n/")
	if [ -n "$mnts" ]; then
		echo "not ok - left mounts behind (unmounted):" $mnts >>"$RES/$n.tap"
		printf '%s\n' "$mnts" | xargs -r -n1 umount -l 2>/dev/null
		rc=1
	fi
	cgs=$(ls -d /sys/fs/cgroup/*/*"ociv-${n//_/-}"-* 2>/dev/null)
	if [ -n "$cgs" ]; then
		echo "not ok - left cgroups behind (removed):" $cgs >>"$RES/$n.tap"
		for i in 1 2 3 4 5 6 7 8 9 10; do
			rmdir $cgs 2>/dev/null
			cgs=$(ls -d $cgs 2>/dev/null) && [ -n "$cgs" ] || break
			sleep 0.2
		done
		rc=1
	fi
	ok=$(grep -c '^ok ' "$RES/$n.tap")
	skips=$(grep -c '^ok .*# SKIP' "$RES/$n.tap")
	total=$(grep -Ec '^(not )?ok ' "$RES/$n.tap")
	if [ "$rc" = 0 ] && [ "$total" -gt 0 ] && [ "$skips" = "$total" ] ||
	    grep -q '^1\.\.0 # SKIP' "$RES/$n.tap"; then
		v=skip skipped=$((skipped + 1))
	elif [ "$rc" = 0 ] && [ "$total" -gt 0 ] && ! grep -q '^not ok' "$RES/$n.tap"; then
		v=pass pass=$((pass + 1))
	else
		v=fail failed=$((failed + 1))
	fi
	rm -rf --one-file-system "${WORK:?}/$n"
	echo "$n $v $ok/$total" >>"$RES/summary"
	if [ -z "$quiet" ]; then
		printf '%-30s %-4s %3s points of %3s %6d ms' "$n" "$v" "$ok" "$total" "$ms"
		[ "$v" = fail ] && printf ' - first failure: %s' \
			"$(grep -m1 '^not ok' "$RES/$n.tap" | cut -c1-100)"
		echo
	fi
done
echo "oci validation: $LABEL: $pass passed, $failed failed, $skipped skipped of ${#names[@]}"
[ "$failed" = 0 ]
