#!/bin/bash
# SPDX-License-Identifier: MIT
# nook: regressions of the outside robustness run (issue 14) - a 125 always
# says why (the first process killed right before its release), the config
# file bounded in size and time (a FIFO nobody writes to, /dev/zero, a
# pipe from nook <(generator) still works), continuation lines in linear
# time, and the real errno when nook runs out of descriptors.
. "$(dirname "$0")/lib.sh"
nook_setup

plan 23

write_conf "$W/ok.ini" <<'EOF'
[process]
command = /bin/true
EOF

# --- every 125 has a message: the go byte's write gets EPIPE ---
if ! command -v strace >/dev/null 2>&1; then
	skip 4 "strace not installed"
elif ! strace -o /dev/null -e trace=none true 2>/dev/null; then
	skip 4 "strace cannot trace here"
else
	# the error injected: the child is alive, nook must kill it and say so
	timeout -k 5 30 strace -o /dev/null -e trace=sendmsg \
		-e inject=sendmsg:error=EPIPE "$NOOK" "$W/ok.ini" \
		>"$W/out" 2>"$W/err" </dev/null
	RC=$?
	ERR=$(<"$W/err")
	is "$RC" 125 "the release's sendmsg fails with EPIPE: exit 125"
	like "$ERR" "^nook: setup: the container's first process died before its exec" \
		"  ... with a message (it was silent)"
	# the real race: the first process is killed while nook is about to
	# release it (nook held at the sendmsg's entry by strace)
	timeout -k 5 60 strace -o /dev/null -e trace=sendmsg \
		-e inject=sendmsg:delay_enter=3000000:when=1 "$NOOK" "$W/ok.ini" \
		>"$W/out" 2>"$W/err" </dev/null &
	sp=$!
	np= cp= st=
	at_sendmsg() {	# timeout > strace > nook > its first process
		np=$(children "$sp")
		[ -n "$np" ] && np=$(children "$np")
		[ -n "$np" ] || return 1
		cp=$(first_process "$np") || return 1
		{ read -r st _ <"/proc/$np/syscall"; } 2>/dev/null
		[ "$st" = 46 ]	# x86_64 sendmsg
	}
	if [ "$(uname -m)" = x86_64 ] && wait_for 20 at_sendmsg; then
		kill -KILL "$cp"
		wait "$sp"
		RC=$?
		ERR=$(<"$W/err")
		is "$RC" 125 "first process SIGKILLed right before its release: exit 125"
		like "$ERR" "first process died before its exec \(signal 9\)" \
			"  ... saying how it died"
	else
		kill -KILL "$sp" 2>/dev/null
		wait "$sp" 2>/dev/null
		skip 2 "could not hold nook at its sendmsg (not x86_64?)"
	fi
fi

# --- the config file: bounded in size and time ---
mkfifo "$W/fifo.ini"
t0=$SECONDS
run_nook --check "$W/fifo.ini"
is "$RC" 125 "a FIFO nobody writes to: exit 125, no hang"
like "$ERR" "^nook: $W/fifo.ini: not a regular file, and not read to its end within 5 s" \
	"  ... naming the file and the time limit (took $((SECONDS - t0)) s)"
# a FIFO with a writer is read like a file
{ cat "$W/ok.ini" >"$W/fifo.ini"; } &
run_nook --check "$W/fifo.ini"
wait
is "$RC:$ERR" "0:" "a FIFO that is written to is read"
run_nook --check /dev/zero
is "$RC" 125 "/dev/zero: exit 125"
is "$ERR" "nook: /dev/zero: not a regular file or a pipe" "  ... refused as a device"
timeout -k 5 30 "$NOOK" --check <(cat /dev/zero) >"$W/out" 2>"$W/err" </dev/null
RC=$?
ERR=$(<"$W/err")
is "$RC" 125 "a pipe that never ends (cat /dev/zero): exit 125"
like "$ERR" "^nook: /dev/fd/[0-9]+: the file is larger than 1 MiB$" \
	"  ... stopped at 1 MiB (no allocation failure, no 'command: required')"
