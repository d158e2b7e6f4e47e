#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init: command line, exit status, exec errors, the child's environment.
. "$(dirname "$0")/lib.sh"
need_init
plan 108

# --- version / help -------------------------------------------------------
run_init --version
is "$RC" 0 "--version exits 0"
like "$OUT" '^nook-init version [0-9]+\.[0-9]+\.[0-9]+ - git\.([0-9a-f]+|unknown)$' "--version format"
is "$(printf '%s\n' "$OUT" | wc -l)" 1 "--version prints exactly one line"
run_init -h
is "$RC" 0 "-h exits 0"
like "$OUT" '(U|u)sage' "-h prints usage on stdout"
run_init --help
is "$RC" 0 "--help exits 0"
like "$OUT" '(U|u)sage' "--help prints usage on stdout"

# --- exit status ------------------------------------------------------------
run_init -- sh -c 'exit 0'
is "$RC" 0 "child exit 0 -> 0"
run_init -- sh -c 'exit 3'
is "$RC" 3 "child exit 3 -> 3"
run_init sh -c 'exit 255'
is "$RC" 255 "child exit 255 -> 255 (no --)"
run_init -v sh -c 'exit 3'
is "$RC" 3 "option parsing stops at first non-option: -v sh -c 'exit 3' -> 3"
run_init -- sh -c 'kill -TERM $$'
is "$RC" 143 "child killed by SIGTERM -> 143"
run_init -- sh -c 'kill -KILL $$'
is "$RC" 137 "child killed by SIGKILL -> 137"
run_init -- sh -c 'kill -SEGV $$'
is "$RC" 139 "child killed by SIGSEGV -> 139"
run_init -e 3 -- sh -c 'exit 3'
is "$RC" 0 "-e 3 maps exit 3 to 0"
run_init -e3 -- sh -c 'exit 3'
is "$RC" 0 "-e3 (attached) maps exit 3 to 0"
run_init -e 3 -- sh -c 'exit 4'
is "$RC" 4 "-e 3 leaves exit 4 alone"
run_init -e 3 -e 4 -- sh -c 'exit 4'
is "$RC" 0 "-e is repeatable (-e 3 -e 4 maps 4)"
run_init -e 3 -e 4 -- sh -c 'exit 3'
is "$RC" 0 "-e is repeatable (-e 3 -e 4 maps 3)"
run_init -gse3 -- sh -c 'exit 3'
is "$RC" 0 "-gse3 (value at the end of a cluster) maps exit 3 to 0"
run_init -se 3 -- sh -c 'exit 3'
is "$RC" 0 "-se 3 (value after a cluster) maps exit 3 to 0"

# --- argument passing -------------------------------------------------------
run_init -- printf '[%s]' -g --version '' 'a b' -- -e
is "$OUT" '[-g][--version][][a b][--][-e]' "args after -- passed verbatim"
run_init -- --version
is "$RC" 127 "-- --version runs a program called --version (127)"
run_init printf '[%s]' -s -v '' --help
is "$OUT" '[-s][-v][][--help]' "args after PROGRAM passed verbatim (no --)"
run_init -s -g -v -- printf '[%s]' x
is "$OUT$RC" '[x]0' "options before -- are consumed"

# --- options accepted -------------------------------------------------------
okopts=(-s -g -sg -gs -v -vvv -w "-p SIGTERM" "-p TERM" "-p 15" "-p SIGKILL"
	"-t 3" "--grace 3" "--grace=3" "-t 0" "-svg -e 3" "-t3" "-pTERM" "-vt 1")
for o in "${okopts[@]}"; do
	# shellcheck disable=SC2086
	run_init $o -- sh -c 'echo ran'
	is "$RC:$OUT" "0:ran" "option '$o' accepted, child runs"
done
run_init -l -- true
is "$RC" 0 "-l accepted (tini compatibility)"
NOOK_INIT_VERBOSITY=3 run_init -- sh -c 'echo ran'
is "$RC:$OUT" "0:ran" "NOOK_INIT_VERBOSITY=3 accepted"

