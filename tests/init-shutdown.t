#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init as PID 1: when the main child exits, every remaining process gets
# SIGTERM, the init waits at most the grace period (returning as soon as none
# remain), SIGKILLs the stragglers and exits with the main child's status.
. "$(dirname "$0")/lib.sh"
need_init
plan 39
STRAGGLE=$INIT_HELPERS/straggle.sh
FZOMBIE=$INIT_HELPERS/foreign_zombie.py

# shut CODE SPEC... -- INIT-OPTIONS...: run, set RC, EL (seconds from the
# main child's exit to the init's exit) and TOTAL.
shut() {
	local code=$1 specs=() t0 t1
	shift
	while [ "$1" != -- ]; do specs+=("$1"); shift; done
	shift
	rm -f "$T"/*.cleaned "$T"/*.pid "$T"/main.exit
	t0=$(now)
	TMO=40 run_init "$@" -- "$STRAGGLE" "$T" "$code" "${specs[@]}"
	t1=$(now)
	TOTAL=$(fsub "$t1" "$t0")
	if [ -s "$T/main.exit" ]; then EL=$(fsub "$t1" "$(cat "$T/main.exit")"); else EL=-1; fi
	[ -n "$ERR" ] && diag "stderr: $ERR"
}
# between LO HI DESC: $EL within [LO, HI)
between() {
	if fge "$EL" "$1" && flt "$EL" "$2"; then pass "$3"
	else fail "$3"; diag "main exit -> init exit: $EL s (total $TOTAL s), want [$1, $2)"; fi
}
cleaned() { local n; for n; do [ "$(cat "$T/$n.cleaned" 2>/dev/null)" = cleaned ] || return 1; done; }

# No stragglers: no grace wait at all.
shut 0 -- -t 30
is "$RC" 0 "no stragglers: exit 0"
between 0 5 "no stragglers: returns at once even with -t 30"

# Stragglers that exit on SIGTERM, including one in its own session and one
# with a default disposition: all of them get SIGTERM and may clean up;
# the init returns as soon as they are gone, well before -t 30.
shut 3 a:clean b:clean:setsid c:plain d:clean -- -t 30
is "$RC" 3 "stragglers exiting on SIGTERM: main child's status 3"
cleaned a; ok $? "straggler in the main child's group got SIGTERM and cleaned up"
cleaned b; ok $? "straggler in its own session got SIGTERM and cleaned up"
cleaned d; ok $? "second straggler cleaned up too"
between 0.3 10 "returns early once none remain (-t 30, well under 30 s)"

# -t 30 is a maximum, not a minimum, when the cleanup takes a while.
shut 4 s:slow -- --grace 30
is "$RC" 4 "slow (2 s) cleanup: status 4"
cleaned s; ok $? "slow cleanup allowed to finish within the grace period"
between 1.9 12 "slow cleanup: waited for it (>= 2 s), not for the whole 30 s"

# A SIGTERM-ignoring straggler is SIGKILLed after the grace period.
shut 5 i:ignore a:clean -- -t 1
is "$RC" 5 "-t 1 and a SIGTERM-ignoring straggler: still the main child's status"
cleaned a; ok $? "-t 1: the cooperative straggler cleaned up"
between 0.95 4.5 "-t 1: SIGKILL after ~1 s (not the default 5 s)"

shut 6 i:ignore -- --grace=1
is "$RC" 6 "--grace=1: status 6"
between 0.95 4.5 "--grace=1: SIGKILL after ~1 s"

NOOK_INIT_GRACE=1 shut 7 i:ignore --
is "$RC" 7 "NOOK_INIT_GRACE=1: status 7"
between 0.95 4.5 "NOOK_INIT_GRACE=1: SIGKILL after ~1 s"

shut 8 i:ignore --
is "$RC" 8 "default grace: status 8"
between 4.9 15 "default grace is 5 s"

# -t 0: no grace at all, even a cooperative-but-slow straggler is killed.
shut 9 s:slow i:ignore -- -t 0
is "$RC" 9 "-t 0: status 9"
cleaned s; ok $((!$?)) "-t 0: no time for a 2 s cleanup"
between 0 1.9 "-t 0: kills at once"

# Main child killed by a signal: 128+N survives the shutdown.
shut sigusr1 a:clean i:ignore -- -t 1
is "$RC" 138 "main child died of SIGUSR1 with stragglers around: 138"

# A straggler that starts a new process on SIGTERM.  The contract only
# promises SIGTERM to the processes there when the main child exits (the
# newcomer is SIGKILLed at the deadline); as a subreaper that is not PID 1
# the init does re-send SIGTERM to newcomers (see init-subreaper.t), so show
# whether PID 1 does too.
shut 2 r:respawn -- -t 3
is "$RC" 2 "respawning straggler: status 2"
cleaned r-2
todo_ok $? "process started during shutdown got SIGTERM too and cleaned up" "PID 1 sends SIGTERM once"
if fge "$EL" 0 && flt "$EL" 2.9; then st=0; else st=1; diag "took $EL s"; fi
todo_ok $st "respawning straggler: done before the -t 3 deadline" "PID 1 sends SIGTERM once"

# A stopped straggler cannot act on SIGTERM until it is continued: the init
# sends SIGCONT right after SIGTERM, as systemd does.
t0=$(now)
TMO=20 run_init -t 2 -- sh -c 'sleep 60 & p=$!; sleep 0.2; kill -STOP $p; exit 0'
EL=$(fsub "$(now)" "$t0")
if [ "$RC" = 0 ] && flt "$EL" 1.9; then st=0; else st=1; diag "rc=$RC, took $EL s"; fi
ok $st "stopped straggler: continued, so SIGTERM ends it before -t 2"

# Processes that entered the namespace from outside (nsenter: not the init's
# children) are "remaining processes" too: SIGTERM, waited for, SIGKILL.
ns_straggler() {	# MODE GRACE CODE
	rm -f "$T"/*.cleaned "$T"/*.pid "$T"/quit
	start_bg "$NOOK_INIT" -t "$2" -- sh -c 'while [ ! -e "$0/quit" ]; do sleep 0.1; done; exit "$1"' "$T" "$3"
	[ -n "$IPID" ] || return 1
	ns_enter -p -m -- "$STRAGGLE" "$T" straggler "n:$1" >/dev/null 2>&1 &
	NSE=$!
	wait_for 10 test -e "$T/n.pid" || return 1
	t0=$(now)
	touch "$T/quit"
	finish_bg 20
	EL=$(fsub "$(now)" "$t0")
	wait "$NSE" 2>/dev/null
}
if command -v nsenter >/dev/null 2>&1; then
	ns_straggler clean 30 3
	is "$RC" 3 "nsenter'd straggler: main child's status 3"
	cleaned n; ok $? "nsenter'd straggler got SIGTERM and cleaned up"
	between 0.3 10 "nsenter'd straggler: waited for, returned well before -t 30"
	ns_straggler ignore 1 4
	is "$RC" 4 "nsenter'd SIGTERM-ignoring straggler: status 4"
	between 0.95 8 "nsenter'd SIGTERM-ignoring straggler: SIGKILLed after ~1 s"
else
	skip 5 "nsenter not installed"
fi

# A zombie whose parent is outside the namespace (setns + fork from the
# host, never reaped there) is neither the init's to reap nor to wait for:
# it would hold the shutdown for as long as its parent pleases.  The init's
# own descendants still get SIGTERM and their grace.  The kernel holds back
# the init's exit status until that zombie is reaped, so the init's own exit
# is seen from outside through a FIFO that the init alone holds open
# (nook-init closes it in its child).
fz_run() {	# GRACE CODE NAME:MODE (one straggler of the main child)
	local name=${3%%:*} fz
	rm -f "$T"/*.cleaned "$T"/*.pid "$T"/quit "$T"/zombie "$T"/init.exit "$T"/alive
	ZOMBIE='' EL=-1 RC=-1
	mkfifo "$T/alive" || return 1
	start_bg sh -c 'exec 3<>"$0/alive"; exec "$@"' "$T" \
		"$NOOK_INIT" -t "$1" -- sh -c '"$1" "$0" straggler "$2" &
			while [ ! -e "$0/quit" ]; do sleep 0.1; done; exit "$3"' \
		"$T" "$STRAGGLE" "$3" "$2"
	[ -n "$IPID" ] || return 1
	"$PY" "$FZOMBIE" "$T" "$IPID" 30 &
	fz=$!
	wait_for 10 test -e "$T/zombie" -a -e "$T/$name.pid" || { wait "$fz"; return 1; }
	ZOMBIE=$(cat "$T/zombie")
	t0=$(now)
	touch "$T/quit"
	wait "$fz"	# until the init has exited or the zombie's 30 s are over
	[ "$(cat "$T/init.exit")" != none ] && EL=$(fsub "$(cat "$T/init.exit")" "$t0")
	finish_bg 10
}
fz_check() {	# LO HI DESC: the init's own exit within [LO, HI) of the main child's
	if fge "$EL" "$1" && flt "$EL" "$2"; then pass "$3"
	else fail "$3"; diag "main exit -> init exit: $EL s" \
		"(-1: not within the zombie's 30 s), want [$1, $2)"; fi
}
fz_run 30 3 a:clean
like "$ZOMBIE" '^[0-9]+ Z$' "foreign zombie: made in the container's PID namespace, parent outside"
is "$RC" 3 "foreign zombie: main child's status 3"
cleaned a; ok $? "foreign zombie: own straggler still got SIGTERM and cleaned up"
fz_check 0.3 8 "foreign zombie (lives 30 s, -t 30): init exits once its own are gone"
fz_run 1 4 i:ignore
like "$ZOMBIE" '^[0-9]+ Z$' "foreign zombie, -t 1: made in the container's PID namespace"
is "$RC" 4 "foreign zombie, -t 1, SIGTERM-ignoring straggler: status 4"
fz_check 0.95 8 "foreign zombie, -t 1: SIGKILL after ~1 s, no wait for the zombie"
