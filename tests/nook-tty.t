#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: [process] tty, -t and -T - a terminal of the container's own,
# driven here as a user would at a real (pseudo-)terminal: the shell's
# prompt, job control, Ctrl-C and Ctrl-Z of its foreground job, the window
# size, /dev/pts/0 and /dev/console inside, the exit status, the end of
# input, the mode of nook's terminal after every way out, TIOCSTI still
# blocked; without a terminal, the stop-timeout SIGKILL said on stderr.
. "$(dirname "$0")/lib.sh"
nook_setup
PY=$(command -v /usr/bin/python3 python3 2>/dev/null | head -n 1)
[ -n "$PY" ] || skip_all "python3 not installed"
DRIVE=$TOP/tests/helpers/tty/drive.py

plan 48

# drive [OPTIONS] STEP... -- CMD...: $DRV is the driver's report
drive() {
	DRV=$(timeout -k 5 200 "$PY" "$DRIVE" --timeout 30 --out "$W/drv" "$@" 2>&1)
	TXT=$(<"$W/drv")
}
drv() { sed -n "s/^$1 //p" <<<"$DRV" | tail -n 1; }
steps_ok() {	# DESCRIPTION: every step done, none failed
	if grep -q '^step ' <<<"$DRV" && ! grep -q '^step [0-9]* FAIL' <<<"$DRV"; then
		pass "$1"
	else
		fail "$1"
		diag "$DRV"
	fi
}
out_has() {	# REGEX DESCRIPTION: the terminal showed REGEX
	if grep -Eq -- "$1" <<<"$TXT"; then
		pass "$2"
	else
		fail "$2"
		diag "$DRV"
	fi
}

# names of their own: a container's name is claimed host-wide
write_conf "$W/sh.ini" <<EOF
[container]
name = tty-sh-$$
[process]
env = PS1=@nk@
EOF

# --- an interactive shell: prompt, output, Ctrl-C, Ctrl-Z, exit status ---
# /job N: a foreground job that says "job-N+1" once it runs (so a key is
# typed only then), "cont-N+2" when continued, and never ends by itself
cat >"$ROOT/job" <<'EOF'
#!/bin/sh
trap 'echo "cont-$(($1 + 2))"' CONT
echo "job-$(($1 + 1))"
while :; do sleep 1; done
EOF
chmod 755 "$ROOT/job"
drive 'expect:@nk@' mode:raw 'send:tty\r' 'expect:/dev/pts/0' \
	'expect:@nk@' 'send:echo out-$((6 * 7))\r' 'expect:out-42' \
	'expect:@nk@' 'send:/job 10\r' 'expect:job-11' 'send:\x03' \
	'expect:@nk@' 'send:echo "rc=$?"\r' 'expect:rc=130' \
	'expect:@nk@' 'send:/job 20\r' 'expect:job-21' 'send:\x1a' \
	'expect:Stopped' 'expect:@nk@' 'send:fg\r' 'expect:cont-22' \
	'send:\x03' 'expect:@nk@' 'send:echo "fg-rc=$?"\r' 'expect:fg-rc=130' \
	'expect:@nk@' 'send:exit 7\r' wait -- "$NOOK" "$W/sh.ini" -- /bin/sh
steps_ok "an interactive shell: prompt, tty, output, Ctrl-C, Ctrl-Z, exit"
out_has '^/dev/pts/0$' "  tty inside: /dev/pts/0, of the container's devpts"
out_has '^out-42$' "  a command's output reaches the terminal"
out_has '^rc=130$' "  Ctrl-C ends the foreground job (130), back at the prompt"
out_has 'Stopped' "  Ctrl-Z stops it: the shell has job control"
out_has '^fg-rc=130$' "  fg brings it back, Ctrl-C ends it"
if grep -q "job control turned off\|can't access tty" <<<"$DRV"; then
	fail "  no \"job control turned off\""
	diag "$DRV"
else
	pass "  no \"job control turned off\""
fi
is "$(drv rc)" 7 "  exit 7 in the shell: nook exits 7"
is "$(drv termios)" same "  the terminal's mode afterwards is as before"

# --- window size at the start and on SIGWINCH; /dev/console ---
drive --size 30 90 'expect:@nk@' 'send:stty size\r' 'expect:30 90' \
	'winsize:37:101' 'sleep:0.5' 'expect:@nk@' 'send:stty size\r' \
	'expect:37 101' 'expect:@nk@' \
	'send:tty </dev/console; echo via-$((1 + 1)) >/dev/console\r' \
	'expect:via-2' 'expect:@nk@' 'send:exit\r' wait \
	-- "$NOOK" "$W/sh.ini" -- /bin/sh