# --- usage errors: 125 + message naming the flag ----------------------------
usage_err() {	# EXPECTED-STDERR-REGEX DESC ARGS...
	local re=$1 desc=$2
	shift 2
	run_init "$@"
	if [ "$RC" = 125 ] && printf '%s' "$ERR" | grep -Eq -- "$re"; then
		pass "$desc -> 125 + message"
	else
		fail "$desc -> 125 + message"
		diag "args: $*" "rc=$RC stderr: $ERR"
	fi
}
usage_err "-Z|'Z'" "unknown short option -Z" -Z -- true
usage_err "bogus" "unknown long option --bogus" --bogus -- true
usage_err "-e|'e'" "bad -e value (abc)" -e abc -- true
usage_err "-e|'e'" "bad -e value (256)" -e 256 -- true
usage_err "-e|'e'" "bad -e value (-1)" -e -1 -- true
usage_err "-e|'e'" "-e without value" -e
usage_err "-p|'p'" "bad -p signal name (SIGNOPE)" -p SIGNOPE -- true
usage_err "-p|'p'" "bad -p signal number (99)" -p 99 -- true
usage_err "-t|'t'|grace" "bad -t (abc)" -t abc -- true
usage_err "-t|'t'|grace" "bad -t (-1)" -t -1 -- true
usage_err "-t|'t'|grace" "bad -t (1x)" -t 1x -- true
usage_err "grace" "bad --grace=abc" --grace=abc -- true
usage_err "on-exit" "bad --on-exit=bogus" --on-exit=bogus -- true
usage_err "restart" "bad --restart=bogus" --restart=bogus -- true
usage_err "-t|'t'" "-t without value" -t
usage_err "grace" "--grace without value" --grace
usage_err "-p|'p'" "-p without value" -p
usage_err "." "missing PROGRAM (no args)"
usage_err "." "missing PROGRAM (only --)" --
usage_err "." "missing PROGRAM (only options)" -v -s

# --- exec errors --------------------------------------------------------------
run_init -- no-such-program-nook-xyz
if [ "$RC" = 127 ] && [[ $ERR == *no-such-program-nook-xyz* ]]; then pass "PROGRAM not found in PATH -> 127, named on stderr"
else fail "PROGRAM not found in PATH -> 127, named on stderr"; diag "rc=$RC err=$ERR"; fi
run_init -- /nonexistent/nook-prog
if [ "$RC" = 127 ] && [[ $ERR == */nonexistent/nook-prog* ]]; then pass "absolute PROGRAM missing -> 127, named on stderr"
else fail "absolute PROGRAM missing -> 127, named on stderr"; diag "rc=$RC err=$ERR"; fi
run_init -- ''
is "$RC" 127 "empty PROGRAM -> 127"
env_u_run() { in_pidns env -u PATH "$NOOK_INIT" -- "$@" >"$T/out" 2>"$T/err"; }
env_u_run no-such-program-nook-xyz
is "$?" 127 "PATH unset, PROGRAM in none of the default dirs -> 127"
printf '#!/bin/sh\necho hi\n' >"$T/noexec"
chmod 644 "$T/noexec"
run_init -- "$T/noexec"
if [ "$RC" = 126 ] && [[ $ERR == *noexec* ]]; then pass "non-executable PROGRAM -> 126, named on stderr"
else fail "non-executable PROGRAM -> 126, named on stderr"; diag "rc=$RC err=$ERR"; fi
PATH=$T:$PATH run_init -- noexec
is "$RC" 126 "non-executable PROGRAM found via PATH -> 126"

# --- PATH unset -------------------------------------------------------------
in_pidns env -u PATH "$NOOK_INIT" -- env >"$T/out" 2>"$T/err"
is "$?" 0 "PATH unset: PROGRAM (env) found in the default path"
grep -qFx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$T/out"
ok $? "PATH unset: child gets the default PATH"
[ "$(grep -c '^PATH=' "$T/out")" = 1 ]
ok $? "PATH unset: exactly one PATH in the child's environment"
in_pidns env PATH=/usr/bin:/bin "$NOOK_INIT" -- env >"$T/out" 2>"$T/err"
grep -qFx 'PATH=/usr/bin:/bin' "$T/out"
ok $? "PATH set: child keeps the init's PATH"

# --- the child's environment --------------------------------------------------
in_pidns env -i A=1 'B=x y' PATH=/usr/bin:/bin NOOK_INIT_GRACE=2 NOOK_INIT_VERBOSITY=1 \
	"$NOOK_INIT" -- env >"$T/out" 2>"$T/err"
is "$(sort "$T/out" | tr '\n' '|')" "A=1|B=x y|NOOK_INIT_GRACE=2|NOOK_INIT_VERBOSITY=1|PATH=/usr/bin:/bin|" \
	"child's environment is exactly the init's (nothing added or removed)"
NOOK_TEST_VAR='a b=c' run_init -- sh -c 'printf %s "$NOOK_TEST_VAR"'
is "$OUT" 'a b=c' "child gets the init's environment"
mkdir "$T/cwd dir"
(cd "$T/cwd dir" && run_init -- pwd && echo "$OUT" >"$T/pwd")
is "$(cat "$T/pwd")" "$T/cwd dir" "child gets the init's cwd"
OUT=$(echo piped-in | in_pidns "$NOOK_INIT" -- cat 2>/dev/null)
is "$OUT" piped-in "child gets the init's stdin/stdout"
OUT=$(in_pidns "$NOOK_INIT" -- sh -c 'echo to-stderr >&2' 2>&1 >/dev/null)
is "$OUT" to-stderr "child gets the init's stderr"

