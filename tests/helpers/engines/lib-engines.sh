# SPDX-License-Identifier: MIT
# What tests/init-podman.t and tests/init-docker.t share: nook-init as the
# `--init` of a container engine that nook did not write.  Source it after
# tests/lib.sh.
#
# The engine runs in a world of its own: eng_isolate runs the rest of the
# test as PID 1 of new PID and mount namespaces, with private tmpfs on /run
# and /dev/shm (runc's state, the containerd shims' fixed /run/containerd
# paths, podman's lock), and the engine keeps its storage, config and
# socket under one temp dir.  When the test ends, the namespaces die with
# everything in them; the test's outer half then removes the temp dir and
# the engine's cgroups.  Nothing of the host's own podman or docker is
# written (each test keeps the rest away: podman's blob cache, dockerd's
# key.json).
#
#   eng_isolate NAME   the rest of the test runs isolated; sets T (temp dir),
#                      CGP (cgroup parent), SHARED (T/shared, the
#                      container's /shared), BUSYBOX, INITVER
#   eng_rootfs TAR     a busybox root file system as a tarball, with a
#                      non-executable /noexec
#   ENG=(engine-command...)  RUN_OPTS=(options of every run)
#   run / start / finish / await / ptyrun / show / is_rc / within
# shellcheck shell=bash disable=SC2034	# variables for the test files
export LC_ALL=C
ulimit -c 0
PTYRUN=$TOP/tests/helpers/init/ptyrun.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
unset NOOK_INIT_SUBREAPER TINI_SUBREAPER NOOK_INIT_KILL_PROCESS_GROUP \
	TINI_KILL_PROCESS_GROUP NOOK_INIT_GRACE NOOK_INIT_VERBOSITY TINI_VERBOSITY

# The engine's cgroups, left behind when a test was killed: the
# hierarchies' NAME directories, deepest first, once their processes died.
eng_rm_cgroups() {
	local d i

	for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$d" ] || continue
		for ((i = 0; i < 50; i++)); do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$d" ] || break
			sleep 0.1
		done
		[ -d "$d" ] && echo "# cannot remove the cgroup $d" >&2
	done
}

# eng_isolate NAME: see above.  The outer half runs the inner half in the
# namespaces, waits, and cleans up; the inner half returns to the test.
eng_isolate() {
	local rc upid b

	if [ -n "${NOOK_ENG_TMP:-}" ]; then
		T=$NOOK_ENG_TMP
		CGP=nook-$1-${T##*.}
		SHARED=$T/shared
		BUSYBOX=${NOOK_BUSYBOX:-}
		mount -t tmpfs -o mode=755 nook-run /run &&
			mount -t tmpfs -o mode=1777 nook-shm /dev/shm || {
			echo "Bail out! cannot mount private tmpfs on /run and /dev/shm"
			exit 1
		}
		mkdir -p "$SHARED" "$T"/tmp && chmod 777 "$SHARED"
		INITVER=$("$NOOK_INIT" --version 2>/dev/null)
		return 0
	fi
	need_root
	need_cmd unshare mount timeout "$PY"
	[ -x "$NOOK_INIT" ] || skip_all "$NOOK_INIT not built (run make)"
	need_busybox
	unshare --mount --pid --fork --mount-proc --kill-child -- \
		mount -t tmpfs none /run 2>/dev/null ||
		skip_all "cannot make PID and mount namespaces with a tmpfs on /run"
	T=$(mktemp -d "/tmp/nook-$1.XXXXXX") || exit 1
	chmod 755 "$T"
	# In the background, so that a signal here still reaches the trap.
	NOOK_ENG_TMP=$T NOOK_BUSYBOX=$BUSYBOX unshare --mount --pid --fork \
		--mount-proc --kill-child --propagation private -- bash "$0" &
	upid=$!
	trap 'kill -KILL $upid 2>/dev/null' INT TERM HUP
	while :; do
		wait "$upid"
		rc=$?
		kill -0 "$upid" 2>/dev/null || break
	done
	eng_rm_cgroups "nook-$1-${T##*.}"
	if [ -n "${NOOK_ENG_KEEP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
	exit "$rc"
}

# eng_rootfs TAR: a busybox root as a tarball for `import`.
eng_rootfs() {
	local r=$T/rootfs a

	mkdir -p "$r"/bin "$r"/sbin "$r"/etc "$r"/proc "$r"/sys "$r"/dev \
		"$r"/tmp "$r"/shared &&
		install_busybox "$r" &&
		echo '#!/bin/sh' >"$r"/noexec && chmod 644 "$r"/noexec &&
		chmod 1777 "$r"/tmp || return 1
	echo 'root:x:0:0:root:/:/bin/sh' >"$r"/etc/passwd
	echo 'root:x:0:' >"$r"/etc/group
	tar -C "$r" -cf "$1" . && rm -rf "$r"
}

# --- running containers: ENG=(engine...) and RUN_OPTS=(...) ----------------
N=0
BGPID=
# name: a fresh container name; sets ID, OUT, ERR
name() {
	N=$((N + 1))
	ID=nook-test-$N
	OUT=$T/c$N.out
	ERR=$T/c$N.err
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
# run ARGS...: `ENG run --name ID RUN_OPTS ARGS` in the foreground; sets
# RC, SECS, OUT, ERR
run() {
	local t0
	name
	t0=$(now)
	timeout -k 5 90 "${ENG[@]}" run --name "$ID" "${RUN_OPTS[@]}" "$@" \
		</dev/null >"$OUT" 2>"$ERR"
	RC=$?
	SECS=$(elapsed "$t0")
	"${ENG[@]}" rm -f "$ID" >/dev/null 2>&1
}
# start ARGS...: the same in the background; sets BGPID, T0
start() {
	name
	T0=$(now)
	"${ENG[@]}" run --name "$ID" "${RUN_OPTS[@]}" "$@" \
		</dev/null >"$OUT" 2>"$ERR" &
	BGPID=$!
}
# finish SECONDS: wait for the background run; sets RC, SECS
finish() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		kill -0 "$BGPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BGPID" 2>/dev/null; then
		diag "container $ID still running after $1 s: removing it"
		"${ENG[@]}" rm -f "$ID" >/dev/null 2>&1
		sleep 1
		kill -KILL "$BGPID" 2>/dev/null
	fi
	wait "$BGPID"
	RC=$?
	BGPID=
	SECS=$(elapsed "$T0")
	"${ENG[@]}" rm -f "$ID" >/dev/null 2>&1
}
# await FILE [SECONDS]: wait for a marker file
await() {
	local i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# ptyrun MODE ARGS...: `ENG run` on a fresh pty (see ptyrun.py); sets OUT
# (the file), RC (its rc= line)
ptyrun() {
	local mode=$1
	shift
	name
	timeout -k 5 90 "$PY" "$PTYRUN" "$mode" 60 "${ENG[@]}" run --name "$ID" \
		"${RUN_OPTS[@]}" "$@" </dev/null >"$OUT" 2>"$ERR"
	RC=$(sed -n 's/^rc=//p' "$OUT" | tail -n 1)
	"${ENG[@]}" rm -f "$ID" >/dev/null 2>&1
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
# zombies: a shell loop that prints the container's zombie count
ZOMBIES='z=0
	for s in /proc/[0-9]*/stat; do
		read -r _ _ st _ <"$s" 2>/dev/null || continue
		[ "$st" = Z ] && z=$((z + 1))
	done
	echo "zombies=$z"'
ORPHANS='i=0
	while [ $i -lt 50 ]; do (sleep 0.1 &); i=$((i + 1)); done
	sleep 1.5'