steps_ok "window size and /dev/console: every step"
out_has '^30 90$' "  stty size inside: the terminal's size at the start (30 90)"
out_has '^37 101$' "  a resize of nook's terminal (SIGWINCH) is seen by stty size"
out_has '^/dev/console$' "  /dev/console is a terminal"
out_has '^via-2$' "  what is written to /dev/console shows on the terminal"
is "$(drv rc):$(drv termios)" "0:same" "  exit: 0, terminal mode as before"

# --- the terminal is the user's; mode = direct ---
drive 'expect:@nk@' 'send:stat -c "owner=%u" $(tty)\r' 'expect:owner=1000' \
	'send:exit\r' wait -- "$NOOK" -s process.user=app "$W/sh.ini" -- /bin/sh
out_has '^owner=1000$' "user = app: the pty is owned by uid 1000"
drive wait -- "$NOOK" -s init.mode=direct "$W/sh.ini" -- /bin/sh -c 'tty; exit 3'
is "$(drv rc)" 3 "mode = direct: the command's exit status"
out_has '^/dev/pts/0$' "  and the terminal"

# --- the mode of nook's terminal after every way out ---
drive 'expect:@nk@' 'killchild:KILL' wait -- "$NOOK" "$W/sh.ini" -- /bin/sh
is "$(drv rc):$(drv termios)" "137:same" "container killed (SIGKILL to its PID 1): 137, terminal restored"
drive 'expect:ready' 'signal:TERM' wait -- "$NOOK" -s process.stop_timeout=1s \
	"$W/sh.ini" -- /bin/sh -c 'trap "" TERM; echo ready; sleep 100'
is "$(drv rc):$(drv termios)" "137:same" "stop_timeout SIGKILL with a terminal: 137, terminal restored"
out_has '^nook: stop timeout \(1s\) passed: killing the container$' "  and said"
drive wait -- "$NOOK" -s process.cwd=/nonexistent "$W/sh.ini" -- /bin/sh
is "$(drv rc):$(drv termios)" "125:same" "a setup failure: 125, terminal as before"
out_has 'cwd: chdir "/nonexistent"' "  with its message"
drive wait -- "$NOOK" -s process.user=nosuchuser "$W/sh.ini" -- /bin/sh
is "$(drv rc):$(drv termios)" "125:same" "a failure after the pty is made: 125, terminal as before"
drive wait -- "$NOOK" "$W/sh.ini" -- /nonexistent
is "$(drv rc):$(drv termios)" "127:same" "command not found: 127, terminal as before"

# nook in a background process group of its terminal: no raw mode
drive 'expect:^bg-ready' mode:same wait -- "$PY" -c 'import os, sys
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os.execv(sys.argv[1], sys.argv[1:])
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))' \
	"$NOOK" -t "$W/sh.ini" -- /bin/sh -c 'echo bg-ready; sleep 1'
steps_ok "nook in the background of its terminal: the terminal's mode is left alone"

# --- no terminal: -T, tty = no, auto off a terminal ---
NOTTY='ls -1 /dev/pts; test -e /dev/console && echo has-console; tty'
NONE=$(printf 'ptmx\nnot a tty')
drive wait -- "$NOOK" -T "$W/sh.ini" -- /bin/sh -c "$NOTTY"
is "${TXT%%$'\n'*}:$(grep -c has-console <<<"$TXT")" "ptmx:0" \
	"-T on a terminal: no pty of the container's, no /dev/console"
drive wait -- "$NOOK" -s process.tty=no "$W/sh.ini" -- /bin/sh -c "$NOTTY"
is "${TXT%%$'\n'*}:$(grep -c has-console <<<"$TXT")" "ptmx:0" "tty = no: the same"
drive wait -- /bin/sh -c 'exec "$0" "$1" -- /bin/sh -c "$2" </dev/null' \
	"$NOOK" "$W/sh.ini" "$NOTTY"
is "$TXT" "$NONE" "tty = auto, stdin not a terminal: no terminal"
drive wait -- /bin/sh -c '"$0" "$1" -- /bin/sh -c "$2" | cat' \
	"$NOOK" "$W/sh.ini" "$NOTTY"
is "$TXT" "$NONE" "tty = auto, stdout not a terminal: no terminal"
drive wait -- "$NOOK" -T -t "$W/sh.ini" -- /bin/sh -c "$NOTTY"
is "$TXT" "$(printf '0\nptmx\nhas-console\n/dev/pts/0')" "-t (after -T) on a terminal: a terminal"
run_nook -t "$W/sh.ini" -- /bin/sh -c "$NOTTY"
is "$OUT" "$(printf '0\r\nptmx\r\nhas-console\r\n/dev/pts/0\r')" "-t off a terminal: a terminal all the same"
run_nook -t -s process.new_session=no "$W/sh.ini" -- /bin/true
like "$RC:$ERR" "^125:nook: --set process.tty=yes: \[process\] tty: needs \[process\] new_session = yes" \
	"-t with new_session = no: 125, said"