# Ignored SIGPIPE/SIGINT and a blocked SIGUSR1/SIGHUP in the init's parent
# must not leak into the child.
cat >"$T/sigwrap.py" <<'PY'
import os, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
signal.signal(signal.SIGILL, signal.SIG_IGN)
signal.signal(40, signal.SIG_IGN)
signal.signal(64, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGHUP, 40])
os.execvp(sys.argv[1], sys.argv[1:])
PY
sigline='^Sig(Ign|Blk):'
in_pidns "$PY" "$T/sigwrap.py" grep -E "$sigline" /proc/self/status >"$T/out" 2>&1
like "$(cat "$T/out")" 'SigIgn:[[:space:]]*0*[1-9a-f]' "sanity: the wrapper does leave signals ignored in a plain child"
in_pidns "$PY" "$T/sigwrap.py" "$NOOK_INIT" -- grep -E "$sigline" /proc/self/status >"$T/out" 2>&1
like "$(cat "$T/out")" 'SigIgn:[[:space:]]*0+$' "child: no ignored signals (SigIgn all zero)"
like "$(cat "$T/out")" 'SigBlk:[[:space:]]*0+$' "child: empty signal mask (SigBlk all zero)"
diag "$(cat "$T/out")"
# nook-init resets only what /proc/self/status names as ignored (SigIgn
# 00008000...100e: SIGILL and SIGQUIT make its hex letter, 40 and 64 its
# high bits); with no /proc to read (a tmpfs over it), all 64 signals
getsig="import signal; print(*[signal.getsignal(s).name for s in (signal.SIGQUIT, signal.SIGILL, 40, 64)])"
in_pidns "$PY" "$T/sigwrap.py" "$NOOK_INIT" -- "$PY" -c "$getsig" >"$T/out" 2>&1
is "$(cat "$T/out")" "SIG_DFL SIG_DFL SIG_DFL SIG_DFL" "child: SIGQUIT, SIGILL, 40 and 64 back to SIG_DFL"
if [ -n "${NOOK_HOST_INIT:-}" ]; then
	skip 1 "the sanitizer build of nook-init cannot start without /proc (ASan reads /proc/self/maps)"
else
	in_pidns sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$PY" \
		"$T/sigwrap.py" "$NOOK_INIT" -- "$PY" -c "$getsig" >"$T/out" 2>&1
	is "$(cat "$T/out")" "SIG_DFL SIG_DFL SIG_DFL SIG_DFL" "child, no /proc: SIGQUIT, SIGILL, 40 and 64 back to SIG_DFL"
fi

