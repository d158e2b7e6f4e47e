#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init: bad input everywhere (issue 14) - every flag missing, empty,
# huge, negative and not UTF-8; each is a usage error (exit 125, naming
# the flag) or works where that is right, never a crash or a hang.  The
# init runs only inside a fresh PID namespace, --help and --version too,
# which must not touch anything: a process beside them lives on.
. "$(dirname "$0")/lib.sh"
need_root
need_cmd unshare timeout
[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (run make)"
in_pidns true 2>/dev/null || skip_all "cannot unshare a PID namespace"

W=$(mktemp -d /tmp/init-badinput.XXXXXX) || skip_all "mktemp failed"
trap 'rm -rf "$W"' EXIT

HUGE=$(printf '%*s' 100000 '' | tr ' ' 9)
NONUTF=$'\xff\xfe\xc0'
# init ARGS: the init as PID 1 of a new PID namespace; RC, ERR, OUT
runit() {
	capture "$(printf '%q ' "$@")" unshare --pid --fork --mount-proc \
		--kill-child -- "$NOOK_INIT" "$@"
}

# bad DESC FLAG-IN-MESSAGE ARGS...: 125, "nook-init: FLAG: ..." and the
# hint, nothing run
bad() {
	local d=$1 flag=$2
	shift 2
	runit "$@"
	if [ "$RC" = 125 ] && [[ ${ERR%%$'\n'*} == "nook-init: $flag: "* ]] &&
	    [[ $ERR == *"try 'nook-init --help'" ]] && [ ! -e "$W/ran" ]; then
		pass "$d"
	else
		fail "$d"
		diag "rc=$RC (want 125)" "stderr: ${ERR:0:300}" "want: nook-init: $flag: ..."
	fi
	rm -f "$W/ran"
}

good() {	# good DESC WANT-RC ARGS...
	local d=$1 want=$2
	shift 2
	runit "$@"
	is "$RC" "$want" "$d"
	[ "$RC" = "$want" ] || diag "stderr: ${ERR:0:300}"
}

RUN=(/bin/sh -c ": >$W/ran")	# a PROGRAM that leaves a mark

plan 57

bad "no arguments" PROGRAM
bad "-- alone" -- --
bad "options but no PROGRAM" PROGRAM -s -g
bad "-e without a value" -e -e
bad "-e ''" -e -e '' "${RUN[@]}"
bad "-e -1" -e -e -1 "${RUN[@]}"
bad "-e 256" -e -e 256 "${RUN[@]}"
bad "-e huge" -e -e "$HUGE" "${RUN[@]}"
bad "-e not UTF-8" -e -e "$NONUTF" "${RUN[@]}"
bad "-e 1x" -e -e 1x "${RUN[@]}"
bad "-p without a value" -p -p
bad "-p ''" -p -p '' "${RUN[@]}"
bad "-p 0" -p -p 0 "${RUN[@]}"
bad "-p -1" -p -p -1 "${RUN[@]}"
bad "-p 65" -p -p 65 "${RUN[@]}"
bad "-p huge" -p -p "$HUGE" "${RUN[@]}"
bad "-p not UTF-8" -p -p "$NONUTF" "${RUN[@]}"
bad "-p NOSUCH" -p -p NOSUCH "${RUN[@]}"
bad "-p RTMIN+31" -p -p RTMIN+31 "${RUN[@]}"
bad "-t without a value" -t -t
bad "-t ''" -t -t '' "${RUN[@]}"
bad "-t -1" -t -t -1 "${RUN[@]}"
bad "-t 86401" -t -t 86401 "${RUN[@]}"
bad "-t huge" -t -t "$HUGE" "${RUN[@]}"
bad "-t not UTF-8" -t -t "$NONUTF" "${RUN[@]}"
bad "--grace without a value" --grace --grace
bad "--grace=" --grace --grace= "${RUN[@]}"
bad "--grace=-5" --grace --grace=-5 "${RUN[@]}"
bad "--grace=huge" --grace "--grace=$HUGE" "${RUN[@]}"
bad "--pass-fd without a value" --pass-fd --pass-fd
bad "--pass-fd=" --pass-fd --pass-fd= "${RUN[@]}"
bad "--pass-fd=2 (stdio)" --pass-fd --pass-fd=2 "${RUN[@]}"
bad "--pass-fd=-3" --pass-fd --pass-fd=-3 "${RUN[@]}"
bad "--pass-fd=65536" --pass-fd --pass-fd=65536 "${RUN[@]}"
bad "--pass-fd=huge" --pass-fd "--pass-fd=$HUGE" "${RUN[@]}"
bad "--pass-fd not UTF-8" --pass-fd "--pass-fd=$NONUTF" "${RUN[@]}"
pf=()
for ((i = 3; i < 20; i++)); do pf+=("--pass-fd=$i"); done
bad "a 17th --pass-fd" --pass-fd "${pf[@]}" "${RUN[@]}"
bad "--on-exit without a value" --on-exit --on-exit
bad "--on-exit=" --on-exit --on-exit= "${RUN[@]}"
bad "--on-exit not UTF-8" --on-exit "--on-exit=$NONUTF" "${RUN[@]}"
bad "--restart=" --restart --restart= "${RUN[@]}"
bad "--restart=sometimes" --restart --restart=sometimes "${RUN[@]}"
bad "unknown short option" -x -x "${RUN[@]}"
bad "unknown long option" --bogus --bogus "${RUN[@]}"
bad "unknown long option, huge" "--$HUGE" "--$HUGE" "${RUN[@]}"
bad "a flag given a value (--close-fds=1)" "--close-fds=1" --close-fds=1 "${RUN[@]}"

good "empty PROGRAM: not found" 127 ''
good "huge PROGRAM: cannot be run" 126 "/$HUGE"
good "PROGRAM not UTF-8: not found" 127 "/$NONUTF"
good "-sgwl and many -v work" 0 -sgwl -vvvvvvvvvvvvvvvvvvvv -- /bin/true
good "-p RTMAX-0 works" 0 -p RTMAX-0 /bin/true
good "-e 255 -e0 work" 0 -e 255 -e0 /bin/true

# --help and --version: output and exit 0, and no side effect on a
# process beside them (the shutdown path would kill(-1) it)
for a in --help -h --version; do
	timeout -k 5 30 unshare --pid --fork --mount-proc --kill-child -- \
		/bin/sh -c 'sleep 30 & s=$!; "$1" "$2" >"$3/out" 2>&1; rc=$?
			kill -0 $s && echo "alive $rc"; kill $s' sh \
		"$NOOK_INIT" "$a" "$W" >"$W/side" 2>&1 </dev/null
	ok $([ "$(<"$W/side")" = "alive 0" ] && [ -s "$W/out" ] && echo 0 || echo 1) \
		"$a: exit 0 with output, a process beside it untouched"
done

# the environment's options: a bad value is said, the default kept
timeout -k 5 30 unshare --pid --fork --mount-proc --kill-child -- \
	env NOOK_INIT_GRACE=-1 NOOK_INIT_VERBOSITY="$NONUTF" TINI_VERBOSITY="$HUGE" \
	"$NOOK_INIT" /bin/true >"$W/out" 2>"$W/err" </dev/null
RC=$?
is "$RC:$(head -n 1 "$W/err")" "0:nook-init: NOOK_INIT_GRACE: expects seconds from 0 to 86400" \
	"bad NOOK_INIT_GRACE: said, then the default; bad verbosities ignored"

is "$CRASHES" "" "no crash, no hang, no death by a signal in any of them"

done_testing
