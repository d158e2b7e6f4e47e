#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init under storms: the main child exits while signals pour in (issue
# 14: the init reaped only on SIGCHLD, which the kernel hands over after
# every pending lower-numbered signal), an orphan storm with no zombie left
# and bounded init CPU, a storm of mixed signals that the child sees, the
# main child exiting during an orphan storm.  10,000 orphans and signals by
# default, 100,000 with NOOK_LONG=1.
. "$(dirname "$0")/lib.sh"
need_init
need_cmd cc od
plan 14

N=10000
[ "${NOOK_LONG:-0}" = 1 ] && N=100000
STORM=$T/storm
cc -O2 -o "$STORM" "$INIT_HELPERS/storm.c" 2>"$T/cc.err" ||
	skip_all "cannot build tests/helpers/init/storm.c: $(head -1 "$T/cc.err")"

# child_ready FILE: the storm child has blocked its signals
child_ready() {
	[ "$(od -An -tu4 -j4 -N4 "$1" 2>/dev/null | tr -d ' ')" = 1 ]
}

# sigcount FILE SIG: how many SIG the storm child counting in FILE has taken
sigcount() {
	od -An -tu8 -j$((8 + 8 * $2)) -N8 "$1" 2>/dev/null | tr -d ' '
}

# 1. The main child exits while signals wait in front of its SIGCHLD (issue
# 14).  The kernel hands over a thread's own pending signals first, then the
# lowest-numbered: the init stopped, the child exits, 20,000 realtime
# signals are queued for the init's thread, the init resumes.  It must
# notice the exit at its first wake-up: the old init forwarded all 20,000
# (with -g, to the child's group, where a second process counts them)
# before it read SIGCHLD.  Deterministic: no race with a sender.
start_bg "$NOOK_INIT" -g -t 1 -- sh -c \
	'"$0" child "$1" 0 & exec "$0" idle "$2" 7' "$STORM" "$T/m0" "$T/c0"
kid=
[ -n "$IPID" ] && wait_for 10 child_ready "$T/c0" &&
	wait_for 10 child_ready "$T/m0" &&
	kid=$(cat "/proc/$IPID/task/$IPID/children" 2>/dev/null)
if [ -z "$kid" ] || ! sig_init -STOP; then
	fail "queued signals: init and child started"
	skip 2 "no init"
else
	wait_for 10 eval '[ "$(_pstate "$IPID")" = T ]'
	"$STORM" quit "$T/c0"
	wait_for 10 eval '[ "$(_pstate "$kid")" = Z ]'
	q=$("$STORM" tgkill "$IPID" 40 20000)
	sig_init -CONT
	finish_bg 30
	is "$RC" 7 "queued signals: init exits with the child's status"
	n=$(sigcount "$T/m0" 40)
	if [ -n "$n" ] && [ "$n" -lt 100 ] && [ "${q#queued=}" -ge 1000 ]; then
		pass "queued signals: child's exit seen before the queue was done"
	else
		fail "queued signals: child's exit seen before the queue was done"
	fi
	diag "$q realtime signals in front of SIGCHLD;" \
		"${n:-?} forwarded before the init noticed the child's exit"
fi

# 2. The main child exits during a storm of signals below SIGCHLD: the init
# must notice while the storm goes on.
start_bg "$NOOK_INIT" -- "$STORM" idle "$T/c1" 7
if [ -z "$IPID" ] || ! wait_for 10 child_ready "$T/c1"; then
	fail "low-signal storm: init and child started"
	skip 2 "no init"
else
	"$STORM" signals "$IPID" - 0 20 1,10,12,13,14 >"$T/s1" 2>&1 &
	spid=$!
	sleep 1
	t0=$(now)
	"$STORM" quit "$T/c1"
	finish_bg 30
	t1=$(now)
	wait "$spid"
	is "$RC" 7 "low-signal storm: init exits with the child's status"
	like "$(cat "$T/s1")" 'stopped=gone' \
		"low-signal storm: init exits while the storm still runs"
	diag "HUP/USR1/USR2/PIPE/ALRM storm: $(cat "$T/s1");" \
		"init gone $(fsub "$t1" "$t0") s after the child was told to exit"
	like "$(cat "$T/s1")" '^sent=[0-9]{4,}' \
		"low-signal storm: thousands of signals sent"
fi

