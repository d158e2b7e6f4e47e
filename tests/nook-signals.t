#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: signals sent to nook reach the command (through nook-init); SIGCHLD
# does not; stop_timeout ends in SIGKILL; nook killed by SIGKILL leaves no
# process and no mount behind.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 20

# bg_lines: B = the lines of the background nook's stdout (no fork)
bg_lines() { mapfile -t B <"$W/bg.out"; }
# bg_has LINE: the background output has LINE
bg_has() {
	local l
	bg_lines
	for l in "${B[@]}"; do [ "$l" = "$1" ] && return 0; done
	return 1
}
# send SIG WANT: signal nook, wait until the probe reports WANT
send() {
	kill -s "$1" "$NPID" 2>/dev/null
	wait_for 10 bg_has "$2"
}
# pid_alive PID STARTTIME: the same process still exists (not a reused pid)
starttime() { local s; s=$(<"/proc/$1/stat") 2>/dev/null || return 1; s=${s##*) }; set -- $s; echo "${20}"; }
same_proc() { [ -e "/proc/$1" ] && [ "$(starttime "$1" 2>/dev/null)" = "$2" ]; }
# first_child PID: C = the first child of PID, or ""
first_child() {
	local c=
	read -r c _ <"/proc/$1/task/$1/children" 2>/dev/null
	C=$c
}

# --- forwarding: nook -> nook-init -> the command ---
start_nook "$CONF" -- /probe sigwait 30
if ! wait_for 10 bg_has ready; then
	fail "the probe started"
	skip 7 "no probe"
	diag "$(<"$W/bg.err")"
else
	pass "the probe started (sigwait)"
	for s in USR1 HUP USR2 WINCH PIPE ALRM TSTP; do
		send "$s" "$s"
	done
	bg_lines
	is "${B[*]}" "ready USR1 HUP USR2 WINCH PIPE ALRM TSTP" \
		"USR1 HUP USR2 WINCH PIPE ALRM TSTP reach the command, in order"
	is "$(_pstate "$NPID")" S "nook itself did not stop on SIGTSTP"
	kill -s RTMIN+5 "$NPID"
	wait_for 10 bg_has "$(($(kill -l RTMIN) + 5))"
	ok $? "a real-time signal (SIGRTMIN+5) reaches the command"
	kill -s CHLD "$NPID"
	send QUIT QUIT
	bg_lines
	is "${B[*]: -2}" "$(($(kill -l RTMIN) + 5)) QUIT" "SIGCHLD is not forwarded"
	send TERM TERM
	ok $? "SIGTERM reaches the command"
	wait_nook 10
	is "$RC" 0 "  which exits 0, and so does nook"
	is "$(<"$W/bg.err")" "" "  nothing on stderr"
fi
start_nook "$CONF" -- /probe sigwait 30
wait_for 10 bg_has ready
send INT INT
wait_nook 10
bg_lines
is "$RC:${B[*]}" "0:ready INT" "SIGINT reaches the command"

# --- stop_timeout: SIGKILL when the command ignores SIGTERM ---
write_conf "$W/stop.ini" <<'EOF'
[process]
stop_timeout = 1s
EOF
start_nook "$W/stop.ini" -- /bin/sh -c 'trap "" TERM; echo ready; while :; do sleep 1; done'
wait_for 10 bg_has ready
t0=$SECONDS
kill -TERM "$NPID"
wait_nook 30
is "$RC" 137 "stop_timeout = 1s: SIGTERM ignored, SIGKILL after it (137)"
[ $((SECONDS - t0)) -lt 9 ]
ok $? "  well before the default 10 s ($((SECONDS - t0)) s)"
# mode = direct: PID 1 without a handler ignores SIGTERM from outside
write_conf "$W/direct.ini" <<'EOF'
[process]
stop_timeout = 1s
[init]
mode = direct
EOF
start_nook "$W/direct.ini" -- /bin/sh -c 'echo ready; while :; do sleep 1; done'
wait_for 10 bg_has ready
kill -TERM "$NPID"
wait_nook 30
is "$RC" 137 "mode = direct: a PID 1 without a SIGTERM handler is killed after stop_timeout"

# --- what the command leaves behind is stopped by nook-init ---
write_conf "$W/orphan.ini" <<'EOF'
[init]
args = -t 1
EOF
t0=$SECONDS
run_nook "$W/orphan.ini" -- /bin/sh -c '(trap "" TERM; sleep 30) & sleep 0.2; exit 3'
is "$RC" 3 "the command's status, though it left a process ignoring SIGTERM"
[ $((SECONDS - t0)) -lt 20 ]
ok $? "  which is killed after nook-init's grace (-t 1), not waited for ($((SECONDS - t0)) s)"

# --- nook killed by SIGKILL: nothing left ---
for mode in init direct; do
	c=$CONF
	[ $mode = direct ] && c=$W/direct.ini
	start_nook "$c" -- /probe sleep 120 + echo "nook-sigkill-$$"
	# nook -> its child (nook-init, or the probe itself) -> the probe
	wait_for 10 eval 'first_child "$NPID"; [ -n "$C" ] && [ "$(readlink /proc/$C/exe 2>/dev/null)" != "$NOOK" ]'
	P1=$C
	PROBEPID=$P1
	if [ $mode = init ]; then
		wait_for 10 eval 'first_child "$P1"; [ -n "$C" ]'
		PROBEPID=$C
	fi
	wait_for 10 eval '[ "$(readlink /proc/$PROBEPID/exe 2>/dev/null)" = /probe ]'
	T1=$(starttime "$P1")
	TP=$(starttime "$PROBEPID")
	if [ -z "$P1" ] || [ -z "$PROBEPID" ] || [ -z "$TP" ]; then
		fail "[$mode] the container is running"
		skip 1 "no container"
		kill -KILL "$NPID" 2>/dev/null
		wait "$NPID" 2>/dev/null
		continue
	fi
	pass "[$mode] the container is running (pid 1: $P1, probe: $PROBEPID)"
	kill -KILL "$NPID"
	wait "$NPID" 2>/dev/null
	wait_for 10 eval '! same_proc "$P1" "$T1" && ! same_proc "$PROBEPID" "$TP"'
	ok $? "[$mode] nook killed by SIGKILL: PID 1 and the command are gone"
done
mounts_under "$ROOT" >"$W/left"
is "$(<"$W/left")" "" "no mount of the rootfs is left on the host"
# their records stay until a nook of the same name or nook ps finds them
# stale: ps removes them (and the test leaves nothing in /run/nook)
S=/run/nook/containers
"$NOOK" ps >/dev/null 2>&1
left=$(cd $S 2>/dev/null && ls -d test test@* direct direct@* 2>/dev/null | tr '\n' ' ')
is "$left" "" "nook ps removes the records the SIGKILLed nooks left"

done_testing
