#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init on a terminal: the child's process group becomes the terminal's
# foreground group, so it can read the terminal and gets Ctrl-C.
. "$(dirname "$0")/lib.sh"
need_init
plan 11
PTYRUN=$INIT_HELPERS/ptyrun.py
NS=("${PIDNS[@]}")
FGCHECK='import os; print("fg=%d own=%d" % (os.tcgetpgrp(0) == os.getpgrp(), os.getpgrp() == os.getpid()))'

# ptyrun MODE CMD...: $OUT output, $RC the rc= line
ptyrun() {
	local mode=$1
	shift
	OUT=$(timeout -k 3 30 "$PY" "$PTYRUN" "$mode" 15 "$@" 2>&1)
	RC=$(sed -n 's/^rc=//p' <<<"$OUT" | tail -n 1)
}

ptyrun plain sh -c '"$0" -c "$1"; exit $?' "$PY" 'import os; os.setpgid(0, 0); '"$FGCHECK"
like "$OUT" 'fg=0 own=1' "control: a background process group is seen as such"

ptyrun plain "${NS[@]}" "$NOOK_INIT" -- "$PY" -c "$FGCHECK"
like "$OUT" 'fg=1 own=1' "child's own process group is the terminal's foreground group"
is "$RC" 0 "exit status 0"

ptyrun plain "${NS[@]}" "$PY" "$INIT_HELPERS/nsrun.py" "$T" "$NOOK_INIT" -s -- "$PY" -c "$FGCHECK"
like "$OUT" 'fg=1 own=1' "not PID 1: child's group is the foreground group too"

# reading the terminal: a background child would be stopped by SIGTTIN
ptyrun input "${NS[@]}" "$NOOK_INIT" -- sh -c 'echo ready; read -r line; echo "got:$line"'
like "$OUT" 'got:hello' "child reads from the terminal"
is "$RC" 0 "reading child: exit status 0"

# Ctrl-C reaches the foreground child, which dies of SIGINT: 130
t0=$(now)
ptyrun ctrlc "${NS[@]}" "$NOOK_INIT" -- sh -c 'echo ready; exec sleep 30'
is "$RC" 130 "Ctrl-C kills the foreground child: 130"
el=$(fsub "$(now)" "$t0")
flt "$el" 12
ok $? "Ctrl-C: init returns promptly (${el}s)"

# the same through script(1) from util-linux
if command -v script >/dev/null 2>&1; then
	OUT=$(timeout -k 3 30 script -qec "${NS[*]} $NOOK_INIT -- $PY -c '$FGCHECK'" /dev/null </dev/null 2>&1)
	RC=$?
	like "$OUT" 'fg=1 own=1' "script -qc: child is the foreground group"
	is "$RC" 0 "script -qc: exit status 0"
else
	skip 2 "script not installed"
fi

# stdin not a terminal: no foreground business, nothing breaks
run_init -- "$PY" -c 'import os, sys; print("tty=%d" % os.isatty(0))'
is "$OUT:$RC" "tty=0:0" "stdin not a terminal: child runs normally"
