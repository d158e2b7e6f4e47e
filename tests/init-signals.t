#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init: signal forwarding (to the child, or its process group with -g),
# SIGPWR/SIGRTMIN+3/SIGRTMIN+4 -> SIGTERM, SIGCHLD not forwarded, no signal
# kills the init early, -p parent-death signal.
. "$(dirname "$0")/lib.sh"
need_init
CATCH=$INIT_HELPERS/sigcatch.py

# Every catchable signal except SIGCHLD and the three mapped to SIGTERM.
FWD=(HUP INT QUIT ABRT USR1 USR2 PIPE ALRM TERM STKFLT CONT TSTP TTIN TTOU URG
	XCPU XFSZ VTALRM PROF WINCH IO 34 35 40 50 63 64)
# The "fault" signals, sent with kill(2) (tested last: an init that leaves
# them at SIG_DFL dies of them when it is not PID 1).
FAULT=(ILL TRAP BUS FPE SEGV SYS)
TOTERM=(PWR 37 38)
signum() { case $1 in [0-9]*) echo "$1" ;; *) kill -l "$1" ;; esac; }

# newlog: lines of $T/log after line $1
newlog() { tail -n +$(($1 + 1)) "$T/log"; }
nlines() { wc -l <"$T/log"; }

# expect_sig SIG WANT-LINES DESC: send SIG to the init, wait until the log has
# as many new lines as WANT-LINES (comma separated), compare (sorted).
expect_sig() {
	local sig=$1 want=$2 desc=$3 n got cnt
	cnt=$(tr ',' '\n' <<<"$want" | grep -c .)
	n=$(nlines)
	sig_init -n "$(signum "$sig")"
	wait_for 5 eval '[ $(($(nlines) - n)) -ge '"$cnt"' ] || ! alive'
	alive || sleep 0.2	# fail fast once the init is gone
	got=$(newlog "$n" | sort | tr '\n' ' ')
	is "$got" "$(tr ',' '\n' <<<"$want" | sed '/^$/d' | sort | tr '\n' ' ')" "$desc"
}