# --- descriptors ----------------------------------------------------------------
# The caller's fds 5 and 7 (not close-on-exec) reach the child, as with tini;
# nothing of the init's own does.  ls lists its own directory fd too: the
# lowest free one.
# Whatever the harness leaked above 2 is closed first, so the list is exact.
fds_run() {	# fds_run [INIT-OPTIONS...]: the child's fds, in $FDS
	in_pidns bash -c 'for f in /proc/self/fd/*; do
			f=${f##*/}; [ "$f" -gt 2 ] && eval "exec $f>&-"
		done
		exec 5</dev/null 7>/dev/null
		exec "$0" "$@" -- ls /proc/self/fd' "$NOOK_INIT" "$@" >"$T/out" 2>&1
	FDS=$(tr '\n' ' ' <"$T/out")
}
in_pidns bash -c 'exec 5</dev/null 7>/dev/null; exec ls /proc/self/fd' >"$T/out" 2>&1
grep -qx 5 "$T/out" && grep -qx 7 "$T/out"
ok $? "sanity: fds 5 and 7 are inherited by a plain child"
fds_run
is "$FDS" "0 1 2 3 5 7 " "by default the child inherits fds 5 and 7, and no fd of the init"
fds_run --pass-fd=7
is "$FDS" "0 1 2 3 5 7 " "--pass-fd alone closes nothing"
fds_run --close-fds
is "$FDS" "0 1 2 3 " "--close-fds: child has only fds 0-2 (+ ls's own dir fd)"
fds_run --close-fds --pass-fd=7
is "$FDS" "0 1 2 3 7 " "--close-fds --pass-fd=7: fd 7 kept, fd 5 closed"
fds_run --close-fds --pass-fd 5 --pass-fd=7
is "$FDS" "0 1 2 3 5 7 " "--close-fds --pass-fd 5 --pass-fd=7: both kept"
NOOK_INIT_CLOSE_FDS=1 fds_run
is "$FDS" "0 1 2 3 " "NOOK_INIT_CLOSE_FDS=1 acts as --close-fds"
NOOK_INIT_CLOSE_FDS= fds_run
is "$FDS" "0 1 2 3 5 7 " "NOOK_INIT_CLOSE_FDS empty: descriptors kept"
# socket activation: LISTEN_FDS=2 keeps 3 and 4 even with --close-fds
in_pidns env LISTEN_FDS=2 LISTEN_PID=1 bash -c 'exec 3</dev/null 4</dev/null 6</dev/null
	exec "$0" --close-fds -- sh -c "echo \$LISTEN_PID \$\$; exec ls /proc/self/fd"' \
	"$NOOK_INIT" >"$T/out" 2>&1
is "$(tr '\n' ' ' <"$T/out")" "2 2 0 1 2 3 4 5 " \
	"--close-fds with LISTEN_FDS=2: fds 3-4 kept, 6 closed, LISTEN_PID is the child's"
# a descriptor passed the shell's way ("3<file") is readable by the program
echo passed-in >"$T/fd3"
OUT=$(in_pidns bash -c 'exec "$0" -- sh -c "cat <&3"' "$NOOK_INIT" 3<"$T/fd3" 2>&1)
is "$OUT" passed-in "a shell's 3<file reaches the program"

# --- --restart in a PID namespace -------------------------------------------------
# The child counts its runs in $T/runs; each restart waits the 1 s back-off.
restart_run() {	# restart_run INIT-OPTIONS... -- SCRIPT: SCRIPT sees $n (runs so far)
	local script=${*: -1}
	rm -f "$T/runs"
	run_init "${@:1:$#-1}" sh -c 'n=$(cat "$0" 2>/dev/null || echo 0)
		echo $((n + 1)) >"$0"
		'"$script" "$T/runs"
	RUNS=$(cat "$T/runs" 2>/dev/null)
}
restart_run --restart=on-failure -- '[ "$n" -ge 1 ] || exit 4'
is "$RC/$RUNS" "0/2" "--restart=on-failure: exit 4 is run again, exit 0 is not"
restart_run -e 3 --restart=on-failure -- '[ "$n" -ge 1 ] || exit 3'
is "$RC/$RUNS" "0/2" "-e 3 --restart=on-failure: exit 3 still counts as a failure"
restart_run -e 3 --restart=on-failure -- '[ "$n" -ge 1 ] || exit 3
	trap "" TERM; kill -TERM 1; exit 3'
is "$RC/$RUNS" "0/2" "-e 3 --restart=on-failure: after a stop request the last exit 3 is reported as 0"
restart_run -e 3 --restart=on-failure -- 'exit 0'
is "$RC/$RUNS" "0/1" "-e 3 --restart=on-failure: exit 0 is not run again"
# socket activation again: each run gets its own pid as LISTEN_PID (the
# child patches its own copy of the environment, not the init's)
rm -f "$T/lp"
LISTEN_FDS=1 LISTEN_PID=1 restart_run --restart=on-failure -- \
	'echo "$LISTEN_PID $$" >>'"$T/lp"'; [ "$n" -ge 1 ] || exit 4'
LP=$(awk '$1 == $2 { n++ } !seen[$1]++ { d++ } END { print NR "/" n "/" d }' \
	"$T/lp" 2>/dev/null)
is "$RC/$RUNS/$LP" "0/2/2/2/2" \
	"--restart with LISTEN_FDS: LISTEN_PID is each run's own pid"

# --- TINI_VERBOSITY ---------------------------------------------------------------
TINI_VERBOSITY=2 run_init -- sh -c 'exit 3'
like "$ERR" 'exited with status 3' "TINI_VERBOSITY=2: the child's status is reported"
TINI_VERBOSITY=0 run_init -t 0 -- true
is "$ERR" "" "TINI_VERBOSITY=0: no warnings (not even the SIGKILL of -t 0)"
run_init -t 0 -- true
like "$ERR" 'SIGKILL' "sanity: without it, -t 0 warns of the SIGKILL"
NOOK_INIT_VERBOSITY=2 TINI_VERBOSITY=0 run_init -- sh -c 'exit 3'
like "$ERR" 'exited with status 3' "NOOK_INIT_VERBOSITY wins over TINI_VERBOSITY (2 over 0)"
NOOK_INIT_VERBOSITY=0 TINI_VERBOSITY=2 run_init -t 0 -- true
is "$ERR" "" "NOOK_INIT_VERBOSITY wins over TINI_VERBOSITY (0 over 2)"
TINI_VERBOSITY=x run_init -t 0 -- true
like "$ERR" 'SIGKILL' "TINI_VERBOSITY=x is ignored"

# own process group
run_init -- awk '{ print ($1 == $5) ? "own-group" : "pid " $1 " pgid " $5 }' /proc/self/stat
is "$OUT" own-group "child is in its own process group (pgid == pid)"