write_conf "$W/bad.ini" <<EOF
[container]
name = tty-bad-$$
[process]
tty = maybe
EOF
run_nook "$W/bad.ini" -- /bin/true
like "$RC:$ERR" "^125:nook: $W/bad.ini:7: \[process\] tty: \"maybe\" is not one of auto, yes, no" \
	"tty = maybe: 125, file:line"
run_nook --print-config -t "$W/sh.ini" -- /bin/sh
like "$OUT" $'\ntty = yes\n' "--print-config -t: tty = yes"

# --- end of input passes through ---
printf 'line-1\n' | timeout -k 5 30 "$NOOK" -t "$W/sh.ini" -- /bin/cat >"$W/out" 2>&1
RC=$?
is "$RC:$(grep -c line-1 "$W/out")" "0:2" "-t, stdin a pipe: its line reaches cat (echoed), its end ends cat"
timeout -k 5 30 "$NOOK" -t "$W/sh.ini" -- /bin/cat </dev/null >"$W/out" 2>&1
is "$?:$(wc -c <"$W/out")" "0:0" "-t, stdin /dev/null: cat ends at once"
# an interactive shell's line editor flushes the input when it starts
# (TCSAFLUSH): the EOF that went in before is sent again, once
timeout -k 5 20 "$NOOK" -t "$W/sh.ini" -- /bin/sh -i </dev/null >"$W/out" 2>&1
is "$?:$(grep -c '@nk@' "$W/out")" "0:1" "-t, stdin /dev/null: an interactive shell prompts once and ends"
printf 'no-newline' | timeout -k 5 30 "$NOOK" -t "$W/sh.ini" -- /bin/cat >"$W/out" 2>&1
RC=$?
is "$RC:$(grep -o 'no-newline' "$W/out" | wc -l)" "0:2" "-t, input without a final newline: still ends"
printf 'echo from-pipe\nexit 4\n' | timeout -k 5 30 "$NOOK" -t "$W/sh.ini" -- /bin/sh >"$W/out" 2>&1
RC=$?
is "$RC:$(grep -c '^from-pipe' "$W/out")" "4:1" "-t, a shell reading a pipe: its commands run, exit 4"

# stdin and stdout closed: /dev/null takes their place, not a descriptor
# nook opens (the init's memfd, which the pty's dup2 onto 0-2 would undo)
timeout -k 5 30 "$NOOK" "$W/sh.ini" -- /bin/sh -c \
	'stat -L -c %t:%T /proc/$$/fd/0 /proc/$$/fd/1 | tr "\n" " " >&2; true' \
	<&- >&- 2>"$W/err"
is "$?:$(<"$W/err")" "0:1:3 1:3 " \
	"stdin and stdout closed: the container gets /dev/null"
timeout -k 5 30 "$NOOK" -t "$W/sh.ini" -- /bin/sh -c 'tty -s && exit 3' <&- >&- 2>/dev/null
is "$?" 3 "  with -t: a terminal all the same"

# --- TIOCSTI on the container's own terminal is still blocked ---
drive 'expect:sti ' wait -- "$NOOK" "$W/sh.ini" -- /probe sti 0 Q
out_has '^sti EPERM' "TIOCSTI on /dev/pts/0 inside fails (seccomp, block_tiocsti)"
drive 'expect:sti ' wait -- "$NOOK" "$W/sh.ini" -- /bin/sh -c \
	'exec /probe sti 3 Q 3</dev/console'
out_has '^sti EPERM' "  and on /dev/console"
drive 'expect:sti ' wait -- "$NOOK" "$W/sh.ini" -- /probe sti 0 Q high
out_has '^sti EPERM' "  and with the upper 32 bits of the request set"
if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 0 ]; then
	skip 1 "dev.tty.legacy_tiocsti = 0: the kernel refuses TIOCSTI itself"
else
	drive 'expect:sti ' wait -- "$NOOK" -s security.block_tiocsti=no \
		-s security.seccomp=none "$W/sh.ini" -- /probe sti 0 Q
	out_has 'sti ok$' "  control: block_tiocsti = no, seccomp = none: it works"
fi

# --- without a terminal: the stop-timeout SIGKILL is said, even with -q ---
write_conf "$W/stop.ini" <<EOF
[container]
name = tty-stop-$$
[process]
stop_timeout = 1500ms
EOF
for q in "" -q; do
	start_nook $q "$W/stop.ini" -- /bin/sh -c 'trap "" TERM; echo ready; sleep 100'
	wait_for 20 grep -q ready "$W/bg.out"
	kill -TERM "$NPID"
	wait_nook 30
	is "$RC:$(<"$W/bg.err")" "137:nook: stop timeout (1500ms) passed: killing the container" \
		"no terminal${q:+, $q}: the stop-timeout SIGKILL is said on stderr (137)"
done
done_testing