# alive: the init we started is still there (and not a zombie)
alive() { sig_init -0 && [ "$(_pstate "$IPID")" != Z ]; }
# bulk_expect MODE DESC SIG...: send every SIG to the init (20 ms apart),
# wait until the child logged them all, one test point per SIG (but SIGCHLD).
in_log() {	# FROM-LINE NUM...
	local from=$1 x
	shift
	for x; do grep -qx "child $x" <(newlog "$from") || return 1; done
}
bulk_expect() {
	local mode=$1 desc=$2 n s nums=()
	shift 2
	n=$(nlines)
	for s; do
		sig_init -n "$(signum "$s")"
		[ "$s" = CHLD ] || nums+=("$(signum "$s")")
		sleep 0.02
	done
	wait_for 5 eval 'in_log "$n" "${nums[@]}" || ! alive'
	alive || sleep 0.2
	for s; do
		[ "$s" = CHLD ] && continue
		grep -qx "child $(signum "$s")" <(newlog "$n")
		ok $? "[$mode] SIG$s $desc"
	done
}
reset_dir() { rm -f "$T"/log "$T"/*.ready "$T"/quit; touch "$T/log"; }
ready() { wait_for 10 test -e "$T/$1.ready"; }

# The non-PID-1 scenario: PID 1 of the namespace is this python waiter; the
# init runs as PID 2 and its exit status comes back as ours.
cat >"$T/pid1.py" <<'PY'
import subprocess, sys
rc = subprocess.call(sys.argv[1:])
if rc < 0:
    sys.stderr.write("pid1: init killed by signal %d\n" % -rc)
    rc = 128 - rc
sys.exit(rc)
PY

plan $(( 2 * (${#FWD[@]} + ${#FAULT[@]} + ${#TOTERM[@]} + 3) + 6 + 10 + 4 ))

for mode in pid1 pid2; do
	reset_dir
	if [ $mode = pid1 ]; then
		start_bg "$NOOK_INIT" -- "$PY" "$CATCH" "$T" child 7
	else
		start_bg "$PY" "$T/pid1.py" "$NOOK_INIT" -s -- "$PY" "$CATCH" "$T" child 7
	fi
	if [ -z "$IPID" ] || ! ready child; then
		n=$(( ${#FWD[@]} + ${#FAULT[@]} + ${#TOTERM[@]} + 3 ))
		fail "[$mode] init and catcher started"; skip $((n - 1)) "[$mode] no catcher"
		diag "$(cat "$T/bg.err")"
		_bg_kill "$UPID"
		continue
	fi
	# SIGCHLD goes first in the burst: it must not reach the child.
	bulk_expect "$mode" "forwarded to the child" CHLD "${FWD[@]}"
	grep -qx "child 17" "$T/log"
	ok $((!$?)) "[$mode] SIGCHLD is not forwarded"
	for s in "${TOTERM[@]}"; do
		expect_sig "$s" "child 15" "[$mode] SIG$s becomes SIGTERM for the child"
	done
	bulk_expect "$mode" "(sent with kill) forwarded to the child" "${FAULT[@]}"
	st=$(_pstate "$IPID")
	if [ "$st" = S ] || [ "$st" = R ]; then pass "[$mode] init still running after all signals"
	else fail "[$mode] init still running after all signals"; diag "state: $st"; fi
	touch "$T/quit"
	finish_bg 10
	is "$RC" 7 "[$mode] init exits with the child's status afterwards"
	[ "$RC" = 7 ] || diag "$(cat "$T/bg.err")"
	[ "$mode" = pid1 ] && { [ -s "$T/bg.err" ] && diag "stderr: $(cat "$T/bg.err")"; }
done

# --- default dispositions: the child dies of the forwarded signal -----------
for s in TERM INT HUP; do
	rm -f "$T/sleeper.ready"
	start_bg "$NOOK_INIT" -- sh -c 'touch "$0/sleeper.ready"; exec sleep 30' "$T"
	wait_for 10 test -e "$T/sleeper.ready"
	sleep 0.3	# let sh exec sleep
	sig_init -s $s
	finish_bg 10
	is "$RC" $((128 + $(kill -l $s))) "SIG$s to init kills a default child -> $((128 + $(kill -l $s)))"
done
# SIGTSTP to the init stops a default child; the init does not take that for
# an exit; SIGCONT resumes it.
start_bg "$NOOK_INIT" -- sleep 30
wait_for 10 eval '[ -n "$(cat /proc/$IPID/task/$IPID/children 2>/dev/null)" ]'
CPID=$(cat /proc/$IPID/task/$IPID/children)
CPID=${CPID%% *}
sleep 0.2
sig_init -TSTP
wait_for 5 eval '[ "$(_pstate $CPID)" = T ]'
is "$(_pstate "$CPID")" T "SIGTSTP to init stops a default child"
sleep 0.3
sig_init -CONT
wait_for 5 eval '[ "$(_pstate $CPID)" != T ]'
st="$(_pstate "$CPID")/$(alive && echo alive)"
case $st in S/alive | R/alive) pass "SIGCONT to init resumes it, init still there" ;;
*) fail "SIGCONT to init resumes it, init still there"; diag "child/init: $st" ;; esac
sig_init -TERM
finish_bg 10
is "$RC" 143 "then SIGTERM -> 143"

# --- -g: process group ------------------------------------------------------
# group_case DESC WANT-GC CMD...: CMD (env ... nook-init ... --) runs the
# catcher with a grandchild in its process group; WANT-GC non-empty: the
# grandchild must get the signals too.
group_case() {
	local desc=$1 want=$2
	shift 2
	reset_dir
	start_bg env "$@" "$PY" "$CATCH" "$T" child 0 grandchild
	if [ -z "$IPID" ] || ! ready child; then
		fail "$desc: started"; fail "$desc: started"; _bg_kill "$UPID"; return
	fi
	expect_sig USR1 "child 10${want:+,gc 10}" "$desc: SIGUSR1 reaches the child${want:+ and the grandchild}"
	if [ -n "$want" ]; then
		expect_sig USR2 "child 12,gc 12" "$desc: the grandchild also gets SIGUSR2"
	else
		sig_init -USR2
		wait_for 5 grep -qx "child 12" "$T/log"
		sleep 0.5	# give a wrongly signalled grandchild time to show up
		grep -qx "child 12" "$T/log" && ! grep -q "^gc " "$T/log"
		ok $? "$desc: SIGUSR2 reaches the child, the grandchild gets nothing"
		grep -q "^gc " "$T/log" && diag "$(cat "$T/log")"
	fi
	touch "$T/quit"
	finish_bg 10
}
group_case "no -g" "" "$NOOK_INIT" --
group_case "-g" yes "$NOOK_INIT" -g --
group_case "NOOK_INIT_KILL_PROCESS_GROUP=1" yes NOOK_INIT_KILL_PROCESS_GROUP=1 "$NOOK_INIT" --
group_case "TINI_KILL_PROCESS_GROUP=1" yes TINI_KILL_PROCESS_GROUP=1 "$NOOK_INIT" --
# SIGPWR with -g: SIGTERM to the whole group
reset_dir
start_bg "$NOOK_INIT" -g -- "$PY" "$CATCH" "$T" child 0 grandchild
if [ -n "$IPID" ] && ready child; then
	expect_sig PWR "child 15,gc 15" "-g: SIGPWR becomes SIGTERM for the whole group"
	expect_sig 37 "child 15,gc 15" "-g: SIGRTMIN+3 becomes SIGTERM for the whole group"
else
	fail "-g SIGPWR: started"; fail "-g SIGPWR: started"
fi
touch "$T/quit"
finish_bg 10

# --- -p: parent-death signal (init not PID 1; its parent exits) -------------
pdeath_case() {	# SIGSPEC WANT DESC [WAIT]
	reset_dir
	cat >"$T/pdeath.py" <<'PY'
import os, subprocess, sys, time
d, init, spec, catch = sys.argv[1:5]
args = [init] + (["-p", spec] if spec else []) + ["--", sys.executable, catch, d, "child", "0"]
mid = os.fork()
if mid == 0:
    subprocess.Popen(args)          # the init's parent is this process
    while not os.path.exists(os.path.join(d, "child.ready")):
        time.sleep(0.02)
    time.sleep(0.2)
    os._exit(0)                     # parent dies -> parent-death signal
os.waitpid(mid, 0)
while not os.path.exists(os.path.join(d, "quit")):
    time.sleep(0.05)
PY
	start_bg "$PY" "$T/pdeath.py" "$T" "$NOOK_INIT" "$1" "$CATCH"
	wait_for 10 test -e "$T/child.ready"
	wait_for "${4:-5}" eval '[ -s "$T/log" ]'
	sleep 0.3
	is "$(tr '\n' ' ' <"$T/log")" "$2" "$3"
	touch "$T/quit"
	finish_bg 10
}
pdeath_case SIGUSR1 "child 10 " "-p SIGUSR1: parent death -> SIGUSR1 forwarded to the child"
pdeath_case HUP "child 1 " "-p HUP: parent death -> SIGHUP forwarded to the child"
pdeath_case 12 "child 12 " "-p 12: parent death -> SIGUSR2 forwarded to the child"
pdeath_case "" "" "no -p: parent death sends nothing" 1