timeout -k 5 30 "$NOOK" <(cat "$W/ok.ini") -- /probe echo generated \
	>"$W/out" 2>"$W/err" </dev/null
RC=$?
is "$RC:$(<"$W/out"):$(<"$W/err")" "0:generated:" "nook <(generator) runs the container"
timeout -k 5 30 "$NOOK" -p <(cat "$W/ok.ini") >"$W/out" 2>"$W/err" </dev/null
is "$?" 0 "nook -p <(generator) prints it"

# a generator that writes its config slowly, within the limit, is waited for
timeout -k 5 30 "$NOOK" --check <(sleep 1; cat "$W/ok.ini") \
	>"$W/out" 2>"$W/err" </dev/null
is "$?:$(<"$W/err")" "0:" "a generator that takes 1 s is waited for"

# --- continuation lines: linear time (100,000 took 13 s before) ---
{
	printf '[rootfs]\npath = %s\n[process]\ncommand = /bin/true\n' "$ROOT"
	for ((i = 0; i < 10000; i++)); do
		printf '\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n'
		printf '\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n'
	done
} >"$W/cont.ini"
timeout -k 5 5 "$NOOK" --check "$W/cont.ini" >"$W/out" 2>"$W/err" </dev/null
is "$?:$(<"$W/err")" "0:" "100,000 continuation lines of a command load within 5 s"
timeout -k 5 10 "$NOOK" "$W/cont.ini" -- /probe echo after >"$W/out" 2>&1 </dev/null
is "$?:$(<"$W/out")" "0:after" "  ... and -- still replaces that command"
timeout -k 5 20 "$NOOK" "$W/cont.ini" >"$W/out" 2>&1 </dev/null
is "$?:$(<"$W/out")" "0:" "  ... the command with its 100,000 words runs"
{
	printf '[rootfs]\npath = %s\n[process]\ncommand = /bin/true\n' "$ROOT"
	printf '[mounts]\nfile = /tmp/big:=first\n'
	for ((i = 0; i < 10000; i++)); do
		printf '\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n'
		printf '\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n\tabcdefg\n'
	done
} >"$W/contfile.ini"
timeout -k 5 5 "$NOOK" --check "$W/contfile.ini" >"$W/out" 2>"$W/err" </dev/null
is "$?:$(<"$W/err")" "0:" "100,000 continuation lines of a [mounts] file load within 5 s"
timeout -k 5 20 "$NOOK" "$W/contfile.ini" -- /bin/sh -c 'wc -l </tmp/big' \
	>"$W/out" 2>"$W/err" </dev/null
is "$?:$(<"$W/out")" "0:100001" "  ... the file has all 100,001 lines"

# --- out of descriptors: the real errno, never a wrong story ---
msgs=0 wrong= silent= ran=
for ((n = 4; n <= 40; n++)); do
	(ulimit -n "$n" && exec timeout -k 5 30 "$NOOK" "$W/ok.ini") \
		>"$W/out" 2>"$W/err" </dev/null
	RC=$?
	ERR=$(<"$W/err")
	if [ "$RC" = 0 ]; then
		ran=${ran:-$n}
		continue
	fi
	[ -z "$ERR" ] && silent+=" $n:$RC"
	[[ $ERR == *"not a character device"* ]] && wrong+=" $n:$ERR"
	[[ $ERR == *"Too many open files"* ]] && msgs=$((msgs + 1))
done
is "$wrong" "" "ulimit -n 4..40: no 'not a character device' for EMFILE"
is "$silent" "" "  ... every failure has a message"
ok $((msgs > 5 ? 0 : 1)) "  ... that says 'Too many open files' ($msgs limits)"
ok $([ -n "$ran" ] && echo 0 || echo 1) "  ... and it runs from ulimit -n ${ran:-?} on"

done_testing