# 3. N mixed signals, as fast as they go, while the child runs: the init
# survives and forwards them.  Ordinary signals may merge while pending
# (POSIX), so each kind must arrive at least once, and one sent after the
# storm must arrive too; realtime signals are queued, and the sender keeps
# at most 256 in flight (far below RLIMIT_SIGPENDING), so every one must.
SIGS=1,2,3,10,12,13,14,15,18,20,23,28,34,35,40,50,64
start_bg "$NOOK_INIT" -- "$STORM" child "$T/c2" 0
if [ -z "$IPID" ] || ! wait_for 10 child_ready "$T/c2"; then
	fail "mixed storm: init and child started"
	skip 3 "no init"
else
	timeout 300 "$STORM" signals "$IPID" "$T/c2" "$N" 240 "$SIGS" \
		>"$T/s2" 2>&1
	first=$(head -1 "$T/s2")
	like "$first" "^sent=$N .*stopped=count" "mixed storm: $N signals sent"
	st=$(_pstate "$IPID")
	case $st in
	S | R) pass "mixed storm: init survives" ;;
	*) fail "mixed storm: init survives"; diag "state: $st" ;;
	esac
	bad=$(awk '/^kind/ && ($6 < 1 || $8 != 1 || ($2 >= 34 && $4 != $6))' "$T/s2")
	is "$bad" "" "mixed storm: each kind seen, the last one too, no realtime signal lost"
	diag "mixed storm: $first"
	diag "$(awk '/^kind/ { printf "%s%s sent %s got %s", sep, $2, $4, $6; sep = "; " }' "$T/s2")"
	"$STORM" quit "$T/c2"
	finish_bg 30
	is "$RC" 0 "mixed storm: init exits with the child's status"
fi

# 4. N orphans: every one reaped, at a bounded CPU cost for the init
# (generous: tini and nook-init take some microseconds each).
TMO=600 run_init -- "$STORM" orphans "$N" 120
like "$OUT" "^orphans=$N left=0 " "orphan storm: $N orphans reaped, no zombie left"
is "$RC" 0 "orphan storm: init exits with the child's status"
ticks=$(printf '%s' "$OUT" | sed -n 's/.*init_ticks=\([0-9-]*\).*/\1/p')
ns=$(printf '%s' "$OUT" | sed -n 's/.*init_cpu_ns=\([0-9-]*\).*/\1/p')
hz=$(getconf CLK_TCK)
us=$(awk -v t="${ticks:--1}" -v hz="$hz" -v n="$N" \
	'BEGIN { printf "%.1f", t < 0 ? -1 : t * 1e6 / hz / n }')
us_ns=$(awk -v c="${ns:--1}" -v n="$N" \
	'BEGIN { printf "%.2f", c < 0 ? -1 : c / 1e3 / n }')
diag "orphan storm: $OUT" \
	"init CPU per orphan: $us us (/proc/1/stat), $us_ns us (/proc/1/schedstat)"
if [ -n "$ticks" ] && [ "$ticks" -ge 0 ] && flt "$us" 1000; then
	pass "orphan storm: init CPU under 1 ms per orphan"
else
	fail "orphan storm: init CPU under 1 ms per orphan"
fi

# 5. The main child exits during an orphan storm: the init stops the rest
# (the orphan maker too) and exits with the child's status.
t0=$(now)
TMO=60 run_init -- sh -c '"$0" orphans 0 & sleep 1; exit 9' "$STORM"
is "$RC" 9 "orphan storm: child exits during it, init exits with its status"
diag "init gone $(fsub "$(now)" "$t0") s after start (child exited after 1 s)"

# 6. Both at once: low signals pour in while orphans are made and the child
# exits.
start_bg "$NOOK_INIT" -- sh -c '"$0" orphans 0 & exec "$0" idle "$1" 3' "$STORM" "$T/c5"
if [ -z "$IPID" ] || ! wait_for 10 child_ready "$T/c5"; then
	fail "both storms: init and child started"
else
	"$STORM" signals "$IPID" - 0 20 1,10,12,13,14 >"$T/s5" 2>&1 &
	spid=$!
	sleep 1
	"$STORM" quit "$T/c5"
	finish_bg 30
	wait "$spid"
	is "$RC" 3 "both storms: init exits with the child's status"
	diag "both storms: $(cat "$T/s5")"
fi
done_testing
