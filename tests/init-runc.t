#!/bin/bash
# SPDX-License-Identifier: MIT
# nook-init as the PID 1 of a real container: runc with an OCI bundle whose
# rootfs is a static busybox plus build/nook-init.  Exit status
# passthrough, signals from `runc kill` reaching the child, reaping, and
# stopping what is left (also a process that entered with `runc exec`), and
# the descriptors of `runc run --preserve-fds`.
. "$(dirname "$0")/lib.sh"

HELPERS=$TOP/tests/helpers/runc

need_root
need_cmd runc python3 timeout
[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (run make)"
need_busybox

test_tmp nook-init-runc
TMP=$W
ROOTFS=$TMP/rootfs
SHARED=$TMP/shared
IDS=()
BGPID=
runc_cleanup() {
	local id
	[ -n "$BGPID" ] && kill -KILL "$BGPID" 2>/dev/null
	for id in "${IDS[@]}"; do
		runc delete -f "$id" >/dev/null 2>&1
	done
}
at_cleanup runc_cleanup

# --- the rootfs --------------------------------------------------------------
make_rootfs "$ROOTFS" && mkdir -p "$ROOTFS"/sbin "$ROOTFS"/shared "$SHARED" &&
	cp "$NOOK_INIT" "$ROOTFS"/sbin/nook-init || {
	echo "Bail out! cannot build the rootfs in $TMP"
	exit 1
}

# --- running containers -----------------------------------------------------
N=0
# prepare PROCESS-ARGS...: a fresh bundle; sets ID, B (bundle), OUT, ERR
prepare() {
	N=$((N + 1))
	ID=nook-test-$$-$N
	B=$TMP/b$N
	OUT=$B.out
	ERR=$B.err
	mkdir -p "$B" &&
		(cd "$B" && runc spec) &&
		python3 "$HELPERS"/bundle.py "$B" "$ROOTFS" "$SHARED" "$@" || {
		echo "Bail out! cannot make an OCI bundle in $B"
		exit 1
	}
	IDS+=("$ID")
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# run PROCESS-ARGS...: runc run in the foreground; sets RC, SECS, OUT, ERR
run() {
	local t0
	prepare "$@"
	t0=$(now)
	timeout -k 5 60 runc run --bundle "$B" "$ID" </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	SECS=$(elapsed "$t0")
	runc delete -f "$ID" >/dev/null 2>&1
}
# start PROCESS-ARGS...: runc run in the background; sets BGPID, T0
start() {
	prepare "$@"
	T0=$(now)
	runc run --bundle "$B" "$ID" </dev/null >"$OUT" 2>"$ERR" &
	BGPID=$!
}
# finish SECONDS: wait for the background runc run; sets RC, SECS
finish() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 "$BGPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BGPID" 2>/dev/null; then
		diag "container $ID still running after $1 s: killing it"
		runc kill "$ID" KILL >/dev/null 2>&1
		sleep 1
		kill -KILL "$BGPID" 2>/dev/null
	fi
	wait "$BGPID"
	RC=$?
	BGPID=
	SECS=$(elapsed "$T0")
	runc delete -f "$ID" >/dev/null 2>&1
}
# await FILE [SECONDS]: wait for a marker file
await() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
show() {
	diag "stdout: $(cat "$OUT" 2>/dev/null)" "stderr: $(cat "$ERR" 2>/dev/null)"
}
# is_rc WANT DESCRIPTION
is_rc() {
	local f0=$_tap_fail
	is "$RC" "$1" "$2"
	[ "$_tap_fail" = "$f0" ] || show
}
# within LOW HIGH DESCRIPTION: LOW <= SECS < HIGH
within() {
	awk -v s="$SECS" -v lo="$1" -v hi="$2" 'BEGIN { exit !(s >= lo && s < hi) }'
	ok $? "$3 (${SECS}s)"
}

INIT=/sbin/nook-init

# Can runc run a container here at all (cgroups, namespaces)?  Without
# nook-init: a failure here is the host's, not ours.
run /bin/sh -c 'echo sane'
if [ "$RC" != 0 ] || [ "$(cat "$OUT")" != sane ]; then
	skip_all "runc cannot run a busybox container here: $(head -c 300 "$ERR" | tr '\n' ' ')"
fi

plan 32

# 1-6: exit status passthrough
run $INIT -- /bin/sh -c 'exit 7'
is_rc 7 "exit status 7 passes through runc run"
run $INIT -- /bin/sh -c 'exit 0'
is_rc 0 "exit status 0 passes through runc run"
run $INIT -- /bin/sh -c 'kill -KILL $$'
is_rc 137 "a child killed by SIGKILL gives 128+9"
run $INIT -- /bin/sh -c 'kill -TERM $$'
is_rc 143 "a child killed by SIGTERM gives 128+15"
run $INIT -- /nonexistent
is_rc 127 "a missing PROGRAM gives 127"
run $INIT -e 3 -- /bin/sh -c 'exit 3'
is_rc 0 "-e 3 maps exit status 3 to 0"

# 7-9: who is who; output reaches runc's stdout and stderr
run $INIT -- /bin/sh -c 'echo "pid=$$ ppid=$PPID comm1=$(cat /proc/1/comm)"; echo to-stderr >&2'
is_rc 0 "a child printing its ids exits 0"
like "$(cat "$OUT")" '^pid=([2-9]|[1-9][0-9]+) ppid=1 comm1=nook-init$' "nook-init is PID 1, the child's parent"
is "$(cat "$ERR")" "to-stderr" "the child's stderr passes through"

# 10-11: even allowed to reboot(2) and mount, a container's PID 1 is not
# taken for a machine's: no /run tmpfs, no power-off, the status comes back
BUNDLE_CAPS=CAP_SYS_BOOT,CAP_SYS_ADMIN run $INIT -- /bin/sh -c '
	if grep -q " /run " /proc/mounts; then echo run-mounted; else echo run-untouched; fi
	exit 7'
is_rc 7 "CAP_SYS_BOOT+CAP_SYS_ADMIN container: exit status 7 comes back"
is "$(cat "$OUT")" run-untouched "CAP_SYS_BOOT+CAP_SYS_ADMIN container: no machine set-up (/run not mounted)"

# 12-13: orphans re-parented to nook-init are reaped while the child runs
run $INIT -- /bin/sh -c '
	i=0
	while [ $i -lt 50 ]; do (sleep 0.1 &); i=$((i + 1)); done
	sleep 1.5
	z=0
	for s in /proc/[0-9]*/stat; do
		read -r _ _ st _ <"$s" 2>/dev/null || continue
		[ "$st" = Z ] && z=$((z + 1))
	done
	echo "zombies=$z"'
is_rc 0 "a child making short-lived orphans exits 0"
is "$(cat "$OUT")" "zombies=0" "nook-init reaps orphans"

# 14-16: runc kill TERM reaches the child (via nook-init), which exits 0
rm -f "$SHARED"/*
start $INIT -- /bin/sh -c '
	trap "echo got-TERM; echo TERM >/shared/term; exit 0" TERM
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	runc kill "$ID" TERM
	finish 20
	is_rc 0 "runc kill TERM: the child traps it and exits 0, runc run returns 0"
	is "$(cat "$SHARED"/term 2>/dev/null)" TERM "runc kill TERM: the child's trap wrote its marker"
	is "$(cat "$OUT")" got-TERM "runc kill TERM: the child's stdout has its marker"
else
	finish 1
	fail "runc kill TERM: the container did not get ready"
	skip 2 "no container"
	show
fi

# 17-18: runc kill HUP is forwarded too; its exit status comes back
rm -f "$SHARED"/*
start $INIT -- /bin/sh -c '
	trap "echo got-HUP; exit 42" HUP
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	runc kill "$ID" HUP
	finish 20
	is_rc 42 "runc kill HUP: forwarded; the child's exit status 42 comes back"
	is "$(cat "$OUT")" got-HUP "runc kill HUP: the child's stdout has its marker"
else
	finish 1
	fail "runc kill HUP: the container did not get ready"
	skip 1 "no container"
	show
fi

# 19-20: SIGPWR (lxc-stop's stop request) reaches the child as SIGTERM
rm -f "$SHARED"/*
start $INIT -- /bin/sh -c '
	trap "echo got-TERM; exit 0" TERM
	trap "echo got-PWR; exit 1" PWR
	echo ready >/shared/ready
	while :; do sleep 100 & wait $!; done'
if await "$SHARED"/ready; then
	runc kill "$ID" PWR
	finish 20
	is_rc 0 "runc kill PWR: the child gets SIGTERM and exits 0"
	is "$(cat "$OUT")" got-TERM "runc kill PWR: the child's TERM trap ran"
else
	finish 1
	fail "runc kill PWR: the container did not get ready"
	skip 1 "no container"
	show
fi

# 21-23: when the child exits, what is left gets SIGTERM, and SIGKILL after
# the grace period (-t 1) if it ignores SIGTERM
rm -f "$SHARED"/*
run $INIT -t 1 -- /bin/sh -c '
	(sleep 1000 &)
	(sh -c "trap \"echo cleaned >/shared/straggler; exit 0\" TERM
		echo ready >/shared/straggler-ready
		while :; do sleep 1 & wait \$!; done" &)
	(sh -c "trap \"\" TERM; echo ready >/shared/ignorer-ready
		exec sleep 1000" &)
	while [ ! -e /shared/straggler-ready ] || [ ! -e /shared/ignorer-ready ]
	do sleep 0.1; done
	exit 5'
is_rc 5 "leftover orphans: the child's exit status 5 comes back"
is "$(cat "$SHARED"/straggler 2>/dev/null)" cleaned "leftover orphans: one trapping SIGTERM got it"
within 0.9 15 "leftover orphans: a SIGTERM-ignoring one is SIGKILLed after the 1 s grace"

# 24-25: without stragglers nook-init does not wait for the grace period
run $INIT -t 30 -- /bin/sh -c '(sleep 1000 &); exit 0'
is_rc 0 "a leftover sleep: exit status 0"
within 0 15 "a leftover sleep dies on SIGTERM: no 30 s grace wait"

# 26-27: a process that entered with `runc exec` is stopped gracefully too
rm -f "$SHARED"/*
start $INIT -t 10 -- /bin/sh -c '
	echo ready >/shared/ready
	while [ ! -e /shared/go ]; do sleep 0.1; done
	exit 4'
if await "$SHARED"/ready &&
	runc exec -d "$ID" /bin/sh -c '
		trap "echo TERM >/shared/exec-term; exit 0" TERM
		echo ready >/shared/exec-ready
		while :; do sleep 1 & wait $!; done' </dev/null >/dev/null 2>&1 &&
	await "$SHARED"/exec-ready; then
	touch "$SHARED"/go
	finish 30
	is_rc 4 "runc exec'd process left: the child's exit status 4 comes back"
	is "$(cat "$SHARED"/exec-term 2>/dev/null)" TERM "runc exec'd process left: it got SIGTERM before nook-init exited"
else
	touch "$SHARED"/go
	finish 5
	fail "runc exec'd process left: the container or runc exec did not get ready"
	skip 1 "no container"
	show
fi

# 28: --restart=on-failure inside a container
rm -f "$SHARED"/*
run $INIT --restart=on-failure -- /bin/sh -c '
	n=$(cat /shared/runs 2>/dev/null || echo 0)
	echo $((n + 1)) >/shared/runs
	[ "$n" -ge 1 ]'
is "$RC/$(cat "$SHARED"/runs 2>/dev/null)" "0/2" "--restart=on-failure: a failed child is run again, then exit 0"

# 29-30: with a terminal (docker run -t): the child is the foreground
# process group of the container's pty, so it may change the tty settings
# (in the background, tcsetattr would stop it with SIGTTOU).  `script`
# gives runc the terminal it wants on its side.
if command -v script >/dev/null 2>&1; then
	BUNDLE_TERMINAL=1 prepare $INIT -- /bin/sh -c 'stty -echo && echo "fg-ok $(tty)"; exit 3'
	T0=$(now)
	timeout -k 5 30 script -qec "runc run --bundle $B $ID" /dev/null </dev/null >"$OUT" 2>"$ERR"
	RC=$?
	SECS=$(elapsed "$T0")
	runc delete -f "$ID" >/dev/null 2>&1
	is_rc 3 "terminal: exit status 3 comes back through runc run"
	like "$(tr -d '\r' <"$OUT")" 'fg-ok /dev/pts/' "terminal: the child is the foreground process group of the pty"
else
	skip 2 "no script(1) to give runc a terminal"
fi

# 31-32: runc run --preserve-fds 1: the fd 3 that runc passes to the
# container's PID 1 reaches the child, as with tini; --close-fds closes it
echo preserved >"$TMP"/fd3
for opts in "" --close-fds; do
	prepare $INIT $opts -- /bin/sh -c 'cat <&3 || echo closed'
	timeout -k 5 60 runc run --preserve-fds 1 --bundle "$B" "$ID" \
		</dev/null >"$OUT" 2>"$ERR" 3<"$TMP"/fd3
	RC=$?
	runc delete -f "$ID" >/dev/null 2>&1
	if [ -z "$opts" ]; then
		is "$RC/$(cat "$OUT")" "0/preserved" "runc run --preserve-fds 1: the child reads fd 3"
	else
		is "$RC/$(cat "$OUT")" "0/closed" "runc run --preserve-fds 1 with --close-fds: fd 3 is closed"
	fi
done

done_testing
