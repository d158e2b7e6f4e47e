#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init when it is not PID 1 (PID 2+ of a namespace whose PID 1 never
# reaps): -s / NOOK_INIT_SUBREAPER / TINI_SUBREAPER make it the subreaper of
# its descendants, it never kill(-1)s, and with -s it terminates only its own
# descendants on exit (SIGTERM, grace, SIGKILL) until none remain.
. "$(dirname "$0")/lib.sh"
need_init
plan 31
NSRUN=$INIT_HELPERS/nsrun.py
STRAGGLE=$INIT_HELPERS/straggle.sh

# as_pid2 ARGS...: nook-init ARGS as PID 2 under nsrun.py; $OUT is the
# command's output and nsrun's summary line.
as_pid2() {
	rm -f "$T"/*.pid "$T"/*.cleaned "$T"/main.exit
	in_pidns "$PY" "$NSRUN" "$T" "$NOOK_INIT" "$@" >"$T/out" 2>"$T/err" </dev/null
	OUT=$(cat "$T/out")
}
field() { tr ' ' '\n' <<<"$OUT" | sed -n "s/^$1=//p" | tail -n 1; }
cleaned() { local n; for n; do [ "$(cat "$T/$n.cleaned" 2>/dev/null)" = cleaned ] || return 1; done; }

# --- who becomes the subreaper ----------------------------------------------
as_pid2 -- "$PY" "$INIT_HELPERS/orphan.py"
like "$OUT" '^orphan->pid1' "control: without -s orphans go to PID 1"
as_pid2 -s -- "$PY" "$INIT_HELPERS/orphan.py"
like "$OUT" '^orphan->init' "-s: orphans of the child go to the init"
NOOK_INIT_SUBREAPER=1 as_pid2 -- "$PY" "$INIT_HELPERS/orphan.py"
like "$OUT" '^orphan->init' "NOOK_INIT_SUBREAPER=1: subreaper"
TINI_SUBREAPER=yes as_pid2 -- "$PY" "$INIT_HELPERS/orphan.py"
like "$OUT" '^orphan->init' "TINI_SUBREAPER=yes: subreaper"
NOOK_INIT_SUBREAPER='' as_pid2 -- "$PY" "$INIT_HELPERS/orphan.py"
like "$OUT" '^orphan->pid1' "NOOK_INIT_SUBREAPER= (empty): not a subreaper"
as_pid2 -vs -- "$PY" "$INIT_HELPERS/orphan.py"
like "$OUT" '^orphan->init' "-vs (combined): subreaper"

# --- reaping as a subreaper -----------------------------------------------
TMO=60 as_pid2 -- "$PY" "$INIT_HELPERS/storm.py" 200 0.5
like "$OUT" '^zombies=[1-9]' "control: without -s the orphans' zombies stay (PID 1 does not reap)"
TMO=60 as_pid2 -s -- "$PY" "$INIT_HELPERS/storm.py" 500 15
like "$OUT" '^zombies=0' "-s: 500 orphans of descendants all reaped"

# --- never kill(-1) when not PID 1 ------------------------------------------
as_pid2 -- "$STRAGGLE" "$T" 3
like "$OUT" '^rc=3 ' "no -s, no stragglers: status 3"
like "$OUT" 'sibling=alive' "no -s: a sibling (not a descendant) survives the init's exit"
as_pid2 -t 1 -- "$STRAGGLE" "$T" 4 a:clean
like "$OUT" '^rc=4 ' "no -s, a straggler: status 4"
like "$OUT" 'sibling=alive' "no -s, a straggler: the sibling survives"

# --- -s: terminate the descendants, gracefully ----------------------------------
as_pid2 -s -t 30 -- "$STRAGGLE" "$T" 5 a:clean b:clean:setsid c:plain
like "$OUT" '^rc=5 ' "-s: status 5"
like "$OUT" 'sibling=alive' "-s: the sibling survives"
cleaned a; ok $? "-s: straggler got SIGTERM and cleaned up"
cleaned b; ok $? "-s: straggler in its own session got SIGTERM and cleaned up"
like "$OUT" ' a=dead b=dead c=dead' "-s: all descendants gone when the init exits"
el=$(field el)
if fge "$el" 0 && flt "$el" 10; then pass "-s: returns as soon as they are gone (-t 30)"
else fail "-s: returns as soon as they are gone (-t 30)"; diag "$OUT"; fi

as_pid2 -s -t 1 -- "$STRAGGLE" "$T" 6 i:ignore j:ignore:setsid a:clean
like "$OUT" '^rc=6 ' "-s -t 1, SIGTERM-ignoring descendants: status 6"
like "$OUT" 'sibling=alive' "-s -t 1: the sibling survives"
cleaned a; ok $? "-s -t 1: the cooperative descendant cleaned up"
like "$OUT" ' a=dead i=dead j=dead' "-s -t 1: SIGTERM-ignoring descendants SIGKILLed"
el=$(field el)
if fge "$el" 0.95 && flt "$el" 4.5; then pass "-s -t 1: SIGKILL after the ~1 s grace period"
else fail "-s -t 1: SIGKILL after the ~1 s grace period"; diag "$OUT"; fi

as_pid2 -s -t 30 -- "$STRAGGLE" "$T" 7 r:respawn
like "$OUT" '^rc=7 ' "-s, descendant that respawns on SIGTERM: status 7"
cleaned r-2; ok $? "-s: the process started during shutdown got SIGTERM too (repeatedly until none remain)"
like "$OUT" ' r-2=dead r=dead' "-s: respawned descendant gone too"
el=$(field el)
if fge "$el" 0 && flt "$el" 10; then pass "-s: respawn handled well before -t 30"
else fail "-s: respawn handled well before -t 30"; diag "$OUT"; fi
like "$OUT" 'sibling=alive' "-s, respawn: the sibling survives"

as_pid2 -s -t 0 -- "$STRAGGLE" "$T" 8 s:slow
cleaned s; ok $((!$?)) "-s -t 0: killed at once, no time for a 2 s cleanup"

# A /proc that belongs to another PID namespace (unshare --pid without
# --mount-proc, bwrap --unshare-pid without --proc): its pid numbers mean
# other processes here.  Started first, the init is PID 2, and in the host's
# /proc the children of pid 2 are kthreadd's kernel threads: the init must
# not take them for its own children and signal our pids 3, 4, ...
cat >"$T/foreign.py" <<'PY'
import subprocess, sys
init = subprocess.Popen(sys.argv[1:])           # PID 2
sibs = [subprocess.Popen(["sleep", "60"]) for _ in range(3)]
try:
    rc = init.wait(timeout=8)
except subprocess.TimeoutExpired:
    init.kill()
    init.wait()
    rc = "hung"
print("rc=%s siblings=%s" % (rc, ",".join("alive" if s.poll() is None else "dead" for s in sibs)))
for s in sibs:
    s.kill()
PY
OUT=$(timeout -k 3 25 unshare --pid --fork --kill-child -- "$PY" "$T/foreign.py" \
	"$NOOK_INIT" -s -t 1 -- sh -c 'sleep 1; exit 0' 2>"$T/err" </dev/null)
like "$OUT" '^rc=0 ' "foreign /proc, -s: the init still exits with the child's status"
like "$OUT" 'siblings=alive,alive,alive$' "foreign /proc, -s: siblings (pids 3+) are not signalled"
