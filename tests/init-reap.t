#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init as PID 1 reaps every zombie: an orphan storm, orphans of processes
# that entered the namespace from outside (nsenter).
. "$(dirname "$0")/lib.sh"
need_init
need_cmd nsenter
plan 8
STORM=$INIT_HELPERS/storm.py

# Control: under a PID 1 that never reaps (python waiting for its one child),
# the storm does leave zombies, so the check below can fail.
cat >"$T/lazy1.py" <<'PY'
import subprocess, sys
sys.exit(subprocess.call(sys.argv[1:]))
PY
TMO=60 in_pidns "$PY" "$T/lazy1.py" "$PY" "$STORM" 200 0.5 >"$T/out" 2>&1
like "$(cat "$T/out")" '^zombies=[1-9]' "control: a non-reaping PID 1 leaves zombies"

# Orphan storm under nook-init as PID 1.
t0=$(now)
TMO=90 run_init -- "$PY" "$STORM" 1000 15
is "$OUT" "zombies=0" "1000 double-forked orphans: no zombie left"
is "$RC" 0 "storm child's exit status"
diag "storm took $(fsub "$(now)" "$t0") s"

# Orphans whose parents live outside the namespace's process tree (nsenter).
start_bg "$NOOK_INIT" -- sh -c 'while [ ! -e "$0/quit" ]; do sleep 0.1; done; exit 5' "$T"
if [ -z "$IPID" ]; then
	fail "nsenter: init started"
	skip 4 "no init"
else
	# zombies whose parent is PID 1 (the init): the main child's own
	# short-lived sleeps are not the init's business
	nzomb() {
		ns_enter -p -m -- sh -c 'cat /proc/[0-9]*/stat 2>/dev/null' |
			sed -n 's/^[0-9]* (.*) \([A-Z]\) \([0-9]*\) .*/\1 \2/p' | grep -c '^Z 1$'
	}
	# sanity: the scanner counts a zombie that is a child of PID 1: stop the
	# init, make an orphan that exits, look, resume the init
	sig_init -STOP
	ns_enter -p -m -- sh -c '(true &)'
	sleep 0.5
	z=$(nzomb)
	sig_init -CONT
	like "$z" '^[1-9]' "sanity: zombie scanner inside the namespace works"
	ns_enter -p -m -- sh -c '
		i=0
		while [ $i -lt 50 ]; do
			(sleep 0 &)
			(sleep 0.3 &)
			i=$((i + 1))
		done'
	is "$?" 0 "nsenter: 100 orphans created inside the namespace"
	wait_for 10 eval '[ "$(nzomb)" = 0 ]'
	is "$(nzomb)" 0 "orphans of nsenter'd processes reaped by the init"
	st=$(_pstate "$IPID")
	case $st in S | R) pass "init still running" ;; *) fail "init still running"; diag "state: $st" ;; esac
	touch "$T/quit"
	finish_bg 10
	is "$RC" 5 "init exits with the child's status"
fi
